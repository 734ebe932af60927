//! The support team's side of tickets, until it has its own tool: `support-server tickets list`,
//! `tickets reply` and `tickets set-status`. Thin wrappers over [`crate::conversation`]'s agent
//! functions, which the tests exercise through the real binary.

use std::fmt;

use api::TicketStatus;
use sqlx::SqlitePool;

use crate::admin::open_existing;
use crate::config::{AgentStatus, Config, TicketsCommand};
use crate::conversation::{self, AgentOutcome};

impl From<AgentStatus> for TicketStatus {
    fn from(status: AgentStatus) -> Self {
        match status {
            AgentStatus::Open => TicketStatus::Open,
            AgentStatus::AwaitingCustomer => TicketStatus::AwaitingCustomer,
            AgentStatus::Solved => TicketStatus::Solved,
            AgentStatus::Closed => TicketStatus::Closed,
        }
    }
}

/// One ticket as `tickets list` prints it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketLine {
    pub id: i64,
    pub organization: String,
    pub status: String,
    pub subject: String,
}

impl fmt::Display for TicketLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\t{}\t{}\t{}",
            self.id, self.organization, self.status, self.subject
        )
    }
}

/// Every ticket, most recently updated first.
pub async fn list(db: &SqlitePool) -> crate::Result<Vec<TicketLine>> {
    Ok(sqlx::query_as(
        "SELECT t.id, o.name AS organization, t.status, t.subject
         FROM tickets t JOIN organizations o ON o.id = t.organization_id
         ORDER BY t.updated_at DESC, t.id DESC",
    )
    .fetch_all(db)
    .await?)
}

fn describe(outcome: &AgentOutcome) -> String {
    let t = &outcome.ticket;
    format!(
        "ticket {} ({}: {}) is {}",
        t.id,
        outcome.organization,
        t.subject,
        t.status.as_str()
    )
}

/// Runs a `tickets` subcommand against the configured database, printing what was done.
pub async fn run(config: &Config, command: TicketsCommand) -> anyhow::Result<()> {
    let db = open_existing(config).await?;
    match command {
        TicketsCommand::List => {
            let tickets = list(&db).await?;
            if tickets.is_empty() {
                eprintln!("No tickets.");
            }
            for ticket in &tickets {
                println!("{ticket}");
            }
        }
        TicketsCommand::Reply {
            id,
            author,
            body,
            status,
        } => {
            let outcome =
                conversation::agent_reply(&db, id, &author, &body, status.map(Into::into)).await?;
            let first = if outcome.first_response {
                " (the first response)"
            } else {
                ""
            };
            println!(
                "Replied as {}{first}; {}; {} emails queued.",
                author.trim(),
                describe(&outcome),
                outcome.emails
            );
        }
        TicketsCommand::SetStatus { id, status, author } => {
            let outcome = conversation::agent_set_status(&db, id, &author, status.into()).await?;
            println!(
                "Status changed from {}; {}; {} emails queued.",
                outcome.previous.as_str(),
                describe(&outcome),
                outcome.emails
            );
        }
    }
    db.close().await;
    Ok(())
}
