//! The sign-in limiter's counters (`rules::auth` decides what they allow): read and written inside
//! one write transaction, so a reservation is atomic across requests and server instances.

use super::Tx;
use crate::error::Result;

/// One counter as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct SignInCounter {
    /// Failures (an account) or attempts in the current window (an address, all sign-ins).
    pub count: i64,
    /// Unix milliseconds: when the current window began.
    pub window_start_ms: i64,
    /// Unix milliseconds of the last counted attempt.
    pub last_ms: i64,
}

impl Tx {
    /// The counter stored under `key`, if any.
    pub async fn sign_in_counter(&mut self, key: &str) -> Result<Option<SignInCounter>> {
        on_tx!(self, |conn| {
            Ok(sqlx::query_as(
                "SELECT count, window_start_ms, last_ms FROM sign_in_limits WHERE key = $1",
            )
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?)
        })
    }

    /// Stores `counter` under `key`, replacing what was there.
    pub async fn put_sign_in_counter(&mut self, key: &str, counter: SignInCounter) -> Result<()> {
        on_tx!(self, |conn| {
            sqlx::query(
            "INSERT INTO sign_in_limits (key, count, window_start_ms, last_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET count = excluded.count, \
             window_start_ms = excluded.window_start_ms, last_ms = excluded.last_ms",
        )
        .bind(key)
        .bind(counter.count)
        .bind(counter.window_start_ms)
        .bind(counter.last_ms)
        .execute(&mut *conn)
        .await?;
            Ok(())
        })
    }

    /// Forgets the counter under `key` (a successful sign-in clears its account's failures).
    pub async fn delete_sign_in_counter(&mut self, key: &str) -> Result<()> {
        on_tx!(self, |conn| {
            sqlx::query("DELETE FROM sign_in_limits WHERE key = $1")
                .bind(key)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }

    /// Forgets every counter whose last attempt is older than `before_ms`.
    pub async fn purge_sign_in_counters(&mut self, before_ms: i64) -> Result<()> {
        on_tx!(self, |conn| {
            sqlx::query("DELETE FROM sign_in_limits WHERE last_ms < $1")
                .bind(before_ms)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }
}

#[cfg(feature = "test-support")]
impl super::Store {
    /// How many counters are stored (tests check the table stays bounded).
    pub async fn sign_in_counter_rows(&self) -> Result<i64> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_limits")
                .fetch_one(pool)
                .await?)
        })
    }
}
