//! The create form: its input as sent, each field's rule, and the ticket that passed them all.

use serde::{Deserialize, Serialize};

use crate::error::FieldMessage;
use crate::field::Field;
use crate::org::{Product, Project};
use crate::support::Severity;
use crate::ticket::attachments::check_attachment_ids;
use crate::ticket::cc::parse_cc;
use crate::validate::{Email, FieldError, collect};

/// Longest subject, in characters.
pub const SUBJECT_MAX_CHARS: usize = 255;
/// Longest description, in characters.
pub const DESCRIPTION_MAX_CHARS: usize = 32_000;

fn check_length(
    field: Field,
    input: &str,
    max: usize,
    missing: &str,
) -> Result<String, FieldError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(
            field,
            format!("{}: {missing}", field.label()),
        ));
    }
    let count = trimmed.chars().count();
    if count > max {
        return Err(FieldError::too_long(field, max, count));
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
            Field::Subject,
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
            Field::Description,
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewTicket {
    /// Addresses to CC, as typed (the server normalises them).
    #[serde(default)]
    pub cc: Vec<String>,
    /// The subject, as typed.
    pub subject: String,
    /// How urgent; `None` until chosen.
    pub severity: Option<Severity>,
    /// The affected project, if any.
    #[serde(default)]
    pub project_id: Option<i64>,
    /// The affected service of that project, if any.
    #[serde(default)]
    pub service_id: Option<i64>,
    /// Product key.
    pub product: String,
    /// Reason key within the product.
    pub reason: String,
    /// The description, as typed.
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
    /// The product catalogue.
    pub products: &'a [Product],
    /// The organization's projects.
    pub projects: &'a [Project],
    /// The submitter's email, which may not be CCed.
    pub submitter: &'a str,
}

/// A [`NewTicket`] that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTicket {
    /// Normalised CC addresses.
    pub cc: Vec<Email>,
    /// The trimmed subject.
    pub subject: Subject,
    /// The chosen severity.
    pub severity: Severity,
    /// The project, one of the organization's.
    pub project_id: Option<i64>,
    /// The service, one of that project's.
    pub service_id: Option<i64>,
    /// A product of the catalogue.
    pub product: String,
    /// One of that product's reasons.
    pub reason: String,
    /// The trimmed description.
    pub description: Description,
    /// Distinct ids, at most [`crate::ticket::ATTACHMENTS_MAX`].
    pub attachment_ids: Vec<i64>,
}

impl NewTicket {
    /// Checks the subject.
    pub fn check_subject(&self) -> Option<FieldError> {
        Subject::parse(&self.subject).err()
    }

    /// Checks that a severity is chosen.
    pub fn check_severity(&self) -> Option<FieldError> {
        self.severity.is_none().then(|| {
            FieldError::new(
                Field::Severity,
                "Severity: choose how urgent the problem is.",
            )
        })
    }

    /// Checks that the project is the organization's and the service is in that project.
    pub fn check_project(&self, projects: &[Project]) -> [Option<FieldError>; 2] {
        let project = self
            .project_id
            .map(|id| projects.iter().find(|p| p.id == id));
        match (project, self.service_id) {
            (Some(None), _) => [
                Some(FieldError::new(
                    Field::ProjectId,
                    "Project: choose one of your organization's projects.",
                )),
                None,
            ],
            (None, Some(_)) => [
                None,
                Some(FieldError::new(
                    Field::ServiceId,
                    "Service: choose the project first, then one of its services.",
                )),
            ],
            (Some(Some(p)), Some(service)) if !p.services.iter().any(|s| s.id == service) => [
                None,
                Some(FieldError::new(
                    Field::ServiceId,
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
                    Field::Product,
                    "Product: choose the affected product.",
                )),
                None,
            ];
        }
        let Some(product) = products.iter().find(|p| p.key == self.product) else {
            return [
                Some(FieldError::new(
                    Field::Product,
                    "Product: choose one of the listed products.",
                )),
                None,
            ];
        };
        let reason = if self.reason.is_empty() {
            Some(FieldError::new(
                Field::Reason,
                "Reason: choose why you are opening the ticket.",
            ))
        } else if !product.reasons.iter().any(|r| r.key == self.reason) {
            Some(FieldError::new(
                Field::Reason,
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
        check_attachment_ids(&self.attachment_ids)
    }

    /// Every rule, every failure at once in form order ([`Field::NEW_TICKET_ORDER`]).
    pub fn validate(&self, context: TicketContext<'_>) -> Result<ValidTicket, Vec<FieldMessage>> {
        let cc = parse_cc(&self.cc, context.submitter);
        let [project, service] = self.check_project(context.projects);
        let [product, reason] = self.check_product(context.products);
        collect([
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{Reason, Service};

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
    fn every_field_the_form_reports_is_in_the_form_order() {
        let mut t = NewTicket {
            cc: vec!["nope".into()],
            project_id: Some(99),
            service_id: Some(1),
            attachment_ids: vec![1, 1],
            ..NewTicket::default()
        };
        t.product = "postgresql".into();
        let reported = fields(&t);
        let order: Vec<&str> = Field::NEW_TICKET_ORDER
            .iter()
            .map(|f| f.as_str())
            .filter(|f| reported.iter().any(|r| r == f))
            .collect();
        assert_eq!(reported, order);
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
}
