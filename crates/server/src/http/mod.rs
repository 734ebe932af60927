//! The HTTP layer: one module per resource, each with a `router()` of thin handlers (extract, call
//! the rules or the store, respond), merged here under `/api/v1` with what every answer shares (the
//! CSRF check, the JSON 404 and 405, `Cache-Control`, security headers, request logs), and the built
//! SPA behind it.

pub mod attachments;
pub mod auth;
pub mod conversation;
pub mod csrf;
pub mod etag;
pub mod extract;
pub mod idempotency;
pub mod organizations;
pub mod security;
pub mod spa;
pub mod support;
pub mod tickets;
pub mod upgrades;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::Error;
use crate::state::AppState;

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(auth::router())
        .merge(support::router())
        .merge(organizations::router())
        .merge(upgrades::router())
        .merge(tickets::router())
        .merge(conversation::router())
        .merge(attachments::router())
        .fallback(|| async { Error::NotFound })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(middleware::from_fn(csrf::require_csrf_header))
        // Handlers may be stricter (downloads add `private`); every other answer is never stored.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    let mut router = Router::new().nest(api::API_PREFIX, api);
    if let Some(dir) = &state.config.static_dir {
        router = spa::serve_files(router, dir);
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
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::add_security_headers,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}
