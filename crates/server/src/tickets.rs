//! Support tickets: what the create form offers, creating a ticket (safe to retry with an
//! `Idempotency-Key`), one ticket with its conversation, and who may do what with it
//! ([`permissions`]). The lists are in [`crate::ticket_list`], adding to the conversation in
//! [`crate::conversation`].

use std::collections::HashSet;

use api::ticket::check_attachment_room;
use api::{
    Activity, ActivityKind, Attachment, AuthorKind, FieldMessage, NamedRef, NewTicket,
    ResponseTime, Severity, SupportTier, Ticket, TicketContext, TicketOptions, TicketPermissions,
    TicketStatus,
};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use sqlx::{Sqlite, SqliteConnection, Transaction};
use time::macros::format_description;
use time::{Duration, OffsetDateTime, UtcOffset, Weekday};

use crate::auth::{CurrentUser, Member};
use crate::error::{Error, Json, Path, Result};
use crate::idempotency::{self, Claim, Start};
use crate::{AppState, clock, conversation, etag, org, outbox, support, ticket_list};

/// 403 for organizations on free services, which have no support tier (ticket creation and uploads).
pub const FREE_PLAN: &str = "Organizations on free services have no support tier, so they cannot open support tickets. Ask the community forum instead.";
/// 422 `attachments` when a listed file is not an unattached upload of this user in this organization.
pub const ATTACHMENT_GONE: &str =
    "Files: one of the files is no longer available. Remove it and upload it again.";

/// 422 `follow_up_of` when the ticket to follow up is not a closed ticket the user can read.
pub const FOLLOW_UP_REFUSED: &str =
    "This ticket can only follow up a closed ticket of your organization.";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizations/{org_id}/ticket-options", get(options))
        .route(
            "/organizations/{org_id}/tickets",
            get(ticket_list::list).post(create),
        )
        .route("/organizations/{org_id}/tickets/{ticket_id}", get(show))
}

async fn options(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
) -> Result<Json<TicketOptions>> {
    let member = Member::load(&state, user, org_id).await?;
    let tier = support::current_tier(&state.db, org_id, member.organization.plan).await?;
    Ok(Json(TicketOptions {
        projects: org::load_projects(&state.db, org_id).await?,
        products: org::load_products(&state.db).await?,
        response_times: tier
            .as_ref()
            .map(|t| Severity::ALL.map(|s| t.response_time(s)).to_vec())
            .unwrap_or_default(),
        tier_name: tier.map(|t| t.name),
        forum_url: state.config.forum_url.clone(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Creating

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
    headers: HeaderMap,
    Json(input): Json<NewTicket>,
) -> Result<Response> {
    let member = Member::load(&state, user, org_id).await?;
    let scope = org_id.to_string();
    let claim =
        match idempotency::begin(&state.db, member.user.id, &headers, &scope, &input).await? {
            Start::Replay(response) => return Ok(response),
            Start::Run(claim) => claim,
        };
    let work = create_ticket(&state, &member, &input, claim.as_ref()).await;
    idempotency::finish(&state.db, claim, work).await
}

/// Checks and creates the ticket, attaches its files and records its emails, all in one transaction
/// that also completes `claim`. Returns the ticket as the JSON text that was stored on the claim.
async fn create_ticket(
    state: &AppState,
    member: &Member,
    input: &NewTicket,
    claim: Option<&Claim>,
) -> Result<String> {
    let org_id = member.organization.id;
    let tier = support::current_tier(&state.db, org_id, member.organization.plan)
        .await?
        .ok_or(Error::Forbidden(FREE_PLAN))?;
    let products = org::load_products(&state.db).await?;
    let projects = org::load_projects(&state.db, org_id).await?;
    let context = TicketContext {
        products: &products,
        projects: &projects,
        submitter: &member.user.email,
    };
    let mut conn = state.db.acquire().await?;
    let uploads = check_uploads(
        &mut conn,
        member,
        &input.attachment_ids,
        UploadRoom::default(),
    )
    .await?;
    let follow_up = match input.follow_up_of {
        Some(id) => check_follow_up(&mut conn, member, id).await?,
        None => Ok(()),
    };
    drop(conn);
    let valid = match (input.validate(context), uploads, follow_up) {
        (Ok(valid), Ok(()), Ok(())) => valid,
        (result, uploads, follow_up) => {
            // Every problem at once; the files come last in the form, the ticket it follows up is
            // not a field of it.
            let mut fields = result.err().unwrap_or_default();
            for e in [uploads.err(), follow_up.err()].into_iter().flatten() {
                if !fields.iter().any(|f| f.field == e.field) {
                    fields.push(e.into());
                }
            }
            return Err(Error::Invalid(fields));
        }
    };

    let now = clock::now()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| clock::now());
    let created_at = clock::rfc3339(now);
    let target = tier.response_time(valid.severity);
    let due_at = clock::rfc3339(first_response_due(now, target));
    let (target_unit, target_value) = match target {
        ResponseTime::BusinessDays(n) => ("business_days", n),
        ResponseTime::Minutes(n) => ("minutes", n),
    };
    let account_team: Option<String> =
        sqlx::query_scalar("SELECT account_team_email FROM organizations WHERE id = ?")
            .bind(org_id)
            .fetch_one(&state.db)
            .await?;
    let followers = conversation::followers(&state.db, org_id).await?;

    // IMMEDIATE takes the write lock up front, so the attachment update below cannot lose a race with
    // an upload being deleted or attached elsewhere halfway through.
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tickets
             (organization_id, submitter_id, subject, severity, status, product_key, reason_key,
              project_id, service_id, description, first_response_target_unit,
              first_response_target_value, first_response_due_at, created_at, updated_at,
              follow_up_of)
         VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         RETURNING id",
    )
    .bind(org_id)
    .bind(member.user.id)
    .bind(valid.subject.as_str())
    .bind(severity_str(valid.severity))
    .bind(&valid.product)
    .bind(&valid.reason)
    .bind(valid.project_id)
    .bind(valid.service_id)
    .bind(valid.description.as_str())
    .bind(target_unit)
    .bind(target_value)
    .bind(&due_at)
    .bind(&created_at)
    .bind(&created_at)
    .bind(input.follow_up_of)
    .fetch_one(&mut *tx)
    .await?;
    for (position, email) in valid.cc.iter().enumerate() {
        sqlx::query(
            "INSERT INTO ticket_cc (ticket_id, email, position, added_by, added_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(email.as_str())
        .bind(i64::try_from(position).map_err(anyhow::Error::from)?)
        .bind(member.user.id)
        .bind(&created_at)
        .execute(&mut *tx)
        .await?;
    }
    if !valid.attachment_ids.is_empty() {
        let attached = sqlx::query(
            "UPDATE attachments SET ticket_id = ?
             WHERE organization_id = ? AND uploaded_by = ? AND ticket_id IS NULL
               AND id IN (SELECT value FROM json_each(?))",
        )
        .bind(id)
        .bind(org_id)
        .bind(member.user.id)
        .bind(ids_json(&valid.attachment_ids)?)
        .execute(&mut *tx)
        .await?;
        // Deleted, swept or attached by a parallel request since the check above.
        if attached.rows_affected() != valid.attachment_ids.len() as u64 {
            return Err(attachment_gone());
        }
    }
    let ticket = load_ticket(&mut tx, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("ticket {id} vanished in its transaction"))?
        .for_member(member)
        .ok_or_else(|| anyhow::anyhow!("the submitter cannot read ticket {id}"))?;
    notify_created(
        &mut tx,
        &ticket,
        &member.organization.name,
        &tier,
        account_team.as_deref(),
        &followers,
    )
    .await?;
    let body = serde_json::to_string(&ticket).map_err(anyhow::Error::from)?;
    if let Some(claim) = claim {
        claim.complete(&mut tx, StatusCode::CREATED, &body).await?;
    }
    tx.commit().await?;
    tracing::info!(
        ticket_id = id,
        org_id,
        severity = severity_str(valid.severity),
        "ticket created"
    );
    Ok(body)
}

pub(crate) fn attachment_gone() -> Error {
    Error::Invalid(vec![FieldMessage {
        field: "attachments".into(),
        message: ATTACHMENT_GONE.into(),
    }])
}

pub(crate) fn ids_json(ids: &[i64]) -> Result<String> {
    Ok(serde_json::to_string(ids).map_err(anyhow::Error::from)?)
}

/// What a ticket already holds when more files are attached to it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct UploadRoom {
    /// Bytes of the ticket's files, its comments' included.
    pub total_bytes: u64,
}

/// The files to attach must be the member's own uploads in this organization, not on a ticket yet,
/// at most [`api::ticket::ATTACHMENTS_MAX`] at once, and fit the ticket's total size limit together
/// with what it already holds (`room`).
pub(crate) async fn check_uploads(
    conn: &mut SqliteConnection,
    member: &Member,
    ids: &[i64],
    room: UploadRoom,
) -> Result<Result<(), api::FieldError>> {
    if ids.is_empty() {
        return Ok(Ok(()));
    }
    let unique: HashSet<i64> = ids.iter().copied().collect();
    if unique.len() != ids.len() {
        return Ok(Err(api::FieldError::new(
            "attachments",
            "Files: a file is listed twice.",
        )));
    }
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT id, file_name, size FROM attachments
         WHERE organization_id = ? AND uploaded_by = ? AND ticket_id IS NULL
           AND id IN (SELECT value FROM json_each(?))",
    )
    .bind(member.organization.id)
    .bind(member.user.id)
    .bind(ids_json(ids)?)
    .fetch_all(&mut *conn)
    .await?;
    if rows.len() != unique.len() {
        return Ok(Err(api::FieldError::new("attachments", ATTACHMENT_GONE)));
    }
    let mut total = room.total_bytes;
    for (count, (_, name, size)) in rows.iter().enumerate() {
        let size = u64::try_from(*size).map_err(anyhow::Error::from)?;
        if let Err(e) = check_attachment_room(name, size, count, total) {
            return Ok(Err(e));
        }
        total += size;
    }
    Ok(Ok(()))
}

/// A new ticket may follow up only a closed ticket that its submitter can read (so also one of the
/// same organization). Any other id gets the same answer: whether it exists is not revealed.
async fn check_follow_up(
    conn: &mut SqliteConnection,
    member: &Member,
    id: i64,
) -> Result<Result<(), api::FieldError>> {
    let closed_and_readable = load_ticket(conn, id).await?.is_some_and(|stored| {
        stored.ticket.status == TicketStatus::Closed && permissions(member, &stored).is_some()
    });
    Ok(if closed_and_readable {
        Ok(())
    } else {
        Err(api::FieldError::new("follow_up_of", FOLLOW_UP_REFUSED))
    })
}

/// When the first answer is due for a ticket created at `created` with `target`.
///
/// Minutes run around the clock. Business days skip Saturdays and Sundays (UTC; public holidays are not
/// modelled): the answer is due at the same time of day on the `n`th weekday after the creation day.
/// So Friday 15:00 + 1 business day is Monday 15:00, and a ticket created on Saturday or Sunday at
/// 15:00 is also due Monday 15:00: the weekend does not count, and the creation day is never the first
/// business day.
pub fn first_response_due(created: OffsetDateTime, target: ResponseTime) -> OffsetDateTime {
    let created = created.to_offset(UtcOffset::UTC);
    match target {
        ResponseTime::Minutes(minutes) => created + Duration::minutes(i64::from(minutes)),
        ResponseTime::BusinessDays(days) => {
            let mut due = created;
            for _ in 0..days {
                due += Duration::days(1);
                while matches!(due.weekday(), Weekday::Saturday | Weekday::Sunday) {
                    due += Duration::days(1);
                }
            }
            due
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Emails

/// Why someone gets the email about a new ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Submitter,
    Cc,
    Follower,
    AccountTeam,
}

/// Everyone to tell about a new ticket, each address once: the submitter, the CCs, the admins who
/// follow every ticket of the organization, and on tiers above Basic the account team.
fn recipients<'a>(
    ticket: &'a Ticket,
    tier: &SupportTier,
    account_team: Option<&'a str>,
    followers: &'a [String],
) -> Vec<(&'a str, Role)> {
    let mut seen = HashSet::new();
    let team = account_team
        .map(str::trim)
        .filter(|team| tier.rank > 0 && !team.is_empty());
    std::iter::once((ticket.submitter_email.as_str(), Role::Submitter))
        .chain(ticket.cc.iter().map(|cc| (cc.as_str(), Role::Cc)))
        .chain(followers.iter().map(|f| (f.as_str(), Role::Follower)))
        .chain(team.map(|team| (team, Role::AccountTeam)))
        .filter(|(address, _)| seen.insert(address.to_lowercase()))
        .collect()
}

async fn notify_created(
    tx: &mut Transaction<'_, Sqlite>,
    ticket: &Ticket,
    organization: &str,
    tier: &SupportTier,
    account_team: Option<&str>,
    followers: &[String],
) -> Result<()> {
    let subject = email_subject(ticket);
    for (recipient, role) in recipients(ticket, tier, account_team, followers) {
        let body = created_email(ticket, organization, tier, role);
        outbox::enqueue(tx, recipient, &subject, &body).await?;
    }
    Ok(())
}

/// `[Support #42] Cannot connect`: every email about a ticket has this subject, so mail clients thread
/// them.
pub(crate) fn email_subject(ticket: &Ticket) -> String {
    format!("[Support #{}] {}", ticket.id, ticket.subject)
}

/// `Mon 30 Nov 2026 15:00 UTC`, or the stored text if it does not parse.
pub(crate) fn human_time(rfc3339: &str) -> String {
    let format = format_description!(
        "[weekday repr:short] [day padding:none] [month repr:short] [year] [hour]:[minute] UTC"
    );
    OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(UtcOffset::UTC).format(&format).ok())
        .unwrap_or_else(|| rfc3339.to_owned())
}

/// The plain-text body of the email about a new ticket, for one recipient.
fn created_email(ticket: &Ticket, organization: &str, tier: &SupportTier, role: Role) -> String {
    let submitter = format!("{} <{}>", ticket.submitter_name, ticket.submitter_email);
    let opening = match role {
        Role::Submitter => format!(
            "Your support ticket #{} for {organization} was created. The support team will answer \
             by email and in the console.",
            ticket.id
        ),
        Role::Cc => format!(
            "{submitter} CCed you on support ticket #{} for {organization}. You will get an email \
             about every update.\n\nReplying to this email is not supported yet. If you are a console \
             user of {organization}, open the ticket in the console's Support Center to add to the \
             conversation.",
            ticket.id
        ),
        Role::Follower => format!(
            "{submitter} opened support ticket #{} for {organization}. You get this email because \
             you follow all support tickets of {organization}.",
            ticket.id
        ),
        Role::AccountTeam => format!(
            "{submitter} opened support ticket #{} for {organization} ({} support tier).",
            ticket.id, tier.name
        ),
    };
    let mut details = vec![
        format!("Subject: {}", ticket.subject),
        format!("Severity: {}", ticket.severity.label()),
        format!("Product: {} ({})", ticket.product_name, ticket.reason_label),
    ];
    if let Some(project) = &ticket.project {
        details.push(format!("Project: {}", project.name));
    }
    if let Some(service) = &ticket.service {
        details.push(format!("Service: {}", service.name));
    }
    details.push(format!("Submitted by: {submitter}"));
    if !ticket.cc.is_empty() {
        details.push(format!("CC: {}", ticket.cc.join(", ")));
    }
    details.push(format!(
        "Expected first response: within {}, by {}",
        ticket.first_response_target,
        human_time(&ticket.first_response_due_at)
    ));
    details.push(format!("Files: {}", ticket.attachments.len()));
    format!(
        "{opening}\n\n{}\n\nDescription:\n{}\n",
        details.join("\n"),
        ticket.description
    )
}

// ---------------------------------------------------------------------------------------------
// Reading

/// A ticket with what the access rules need besides the wire shape.
#[derive(Debug, Clone)]
pub struct StoredTicket {
    pub organization_id: i64,
    pub submitter_id: i64,
    pub ticket: Ticket,
}

impl StoredTicket {
    /// The ticket as `member` sees it (with their [`permissions`]), or `None` if they may not read it.
    pub fn for_member(self, member: &Member) -> Option<Ticket> {
        let permissions = permissions(member, &self)?;
        Some(Ticket {
            permissions,
            ..self.ticket
        })
    }
}

/// Who may do what with a ticket: the one rule behind every ticket endpoint, the downloads and the
/// `permissions` the SPA shows. `None`: `member` may not even read it, and must be told it does not
/// exist (404, never 403).
///
/// - Read: in the ticket's organization, the submitter, the organization's admins, and members whose
///   email is on the CC list. (A CCed address without a membership in this organization, including a
///   user of another organization, only gets email: membership is checked first.)
/// - Comment and CC others ([`TicketPermissions::can_comment`]): every reader, while the ticket is not
///   closed.
/// - Mark solved or reopen ([`TicketPermissions::can_change_status`]): every reader, while the ticket
///   is not closed (nothing leads out of `closed` for customers; [`api::StatusChange::check`] explains
///   why with a 409).
/// - Remove someone from the CC list ([`TicketPermissions::can_remove_cc`]): the submitter and admins.
pub fn permissions(member: &Member, stored: &StoredTicket) -> Option<TicketPermissions> {
    if stored.organization_id != member.organization.id {
        return None;
    }
    let email = normalise_email(&member.user.email);
    let submitter = stored.submitter_id == member.user.id;
    let admin = member.is_admin();
    let ccd = stored
        .ticket
        .cc
        .iter()
        .any(|cc| cc.eq_ignore_ascii_case(&email));
    if !(submitter || admin || ccd) {
        return None;
    }
    let open = stored.ticket.status != TicketStatus::Closed;
    Some(TicketPermissions {
        can_comment: open,
        can_change_status: open,
        can_remove_cc: submitter || admin,
    })
}

/// Whether `member` may read the ticket at all ([`permissions`]).
pub fn can_read(member: &Member, stored: &StoredTicket) -> bool {
    permissions(member, stored).is_some()
}

/// The ticket if `member` may read it ([`can_read`]), else [`Error::NotFound`], never 403: a ticket
/// someone may not read is one they must not learn exists.
pub async fn load_readable(
    state: &AppState,
    member: &Member,
    ticket_id: i64,
) -> Result<StoredTicket> {
    let mut conn = state.db.acquire().await?;
    load_readable_in(&mut conn, member, ticket_id).await
}

/// [`load_readable`] on a connection the caller holds (inside its transaction).
pub async fn load_readable_in(
    conn: &mut SqliteConnection,
    member: &Member,
    ticket_id: i64,
) -> Result<StoredTicket> {
    load_ticket(conn, ticket_id)
        .await?
        .filter(|stored| can_read(member, stored))
        .ok_or(Error::NotFound)
}

/// CC addresses are stored the way `api::Email` normalises them.
pub(crate) fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// `GET /organizations/{org}/tickets/{id}`, with an ETag: the SPA polls it.
async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((org_id, ticket_id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Response> {
    let member = Member::load(&state, user, org_id).await?;
    let ticket = load_readable(&state, &member, ticket_id)
        .await?
        .for_member(&member)
        .ok_or(Error::NotFound)?;
    etag::json(&headers, &ticket)
}

#[derive(sqlx::FromRow)]
struct TicketRow {
    id: i64,
    organization_id: i64,
    submitter_id: i64,
    subject: String,
    severity: String,
    status: String,
    product_key: String,
    product_name: String,
    reason_key: String,
    reason_label: String,
    project_id: Option<i64>,
    project_name: Option<String>,
    service_id: Option<i64>,
    service_name: Option<String>,
    description: String,
    submitter_name: String,
    submitter_email: String,
    created_at: String,
    updated_at: String,
    first_response_target_unit: String,
    first_response_target_value: i64,
    first_response_due_at: String,
    first_response_at: Option<String>,
    follow_up_of: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    id: i64,
    file_name: String,
    size: i64,
    content_type: String,
    activity_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ActivityRow {
    id: i64,
    kind: String,
    author_kind: String,
    author_name: String,
    body: String,
    emails: String,
    status: Option<String>,
    created_at: String,
}

/// The ticket with `id` and everything its page shows, whoever may read it (with no permissions: see
/// [`StoredTicket::for_member`]).
pub(crate) async fn load_ticket(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<StoredTicket>> {
    let row: Option<TicketRow> = sqlx::query_as(
        "SELECT t.id, t.organization_id, t.submitter_id, t.subject, t.severity, t.status,
                t.product_key, p.name AS product_name, t.reason_key, r.label AS reason_label,
                t.project_id, pr.name AS project_name, t.service_id, s.name AS service_name,
                t.description, u.name AS submitter_name, u.email AS submitter_email,
                t.created_at, t.updated_at, t.first_response_target_unit,
                t.first_response_target_value, t.first_response_due_at, t.first_response_at,
                t.follow_up_of
         FROM tickets t
         JOIN users u ON u.id = t.submitter_id
         JOIN products p ON p.key = t.product_key
         JOIN product_reasons r ON r.product_key = t.product_key AND r.key = t.reason_key
         LEFT JOIN projects pr ON pr.id = t.project_id
         LEFT JOIN services s ON s.id = t.service_id
         WHERE t.id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let cc: Vec<String> =
        sqlx::query_scalar("SELECT email FROM ticket_cc WHERE ticket_id = ? ORDER BY position")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let files: Vec<AttachmentRow> = sqlx::query_as(
        "SELECT id, file_name, size, content_type, activity_id FROM attachments
         WHERE ticket_id = ? ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let activity_rows: Vec<ActivityRow> = sqlx::query_as(
        "SELECT id, kind, author_kind, author_name, body, emails, status, created_at
         FROM ticket_activity WHERE ticket_id = ? ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;

    let mut attachments = Vec::new();
    let mut comment_files: Vec<(i64, Attachment)> = Vec::new();
    for file in files {
        let attachment = Attachment {
            id: file.id,
            file_name: file.file_name,
            size: u64::try_from(file.size).map_err(anyhow::Error::from)?,
            content_type: file.content_type,
        };
        match file.activity_id {
            None => attachments.push(attachment),
            Some(activity) => comment_files.push((activity, attachment)),
        }
    }
    let activity = activity_rows
        .into_iter()
        .map(|a| {
            Ok(Activity {
                id: a.id,
                kind: parse_activity_kind(&a.kind)?,
                author_name: a.author_name,
                author_kind: parse_author_kind(&a.author_kind)?,
                created_at: a.created_at,
                body: a.body,
                emails: serde_json::from_str(&a.emails).map_err(anyhow::Error::from)?,
                status: a.status.as_deref().map(parse_status).transpose()?,
                attachments: comment_files
                    .iter()
                    .filter(|(activity, _)| *activity == a.id)
                    .map(|(_, file)| file.clone())
                    .collect(),
            })
        })
        .collect::<Result<_>>()?;
    let named = |id: Option<i64>, name: Option<String>| match (id, name) {
        (Some(id), Some(name)) => Some(NamedRef { id, name }),
        _ => None,
    };
    Ok(Some(StoredTicket {
        organization_id: row.organization_id,
        submitter_id: row.submitter_id,
        ticket: Ticket {
            id: row.id,
            subject: row.subject,
            severity: parse_severity(&row.severity)?,
            status: parse_status(&row.status)?,
            product_key: row.product_key,
            product_name: row.product_name,
            reason_key: row.reason_key,
            reason_label: row.reason_label,
            project: named(row.project_id, row.project_name),
            service: named(row.service_id, row.service_name),
            description: row.description,
            cc,
            submitter_name: row.submitter_name,
            submitter_email: row.submitter_email,
            created_at: row.created_at,
            updated_at: row.updated_at,
            first_response_target: support::response_time(
                &row.first_response_target_unit,
                row.first_response_target_value,
            )?,
            first_response_due_at: row.first_response_due_at,
            first_response_at: row.first_response_at,
            attachments,
            activity,
            permissions: TicketPermissions::default(),
            follow_up_of: row.follow_up_of,
        },
    }))
}

/// The stored names of [`ActivityKind`].
pub(crate) fn activity_kind_str(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::Comment => "comment",
        ActivityKind::CcAdded => "cc_added",
        ActivityKind::CcRemoved => "cc_removed",
        ActivityKind::StatusChanged => "status_changed",
    }
}

fn parse_activity_kind(s: &str) -> Result<ActivityKind> {
    [
        ActivityKind::Comment,
        ActivityKind::CcAdded,
        ActivityKind::CcRemoved,
        ActivityKind::StatusChanged,
    ]
    .into_iter()
    .find(|kind| activity_kind_str(*kind) == s)
    .ok_or_else(|| anyhow::anyhow!("unknown activity kind {s:?}").into())
}

/// The stored names of [`AuthorKind`].
pub(crate) fn author_kind_str(kind: AuthorKind) -> &'static str {
    match kind {
        AuthorKind::Customer => "customer",
        AuthorKind::Agent => "agent",
    }
}

fn parse_author_kind(s: &str) -> Result<AuthorKind> {
    [AuthorKind::Customer, AuthorKind::Agent]
        .into_iter()
        .find(|kind| author_kind_str(*kind) == s)
        .ok_or_else(|| anyhow::anyhow!("unknown author kind {s:?}").into())
}

pub(crate) fn severity_str(severity: Severity) -> &'static str {
    match severity {
        Severity::Low => "low",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

pub(crate) fn parse_severity(s: &str) -> Result<Severity> {
    Severity::ALL
        .into_iter()
        .find(|severity| severity_str(*severity) == s)
        .ok_or_else(|| anyhow::anyhow!("unknown severity {s:?}").into())
}

pub(crate) fn parse_status(s: &str) -> Result<TicketStatus> {
    TicketStatus::parse(s).ok_or_else(|| anyhow::anyhow!("unknown ticket status {s:?}").into())
}

#[cfg(test)]
mod tests {
    use api::{Organization, PlanKind, PriceRule, Role as MemberRole};
    use time::macros::datetime;

    use super::*;

    fn due(created: OffsetDateTime, target: ResponseTime) -> OffsetDateTime {
        first_response_due(created, target)
    }

    #[test]
    fn minutes_run_around_the_clock() {
        // Friday evening + 30 min lands on Saturday: minute targets ignore weekends.
        assert_eq!(
            due(datetime!(2026-11-27 23:45 UTC), ResponseTime::Minutes(30)),
            datetime!(2026-11-28 00:15 UTC)
        );
        assert_eq!(
            due(datetime!(2026-11-27 10:00 UTC), ResponseTime::Minutes(720)),
            datetime!(2026-11-27 22:00 UTC)
        );
    }

    #[test]
    fn business_days_skip_weekends_and_keep_the_time_of_day() {
        let one = ResponseTime::BusinessDays(1);
        // 2026-11-26 is a Thursday.
        assert_eq!(
            due(datetime!(2026-11-26 15:00 UTC), one),
            datetime!(2026-11-27 15:00 UTC)
        );
        // Friday, Saturday and Sunday all wait for Monday.
        for created in [
            datetime!(2026-11-27 15:00 UTC),
            datetime!(2026-11-28 15:00 UTC),
            datetime!(2026-11-29 15:00 UTC),
        ] {
            assert_eq!(
                due(created, one),
                datetime!(2026-11-30 15:00 UTC),
                "{created}"
            );
        }
        // Friday + 3 is Wednesday.
        assert_eq!(
            due(
                datetime!(2026-11-27 09:30 UTC),
                ResponseTime::BusinessDays(3)
            ),
            datetime!(2026-12-02 09:30 UTC)
        );
        // Times in other offsets count in UTC: Friday 01:00 in Helsinki is Thursday in UTC.
        assert_eq!(
            due(datetime!(2026-11-27 01:00 +02:00), one),
            datetime!(2026-11-27 23:00 UTC)
        );
    }

    fn tier(rank: u32) -> SupportTier {
        SupportTier {
            key: "advanced".into(),
            name: "Advanced".into(),
            rank,
            summary: String::new(),
            low: ResponseTime::Minutes(720),
            high: ResponseTime::Minutes(60),
            critical: ResponseTime::Minutes(30),
            hours: "24/7".into(),
            phone: "Critical only".into(),
            account_team: "Account manager".into(),
            price: PriceRule::Included,
        }
    }

    fn ticket() -> Ticket {
        Ticket {
            id: 42,
            subject: "Cannot connect".into(),
            severity: Severity::High,
            status: TicketStatus::Open,
            product_key: "postgresql".into(),
            product_name: "PostgreSQL".into(),
            reason_key: "connectivity".into(),
            reason_label: "Cannot connect".into(),
            project: Some(NamedRef {
                id: 1,
                name: "acme-prod".into(),
            }),
            service: Some(NamedRef {
                id: 2,
                name: "pg-main".into(),
            }),
            description: "Timeouts since 10:00.\n\n  at line 3".into(),
            cc: vec!["ops@acme.example".into(), "team@accounts.example".into()],
            submitter_name: "Dana Developer".into(),
            submitter_email: "dev@acme.example".into(),
            created_at: "2026-11-27T15:00:00Z".into(),
            updated_at: "2026-11-27T15:00:00Z".into(),
            first_response_target: ResponseTime::BusinessDays(1),
            first_response_due_at: "2026-11-30T15:00:00Z".into(),
            attachments: vec![],
            first_response_at: None,
            activity: vec![],
            permissions: Default::default(),
            follow_up_of: None,
        }
    }

    #[test]
    fn every_recipient_once_and_the_account_team_only_above_basic() {
        let t = ticket();
        let followers = [
            "admin@acme.example".to_owned(),
            "OPS@acme.example".to_owned(),
        ];
        let addresses = |rank, team| -> Vec<(String, Role)> {
            recipients(&t, &tier(rank), team, &followers)
                .into_iter()
                .map(|(a, r)| (a.to_owned(), r))
                .collect()
        };
        assert_eq!(
            addresses(2, Some("lead@accounts.example")),
            [
                ("dev@acme.example".to_owned(), Role::Submitter),
                ("ops@acme.example".to_owned(), Role::Cc),
                ("team@accounts.example".to_owned(), Role::Cc),
                ("admin@acme.example".to_owned(), Role::Follower),
                ("lead@accounts.example".to_owned(), Role::AccountTeam),
            ]
        );
        let addresses = |rank, team| -> Vec<(String, Role)> {
            recipients(&t, &tier(rank), team, &[])
                .into_iter()
                .map(|(a, r)| (a.to_owned(), r))
                .collect()
        };
        assert_eq!(addresses(0, Some("lead@accounts.example")).len(), 3);
        assert_eq!(addresses(2, Some(" ")).len(), 3);
        // Already CCed: one email, as a CC.
        assert_eq!(addresses(2, Some("Team@Accounts.example")).len(), 3);
    }

    #[test]
    fn the_email_lists_the_ticket_and_tells_ccs_how_to_follow_up() {
        let t = ticket();
        let body = created_email(&t, "Acme Analytics", &tier(0), Role::Submitter);
        for part in [
            "#42",
            "Severity: High",
            "Product: PostgreSQL (Cannot connect)",
            "Project: acme-prod",
            "Service: pg-main",
            "Expected first response: within 1 business day, by Mon 30 Nov 2026 15:00 UTC",
            "Files: 0",
            "Timeouts since 10:00.\n\n  at line 3",
        ] {
            assert!(body.contains(part), "lacks {part:?}: {body}");
        }
        let cc = created_email(&t, "Acme Analytics", &tier(0), Role::Cc);
        assert!(cc.contains("Dana Developer <dev@acme.example> CCed you"));
        assert!(cc.contains("Replying to this email is not supported yet"));
        assert!(cc.contains("console user of Acme Analytics"));
        let team = created_email(&t, "Acme Analytics", &tier(2), Role::AccountTeam);
        assert!(team.contains("(Advanced support tier)"));
        let follower = created_email(&t, "Acme Analytics", &tier(0), Role::Follower);
        assert!(follower.contains("you follow all support tickets of Acme Analytics"));
    }

    fn member(user_id: i64, email: &str, role: MemberRole) -> Member {
        Member {
            user: CurrentUser {
                id: user_id,
                email: email.into(),
            },
            organization: Organization {
                id: 1,
                name: "Acme Analytics".into(),
                plan: PlanKind::Paid,
            },
            role,
        }
    }

    /// Who may do what, for every kind of person and every status: the matrix behind every endpoint.
    #[test]
    fn the_permission_matrix() {
        // (who, read, comment/CC/status while not closed, remove CC)
        let people = [
            (
                member(7, "dev@acme.example", MemberRole::Member),
                "submitter",
                true,
                true,
            ),
            (
                member(8, "Ops@Acme.example", MemberRole::Member),
                "CCed member",
                true,
                false,
            ),
            (
                member(9, "qa@acme.example", MemberRole::Member),
                "other member",
                false,
                false,
            ),
            (
                member(1, "admin@acme.example", MemberRole::Admin),
                "admin",
                true,
                true,
            ),
            // The submitter's email does not matter, the user does.
            (
                member(10, "DEV@acme.example", MemberRole::Member),
                "same email, other user",
                false,
                false,
            ),
        ];
        for status in [
            TicketStatus::Open,
            TicketStatus::AwaitingCustomer,
            TicketStatus::Solved,
            TicketStatus::Closed,
        ] {
            let stored = StoredTicket {
                organization_id: 1,
                submitter_id: 7,
                ticket: Ticket { status, ..ticket() },
            };
            let open = status != TicketStatus::Closed;
            for (who, label, read, remove_cc) in &people {
                let got = permissions(who, &stored);
                assert_eq!(got.is_some(), *read, "{label} reads a {status:?} ticket");
                assert_eq!(can_read(who, &stored), *read, "{label}");
                if let Some(p) = got {
                    assert_eq!(
                        p,
                        TicketPermissions {
                            can_comment: open,
                            can_change_status: open,
                            can_remove_cc: *remove_cc,
                        },
                        "{label} on a {status:?} ticket"
                    );
                }
            }
            // Nobody of another organization, not even its admin with the submitter's id and a CCed
            // address.
            let elsewhere = StoredTicket {
                organization_id: 2,
                ..stored.clone()
            };
            for (who, label, _, _) in &people {
                assert_eq!(permissions(who, &elsewhere), None, "{label} elsewhere");
            }
            let mut globex = member(7, "ops@acme.example", MemberRole::Admin);
            globex.organization.id = 2;
            assert_eq!(permissions(&globex, &stored), None);
        }
    }
}
