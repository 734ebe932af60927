//! The abuse limits' counted events (`rules::limits` decides what they allow): one generic store for
//! every "at most N in the last hour" counter, read and written inside the request's write
//! transaction, so a check and its count are atomic across requests and server instances.

use super::Tx;
use crate::error::Result;

/// What a counter holds in its window, from one aggregate query ([`Tx::rate_usage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct RateUsage {
    /// The sum of the amounts counted in the window.
    pub used: i64,
    /// The time of the oldest event whose leaving the window (with every older one) brings the sum
    /// down to the target asked for; `None` when no event does (the window is empty, or even
    /// without every event the target is not met).
    pub free_at_ms: Option<i64>,
}

impl Tx {
    /// The amount counted under `key` after `since_ms`, and when enough of it has left the window
    /// for the sum to be at most `target` (only needed for a refusal's `Retry-After`, but found in
    /// the same pass over the index `rate_events_by_key_amount`).
    ///
    /// Numbered placeholders and explicit casts: the same text runs on PostgreSQL, where `SUM` of a
    /// `BIGINT` is a `NUMERIC` and `?` is not a placeholder.
    pub async fn rate_usage(&mut self, key: &str, since_ms: i64, target: i64) -> Result<RateUsage> {
        on_tx!(self, |conn| {
            Ok(sqlx::query_as(
                "SELECT CAST(COALESCE(MAX(total), 0) AS BIGINT) AS used, \
                    MIN(CASE WHEN total - gone <= $3 THEN at_ms END) AS free_at_ms \
             FROM (SELECT at_ms, \
                          CAST(SUM(amount) OVER (ORDER BY at_ms) AS BIGINT) AS gone, \
                          CAST(SUM(amount) OVER () AS BIGINT) AS total \
                   FROM rate_events WHERE key = $1 AND at_ms > $2) AS counted",
            )
            .bind(key)
            .bind(since_ms)
            .bind(target)
            .fetch_one(&mut *conn)
            .await?)
        })
    }

    /// The amounts counted under each of `keys` (one or two) after `since_ms`, in their order, in
    /// one statement (a missing second key is NULL, which no row's key equals).
    pub async fn rate_used(&mut self, keys: &[String], since_ms: i64) -> Result<Vec<i64>> {
        let [first, rest @ ..] = keys else {
            return Ok(Vec::new());
        };
        let second: Option<&String> = match rest {
            [] => None,
            [second] => Some(second),
            _ => return Err(anyhow::anyhow!("at most two rate keys at once").into()),
        };
        let (a, b): (i64, i64) = on_tx!(self, |conn| {
            sqlx::query_as(
                "SELECT CAST(COALESCE(SUM(CASE WHEN key = $1 THEN amount END), 0) AS BIGINT),
                    CAST(COALESCE(SUM(CASE WHEN key = $2 THEN amount END), 0) AS BIGINT)
             FROM rate_events WHERE (key = $1 OR key = $2) AND at_ms > $3",
            )
            .bind(first)
            .bind(second)
            .bind(since_ms)
            .fetch_one(&mut *conn)
            .await?
        });
        Ok(if second.is_some() {
            vec![a, b]
        } else {
            vec![a]
        })
    }

    /// Counts `amount` under each of `keys` (one or two) at `at_ms`, in one statement.
    pub async fn add_rate_events(
        &mut self,
        keys: &[String],
        at_ms: i64,
        amount: i64,
    ) -> Result<()> {
        on_tx!(self, |conn| {
            let query = match keys {
                [] => return Ok(()),
                [key] => sqlx::query(
                    "INSERT INTO rate_events (key, at_ms, amount) VALUES ($1, $2, $3)",
                )
                .bind(key),
                [first, second] => sqlx::query(
                    "INSERT INTO rate_events (key, at_ms, amount) VALUES ($1, $3, $4), ($2, $3, $4)",
                )
                .bind(first)
                .bind(second),
                _ => return Err(anyhow::anyhow!("at most two rate keys at once").into()),
            };
            query.bind(at_ms).bind(amount).execute(&mut *conn).await?;
            Ok(())
        })
    }
}

impl super::Store {
    /// Forgets every event at or before `before_ms` (older than every window); how many. Run by the
    /// hourly purge (`jobs::purge`), not by every count: the table holds at most two hours of events.
    pub async fn purge_rate_events(&self, before_ms: i64) -> Result<u64> {
        on_writer!(self, |pool| {
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
