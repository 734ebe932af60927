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
pub mod files;
pub mod http;
pub mod jobs;
pub mod rules;
pub mod state;
pub mod store;
pub mod tiers;

use std::time::Duration;

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
/// outbox's delivery runs too; each under a lease, so of several instances on one database one runs
/// each job ([`start_jobs`]). On the signal, `/readyz` answers 503 while the server keeps serving for
/// `--drain-secs` ([`drain_after`]), then it stops accepting, gives running requests
/// `--shutdown-timeout-secs`, and stops the jobs, giving their leases up.
pub async fn serve(state: AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.config.listen).await?;
    tracing::info!(address = %listener.local_addr()?, instance = %state.instance, "listening");
    let jobs = start_jobs(&state);
    let config = state.config.clone();
    let files = state.files.clone();
    let shutdown = drain_after(
        shutdown_signal(),
        state.readiness.clone(),
        Duration::from_secs(config.drain_secs),
    );
    let served = serve_on(listener, app(state), &config, shutdown).await;
    // Files refused or abandoned just before the end are being deleted from a bucket: let them go.
    files.settle().await;
    // At once, each with its own grace for a run in progress (an email in flight, a sweep).
    let mut stopping = tokio::task::JoinSet::new();
    for job in jobs {
        stopping.spawn(job.stop());
    }
    while stopping.join_next().await.is_some() {}
    served?;
    Ok(())
}

/// Starts the background jobs, each under its lease (`jobs::lease`): the sweep of files never attached
/// to a ticket and the purge, hourly, and with `--smtp-url` the outbox's delivery every
/// `--outbox-interval-secs`. A sweep or purge cut short leaves nothing half done (rows go first, files
/// without rows are swept later; each purge is one statement), and an email in flight is sent again
/// by the next holder of the `outbox` lease.
pub fn start_jobs(state: &AppState) -> Vec<jobs::lease::LeasedJob> {
    use jobs::lease::{LeaseSettings, spawn_leased};

    let settings = |name, interval| LeaseSettings {
        name,
        holder: state.instance.clone(),
        period: Duration::from_secs(state.config.lease_secs),
        interval,
    };
    let mut started = Vec::new();
    match &state.config.smtp_url {
        Some(url) => {
            tracing::info!(smtp = %url, from = %state.config.mail_from, "delivering the outbox's emails");
            let (store, mailer) = (state.store.clone(), url.mailer());
            let sender = jobs::outbox::Sender::from_config(&state.config);
            let interval = Duration::from_secs(state.config.outbox_interval_secs);
            started.push(spawn_leased(
                state.store.clone(),
                settings(jobs::outbox::LEASE_NAME, interval),
                move |run| {
                    let (store, mailer, sender) = (store.clone(), mailer.clone(), sender.clone());
                    async move { jobs::outbox::deliver_leased(&store, &mailer, &sender, &run).await }
                },
            ));
        }
        None => tracing::info!("no --smtp-url: emails stay unsent in the outbox table"),
    }
    let (store, files) = (state.store.clone(), state.files.clone());
    started.push(spawn_leased(
        state.store.clone(),
        settings(jobs::sweeper::LEASE_NAME, jobs::sweeper::SWEEP_INTERVAL),
        move |_| {
            let (store, files) = (store.clone(), files.clone());
            async move { jobs::sweeper::sweep_and_log(&store, &files).await }
        },
    ));
    let (store, retention) = (state.store.clone(), state.config.outbox_retention());
    started.push(spawn_leased(
        state.store.clone(),
        settings(jobs::purge::LEASE_NAME, jobs::purge::PURGE_INTERVAL),
        move |_| {
            let store = store.clone();
            async move { jobs::purge::purge_and_log(&store, retention).await }
        },
    ));
    started
}

/// Completes `drain` after `signal` does, having marked the instance as draining first: `/readyz`
/// answers 503 from the signal on, while the server still accepts and serves requests (a balancer
/// that has not noticed yet still sends some), so that none is refused while the balancer catches up.
pub async fn drain_after(
    signal: impl std::future::Future<Output = ()>,
    readiness: std::sync::Arc<http::health::Readiness>,
    drain: Duration,
) {
    signal.await;
    readiness.start_draining();
    tracing::info!(drain = ?drain, "shutting down: not ready, serving on while draining");
    tokio::time::sleep(drain).await;
    tracing::info!("drained: accepting no more connections");
}

/// Serves `app` on `listener` until `shutdown` completes, then gives running requests
/// `--shutdown-timeout-secs` to finish before closing their connections.
///
/// Written out instead of `axum::serve`, which has neither a header-read timeout nor a shutdown
/// deadline: each connection gets `--header-read-timeout-secs` for a request's head (hyper's timer,
/// which also closes a connection that sends nothing), and the peer's address as `ConnectInfo` (the
/// sign-in limits count by it). HTTP/1.1 only, as `axum::serve` was here (axum's `http2` feature is
/// off): hyper-util's HTTP/1-or-2 detection reads the first bytes with no timeout at all.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    app: Router,
    config: &Config,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let header_timeout = Duration::from_secs(config.header_read_timeout_secs);
    let shutdown_timeout = Duration::from_secs(config.shutdown_timeout_secs);
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: wait a little instead of spinning.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let mut stopping = stopping.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(
                move |mut request: hyper::Request<hyper::body::Incoming>| {
                    request
                        .extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    app.clone().oneshot(request)
                },
            );
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                // The guard `wait_for` returns is not `Send`: dropped inside, before the await below.
                () = async { let _ = stopping.wait_for(|stop| *stop).await; } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
        // Finished connections leave the set as they go, so it holds only live ones.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = tokio::time::timeout(shutdown_timeout, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            connections = connections.len(),
            "requests still running at the shutdown deadline: closing their connections"
        );
        connections.shutdown().await;
    }
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
