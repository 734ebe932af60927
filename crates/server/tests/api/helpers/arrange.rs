//! Arranging and inspecting data the API cannot reach, straight through the app's database pool and
//! data directory.

use std::path::PathBuf;

use sqlx::AnyPool;

use support_server::store::Database;

use super::{PASSWORD, TestApp};

/// An outbox row: (recipient, subject, body).
pub type Email = (String, String, String);

/// The first bytes of every PNG file.
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// `len` bytes that pass for a PNG (the signature, then filler).
pub fn png(len: usize) -> Vec<u8> {
    let mut bytes = PNG_SIGNATURE.to_vec();
    bytes.extend((0..len.saturating_sub(PNG_SIGNATURE.len())).map(|i| (i * 7 % 251) as u8));
    bytes
}

impl TestApp {
    /// The app's database pool, for arranging and inspecting rows with raw SQL.
    pub fn db(&self) -> &AnyPool {
        &self.db
    }

    /// Adds a user with the demo password to the organization `org_id` with `role` (`admin` or
    /// `member`), for tests that need more people than the demo data has. Returns the user's id.
    pub async fn add_member(&self, email: &str, name: &str, org_id: i64, role: &str) -> i64 {
        let hash = support_server::rules::auth::hash_password(PASSWORD).expect("hash");
        let user_id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, name, password_hash, created_at)
             VALUES ($1, $2, $3, '2026-01-01T00:00:00Z') RETURNING id",
        )
        .bind(email)
        .bind(name)
        .bind(hash)
        .fetch_one(self.db())
        .await
        .expect("insert user");
        sqlx::query("INSERT INTO memberships (user_id, organization_id, role) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(org_id)
            .bind(role)
            .execute(self.db())
            .await
            .expect("insert membership");
        user_id
    }

    /// The id of the user with `email`.
    pub async fn user_id(&self, email: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(self.db())
            .await
            .expect("a user with that email")
    }

    /// Gives the organization an account team, whether or not its tier includes one.
    pub async fn set_account_team(&self, org_id: i64, email: &str) {
        sqlx::query("UPDATE organizations SET account_team_email = $1 WHERE id = $2")
            .bind(email)
            .bind(org_id)
            .execute(self.db())
            .await
            .expect("set the account team");
    }

    /// Puts the organization on the support tier `tier` (a key such as `essential`).
    pub async fn set_support_tier(&self, org_id: i64, tier: &str) {
        sqlx::query("UPDATE organizations SET support_tier = $1 WHERE id = $2")
            .bind(tier)
            .bind(org_id)
            .execute(self.db())
            .await
            .expect("set the support tier");
    }

    /// Every outbox row, oldest first.
    pub async fn outbox(&self) -> Vec<Email> {
        self.emails_since(0).await
    }

    /// The id of the newest outbox row (0 when empty): emails after it belong to what the test does
    /// next.
    pub async fn outbox_mark(&self) -> i64 {
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM outbox")
            .fetch_one(self.db())
            .await
            .unwrap()
    }

    /// The outbox rows after `mark`, oldest first.
    pub async fn emails_since(&self, mark: i64) -> Vec<Email> {
        sqlx::query_as("SELECT recipient, subject, body FROM outbox WHERE id > $1 ORDER BY id")
            .bind(mark)
            .fetch_all(self.db())
            .await
            .unwrap()
    }

    /// Where the server keeps uploaded files.
    pub fn attachments_dir(&self) -> PathBuf {
        self.state.config.attachments_dir()
    }

    /// Files in the attachments folder (none if it does not exist).
    pub fn stored_files(&self) -> Vec<String> {
        match std::fs::read_dir(self.attachments_dir()) {
            Ok(entries) => entries
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The random name an attachment is stored under.
    pub async fn stored_name(&self, attachment_id: i64) -> String {
        sqlx::query_scalar("SELECT stored_name FROM attachments WHERE id = $1")
            .bind(attachment_id)
            .fetch_one(self.db())
            .await
            .unwrap()
    }

    /// Whether this app's database is PostgreSQL (a test may run on SQLite whatever the suite's
    /// engine: `spawn_sqlite_app`).
    pub fn on_postgres(&self) -> bool {
        matches!(self.state.config.database(), Database::Postgres(_))
    }

    /// The database, as the CLI is pointed at it (`--database`): the SQLite file or the PostgreSQL URL.
    pub fn database(&self) -> String {
        match self.state.config.database() {
            Database::Sqlite(path) => path.to_str().expect("UTF-8 path").to_owned(),
            Database::Postgres(url) => url,
        }
    }
}
