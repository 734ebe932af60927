//! What every test module shares: a running app with a fresh database ([`spawn_app`]), a typed client
//! with one method per endpoint ([`Session`]), the checks of the JSON error body, and helpers that
//! arrange data the API cannot create (SQL through the app's pool, the operator CLI).

mod app;
mod arrange;
mod checks;
mod cli;
mod session;

pub use app::{
    PASSWORD, TestApp, local_files, on_postgres, spawn_app, spawn_app_serving,
    spawn_app_serving_with, spawn_app_with, spawn_sqlite_app, test_config, test_db,
};
pub use arrange::png;
pub use checks::{cache_control, expect_error, fields, header, invalid, set_cookies};
pub use cli::{run_cli, text};
pub use session::Session;
