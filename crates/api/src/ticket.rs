//! Support tickets: the create form's input and every rule it must pass, attachments and their limits,
//! and the ticket as the server returns it.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::validate::{Email, FieldError};
use crate::{FieldMessage, Product, Project, ResponseTime, Severity};

/// Longest subject, in characters.
pub const SUBJECT_MAX_CHARS: usize = 255;
/// Longest description, in characters.
pub const DESCRIPTION_MAX_CHARS: usize = 32_000;
/// Most CC addresses on one ticket.
pub const CC_MAX: usize = 48;
/// Most files on one ticket.
pub const ATTACHMENTS_MAX: usize = 10;
/// Largest single file, in bytes (25 MB).
pub const ATTACHMENT_MAX_BYTES: u64 = 25 * 1024 * 1024;
/// Largest total of a ticket's files, in bytes (50 MB).
pub const ATTACHMENTS_TOTAL_MAX_BYTES: u64 = 50 * 1024 * 1024;

/// Request header that makes ticket creation safe to retry: the same key and payload within 24 hours
/// replays the first answer instead of creating a second ticket.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
/// Longest accepted idempotency key.
pub const IDEMPOTENCY_KEY_MAX_LEN: usize = 128;

/// The file extensions people may attach, as shown in the form.
pub const ALLOWED_EXTENSIONS: &str = "png, jpg, gif, webp, pdf, txt, log, json, har, csv, zip, gz";

/// Splits what someone typed or pasted into a CC field into candidate addresses: spaces, commas,
/// semicolons and new lines all separate.
pub fn split_addresses(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
}

/// Checks one CC address against the ones already on the list: valid syntax, not the submitter (who
/// gets every update anyway), not a duplicate, and room left under [`CC_MAX`].
pub fn check_cc_address(
    existing: &[Email],
    input: &str,
    submitter: &str,
) -> Result<Email, FieldError> {
    let email = Email::parse_field("cc", "CC", input)?;
    if email.as_str().eq_ignore_ascii_case(submitter.trim()) {
        return Err(FieldError::new(
            "cc",
            format!(
                "CC: {email} is your own address. You get every update as the submitter, so there is no need to CC yourself."
            ),
        ));
    }
    if existing.contains(&email) {
        return Err(FieldError::new(
            "cc",
            format!("CC: {email} is already on the list."),
        ));
    }
    if existing.len() >= CC_MAX {
        return Err(FieldError::new(
            "cc",
            format!("CC: a ticket can have at most {CC_MAX} addresses."),
        ));
    }
    Ok(email)
}

/// Parses a whole CC list, one address at a time, stopping at the first problem.
pub fn parse_cc(addresses: &[String], submitter: &str) -> Result<Vec<Email>, FieldError> {
    if addresses.len() > CC_MAX {
        return Err(FieldError::new(
            "cc",
            format!(
                "CC: a ticket can have at most {CC_MAX} addresses; this one has {}.",
                addresses.len()
            ),
        ));
    }
    let mut list = Vec::with_capacity(addresses.len());
    for address in addresses {
        let email = check_cc_address(&list, address, submitter)?;
        list.push(email);
    }
    Ok(list)
}

fn check_length(
    field: &'static str,
    label: &str,
    input: &str,
    max: usize,
    missing: &str,
) -> Result<String, FieldError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, format!("{label}: {missing}")));
    }
    let count = trimmed.chars().count();
    if count > max {
        return Err(FieldError::new(
            field,
            format!(
                "{label}: use at most {} characters; this has {}.",
                group_thousands(max as u64),
                group_thousands(count as u64)
            ),
        ));
    }
    Ok(trimmed.to_owned())
}

/// A ticket subject: 1 to [`SUBJECT_MAX_CHARS`] characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(String);

impl Subject {
    /// Parses the Subject field.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        check_length(
            "subject",
            "Subject",
            input,
            SUBJECT_MAX_CHARS,
            "enter a short summary of the problem.",
        )
        .map(Self)
    }

    /// The trimmed subject.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A ticket description: 1 to [`DESCRIPTION_MAX_CHARS`] characters after trimming. Inner line breaks and
/// spacing are kept: logs and stack traces depend on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    /// Parses the Description field.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        check_length(
            "description",
            "Description",
            input,
            DESCRIPTION_MAX_CHARS,
            "describe the problem so the support team can help.",
        )
        .map(Self)
    }

    /// The trimmed description.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The create form as sent to the server. Ids and keys are checked against the organization's projects
/// and the product catalogue by [`NewTicket::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewTicket {
    /// Addresses to CC, as typed (the server normalises them).
    #[serde(default)]
    pub cc: Vec<String>,
    pub subject: String,
    pub severity: Option<Severity>,
    #[serde(default)]
    pub project_id: Option<i64>,
    #[serde(default)]
    pub service_id: Option<i64>,
    /// Product key.
    pub product: String,
    /// Reason key within the product.
    pub reason: String,
    pub description: String,
    /// Files uploaded beforehand with the attachments endpoint.
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
    /// A closed ticket of the organization that this one follows up (the page links back to it).
    #[serde(default)]
    pub follow_up_of: Option<i64>,
}

/// What the form's choices are checked against.
#[derive(Debug, Clone, Copy)]
pub struct TicketContext<'a> {
    pub products: &'a [Product],
    pub projects: &'a [Project],
    /// The submitter's email, which may not be CCed.
    pub submitter: &'a str,
}

/// A [`NewTicket`] that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTicket {
    pub cc: Vec<Email>,
    pub subject: Subject,
    pub severity: Severity,
    pub project_id: Option<i64>,
    pub service_id: Option<i64>,
    pub product: String,
    pub reason: String,
    pub description: Description,
    pub attachment_ids: Vec<i64>,
}

impl NewTicket {
    /// Checks the subject.
    pub fn check_subject(&self) -> Option<FieldError> {
        Subject::parse(&self.subject).err()
    }

    /// Checks that a severity is chosen.
    pub fn check_severity(&self) -> Option<FieldError> {
        self.severity
            .is_none()
            .then(|| FieldError::new("severity", "Severity: choose how urgent the problem is."))
    }

    /// Checks that the project is the organization's and the service is in that project.
    pub fn check_project(&self, projects: &[Project]) -> [Option<FieldError>; 2] {
        let project = self
            .project_id
            .map(|id| projects.iter().find(|p| p.id == id));
        match (project, self.service_id) {
            (Some(None), _) => [
                Some(FieldError::new(
                    "project_id",
                    "Project: choose one of your organization's projects.",
                )),
                None,
            ],
            (None, Some(_)) => [
                None,
                Some(FieldError::new(
                    "service_id",
                    "Service: choose the project first, then one of its services.",
                )),
            ],
            (Some(Some(p)), Some(service)) if !p.services.iter().any(|s| s.id == service) => [
                None,
                Some(FieldError::new(
                    "service_id",
                    format!("Service: choose one of the services of {}.", p.name),
                )),
            ],
            _ => [None, None],
        }
    }

    /// Checks that a product and one of its reasons are chosen.
    pub fn check_product(&self, products: &[Product]) -> [Option<FieldError>; 2] {
        if self.product.is_empty() {
            return [
                Some(FieldError::new(
                    "product",
                    "Product: choose the affected product.",
                )),
                None,
            ];
        }
        let Some(product) = products.iter().find(|p| p.key == self.product) else {
            return [
                Some(FieldError::new(
                    "product",
                    "Product: choose one of the listed products.",
                )),
                None,
            ];
        };
        let reason = if self.reason.is_empty() {
            Some(FieldError::new(
                "reason",
                "Reason: choose why you are opening the ticket.",
            ))
        } else if !product.reasons.iter().any(|r| r.key == self.reason) {
            Some(FieldError::new(
                "reason",
                format!(
                    "Reason: choose one of the reasons listed for {}.",
                    product.name
                ),
            ))
        } else {
            None
        };
        [None, reason]
    }

    /// Checks the description.
    pub fn check_description(&self) -> Option<FieldError> {
        Description::parse(&self.description).err()
    }

    /// Checks the attachment list's shape (the server checks the files themselves).
    pub fn check_attachments(&self) -> Option<FieldError> {
        let unique: HashSet<i64> = self.attachment_ids.iter().copied().collect();
        if unique.len() != self.attachment_ids.len() {
            Some(FieldError::new(
                "attachments",
                "Files: a file is listed twice.",
            ))
        } else if self.attachment_ids.len() > ATTACHMENTS_MAX {
            Some(FieldError::new(
                "attachments",
                format!("Files: attach at most {ATTACHMENTS_MAX} files."),
            ))
        } else {
            None
        }
    }

    /// Every rule, every failure at once in form order.
    pub fn validate(&self, context: TicketContext<'_>) -> Result<ValidTicket, Vec<FieldMessage>> {
        let cc = parse_cc(&self.cc, context.submitter);
        let [project, service] = self.check_project(context.projects);
        let [product, reason] = self.check_product(context.products);
        crate::validate::collect([
            cc.as_ref().err().cloned(),
            self.check_subject(),
            self.check_severity(),
            project,
            service,
            product,
            reason,
            self.check_description(),
            self.check_attachments(),
        ])?;
        // Every check above passed, so these parse.
        let invalid = |e: FieldError| vec![FieldMessage::from(e)];
        Ok(ValidTicket {
            cc: cc.map_err(invalid)?,
            subject: Subject::parse(&self.subject).map_err(invalid)?,
            severity: self.severity.ok_or_else(Vec::new)?,
            project_id: self.project_id,
            service_id: self.service_id,
            product: self.product.clone(),
            reason: self.reason.clone(),
            description: Description::parse(&self.description).map_err(invalid)?,
            attachment_ids: self.attachment_ids.clone(),
        })
    }
}

/// The kinds of file people may attach, each with the bytes its content must start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttachmentKind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Pdf,
    /// Plain text, logs and CSV.
    Text,
    /// JSON and HAR (a HAR file is JSON).
    Json,
    Zip,
    Gzip,
}

impl AttachmentKind {
    /// The kind a file name claims by its extension, if it is one we accept.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let (_, ext) = name.rsplit_once('.')?;
        Some(match ext.to_ascii_lowercase().as_str() {
            "png" => Self::Png,
            "jpg" | "jpeg" => Self::Jpeg,
            "gif" => Self::Gif,
            "webp" => Self::Webp,
            "pdf" => Self::Pdf,
            "txt" | "log" | "csv" => Self::Text,
            "json" | "har" => Self::Json,
            "zip" => Self::Zip,
            "gz" | "tgz" => Self::Gzip,
            _ => return None,
        })
    }

    /// The media type the file is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Pdf => "application/pdf",
            Self::Text => "text/plain; charset=utf-8",
            Self::Json => "application/json",
            Self::Zip => "application/zip",
            Self::Gzip => "application/gzip",
        }
    }

    /// Whether `head`, the first bytes of the file (at least 16 unless the file is shorter), looks like
    /// this kind. Binary formats must start with their signature; text formats must be UTF-8 without NUL
    /// bytes (a multi-byte character cut off at the end of `head` is fine), and JSON must start with an
    /// object or array.
    pub fn matches_content(self, head: &[u8]) -> bool {
        match self {
            Self::Png => head.starts_with(b"\x89PNG\r\n\x1a\n"),
            Self::Jpeg => head.starts_with(b"\xff\xd8\xff"),
            Self::Gif => head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a"),
            Self::Webp => head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP",
            Self::Pdf => head.starts_with(b"%PDF-"),
            Self::Zip => head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06"),
            Self::Gzip => head.starts_with(b"\x1f\x8b"),
            Self::Text => looks_like_text(head),
            Self::Json => {
                looks_like_text(head)
                    && matches!(
                        head.strip_prefix(b"\xef\xbb\xbf")
                            .unwrap_or(head)
                            .iter()
                            .find(|b| !b.is_ascii_whitespace()),
                        Some(b'{' | b'[')
                    )
            }
        }
    }
}

fn looks_like_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // Only an incomplete character at the very end is acceptable.
        Err(e) => e.error_len().is_none(),
    }
}

/// Checks one file before it is uploaded (the SPA) or while it is received (the server).
pub fn check_attachment(name: &str, size: u64) -> Result<AttachmentKind, FieldError> {
    let Some(kind) = AttachmentKind::from_file_name(name) else {
        return Err(FieldError::new(
            "attachments",
            format!("Files: {name} is not a file type we accept. Use {ALLOWED_EXTENSIONS}."),
        ));
    };
    if size == 0 {
        return Err(FieldError::new(
            "attachments",
            format!("Files: {name} is empty."),
        ));
    }
    if size > ATTACHMENT_MAX_BYTES {
        return Err(FieldError::new(
            "attachments",
            format!(
                "Files: {name} is {}; each file can be at most {}.",
                format_bytes(size),
                format_bytes(ATTACHMENT_MAX_BYTES)
            ),
        ));
    }
    Ok(kind)
}

/// Checks that a file's first bytes (see [`AttachmentKind::matches_content`]) fit the kind its name
/// claims, so a renamed executable is not served as a screenshot.
pub fn check_attachment_content(
    name: &str,
    kind: AttachmentKind,
    head: &[u8],
) -> Result<(), FieldError> {
    if kind.matches_content(head) {
        return Ok(());
    }
    let what = match kind {
        AttachmentKind::Png => "a PNG image",
        AttachmentKind::Jpeg => "a JPEG image",
        AttachmentKind::Gif => "a GIF image",
        AttachmentKind::Webp => "a WebP image",
        AttachmentKind::Pdf => "a PDF",
        AttachmentKind::Text => "a text",
        AttachmentKind::Json => "a JSON",
        AttachmentKind::Zip => "a ZIP",
        AttachmentKind::Gzip => "a gzip",
    };
    Err(FieldError::new(
        "attachments",
        format!(
            "Files: {name} does not look like {what} file; its content does not match its name."
        ),
    ))
}

/// Checks that one more file of `size` bytes fits beside `count` files totalling `total` bytes.
pub fn check_attachment_room(
    name: &str,
    size: u64,
    count: usize,
    total: u64,
) -> Result<(), FieldError> {
    if count >= ATTACHMENTS_MAX {
        return Err(FieldError::new(
            "attachments",
            format!(
                "Files: {name} was not added; a ticket can have at most {ATTACHMENTS_MAX} files."
            ),
        ));
    }
    if total + size > ATTACHMENTS_TOTAL_MAX_BYTES {
        return Err(FieldError::new(
            "attachments",
            format!(
                "Files: {name} was not added; all files together can be at most {} and {} is already attached.",
                format_bytes(ATTACHMENTS_TOTAL_MAX_BYTES),
                format_bytes(total)
            ),
        ));
    }
    Ok(())
}

/// `950 B`, `12.5 KB`, `25 MB` (binary multiples, as file managers show them).
pub fn format_bytes(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * KB;
    let (value, unit) = match bytes {
        b if b < KB => return format!("{b} B"),
        b if b < MB => (b * 10 / KB, "KB"),
        b => (b * 10 / MB, "MB"),
    };
    if value.is_multiple_of(10) {
        format!("{} {unit}", value / 10)
    } else {
        format!("{}.{} {unit}", value / 10, value % 10)
    }
}

/// `32,000`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A file attached to a ticket (or uploaded for one that is not created yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: i64,
    /// The uploader's file name, cleaned of paths and control characters. Display only.
    pub file_name: String,
    /// Bytes.
    pub size: u64,
    pub content_type: String,
}

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Waiting for the support team.
    Open,
    /// The support team asked the customer something.
    AwaitingCustomer,
    /// Marked solved; can be reopened.
    Solved,
    /// Closed for good; follow up with a new ticket.
    Closed,
}

impl TicketStatus {
    /// The visible label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::AwaitingCustomer => "Awaiting your reply",
            Self::Solved => "Solved",
            Self::Closed => "Closed",
        }
    }

    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::AwaitingCustomer => "awaiting_customer",
            Self::Solved => "solved",
            Self::Closed => "closed",
        }
    }

    /// Parses [`Self::as_str`]'s output.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Open,
            Self::AwaitingCustomer,
            Self::Solved,
            Self::Closed,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
    }
}

/// A project or service a ticket refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedRef {
    pub id: i64,
    pub name: String,
}

/// A ticket as its readers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: i64,
    pub subject: String,
    pub severity: Severity,
    pub status: TicketStatus,
    pub product_key: String,
    pub product_name: String,
    pub reason_key: String,
    pub reason_label: String,
    pub project: Option<NamedRef>,
    pub service: Option<NamedRef>,
    pub description: String,
    /// Normalised CC addresses, in the order they were added.
    pub cc: Vec<String>,
    pub submitter_name: String,
    pub submitter_email: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
    /// The tier's target for this severity when the ticket was created.
    pub first_response_target: ResponseTime,
    /// RFC 3339 UTC: when the first answer is due.
    pub first_response_due_at: String,
    /// RFC 3339 UTC: when the support team first replied, if it has.
    #[serde(default)]
    pub first_response_at: Option<String>,
    /// Files sent with the ticket itself (comments carry their own).
    pub attachments: Vec<Attachment>,
    /// The conversation after the description, oldest first.
    #[serde(default)]
    pub activity: Vec<crate::conversation::Activity>,
    /// What the signed-in user may do here.
    #[serde(default)]
    pub permissions: crate::conversation::TicketPermissions,
    /// The closed ticket this one follows up, if any.
    #[serde(default)]
    pub follow_up_of: Option<i64>,
}

impl Ticket {
    /// Whether the first response came in time: `None` while there is none and it is not due yet
    /// (`now` is RFC 3339 UTC, like every timestamp here, so they compare as strings).
    pub fn first_response_met(&self, now: &str) -> Option<bool> {
        match &self.first_response_at {
            Some(at) => Some(*at <= self.first_response_due_at),
            None if now > self.first_response_due_at.as_str() => Some(false),
            None => None,
        }
    }
}

/// A line of a ticket list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketSummary {
    pub id: i64,
    pub subject: String,
    pub severity: Severity,
    pub status: TicketStatus,
    pub product_name: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
}

/// What the create form offers: the organization's projects, the product catalogue, and the expected
/// first response per severity for the organization's tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketOptions {
    pub projects: Vec<Project>,
    pub products: Vec<Product>,
    /// The organization's current tier name; `None` for organizations on free services, which cannot
    /// open tickets (they are sent to the community forum).
    pub tier_name: Option<String>,
    /// First-response targets for Low, High and Critical, in that order; empty when `tier_name` is `None`.
    pub response_times: Vec<ResponseTime>,
    /// The community forum, for organizations without a tier.
    pub forum_url: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Reason, Service};

    const ME: &str = "dev@acme.example";

    fn products() -> Vec<Product> {
        vec![Product {
            key: "postgresql".into(),
            name: "PostgreSQL".into(),
            reasons: vec![Reason {
                key: "connectivity".into(),
                label: "Cannot connect".into(),
            }],
        }]
    }

    fn projects() -> Vec<Project> {
        vec![
            Project {
                id: 1,
                name: "acme-prod".into(),
                unit: None,
                services: vec![Service {
                    id: 10,
                    name: "pg-main".into(),
                }],
            },
            Project {
                id: 2,
                name: "acme-staging".into(),
                unit: None,
                services: vec![Service {
                    id: 20,
                    name: "pg-staging".into(),
                }],
            },
        ]
    }

    fn valid() -> NewTicket {
        NewTicket {
            cc: vec!["admin@acme.example".into()],
            subject: "Cannot connect to pg-main".into(),
            severity: Some(Severity::High),
            project_id: Some(1),
            service_id: Some(10),
            product: "postgresql".into(),
            reason: "connectivity".into(),
            description: "Connections time out since 10:00 UTC.".into(),
            attachment_ids: vec![3, 4],
            follow_up_of: None,
        }
    }

    fn errors(ticket: &NewTicket) -> Vec<(String, String)> {
        let (products, projects) = (products(), projects());
        let context = TicketContext {
            products: &products,
            projects: &projects,
            submitter: ME,
        };
        ticket
            .validate(context)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|f| (f.field, f.message))
            .collect()
    }

    fn fields(ticket: &NewTicket) -> Vec<String> {
        errors(ticket).into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn a_complete_ticket_passes_and_is_normalised() {
        let mut ticket = valid();
        ticket.subject = "  Cannot connect \n".into();
        ticket.cc = vec![" Admin@Acme.Example ".into()];
        let (products, projects) = (products(), projects());
        let ok = ticket
            .validate(TicketContext {
                products: &products,
                projects: &projects,
                submitter: ME,
            })
            .unwrap();
        assert_eq!(ok.subject.as_str(), "Cannot connect");
        assert_eq!(ok.cc[0].as_str(), "admin@acme.example");
        assert_eq!(ok.severity, Severity::High);
    }

    #[test]
    fn an_empty_form_reports_every_required_field_in_form_order() {
        assert_eq!(
            fields(&NewTicket::default()),
            ["subject", "severity", "product", "description"]
        );
        let messages = errors(&NewTicket::default());
        assert!(messages.iter().all(|(field, message)| {
            let label = match field.as_str() {
                "subject" => "Subject:",
                "severity" => "Severity:",
                "product" => "Product:",
                _ => "Description:",
            };
            message.starts_with(label)
        }));
    }

    #[test]
    fn subject_is_one_to_255_characters() {
        assert!(Subject::parse("   ").is_err());
        assert!(
            Subject::parse(&"é".repeat(255)).is_ok(),
            "characters, not bytes"
        );
        let long = Subject::parse(&"a".repeat(256)).unwrap_err();
        assert_eq!(
            long.message,
            "Subject: use at most 255 characters; this has 256."
        );
    }

    #[test]
    fn description_is_one_to_32000_characters_and_keeps_inner_layout() {
        assert!(Description::parse("\n\n").is_err());
        assert!(Description::parse(&"x".repeat(32_000)).is_ok());
        let long = Description::parse(&"x".repeat(32_001)).unwrap_err();
        assert_eq!(
            long.message,
            "Description: use at most 32,000 characters; this has 32,001."
        );
        assert_eq!(
            Description::parse("  a\n   b  \n").unwrap().as_str(),
            "a\n   b"
        );
    }

    #[test]
    fn cc_accepts_odd_but_valid_addresses() {
        let list = parse_cc(
            &[
                "ops+support@acme.example".into(),
                "\"on call\"@acme.example".into(),
                "user@b\u{fc}cher.example".into(),
            ],
            ME,
        )
        .unwrap();
        assert_eq!(list.len(), 3);
    }

    #[test]
    fn cc_rejects_bad_duplicate_own_and_overlong_addresses() {
        let bad = parse_cc(&["ops@acme.example.".into()], ME).unwrap_err();
        assert!(
            bad.message
                .starts_with("CC: \u{201c}ops@acme.example.\u{201d} is not a valid")
        );
        let twice = parse_cc(&["a@acme.example".into(), "A@acme.example".into()], ME).unwrap_err();
        assert_eq!(twice.message, "CC: a@acme.example is already on the list.");
        let own = parse_cc(&["DEV@acme.example".into()], ME).unwrap_err();
        assert!(own.message.contains("is your own address"));
        let long = format!("{}@{}.example", "a".repeat(64), "b".repeat(200));
        assert!(
            parse_cc(&[long], ME)
                .unwrap_err()
                .message
                .contains("at most 254")
        );
    }

    #[test]
    fn cc_allows_48_addresses_and_no_more() {
        let list: Vec<String> = (0..48).map(|i| format!("p{i}@acme.example")).collect();
        assert_eq!(parse_cc(&list, ME).unwrap().len(), 48);
        let mut over = list.clone();
        over.push("p48@acme.example".into());
        assert_eq!(
            parse_cc(&over, ME).unwrap_err().message,
            "CC: a ticket can have at most 48 addresses; this one has 49."
        );
        let existing: Vec<Email> = list.iter().map(|s| Email::parse(s).unwrap()).collect();
        assert!(
            check_cc_address(&existing, "p48@acme.example", ME)
                .unwrap_err()
                .message
                .contains("at most 48")
        );
    }

    #[test]
    fn cc_text_splits_on_spaces_commas_semicolons_and_new_lines() {
        let parts: Vec<&str> =
            split_addresses(" a@x.example, b@x.example;c@x.example\n\td@x.example  ").collect();
        assert_eq!(
            parts,
            ["a@x.example", "b@x.example", "c@x.example", "d@x.example"]
        );
    }

    #[test]
    fn project_and_service_must_belong_together() {
        let mut t = valid();
        t.project_id = Some(99);
        assert_eq!(fields(&t), ["project_id"]);
        t.project_id = None;
        assert_eq!(fields(&t), ["service_id"]);
        t.project_id = Some(2);
        t.service_id = Some(10);
        assert_eq!(
            errors(&t)[0].1,
            "Service: choose one of the services of acme-staging."
        );
        t.service_id = None;
        assert!(fields(&t).is_empty(), "a project alone is fine");
        t.project_id = None;
        assert!(fields(&t).is_empty(), "both are optional");
    }

    #[test]
    fn reason_must_belong_to_the_product() {
        let mut t = valid();
        t.reason = "lag".into();
        assert_eq!(
            errors(&t),
            [(
                "reason".to_owned(),
                "Reason: choose one of the reasons listed for PostgreSQL.".to_owned()
            )]
        );
        t.reason.clear();
        assert_eq!(fields(&t), ["reason"]);
        t.product = "mystery".into();
        assert_eq!(fields(&t), ["product"]);
    }

    #[test]
    fn attachments_are_limited_and_unique() {
        let mut t = valid();
        t.attachment_ids = vec![1, 1];
        assert_eq!(fields(&t), ["attachments"]);
        t.attachment_ids = (1..=11).collect();
        assert_eq!(fields(&t), ["attachments"]);
        t.attachment_ids = (1..=10).collect();
        assert!(fields(&t).is_empty());
    }

    #[test]
    fn file_checks_name_the_file_and_the_limit() {
        assert_eq!(
            check_attachment("shot.PNG", 10).unwrap(),
            AttachmentKind::Png
        );
        assert_eq!(
            check_attachment("trace.har", 10).unwrap(),
            AttachmentKind::Json
        );
        assert!(
            check_attachment("run.exe", 10)
                .unwrap_err()
                .message
                .contains("run.exe is not a file type")
        );
        assert!(check_attachment("noext", 10).is_err());
        assert_eq!(
            check_attachment("empty.txt", 0).unwrap_err().message,
            "Files: empty.txt is empty."
        );
        assert!(check_attachment("big.log", ATTACHMENT_MAX_BYTES).is_ok());
        assert_eq!(
            check_attachment("big.log", ATTACHMENT_MAX_BYTES + 1)
                .unwrap_err()
                .message,
            "Files: big.log is 25 MB; each file can be at most 25 MB."
        );
        assert!(check_attachment_room("a.txt", 1, 9, 0).is_ok());
        assert!(
            check_attachment_room("a.txt", 1, 10, 0)
                .unwrap_err()
                .message
                .contains("at most 10 files")
        );
        assert!(
            check_attachment_room("a.txt", 2, 1, ATTACHMENTS_TOTAL_MAX_BYTES - 1)
                .unwrap_err()
                .message
                .contains("at most 50 MB")
        );
    }

    #[test]
    fn content_must_match_the_claimed_type() {
        use AttachmentKind::*;
        assert!(Png.matches_content(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(!Png.matches_content(b"GIF89a......"));
        assert!(Jpeg.matches_content(b"\xff\xd8\xff\xe0"));
        assert!(Gif.matches_content(b"GIF87a"));
        assert!(Webp.matches_content(b"RIFF\x10\0\0\0WEBPVP8 "));
        assert!(!Webp.matches_content(b"RIFF\x10\0\0\0WAVEfmt "));
        assert!(Pdf.matches_content(b"%PDF-1.7"));
        assert!(Zip.matches_content(b"PK\x03\x04"));
        assert!(Gzip.matches_content(b"\x1f\x8b\x08"));
        assert!(Text.matches_content("2026-11-27 ERROR caf\u{e9}".as_bytes()));
        assert!(
            Text.matches_content(&"é".as_bytes()[..1]),
            "a character cut at the end"
        );
        assert!(
            !Text.matches_content(b"MZ\x90\0\x03"),
            "NUL bytes are binary"
        );
        assert!(!Text.matches_content(b"\xff\xfe\xfa bad"));
        assert!(Json.matches_content(b"\xef\xbb\xbf\n  {\"log\": {}}"));
        assert!(!Json.matches_content(b"hello"));
    }

    #[test]
    fn a_content_mismatch_names_the_file_and_the_claimed_kind() {
        assert!(
            check_attachment_content("a.png", AttachmentKind::Png, b"\x89PNG\r\n\x1a\n").is_ok()
        );
        let error = check_attachment_content("shot.png", AttachmentKind::Png, b"just some text")
            .unwrap_err();
        assert_eq!(error.field, "attachments");
        assert_eq!(
            error.message,
            "Files: shot.png does not look like a PNG image file; its content does not match its name."
        );
        assert!(
            check_attachment_content("notes.txt", AttachmentKind::Text, b"MZ\x90\0")
                .unwrap_err()
                .message
                .contains("like a text file")
        );
    }

    #[test]
    fn sizes_and_numbers_read_naturally() {
        assert_eq!(format_bytes(950), "950 B");
        assert_eq!(format_bytes(12_800), "12.5 KB");
        assert_eq!(format_bytes(25 * 1024 * 1024), "25 MB");
        assert_eq!(group_thousands(32_000), "32,000");
        assert_eq!(group_thousands(255), "255");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn status_round_trips() {
        for s in [
            TicketStatus::Open,
            TicketStatus::AwaitingCustomer,
            TicketStatus::Solved,
            TicketStatus::Closed,
        ] {
            assert_eq!(TicketStatus::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert_eq!(
            TicketStatus::AwaitingCustomer.label(),
            "Awaiting your reply"
        );
    }
}
