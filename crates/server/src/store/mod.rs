//! The store: every SQL statement of the server, and the only code that knows sqlx. Handlers and rules
//! call it with ids, `api` types (times as `api::Timestamp`) and the records defined here, and get the
//! same back; the engines' types and errors never leave this folder (a failed statement becomes
//! [`Error::Database`]), and how a value is written in a column is decided here (`codec`).
//!
//! One module per resource (`users`, `organizations`, `catalogue`, `upgrades`, `tickets`,
//! `activity`, `ticket_list`, `attachments`, `outbox`, `idempotency`, `sign_in_limits`,
//! `rate_events`, `leases`, `demo`), each adding methods to the two types of this module:
//!
//! - [`Store`]: the database as a whole; each method is one statement (or one short transaction of
//!   its own), for reads ([`on_pool!`]) and single writes ([`on_writer!`]).
//! - [`Tx`]: one transaction, from [`Store::begin`] (reads) or [`Store::begin_write`] (changes). A
//!   change that spans resources runs in one `Tx`: creating a ticket inserts the ticket, its CCs,
//!   claims its uploads, records its emails and completes its idempotency key, and commits all of it
//!   or nothing.
//!
//! # Two engines behind one set of methods
//!
//! SQLite (the default: one file, zero set-up) and PostgreSQL (several instances on one database) are
//! the same store. [`Store`] holds an enum of the engines' pools and [`Tx`] of their transactions;
//! every method runs its body through [`on_pool!`], [`on_writer!`] or [`on_tx!`], which compile the
//! same sqlx calls once per engine. The SQL is written once with numbered placeholders (`$1`, which
//! both engines read) in the dialect both accept; where the meaning needs different text the body
//! picks it by engine:
//!
//! - [`Store::begin_write`]: SQLite's `BEGIN IMMEDIATE` is an advisory lock on PostgreSQL, and
//!   [`Store::begin`] is REPEATABLE READ READ ONLY there (one snapshot for a page and its total).
//! - SQLite writes on one connection of their own, the writer, and reads on a pool of read-only
//!   connections ([`Pool`] says why); PostgreSQL has one pool for both.
//! - Search (`ticket_list`): FTS5 on SQLite, a `tsvector` with a GIN index on PostgreSQL.
//! - Lists of ids or keys as one JSON parameter: `json_each` / `json_array_elements_text`.
//! - The outbox claim adds `FOR UPDATE SKIP LOCKED` on PostgreSQL.
//! - A new ticket also writes its folded search text on PostgreSQL.
//!
//! # Why one concrete type and not a trait per resource
//!
//! - **Transactions span resources.** With a trait per resource (`TicketStore`, `OutboxStore`, ...),
//!   the transaction above would need a type implementing all of them at once, and every rule would
//!   be generic over it. One `Tx` with every resource's methods says it directly.
//! - **Async traits and `dyn` do not mix.** An `async fn` in a trait makes it unusable as `dyn Trait`
//!   without boxing every future (the `async-trait` style), and the alternative, a type parameter
//!   `S: Store`, would spread through `AppState`, every handler, every rule and the tests.
//! - **The engine is below the methods.** Their signatures use no sqlx type, so handlers and rules
//!   do not know which engine runs.
//!
//! Tests arrange data the API cannot create with raw SQL through a pool of their own on the same
//! database; the `test-support` feature adds only a few read-outs (and SQLite's query plans).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::error::{Error, Result};

/// Runs `$body` on the store's pool for reads, once per engine: `on_pool!(self, |pool| body)` binds
/// `pool` to the engine's pool (SQLite's readers, or the `&PgPool`), and `on_pool!(self, |pool, pg|
/// body)` also tells the body whether it runs on PostgreSQL, for the few statements whose text
/// differs. It is a `match`, not a closure: `?` and `return` in the body act on the enclosing
/// function. The body is compiled once per engine, so the same sqlx calls (binds, `FromRow`
/// decoding) are checked against each.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        on_pool!($store, |$pool, _pg| $body)
    };
    ($store:expr, |$pool:ident, $pg:ident| $body:expr) => {
        on_engine!($store, read, |$pool, $pg| $body)
    };
}

/// [`on_pool!`] for a statement that writes: on SQLite it waits for this process's turn to write
/// ([`Store::writer_turn`]) and `$pool` is the writer connection ([`Pool`]). SQLite's readers are
/// read-only: a write sent to them fails (`SQLITE_READONLY`).
macro_rules! on_writer {
    ($store:expr, |$pool:ident| $body:expr) => {
        on_writer!($store, |$pool, _pg| $body)
    };
    ($store:expr, |$pool:ident, $pg:ident| $body:expr) => {{
        let _turn = $store.writer_turn().await?;
        on_engine!($store, write, |$pool, $pg| $body)
    }};
}

/// The `match` of [`on_pool!`] and [`on_writer!`]: `$side` names SQLite's pool (`read` or `write`).
macro_rules! on_engine {
    ($store:expr, $side:ident, |$pool:ident, $pg:ident| $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite { $side: $pool, .. } => {
                let $pg = false;
                $body
            }
            $crate::store::Pool::Postgres($pool) => {
                let $pg = true;
                $body
            }
        }
    };
}

/// [`on_pool!`] for a transaction: `$conn` is bound to the engine's connection inside it.
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match &mut $tx.inner {
            $crate::store::Inner::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::store::Inner::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
    ($tx:expr, |$conn:ident, $pg:ident| $body:expr) => {
        match &mut $tx.inner {
            $crate::store::Inner::Sqlite(tx) => {
                let $conn = &mut **tx;
                let $pg = false;
                $body
            }
            $crate::store::Inner::Postgres(tx) => {
                let $conn = &mut **tx;
                let $pg = true;
                $body
            }
        }
    };
}

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

/// Where the data lives: `--database`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file (a path, or `sqlite://path`).
    Sqlite(PathBuf),
    /// A PostgreSQL server (`postgres://` or `postgresql://` URL).
    Postgres(String),
}

impl Database {
    /// Reads `--database`: a `postgres://`/`postgresql://` URL selects PostgreSQL, `sqlite://path`
    /// or a plain path SQLite. Any other `scheme://` is refused rather than taken for a file name.
    pub fn parse(value: &str) -> std::result::Result<Self, String> {
        let lower = value.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Database::Postgres(value.to_owned()));
        }
        if let Some(path) = value
            .strip_prefix("sqlite://")
            .or_else(|| value.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err("the sqlite: URL names no file".into());
            }
            return Ok(Database::Sqlite(PathBuf::from(path)));
        }
        if value.is_empty() {
            return Err("empty database".into());
        }
        if let Some((scheme, _)) = value.split_once("://") {
            return Err(format!(
                "unsupported database scheme {scheme:?}: use a file path, sqlite://PATH or postgres://..."
            ));
        }
        Ok(Database::Sqlite(PathBuf::from(value)))
    }
}

/// The SQLite migrations this binary brings, applied by [`Store::open`]; `is_migrated` checks
/// them (PostgreSQL's below).
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");
/// The PostgreSQL migrations, applied by [`Store::connect`].
static PG_MIGRATOR: Migrator = sqlx::migrate!("./migrations-postgres");

/// How to connect: the database and the pool's settings.
#[derive(Debug, Clone)]
pub struct DatabaseOptions {
    pub database: Database,
    /// The PostgreSQL pool's size (`--database-max-connections`); SQLite keeps its 8 readers and
    /// one writer.
    pub max_connections: u32,
    /// PostgreSQL's `statement_timeout` on every connection (`--statement-timeout-secs`); 0 = none.
    pub statement_timeout: Duration,
}

/// The pools of one engine.
///
/// SQLite has two. Every write (each write transaction, each single statement that writes) runs on
/// one connection, `write`, a pool of one, after its turn in the writers' queue
/// ([`Store::writer_turn`]). Reads run on `read`, whose connections are read-only (`query_only`), so
/// a write sent to them fails in the tests instead of slipping past the queue.
///
/// Why one connection for the writes: in WAL mode a connection throws its whole page cache away
/// when it begins a transaction and finds that another connection has written since its last one.
/// When writes took turns on the eight pooled connections, every write transaction began with a
/// cold cache and read each b-tree page it touched again (the ticket, its three indexes, the search
/// index, the outbox, the keys, the limits' events); on one connection they stay cached from one
/// write to the next. The writers queued on a mutex before this, so they already ran one at
/// a time; now they also run on the same connection.
///
/// The write-ahead log is copied into the database file (a checkpoint) in the background, on a
/// reader, by [`spawn_checkpointer`], while the writer goes on appending to it. SQLite's default is
/// the other way round: the connection whose commit takes the log past 1,000 pages copies it then,
/// inside its commit, and the writers queued behind it wait; with every write on one connection,
/// that stalled the queue every forty tickets or so, and the pages every ticket touches (the
/// indexes' last pages, the search index's structure) were copied again each time. The writer
/// still checkpoints at [`WRITER_CHECKPOINT_PAGES`]: that copies only what the checkpointer has not
/// yet copied, and it lets the log start over from its beginning, which a checkpoint from a reader
/// cannot do while commits keep coming. So the log file grows to about 40 MB under load.
///
/// Measured on the load benchmark's data (creating tickets, 16 connections, alternating runs):
/// 906-951 tickets/s before; one writer with SQLite's checkpoints 946-1,066/s; one writer, the
/// writer checkpointing at 10,000 pages and the checkpointer 1,145-1,199/s (p99 24-26 ms; 42 ms
/// without the checkpointer, whose copies the writer then made itself).
///
/// The queue stays a mutex in front of the pool: with the pool of one as the only queue (sixteen
/// writers waiting in sqlx's acquire) the figures were no better.
#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Postgres(PgPool),
}

/// A transaction of one engine.
pub(crate) enum Inner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// The database. Cheap to clone: clones share the pools.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// This process's writers queue here before they begin (SQLite only; see [`Store::begin_write`]).
    writers: Arc<tokio::sync::Mutex<()>>,
    /// Whether anything was written since the checkpointer last looked (SQLite only; see [`Pool`]).
    wrote: Arc<AtomicBool>,
}

/// One transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    inner: Inner,
    /// SQLite: the last search looked up in this transaction, its FTS5 query and the ids it matched
    /// (a JSON array), so the page, the total and the "anything before" check of one list share one
    /// lookup (`store::ticket_list`).
    search_matches: Option<(String, String)>,
    /// A write transaction's place at the head of the writers' queue, given up with the transaction
    /// (after its commit or rollback: fields drop in order).
    _writer: Option<tokio::sync::OwnedMutexGuard<()>>,
}

/// What a request gets when the database could not take it in time (its lock, a statement's
/// timeout, a free connection): nothing was written, and the same request may be sent again in a
/// second.
fn busy() -> Error {
    Error::Busy {
        retry_after_secs: 1,
    }
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        if is_contention(&error) {
            tracing::warn!(%error, "the database did not answer in time: 503 busy");
            return busy();
        }
        Error::Database(Box::new(error))
    }
}

/// Whether the database gave up waiting rather than failing: SQLite's busy timeout ran out
/// (`SQLITE_BUSY`, `SQLITE_LOCKED` and their extended codes), PostgreSQL cancelled a statement past
/// `statement_timeout` (57014) or a lock wait (55P03), or no pooled connection was free in time.
/// Nothing was written, so "busy, try again" (503 with `Retry-After`) is the true answer, and a
/// client may retry it; a 500 would say the server is broken.
fn is_contention(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(db) => {
            let code = db.code();
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // Extended result codes keep the primary code in their low byte.
                code.and_then(|c| c.parse::<i32>().ok())
                    .is_some_and(|c| matches!(c & 0xff, 5 | 6))
            } else {
                matches!(code.as_deref(), Some("57014" | "55P03"))
            }
        }
        _ => false,
    }
}

/// How long an SQLite writer waits for the write lock (and for its turn in this process's queue).
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The key of the advisory lock every PostgreSQL write transaction takes (any fixed number; this one
/// is "supp" in ASCII, so it is recognisable in `pg_locks`).
pub const WRITE_LOCK_KEY: i64 = 0x7375_7070;

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
            .busy_timeout(SQLITE_BUSY_TIMEOUT);
        // The writer first: it creates the file, turns on WAL and applies the migrations. Its own
        // checkpoints are the backstop of the checkpointer's ([`Pool`]).
        let write = sqlite_pool(1)
            .connect_with(
                options
                    .clone()
                    .pragma("wal_autocheckpoint", WRITER_CHECKPOINT_PAGES.to_string()),
            )
            .await
            .with_context(|| format!("opening database {}", path.display()))?;
        MIGRATOR.run(&write).await.context("applying migrations")?;
        let read = sqlite_pool(8)
            .connect_with(options.pragma("query_only", "ON"))
            .await
            .with_context(|| format!("opening database {}", path.display()))?;
        let wrote = Arc::new(AtomicBool::new(false));
        spawn_checkpointer(read.clone(), wrote.clone());
        Ok(Self {
            pool: Pool::Sqlite { read, write },
            writers: Arc::default(),
            wrote,
        })
    }

    /// Connects to the database `options` names (SQLite: [`Store::open`]) and applies every pending
    /// migration of its engine. On PostgreSQL the migrations run under sqlx's own advisory lock, so
    /// several instances starting at once apply them once.
    pub async fn connect(options: &DatabaseOptions) -> anyhow::Result<Self> {
        let url = match &options.database {
            Database::Sqlite(path) => return Self::open(path).await,
            Database::Postgres(url) => url,
        };
        let mut connect = PgConnectOptions::from_str(url).context("reading the PostgreSQL URL")?;
        if !options.statement_timeout.is_zero() {
            // A runtime parameter of the connection's start-up: every statement on every pooled
            // connection is cancelled past it, whatever code runs it.
            let millis = options.statement_timeout.as_millis().to_string();
            connect = connect.options([("statement_timeout", millis.as_str())]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(connect)
            .await
            .context("connecting to PostgreSQL")?;
        PG_MIGRATOR
            .run(&pool)
            .await
            .context("applying migrations")?;
        Ok(Self {
            pool: Pool::Postgres(pool),
            writers: Arc::default(),
            wrote: Arc::default(),
        })
    }

    /// A transaction for reads that must see one snapshot (a page of a list and its total). SQLite's
    /// deferred transaction holds one read snapshot from its first read; on PostgreSQL that is
    /// REPEATABLE READ (READ COMMITTED would take a new snapshot per statement), and READ ONLY since
    /// nothing in it writes.
    pub async fn begin(&self) -> Result<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite { read, .. } => Inner::Sqlite(read.begin().await?),
            Pool::Postgres(pool) => Inner::Postgres(
                begin_postgres(pool, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?,
            ),
        };
        Ok(Tx {
            inner,
            search_matches: None,
            _writer: None,
        })
    }

    /// A transaction for a change whose checks must still hold when it commits. It takes the write
    /// lock up front (SQLite's `BEGIN IMMEDIATE`, waiting up to the busy timeout), so a concurrent
    /// writer can neither slip in between a check and the write nor fail this transaction halfway.
    ///
    /// On PostgreSQL the same meaning comes from one transaction-scoped advisory lock taken first:
    /// write transactions run one at a time across every server instance, exactly as on SQLite, and
    /// each one (READ COMMITTED) reads what the previous ones committed. The checks these
    /// transactions make (limits counted over rows, quotas summed, "is the key still mine") read
    /// rows no single row lock covers, so a finer scheme would need either a lock per organization
    /// and user key (every check named with the keys it reads) or SERIALIZABLE with a retry of the
    /// whole request on serialization failures; both are more code paths for what is, at this
    /// scale, a few milliseconds of queueing. Single statements outside these transactions (claims,
    /// cancellations) rely on their own row locks and conditions, as they do on SQLite.
    ///
    /// On SQLite this process's writers first queue on a mutex, then write on the one writer
    /// connection ([`Pool`]), so only one of them at a time asks for the database's write lock.
    /// Without the queue, every waiting writer held a pooled connection and polled the lock in
    /// SQLite's busy handler, which sleeps between tries (1, 2, 5, 10 ms and up): the lock then sat
    /// idle between writers, and creating tickets ran at a tenth of what the inserts cost. Other
    /// processes on the same file (the CLI, a second instance) still meet the busy timeout. The
    /// queue is waited on for as long as that timeout, then the request is busy.
    pub async fn begin_write(&self) -> Result<Tx> {
        let mut writer = None;
        let inner = match &self.pool {
            Pool::Sqlite { write, .. } => {
                writer = self.writer_turn().await?;
                Inner::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?)
            }
            Pool::Postgres(pool) => {
                let mut tx = begin_postgres(pool, "BEGIN").await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
                Inner::Postgres(tx)
            }
        };
        Ok(Tx {
            inner,
            search_matches: None,
            _writer: writer,
        })
    }

    /// This process's turn to write on SQLite (`None` on PostgreSQL): the head of the writers' queue
    /// that [`Store::begin_write`] explains, waited for as long as the busy timeout. A single
    /// statement that writes ([`on_writer!`]) queues here too, behind the transactions before it.
    pub(crate) async fn writer_turn(&self) -> Result<Option<tokio::sync::OwnedMutexGuard<()>>> {
        match &self.pool {
            Pool::Sqlite { .. } => {
                self.wrote.store(true, Ordering::Relaxed);
                let queued = self.writers.clone().lock_owned();
                Ok(Some(
                    tokio::time::timeout(SQLITE_BUSY_TIMEOUT, queued)
                        .await
                        .map_err(|_| busy())?,
                ))
            }
            Pool::Postgres(_) => Ok(None),
        }
    }

    /// Whether the database answers and has every migration this binary brings applied (another
    /// instance of an older version may share it; a newer one's extra migrations do not matter).
    /// Written once for both engines: sqlx keeps the same `_sqlx_migrations` table on each.
    pub async fn is_migrated(&self) -> Result<bool> {
        let (applied, migrator): (Vec<i64>, &Migrator) = on_pool!(self, |pool, pg| {
            let applied =
                sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = $1")
                    .bind(true)
                    .fetch_all(pool)
                    .await?;
            (applied, if pg { &PG_MIGRATOR } else { &MIGRATOR })
        });
        Ok(migrator
            .iter()
            .all(|migration| applied.contains(&migration.version)))
    }

    /// Waits for the connections to finish and closes them (operator commands, before exiting).
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// How many pages the write-ahead log may reach before the writer checkpoints it itself (SQLite's
/// default is 1,000): about 40 MB of log, the backstop of [`spawn_checkpointer`] ([`Pool`]).
const WRITER_CHECKPOINT_PAGES: u32 = 10_000;

/// How often the checkpointer looks for something to copy.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(50);

/// Copies SQLite's write-ahead log into the database file in the background, on one of the readers,
/// whenever something was written since it last looked (`wrote`): a PASSIVE checkpoint, which copies
/// what no reader still needs and waits for nobody ([`Pool`] says why it is not left to the writer).
/// It stops when the pool is closed.
fn spawn_checkpointer(read: SqlitePool, wrote: Arc<AtomicBool>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if read.is_closed() {
                return;
            }
            if !wrote.swap(false, Ordering::Relaxed) {
                continue;
            }
            if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&read)
                .await
            {
                // The writer's own checkpoints still keep the log in bounds.
                tracing::warn!(%error, "copying the write-ahead log into the database failed");
            }
        }
    });
}

/// An SQLite pool of `size` connections, kept open: a connection is a file handle in this process,
/// which cannot go stale the way a network connection can, and the writer's page cache is what makes
/// it fast ([`Pool`]). No ping before handing one out either: it would be one more round trip to the
/// connection's thread, made while the writers queue.
fn sqlite_pool(size: u32) -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(size)
        .idle_timeout(None)
        .max_lifetime(None)
        .test_before_acquire(false)
}

/// Starts a PostgreSQL transaction with `statement`, in a task of its own so that it always
/// finishes. sqlx 0.9's PostgreSQL BEGIN is not safe to cancel: its guard queues a ROLLBACK only
/// once the BEGIN was answered, so a request cancelled between sending the BEGIN and reading its
/// answer (a deadline, a client gone) returned its connection to the pool still inside the
/// transaction, and the next user of that connection ran in it (a write then failed in a READ
/// ONLY one). Finished in its own task, the BEGIN yields a whole transaction, which rolls back on
/// drop if nobody is left to use it.
async fn begin_postgres(
    pool: &PgPool,
    statement: &'static str,
) -> Result<Transaction<'static, Postgres>> {
    let pool = pool.clone();
    tokio::spawn(async move { pool.begin_with(statement).await })
        .await
        .context("starting a transaction")?
        .map_err(Error::from)
}

impl Tx {
    /// Makes every change of the transaction visible at once.
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            Inner::Sqlite(tx) => tx.commit().await?,
            Inner::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Database, Pool, Store};
    use std::path::PathBuf;
    use std::time::Duration;

    /// The readers and the writer of a fresh SQLite store in `dir`.
    async fn sqlite_pools(dir: &tempfile::TempDir) -> (Store, sqlx::SqlitePool, sqlx::SqlitePool) {
        let store = Store::open(&dir.path().join("s.db")).await.unwrap();
        let Pool::Sqlite { read, write } = store.pool.clone() else {
            unreachable!("Store::open opens SQLite")
        };
        (store, read, write)
    }

    #[tokio::test]
    async fn sqlite_writes_only_on_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let (_store, read, write) = sqlite_pools(&dir).await;
        let statement = "INSERT INTO products (key, name, position) VALUES ('x', 'X', 99)";
        let refused = sqlx::query(statement).execute(&read).await.unwrap_err();
        assert!(
            refused.to_string().contains("readonly"),
            "a reader wrote: {refused}"
        );
        sqlx::query(statement).execute(&write).await.unwrap();
    }

    #[tokio::test]
    async fn the_checkpointer_copies_the_log_into_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _read, write) = sqlite_pools(&dir).await;
        let file = dir.path().join("s.db");
        let size = || std::fs::metadata(&file).unwrap().len();
        let before = size();
        // About 100 pages of new rows: in the log only, far below the writer's own checkpoint.
        sqlx::query("CREATE TABLE filler (b BLOB)")
            .execute(&write)
            .await
            .unwrap();
        for _ in 0..100 {
            let mut tx = store.begin_write().await.unwrap();
            let super::Inner::Sqlite(conn) = &mut tx.inner else {
                unreachable!()
            };
            sqlx::query("INSERT INTO filler VALUES (zeroblob(4000))")
                .execute(&mut **conn)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        // The checkpointer looks every 50 ms; give it a few seconds on a busy machine.
        for _ in 0..100 {
            if size() >= before + 100 * 4000 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the database file stayed at {} bytes (from {before})",
            size()
        );
    }

    #[test]
    fn the_database_url_picks_the_engine() {
        let sqlite = |p: &str| Ok(Database::Sqlite(PathBuf::from(p)));
        assert_eq!(
            Database::parse("data/support.db"),
            sqlite("data/support.db")
        );
        assert_eq!(Database::parse("/var/lib/s.db"), sqlite("/var/lib/s.db"));
        assert_eq!(Database::parse("sqlite://data/s.db"), sqlite("data/s.db"));
        assert_eq!(Database::parse("sqlite:///abs/s.db"), sqlite("/abs/s.db"));
        assert_eq!(Database::parse("sqlite:s.db"), sqlite("s.db"));
        for url in [
            "postgres://u:p@db:5432/support",
            "postgresql://db/support",
            "POSTGRES://db/support",
        ] {
            assert_eq!(Database::parse(url), Ok(Database::Postgres(url.to_owned())));
        }
        assert!(Database::parse("mysql://db/support").is_err());
        assert!(Database::parse("sqlite://").is_err());
        assert!(Database::parse("").is_err());
    }
}
