//! The conversation on a ticket as stored: one activity stream of comments, CC changes and status
//! changes; and the admins who follow every ticket of their organization.

use api::{ActivityKind, AuthorKind, TicketStatus, Timestamp};

use super::{Store, Tx, codec};
use crate::error::Result;

/// One entry of a ticket's conversation.
#[derive(Debug, Clone, Copy)]
pub struct NewActivity<'a> {
    pub kind: ActivityKind,
    pub author_kind: AuthorKind,
    /// The console user who wrote it; `None` for the support team, who are not console users.
    pub author_id: Option<i64>,
    /// As the conversation shows it, whatever the user is called later.
    pub author_name: &'a str,
    /// The comment; empty for the other kinds.
    pub body: &'a str,
    /// The addresses added or removed, for the CC kinds.
    pub emails: &'a [String],
    /// The new status, for a status change.
    pub status: Option<TicketStatus>,
    pub at: Timestamp,
    /// It arrived as an email reply.
    pub by_email: bool,
}

impl Store {
    /// The addresses of the organization's admins who follow all of its tickets (current admins
    /// only), alphabetically.
    pub async fn followers(&self, org_id: i64) -> Result<Vec<String>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT u.email FROM ticket_followers f
             JOIN memberships m ON m.user_id = f.user_id AND m.organization_id = f.organization_id
             JOIN users u ON u.id = f.user_id
             WHERE f.organization_id = $1 AND m.role = 'admin'
             ORDER BY u.email",
            )
            .bind(org_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Starts (or keeps) `user_id` following every ticket of the organization.
    pub async fn follow_tickets(&self, org_id: i64, user_id: i64, since: Timestamp) -> Result<()> {
        on_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO ticket_followers (organization_id, user_id, since) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            )
            .bind(org_id)
            .bind(user_id)
            .bind(since.to_string())
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Stops `user_id` following the organization's tickets.
    pub async fn unfollow_tickets(&self, org_id: i64, user_id: i64) -> Result<()> {
        on_writer!(self, |pool| {
            sqlx::query("DELETE FROM ticket_followers WHERE organization_id = $1 AND user_id = $2")
                .bind(org_id)
                .bind(user_id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }
}

impl Tx {
    /// Records one entry of the ticket's conversation and returns its id.
    pub async fn record_activity(
        &mut self,
        ticket_id: i64,
        entry: &NewActivity<'_>,
    ) -> Result<i64> {
        on_tx!(self, |conn| {
            Ok(sqlx::query_scalar(
                "INSERT INTO ticket_activity
                 (ticket_id, kind, author_kind, author_id, author_name, body, emails, status,
                  created_at, by_email)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(ticket_id)
            .bind(codec::activity_kind_str(entry.kind))
            .bind(codec::author_kind_str(entry.author_kind))
            .bind(entry.author_id)
            .bind(entry.author_name)
            .bind(entry.body)
            .bind(serde_json::to_string(entry.emails).map_err(anyhow::Error::from)?)
            .bind(entry.status.map(TicketStatus::as_str))
            .bind(entry.at.to_string())
            .bind(entry.by_email)
            .fetch_one(&mut *conn)
            .await?)
        })
    }

    /// Whether `user_id` follows every ticket of the organization.
    pub async fn follows_tickets(&mut self, org_id: i64, user_id: i64) -> Result<bool> {
        on_tx!(self, |conn| {
            Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM ticket_followers WHERE organization_id = $1 AND user_id = $2)",
        )
        .bind(org_id)
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?)
        })
    }
}
