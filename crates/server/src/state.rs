//! What every handler can reach.

use std::sync::Arc;

use anyhow::Context;

use crate::config::Config;
use crate::demo;
use crate::files::Files;
use crate::http::health::Readiness;
use crate::http::security::SecurityHeaders;
use crate::jobs::lease;
use crate::rules::auth::SignInLimiter;
use crate::rules::limits::Limits;
use crate::rules::mail::InboundSettings;
use crate::rules::token::TokenVerifier;
use crate::store::Store;
use crate::tiers::{Calendar, TierFile};

/// The store, the configuration and what is built from it once (the sign-in limiter, the console
/// token verifier, the security headers, the abuse limits, the inbound-mail settings), shared by
/// every request.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub limiter: Arc<SignInLimiter>,
    /// Token mode: `None` unless a token public key is configured.
    pub tokens: Option<Arc<TokenVerifier>>,
    /// The Content-Security-Policy and friends, from the served index.html.
    pub security: Arc<SecurityHeaders>,
    /// The organization's time zone and public holidays (`--tiers`; UTC and none without it).
    pub calendar: Arc<Calendar>,
    /// The abuse limits and the storage quota, read from the configuration once.
    pub limits: Limits,
    /// What inbound mail needs, read from the configuration once; `None` without `--reply-domain`.
    pub inbound: Option<Arc<InboundSettings>>,
    /// Who this instance is when it takes a background job's lease (`jobs::lease`): unique per
    /// process, so several instances share one database.
    pub instance: Arc<str>,
    /// Whether a shutdown began (`/readyz` then answers 503).
    pub readiness: Arc<Readiness>,
    /// Where the attachments' bytes live (`--attachments`).
    pub files: Files,
}

impl AppState {
    /// Whether emails about tickets carry a reply address (`--reply-domain`), so people who are not
    /// console users can comment by replying: what the CC hints of both forms say.
    pub fn replies_by_email(&self) -> bool {
        self.config.reply_domain.is_some()
    }

    /// Opens the database, migrates, loads the demo data when asked and the database is empty, then
    /// makes the tier file (`--tiers`) the catalogue.
    /// With `--static-dir`, fails when its index.html cannot be read for the Content-Security-Policy.
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        // Before touching the database: a half-configured token mode stops the server at start.
        let tokens = TokenVerifier::from_config(&config)?.map(Arc::new);
        let security = SecurityHeaders::new(&config)?;
        // Before touching the database too: a broken tier file stops the start, naming the problem.
        let tier_file = config.tiers.as_deref().map(TierFile::load).transpose()?;
        // And a bucket that cannot be configured (no region, a bad endpoint) too.
        let files = Files::open(&config.attachments())?;
        tokio::fs::create_dir_all(&config.data_dir).await?;
        let store = Store::connect(&config.database_options()).await?;
        let calendar = tier_file
            .as_ref()
            .map(|file| file.calendar.clone())
            .unwrap_or_default();
        // The demo data first (with the catalogue it was written for), so the tier file is checked
        // against the tiers its organizations use; its tickets are due in the file's calendar, as
        // real tickets are.
        if config.demo && demo::load_if_empty(&store, &calendar).await? {
            tracing::info!("loaded demo data");
        }
        if let (Some(file), Some(path)) = (tier_file, &config.tiers) {
            let mut tx = store.begin_write().await?;
            tx.replace_support_tiers(&file.tiers)
                .await
                .with_context(|| format!("tier file {}", path.display()))?;
            tx.commit().await?;
            tracing::info!(tiers = file.tiers.len(), "support tiers from the tier file");
        }
        Ok(Self {
            store,
            limiter: Arc::new(SignInLimiter::new(&config)),
            limits: Limits::new(&config),
            inbound: InboundSettings::from_config(&config, &files).map(Arc::new),
            config: Arc::new(config),
            tokens,
            security: Arc::new(security),
            calendar: Arc::new(calendar),
            instance: lease::new_holder_id().into(),
            readiness: Arc::new(Readiness::default()),
            files,
        })
    }
}
