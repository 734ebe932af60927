//! The built SPA as static files: hashed assets cached for good, `index.html` for the client-side
//! routes, precompressed `.br` files when the browser accepts brotli.

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::Error;
use crate::state::AppState;

/// `router` with the files of `dir` (Trunk's `dist/`) behind it.
///
/// Client-side routes (`/support/...`) are answered with index.html; the SPA's router takes over.
/// A missing *file* (a path whose last segment has an extension) is a plain 404: answering it with
/// HTML would hide a half-deployed dist/ behind a blank page and an integrity error.
pub fn serve_files(router: Router<AppState>, dir: &Path) -> Router<AppState> {
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
    router
        .fallback_service(spa)
        .layer(middleware::from_fn(static_cache_headers))
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
    // Only a file: a client route such as `/support/tickets/1234567890123456` is answered with index.html,
    // which must never be cached for good.
    if !looks_like_file(path) {
        return false;
    }
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    // wasm-bindgen names the module after the JS with `_bg`: `support-console-<hash>_bg.wasm`.
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit('-')
        .next()
        .is_some_and(|hash| hash.len() >= 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn recognises_trunk_hashed_assets() {
        assert!(is_hashed_asset("/support-console-4f2a9c0e1b3d5a7f.js"));
        assert!(is_hashed_asset("/support-console-4f2a9c0e1b3d5a7f_bg.wasm"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        // The wasm chunks, named by scripts/wasm-split.sh.
        assert!(is_hashed_asset(
            "/split_tickets_chunk-0123456789abcdef.wasm"
        ));
        assert!(is_hashed_asset("/chunk_12-0123456789abcdef.wasm"));
        assert!(!is_hashed_asset("/chunk_12.wasm"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/support/tickets"));
        assert!(!is_hashed_asset("/support/tickets/1234567890123456"));
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
