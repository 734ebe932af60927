//! The conversation on a ticket: comments (with files and new CCs, safe to retry with an
//! `Idempotency-Key`), removing someone from the CC list, the customer's status changes, admins who
//! follow every ticket, and the emails every change sends. The support team's side (replies and status
//! changes from the operator CLI) goes through the same functions: see [`crate::agent`].

use std::collections::HashSet;

use api::{
    ActivityKind, AuthorKind, CommentContext, FieldMessage, Following, NewComment, StatusChange,
    Ticket, TicketStatus,
};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{delete, post, put};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::auth::{CurrentUser, Member, parse_plan};
use crate::error::{Error, Json, Path, Result};
use crate::idempotency::{self, Claim, Start};
use crate::tickets::{
    self, StoredTicket, UploadRoom, activity_kind_str, author_kind_str, email_subject, ids_json,
    load_readable_in, load_ticket, normalise_email,
};
use crate::{AppState, clock, outbox, support};

/// 409 for a comment on a closed ticket.
pub const CLOSED_NO_COMMENTS: &str =
    "This ticket is closed, so it cannot get new comments. Create a follow-up ticket instead.";
/// 403 for a CCed member removing someone from the CC list.
pub const REMOVE_CC_REFUSED: &str =
    "Only the ticket's submitter and the organization's admins can remove people from the CC list.";
/// 403 for a member asking to follow every ticket.
pub const FOLLOWING_ADMINS: &str = "Only the organization's admins can follow all of its tickets.";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organizations/{org_id}/tickets/{ticket_id}/comments",
            post(comment),
        )
        .route(
            "/organizations/{org_id}/tickets/{ticket_id}/cc/{email}",
            delete(remove_cc),
        )
        .route(
            "/organizations/{org_id}/tickets/{ticket_id}/status",
            post(change_status),
        )
        .route("/organizations/{org_id}/ticket-following", put(follow))
}

// ---------------------------------------------------------------------------------------------
// Who changes a ticket, and what changed

/// Who made a change: a console user, or someone of the support team (who is not a console user).
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
}

impl Actor {
    /// The signed-in member, with the name the conversation shows.
    pub async fn customer(db: &SqlitePool, member: &Member) -> Result<Self> {
        let name: String = sqlx::query_scalar("SELECT name FROM users WHERE id = ?")
            .bind(member.user.id)
            .fetch_one(db)
            .await?;
        Ok(Actor::Customer {
            user_id: member.user.id,
            name,
            email: normalise_email(&member.user.email),
        })
    }

    fn kind(&self) -> AuthorKind {
        match self {
            Actor::Customer { .. } => AuthorKind::Customer,
            Actor::Agent { .. } => AuthorKind::Agent,
        }
    }

    fn name(&self) -> &str {
        match self {
            Actor::Customer { name, .. } | Actor::Agent { name } => name,
        }
    }

    /// The address that made the change, which its emails skip.
    fn email(&self) -> Option<&str> {
        match self {
            Actor::Customer { email, .. } => Some(email),
            Actor::Agent { .. } => None,
        }
    }

    /// How emails name them.
    fn label(&self) -> String {
        match self {
            Actor::Customer { name, email, .. } => format!("{name} <{email}>"),
            Actor::Agent { name } => format!("{name} (support team)"),
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

/// Records one entry of the conversation.
async fn record(
    conn: &mut SqliteConnection,
    ticket_id: i64,
    actor: &Actor,
    kind: ActivityKind,
    entry: Entry<'_>,
    at: &str,
) -> Result<i64> {
    let user_id = match actor {
        Actor::Customer { user_id, .. } => Some(*user_id),
        Actor::Agent { .. } => None,
    };
    Ok(sqlx::query_scalar(
        "INSERT INTO ticket_activity
             (ticket_id, kind, author_kind, author_id, author_name, body, emails, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(ticket_id)
    .bind(activity_kind_str(kind))
    .bind(author_kind_str(actor.kind()))
    .bind(user_id)
    .bind(actor.name())
    .bind(entry.body)
    .bind(serde_json::to_string(entry.emails).map_err(anyhow::Error::from)?)
    .bind(entry.status.map(TicketStatus::as_str))
    .bind(at)
    .fetch_one(conn)
    .await?)
}

/// The kind-specific content of an entry.
#[derive(Debug, Clone, Copy, Default)]
struct Entry<'a> {
    body: &'a str,
    emails: &'a [String],
    status: Option<TicketStatus>,
}

/// Moves the ticket to `status` and records it.
async fn set_status(
    conn: &mut SqliteConnection,
    ticket_id: i64,
    actor: &Actor,
    status: TicketStatus,
    at: &str,
) -> Result<()> {
    sqlx::query("UPDATE tickets SET status = ? WHERE id = ?")
        .bind(status.as_str())
        .bind(ticket_id)
        .execute(&mut *conn)
        .await?;
    record(
        conn,
        ticket_id,
        actor,
        ActivityKind::StatusChanged,
        Entry {
            status: Some(status),
            ..Entry::default()
        },
        at,
    )
    .await?;
    Ok(())
}

/// Every change moves the ticket up the "recently updated" list.
async fn touch(conn: &mut SqliteConnection, ticket_id: i64, at: &str) -> Result<()> {
    sqlx::query("UPDATE tickets SET updated_at = ? WHERE id = ?")
        .bind(at)
        .bind(ticket_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The ticket after a change, inside the change's transaction.
async fn reload(conn: &mut SqliteConnection, ticket_id: i64) -> Result<StoredTicket> {
    load_ticket(conn, ticket_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("ticket {ticket_id} vanished in its transaction").into())
}

// ---------------------------------------------------------------------------------------------
// Emails

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
    pub async fn load(db: &SqlitePool, org_id: i64) -> Result<Self> {
        let (organization, plan, account_team): (String, String, Option<String>) = sqlx::query_as(
            "SELECT name, plan_kind, account_team_email FROM organizations WHERE id = ?",
        )
        .bind(org_id)
        .fetch_one(db)
        .await?;
        let above_basic = support::current_tier(db, org_id, parse_plan(&plan)?)
            .await?
            .is_some_and(|tier| tier.rank > 0);
        Ok(Self {
            organization,
            followers: followers(db, org_id).await?,
            account_team: account_team
                .map(|team| team.trim().to_owned())
                .filter(|team| above_basic && !team.is_empty()),
        })
    }
}

/// The addresses of the organization's admins who follow all of its tickets (current admins only).
pub async fn followers(db: &SqlitePool, org_id: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT u.email FROM ticket_followers f
         JOIN memberships m ON m.user_id = f.user_id AND m.organization_id = f.organization_id
         JOIN users u ON u.id = f.user_id
         WHERE f.organization_id = ? AND m.role = 'admin'
         ORDER BY u.email",
    )
    .bind(org_id)
    .fetch_all(db)
    .await?)
}

/// Why someone gets the email about a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    Submitter,
    Cc,
    /// Added to the CC list by this very change.
    NewCc,
    Follower,
    AccountTeam,
}

/// Everyone to tell about `change` on `ticket` (as it is after the change), each address once
/// (compared case-insensitively): the submitter, the CC list (new addresses included), the followers
/// and the account team, never the one who made the change.
pub fn change_recipients(
    ticket: &Ticket,
    audience: &Audience,
    change: &Change,
    author: Option<&str>,
) -> Vec<(String, Why)> {
    let mut seen: HashSet<String> = author.map(str::to_lowercase).into_iter().collect();
    let is_new = |cc: &str| change.cc_added.iter().any(|a| a.eq_ignore_ascii_case(cc));
    std::iter::once((ticket.submitter_email.as_str(), Why::Submitter))
        .chain(ticket.cc.iter().map(|cc| {
            let why = if is_new(cc) { Why::NewCc } else { Why::Cc };
            (cc.as_str(), why)
        }))
        .chain(
            audience
                .followers
                .iter()
                .map(|f| (f.as_str(), Why::Follower)),
        )
        .chain(
            audience
                .account_team
                .iter()
                .map(|t| (t.as_str(), Why::AccountTeam)),
        )
        .filter(|(address, _)| seen.insert(address.trim().to_lowercase()))
        .map(|(address, why)| (address.to_owned(), why))
        .collect()
}

/// `> ` before every line, as mail clients quote.
fn quote(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                ">".to_owned()
            } else {
                format!("> {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The plain-text body of the email about `change`, for one recipient.
pub fn change_email(
    ticket: &Ticket,
    organization: &str,
    actor: &Actor,
    change: &Change,
    why: Why,
) -> String {
    let who = actor.label();
    let what = format!("support ticket #{} for {organization}", ticket.id);
    let mut parts = Vec::new();
    if why == Why::NewCc {
        parts.push(format!(
            "{who} added you to the CC list of {what}. You will get an email about every update."
        ));
    }
    if let Some(comment) = &change.comment {
        let verb = match actor {
            Actor::Agent { .. } => "replied on",
            Actor::Customer { .. } => "commented on",
        };
        parts.push(format!("{who} {verb} {what}:\n\n{}", quote(comment)));
        if !change.files.is_empty() {
            parts.push(format!("Files: {}", change.files.join(", ")));
        }
    }
    if !change.cc_added.is_empty() {
        parts.push(format!(
            "{who} added {} to the CC list of {what}.",
            change.cc_added.join(", ")
        ));
    }
    if !change.cc_removed.is_empty() {
        parts.push(format!(
            "{who} removed {} from the CC list of {what}.",
            change.cc_removed.join(", ")
        ));
    }
    if let Some(status) = change.status {
        parts.push(if change.comment.is_some() {
            format!("The ticket's status is now: {}.", status.label())
        } else {
            format!("{who} changed the status of {what} to: {}.", status.label())
        });
    }
    let mut details = vec![
        format!("Subject: {}", ticket.subject),
        format!("Status: {}", ticket.status.label()),
        format!(
            "Submitted by: {} <{}>",
            ticket.submitter_name, ticket.submitter_email
        ),
    ];
    if !ticket.cc.is_empty() {
        details.push(format!("CC: {}", ticket.cc.join(", ")));
    }
    parts.push(details.join("\n"));
    if why == Why::Follower {
        parts.push(format!(
            "You get this email because you follow all support tickets of {organization}."
        ));
    }
    parts.push(format!(
        "Replying to this email is not supported yet. If you are a console user of {organization} \
         on this ticket, open it in the console's Support Center to add to the conversation."
    ));
    parts.join("\n\n") + "\n"
}

/// Records the emails about `change` in the change's transaction.
pub async fn notify_change(
    tx: &mut Transaction<'_, Sqlite>,
    ticket: &Ticket,
    audience: &Audience,
    actor: &Actor,
    change: &Change,
) -> Result<usize> {
    let subject = email_subject(ticket);
    let recipients = change_recipients(ticket, audience, change, actor.email());
    for (recipient, why) in &recipients {
        let body = change_email(ticket, &audience.organization, actor, change, *why);
        outbox::enqueue(tx, recipient, &subject, &body).await?;
    }
    Ok(recipients.len())
}

// ---------------------------------------------------------------------------------------------
// Comments

/// `POST /organizations/{org}/tickets/{id}/comments`: a comment, new CCs, or both, with files. With an
/// `Idempotency-Key`, a retry gets the first answer; the key's request hash covers the organization,
/// the ticket and the body, under a `comment` scope, so the same key sent for another ticket (or for
/// creating a ticket) is a different request and refused with 422 `idempotency_key_reused`.
async fn comment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((org_id, ticket_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    Json(input): Json<NewComment>,
) -> Result<Response> {
    let member = Member::load(&state, user, org_id).await?;
    let scope = format!("comment\norganization {org_id}\nticket {ticket_id}");
    let claim =
        match idempotency::begin(&state.db, member.user.id, &headers, &scope, &input).await? {
            Start::Replay(response) => return Ok(response),
            Start::Run(claim) => claim,
        };
    let work = add_comment(&state, &member, ticket_id, &input, claim.as_ref()).await;
    idempotency::finish(&state.db, claim, work).await
}

/// Checks and adds the comment in one transaction that also records its emails and completes `claim`.
/// Returns the updated ticket as the JSON text stored on the claim.
async fn add_comment(
    state: &AppState,
    member: &Member,
    ticket_id: i64,
    input: &NewComment,
    claim: Option<&Claim>,
) -> Result<String> {
    let audience = Audience::load(&state.db, member.organization.id).await?;
    let actor = Actor::customer(&state.db, member).await?;
    // IMMEDIATE: the CC list, the status and the files checked below cannot change before the writes.
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    let stored = load_readable_in(&mut tx, member, ticket_id).await?;
    let before = stored.ticket.status;
    if before == TicketStatus::Closed {
        return Err(Error::Conflict(CLOSED_NO_COMMENTS.into()));
    }
    let context = CommentContext {
        cc: &stored.ticket.cc,
        submitter: &stored.ticket.submitter_email,
        author: &member.user.email,
    };
    let total_bytes: i64 =
        sqlx::query_scalar("SELECT COALESCE(SUM(size), 0) FROM attachments WHERE ticket_id = ?")
            .bind(ticket_id)
            .fetch_one(&mut *tx)
            .await?;
    let room = UploadRoom {
        total_bytes: u64::try_from(total_bytes).map_err(anyhow::Error::from)?,
    };
    let uploads = tickets::check_uploads(&mut tx, member, &input.attachment_ids, room).await?;
    let valid = match (input.validate(context), uploads) {
        (Ok(valid), Ok(())) => valid,
        (result, uploads) => {
            let mut fields: Vec<FieldMessage> = result.err().unwrap_or_default();
            if let Err(e) = uploads
                && !fields.iter().any(|f| f.field == e.field)
            {
                fields.push(e.into());
            }
            return Err(Error::Invalid(fields));
        }
    };

    let now = clock::now_rfc3339();
    let mut change = Change::default();
    if !valid.body.is_empty() || !valid.attachment_ids.is_empty() {
        let activity = record(
            &mut tx,
            ticket_id,
            &actor,
            ActivityKind::Comment,
            Entry {
                body: &valid.body,
                ..Entry::default()
            },
            &now,
        )
        .await?;
        if !valid.attachment_ids.is_empty() {
            let files: Vec<String> = sqlx::query_scalar(
                "UPDATE attachments SET ticket_id = ?, activity_id = ?
                 WHERE organization_id = ? AND uploaded_by = ? AND ticket_id IS NULL
                   AND id IN (SELECT value FROM json_each(?))
                 RETURNING file_name",
            )
            .bind(ticket_id)
            .bind(activity)
            .bind(member.organization.id)
            .bind(member.user.id)
            .bind(ids_json(&valid.attachment_ids)?)
            .fetch_all(&mut *tx)
            .await?;
            if files.len() != valid.attachment_ids.len() {
                return Err(tickets::attachment_gone());
            }
            change.files = files;
        }
        change.comment = Some(valid.body.clone());
    }
    if !valid.cc.is_empty() {
        let first: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM ticket_cc WHERE ticket_id = ?",
        )
        .bind(ticket_id)
        .fetch_one(&mut *tx)
        .await?;
        for (offset, email) in (0i64..).zip(&valid.cc) {
            sqlx::query(
                "INSERT INTO ticket_cc (ticket_id, email, position, added_by, added_at)
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(ticket_id)
            .bind(email.as_str())
            .bind(first + offset)
            .bind(member.user.id)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        change.cc_added = valid.cc.iter().map(|e| e.as_str().to_owned()).collect();
        record(
            &mut tx,
            ticket_id,
            &actor,
            ActivityKind::CcAdded,
            Entry {
                emails: &change.cc_added,
                ..Entry::default()
            },
            &now,
        )
        .await?;
    }
    // The customer answered the support team's question (adding people to CC is not an answer).
    if change.comment.is_some() && before == TicketStatus::AwaitingCustomer {
        set_status(&mut tx, ticket_id, &actor, TicketStatus::Open, &now).await?;
        change.status = Some(TicketStatus::Open);
    }
    touch(&mut tx, ticket_id, &now).await?;
    let ticket = reload(&mut tx, ticket_id)
        .await?
        .for_member(member)
        .ok_or(Error::NotFound)?;
    notify_change(&mut tx, &ticket, &audience, &actor, &change).await?;
    let body = serde_json::to_string(&ticket).map_err(anyhow::Error::from)?;
    if let Some(claim) = claim {
        claim.complete(&mut tx, StatusCode::CREATED, &body).await?;
    }
    tx.commit().await?;
    tracing::info!(
        ticket_id,
        comment = change.comment.is_some(),
        files = change.files.len(),
        cc_added = change.cc_added.len(),
        "added to the conversation"
    );
    Ok(body)
}

// ---------------------------------------------------------------------------------------------
// CC removal, status, following

/// `DELETE /organizations/{org}/tickets/{id}/cc/{email}`: the submitter or an admin takes an address
/// off the CC list. 204; 404 for an address not on it.
async fn remove_cc(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((org_id, ticket_id, email)): Path<(i64, i64, String)>,
) -> Result<StatusCode> {
    let member = Member::load(&state, user, org_id).await?;
    let audience = Audience::load(&state.db, org_id).await?;
    let actor = Actor::customer(&state.db, &member).await?;
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    let stored = load_readable_in(&mut tx, &member, ticket_id).await?;
    if !tickets::permissions(&member, &stored).is_some_and(|p| p.can_remove_cc) {
        return Err(Error::Forbidden(REMOVE_CC_REFUSED));
    }
    let removed: Option<String> = sqlx::query_scalar(
        "DELETE FROM ticket_cc WHERE ticket_id = ? AND email = ? RETURNING email",
    )
    .bind(ticket_id)
    .bind(normalise_email(&email))
    .fetch_optional(&mut *tx)
    .await?;
    let removed = removed.ok_or(Error::NotFound)?;
    let now = clock::now_rfc3339();
    let change = Change {
        cc_removed: vec![removed],
        ..Change::default()
    };
    record(
        &mut tx,
        ticket_id,
        &actor,
        ActivityKind::CcRemoved,
        Entry {
            emails: &change.cc_removed,
            ..Entry::default()
        },
        &now,
    )
    .await?;
    touch(&mut tx, ticket_id, &now).await?;
    let ticket = reload(&mut tx, ticket_id).await?.ticket;
    notify_change(&mut tx, &ticket, &audience, &actor, &change).await?;
    tx.commit().await?;
    tracing::info!(ticket_id, "removed an address from the CC list");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /organizations/{org}/tickets/{id}/status`: the customer marks the ticket solved or reopens
/// it ([`StatusChange::check`]; 409 with its sentence otherwise). Answers the updated ticket.
async fn change_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((org_id, ticket_id)): Path<(i64, i64)>,
    Json(input): Json<StatusChange>,
) -> Result<Json<Ticket>> {
    let member = Member::load(&state, user, org_id).await?;
    let audience = Audience::load(&state.db, org_id).await?;
    let actor = Actor::customer(&state.db, &member).await?;
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    let stored = load_readable_in(&mut tx, &member, ticket_id).await?;
    input.check(stored.ticket.status).map_err(Error::Conflict)?;
    let now = clock::now_rfc3339();
    set_status(&mut tx, ticket_id, &actor, input.status, &now).await?;
    touch(&mut tx, ticket_id, &now).await?;
    let ticket = reload(&mut tx, ticket_id)
        .await?
        .for_member(&member)
        .ok_or(Error::NotFound)?;
    let change = Change {
        status: Some(input.status),
        ..Change::default()
    };
    notify_change(&mut tx, &ticket, &audience, &actor, &change).await?;
    tx.commit().await?;
    tracing::info!(
        ticket_id,
        status = input.status.as_str(),
        "customer changed the status"
    );
    Ok(Json(ticket))
}

/// `PUT /organizations/{org}/ticket-following`: an admin starts or stops getting the emails of every
/// ticket of the organization.
async fn follow(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
    Json(input): Json<Following>,
) -> Result<Json<Following>> {
    let member = Member::load(&state, user, org_id).await?;
    if !member.is_admin() {
        return Err(Error::Forbidden(FOLLOWING_ADMINS));
    }
    if input.following {
        sqlx::query(
            "INSERT INTO ticket_followers (organization_id, user_id, since) VALUES (?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(org_id)
        .bind(member.user.id)
        .bind(clock::now_rfc3339())
        .execute(&state.db)
        .await?;
    } else {
        sqlx::query("DELETE FROM ticket_followers WHERE organization_id = ? AND user_id = ?")
            .bind(org_id)
            .bind(member.user.id)
            .execute(&state.db)
            .await?;
    }
    Ok(Json(input))
}

// ---------------------------------------------------------------------------------------------
// The support team's side (the operator CLI)

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

impl From<sqlx::Error> for AgentError {
    fn from(e: sqlx::Error) -> Self {
        AgentError::Server(e.into())
    }
}

/// The organization of ticket `id`, or [`AgentError::NotFound`].
async fn ticket_org(db: &SqlitePool, id: i64) -> Result<i64, AgentError> {
    sqlx::query_scalar("SELECT organization_id FROM tickets WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(AgentError::NotFound(id))
}

/// A reply from the support team, optionally moving the ticket to `status`. The first reply sets the
/// ticket's first response time. Emails the submitter, the CCs, the followers and the account team.
pub async fn agent_reply(
    db: &SqlitePool,
    ticket_id: i64,
    author: &str,
    body: &str,
    status: Option<TicketStatus>,
) -> Result<AgentOutcome, AgentError> {
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
    let org_id = ticket_org(db, ticket_id).await?;
    let audience = Audience::load(db, org_id).await?;
    let actor = Actor::Agent {
        name: author.to_owned(),
    };
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let before = reload(&mut tx, ticket_id).await?.ticket;
    let previous = before.status;
    if previous == TicketStatus::Closed {
        return Err(AgentError::Closed(ticket_id));
    }
    let now = clock::now_rfc3339();
    record(
        &mut tx,
        ticket_id,
        &actor,
        ActivityKind::Comment,
        Entry {
            body,
            ..Entry::default()
        },
        &now,
    )
    .await?;
    sqlx::query(
        "UPDATE tickets SET first_response_at = COALESCE(first_response_at, ?1), updated_at = ?1
         WHERE id = ?2",
    )
    .bind(&now)
    .bind(ticket_id)
    .execute(&mut *tx)
    .await?;
    let mut change = Change {
        comment: Some(body.to_owned()),
        ..Change::default()
    };
    if let Some(status) = status.filter(|s| *s != previous) {
        set_status(&mut tx, ticket_id, &actor, status, &now).await?;
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
    db: &SqlitePool,
    ticket_id: i64,
    author: &str,
    status: TicketStatus,
) -> Result<AgentOutcome, AgentError> {
    let org_id = ticket_org(db, ticket_id).await?;
    let audience = Audience::load(db, org_id).await?;
    let actor = Actor::Agent {
        name: author.trim().to_owned(),
    };
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let previous = reload(&mut tx, ticket_id).await?.ticket.status;
    if previous == status {
        return Err(AgentError::Unchanged {
            id: ticket_id,
            status: status.as_str(),
        });
    }
    let now = clock::now_rfc3339();
    set_status(&mut tx, ticket_id, &actor, status, &now).await?;
    touch(&mut tx, ticket_id, &now).await?;
    let ticket = reload(&mut tx, ticket_id).await?.ticket;
    let change = Change {
        status: Some(status),
        ..Change::default()
    };
    let emails = notify_change(&mut tx, &ticket, &audience, &actor, &change).await?;
    tx.commit().await?;
    tracing::info!(
        ticket_id,
        status = status.as_str(),
        "support team changed the status"
    );
    Ok(AgentOutcome {
        ticket,
        organization: audience.organization,
        previous,
        emails,
        first_response: false,
    })
}

#[cfg(test)]
mod tests {
    use api::{ResponseTime, Severity, TicketPermissions};

    use super::*;

    fn ticket() -> Ticket {
        Ticket {
            id: 42,
            subject: "Replica lag".into(),
            severity: Severity::High,
            status: TicketStatus::Open,
            product_key: "postgresql".into(),
            product_name: "PostgreSQL".into(),
            reason_key: "performance".into(),
            reason_label: "Slow queries or high load".into(),
            project: None,
            service: None,
            description: "Lag grows.".into(),
            cc: vec!["ops@acme.example".into(), "new@elsewhere.example".into()],
            submitter_name: "Dana Developer".into(),
            submitter_email: "dev@acme.example".into(),
            created_at: "2026-11-27T15:00:00Z".into(),
            updated_at: "2026-11-27T15:00:00Z".into(),
            first_response_target: ResponseTime::BusinessDays(1),
            first_response_due_at: "2026-11-30T15:00:00Z".into(),
            first_response_at: None,
            attachments: vec![],
            activity: vec![],
            permissions: TicketPermissions::default(),
            follow_up_of: None,
        }
    }

    fn audience(team: Option<&str>) -> Audience {
        Audience {
            organization: "Acme Analytics".into(),
            followers: vec!["admin@acme.example".into(), "Ops@Acme.example".into()],
            account_team: team.map(str::to_owned),
        }
    }

    #[test]
    fn everyone_once_new_ccs_marked_and_never_the_author() {
        let change = Change {
            comment: Some("Hi".into()),
            cc_added: vec!["new@elsewhere.example".into()],
            ..Change::default()
        };
        let got = change_recipients(
            &ticket(),
            &audience(Some("team@accounts.example")),
            &change,
            Some("ADMIN@acme.example"),
        );
        assert_eq!(
            got,
            [
                ("dev@acme.example".to_owned(), Why::Submitter),
                ("ops@acme.example".to_owned(), Why::Cc),
                ("new@elsewhere.example".to_owned(), Why::NewCc),
                ("team@accounts.example".to_owned(), Why::AccountTeam),
            ],
            "the admin wrote it; ops follows and is CCed: one email"
        );
        // The submitter writing gets nothing; an agent writing excludes nobody.
        let by_submitter = change_recipients(
            &ticket(),
            &audience(None),
            &change,
            Some("dev@acme.example"),
        );
        assert!(by_submitter.iter().all(|(a, _)| a != "dev@acme.example"));
        assert_eq!(by_submitter.len(), 3);
        let by_agent = change_recipients(&ticket(), &audience(None), &change, None);
        assert_eq!(by_agent.len(), 4);
    }

    #[test]
    fn the_email_says_what_happened_quotes_the_comment_and_the_reply_limits() {
        let actor = Actor::Customer {
            user_id: 1,
            name: "Dana Developer".into(),
            email: "dev@acme.example".into(),
        };
        let change = Change {
            comment: Some("Still lagging.\n\nSee the log.".into()),
            files: vec!["lag.log".into()],
            cc_added: vec!["new@elsewhere.example".into()],
            status: Some(TicketStatus::Open),
            ..Change::default()
        };
        let body = change_email(&ticket(), "Acme Analytics", &actor, &change, Why::NewCc);
        for part in [
            "Dana Developer <dev@acme.example> added you to the CC list of support ticket #42 for Acme Analytics.",
            "commented on support ticket #42 for Acme Analytics:\n\n> Still lagging.\n>\n> See the log.",
            "Files: lag.log",
            "added new@elsewhere.example to the CC list",
            "The ticket's status is now: Open.",
            "Subject: Replica lag",
            "Replying to this email is not supported yet.",
        ] {
            assert!(body.contains(part), "lacks {part:?}:\n{body}");
        }
        let agent = Actor::Agent {
            name: "Sam from Support".into(),
        };
        let solved = Change {
            status: Some(TicketStatus::Solved),
            ..Change::default()
        };
        let body = change_email(&ticket(), "Acme Analytics", &agent, &solved, Why::Follower);
        assert!(body.contains(
            "Sam from Support (support team) changed the status of support ticket #42 for Acme Analytics to: Solved."
        ));
        assert!(body.contains("you follow all support tickets of Acme Analytics"));
        assert!(!body.contains("added you"));
    }
}
