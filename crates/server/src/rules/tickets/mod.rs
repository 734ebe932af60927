//! Support tickets: what the create form offers, creating a ticket (checks, the first response due
//! time, the files, the emails, all in one transaction), and reading one. Who may do what with a
//! ticket is in [`permissions`]; the conversation on it in `rules::conversation`.

pub mod due;
pub mod emails;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod permissions;

use std::collections::HashSet;

use api::ticket::{ValidTicket, attachment_gone, check_attachment_room, file_listed_twice};
use api::{
    Field, FieldError, FieldMessage, NewTicket, SupportTier, TicketContext, TicketOptions,
    TicketStatus,
};

use crate::clock;
use crate::error::{Error, Result};
use crate::rules::auth::Member;
use crate::rules::limits::{Action, Limits};
use crate::rules::{idempotency, support};
use crate::store::idempotency::Claim;
use crate::store::tickets::{NewTicketRow, StoredTicket, TicketLists};
use crate::store::{Store, Tx};
use crate::tiers::{Calendar, Hours};

/// 403 for organizations on free services, which have no support tier (ticket creation and uploads).
pub const FREE_PLAN: &str = "Organizations on free services have no support tier, so they cannot open support tickets. Ask the community forum instead.";
/// 422 `follow_up_of` when the ticket to follow up is not a closed ticket the user can read.
pub const FOLLOW_UP_REFUSED: &str =
    "This ticket can only follow up a closed ticket of your organization.";

/// What the create form offers `member`: their projects, the products, and their tier's response
/// times; `replies_by_email` says whether emails carry a reply address (`--reply-domain`), so the
/// form only promises replies by email when they work.
pub async fn options(
    store: &Store,
    member: &Member,
    forum_url: String,
    replies_by_email: bool,
) -> Result<TicketOptions> {
    let org_id = member.organization.id;
    let tier = support::current_tier(store, org_id, member.organization.plan).await?;
    Ok(TicketOptions {
        projects: store.projects(org_id).await?,
        products: store.products().await?,
        response_times: tier.as_ref().map(|t| t.response_times),
        tier_name: tier.map(|t| t.name),
        forum_url,
        replies_by_email,
    })
}

/// Checks and creates the ticket, attaches its files and records its emails, all in one transaction
/// that also completes `claim` and counts the ticket and its emails outside the organization against
/// `limits`. Returns the ticket as the JSON text that was stored on the claim (`replies_by_email`:
/// [`StoredTicket::for_member`]).
pub async fn create(
    store: &Store,
    member: &Member,
    input: &NewTicket,
    claim: Option<&Claim>,
    calendar: &Calendar,
    limits: &Limits,
    replies_by_email: bool,
) -> Result<String> {
    let org_id = member.organization.id;
    let tier = support::current_tier(store, org_id, member.organization.plan)
        .await?
        .ok_or(Error::Forbidden(FREE_PLAN))?;
    let valid = check(store, member, input).await?;
    let account_team = store.account_team_email(org_id).await?;
    let followers = store.followers(org_id).await?;

    let mut tx = store.begin_write().await?;
    limits.take(&mut tx, member, Action::Ticket, 1).await?;
    // Every CC gets the new ticket's email: those who are not members count against the limit on
    // emails leaving the organization.
    let cc: Vec<&str> = valid.cc.iter().map(|e| e.as_str()).collect();
    let external = tx.non_members(org_id, &cc).await?.len();
    limits
        .take(&mut tx, member, Action::ExternalEmail, external as i64)
        .await?;
    let ticket = insert(&mut tx, member, input, &valid, &tier, calendar)
        .await?
        .for_member(member, replies_by_email)
        .ok_or_else(|| anyhow::anyhow!("the submitter cannot read the ticket they created"))?;
    let id = ticket.id;
    emails::notify_created(
        &mut tx,
        &ticket,
        &member.organization.name,
        &tier,
        account_team.as_deref(),
        &followers,
    )
    .await?;
    let body = serde_json::to_string(&ticket).map_err(anyhow::Error::from)?;
    idempotency::complete(&mut tx, claim, &body).await?;
    tx.commit().await?;
    tracing::info!(
        ticket_id = id,
        org_id,
        severity = valid.severity.key(),
        "ticket created"
    );
    Ok(body)
}

/// Inserts the ticket, due for a first response within `tier`'s target for its severity, with its
/// CCs and files, and returns it as stored with the lists its request filled.
async fn insert(
    tx: &mut Tx,
    member: &Member,
    input: &NewTicket,
    valid: &ValidTicket,
    tier: &SupportTier,
    calendar: &Calendar,
) -> Result<StoredTicket> {
    let now = clock::now()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| clock::now());
    let created_at = clock::timestamp(now);
    let target = tier.response_time(valid.severity);
    let stored = tx
        .insert_ticket(&NewTicketRow {
            organization_id: member.organization.id,
            submitter_id: member.user.id,
            subject: valid.subject.as_str(),
            severity: valid.severity,
            product_key: &valid.product,
            reason_key: &valid.reason,
            resources: &valid.resources,
            description: valid.description.as_str(),
            first_response_target: target,
            first_response_due_at: clock::timestamp(due::first_response_due_in(
                now,
                target,
                Hours::parse(&tier.hours).unwrap_or(Hours::AllWeek),
                calendar,
            )),
            created_at,
            follow_up_of: input.follow_up_of,
            status: TicketStatus::Open,
            updated_at: created_at,
            first_response_at: None,
        })
        .await?;
    let id = stored.ticket.id;
    let cc: Vec<&str> = valid.cc.iter().map(|e| e.as_str()).collect();
    tx.add_ccs(id, &cc, member.user.id, created_at).await?;
    attach_uploads(tx, member, id, None, &valid.attachment_ids).await?;
    let lists = TicketLists {
        cc: !cc.is_empty(),
        resources: !valid.resources.is_empty(),
        files: !valid.attachment_ids.is_empty(),
        activity: false,
    };
    tx.read_lists(stored, lists).await
}

/// Every problem with the form at once: its fields, the files (which come last in the form) and the
/// ticket it follows up (not a field of it).
async fn check(store: &Store, member: &Member, input: &NewTicket) -> Result<ValidTicket> {
    let products = store.products().await?;
    let projects = store.projects(member.organization.id).await?;
    let context = TicketContext {
        products: &products,
        projects: &projects,
        submitter: &member.user.email,
    };
    // One snapshot for the files and the ticket followed up; most tickets have neither, and then no
    // transaction is begun.
    let (uploads, follow_up) = if input.attachment_ids.is_empty() && input.follow_up_of.is_none() {
        (Ok(()), Ok(()))
    } else {
        let mut read = store.begin().await?;
        let uploads = check_uploads(
            &mut read,
            member,
            &input.attachment_ids,
            UploadRoom::default(),
        )
        .await?;
        let follow_up = match input.follow_up_of {
            Some(id) => check_follow_up(&mut read, member, id).await?,
            None => Ok(()),
        };
        (uploads, follow_up)
    };
    match (input.validate(context), uploads, follow_up) {
        (Ok(valid), Ok(()), Ok(())) => Ok(valid),
        (result, uploads, follow_up) => {
            let mut fields = result.err().unwrap_or_default();
            for e in [uploads.err(), follow_up.err()].into_iter().flatten() {
                add_field_error(&mut fields, e);
            }
            Err(Error::Invalid(fields))
        }
    }
}

/// Adds `error` to `fields` unless its field has a message already.
pub fn add_field_error(fields: &mut Vec<FieldMessage>, error: FieldError) {
    if !fields.iter().any(|f| f.field == error.field) {
        fields.push(error.into());
    }
}

/// A new ticket may follow up only a closed ticket that its submitter can read (so also one of the
/// same organization). Any other id gets the same answer: whether it exists is not revealed.
async fn check_follow_up(tx: &mut Tx, member: &Member, id: i64) -> Result<Result<(), FieldError>> {
    let closed_and_readable = tx.ticket(id).await?.is_some_and(|stored| {
        stored.ticket.status == TicketStatus::Closed && permissions::can_read(member, &stored)
    });
    Ok(if closed_and_readable {
        Ok(())
    } else {
        Err(FieldError::new(Field::FollowUpOf, FOLLOW_UP_REFUSED))
    })
}

// ---------------------------------------------------------------------------------------------
// Files

/// What a ticket already holds when more files are attached to it.
#[derive(Debug, Clone, Copy, Default)]
pub struct UploadRoom {
    /// The ticket's files, its comments' included: the limit of [`api::ticket::ATTACHMENTS_MAX`]
    /// is per ticket, so a comment's files count on top of these.
    pub files: usize,
    /// Bytes of the ticket's files, its comments' included.
    pub total_bytes: u64,
}

/// The files to attach must be the member's own uploads in this organization, not on a ticket yet,
/// and fit the ticket's limits of [`api::ticket::ATTACHMENTS_MAX`] files and of total size together
/// with what it already holds (`room`).
pub async fn check_uploads(
    tx: &mut Tx,
    member: &Member,
    ids: &[i64],
    room: UploadRoom,
) -> Result<Result<(), FieldError>> {
    if ids.is_empty() {
        return Ok(Ok(()));
    }
    let unique: HashSet<i64> = ids.iter().copied().collect();
    if unique.len() != ids.len() {
        return Ok(Err(file_listed_twice()));
    }
    let files = tx
        .unattached_uploads(member.organization.id, member.user.id, ids)
        .await?;
    if files.len() != unique.len() {
        return Ok(Err(attachment_gone()));
    }
    let mut total = room.total_bytes;
    for (count, file) in files.iter().enumerate() {
        let count = room.files + count;
        if let Err(e) = check_attachment_room(&file.file_name, file.size, count, total) {
            return Ok(Err(e));
        }
        total += file.size;
    }
    Ok(Ok(()))
}

/// Attaches the member's checked uploads `ids` to the ticket (and to its comment `activity_id`);
/// the names of the files. 422 [`api::ticket::ATTACHMENT_GONE`] when one was deleted, swept or attached by a
/// parallel request since the check.
pub async fn attach_uploads(
    tx: &mut Tx,
    member: &Member,
    ticket_id: i64,
    activity_id: Option<i64>,
    ids: &[i64],
) -> Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let files = tx
        .attach_uploads(
            ticket_id,
            activity_id,
            member.organization.id,
            member.user.id,
            ids,
        )
        .await?;
    if files.len() != ids.len() {
        return Err(Error::Invalid(vec![attachment_gone().into()]));
    }
    Ok(files)
}

// ---------------------------------------------------------------------------------------------
// Reading

/// The ticket if `member` may read it ([`permissions::can_read`]), else [`Error::NotFound`], never
/// 403: a ticket someone may not read is one they must not learn exists.
pub async fn load_readable(store: &Store, member: &Member, ticket_id: i64) -> Result<StoredTicket> {
    let mut read = store.begin().await?;
    load_readable_in(&mut read, member, ticket_id).await
}

/// [`load_readable`] inside the caller's transaction.
pub async fn load_readable_in(
    tx: &mut Tx,
    member: &Member,
    ticket_id: i64,
) -> Result<StoredTicket> {
    tx.ticket(ticket_id)
        .await?
        .filter(|stored| permissions::can_read(member, stored))
        .ok_or(Error::NotFound)
}

/// The ticket after a change, inside the change's transaction.
pub async fn reload(tx: &mut Tx, ticket_id: i64) -> Result<StoredTicket> {
    tx.ticket(ticket_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("ticket {ticket_id} vanished in its transaction").into())
}
