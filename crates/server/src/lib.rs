//! The Support section's reference backend: JSON API under `/api/v1` and the built SPA.
//!
//! Three layers, each a folder: [`http`] (routers and thin handlers), [`rules`] (what each resource
//! allows and does, in plain Rust) and [`store`] (every SQL statement). Beside them: [`cli`] (the
//! operators' and the support team's commands), [`jobs`] (background work while serving), [`demo`]
//! (the demo data), and [`config`], [`error`], [`clock`] and [`state`], which every layer shares.

pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod error;
pub mod http;
pub mod jobs;
pub mod rules;
pub mod state;
pub mod store;
pub mod tiers;

use axum::Router;

pub use config::{Cli, Command, Config};
pub use error::{Error, Result};
pub use state::AppState;

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    http::router(state)
}

/// Binds, then serves until Ctrl-C or SIGTERM. The sweep of files never attached to a ticket and the
/// purge of expired sessions and old sent emails run at start and hourly; with `--smtp-url`, the
/// outbox's delivery worker runs too. All stop with the server.
pub async fn serve(state: AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.config.listen).await?;
    tracing::info!(address = %listener.local_addr()?, "listening");
    let worker = match &state.config.smtp_url {
        Some(url) => {
            tracing::info!(smtp = %url, from = %state.config.mail_from, "delivering the outbox's emails");
            Some(jobs::outbox::spawn_worker_as(
                state.store.clone(),
                url.mailer(),
                jobs::outbox::Sender::from_config(&state.config),
                std::time::Duration::from_secs(state.config.outbox_interval_secs),
            ))
        }
        None => {
            tracing::info!("no --smtp-url: emails stay unsent in the outbox table");
            None
        }
    };
    let sweeper = jobs::sweeper::spawn_sweeper(state.store.clone(), state.config.attachments_dir());
    let purger = jobs::purge::spawn_purger(state.store.clone(), state.config.outbox_retention());
    // With the peer's address, which the sign-in limits count by (unless a trusted proxy header says).
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    // A sweep cut short leaves nothing half done: rows go first, files without rows are swept later.
    sweeper.abort();
    // Each purge is one statement: stopping between them leaves nothing half done.
    purger.abort();
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
