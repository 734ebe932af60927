//! What a load balancer asks: `GET /healthz` (live: the process answers) and `GET /readyz` (ready:
//! the database answers with every migration applied, and the instance is not draining for a
//! shutdown). Outside `/api/v1` and its layers (CSRF, concurrency slots, deadlines, request logs): a
//! probe every few seconds needs none of them and would flood the log.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

/// The liveness path.
pub const HEALTHZ: &str = "/healthz";
/// The readiness path.
pub const READYZ: &str = "/readyz";

/// How long readiness waits for the database before answering 503.
const DATABASE_WAIT: Duration = Duration::from_secs(2);

/// Whether this instance is draining: set once a shutdown began, never cleared.
#[derive(Debug, Default)]
pub struct Readiness {
    draining: AtomicBool,
}

impl Readiness {
    /// From now on `/readyz` answers 503 (a shutdown began).
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Whether a shutdown began.
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }
}

/// The two probes, with the state they read.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(HEALTHZ, get(healthz))
        .route(READYZ, get(readyz))
}

/// 200 whenever the process answers.
async fn healthz() -> Response {
    probe(StatusCode::OK, "ok")
}

/// 200 when ready; 503 naming why not: `draining`, `database unavailable` or `migrations pending`.
async fn readyz(State(state): State<AppState>) -> Response {
    if state.readiness.is_draining() {
        return probe(StatusCode::SERVICE_UNAVAILABLE, "draining");
    }
    match tokio::time::timeout(DATABASE_WAIT, state.store.is_migrated()).await {
        Ok(Ok(true)) => probe(StatusCode::OK, "ready"),
        Ok(Ok(false)) => probe(StatusCode::SERVICE_UNAVAILABLE, "migrations pending"),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness: the database did not answer");
            probe(StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => {
            tracing::warn!(wait = ?DATABASE_WAIT, "readiness: the database did not answer in time");
            probe(StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// A short plain-text answer that no cache keeps.
fn probe(status: StatusCode, text: &'static str) -> Response {
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
