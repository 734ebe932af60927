//! The security headers of every answer: a Content-Security-Policy (a strict one for the app's HTML,
//! `default-src 'none'` for everything else, which is never a document), the framing policy, and
//! `Strict-Transport-Security` over https.
//!
//! The app's policy allows no inline script or style but those in the `index.html` actually served:
//! Trunk writes an inline `<script type="module">` loader whose text changes with every build, so its
//! hash is computed from the file, at start-up and again whenever the file changes on disk (a deploy
//! replaces dist/ under a running server, and a stale hash would leave a blank page).

use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::SystemTime;

use anyhow::{Context, bail};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

use crate::config::{Config, FrameAncestors};
use crate::state::AppState;

/// The policy of every answer that is not the app's HTML: JSON, assets, errors. None of them is meant
/// to be a document, so if a browser is ever tricked into rendering one, it may load nothing and be
/// framed by no one.
pub const NOT_A_DOCUMENT_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// One year: what browsers' preload lists ask for. No `includeSubDomains`: the console's other hosts
/// are not ours to move to https.
const HSTS: &str = "max-age=31536000";

/// The headers decided once from the configuration, and the app's policy kept in step with index.html.
pub struct SecurityHeaders {
    frame_ancestors: FrameAncestors,
    /// With `--static-dir` only: without it no HTML is served.
    app: Option<AppPolicy>,
}

/// The app's Content-Security-Policy and the state of index.html it was computed from.
struct AppPolicy {
    index: PathBuf,
    current: RwLock<Computed>,
}

struct Computed {
    /// Modification time and length of index.html when it was read: a cheap check for a new build.
    stamp: Option<(SystemTime, u64)>,
    policy: HeaderValue,
}

impl SecurityHeaders {
    /// Reads `<static-dir>/index.html` when there is a static directory: a server that cannot build
    /// the app's policy refuses to start rather than serve a page the browser will block.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let app = match &config.static_dir {
            Some(dir) => {
                let index = dir.join("index.html");
                let stamp = stamp(&index);
                let policy = read_app_policy(&index, &config.frame_ancestors)?;
                Some(AppPolicy {
                    index,
                    current: RwLock::new(Computed { stamp, policy }),
                })
            }
            None => None,
        };
        Ok(Self {
            frame_ancestors: config.frame_ancestors.clone(),
            app,
        })
    }

    /// The app's policy for index.html as it is now on disk; recomputed when the file changed. A file
    /// that cannot be read or hashed mid-deploy keeps the last good policy (and says so in the log).
    fn app_policy(&self, app: &AppPolicy) -> HeaderValue {
        let now = stamp(&app.index);
        {
            let current = app.current.read().unwrap_or_else(|e| e.into_inner());
            if now.is_some() && current.stamp == now {
                return current.policy.clone();
            }
        }
        let mut current = app.current.write().unwrap_or_else(|e| e.into_inner());
        match read_app_policy(&app.index, &self.frame_ancestors) {
            Ok(policy) => {
                current.stamp = now;
                current.policy = policy;
            }
            Err(error) => {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "keeping the previous Content-Security-Policy"
                );
            }
        }
        current.policy.clone()
    }
}

/// Modification time and length of `path`: a cheap check for a new build.
pub(crate) fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.modified().ok()?, metadata.len()))
}

fn read_app_policy(index: &Path, frame_ancestors: &FrameAncestors) -> anyhow::Result<HeaderValue> {
    let html = std::fs::read_to_string(index).with_context(|| {
        format!(
            "cannot read {} to compute the Content-Security-Policy (is --static-dir the output of `trunk build`?)",
            index.display()
        )
    })?;
    let inline = InlineCode::find(&html).with_context(|| format!("in {}", index.display()))?;
    let policy = app_policy(&inline, frame_ancestors);
    HeaderValue::from_str(&policy)
        .context("the Content-Security-Policy is not a valid header value")
}

/// What index.html runs and styles inline, and where it says the API is.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct InlineCode {
    /// The text of each `<script>` without `src`, as the browser hashes it.
    pub scripts: Vec<String>,
    /// The text of each `<style>`.
    pub styles: Vec<String>,
    /// The origin of `<meta name="support-app-api">` when it names another origin.
    pub api_origin: Option<String>,
}

impl InlineCode {
    /// Parses `html` with an HTML tokenizer (script and style are raw text, which a regex gets wrong
    /// around comments and attributes). Refuses what no hash can allow without weakening the policy:
    /// `style="..."` and `on...="..."` attributes.
    pub fn find(html: &str) -> anyhow::Result<Self> {
        use std::cell::RefCell;

        use lol_html::{RewriteStrSettings, element, rewrite_str, text};

        let found = RefCell::new(Self::default());
        let refused = RefCell::new(None::<String>);
        let settings = RewriteStrSettings::new()
            .append_element_content_handler(element!("script:not([src])", |_| {
                found.borrow_mut().scripts.push(String::new());
                Ok(())
            }))
            .append_element_content_handler(text!("script:not([src])", |chunk| {
                if let Some(script) = found.borrow_mut().scripts.last_mut() {
                    script.push_str(chunk.as_str());
                }
                Ok(())
            }))
            .append_element_content_handler(element!("style", |_| {
                found.borrow_mut().styles.push(String::new());
                Ok(())
            }))
            .append_element_content_handler(text!("style", |chunk| {
                if let Some(style) = found.borrow_mut().styles.last_mut() {
                    style.push_str(chunk.as_str());
                }
                Ok(())
            }))
            .append_element_content_handler(element!("meta[name='support-app-api'][content]", |meta| {
                let content = meta.get_attribute("content").unwrap_or_default();
                found.borrow_mut().api_origin = other_origin(&content);
                Ok(())
            }))
            .append_element_content_handler(element!("*", |el| {
                let inline = el.attributes().iter().find(|a| {
                    let name = a.name();
                    name == "style" || name.starts_with("on")
                });
                if let Some(attribute) = inline {
                    refused.borrow_mut().get_or_insert(format!(
                        "<{} {}=...> is inline code the Content-Security-Policy blocks: move it to the CSS or the app",
                        el.tag_name(),
                        attribute.name()
                    ));
                }
                Ok(())
            }));
        rewrite_str(html, settings).context("cannot parse the HTML")?;
        if let Some(refused) = refused.into_inner() {
            bail!(refused);
        }
        Ok(found.into_inner())
    }
}

/// `https://api.example.com` for `https://api.example.com/base/`; `None` for a path on this origin
/// (the default, an empty `content`), which `'self'` already allows.
fn other_origin(api_base: &str) -> Option<String> {
    let url = url::Url::parse(api_base).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.origin().ascii_serialization())
}

/// `'sha256-...'` of an inline script or style, as CSP computes it: over the element's text after the
/// HTML parser has turned every CRLF and CR into LF.
pub fn hash_source(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let digest = Sha256::digest(normalized.as_bytes());
    format!("'sha256-{}'", BASE64.encode(digest))
}

/// The app's policy. `'wasm-unsafe-eval'` lets the loader compile the wasm module and nothing else
/// (no `eval`); `default-src 'self'` covers images, fonts, the wasm fetch and the API on this origin.
pub fn app_policy(inline: &InlineCode, frame_ancestors: &FrameAncestors) -> String {
    let hashes = |texts: &[String]| -> String {
        texts
            .iter()
            .map(|t| format!(" {}", hash_source(t)))
            .collect()
    };
    let api = inline
        .api_origin
        .as_ref()
        .map(|origin| format!(" {origin}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}; style-src 'self'{}; \
         connect-src 'self'{api}; img-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors {frame_ancestors}",
        hashes(&inline.scripts),
        hashes(&inline.styles),
    )
}

/// Whether the request came over https: `--secure-cookies` says the server is only reached that
/// way, `X-Forwarded-Proto: https` that the proxy in front received it so. The session cookie's
/// `Secure` and `Strict-Transport-Security` follow this one decision.
pub fn is_https(config: &Config, headers: &HeaderMap) -> bool {
    config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// Adds the security headers to every answer.
pub async fn add_security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let https = is_https(&state.config, request.headers());
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let security = &state.security;
    let document = match &security.app {
        Some(app) if is_app_document(&path, &response) => Some(app),
        _ => None,
    };
    let (policy, frame_options) = match document {
        Some(app) => (
            security.app_policy(app),
            security.frame_ancestors.x_frame_options(),
        ),
        None => (
            HeaderValue::from_static(NOT_A_DOCUMENT_POLICY),
            Some("DENY"),
        ),
    };
    let headers = response.headers_mut();
    if headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        // A handler's own policy (downloads are `sandbox`) stays; a second header is enforced as well,
        // so the answer is held to both.
        headers.append(header::CONTENT_SECURITY_POLICY, policy);
    } else {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    match frame_options {
        Some(value) => {
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static(value));
        }
        None => {
            headers.remove(header::X_FRAME_OPTIONS);
        }
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

/// The app's HTML: index.html for `/` and the client routes. A 304 carries no type but updates the
/// headers of the page the browser kept, so it must get the page's policy too (files with an
/// extension other than `.html` are never HTML: the SPA fallback answers them with a 404).
fn is_app_document(path: &str, response: &Response) -> bool {
    if path.starts_with(api::API_PREFIX) {
        return false;
    }
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let last = path.rsplit('/').next().unwrap_or("");
    html || (response.status() == StatusCode::NOT_MODIFIED
        && (!last.contains('.') || last.ends_with(".html")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ancestors(s: &str) -> FrameAncestors {
        s.parse().unwrap()
    }

    #[test]
    fn hashes_as_the_browser_does() {
        // `echo -n "alert(1)" | openssl sha256 -binary | base64`
        assert_eq!(
            hash_source("alert(1)"),
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
        assert_eq!(hash_source("a\r\nb\rc"), hash_source("a\nb\nc"));
    }

    #[test]
    fn finds_inline_scripts_and_styles_but_not_external_scripts() {
        let html = r#"<!doctype html><html><head>
            <meta name="support-app-api" content="">
            <script src="/app.js"></script>
            <script type="module">import init from '/app.js'; if (1 < 2) init();</script>
            <style>body { margin: 0; }</style>
            <script></script>
            </head><body><!-- <script>not code</script> --></body></html>"#;

        let found = InlineCode::find(html).unwrap();

        assert_eq!(
            found,
            InlineCode {
                scripts: vec![
                    "import init from '/app.js'; if (1 < 2) init();".into(),
                    String::new()
                ],
                styles: vec!["body { margin: 0; }".into()],
                api_origin: None,
            }
        );
    }

    #[test]
    fn an_api_on_another_origin_may_be_connected_to() {
        let html = r#"<meta name="support-app-api" content="https://api.example.com:8443/v1/">"#;
        let found = InlineCode::find(html).unwrap();
        assert_eq!(
            found.api_origin.as_deref(),
            Some("https://api.example.com:8443")
        );
        let policy = app_policy(&found, &ancestors("'none'"));
        assert!(
            policy.contains("connect-src 'self' https://api.example.com:8443;"),
            "{policy}"
        );

        let same = InlineCode::find(r#"<meta name="support-app-api" content="/api">"#).unwrap();
        assert_eq!(same.api_origin, None);
    }

    #[test]
    fn refuses_inline_attributes_no_hash_can_allow() {
        for html in [
            r#"<body style="margin: 0">"#,
            r#"<button onclick="go()">Go</button>"#,
        ] {
            let error = InlineCode::find(html).unwrap_err();
            assert!(
                format!("{error:#}").contains("Content-Security-Policy"),
                "{html}"
            );
        }
    }

    #[test]
    fn the_app_policy_has_no_unsafe_inline_or_eval() {
        let inline = InlineCode {
            scripts: vec!["alert(1)".into()],
            styles: vec![],
            api_origin: None,
        };
        assert_eq!(
            app_policy(&inline, &ancestors("'self' https://console.example.com")),
            "default-src 'self'; \
             script-src 'self' 'wasm-unsafe-eval' 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='; \
             style-src 'self'; connect-src 'self'; img-src 'self'; object-src 'none'; \
             base-uri 'none'; form-action 'self'; frame-ancestors 'self' https://console.example.com"
        );
    }

    #[test]
    fn frame_ancestors_are_parsed_strictly() {
        assert_eq!(ancestors("'none'").x_frame_options(), Some("DENY"));
        assert_eq!(ancestors("'self'").x_frame_options(), Some("SAMEORIGIN"));
        assert_eq!(
            ancestors("'self'  https://console.example.com").to_string(),
            "'self' https://console.example.com"
        );
        assert_eq!(ancestors("https://*.example.com").x_frame_options(), None);
        for bad in [
            "",
            "'none' 'self'",
            "https://a.example; script-src *",
            "https://a.example, default-src *",
            "'unsafe-inline'",
        ] {
            assert!(bad.parse::<FrameAncestors>().is_err(), "{bad:?}");
        }
    }
}
