//! The create form: its input as sent, each field's rule, and the ticket that passed them all.

use serde::{Deserialize, Serialize};

use crate::error::FieldMessage;
use crate::field::Field;
use crate::org::{Product, Project};
use crate::support::Severity;
use crate::ticket::attachments::check_attachment_ids;
use crate::ticket::cc::parse_cc;
use crate::ticket::resources::{AffectedResource, resolve_resources};
use crate::validate::{Email, FieldError, check_multi_line, check_single_line, collect};

/// Longest subject, in characters.
pub const SUBJECT_MAX_CHARS: usize = 255;
/// Longest description, in characters.
pub const DESCRIPTION_MAX_CHARS: usize = 32_000;

/// Trims `input`, then checks it is there, at most `max` characters long and free of the characters
/// `characters` refuses.
fn check_length(
    field: Field,
    input: &str,
    max: usize,
    missing: &str,
    characters: fn(Field, &str) -> Result<(), FieldError>,
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
    characters(field, trimmed)?;
    Ok(trimmed.to_owned())
}

/// A ticket subject: 1 to [`SUBJECT_MAX_CHARS`] characters after trimming, on one line, without
/// control characters ([`crate::validate::is_refused_in_single_line`]).
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
            check_single_line,
        )
        .map(Self)
    }

    /// The trimmed subject.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A ticket description: 1 to [`DESCRIPTION_MAX_CHARS`] characters after trimming. Inner line breaks and
/// spacing are kept: logs and stack traces depend on them; other control characters are refused
/// ([`crate::validate::is_refused_in_multi_line`]).
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
            check_multi_line,
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
    /// The affected projects and services, at most [`crate::ticket::RESOURCES_MAX`], each as its ID: a project's name
    /// (`acme-prod`), `project/service` (`acme-prod/pg-main`), or a service's name alone when only one
    /// project has a service of that name. The server resolves them against the organization's own.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub resources: Vec<String>,
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
    /// The affected projects and services, each the organization's, each once, in the order given.
    pub resources: Vec<AffectedResource>,
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

    /// Checks that every affected project and service is the organization's (and that there are not
    /// too many), resolving them.
    pub fn check_resources(
        &self,
        projects: &[Project],
    ) -> Result<Vec<AffectedResource>, FieldError> {
        resolve_resources(projects, &self.resources)
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
        let resources = self.check_resources(context.projects);
        let [product, reason] = self.check_product(context.products);
        collect([
            cc.as_ref().err().cloned(),
            self.check_subject(),
            self.check_severity(),
            resources.as_ref().err().cloned(),
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
            resources: resources.map_err(invalid)?,
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
            resources: vec!["acme-prod".into(), "acme-staging/pg-staging".into()],
            product: "postgresql".into(),
            reason: "connectivity".into(),
            description: "Connections time out since 10:00 UTC.".into(),
            attachment_ids: vec![3, 4],
            follow_up_of: None,
        }
    }

    #[test]
    fn control_characters_are_refused_in_one_line_fields_and_kept_out_of_text_fields() {
        let mut ticket = valid();
        ticket.subject = "Down\u{1b}[2J\u{1b}[H".into();
        ticket.cc = vec!["ops\u{7}@acme.example".into()];
        ticket.resources = vec!["acme-prod\u{0}".into()];
        ticket.description = "Trace:\n\tat a.b(C.java:1)\r\n\u{8}".into();
        let fields: Vec<String> = errors(&ticket).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["cc", "subject", "resources", "description"]);
        assert_eq!(
            errors(&ticket)[1].1,
            "Subject: remove the invisible control character U+001B at character 5."
        );
        // A description's line breaks and tabs are what a pasted stack trace is made of.
        let mut ticket = valid();
        ticket.description = "Trace:\n\tat a.b(C.java:1)\r\n\tat d.e(F.java:2)".into();
        assert!(errors(&ticket).is_empty());
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
            resources: vec!["acme-test".into()],
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
    fn projects_and_services_are_the_organizations_and_resolved() {
        let mut t = valid();
        let (products, projects) = (products(), projects());
        let context = TicketContext {
            products: &products,
            projects: &projects,
            submitter: ME,
        };
        let ok = t.validate(context).unwrap();
        let listed: Vec<String> = ok.resources.iter().map(AffectedResource::id_text).collect();
        assert_eq!(listed, ["acme-prod", "acme-staging/pg-staging"]);
        assert_eq!(ok.resources[1].service.as_ref().map(|s| s.id), Some(20));
        t.resources.push("globex-prod".into());
        assert_eq!(
            errors(&t),
            [(
                "resources".to_owned(),
                "Projects and services: no project or service named \u{201c}globex-prod\u{201d} in your organization.".to_owned()
            )]
        );
        t.resources = vec!["pg-main".into(); 21];
        assert_eq!(fields(&t), ["resources"]);
        t.resources.clear();
        assert!(fields(&t).is_empty(), "they are optional");
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
