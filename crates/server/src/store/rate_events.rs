//! The abuse limits' counted events (`rules::limits` decides what they allow): one generic store for
//! every "at most N in the last hour" counter, read and written inside the request's write
//! transaction, so a check and its count are atomic across requests and server instances.

use super::Tx;
use crate::error::Result;

/// One counted request as stored: when, and how much it counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct RateEvent {
    /// Unix milliseconds.
    pub at_ms: i64,
    /// 1, or the number of recipients of an email.
    pub amount: i64,
}

impl Tx {
    /// The events counted under `key` after `since_ms`, oldest first.
    pub async fn rate_events(&mut self, key: &str, since_ms: i64) -> Result<Vec<RateEvent>> {
        on_tx!(self, |conn| {
            Ok(sqlx::query_as(
            "SELECT at_ms, amount FROM rate_events WHERE key = $1 AND at_ms > $2 ORDER BY at_ms",
        )
        .bind(key)
        .bind(since_ms)
        .fetch_all(&mut *conn)
        .await?)
        })
    }

    /// Counts `amount` under `key` at `at_ms`.
    pub async fn add_rate_event(&mut self, key: &str, at_ms: i64, amount: i64) -> Result<()> {
        on_tx!(self, |conn| {
            sqlx::query("INSERT INTO rate_events (key, at_ms, amount) VALUES ($1, $2, $3)")
                .bind(key)
                .bind(at_ms)
                .bind(amount)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }
}

impl super::Store {
    /// Forgets every event at or before `before_ms` (older than every window); how many. Run by the
    /// hourly purge (`jobs::purge`), not by every count: the table holds at most two hours of events.
    pub async fn purge_rate_events(&self, before_ms: i64) -> Result<u64> {
        on_pool!(self, |pool| {
            Ok(sqlx::query("DELETE FROM rate_events WHERE at_ms <= $1")
                .bind(before_ms)
                .execute(pool)
                .await?
                .rows_affected())
        })
    }
}

#[cfg(feature = "test-support")]
impl super::Store {
    /// How many events are stored (tests check the table stays bounded).
    pub async fn rate_event_rows(&self) -> Result<i64> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM rate_events")
                .fetch_one(pool)
                .await?)
        })
    }
}
