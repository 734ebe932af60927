//! Outgoing email as rows: recorded in the transaction of the change they report, then claimed, sent
//! and marked by the delivery worker (`jobs::outbox`).

use api::Timestamp;

use super::{Store, Tx};
use crate::clock;
use crate::error::Result;

/// One email claimed for sending.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueuedEmail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

impl Tx {
    /// Records one email to `recipient`; it is sent (with `--smtp-url`) once the transaction commits.
    pub async fn enqueue_email(
        &mut self,
        recipient: &str,
        subject: &str,
        body: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO outbox (recipient, subject, body, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(recipient)
        .bind(subject)
        .bind(body)
        .bind(clock::now_timestamp().to_string())
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

impl Store {
    /// Takes the oldest due email (unsent, fewer than `max_attempts` attempts, `next_attempt_at`
    /// reached at `now`): counts the attempt and reserves the row until `lease_until`, in one
    /// statement, so two workers never get the same row.
    pub async fn claim_due_email(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        max_attempts: i64,
    ) -> Result<Option<QueuedEmail>> {
        Ok(sqlx::query_as(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?
             WHERE id = (
                 SELECT id FROM outbox
                 WHERE sent_at IS NULL AND attempts < ?
                   AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
                 ORDER BY id LIMIT 1
             )
             RETURNING id, recipient, subject, body, attempts",
        )
        .bind(lease_until.to_string())
        .bind(max_attempts)
        .bind(now.to_string())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Records that the SMTP server accepted email `id` at `at`.
    pub async fn mark_email_sent(&self, id: i64, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE outbox SET sent_at = ?, next_attempt_at = NULL WHERE id = ?")
            .bind(at.to_string())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records why email `id` failed and when to try it again.
    pub async fn mark_email_failed(&self, id: i64, error: &str, retry_at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE outbox SET last_error = ?, next_attempt_at = ? WHERE id = ?")
            .bind(error)
            .bind(retry_at.to_string())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
