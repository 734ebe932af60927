//! What every handler can reach.

use std::sync::Arc;

use anyhow::Context;

use crate::config::Config;
use crate::demo;
use crate::files::Files;
use crate::http::security::SecurityHeaders;
use crate::rules::auth::SignInLimiter;
use crate::rules::token::TokenVerifier;
use crate::store::Store;
use crate::tiers::{Calendar, TierFile};

/// The store, the configuration, the sign-in limiter, the console token verifier and the security
/// headers, shared by every request.
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
    /// Where the attachments' bytes live (`--attachments`).
    pub files: Files,
}

impl AppState {
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
        let store = Store::open(&config.database_path()).await?;
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
            config: Arc::new(config),
            tokens,
            security: Arc::new(security),
            calendar: Arc::new(calendar),
            files,
        })
    }
}
