//! Idempotency keys: one row per user and key while the key lives, `in_flight` while its first
//! request runs, then `done` with the answer to replay.

use api::Timestamp;

use super::{Store, Tx};
use crate::error::Result;

/// Ownership of a key while its request runs. `claimed_at` tells this claim from a later takeover.
#[derive(Debug, Clone)]
pub struct Claim {
    pub user_id: i64,
    pub key: String,
    pub claimed_at: Timestamp,
    /// SHA-256 hex of what the request asks for.
    pub request_hash: String,
    /// Whether the key is stored as in flight ([`Tx::insert_key`]). A key the user had not sent is
    /// not: it is stored with its answer ([`Tx::insert_done_key`]).
    pub recorded: bool,
}

/// A key as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredKey {
    /// SHA-256 hex of what the first request asked for.
    pub request_hash: String,
    /// `in_flight` or `done`.
    pub state: String,
    /// With `done`: the answer's HTTP status.
    pub status_code: Option<i64>,
    /// With `done`: the answer's JSON text.
    pub response_body: Option<String>,
    /// When it was claimed (or last taken over).
    #[sqlx(try_from = "String")]
    pub created_at: Timestamp,
}

impl Tx {
    /// Records `claim` as in flight for a request with `hash`, unless the user has the key already
    /// from `expired_before` or later; whether it did. A key older than that is past its lifetime
    /// and is replaced in the same statement (the purge job deletes the ones nobody sends again):
    /// one statement fewer in every claim's write transaction than deleting them here first.
    pub async fn insert_key(
        &mut self,
        claim: &Claim,
        hash: &str,
        expired_before: Timestamp,
    ) -> Result<bool> {
        on_tx!(self, |conn| {
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys (user_id, key, request_hash, state, created_at)
             VALUES ($1, $2, $3, 'in_flight', $4)
             ON CONFLICT (user_id, key) DO UPDATE SET request_hash = excluded.request_hash,
                 state = excluded.state, status_code = NULL, response_body = NULL,
                 created_at = excluded.created_at
             WHERE idempotency_keys.created_at < $5",
            )
            .bind(claim.user_id)
            .bind(&claim.key)
            .bind(hash)
            .bind(claim.claimed_at.to_string())
            .bind(expired_before.to_string())
            .execute(&mut *conn)
            .await?;
            Ok(inserted.rows_affected() == 1)
        })
    }

    /// The user's key as stored (which must exist).
    pub async fn key(&mut self, user_id: i64, key: &str) -> Result<StoredKey> {
        on_tx!(self, |conn| {
            Ok(sqlx::query_as(
                "SELECT request_hash, state, status_code, response_body, created_at
             FROM idempotency_keys WHERE user_id = $1 AND key = $2",
            )
            .bind(user_id)
            .bind(key)
            .fetch_one(&mut *conn)
            .await?)
        })
    }

    /// Makes an in-flight key `claim`'s, whose first request never finished.
    pub async fn take_over_key(&mut self, claim: &Claim) -> Result<()> {
        on_tx!(self, |conn| {
            sqlx::query(
                "UPDATE idempotency_keys SET created_at = $1 WHERE user_id = $2 AND key = $3",
            )
            .bind(claim.claimed_at.to_string())
            .bind(claim.user_id)
            .bind(&claim.key)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }

    /// Stores `claim`'s key with its answer at once, in the transaction of the work, for a key that
    /// was not stored when the request began. Whether it was stored: `false` when another request
    /// with the key stored it meanwhile (this transaction must roll back).
    pub async fn insert_done_key(
        &mut self,
        claim: &Claim,
        status: u16,
        body: &str,
    ) -> Result<bool> {
        on_tx!(self, |conn| {
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys
                    (user_id, key, request_hash, state, status_code, response_body, created_at)
                 VALUES ($1, $2, $3, 'done', $4, $5, $6)
                 ON CONFLICT (user_id, key) DO NOTHING",
            )
            .bind(claim.user_id)
            .bind(&claim.key)
            .bind(&claim.request_hash)
            .bind(i64::from(status))
            .bind(body)
            .bind(claim.claimed_at.to_string())
            .execute(&mut *conn)
            .await?;
            Ok(inserted.rows_affected() == 1)
        })
    }

    /// Stores the answer on the key, in the transaction of the work so both commit together. Whether
    /// the key was still `claim`'s: `false` when it was taken over meanwhile (the other request does
    /// the work, and this transaction must roll back).
    pub async fn complete_key(&mut self, claim: &Claim, status: u16, body: &str) -> Result<bool> {
        on_tx!(self, |conn| {
            let updated = sqlx::query(
                "UPDATE idempotency_keys SET state = 'done', status_code = $1, response_body = $2
             WHERE user_id = $3 AND key = $4 AND state = 'in_flight' AND created_at = $5",
            )
            .bind(i64::from(status))
            .bind(body)
            .bind(claim.user_id)
            .bind(&claim.key)
            .bind(claim.claimed_at.to_string())
            .execute(&mut *conn)
            .await?;
            Ok(updated.rows_affected() == 1)
        })
    }
}

impl Store {
    /// Whether `user_id` has the key `key` stored, in any state (a read: no lock).
    pub async fn has_key(&self, user_id: i64, key: &str) -> Result<bool> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM idempotency_keys WHERE user_id = $1 AND key = $2)",
            )
            .bind(user_id)
            .bind(key)
            .fetch_one(pool)
            .await?)
        })
    }

    /// Deletes every key created before `before` (past its lifetime); how many.
    pub async fn delete_keys_before(&self, before: Timestamp) -> Result<u64> {
        on_writer!(self, |pool| {
            Ok(
                sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                    .bind(before.to_string())
                    .execute(pool)
                    .await?
                    .rows_affected(),
            )
        })
    }

    /// Forgets `claim` after its work failed, so the same key can be sent again.
    pub async fn release_key(&self, claim: &Claim) -> Result<()> {
        on_writer!(self, |pool| {
            sqlx::query(
                "DELETE FROM idempotency_keys
             WHERE user_id = $1 AND key = $2 AND state = 'in_flight' AND created_at = $3",
            )
            .bind(claim.user_id)
            .bind(&claim.key)
            .bind(claim.claimed_at.to_string())
            .execute(pool)
            .await?;
            Ok(())
        })
    }
}
