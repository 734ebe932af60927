//! The store: every SQL statement of the server, and the only code that knows sqlx. Handlers and rules
//! call it with ids, `api` types (times as `api::Timestamp`) and the records defined here, and get the
//! same back; SQLite's types and errors never leave this folder (a failed statement becomes
//! [`Error::Database`]), and how a value is written in a column is decided here (`codec`).
//!
//! One module per resource (`users`, `organizations`, `catalogue`, `upgrades`, `tickets`,
//! `activity`, `ticket_list`, `attachments`, `outbox`, `idempotency`, `sign_in_limits`,
//! `rate_events`, `leases`, `demo`), each adding methods to the two types of this module:
//!
//! - [`Store`]: the database as a whole; each method is one statement (or one short transaction of
//!   its own), for reads and single writes.
//! - [`Tx`]: one transaction, from [`Store::begin`] (reads) or [`Store::begin_write`] (changes). A
//!   change that spans resources runs in one `Tx`: creating a ticket inserts the ticket, its CCs,
//!   claims its uploads, records its emails and completes its idempotency key, and commits all of it
//!   or nothing.
//!
//! # Why one concrete type and not a trait per resource
//!
//! A later issue adds PostgreSQL. The seam for it is this module's method list, not a set of traits:
//!
//! - **Transactions span resources.** With a trait per resource (`TicketStore`, `OutboxStore`, ...),
//!   the transaction above would need a type implementing all of them at once, and every rule would
//!   be generic over it. One `Tx` with every resource's methods says it directly.
//! - **Async traits and `dyn` do not mix.** An `async fn` in a trait makes it unusable as `dyn Trait`
//!   without boxing every future (the `async-trait` style), and the alternative, a type parameter
//!   `S: Store`, would spread through `AppState`, every handler, every rule and the tests.
//! - **A second engine slots in below the methods.** `Store` holds the pool and `Tx` the transaction;
//!   PostgreSQL turns each into an enum of engines (or a `store/sqlite/` and `store/postgres/` pair
//!   behind the same methods), and each module gets the other dialect's statements beside these. The
//!   method signatures, which use no sqlx type, stay as they are, so handlers and rules do not change.
//!   The few places where SQLite's dialect shows through its meaning are marked: `BEGIN IMMEDIATE` in
//!   [`Store::begin_write`], FTS5 in `ticket_list`, `json_each` for id lists in `attachments`.
//!
//! Tests arrange data the API cannot create with raw SQL through `Store::pool`, which exists only
//! with the `test-support` feature: product code cannot reach the pool.

pub mod activity;
pub mod attachments;
pub mod catalogue;
mod codec;
pub mod demo;
pub mod idempotency;
pub mod leases;
pub mod organizations;
pub mod outbox;
pub mod rate_events;
pub mod sign_in_limits;
pub mod ticket_list;
pub mod tickets;
pub mod upgrades;
pub mod users;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::error::{Error, Result};

/// The migrations this binary brings, applied by [`Store::open`].
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The database. Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

/// One transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    inner: Transaction<'static, Sqlite>,
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        Error::Database(Box::new(error))
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path` and applies every pending migration.
    /// One file, WAL so readers never wait for the writer, foreign keys enforced.
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir)
                .await
                .with_context(|| format!("creating {}", dir.display()))?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is durable across application crashes in WAL mode; only a power cut can lose the
            // last transactions, an accepted trade for write latency.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .with_context(|| format!("opening database {}", path.display()))?;
        MIGRATOR.run(&pool).await.context("applying migrations")?;
        Ok(Self { pool })
    }

    /// A transaction for reads that must see one snapshot (a page of a list and its total).
    pub async fn begin(&self) -> Result<Tx> {
        Ok(Tx {
            inner: self.pool.begin().await?,
        })
    }

    /// A transaction for a change whose checks must still hold when it commits. It takes the write
    /// lock up front (SQLite's `BEGIN IMMEDIATE`, waiting up to the busy timeout), so a concurrent
    /// writer can neither slip in between a check and the write nor fail this transaction halfway.
    pub async fn begin_write(&self) -> Result<Tx> {
        Ok(Tx {
            inner: self.pool.begin_with("BEGIN IMMEDIATE").await?,
        })
    }

    /// Whether the database answers and has every migration this binary brings applied (another
    /// instance of an older version may share it; a newer one's extra migrations do not matter).
    /// Written once for both engines: sqlx keeps the same `_sqlx_migrations` table on each.
    pub async fn is_migrated(&self) -> Result<bool> {
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = $1")
                .bind(true)
                .fetch_all(&self.pool)
                .await?;
        Ok(MIGRATOR
            .iter()
            .all(|migration| applied.contains(&migration.version)))
    }

    /// Waits for the connections to finish and closes them (operator commands, before exiting).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The pool itself, for tests that arrange data the API cannot create. Product code goes through
    /// the methods: this exists only with the `test-support` feature.
    #[cfg(feature = "test-support")]
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

impl Tx {
    /// Makes every change of the transaction visible at once.
    pub async fn commit(self) -> Result<()> {
        self.inner.commit().await?;
        Ok(())
    }
}
