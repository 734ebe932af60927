//! Starts the real app on a free port with a fresh SQLite file, as the console's deployment would,
//! and talks to it over HTTP.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::path::Path;
use std::process::Output;

use api::{Attachment, CSRF_HEADER, CSRF_VALUE, ErrorBody, ErrorCode, Me, SupportStatus};
use clap::Parser;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, Response, StatusCode};
use serde_json::json;
use support_server::{AppState, Cli, Config};
use tempfile::TempDir;

/// The password of every demo user.
pub const PASSWORD: &str = "support-demo";

/// A running server. Dropping it drops the data directory; the server task dies with the test's
/// runtime.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub address: String,
    /// The same state the server uses, for arranging data the API cannot create.
    pub state: AppState,
    /// Kept alive so the database file outlives the test body.
    pub dir: TempDir,
}

/// A configuration for tests: everything under `dir`, port 0, demo data on.
pub fn config_for(dir: &Path) -> Config {
    Cli::parse_from([
        "support-server",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.to_str().expect("temp dir path is UTF-8"),
        "--demo",
    ])
    .config
}

/// A server with the demo data and the default configuration.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A server whose configuration `configure` adjusts first (its data directory is already set).
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = config_for(dir.path());
    configure(&mut config);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .expect("bind a free port");
    let address = format!("http://{}", listener.local_addr().expect("local address"));
    let state = AppState::new(config).await.expect("app state");
    let app = support_server::app(state.clone());
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("server runs");
    });
    TestApp {
        address,
        state,
        dir,
    }
}

impl TestApp {
    /// The absolute URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// The absolute URL of an API path such as `/me`.
    pub fn api(&self, path: &str) -> String {
        format!("{}{}{path}", self.address, api::API_PREFIX)
    }

    /// A browser-like client: keeps cookies between requests, follows no redirects.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client")
    }

    /// `POST /session` the way the SPA sends it, on `client`.
    pub async fn post_session(&self, client: &Client, email: &str, password: &str) -> Response {
        client
            .post(self.api("/session"))
            .header(CSRF_HEADER, CSRF_VALUE)
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("POST /session")
    }

    /// A fresh client signed in as `email` with the demo password.
    pub async fn sign_in(&self, email: &str) -> Client {
        let client = self.client();
        let response = self.post_session(&client, email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "sign-in as {email}");
        client
    }

    /// `GET /me` for `client`, which must be signed in.
    pub async fn me(&self, client: &Client) -> Me {
        let response = client.get(self.api("/me")).send().await.expect("GET /me");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("Me body")
    }

    /// The id of the organization `email` acts for, as the API reports it.
    pub async fn organization_of(&self, email: &str) -> i64 {
        let client = self.sign_in(email).await;
        self.me(&client).await.organization.id
    }
}

/// Asserts that `response` is the JSON error body with `status` and `code`, and returns the body.
pub async fn expect_error(response: Response, status: StatusCode, code: ErrorCode) -> ErrorBody {
    assert_eq!(response.status(), status, "status of {}", response.url());
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/json", "error content type");
    let body: ErrorBody = response.json().await.expect("error body is ErrorBody JSON");
    assert_eq!(body.status, status.as_u16(), "status repeated in the body");
    assert_eq!(body.code, code);
    assert!(!body.message.is_empty(), "error message for people");
    body
}

/// The `Cache-Control` header of `response`, or `""`.
pub fn cache_control(response: &Response) -> String {
    response
        .headers()
        .get(CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Every `Set-Cookie` header of `response`.
pub fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("ASCII cookie").to_owned())
        .collect()
}

/// `GET /organizations/{org_id}/support` as `client`, which must succeed.
pub async fn support_status(app: &TestApp, client: &Client, org_id: i64) -> SupportStatus {
    let response = client
        .get(app.api(&format!("/organizations/{org_id}/support")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Adds a user with the demo password to the organization `org_id` with `role` (`admin` or `member`),
/// for tests that need more people than the demo data has. Returns the user's id.
pub async fn add_member(app: &TestApp, email: &str, name: &str, org_id: i64, role: &str) -> i64 {
    let hash = support_server::rules::auth::hash_password(PASSWORD).expect("hash");
    let user_id: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, name, password_hash, created_at)
         VALUES (?, ?, ?, '2026-01-01T00:00:00Z') RETURNING id",
    )
    .bind(email)
    .bind(name)
    .bind(hash)
    .fetch_one(app.state.store.pool())
    .await
    .expect("insert user");
    sqlx::query("INSERT INTO memberships (user_id, organization_id, role) VALUES (?, ?, ?)")
        .bind(user_id)
        .bind(org_id)
        .bind(role)
        .execute(app.state.store.pool())
        .await
        .expect("insert membership");
    user_id
}

/// Signs in `email` and returns the session's client with the user's organization id.
pub async fn signed_in(app: &TestApp, email: &str) -> (Client, i64) {
    let client = app.sign_in(email).await;
    let org_id = app.me(&client).await.organization.id;
    (client, org_id)
}

/// Expects a 422 `invalid_input` and returns its body.
pub async fn invalid(response: Response) -> ErrorBody {
    expect_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidInput,
    )
    .await
}

/// The fields an error body names, in order.
pub fn fields(body: &ErrorBody) -> Vec<&str> {
    body.fields.iter().map(|f| f.field.as_str()).collect()
}

/// Every outbox row: (recipient, subject, body), oldest first.
pub async fn outbox(app: &TestApp) -> Vec<(String, String, String)> {
    sqlx::query_as("SELECT recipient, subject, body FROM outbox ORDER BY id")
        .fetch_all(app.state.store.pool())
        .await
        .unwrap()
}

/// The first bytes of every PNG file.
pub const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// `len` bytes that pass for a PNG (the signature, then filler).
pub fn png(len: usize) -> Vec<u8> {
    let mut bytes = PNG_SIGNATURE.to_vec();
    bytes.extend((0..len.saturating_sub(PNG_SIGNATURE.len())).map(|i| (i * 7 % 251) as u8));
    bytes
}

/// Uploads `bytes` as `name` to the organization's attachments.
pub async fn upload(
    app: &TestApp,
    client: &Client,
    org_id: i64,
    name: &str,
    bytes: Vec<u8>,
) -> Response {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    client
        .post(app.api(&format!("/organizations/{org_id}/attachments")))
        .header(CSRF_HEADER, CSRF_VALUE)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Uploads a small PNG that must be accepted.
pub async fn upload_png(app: &TestApp, client: &Client, org_id: i64, name: &str) -> Attachment {
    let response = upload(app, client, org_id, name, png(2048)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

/// `GET` one ticket.
pub async fn get_ticket(app: &TestApp, client: &Client, org_id: i64, id: i64) -> Response {
    client
        .get(app.api(&format!("/organizations/{org_id}/tickets/{id}")))
        .send()
        .await
        .unwrap()
}

/// Runs the server binary with `args` (the operator CLI).
pub fn run_cli(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_support-server"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("support-server runs")
}

/// A CLI stream as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
