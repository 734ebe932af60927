//! Starting the real app on a free port with a fresh SQLite file, as the console's deployment would.

use std::path::Path;

use api::Me;
use clap::Parser;
use reqwest::{Client, StatusCode};
use support_server::http::Route;
use support_server::{AppState, Cli, Config};
use tempfile::TempDir;

use super::Session;

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

/// The configuration tests start from: everything under `dir`, port 0, demo data on. Written here, not
/// borrowed from the server, so that no test-only code ships in the binary.
///
/// With `SUPPORT_TEST_ATTACHMENTS=s3://bucket/prefix` (what `scripts/services/s3.sh start` prints), the
/// files go to that bucket instead of the folder, under a prefix of the app's own, so tests running
/// at once never see each other's files.
pub fn test_config(dir: &Path) -> Config {
    let data_dir = dir.to_str().expect("temp dir path is UTF-8");
    let mut args = vec![
        "support-server".to_owned(),
        "--listen".to_owned(),
        "127.0.0.1:0".to_owned(),
        "--data-dir".to_owned(),
        data_dir.to_owned(),
        "--demo".to_owned(),
    ];
    if let Some(base) = std::env::var("SUPPORT_TEST_ATTACHMENTS")
        .ok()
        .filter(|v| !v.is_empty())
    {
        let own = dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("temp dir name")
            .trim_start_matches('.');
        args.push("--attachments".to_owned());
        args.push(format!("{}/{own}", base.trim_end_matches('/')));
    }
    Cli::parse_from(args).config
}

/// Keeps the files in the data directory's folder whatever `SUPPORT_TEST_ATTACHMENTS` says: for
/// the tests about the local disk itself (the fsync order, backdated file times).
pub fn local_files(config: &mut Config) {
    config.attachments = None;
}

/// A server with the demo data and the default configuration.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A server whose configuration `configure` adjusts first (its data directory is already set).
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    spawn(configure, support_server::app).await
}

/// A server with the default configuration whose API serves `routes` instead of the API's own
/// (everything around them, the layers and the fallbacks, as in the real app).
pub async fn spawn_app_serving(routes: Vec<Route>) -> TestApp {
    spawn(
        |_| {},
        move |state| support_server::http::router_with(state, routes),
    )
    .await
}

/// [`spawn_app_serving`] with a configuration `configure` adjusts first (small limits, say).
pub async fn spawn_app_serving_with(
    configure: impl FnOnce(&mut Config),
    routes: Vec<Route>,
) -> TestApp {
    spawn(configure, move |state| {
        support_server::http::router_with(state, routes)
    })
    .await
}

async fn spawn(
    configure: impl FnOnce(&mut Config),
    build: impl FnOnce(AppState) -> axum::Router,
) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = test_config(dir.path());
    configure(&mut config);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .expect("bind a free port");
    let address = format!("http://{}", listener.local_addr().expect("local address"));
    let state = AppState::new(config).await.expect("app state");
    let app = build(state.clone());
    let config = state.config.clone();
    tokio::spawn(async move {
        support_server::serve_on(listener, app, &config, std::future::pending())
            .await
            .expect("server runs");
    });
    TestApp {
        address,
        state,
        dir,
    }
}

impl TestApp {
    /// The absolute URL of `path` (which starts with `/`), outside the API.
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

    /// A browser that has not signed in. It acts in no organization until [`Session::at`] names one.
    pub fn anonymous(&self) -> Session {
        Session::new(self.client(), self.api(""))
    }

    /// A fresh browser signed in as `email` with the demo password, acting in the user's organization.
    pub async fn sign_in(&self, email: &str) -> Session {
        let session = self.anonymous();
        let response = session.post_session(email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "sign-in as {email}");
        let me: Me = response.json().await.expect("Me body");
        session.at(me.organization.id)
    }

    /// The id of the organization `email` acts for, as the API reports it.
    pub async fn organization_of(&self, email: &str) -> i64 {
        self.sign_in(email).await.org_id
    }
}
