//! Outgoing email as rows. Callers enqueue inside the transaction that makes the change the email
//! reports, so a rolled-back change never sends mail and a committed one always has its email recorded.
//! Delivery (SMTP) reads the unsent rows; until it is configured the rows are the record.

use sqlx::{Sqlite, Transaction};

use crate::clock;
use crate::error::Result;

/// Records one email to `recipient` in `tx`.
pub async fn enqueue(
    tx: &mut Transaction<'_, Sqlite>,
    recipient: &str,
    subject: &str,
    body: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO outbox (recipient, subject, body, created_at) VALUES (?, ?, ?, ?)")
        .bind(recipient)
        .bind(subject)
        .bind(body)
        .bind(clock::now_rfc3339())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
