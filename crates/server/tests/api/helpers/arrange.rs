//! Arranging and inspecting data the API cannot reach, straight through the app's database pool and
//! data directory.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use sqlx::AnyPool;

use futures_util::StreamExt;
use support_server::files::Location;
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

    /// The folder the server keeps uploaded files in, for the tests about the local disk itself
    /// (fsync order, file times); they start their app with [`local_files`](super::local_files).
    pub fn attachments_dir(&self) -> PathBuf {
        match self.state.config.attachments() {
            Location::Folder(dir) => dir,
            bucket => panic!("this test needs a local attachments folder, not {bucket}"),
        }
    }

    /// Everything in the attachments folder (none if it does not exist) or under the app's bucket
    /// prefix, once the deletions that dropped files started are done. In a bucket, an upload
    /// begun and neither completed nor aborted counts too (as `<name> (unfinished upload)`): a
    /// refused file must leave nothing behind, not even parts.
    pub async fn stored_files(&self) -> Vec<String> {
        let files = &self.state.files;
        files.settle().await;
        match self.state.config.attachments() {
            Location::Folder(dir) => match std::fs::read_dir(dir) {
                Ok(entries) => entries
                    .map(|e| e.unwrap().file_name().into_string().unwrap())
                    .collect(),
                Err(_) => Vec::new(),
            },
            Location::Bucket { bucket, prefix } => {
                let far = SystemTime::now() + Duration::from_secs(24 * 60 * 60);
                let mut names = files.stored_before(far, |_| true).await.unwrap();
                names.extend(
                    unfinished_uploads(&bucket, &prefix)
                        .await
                        .into_iter()
                        .map(|key| format!("{key} (unfinished upload)")),
                );
                names
            }
        }
    }

    /// The bytes of the stored file `stored_name`, if it exists.
    pub async fn stored_bytes(&self, stored_name: &str) -> Option<Vec<u8>> {
        let mut stream = self.state.files.read(stored_name).await.ok()?;
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.next().await {
            bytes.extend_from_slice(&chunk.ok()?);
        }
        Some(bytes)
    }

    /// Stores `bytes` as `stored_name` without a row, as a server that stopped between storing a
    /// file and recording it would leave it.
    pub async fn put_stray(&self, stored_name: &str, bytes: &[u8]) {
        let mut file = self.state.files.create(stored_name).await.unwrap();
        file.write(bytes).await.unwrap();
        file.finish().await.unwrap();
        file.keep();
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

/// The keys of the multipart uploads begun under `prefix` in `bucket` and neither completed nor
/// aborted, asked of the test's S3 server (`scripts/services/s3.sh`: moto, which answers unsigned
/// requests; object_store has no call for this listing).
async fn unfinished_uploads(bucket: &str, prefix: &str) -> Vec<String> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("AWS_ENDPOINT_URL for the S3 tests");
    let listing = reqwest::Client::new()
        .get(format!("{endpoint}/{bucket}?uploads&prefix={prefix}/"))
        .send()
        .await
        .unwrap();
    assert!(listing.status().is_success(), "{listing:?}");
    let xml = listing.text().await.unwrap();
    xml.split("<Key>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</Key>").map(|(key, _)| key.to_owned()))
        .collect()
}
