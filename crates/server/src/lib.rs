//! The Support section's reference backend: JSON API under `/api/v1` and the built SPA.

pub mod admin;
pub mod agent;
pub mod attachments;
pub mod auth;
pub mod clock;
pub mod config;
pub mod conversation;
pub mod db;
pub mod demo;
pub mod error;
pub mod etag;
pub mod idempotency;
pub mod org;
pub mod outbox;
pub mod support;
pub mod ticket_list;
pub mod tickets;
pub mod upgrades;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use sqlx::SqlitePool;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use config::{Cli, Command, Config};
pub use error::{Error, Result};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: SqlitePool,
    pub config: Arc<Config>,
    pub limiter: Arc<auth::SignInLimiter>,
}

impl AppState {
    /// Opens the database, migrates, and loads the demo data when asked and the database is empty.
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        tokio::fs::create_dir_all(&config.data_dir).await?;
        let db = db::connect(&config.database_path()).await?;
        if config.demo && demo::load_if_empty(&db).await? {
            tracing::info!("loaded demo data");
        }
        Ok(Self {
            db,
            config: Arc::new(config),
            limiter: Arc::default(),
        })
    }
}

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .merge(auth::router())
        .merge(support::router())
        .merge(org::router())
        .merge(upgrades::router())
        .merge(tickets::router())
        .merge(conversation::router())
        .merge(attachments::router())
        .fallback(|| async { Error::NotFound })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(middleware::from_fn(auth::require_csrf_header))
        // Handlers may be stricter (downloads add `private`); every other answer is never stored.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    let mut router = Router::new().nest(api::API_PREFIX, api);
    if let Some(dir) = &state.config.static_dir {
        // Client-side routes (/support/...) are answered with index.html; the SPA's router takes over.
        // A missing *file* (a path whose last segment has an extension) is a plain 404: answering it with
        // HTML would hide a half-deployed dist/ behind a blank page and an integrity error.
        let index = ServeFile::new(dir.join("index.html")).precompressed_br();
        let spa_fallback = tower::service_fn(move |request: Request| {
            let index = index.clone();
            async move {
                if request.uri().path().starts_with("/api/") {
                    // Paths the API router did not match, such as `/api/v1/`, stay JSON.
                    return Ok(Error::NotFound.into_response());
                }
                if looks_like_file(request.uri().path()) {
                    return Ok::<_, std::convert::Infallible>(
                        (StatusCode::NOT_FOUND, "Not found").into_response(),
                    );
                }
                let response = match index.oneshot(request).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                };
                Ok(response.map(Body::new))
            }
        });
        let spa = ServeDir::new(dir).precompressed_br().fallback(spa_fallback);
        router = router
            .fallback_service(spa)
            .layer(middleware::from_fn(static_cache_headers));
    }
    router
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// Trunk puts a content hash in every asset name, so those can be cached for good; everything else
/// (index.html and the client routes it answers) must be revalidated so a deploy shows at once.
async fn static_cache_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if path.starts_with(api::API_PREFIX) || response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    // Only a file that was actually served may be cached for good: a 404 for an asset URL asked for
    // during a deploy must not stick in browsers for a year. (304 keeps the header of what is cached.)
    let served = matches!(
        response.status(),
        StatusCode::OK | StatusCode::NOT_MODIFIED | StatusCode::PARTIAL_CONTENT
    );
    // (index.html never answers a hashed asset's URL: paths with an extension are files or 404.)
    let value = if is_hashed_asset(&path) && served {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// `/app-1234.js` is a file; `/support/tickets` and `/support/tickets/42` are client routes.
fn looks_like_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    stem.rsplit('-')
        .next()
        .is_some_and(|hash| hash.len() >= 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Binds, then serves until Ctrl-C or SIGTERM. The sweep of files never attached to a ticket runs at
/// start and hourly; with `--smtp-url`, the outbox's delivery worker runs too. Both stop with the server.
pub async fn serve(state: AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.config.listen).await?;
    tracing::info!(address = %listener.local_addr()?, "listening");
    let worker = match &state.config.smtp_url {
        Some(url) => {
            tracing::info!(smtp = %url, from = %state.config.mail_from, "delivering the outbox's emails");
            Some(outbox::spawn_worker(
                state.db.clone(),
                url.mailer(),
                state.config.mail_from.clone(),
                std::time::Duration::from_secs(state.config.outbox_interval_secs),
            ))
        }
        None => {
            tracing::info!("no --smtp-url: emails stay unsent in the outbox table");
            None
        }
    };
    let sweeper = attachments::spawn_sweeper(state.db.clone(), state.config.attachments_dir());
    let served = axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await;
    // A sweep cut short leaves nothing half done: rows go first, files without rows are swept later.
    sweeper.abort();
    if let Some(worker) = worker {
        worker.stop().await;
    }
    served?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn recognises_trunk_hashed_assets() {
        assert!(is_hashed_asset("/support-console-4f2a9c0e1b3d5a7f.js"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/support/tickets"));
    }

    #[test]
    fn tells_files_from_client_routes() {
        use super::looks_like_file;
        assert!(looks_like_file("/support-console-4f2a.js"));
        assert!(looks_like_file("/favicon.ico"));
        assert!(!looks_like_file("/support/tickets/42"));
        assert!(!looks_like_file("/"));
    }
}
