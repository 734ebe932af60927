//! The HTTP layer: one module per resource, each with a `router()` of thin handlers (extract, call
//! the rules or the store, respond), merged here under `/api/v1` with what every answer shares (the
//! CSRF check, the JSON 404 and 405, the JSON 500 for a handler that panics, `Cache-Control`,
//! security headers, CORS for the configured origins, request logs), and the built SPA behind it.
//! Beside them, outside every layer, the load balancer's `/healthz` and `/readyz` ([`health`]).

pub mod attachments;
pub mod auth;
pub mod conversation;
pub mod csrf;
pub mod deadline;
pub mod etag;
pub mod extract;
pub mod health;
pub mod idempotency;
pub mod inbound_mail;
pub mod openapi;
pub mod organizations;
pub mod security;
pub mod spa;
pub mod support;
pub mod tickets;
pub mod upgrades;

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::MatchedPath;
use axum::handler::Handler;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowCredentials, AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::CorsOrigin;
use crate::error::Error;
use crate::state::AppState;

/// How long a browser may reuse a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// CORS for an app served from another origin (the console): only the listed origins, with
/// credentials (the shared-cookie mode needs them), the request headers the SPA sends and the
/// response headers it reads.
fn cors(origins: &[CorsOrigin]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .map(|origin| {
            HeaderValue::from_str(origin.as_str())
                .expect("CorsOrigin is checked to be a header value")
        })
        .collect();
    let listed = origins.clone();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        // Only for listed origins: tower-http would otherwise send it to any `Origin`, and an unlisted
        // one gets no CORS header at all.
        .allow_credentials(AllowCredentials::predicate(move |origin, _| {
            listed.contains(origin)
        }))
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::DELETE,
        ])
        .allow_headers([
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::AUTHORIZATION,
            header::IF_NONE_MATCH,
            HeaderName::from_static(api::CSRF_HEADER),
            HeaderName::from_static(api::idempotency::IDEMPOTENCY_HEADER),
        ])
        .expose_headers([
            header::ETAG,
            header::RETRY_AFTER,
            HeaderName::from_static(idempotency::REPLAYED_HEADER),
        ])
        .max_age(PREFLIGHT_MAX_AGE)
}

/// What a panicking handler answers: the API's JSON 500 body, the panic's message in the log only
/// (as for every internal error), never stored (the layer sits outside the API's `no-store`).
fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    let mut response =
        Error::Internal(anyhow::anyhow!("a handler panicked: {message}")).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// One operation of the API: a method and a path under [`api::API_PREFIX`] with its handler. The
/// router is built from [`api_routes`], and a test checks the OpenAPI document against the same list,
/// so an operation cannot be served without being documented.
pub struct Route {
    /// The HTTP method.
    pub method: Method,
    /// The path under `/api/v1`, in axum's syntax (`/tickets/{ticket_id}`), which is OpenAPI's too.
    pub path: &'static str,
    handler: MethodRouter<AppState>,
    /// Whether the CSRF header is required (see [`Route::without_csrf`]).
    csrf: bool,
    /// Set for a large body (see [`Route::upload`]): what it is, for the 408's message.
    upload: Option<deadline::BodyKind>,
}

impl Route {
    /// `handler` for `method` on `path`.
    pub fn new<H, T>(method: Method, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone())
            .expect("routes use the standard methods, which have a MethodFilter");
        Self {
            method,
            path,
            handler: on(filter, handler),
            csrf: true,
            upload: None,
        }
    }

    /// The route takes a large body, `kind`, streamed rather than buffered: `--upload-timeout-secs`
    /// instead of `--request-timeout-secs`, and a slot of `--max-concurrent-uploads` from its first
    /// byte instead of one of `--max-concurrent-requests` once its body is buffered (the route sets
    /// its own body limit, with [`Route::layer`] or in its handler).
    pub fn upload(mut self, kind: deadline::BodyKind) -> Self {
        self.upload = Some(kind);
        self
    }

    /// The same route outside the CSRF check and the API's `no-store` default: for a caller that is
    /// not a browser and authenticates with its own credential, never a cookie (the inbound-mail
    /// webhook). The handler sets its own caching headers.
    pub fn without_csrf(mut self) -> Self {
        self.csrf = false;
        self
    }

    /// The same route with `layer` around its handler (e.g. a larger body limit for uploads).
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<axum::routing::Route> + Clone + Send + Sync + 'static,
        L::Service: tower::Service<axum::extract::Request> + Clone + Send + Sync + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Response:
            axum::response::IntoResponse + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Error:
            Into<std::convert::Infallible> + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Future: Send + 'static,
    {
        self.handler = self.handler.layer(layer);
        self
    }
}

/// Every operation of the API, one module per resource: the one list the router and the OpenAPI
/// route-coverage test read.
pub fn api_routes() -> Vec<Route> {
    [
        auth::routes(),
        support::routes(),
        organizations::routes(),
        upgrades::routes(),
        tickets::routes(),
        conversation::routes(),
        attachments::routes(),
        inbound_mail::routes(),
        openapi::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    router_with(state, api_routes())
}

/// The HTTP surface serving `routes` instead of [`api_routes`], with everything else [`router`]
/// adds: for tests that need an operation the API does not have (a handler that panics).
pub fn router_with(state: AppState, routes: Vec<Route>) -> Router {
    // `Router::route` on a path it already has adds the other methods to it.
    let (browser, own_credentials): (Vec<Route>, Vec<Route>) =
        routes.into_iter().partition(|route| route.csrf);
    let config = &state.config;
    let request_timeout = Duration::from_secs(config.request_timeout_secs);
    let upload_timeout = Duration::from_secs(config.upload_timeout_secs);
    // Two pools of slots: uploads and inbound mail hold theirs while their bodies stream in, JSON
    // requests only once their bodies are buffered (see `deadline`).
    let request_slots = Arc::new(Semaphore::new(config.max_concurrent_requests as usize));
    let upload_slots = Arc::new(Semaphore::new(config.max_concurrent_uploads as usize));
    // Each route with its deadline, which covers reading the body (a trickled body ends with it) and
    // the wait for a slot, inside it.
    let add = |router: Router<AppState>, route: Route| {
        let (deadline, kind, handler) = match route.upload {
            Some(kind) => {
                let slots = upload_slots.clone();
                let handler = route.handler.layer(middleware::from_fn(
                    move |request: axum::extract::Request, next: middleware::Next| {
                        deadline::with_slot(slots.clone(), request, next)
                    },
                ));
                (upload_timeout, kind, handler)
            }
            None => {
                let slots = request_slots.clone();
                let handler = route.handler.layer(middleware::from_fn(
                    move |request: axum::extract::Request, next: middleware::Next| {
                        deadline::with_body_then_slot(slots.clone(), request, next)
                    },
                ));
                (request_timeout, deadline::BodyKind::Request, handler)
            }
        };
        let handler = handler.layer(middleware::from_fn(
            move |request: axum::extract::Request, next: middleware::Next| {
                deadline::with_deadline(deadline, kind, request, next)
            },
        ));
        router.route(route.path, handler)
    };
    let api = browser
        .into_iter()
        .fold(Router::new(), add)
        .fallback(|| async { Error::NotFound })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(middleware::from_fn(csrf::require_csrf_header))
        // Stated, not axum's implicit default (the same 2 MB); upload routes raise it for themselves.
        .layer(DefaultBodyLimit::max(extract::JSON_BODY_LIMIT))
        // Handlers may be stricter (downloads add `private`); every other answer is never stored.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // After the layers: these authenticate with their own secret, not a cookie, so no CSRF header.
        .merge(own_credentials.into_iter().fold(Router::new(), add));

    let mut router = Router::new().nest(api::API_PREFIX, api);
    if let Some(dir) = &state.config.static_dir {
        router = spa::serve_files(router, dir, &state);
    }
    router = router
        // Inside the header layers, so the 500 still gets them; around the handlers, the CSRF check
        // and the static files, so a panic in any of them answers instead of dropping the connection.
        .layer(CatchPanicLayer::custom(panic_response))
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
        ));
    // Outside everything else, so a preflight is answered before the CSRF check or a handler sees
    // it; with no origin configured, no CORS header at all.
    if !state.config.cors_origins.is_empty() {
        router = router.layer(cors(&state.config.cors_origins));
    }
    let router = router.layer(
        TraceLayer::new_for_http()
            .make_span_with(request_span)
            .on_response(DefaultOnResponse::new().level(Level::INFO)),
    );
    // The balancer's probes, beside the layered app so that no layer wraps them; merged into them
    // (not the other way round) so the app's fallback, with its layers, stays the fallback.
    health::router().merge(router).with_state(state)
}

/// The span of one request at info level: its method and route template
/// (`/api/v1/organizations/{org_id}/tickets/{ticket_id}/cc/{email}`), never the URI as sent: the query
/// holds search text and paths hold CC addresses, personal data that an info-level log must not keep.
/// A request no route matched (the app's pages, unknown paths) shows its path without the query.
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let method = request.method();
    match request.extensions().get::<MatchedPath>() {
        Some(route) => tracing::info_span!("request", %method, route = route.as_str()),
        None => tracing::info_span!("request", %method, path = request.uri().path()),
    }
}
