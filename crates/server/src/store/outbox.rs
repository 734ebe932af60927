//! Outgoing email as rows: recorded in the transaction of the change they report, then claimed, sent
//! and marked by the delivery worker (`jobs::outbox`). Each row gets its Message-ID's unique part when
//! it is recorded; an email about a ticket also names the ticket and its recipient's reply token
//! (`reply_tokens`, see `rules::mail`).

use api::Timestamp;
use rand::RngCore;

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
    /// The unique part of its Message-ID (`None` for rows recorded before it existed).
    pub message_id: Option<String>,
    /// The ticket it is about, for the threading headers.
    pub ticket_id: Option<i64>,
    /// The recipient's reply token for that ticket.
    pub reply_token: Option<String>,
}

/// 32 random hex characters: a Message-ID's unique part, or a reply token (128 bits: not guessable).
pub fn random_token() -> String {
    let mut raw = [0u8; 16];
    rand::rng().fill_bytes(&mut raw);
    hex::encode(raw)
}

/// Where a reply token leads.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReplyToken {
    pub ticket_id: i64,
    /// Normalised address the token was given to.
    pub recipient: String,
}

impl Tx {
    /// Records one email to `recipient`; it is sent (with `--smtp-url`) once the transaction commits.
    pub async fn enqueue_email(
        &mut self,
        recipient: &str,
        subject: &str,
        body: &str,
    ) -> Result<()> {
        self.insert_email(recipient, subject, body, None, None)
            .await
    }

    /// Records one email to `recipient` about ticket `ticket_id`, with the recipient's reply token for
    /// the ticket (made on the first email to them about it).
    pub async fn enqueue_ticket_email(
        &mut self,
        ticket_id: i64,
        recipient: &str,
        subject: &str,
        body: &str,
    ) -> Result<()> {
        let token = self.reply_token_for(ticket_id, recipient).await?;
        self.insert_email(recipient, subject, body, Some(ticket_id), Some(&token))
            .await
    }

    async fn insert_email(
        &mut self,
        recipient: &str,
        subject: &str,
        body: &str,
        ticket_id: Option<i64>,
        reply_token: Option<&str>,
    ) -> Result<()> {
        on_tx!(self, |conn| {
            sqlx::query(
                "INSERT INTO outbox
                 (recipient, subject, body, created_at, message_id, ticket_id, reply_token)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(recipient)
            .bind(subject)
            .bind(body)
            .bind(clock::now_timestamp().to_string())
            .bind(random_token())
            .bind(ticket_id)
            .bind(reply_token)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }

    /// The reply token of `recipient` (compared case-insensitively) on the ticket, made if needed.
    /// A new token comes back from the INSERT itself (always the case for a ticket just created: one
    /// round trip inside the create's write transaction); only an existing one is read separately.
    /// Not `DO UPDATE ... RETURNING`, which would answer in one statement every time but write the
    /// existing row again on every email.
    async fn reply_token_for(&mut self, ticket_id: i64, recipient: &str) -> Result<String> {
        on_tx!(self, |conn| {
            let recipient = recipient.trim().to_lowercase();
            let made: Option<String> = sqlx::query_scalar(
                "INSERT INTO reply_tokens (token, ticket_id, recipient, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (ticket_id, recipient) DO NOTHING
                 RETURNING token",
            )
            .bind(random_token())
            .bind(ticket_id)
            .bind(&recipient)
            .bind(clock::now_timestamp().to_string())
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(token) = made {
                return Ok(token);
            }
            Ok(sqlx::query_scalar(
                "SELECT token FROM reply_tokens WHERE ticket_id = $1 AND recipient = $2",
            )
            .bind(ticket_id)
            .bind(&recipient)
            .fetch_one(&mut *conn)
            .await?)
        })
    }
}

impl Store {
    /// Takes the oldest due email (unsent, fewer than `max_attempts` attempts, `next_attempt_at`
    /// reached at `now`): counts the attempt and reserves the row for process `claimed_by` until
    /// `lease_until`, in one statement, so two workers never get the same row. On PostgreSQL the inner select locks the row
    /// it picks and skips rows another worker has locked (`FOR UPDATE SKIP LOCKED`): without it, two
    /// workers in READ COMMITTED could both pick the same id and both update it.
    pub async fn claim_due_email(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        max_attempts: i64,
        claimed_by: &str,
    ) -> Result<Option<QueuedEmail>> {
        on_writer!(self, |pool, pg| {
            Ok(sqlx::query_as(if pg {
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, claimed_by = $4
             WHERE id = (
                 SELECT id FROM outbox
                 WHERE sent_at IS NULL AND attempts < $2
                   AND (next_attempt_at IS NULL OR next_attempt_at <= $3)
                 ORDER BY id LIMIT 1
                 FOR UPDATE SKIP LOCKED
             )
             RETURNING id, recipient, subject, body, attempts, message_id, ticket_id, reply_token"
            } else {
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, claimed_by = $4
             WHERE id = (
                 SELECT id FROM outbox
                 WHERE sent_at IS NULL AND attempts < $2
                   AND (next_attempt_at IS NULL OR next_attempt_at <= $3)
                 ORDER BY id LIMIT 1
             )
             RETURNING id, recipient, subject, body, attempts, message_id, ticket_id, reply_token"
            })
            .bind(lease_until.to_string())
            .bind(max_attempts)
            .bind(now.to_string())
            .bind(claimed_by)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Records that the SMTP server accepted email `id` at `at`.
    pub async fn mark_email_sent(&self, id: i64, at: Timestamp) -> Result<()> {
        on_writer!(self, |pool| {
            sqlx::query("UPDATE outbox SET sent_at = $1, next_attempt_at = NULL, claimed_by = NULL WHERE id = $2")
                .bind(at.to_string())
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Deletes the emails sent at or before `cutoff`; how many. Unsent rows stay, however old.
    pub async fn delete_sent_emails_before(&self, cutoff: Timestamp) -> Result<u64> {
        on_writer!(self, |pool| {
            Ok(
                sqlx::query("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at <= $1")
                    .bind(cutoff.to_string())
                    .execute(pool)
                    .await?
                    .rows_affected(),
            )
        })
    }

    /// Records why email `id` failed and when to try it again.
    pub async fn mark_email_failed(&self, id: i64, error: &str, retry_at: Timestamp) -> Result<()> {
        on_writer!(self, |pool| {
            sqlx::query("UPDATE outbox SET last_error = $1, next_attempt_at = $2, claimed_by = NULL WHERE id = $3")
                .bind(error)
                .bind(retry_at.to_string())
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Makes every outbox row that a process claimed and never finished due again: for the new
    /// holder of the outbox lease, which is the only instance sending, so whoever claimed them has
    /// stopped. How many.
    pub async fn release_email_claims(&self) -> Result<u64> {
        on_writer!(self, |pool| {
            Ok(sqlx::query(
                "UPDATE outbox SET next_attempt_at = NULL, claimed_by = NULL \
                 WHERE claimed_by IS NOT NULL AND sent_at IS NULL",
            )
            .execute(pool)
            .await?
            .rows_affected())
        })
    }

    /// Where reply token `token` leads, if it was ever given out (tokens are stored lower-case; mail
    /// systems may change the case of an address's local part).
    pub async fn reply_token(&self, token: &str) -> Result<Option<ReplyToken>> {
        on_pool!(self, |pool| {
            Ok(
                sqlx::query_as("SELECT ticket_id, recipient FROM reply_tokens WHERE token = $1")
                    .bind(token.to_ascii_lowercase())
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }
}
