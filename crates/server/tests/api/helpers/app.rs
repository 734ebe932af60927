//! Starting the real app on a free port with a fresh database, as the console's deployment would.
//!
//! The engine is SQLite (a file in the test's data directory) unless `SUPPORT_TEST_DATABASE_URL`
//! names a PostgreSQL server (`postgres://postgres@127.0.0.1:PORT/postgres`, a role that may create
//! databases): then each data directory gets its own fresh database there, copied from a template
//! migrated once per test binary (`CREATE DATABASE ... TEMPLATE`, milliseconds, where migrating
//! every database would take far longer).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use api::Me;
use clap::Parser;
use reqwest::{Client, StatusCode};
use sqlx::{AnyPool, Connection, Executor, PgConnection};
use support_server::http::Route;
use support_server::store::{Database, DatabaseOptions, Store};
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
    /// A pool of its own on the app's database, for arranging and inspecting rows with raw SQL in
    /// either engine (placeholders `$1`, `$2`, ... read the same in both).
    pub db: AnyPool,
}

/// The env var naming the PostgreSQL server the suite runs on instead of SQLite.
pub const TEST_DATABASE_ENV: &str = "SUPPORT_TEST_DATABASE_URL";

/// The configuration tests start from: everything under `dir`, port 0, demo data on, and the suite's
/// engine (the same database for the same `dir`, as the SQLite file in it would be). Written here,
/// not borrowed from the server, so that no test-only code ships in the binary.
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
    let mut config = Cli::parse_from(args).config;
    if let Ok(server) = std::env::var(TEST_DATABASE_ENV) {
        config.database = Some(Database::Postgres(postgres_database_for(dir, &server)));
    }
    config
}

/// Whether the suite runs on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var_os(TEST_DATABASE_ENV).is_some()
}

/// A pool of its own on `config`'s database (see [`TestApp::db`]).
pub async fn test_db(config: &Config) -> AnyPool {
    sqlx::any::install_default_drivers();
    let url = match config.database() {
        Database::Sqlite(path) => format!("sqlite://{}", path.display()),
        Database::Postgres(url) => url,
    };
    AnyPool::connect(&url)
        .await
        .expect("a pool on the test database")
}

/// `server`'s URL with the database `name`.
fn with_database(server: &str, name: &str) -> String {
    let mut url = url::Url::parse(server).expect("SUPPORT_TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.into()
}

/// Runs `work` to completion on a runtime of its own in another thread: `test_config` is called from
/// inside the tests' runtimes, which a blocking wait must not stall.
fn run_apart<T: Send>(work: impl std::future::Future<Output = T> + Send) -> T {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime")
                    .block_on(work)
            })
            .join()
            .expect("database set-up")
    })
}

/// The PostgreSQL database of the data directory `dir`, created from the template on first use.
fn postgres_database_for(dir: &Path, server: &str) -> String {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    static DATABASES: Mutex<Option<HashMap<PathBuf, String>>> = Mutex::new(None);
    static NEXT: AtomicU64 = AtomicU64::new(0);

    let mut databases = DATABASES.lock().unwrap_or_else(|e| e.into_inner());
    let databases = databases.get_or_insert_with(HashMap::new);
    if let Some(url) = databases.get(dir) {
        return url.clone();
    }
    let template = TEMPLATE.get_or_init(|| {
        let name = format!("support_template_{}", std::process::id());
        run_apart(async {
            let mut admin = PgConnection::connect(server).await.expect("PostgreSQL");
            admin
                .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .expect("create the template");
            admin.close().await.ok();
            let store = Store::connect(&DatabaseOptions {
                database: Database::Postgres(with_database(server, &name)),
                max_connections: 1,
                statement_timeout: std::time::Duration::ZERO,
            })
            .await
            .expect("migrate the template");
            store.close().await;
        });
        name
    });
    let name = format!(
        "support_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    run_apart(async {
        let mut admin = PgConnection::connect(server).await.expect("PostgreSQL");
        // Names are ours (process id and a counter), never input.
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE {name} TEMPLATE {template}"
            )))
            .await
            .expect("create a test database");
        admin.close().await.ok();
    });
    let url = with_database(server, &name);
    databases.insert(dir.to_owned(), url.clone());
    url
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

/// A server on an SQLite file whatever engine the suite runs on, for the tests about SQLite itself
/// (its query plans).
pub async fn spawn_sqlite_app() -> TestApp {
    spawn_app_with(|config| {
        config.database = Some(Database::Sqlite(config.data_dir.join("support.db")));
    })
    .await
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
    let db = test_db(&state.config).await;
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
        db,
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
