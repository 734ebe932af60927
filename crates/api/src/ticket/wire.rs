//! A ticket as the server returns it: its status, its conversation entries, what the reader may do,
//! and what the create form offers.

use serde::{Deserialize, Serialize};

use crate::calendar::Timestamp;
use crate::org::{Product, Project};
use crate::support::{ResponseTime, ResponseTimes, Severity};
use crate::ticket::attachments::Attachment;
use crate::ticket::resources::AffectedResource;

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Every status, in the order of a ticket's life.
    pub const ALL: [TicketStatus; 4] = [
        Self::Open,
        Self::AwaitingCustomer,
        Self::Solved,
        Self::Closed,
    ];

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
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

/// A project or service a ticket refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NamedRef {
    /// Stable id.
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// Who wrote an entry of the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    /// A console user of the organization.
    Customer,
    /// The support team.
    Agent,
    /// Someone on the CC list who is not a console user, replying by email; the author's name is
    /// their address.
    Email,
}

/// What an entry of the conversation records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// A message, with optional files.
    Comment,
    /// Addresses were added to the CC list.
    CcAdded,
    /// An address was removed from the CC list.
    CcRemoved,
    /// The status changed (to [`Activity::status`]).
    StatusChanged,
}

/// One entry of a ticket's conversation, oldest first. The description is not an entry: it is the
/// ticket's own first message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activity {
    /// Stable id.
    pub id: i64,
    /// What it records.
    pub kind: ActivityKind,
    /// Who wrote it, as shown.
    pub author_name: String,
    /// The customer's side or the support team.
    pub author_kind: AuthorKind,
    /// When it happened.
    pub created_at: Timestamp,
    /// The comment's text (plain text, shown with its line breaks); empty for other kinds.
    #[serde(default)]
    pub body: String,
    /// The addresses added or removed, for the CC kinds.
    #[serde(default)]
    pub emails: Vec<String>,
    /// The new status, for [`ActivityKind::StatusChanged`].
    #[serde(default)]
    pub status: Option<TicketStatus>,
    /// Files sent with a comment.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// It arrived as a reply to one of the ticket's emails (the conversation shows "by email").
    #[serde(default)]
    pub by_email: bool,
}

/// What the signed-in user may do on a ticket (the server enforces the same rules).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketPermissions {
    /// Comment and CC others: the submitter, CCed members and admins, while the ticket is not closed.
    pub can_comment: bool,
    /// Mark solved or reopen: the submitter, CCed members and admins.
    pub can_change_status: bool,
    /// Remove an address from the CC list: the submitter and admins.
    pub can_remove_cc: bool,
}

/// A ticket as its readers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    /// Stable id, the number people quote.
    pub id: i64,
    /// The subject.
    pub subject: String,
    /// How urgent.
    pub severity: Severity,
    /// Where it stands.
    pub status: TicketStatus,
    /// The product's key.
    pub product_key: String,
    /// The product's name.
    pub product_name: String,
    /// The reason's key within the product.
    pub reason_key: String,
    /// The reason's label.
    pub reason_label: String,
    /// The affected projects and services, in the order given (empty when none was named).
    #[serde(default)]
    pub resources: Vec<AffectedResource>,
    /// The description (plain text).
    pub description: String,
    /// Normalised CC addresses, in the order they were added.
    pub cc: Vec<String>,
    /// Who opened it.
    pub submitter_name: String,
    /// The submitter's email.
    pub submitter_email: String,
    /// When it was opened.
    pub created_at: Timestamp,
    /// When anything last changed.
    pub updated_at: Timestamp,
    /// The tier's target for this severity when the ticket was created.
    pub first_response_target: ResponseTime,
    /// When the first answer is due.
    pub first_response_due_at: Timestamp,
    /// When the support team first replied, if it has.
    #[serde(default)]
    pub first_response_at: Option<Timestamp>,
    /// Files sent with the ticket itself (comments carry their own).
    pub attachments: Vec<Attachment>,
    /// The conversation after the description, oldest first.
    #[serde(default)]
    pub activity: Vec<Activity>,
    /// What the signed-in user may do here.
    #[serde(default)]
    pub permissions: TicketPermissions,
    /// The closed ticket this one follows up, if any.
    #[serde(default)]
    pub follow_up_of: Option<i64>,
    /// Whether people on the CC list who are not console users can reply to the ticket's emails to
    /// comment (the server has a reply domain), as `TicketOptions::replies_by_email` says for a new
    /// ticket. Absent from older servers' answers, which had no replies by email.
    #[serde(default)]
    pub replies_by_email: bool,
}

impl Ticket {
    /// Whether the first response came in time: `None` while there is none and it is not due yet.
    pub fn first_response_met(&self, now: Timestamp) -> Option<bool> {
        match self.first_response_at {
            Some(at) => Some(at <= self.first_response_due_at),
            None if now > self.first_response_due_at => Some(false),
            None => None,
        }
    }
}

/// What the create form offers: the organization's projects, the product catalogue, and the expected
/// first response per severity for the organization's tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketOptions {
    /// The organization's projects.
    pub projects: Vec<Project>,
    /// The product catalogue.
    pub products: Vec<Product>,
    /// The organization's current tier name; `None` for organizations on free services, which cannot
    /// open tickets (they are sent to the community forum).
    pub tier_name: Option<String>,
    /// The tier's first-response targets; `None` when `tier_name` is `None`. On the wire: a list of
    /// Low, High and Critical, in that order, empty for `None`.
    #[serde(with = "severity_list")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<ResponseTime>, max_items = 3))]
    pub response_times: Option<ResponseTimes>,
    /// The community forum, for organizations without a tier.
    pub forum_url: String,
    /// Whether people can reply to the ticket's emails to comment (the server has a reply domain).
    /// Absent from older servers' answers, which had no replies by email.
    #[serde(default)]
    pub replies_by_email: bool,
}

/// [`TicketOptions::response_times`] travels as the list it has always been: `[]` or one target per
/// severity, least urgent first.
mod severity_list {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::support::{ResponseTime, ResponseTimes, Severity};

    pub fn serialize<S: Serializer>(
        times: &Option<ResponseTimes>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match times {
            None => s.collect_seq(std::iter::empty::<ResponseTime>()),
            Some(times) => s.collect_seq(Severity::ALL.map(|severity| times.get(severity))),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ResponseTimes>, D::Error> {
        let list = Vec::<ResponseTime>::deserialize(d)?;
        match list[..] {
            [] => Ok(None),
            [low, high, critical] => Ok(Some(ResponseTimes {
                low,
                high,
                critical,
            })),
            _ => Err(D::Error::invalid_length(
                list.len(),
                &"no response times, or one per severity",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn options(response_times: Option<ResponseTimes>) -> TicketOptions {
        TicketOptions {
            projects: vec![],
            products: vec![],
            tier_name: None,
            response_times,
            forum_url: "https://forum.example".into(),
            replies_by_email: false,
        }
    }

    #[test]
    fn response_times_travel_as_the_list_they_always_were() {
        let none = serde_json::to_string(&options(None)).unwrap();
        assert_eq!(
            none,
            r#"{"projects":[],"products":[],"tier_name":null,"response_times":[],"forum_url":"https://forum.example","replies_by_email":false}"#
        );
        let times = ResponseTimes {
            low: ResponseTime::Minutes(720),
            high: ResponseTime::Minutes(60),
            critical: ResponseTime::Minutes(30),
        };
        let json = serde_json::to_string(&options(Some(times))).unwrap();
        assert!(json.contains(
            r#""response_times":[{"unit":"minutes","value":720},{"unit":"minutes","value":60},{"unit":"minutes","value":30}]"#
        ));
        let back: TicketOptions = serde_json::from_str(&json).unwrap();
        assert_eq!(back.response_times, Some(times));
        assert_eq!(
            serde_json::from_str::<TicketOptions>(&none)
                .unwrap()
                .response_times,
            None
        );
        let two = json.replace(r#",{"unit":"minutes","value":30}"#, "");
        assert!(serde_json::from_str::<TicketOptions>(&two).is_err());
    }

    fn ticket(due: &str, answered: Option<&str>) -> Ticket {
        let at = |s: &str| Timestamp::parse(s).unwrap();
        Ticket {
            id: 1,
            subject: "s".into(),
            severity: Severity::High,
            status: TicketStatus::Open,
            product_key: "p".into(),
            product_name: "P".into(),
            reason_key: "r".into(),
            reason_label: "R".into(),
            resources: vec![],
            description: "d".into(),
            cc: vec![],
            submitter_name: "Dev".into(),
            submitter_email: "dev@acme.example".into(),
            created_at: at("2026-11-27T09:00:00Z"),
            updated_at: at("2026-11-27T09:00:00Z"),
            first_response_target: ResponseTime::Minutes(60),
            first_response_due_at: at(due),
            first_response_at: answered.map(at),
            attachments: vec![],
            activity: vec![],
            permissions: TicketPermissions::default(),
            follow_up_of: None,
            replies_by_email: false,
        }
    }

    #[test]
    fn the_first_response_is_met_when_it_comes_by_the_due_time() {
        let now = |s: &str| Timestamp::parse(s).unwrap();
        let due = "2026-11-27T10:00:00Z";
        assert_eq!(
            ticket(due, None).first_response_met(now("2026-11-27T09:59:59Z")),
            None
        );
        assert_eq!(ticket(due, None).first_response_met(now(due)), None);
        assert_eq!(
            ticket(due, None).first_response_met(now("2026-11-27T10:00:01Z")),
            Some(false)
        );
        let late = Some("2026-11-27T10:00:01Z");
        assert_eq!(
            ticket(due, Some(due)).first_response_met(now(due)),
            Some(true)
        );
        assert_eq!(ticket(due, late).first_response_met(now(due)), Some(false));
        // Compared as times, not as text: an offset form that sorts later as text is earlier in time.
        let early = Some("2026-11-27T10:30:00+01:00");
        assert_eq!(ticket(due, early).first_response_met(now(due)), Some(true));
    }

    #[test]
    fn ticket_times_keep_their_wire_text() {
        let json = serde_json::to_value(ticket("2026-11-27T10:00:00Z", None)).unwrap();
        assert_eq!(json["created_at"], "2026-11-27T09:00:00Z");
        assert_eq!(json["first_response_due_at"], "2026-11-27T10:00:00Z");
        assert!(json["first_response_at"].is_null());
    }
}
