//! The built SPA as static files: hashed assets cached for good, `index.html` for the client-side
//! routes, precompressed `.br` files when the browser accepts brotli.
//!
//! The Support page's index.html, to a signed-in browser, also carries what its first screen needs
//! (see [`FirstScreen`]): its heading and lead paragraph are drawn by the page itself, before the wasm
//! has loaded.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use anyhow::Context;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::config::Config;
use crate::error::Error;
use crate::http::extract::session_token;
use crate::http::security::stamp;
use crate::rules::auth;
use crate::state::AppState;

/// `router` with the files of `dir` (Trunk's `dist/`) behind it.
///
/// Client-side routes (`/support/...`) are answered with index.html; the SPA's router takes over.
/// A missing *file* (a path whose last segment has an extension) is a plain 404: answering it with
/// HTML would hide a half-deployed dist/ behind a blank page and an integrity error.
pub fn serve_files(router: Router<AppState>, dir: &Path, state: &AppState) -> Router<AppState> {
    let index = ServeFile::new(dir.join("index.html")).precompressed_br();
    let first_screen = Arc::new(FirstScreen::new(dir, &state.config));
    let state = state.clone();
    let spa_fallback = tower::service_fn(move |request: Request| {
        let index = index.clone();
        let first_screen = first_screen.clone();
        let state = state.clone();
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
            let support_page = is_support_page(&request);
            // The file's state first (a cached stat), the session (a query) only when there is a page to send.
            if support_page
                && let Some(bodies) = first_screen.bodies()
                && signed_in(&state, request.headers()).await
            {
                return Ok(first_screen_page(bodies, request.headers()));
            }
            let mut response = match index.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            }
            .map(Body::new);
            if support_page {
                // The same address is answered with the first screen to a signed-in browser.
                response.headers_mut().insert(
                    header::VARY,
                    HeaderValue::from_static("accept-encoding, cookie"),
                );
            }
            Ok(response)
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

/// The Support page's first screen: the standalone index.html draws the page's heading and lead
/// paragraph while the wasm downloads (their text, once the app runs, is the same), when the server has
/// written what they need into `<script id="support-first-paint">`: the brand and the support
/// tiers' page, from the configuration. Only for a browser with a session: one without is shown the
/// sign-in form, not a page it cannot see. Kept in step with index.html on disk, as the
/// Content-Security-Policy is (a deploy replaces dist/ under a running server).
pub struct FirstScreen {
    index: PathBuf,
    /// The JSON written into the page, the same for every signed-in user.
    data: String,
    current: RwLock<Option<Filled>>,
}

/// What was made of index.html as it was when last read.
struct Filled {
    stamp: (SystemTime, u64),
    /// `None` when that index.html had no place for the data (said once in the log, not per request).
    bodies: Option<Bodies>,
}

/// index.html with the first screen's data, as sent and brotli-compressed (cheap to clone).
#[derive(Clone)]
struct Bodies {
    html: Bytes,
    br: Bytes,
}

impl FirstScreen {
    fn new(dir: &Path, config: &Config) -> Self {
        let data = serde_json::json!({
            "brand": config.brand,
            "supportServices": config.support_services_url,
        });
        Self {
            index: dir.join("index.html"),
            // Inside a <script> element nothing may read as `</script>`: JSON lets `<` be escaped.
            data: data.to_string().replace('<', "\\u003c"),
            current: RwLock::new(None),
        }
    }

    /// index.html with the data, or `None` when it cannot be read or has no place for the data (then the
    /// plain file is served, and the app draws the screen itself).
    fn bodies(&self) -> Option<Bodies> {
        let now = stamp(&self.index)?;
        {
            let current = self.current.read().unwrap_or_else(|e| e.into_inner());
            if let Some(filled) = current.as_ref().filter(|f| f.stamp == now) {
                return filled.bodies.clone();
            }
        }
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        let bodies = self
            .fill()
            .inspect_err(|error| {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "serving index.html without the Support page's first screen"
                );
            })
            .ok();
        *current = Some(Filled {
            stamp: now,
            bodies: bodies.clone(),
        });
        bodies
    }

    fn fill(&self) -> anyhow::Result<Bodies> {
        let html = std::fs::read_to_string(&self.index)
            .with_context(|| format!("cannot read {}", self.index.display()))?;
        let html = fill_first_screen(&html, &self.data)?;
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut html.as_bytes(), &mut br, &params)
            .context("compressing index.html")?;
        Ok(Bodies {
            html: Bytes::from(html),
            br: Bytes::from(br),
        })
    }
}

/// The first screen's page as `headers`' browser takes it.
fn first_screen_page(bodies: Bodies, headers: &HeaderMap) -> Response {
    let brotli = accepts_brotli(headers);
    let mut response = Response::new(Body::from(if brotli { bodies.br } else { bodies.html }));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if brotli {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
    }
    headers.insert(
        header::VARY,
        HeaderValue::from_static("accept-encoding, cookie"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    response
}

/// Whether the browser takes brotli (`br`, not refused with `q=0`).
fn accepts_brotli(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            parts.next() == Some("br")
                && !parts.any(|p| {
                    p.strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                        .is_some_and(|q| q == 0.0)
                })
        })
}

/// `html` with `data` as the text of its `<script id="support-first-paint">`; an error when there
/// is no such element (an index.html of another build).
pub fn fill_first_screen(html: &str, data: &str) -> anyhow::Result<String> {
    use std::cell::Cell;

    use lol_html::html_content::ContentType;
    use lol_html::{RewriteStrSettings, element, rewrite_str};

    let found = Cell::new(false);
    let settings = RewriteStrSettings::new().append_element_content_handler(element!(
        "script#support-first-paint",
        |el| {
            el.set_inner_content(data, ContentType::Html);
            found.set(true);
            Ok(())
        }
    ));
    let filled = rewrite_str(html, settings).context("rewriting index.html")?;
    anyhow::ensure!(
        found.get(),
        "index.html has no <script id=\"support-first-paint\">"
    );
    Ok(filled)
}

/// A page load of the standalone Support page (the base of index.html's routes).
fn is_support_page(request: &Request) -> bool {
    matches!(*request.method(), Method::GET | Method::HEAD)
        && matches!(request.uri().path(), "/support" | "/support/")
}

/// Whether `headers` carry the cookie of a live session (a token is not sent with a page load).
async fn signed_in(state: &AppState, headers: &HeaderMap) -> bool {
    match session_token(headers, state.config.session_cookie_name()) {
        Ok(Some(token)) => auth::current_user(&state.store, &token).await.is_ok(),
        _ => false,
    }
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
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::{accepts_brotli, fill_first_screen, is_hashed_asset};

    #[test]
    fn brotli_is_sent_only_where_the_browser_takes_it() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
            accepts_brotli(&headers)
        };
        assert!(with("gzip, deflate, br, zstd"));
        assert!(with("br;q=0.5, gzip"));
        assert!(!with("gzip, deflate"));
        assert!(!with("br;q=0, gzip"));
        assert!(!with("brotli"));
        assert!(!accepts_brotli(&HeaderMap::new()));
    }

    #[test]
    fn writes_the_first_screen_data_into_its_script_as_trunk_writes_it() {
        // As the source has it, and as Trunk's minifier writes it (attributes reordered, unquoted).
        for script in [
            r#"<script type="application/json" id="support-first-paint">null</script>"#,
            r#"<script id=support-first-paint type=application/json>null</script>"#,
        ] {
            let html =
                format!("<!doctype html><title>Support</title>{script}<script>draw()</script>");
            let filled = fill_first_screen(&html, r#"{"brand":"Acme"}"#).unwrap();
            assert!(
                filled.contains(r#">{"brand":"Acme"}</script><script>draw()</script>"#),
                "{filled}"
            );
            assert!(!filled.contains(">null<"), "{filled}");
        }
    }

    #[test]
    fn an_index_without_the_first_screen_script_is_refused() {
        // An index.html of an older build: served as it is, without the first screen.
        let html =
            r#"<!doctype html><script type="application/json" id="support-chunks">{}</script>"#;
        assert!(fill_first_screen(html, "{}").is_err());
    }

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
