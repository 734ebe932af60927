//! Leases on background jobs (`jobs::lease` decides when to take, renew and give them up): one row per
//! job, so that one instance on the database runs each job at a time.
//!
//! Every statement here is written once for both engines: `$n` placeholders, `INSERT .. ON CONFLICT ..
//! DO UPDATE .. WHERE` and `excluded.` (SQLite 3.24+, PostgreSQL 9.5+), integer milliseconds rather
//! than a time type.

use super::Store;
use crate::error::Result;

impl Store {
    /// Takes lease `name` for `holder` until `expires_at_ms`, or renews it, in one statement: only when
    /// nobody holds it, when its holder's time ran out by `now_ms`, or when `holder` already has it.
    /// Whether `holder` holds it now.
    pub async fn try_take_lease(
        &self,
        name: &str,
        holder: &str,
        now_ms: i64,
        expires_at_ms: i64,
    ) -> Result<bool> {
        let taken = on_writer!(self, |pool| sqlx::query(
            "INSERT INTO leases (name, holder, expires_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE \
             SET holder = excluded.holder, expires_at_ms = excluded.expires_at_ms \
             WHERE leases.holder = excluded.holder OR leases.expires_at_ms <= $4",
        )
        .bind(name)
        .bind(holder)
        .bind(expires_at_ms)
        .bind(now_ms)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(taken == 1)
    }

    /// Gives lease `name` up, if `holder` still has it, so another instance can take it at once.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        on_writer!(self, |pool| sqlx::query(
            "DELETE FROM leases WHERE name = $1 AND holder = $2"
        )
        .bind(name)
        .bind(holder)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }
}

#[cfg(feature = "test-support")]
impl Store {
    /// Who holds lease `name` and until when (Unix ms), if anyone has it.
    pub async fn lease(&self, name: &str) -> Result<Option<(String, i64)>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(
            "SELECT holder, expires_at_ms FROM leases WHERE name = $1"
        )
        .bind(name)
        .fetch_optional(pool)
        .await?))
    }
}
