//! The HTTP surface shared by every endpoint: JSON error bodies, caching, and serving the built SPA.

use api::ErrorCode;
use reqwest::header::{ACCEPT_ENCODING, ALLOW, CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use tempfile::TempDir;

use support_server::http::{Route, api_routes};

use crate::helpers::{
    PASSWORD, Session, TestApp, cache_control, expect_error, header, spawn_app, spawn_app_serving,
    spawn_app_with,
};

/// A JSON body cut off in the middle.
const TRUNCATED_JSON: &str = r#"{"email": "#;

#[tokio::test]
async fn malformed_json_is_a_json_error() {
    let app = spawn_app().await;

    let response = app
        .anonymous()
        .post_session_body(Some("application/json"), TRUNCATED_JSON)
        .await;

    let body = expect_error(
        response,
        StatusCode::BAD_REQUEST,
        ErrorCode::MalformedRequest,
    )
    .await;
    assert!(
        body.message.starts_with("The request could not be read"),
        "{}",
        body.message
    );
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_json_error() {
    let app = spawn_app().await;
    let browser = app.anonymous();

    for body in [
        r#"{"email": 1, "password": "x"}"#,
        r#"{"email": "admin@acme.example"}"#,
        r#""admin@acme.example""#,
        "null",
    ] {
        let response = browser
            .post_session_body(Some("application/json"), body)
            .await;
        let error = expect_error(
            response,
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedRequest,
        )
        .await;
        assert!(error.fields.is_empty(), "{body}");
    }
}

#[tokio::test]
async fn a_body_that_is_not_declared_json_is_a_json_error() {
    let app = spawn_app().await;
    let json = r#"{"email": "admin@acme.example", "password": "support-demo"}"#;

    for content_type in [None, Some("text/plain")] {
        let response = app.anonymous().post_session_body(content_type, json).await;
        // Its real status since issue 12 (it was a 400 like every other rejection).
        let body = expect_error(
            response,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
        )
        .await;
        assert!(
            body.message.contains("application/json"),
            "{}",
            body.message
        );
    }
}

/// A handler with a bug: the API has none like it, the test adds it.
async fn panicking_handler() -> &'static str {
    panic!("a bug in a handler (the test's own route)")
}

#[tokio::test]
async fn a_panicking_handler_answers_the_json_500_and_the_server_keeps_serving() {
    let mut routes = api_routes();
    routes.push(Route::new(Method::GET, "/test-panic", panicking_handler));
    routes.push(Route::new(Method::POST, "/test-panic", panicking_handler));
    let app = spawn_app_serving(routes).await;
    let browser = app.anonymous();

    for method in [Method::GET, Method::POST] {
        let response = browser.request(method.clone(), "/test-panic").await;
        // The headers every answer gets are still there.
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        assert_eq!(cache_control(&response), "no-store", "{method}");
        let body = expect_error(
            response,
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
        )
        .await;
        assert!(
            !body.message.contains("panic") && !body.message.contains("bug"),
            "the panic's message stays in the log: {}",
            body.message
        );
    }
    // The server and the rest of the API still answer.
    let me = browser.get_me().await;
    expect_error(me, StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated).await;
}

#[tokio::test]
async fn an_unknown_api_path_is_a_json_404() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;

    for path in [
        "/nope",
        "/organizations",
        "/organizations/1/nope",
        "/me/extra",
    ] {
        let response = admin.get(path).await;
        assert_eq!(cache_control(&response), "no-store", "{path}");
        expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    }
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;

    for (method, path) in [
        (Method::GET, "/session"),
        (Method::PUT, "/session"),
        (Method::POST, "/me"),
        (Method::DELETE, "/products"),
        (Method::PATCH, "/organizations/1/support"),
    ] {
        let response = admin.request(method.clone(), path).await;
        assert_eq!(cache_control(&response), "no-store", "{method} {path}");
        assert!(
            response.headers().contains_key(ALLOW),
            "{method} {path}: Allow lists what is accepted"
        );
        expect_error(
            response,
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowed,
        )
        .await;
    }
}

#[tokio::test]
async fn api_responses_are_never_cached() {
    let app = spawn_app().await;
    let browser = app.anonymous();

    let sign_in = browser.post_session("admin@acme.example", PASSWORD).await;
    assert_eq!(sign_in.status(), StatusCode::OK);
    assert_eq!(cache_control(&sign_in), "no-store");

    for path in ["/me", "/products", "/support/tiers"] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(cache_control(&response), "no-store", "{path}");
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{path}"
        );
    }

    let signed_out = app.anonymous().get_me().await;
    assert_eq!(cache_control(&signed_out), "no-store", "errors too");
}

const INDEX_HTML: &str =
    "<!doctype html><title>Support</title><script src=\"/app-0123456789abcdef.js\"></script>";
const APP_JS: &str = "console.log('support console');";
const APP_JS_BR: &[u8] = b"\x0b\x0f\x80pretend-brotli\x03";
const HASHED_JS: &str = "/app-0123456789abcdef.js";

/// A server that also serves a built SPA from a temporary directory, which it returns to keep alive.
async fn spawn_app_with_spa() -> (TestApp, TempDir) {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), INDEX_HTML).unwrap();
    std::fs::write(dist.path().join("app-0123456789abcdef.js"), APP_JS).unwrap();
    std::fs::write(dist.path().join("app-0123456789abcdef.js.br"), APP_JS_BR).unwrap();
    let static_dir = dist.path().to_owned();
    let app = spawn_app_with(move |config| config.static_dir = Some(static_dir)).await;
    (app, dist)
}

#[tokio::test]
async fn client_routes_get_index_html_revalidated_every_time() {
    let (app, _dist) = spawn_app_with_spa().await;
    let client = app.client();

    for path in ["/", "/support", "/support/tickets", "/support/tickets/42"] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(cache_control(&response), "no-cache", "{path}");
        let content_type = response.headers()[CONTENT_TYPE].to_str().unwrap();
        assert!(
            content_type.starts_with("text/html"),
            "{path}: {content_type}"
        );
        assert_eq!(response.text().await.unwrap(), INDEX_HTML, "{path}");
    }
}

#[tokio::test]
async fn hashed_assets_are_cached_for_good() {
    let (app, _dist) = spawn_app_with_spa().await;

    let response = app.client().get(app.url(HASHED_JS)).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        cache_control(&response),
        "public, max-age=31536000, immutable"
    );
    assert!(response.headers().get(CONTENT_ENCODING).is_none());
    let content_type = response.headers()[CONTENT_TYPE].to_str().unwrap();
    assert!(content_type.contains("javascript"), "{content_type}");
    assert_eq!(response.text().await.unwrap(), APP_JS);
}

#[tokio::test]
async fn brotli_is_served_to_clients_that_accept_it() {
    let (app, _dist) = spawn_app_with_spa().await;

    let response = app
        .client()
        .get(app.url(HASHED_JS))
        .header(ACCEPT_ENCODING, "gzip, br")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_ENCODING], "br");
    let content_type = response.headers()[CONTENT_TYPE].to_str().unwrap();
    assert!(
        content_type.contains("javascript"),
        "the type of the original: {content_type}"
    );
    assert_eq!(
        cache_control(&response),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), APP_JS_BR);
}

#[tokio::test]
async fn a_missing_hashed_asset_is_not_cached_for_good() {
    let (app, _dist) = spawn_app_with_spa().await;

    // What a browser still holding the previous index.html asks for during a deploy.
    let response = app
        .client()
        .get(app.url("/app-fedcba9876543210.js"))
        .send()
        .await
        .unwrap();

    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "a missing file is not a client route"
    );
    let cache = cache_control(&response);
    assert!(
        !cache.contains("immutable") && !cache.contains("max-age=31536000"),
        "the SPA fallback must not be stored under an asset URL: {cache:?}"
    );
}

#[tokio::test]
async fn the_api_keeps_its_json_answers_beside_the_spa() {
    let (app, _dist) = spawn_app_with_spa().await;
    let client = app.client();

    let slash = client.get(app.url("/api/v1/")).send().await.unwrap();
    expect_error(slash, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;

    let browser = app.anonymous();
    let unknown = browser.get("/nope").await;
    assert_eq!(cache_control(&unknown), "no-store");
    expect_error(unknown, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;

    let me = browser.get_me().await;
    assert_eq!(cache_control(&me), "no-store");
    expect_error(me, StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated).await;

    let admin = app.sign_in("admin@acme.example").await;
    let products = admin.get("/products").await;
    assert_eq!(products.status(), StatusCode::OK);
    assert_eq!(cache_control(&products), "no-store");
}

/// An index.html with the Support page's first screen (what index.html's own script draws is not the
/// server's business: it only writes the data).
const FIRST_SCREEN_INDEX: &str = r#"<!doctype html><title>Support</title><script type="application/json" id="support-first-paint">null</script><script>draw()</script>"#;

/// The data the server wrote into `page`, parsed; `Null` when it wrote none.
fn first_screen_data(page: &str) -> serde_json::Value {
    const OPEN: &str = r#"id="support-first-paint">"#;
    let start = page.find(OPEN).expect("the first screen's script") + OPEN.len();
    let end = start + page[start..].find("</script>").expect("its end");
    let data = &page[start..end];
    assert!(
        !data.contains('<'),
        "nothing in it may close the script: {data}"
    );
    serde_json::from_str(data).expect("JSON")
}

#[tokio::test]
async fn the_support_page_carries_its_first_screen_to_a_signed_in_browser_only() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), FIRST_SCREEN_INDEX).unwrap();
    let static_dir = dist.path().to_owned();
    // A brand that would end the script if it were written as it is.
    let brand = "Acme </script><script>alert(1)</script>";
    let app = spawn_app_with(move |config| {
        config.static_dir = Some(static_dir);
        config.brand = brand.to_owned();
    })
    .await;
    let browser = app.client();
    let page = |path: &'static str| {
        let browser = browser.clone();
        let url = app.url(path);
        async move { browser.get(url).send().await.unwrap() }
    };

    let signed_out = page("/support").await;
    assert_eq!(cache_control(&signed_out), "no-cache");
    assert!(
        header(&signed_out, "vary").contains("cookie"),
        "the same URL answers by cookie"
    );
    assert_eq!(
        first_screen_data(&signed_out.text().await.unwrap()),
        serde_json::Value::Null
    );

    let session = Session::new(browser.clone(), app.api(""));
    assert_eq!(
        session
            .post_session("admin@acme.example", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    for path in ["/support", "/support/"] {
        let signed_in = page(path).await;
        assert_eq!(signed_in.status(), StatusCode::OK, "{path}");
        assert_eq!(cache_control(&signed_in), "private, no-cache", "{path}");
        assert!(header(&signed_in, "vary").contains("cookie"), "{path}");
        assert!(
            header(&signed_in, "content-type").starts_with("text/html"),
            "{path}"
        );
        let data = first_screen_data(&signed_in.text().await.unwrap());
        assert_eq!(data["brand"], brand, "{path}");
        assert_eq!(
            data["supportServices"],
            app.state.config.support_services_url.as_str(),
            "{path}"
        );
    }
    // The other pages draw their own first screen.
    let tickets = page("/support/tickets").await.text().await.unwrap();
    assert_eq!(tickets, FIRST_SCREEN_INDEX);

    // Brotli, as the static files are.
    let identity = page("/support").await.text().await.unwrap();
    let compressed = browser
        .get(app.url("/support"))
        .header(ACCEPT_ENCODING, "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.headers()[CONTENT_ENCODING], "br");
    let compressed = compressed.bytes().await.unwrap();
    let mut decompressed = Vec::new();
    brotli::BrotliDecompress(&mut compressed.as_ref(), &mut decompressed).unwrap();
    assert_eq!(String::from_utf8(decompressed).unwrap(), identity);

    // A session that has ended is no session: the cookie is checked, not only present.
    let cookie = format!("{}=ended", app.state.config.session_cookie_name());
    let stale = reqwest::Client::new()
        .get(app.url("/support"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        first_screen_data(&stale.text().await.unwrap()),
        serde_json::Value::Null
    );
    assert_eq!(
        session.delete_session().await.status(),
        StatusCode::NO_CONTENT
    );
    let after = page("/support").await.text().await.unwrap();
    assert_eq!(
        first_screen_data(&after),
        serde_json::Value::Null,
        "signed out again"
    );
}
