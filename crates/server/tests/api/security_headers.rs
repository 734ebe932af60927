//! Content-Security-Policy, framing and HSTS: the app's HTML allows its own inline loader and nothing
//! else inline; everything else is not a document; https answers pin https.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::StatusCode;
use reqwest::header::{IF_MODIFIED_SINCE, LAST_MODIFIED};
use sha2::{Digest, Sha256};
use support_server::{AppState, Config};
use tempfile::TempDir;

use crate::helpers::{TestApp, spawn_app_with, test_config};

/// What Trunk 0.21 writes: an inline module that loads the wasm, plus our inline `<style>`.
const LOADER: &str = "\nimport init, * as bindings from '/support-console-0123456789abcdef.js';\nconst wasm = await init({ module_or_path: '/support-console-0123456789abcdef_bg.wasm' });\nwindow.wasmBindings = bindings;\n";
const MOUNT: &str = "mountSupportApp(document.body);";
const STYLE: &str = "body { margin: 0; }";

const NOT_A_DOCUMENT: &str = "default-src 'none'; frame-ancestors 'none'";

fn index_html() -> String {
    format!(
        "<!doctype html><html><head><title>Support</title>\
         <meta name=\"support-app-api\" content=\"\" />\
         <link rel=\"modulepreload\" href=\"/support-console-0123456789abcdef.js\" />\
         <script type=\"module\">{LOADER}</script>\
         <style>{STYLE}</style></head>\
         <body><script type=\"module\">{MOUNT}</script></body></html>"
    )
}

/// `'sha256-...'` computed here, independently of the server.
fn hash(text: &str) -> String {
    format!(
        "'sha256-{}'",
        BASE64.encode(Sha256::digest(text.as_bytes()))
    )
}

fn write_dist(html: &str) -> TempDir {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), html).unwrap();
    std::fs::write(
        dist.path().join("support-console-0123456789abcdef.js"),
        "export default function init() {}",
    )
    .unwrap();
    dist
}

/// A server with a built SPA whose index.html is `html`, configured further by `configure`.
async fn spawn_with_index(html: &str, configure: impl FnOnce(&mut Config)) -> (TestApp, TempDir) {
    let dist = write_dist(html);
    let static_dir = dist.path().to_owned();
    let app = spawn_app_with(move |config| {
        config.static_dir = Some(static_dir);
        configure(config);
    })
    .await;
    (app, dist)
}

fn csp(response: &reqwest::Response) -> String {
    response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned()
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn the_app_html_gets_a_strict_policy_with_the_hashes_of_its_inline_code() {
    let (app, _dist) = spawn_with_index(&index_html(), |_| {}).await;
    let expected = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {} {}; style-src 'self' {}; \
         connect-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'",
        hash(LOADER),
        hash(MOUNT),
        hash(STYLE)
    );

    for path in ["/", "/support", "/support/tickets/42"] {
        let response = app.client().get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(csp(&response), expected, "{path}");
        assert_eq!(
            header(&response, "x-frame-options").as_deref(),
            Some("DENY")
        );
        assert_eq!(
            header(&response, "strict-transport-security"),
            None,
            "plain http"
        );
        let policy = csp(&response);
        assert!(!policy.contains("unsafe-inline") && !policy.contains("'unsafe-eval'"));
    }
}

#[tokio::test]
async fn a_revalidated_page_keeps_its_policy() {
    let (app, _dist) = spawn_with_index(&index_html(), |_| {}).await;
    let client = app.client();
    let first = client.get(app.url("/")).send().await.unwrap();
    let last_modified = header(&first, LAST_MODIFIED.as_str()).expect("Last-Modified");

    // A 304's headers replace those of the page the browser kept: a `default-src 'none'` here would
    // blank the page on its next load.
    let again = client
        .get(app.url("/support/tickets"))
        .header(IF_MODIFIED_SINCE, last_modified)
        .send()
        .await
        .unwrap();

    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(csp(&again), csp(&first));
}

#[tokio::test]
async fn a_new_index_html_gets_a_new_policy_without_a_restart() {
    let (app, dist) = spawn_with_index(&index_html(), |_| {}).await;
    let before = csp(&app.client().get(app.url("/")).send().await.unwrap());
    assert!(before.contains(&hash(LOADER)), "{before}");

    // A deploy: the next build's loader names other files.
    let next_loader = "import init from '/support-console-fedcba9876543210.js'; await init();";
    std::fs::write(
        dist.path().join("index.html"),
        format!("<!doctype html><script type=\"module\">{next_loader}</script>"),
    )
    .unwrap();
    let after = csp(&app.client().get(app.url("/")).send().await.unwrap());

    assert!(after.contains(&hash(next_loader)), "{after}");
    assert!(!after.contains(&hash(LOADER)), "{after}");
}

#[tokio::test]
async fn answers_that_are_not_the_app_are_not_documents() {
    let (app, _dist) = spawn_with_index(&index_html(), |_| {}).await;
    let client = app.client();

    let asset = client
        .get(app.url("/support-console-0123456789abcdef.js"))
        .send()
        .await
        .unwrap();
    let missing = client.get(app.url("/nope.js")).send().await.unwrap();
    let api_404 = client.get(app.url("/api/v1/")).send().await.unwrap();
    let signed_out = app.anonymous().get_me().await;
    let admin = app.sign_in("admin@acme.example").await;
    let products = admin.get("/products").await;

    for (what, response) in [
        ("asset", asset),
        ("missing file", missing),
        ("unknown API path", api_404),
        ("401", signed_out),
        ("JSON", products),
    ] {
        assert_eq!(csp(&response), NOT_A_DOCUMENT, "{what}");
        assert_eq!(
            header(&response, "x-frame-options").as_deref(),
            Some("DENY"),
            "{what}"
        );
    }
}

#[tokio::test]
async fn without_a_static_dir_nothing_is_a_document() {
    let app = spawn_app_with(|_| {}).await;
    let page = app.client().get(app.url("/")).send().await.unwrap();
    let me = app.anonymous().get_me().await;
    assert_eq!(csp(&page), NOT_A_DOCUMENT);
    assert_eq!(csp(&me), NOT_A_DOCUMENT);
}

#[tokio::test]
async fn frame_ancestors_come_from_the_configuration() {
    for (setting, x_frame_options) in [
        ("'self'", Some("SAMEORIGIN")),
        // No `ALLOW-FROM`: browsers that know CSP follow frame-ancestors instead.
        ("'self' https://console.example.com", None),
    ] {
        let (app, _dist) = spawn_with_index(&index_html(), |config| {
            config.frame_ancestors = setting.parse().unwrap();
        })
        .await;
        let page = app.client().get(app.url("/support")).send().await.unwrap();
        let policy = csp(&page);
        assert!(
            policy.ends_with(&format!("; frame-ancestors {setting}")),
            "{policy}"
        );
        assert_eq!(
            header(&page, "x-frame-options").as_deref(),
            x_frame_options,
            "{setting}"
        );

        // The API is never framed, whatever the app allows.
        let me = app.anonymous().get_me().await;
        assert_eq!(csp(&me), NOT_A_DOCUMENT);
        assert_eq!(header(&me, "x-frame-options").as_deref(), Some("DENY"));
    }
}

#[tokio::test]
async fn hsts_only_over_https() {
    let (app, _dist) = spawn_with_index(&index_html(), |_| {}).await;
    let client = app.client();

    let plain = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(header(&plain, "strict-transport-security"), None);

    for path in ["/", "/api/v1/products"] {
        let proxied = client
            .get(app.url(path))
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap();
        assert_eq!(
            header(&proxied, "strict-transport-security").as_deref(),
            Some("max-age=31536000"),
            "{path}"
        );
    }

    let (secure, _dist) = spawn_with_index(&index_html(), |config| {
        config.secure_cookies = true;
    })
    .await;
    let page = secure.client().get(secure.url("/")).send().await.unwrap();
    assert_eq!(
        header(&page, "strict-transport-security").as_deref(),
        Some("max-age=31536000")
    );
}

#[tokio::test]
async fn a_static_dir_without_index_html_refuses_to_start() {
    let data = tempfile::tempdir().unwrap();
    let empty_dist = tempfile::tempdir().unwrap();
    let mut config = test_config(data.path());
    config.static_dir = Some(empty_dist.path().to_owned());

    let error = AppState::new(config)
        .await
        .err()
        .expect("no index.html, no server");

    let message = format!("{error:#}");
    assert!(
        message.contains("index.html") && message.contains("Content-Security-Policy"),
        "{message}"
    );
}

#[tokio::test]
async fn inline_style_attributes_in_index_html_refuse_to_start() {
    let data = tempfile::tempdir().unwrap();
    let dist = write_dist("<!doctype html><body style=\"margin: 0\"></body>");
    let mut config = test_config(data.path());
    config.static_dir = Some(dist.path().to_owned());

    let error = AppState::new(config).await.err().expect("refused");

    assert!(format!("{error:#}").contains("style="), "{error:#}");
}

#[test]
fn frame_ancestors_that_would_inject_directives_are_refused() {
    use clap::Parser as _;
    let parsed = support_server::Cli::try_parse_from([
        "support-server",
        "--frame-ancestors",
        "https://console.example.com; script-src *",
    ]);
    assert!(parsed.is_err());
}
