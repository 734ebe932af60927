//! Tickets, their CC lists, and a ticket with everything its page shows.

use api::{
    Activity, AffectedResource, Attachment, NamedRef, ResponseTime, Severity, Ticket,
    TicketPermissions, TicketStatus, Timestamp,
};

use super::{Store, Tx, codec, ticket_list};
use crate::error::Result;

/// A ticket with what the access rules need besides the wire shape. Who may read it, and with which
/// permissions, is decided by `rules::tickets::permissions`.
#[derive(Debug, Clone)]
pub struct StoredTicket {
    pub organization_id: i64,
    pub submitter_id: i64,
    /// With no permissions set.
    pub ticket: Ticket,
}

/// A ticket to insert: a new one (open, updated when created, not answered yet), or one of the demo
/// data's with its history.
#[derive(Debug, Clone)]
pub struct NewTicketRow<'a> {
    pub organization_id: i64,
    pub submitter_id: i64,
    pub subject: &'a str,
    pub severity: Severity,
    pub product_key: &'a str,
    pub reason_key: &'a str,
    /// The affected projects and services, each the organization's, in order.
    pub resources: &'a [AffectedResource],
    pub description: &'a str,
    pub first_response_target: ResponseTime,
    pub first_response_due_at: Timestamp,
    pub created_at: Timestamp,
    pub follow_up_of: Option<i64>,
    pub status: TicketStatus,
    pub updated_at: Timestamp,
    pub first_response_at: Option<Timestamp>,
}

/// One ticket as the support team's `tickets list` shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketOverview {
    pub id: i64,
    pub organization: String,
    pub status: String,
    pub subject: String,
}

/// The columns of a [`TicketRow`], as expressions over the `tickets` table alone (the names it refers
/// to as scalar subqueries, not joins), so that reading a ticket and inserting one (`RETURNING`)
/// give the same row with the same text on both engines.
macro_rules! ticket_columns {
    () => {
        "id, organization_id, submitter_id, subject, severity, status, product_key,
         (SELECT name FROM products WHERE key = tickets.product_key) AS product_name,
         reason_key,
         (SELECT label FROM product_reasons
          WHERE product_key = tickets.product_key AND key = tickets.reason_key) AS reason_label,
         description,
         (SELECT name FROM users WHERE id = tickets.submitter_id) AS submitter_name,
         (SELECT email FROM users WHERE id = tickets.submitter_id) AS submitter_email,
         created_at, updated_at, first_response_target_unit, first_response_target_value,
         first_response_due_at, first_response_at, follow_up_of"
    };
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
struct ResourceRow {
    project_id: i64,
    project_name: String,
    service_id: Option<i64>,
    service_name: Option<String>,
}

impl ResourceRow {
    fn into_resource(self) -> AffectedResource {
        AffectedResource {
            project: NamedRef {
                id: self.project_id,
                name: self.project_name,
            },
            service: self
                .service_id
                .zip(self.service_name)
                .map(|(id, name)| NamedRef { id, name }),
        }
    }
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
    by_email: bool,
}

impl Store {
    /// The organization of ticket `id`, if there is such a ticket.
    pub async fn ticket_organization(&self, id: i64) -> Result<Option<i64>> {
        on_pool!(self, |pool| {
            Ok(
                sqlx::query_scalar("SELECT organization_id FROM tickets WHERE id = $1")
                    .bind(id)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    /// Every ticket, most recently updated first.
    pub async fn ticket_overviews(&self) -> Result<Vec<TicketOverview>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT t.id, o.name AS organization, t.status, t.subject
             FROM tickets t JOIN organizations o ON o.id = t.organization_id
             ORDER BY t.updated_at DESC, t.id DESC",
            )
            .fetch_all(pool)
            .await?)
        })
    }
}

impl Tx {
    /// Inserts a ticket with its affected projects and services and returns it as stored, with its
    /// lists empty ([`Tx::read_lists`] reads them once the CCs and files are added). The row comes
    /// back from the insert itself (`RETURNING`): reading it again would be one more statement in the
    /// write transaction, where the writers queued behind it wait.
    pub async fn insert_ticket(&mut self, t: &NewTicketRow<'_>) -> Result<StoredTicket> {
        on_tx!(self, |conn, pg| {
            let (target_unit, target_value) = codec::response_time_columns(t.first_response_target);
            // What the list's search matches them by (migration 0009).
            let resource_ids = t
                .resources
                .iter()
                .map(AffectedResource::id_text)
                .collect::<Vec<_>>()
                .join(" ");
            // PostgreSQL's search reads `search_text` (see `ticket_list::search_text`); SQLite's FTS5
            // table is kept by triggers from the columns themselves.
            let search_text = ticket_list::search_text(&[t.subject, t.description, &resource_ids]);
            let query = sqlx::query_as(if pg {
                concat!(
                    "INSERT INTO tickets
                     (organization_id, submitter_id, subject, severity, status, product_key,
                      reason_key, resource_ids, description, first_response_target_unit,
                      first_response_target_value, first_response_due_at, created_at, updated_at,
                      follow_up_of, first_response_at, search_text)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                             $17)
                     RETURNING ",
                    ticket_columns!()
                )
            } else {
                concat!(
                    "INSERT INTO tickets
                     (organization_id, submitter_id, subject, severity, status, product_key,
                      reason_key, resource_ids, description, first_response_target_unit,
                      first_response_target_value, first_response_due_at, created_at, updated_at,
                      follow_up_of, first_response_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                     RETURNING ",
                    ticket_columns!()
                )
            })
            .bind(t.organization_id)
            .bind(t.submitter_id)
            .bind(t.subject)
            .bind(t.severity.key())
            .bind(t.status.as_str())
            .bind(t.product_key)
            .bind(t.reason_key)
            .bind(&resource_ids)
            .bind(t.description)
            .bind(target_unit)
            .bind(i64::from(target_value))
            .bind(t.first_response_due_at.to_string())
            .bind(t.created_at.to_string())
            .bind(t.updated_at.to_string())
            .bind(t.follow_up_of)
            .bind(t.first_response_at.map(|at| at.to_string()));
            let query = if pg { query.bind(search_text) } else { query };
            let row: TicketRow = query.fetch_one(&mut *conn).await?;
            let id = row.id;
            for (position, resource) in (0_i64..).zip(t.resources) {
                sqlx::query(
                    "INSERT INTO ticket_resources (ticket_id, position, project_id, service_id)
                 VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(position)
                .bind(resource.project.id)
                .bind(resource.service.as_ref().map(|s| s.id))
                .execute(&mut *conn)
                .await?;
            }
            row.into_stored()
        })
    }

    /// Appends `emails` (normalised) to the ticket's CC list, in order, as added by `added_by` at
    /// `at`.
    pub async fn add_ccs(
        &mut self,
        ticket_id: i64,
        emails: &[&str],
        added_by: i64,
        at: Timestamp,
    ) -> Result<()> {
        on_tx!(self, |conn| {
            if emails.is_empty() {
                return Ok(());
            }
            let first: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM ticket_cc WHERE ticket_id = $1",
            )
            .bind(ticket_id)
            .fetch_one(&mut *conn)
            .await?;
            for (position, email) in (first..).zip(emails) {
                sqlx::query(
                    "INSERT INTO ticket_cc (ticket_id, email, position, added_by, added_at)
                 VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(ticket_id)
                .bind(*email)
                .bind(position)
                .bind(added_by)
                .bind(at.to_string())
                .execute(&mut *conn)
                .await?;
            }
            Ok(())
        })
    }

    /// Takes `email` (normalised) off the ticket's CC list; the address as stored, or `None` when it
    /// was not on it.
    pub async fn remove_cc(&mut self, ticket_id: i64, email: &str) -> Result<Option<String>> {
        on_tx!(self, |conn| {
            Ok(sqlx::query_scalar(
                "DELETE FROM ticket_cc WHERE ticket_id = $1 AND email = $2 RETURNING email",
            )
            .bind(ticket_id)
            .bind(email)
            .fetch_optional(&mut *conn)
            .await?)
        })
    }

    /// Moves the ticket to `status` (its conversation records the change separately).
    pub async fn set_ticket_status(&mut self, ticket_id: i64, status: TicketStatus) -> Result<()> {
        on_tx!(self, |conn| {
            sqlx::query("UPDATE tickets SET status = $1 WHERE id = $2")
                .bind(status.as_str())
                .bind(ticket_id)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }

    /// Moves the ticket up the "recently updated" list.
    pub async fn touch_ticket(&mut self, ticket_id: i64, at: Timestamp) -> Result<()> {
        on_tx!(self, |conn| {
            sqlx::query("UPDATE tickets SET updated_at = $1 WHERE id = $2")
                .bind(at.to_string())
                .bind(ticket_id)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }

    /// Records a reply of the support team at `at`: the first one sets the first response time. Also
    /// moves the ticket up the "recently updated" list.
    pub async fn record_agent_reply(&mut self, ticket_id: i64, at: Timestamp) -> Result<()> {
        on_tx!(self, |conn| {
            sqlx::query(
            "UPDATE tickets SET first_response_at = COALESCE(first_response_at, $1), updated_at = $1
             WHERE id = $2",
        )
        .bind(at.to_string())
        .bind(ticket_id)
        .execute(&mut *conn)
        .await?;
            Ok(())
        })
    }

    /// The ticket with `id` and everything its page shows, whoever may read it.
    pub async fn ticket(&mut self, id: i64) -> Result<Option<StoredTicket>> {
        let row: Option<TicketRow> = on_tx!(self, |conn| {
            sqlx::query_as(concat!(
                "SELECT ",
                ticket_columns!(),
                " FROM tickets WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
        });
        let Some(row) = row else {
            return Ok(None);
        };
        let stored = row.into_stored()?;
        self.read_lists(stored, TicketLists::ALL).await.map(Some)
    }

    /// `ticket` with `lists` read (the others as they were): its CCs, affected resources, files and
    /// activity.
    pub async fn read_lists(
        &mut self,
        mut ticket: StoredTicket,
        lists: TicketLists,
    ) -> Result<StoredTicket> {
        let id = ticket.ticket.id;
        on_tx!(self, |conn| {
            let conn = &mut *conn;
            let cc: Vec<String> = if lists.cc {
                sqlx::query_scalar(
                    "SELECT email FROM ticket_cc WHERE ticket_id = $1 ORDER BY position",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
            } else {
                Vec::new()
            };
            let resources: Vec<ResourceRow> = if lists.resources {
                sqlx::query_as(
                    "SELECT r.project_id, p.name AS project_name, r.service_id, s.name AS service_name
                 FROM ticket_resources r
                 JOIN projects p ON p.id = r.project_id
                 LEFT JOIN services s ON s.id = r.service_id
                 WHERE r.ticket_id = $1 ORDER BY r.position",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
            } else {
                Vec::new()
            };
            let files: Vec<AttachmentRow> = if lists.files {
                sqlx::query_as(
                    "SELECT id, file_name, size, content_type, activity_id FROM attachments
                 WHERE ticket_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
            } else {
                Vec::new()
            };
            let activity_rows: Vec<ActivityRow> = if lists.activity {
                sqlx::query_as(
                    "SELECT id, kind, author_kind, author_name, body, emails, status, created_at,
                        by_email
                 FROM ticket_activity WHERE ticket_id = $1 ORDER BY created_at, id",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
            } else {
                Vec::new()
            };

            let (attachments, comment_files) = split_files(files)?;
            let activity = activity_rows
                .into_iter()
                .map(|a| a.into_activity(&comment_files))
                .collect::<Result<_>>()?;
            let t = &mut ticket.ticket;
            if lists.cc {
                t.cc = cc;
            }
            if lists.resources {
                t.resources = resources
                    .into_iter()
                    .map(ResourceRow::into_resource)
                    .collect();
            }
            if lists.files {
                t.attachments = attachments;
            }
            if lists.activity {
                t.activity = activity;
            }
            Ok(ticket)
        })
    }
}

/// Which of a ticket's lists [`Tx::read_lists`] reads. Creating a ticket reads them in its write
/// transaction, where every statement makes the writers queued behind it wait: a ticket inserted in
/// that transaction has no activity yet and none of the lists its request left empty, so those
/// reads are skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketLists {
    pub cc: bool,
    pub resources: bool,
    pub files: bool,
    pub activity: bool,
}

impl TicketLists {
    /// Every list: what a ticket's page shows.
    pub const ALL: Self = Self {
        cc: true,
        resources: true,
        files: true,
        activity: true,
    };
}

/// Files sent with comments, each with its comment's id.
type CommentFiles = Vec<(i64, Attachment)>;

/// The ticket's own files, and those sent with a comment.
fn split_files(files: Vec<AttachmentRow>) -> Result<(Vec<Attachment>, CommentFiles)> {
    let mut attachments = Vec::new();
    let mut comment_files = Vec::new();
    for file in files {
        let attachment = Attachment {
            id: file.id,
            file_name: file.file_name,
            size: codec::unsigned(file.size)?,
            content_type: file.content_type,
        };
        match file.activity_id {
            None => attachments.push(attachment),
            Some(activity) => comment_files.push((activity, attachment)),
        }
    }
    Ok((attachments, comment_files))
}

impl ActivityRow {
    /// The entry with the files sent with it (`comment_files`: the ticket's, by comment id).
    fn into_activity(self, comment_files: &[(i64, Attachment)]) -> Result<Activity> {
        Ok(Activity {
            id: self.id,
            kind: codec::activity_kind(&self.kind)?,
            author_name: self.author_name,
            author_kind: codec::author_kind(&self.author_kind)?,
            created_at: codec::timestamp(&self.created_at)?,
            body: self.body,
            emails: serde_json::from_str(&self.emails).map_err(anyhow::Error::from)?,
            status: self
                .status
                .as_deref()
                .map(codec::ticket_status)
                .transpose()?,
            attachments: comment_files
                .iter()
                .filter(|(activity, _)| *activity == self.id)
                .map(|(_, file)| file.clone())
                .collect(),
            by_email: self.by_email,
        })
    }
}

impl TicketRow {
    /// The ticket with its lists empty ([`Tx::read_lists`] fills them).
    fn into_stored(self) -> Result<StoredTicket> {
        Ok(StoredTicket {
            organization_id: self.organization_id,
            submitter_id: self.submitter_id,
            ticket: Ticket {
                id: self.id,
                subject: self.subject,
                severity: codec::severity(&self.severity)?,
                status: codec::ticket_status(&self.status)?,
                product_key: self.product_key,
                product_name: self.product_name,
                reason_key: self.reason_key,
                reason_label: self.reason_label,
                resources: Vec::new(),
                description: self.description,
                cc: Vec::new(),
                submitter_name: self.submitter_name,
                submitter_email: self.submitter_email,
                created_at: codec::timestamp(&self.created_at)?,
                updated_at: codec::timestamp(&self.updated_at)?,
                first_response_target: codec::response_time(
                    &self.first_response_target_unit,
                    self.first_response_target_value,
                )?,
                first_response_due_at: codec::timestamp(&self.first_response_due_at)?,
                first_response_at: self
                    .first_response_at
                    .as_deref()
                    .map(codec::timestamp)
                    .transpose()?,
                attachments: Vec::new(),
                activity: Vec::new(),
                permissions: TicketPermissions::default(),
                follow_up_of: self.follow_up_of,
                // Configuration, not stored: `StoredTicket::for_member` sets it.
                replies_by_email: false,
            },
        })
    }
}
