//! The conversation on a ticket: comments (with files and new CCs, safe to retry with an
//! `Idempotency-Key`), removing someone from the CC list, the customer's status changes, and admins who
//! follow every ticket. Every change is recorded as activity ([`change`]) and emailed ([`emails`]). The support
//! team's side (replies and status changes from the operator CLI, `cli::tickets`) records and emails
//! through the same functions.

pub mod change;
pub mod emails;

use api::conversation::ValidComment;
use api::{
    ActivityKind, CommentContext, Following, NewComment, StatusChange, Ticket, TicketStatus,
    Timestamp,
};

use crate::clock;
use crate::error::{Error, Result};
use crate::rules::auth::Member;
use crate::rules::conversation::change::{Actor, Audience, Change, Entry, record, set_status};
use crate::rules::idempotency;
use crate::rules::limits::{Action, Limits};
use crate::rules::tickets::permissions::{self, normalise_email};
use crate::rules::tickets::{self, UploadRoom, add_field_error};
use crate::store::idempotency::Claim;
use crate::store::tickets::StoredTicket;
use crate::store::{Store, Tx};

/// 409 for a comment on a closed ticket.
pub const CLOSED_NO_COMMENTS: &str =
    "This ticket is closed, so it cannot get new comments. Create a follow-up ticket instead.";
/// 403 for a CCed member removing someone from the CC list.
pub const REMOVE_CC_REFUSED: &str =
    "Only the ticket's submitter and the organization's admins can remove people from the CC list.";
/// 403 for a member asking to follow every ticket.
pub const FOLLOWING_ADMINS: &str = "Only the organization's admins can follow all of its tickets.";

// ---------------------------------------------------------------------------------------------
// Comments

/// A comment, new CCs, or both, with files: checked and added in one transaction that also records
/// its emails, completes `claim` and counts the comment and its emails outside the organization
/// against `limits`. Returns the updated ticket as the JSON text stored on the claim
/// (`replies_by_email`: [`crate::store::tickets::StoredTicket::for_member`]).
pub async fn comment(
    store: &Store,
    member: &Member,
    ticket_id: i64,
    input: &NewComment,
    claim: Option<&Claim>,
    limits: &Limits,
    replies_by_email: bool,
) -> Result<String> {
    let audience = Audience::load(store, member.organization.id).await?;
    let actor = Actor::customer(store, member).await?;
    // Write-locked: the CC list, the status and the files checked below cannot change before the
    // writes.
    let mut tx = store.begin_write().await?;
    let stored = tickets::load_readable_in(&mut tx, member, ticket_id).await?;
    let before = stored.ticket.status;
    if before == TicketStatus::Closed {
        return Err(Error::Conflict(CLOSED_NO_COMMENTS.into()));
    }
    let valid = check_comment(&mut tx, member, &stored.ticket, input).await?;
    limits.take(&mut tx, member, Action::Comment, 1).await?;
    // Every CC, old and new, gets the email about the comment: those who are not members count
    // against the limit on emails leaving the organization.
    let cc: Vec<&str> = stored
        .ticket
        .cc
        .iter()
        .map(String::as_str)
        .chain(valid.cc.iter().map(|e| e.as_str()))
        .collect();
    take_external_emails(&mut tx, member, limits, &cc).await?;
    let now = clock::now_timestamp();
    let change = add_comment(&mut tx, member, &actor, ticket_id, before, &valid, now).await?;
    tx.touch_ticket(ticket_id, now).await?;
    let ticket = tickets::reload(&mut tx, ticket_id)
        .await?
        .for_member(member, replies_by_email)
        .ok_or(Error::NotFound)?;
    emails::notify_change(&mut tx, &ticket, &audience, &actor, &change).await?;
    let body = serde_json::to_string(&ticket).map_err(anyhow::Error::from)?;
    idempotency::complete(&mut tx, claim, &body).await?;
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

/// Every problem with the comment at once: its fields, then the files (which must also fit the
/// ticket's file count and total size with what it already holds).
async fn check_comment(
    tx: &mut Tx,
    member: &Member,
    ticket: &Ticket,
    input: &NewComment,
) -> Result<ValidComment> {
    let context = CommentContext {
        cc: &ticket.cc,
        submitter: &ticket.submitter_email,
        author: &member.user.email,
    };
    let (files, total_bytes) = tx.ticket_files(ticket.id).await?;
    let room = UploadRoom { files, total_bytes };
    let uploads = tickets::check_uploads(tx, member, &input.attachment_ids, room).await?;
    match (input.validate(context), uploads) {
        (Ok(valid), Ok(())) => Ok(valid),
        (result, uploads) => {
            let mut fields = result.err().unwrap_or_default();
            if let Err(e) = uploads {
                add_field_error(&mut fields, e);
            }
            Err(Error::Invalid(fields))
        }
    }
}

/// Records the comment with its files and the new CCs; a comment answers the support team's question
/// (adding people to CC is not an answer), so it reopens a ticket awaiting the customer.
async fn add_comment(
    tx: &mut Tx,
    member: &Member,
    actor: &Actor,
    ticket_id: i64,
    before: TicketStatus,
    valid: &ValidComment,
    now: Timestamp,
) -> Result<Change> {
    let mut change = Change::default();
    if !valid.body.is_empty() || !valid.attachment_ids.is_empty() {
        let entry = Entry {
            body: &valid.body,
            ..Entry::default()
        };
        let activity = record(tx, ticket_id, actor, ActivityKind::Comment, entry, now).await?;
        change.files =
            tickets::attach_uploads(tx, member, ticket_id, Some(activity), &valid.attachment_ids)
                .await?;
        change.comment = Some(valid.body.clone());
    }
    if !valid.cc.is_empty() {
        let cc: Vec<&str> = valid.cc.iter().map(|e| e.as_str()).collect();
        tx.add_ccs(ticket_id, &cc, member.user.id, now).await?;
        change.cc_added = cc.iter().map(|e| (*e).to_owned()).collect();
        let entry = Entry {
            emails: &change.cc_added,
            ..Entry::default()
        };
        record(tx, ticket_id, actor, ActivityKind::CcAdded, entry, now).await?;
    }
    if change.comment.is_some() && before == TicketStatus::AwaitingCustomer {
        set_status(tx, ticket_id, actor, TicketStatus::Open, now).await?;
        change.status = Some(TicketStatus::Open);
    }
    Ok(change)
}

/// Counts the emails a customer's change sends to the addresses of `cc` that are not members of
/// the organization against the limit on emails leaving it (429 past it). Every customer change that
/// emails the CC list (a comment, a CC removal, a status change) calls this: otherwise toggling the
/// status, or adding and removing a CC, would email outsiders without any limit.
async fn take_external_emails(
    tx: &mut Tx,
    member: &Member,
    limits: &Limits,
    cc: &[&str],
) -> Result<()> {
    let external = tx.non_members(member.organization.id, cc).await?.len();
    limits
        .take(tx, member, Action::ExternalEmail, external as i64)
        .await
}

// ---------------------------------------------------------------------------------------------
// CC removal, status, following

/// The submitter or an admin takes an address off the CC list (the CCs left are emailed about it,
/// counted against `limits`). 404 for an address not on it.
pub async fn remove_cc(
    store: &Store,
    member: &Member,
    ticket_id: i64,
    email: &str,
    limits: &Limits,
) -> Result<()> {
    let audience = Audience::load(store, member.organization.id).await?;
    let actor = Actor::customer(store, member).await?;
    let mut tx = store.begin_write().await?;
    let stored = tickets::load_readable_in(&mut tx, member, ticket_id).await?;
    if !permissions::permissions(member, &stored).is_some_and(|p| p.can_remove_cc) {
        return Err(Error::Forbidden(REMOVE_CC_REFUSED));
    }
    let removed = tx
        .remove_cc(ticket_id, &normalise_email(email))
        .await?
        .ok_or(Error::NotFound)?;
    let now = clock::now_timestamp();
    let change = Change {
        cc_removed: vec![removed],
        ..Change::default()
    };
    let entry = Entry {
        emails: &change.cc_removed,
        ..Entry::default()
    };
    record(
        &mut tx,
        ticket_id,
        &actor,
        ActivityKind::CcRemoved,
        entry,
        now,
    )
    .await?;
    tx.touch_ticket(ticket_id, now).await?;
    let ticket = tickets::reload(&mut tx, ticket_id).await?.ticket;
    let cc: Vec<&str> = ticket.cc.iter().map(String::as_str).collect();
    take_external_emails(&mut tx, member, limits, &cc).await?;
    emails::notify_change(&mut tx, &ticket, &audience, &actor, &change).await?;
    tx.commit().await?;
    tracing::info!(ticket_id, "removed an address from the CC list");
    Ok(())
}

/// The customer marks the ticket solved or reopens it ([`StatusChange::check`]; 409 with its
/// sentence otherwise); the emails to CCs outside the organization count against `limits`. Returns
/// the updated ticket (`replies_by_email`: [`crate::store::tickets::StoredTicket::for_member`]).
pub async fn change_status(
    store: &Store,
    member: &Member,
    ticket_id: i64,
    input: StatusChange,
    limits: &Limits,
    replies_by_email: bool,
) -> Result<Ticket> {
    let audience = Audience::load(store, member.organization.id).await?;
    let actor = Actor::customer(store, member).await?;
    let mut tx = store.begin_write().await?;
    let stored = tickets::load_readable_in(&mut tx, member, ticket_id).await?;
    input.check(stored.ticket.status).map_err(Error::Conflict)?;
    // A status change leaves the CC list as it is: these are the CCs it emails.
    let cc: Vec<&str> = stored.ticket.cc.iter().map(String::as_str).collect();
    take_external_emails(&mut tx, member, limits, &cc).await?;
    let (stored, _) = apply_status(&mut tx, ticket_id, &actor, input.status, &audience).await?;
    let ticket = stored
        .for_member(member, replies_by_email)
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    tracing::info!(
        ticket_id,
        status = input.status.as_str(),
        "customer changed the status"
    );
    Ok(ticket)
}

/// Moves the ticket to `status` for `actor` (recorded in the conversation, the ticket moved up the
/// lists) and emails everyone on it. The ticket as it is now, and how many emails were recorded.
pub async fn apply_status(
    tx: &mut Tx,
    ticket_id: i64,
    actor: &Actor,
    status: TicketStatus,
    audience: &Audience,
) -> Result<(StoredTicket, usize)> {
    let now = clock::now_timestamp();
    set_status(tx, ticket_id, actor, status, now).await?;
    tx.touch_ticket(ticket_id, now).await?;
    let stored = tickets::reload(tx, ticket_id).await?;
    let change = Change {
        status: Some(status),
        ..Change::default()
    };
    let emails = emails::notify_change(tx, &stored.ticket, audience, actor, &change).await?;
    Ok((stored, emails))
}

/// An admin starts or stops getting the emails of every ticket of the organization.
pub async fn follow(store: &Store, member: &Member, input: Following) -> Result<Following> {
    if !member.is_admin() {
        return Err(Error::Forbidden(FOLLOWING_ADMINS));
    }
    let (org_id, user_id) = (member.organization.id, member.user.id);
    if input.following {
        store
            .follow_tickets(org_id, user_id, clock::now_timestamp())
            .await?;
    } else {
        store.unfollow_tickets(org_id, user_id).await?;
    }
    Ok(input)
}
