//! What every handler can reach.

use std::sync::Arc;

use crate::config::Config;
use crate::demo;
use crate::http::security::SecurityHeaders;
use crate::rules::auth::SignInLimiter;
use crate::rules::token::TokenVerifier;
use crate::store::Store;

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
}

impl AppState {
    /// Opens the database, migrates, and loads the demo data when asked and the database is empty.
    /// With `--static-dir`, fails when its index.html cannot be read for the Content-Security-Policy.
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        // Before touching the database: a half-configured token mode stops the server at start.
        let tokens = TokenVerifier::from_config(&config)?.map(Arc::new);
        let security = SecurityHeaders::new(&config)?;
        tokio::fs::create_dir_all(&config.data_dir).await?;
        let store = Store::open(&config.database_path()).await?;
        if config.demo && demo::load_if_empty(&store).await? {
            tracing::info!("loaded demo data");
        }
        Ok(Self {
            store,
            config: Arc::new(config),
            limiter: Arc::default(),
            tokens,
            security: Arc::new(security),
        })
    }
}
