//! Who changes a ticket and what changed: the vocabulary of the conversation, recording one entry of
//! it, and who besides the ticket's own people hears about a change.

use api::{ActivityKind, AuthorKind, TicketStatus, Timestamp};

use crate::error::Result;
use crate::rules::auth::Member;
use crate::rules::support;
use crate::rules::tickets::permissions::normalise_email;
use crate::store::activity::NewActivity;
use crate::store::{Store, Tx};

/// Who made a change: a console user, someone of the support team (who is not a console user), or
/// an address on the CC list that is not a console user, replying by email.
#[derive(Debug, Clone)]
pub enum Actor {
    Customer {
        user_id: i64,
        name: String,
        email: String,
    },
    Agent {
        name: String,
    },
    /// Named by its (normalised) address only.
    Email {
        email: String,
    },
}

impl Actor {
    /// The signed-in member, with the name the conversation shows.
    pub async fn customer(store: &Store, member: &Member) -> Result<Self> {
        Ok(Actor::Customer {
            user_id: member.user.id,
            name: store.user_name(member.user.id).await?,
            email: normalise_email(&member.user.email),
        })
    }

    fn kind(&self) -> AuthorKind {
        match self {
            Actor::Customer { .. } => AuthorKind::Customer,
            Actor::Agent { .. } => AuthorKind::Agent,
            Actor::Email { .. } => AuthorKind::Email,
        }
    }

    fn name(&self) -> &str {
        match self {
            Actor::Customer { name, .. } | Actor::Agent { name } => name,
            Actor::Email { email } => email,
        }
    }

    /// The address that made the change, which its emails skip.
    pub fn email(&self) -> Option<&str> {
        match self {
            Actor::Customer { email, .. } | Actor::Email { email } => Some(email),
            Actor::Agent { .. } => None,
        }
    }

    /// How emails name them.
    pub fn label(&self) -> String {
        match self {
            Actor::Customer { name, email, .. } => format!("{name} <{email}>"),
            Actor::Agent { name } => format!("{name} (support team)"),
            Actor::Email { email } => email.clone(),
        }
    }
}

/// What one request changed on a ticket; its emails say all of it at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// The comment, when one was written.
    pub comment: Option<String>,
    /// Names of the files sent with the comment.
    pub files: Vec<String>,
    pub cc_added: Vec<String>,
    pub cc_removed: Vec<String>,
    /// The new status, when it changed.
    pub status: Option<TicketStatus>,
}

/// The kind-specific content of an entry.
#[derive(Debug, Clone, Copy, Default)]
pub struct Entry<'a> {
    pub body: &'a str,
    pub emails: &'a [String],
    pub status: Option<TicketStatus>,
    /// It arrived as an email reply.
    pub by_email: bool,
}

/// Records one entry of the conversation; its id.
pub async fn record(
    tx: &mut Tx,
    ticket_id: i64,
    actor: &Actor,
    kind: ActivityKind,
    entry: Entry<'_>,
    at: Timestamp,
) -> Result<i64> {
    let author_id = match actor {
        Actor::Customer { user_id, .. } => Some(*user_id),
        Actor::Agent { .. } | Actor::Email { .. } => None,
    };
    tx.record_activity(
        ticket_id,
        &NewActivity {
            kind,
            author_kind: actor.kind(),
            author_id,
            author_name: actor.name(),
            body: entry.body,
            emails: entry.emails,
            status: entry.status,
            at,
            by_email: entry.by_email || matches!(actor, Actor::Email { .. }),
        },
    )
    .await
}

/// Moves the ticket to `status` and records it.
pub async fn set_status(
    tx: &mut Tx,
    ticket_id: i64,
    actor: &Actor,
    status: TicketStatus,
    at: Timestamp,
) -> Result<()> {
    tx.set_ticket_status(ticket_id, status).await?;
    let entry = Entry {
        status: Some(status),
        ..Entry::default()
    };
    record(tx, ticket_id, actor, ActivityKind::StatusChanged, entry, at).await?;
    Ok(())
}

/// Who besides the ticket's own people hears about its changes.
#[derive(Debug, Clone, Default)]
pub struct Audience {
    pub organization: String,
    /// Admins of the organization who follow all of its tickets.
    pub followers: Vec<String>,
    /// The account team, on tiers above Basic only.
    pub account_team: Option<String>,
}

impl Audience {
    /// The organization's name, followers and (above Basic) account team.
    pub async fn load(store: &Store, org_id: i64) -> Result<Self> {
        let contact = store.organization_contact(org_id).await?;
        let above_basic = support::current_tier(store, org_id, contact.plan)
            .await?
            .is_some_and(|tier| tier.rank > 0);
        Ok(Self {
            organization: contact.name,
            followers: store.followers(org_id).await?,
            account_team: contact
                .account_team_email
                .map(|team| team.trim().to_owned())
                .filter(|team| above_basic && !team.is_empty()),
        })
    }
}
