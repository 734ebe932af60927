//! `support-server tickets list|reply|set-status`: the support team's side of tickets, until it has its
//! own tool. A reply or a status change goes into the conversation and emails everyone on the ticket
//! through the same rules as the customers' changes (`rules::conversation`).

use std::fmt;

use api::{ActivityKind, Ticket, TicketStatus};

use crate::cli::{Escaped, open_existing};
use crate::clock;
use crate::config::{AgentStatus, Config, TicketsCommand};
use crate::error::Error;
use crate::rules::conversation::apply_status;
use crate::rules::conversation::change::{Actor, Audience, Change, Entry, record, set_status};
use crate::rules::conversation::emails::notify_change;
use crate::rules::tickets::reload;
use crate::store::Store;
use crate::store::tickets::TicketOverview;

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

/// What an agent's action did.
#[derive(Debug, Clone)]
pub struct AgentOutcome {
    pub ticket: Ticket,
    pub organization: String,
    /// The status before the action.
    pub previous: TicketStatus,
    /// Emails recorded in the outbox.
    pub emails: usize,
    /// Whether this was the support team's first reply on the ticket.
    pub first_response: bool,
}

/// Why an agent's action was refused.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("ticket {0} does not exist")]
    NotFound(i64),
    #[error("ticket {0} is closed: set another status first to reply")]
    Closed(i64),
    #[error("ticket {id} is already {status}")]
    Unchanged { id: i64, status: &'static str },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Server(#[from] Error),
}

/// The organization of ticket `id`, or [`AgentError::NotFound`].
async fn ticket_org(store: &Store, id: i64) -> Result<i64, AgentError> {
    store
        .ticket_organization(id)
        .await?
        .ok_or(AgentError::NotFound(id))
}

/// A reply's checks: the name the customer sees, and a body within the comment limit.
fn check_reply<'a>(author: &'a str, body: &'a str) -> Result<(&'a str, &'a str), AgentError> {
    let author = author.trim();
    let body = body.trim();
    if author.is_empty() {
        return Err(AgentError::Invalid(
            "--author is required: the name the customer sees".into(),
        ));
    }
    if body.is_empty() {
        return Err(AgentError::Invalid("a reply needs a --body".into()));
    }
    if body.chars().count() > api::conversation::COMMENT_MAX_CHARS {
        return Err(AgentError::Invalid(format!(
            "a reply can have at most {} characters",
            api::conversation::COMMENT_MAX_CHARS
        )));
    }
    Ok((author, body))
}

/// A reply from the support team, optionally moving the ticket to `status`. The first reply sets the
/// ticket's first response time. Emails the submitter, the CCs, the followers and the account team.
pub async fn agent_reply(
    store: &Store,
    ticket_id: i64,
    author: &str,
    body: &str,
    status: Option<TicketStatus>,
) -> Result<AgentOutcome, AgentError> {
    let (author, body) = check_reply(author, body)?;
    let org_id = ticket_org(store, ticket_id).await?;
    let audience = Audience::load(store, org_id).await?;
    let actor = Actor::Agent {
        name: author.to_owned(),
    };
    let mut tx = store.begin_write().await?;
    let before = reload(&mut tx, ticket_id).await?.ticket;
    let previous = before.status;
    if previous == TicketStatus::Closed {
        return Err(AgentError::Closed(ticket_id));
    }
    let now = clock::now_timestamp();
    let entry = Entry {
        body,
        ..Entry::default()
    };
    record(
        &mut tx,
        ticket_id,
        &actor,
        ActivityKind::Comment,
        entry,
        now,
    )
    .await?;
    tx.record_agent_reply(ticket_id, now).await?;
    let mut change = Change {
        comment: Some(body.to_owned()),
        ..Change::default()
    };
    if let Some(status) = status.filter(|s| *s != previous) {
        set_status(&mut tx, ticket_id, &actor, status, now).await?;
        change.status = Some(status);
    }
    let ticket = reload(&mut tx, ticket_id).await?.ticket;
    let emails = notify_change(&mut tx, &ticket, &audience, &actor, &change).await?;
    tx.commit().await?;
    tracing::info!(ticket_id, "support team replied");
    Ok(AgentOutcome {
        ticket,
        organization: audience.organization,
        previous,
        emails,
        first_response: before.first_response_at.is_none(),
    })
}

/// The support team moves a ticket to any status (closing it, asking for a reply, ...).
pub async fn agent_set_status(
    store: &Store,
    ticket_id: i64,
    author: &str,
    status: TicketStatus,
) -> Result<AgentOutcome, AgentError> {
    let org_id = ticket_org(store, ticket_id).await?;
    let audience = Audience::load(store, org_id).await?;
    let actor = Actor::Agent {
        name: author.trim().to_owned(),
    };
    let mut tx = store.begin_write().await?;
    let previous = reload(&mut tx, ticket_id).await?.ticket.status;
    if previous == status {
        return Err(AgentError::Unchanged {
            id: ticket_id,
            status: status.as_str(),
        });
    }
    let (stored, emails) = apply_status(&mut tx, ticket_id, &actor, status, &audience).await?;
    tx.commit().await?;
    tracing::info!(
        ticket_id,
        status = status.as_str(),
        "support team changed the status"
    );
    Ok(AgentOutcome {
        ticket: stored.ticket,
        organization: audience.organization,
        previous,
        emails,
        first_response: false,
    })
}

/// One line of `tickets list`, tab-separated: id, organization, status, subject (user text
/// [`Escaped`]).
struct Line<'a>(&'a TicketOverview);

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{}\t{}\t{}\t{}",
            t.id,
            Escaped(&t.organization),
            t.status,
            Escaped(&t.subject)
        )
    }
}

fn describe(outcome: &AgentOutcome) -> String {
    let t = &outcome.ticket;
    format!(
        "ticket {} ({}: {}) is {}",
        t.id,
        Escaped(&outcome.organization),
        Escaped(&t.subject),
        t.status.as_str()
    )
}

/// Runs a `tickets` subcommand against the configured database, printing what was done.
pub async fn run(config: &Config, command: TicketsCommand) -> anyhow::Result<()> {
    let store = open_existing(config).await?;
    match command {
        TicketsCommand::List => {
            let tickets = store.ticket_overviews().await?;
            if tickets.is_empty() {
                eprintln!("No tickets.");
            }
            for ticket in &tickets {
                println!("{}", Line(ticket));
            }
        }
        TicketsCommand::Reply {
            id,
            author,
            body,
            status,
        } => {
            let outcome = agent_reply(&store, id, &author, &body, status.map(Into::into)).await?;
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
            let outcome = agent_set_status(&store, id, &author, status.into()).await?;
            println!(
                "Status changed from {}; {}; {} emails queued.",
                outcome.previous.as_str(),
                describe(&outcome),
                outcome.emails
            );
        }
    }
    store.close().await;
    Ok(())
}
