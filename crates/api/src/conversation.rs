//! Following a ticket: adding to its conversation, and the customer's status actions.

use serde::{Deserialize, Serialize};

use crate::error::FieldMessage;
use crate::field::Field;
use crate::ticket::{
    ATTACHMENTS_MAX, CC_MAX, DESCRIPTION_MAX_CHARS, TicketStatus, cc_list_full, too_many_files,
};
use crate::validate::{Email, FieldError, check_multi_line, collect};

// Kept under their old paths (`api::conversation::...`).
pub use crate::ticket::{Activity, ActivityKind, AuthorKind, TicketPermissions};
pub use crate::ticket_list::{
    PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, TicketList, TicketListItem, TicketListQuery, TicketScope,
    TicketSort,
};

/// Longest comment, in characters (the same as a description).
pub const COMMENT_MAX_CHARS: usize = DESCRIPTION_MAX_CHARS;

/// Adding to the conversation: a comment, people to CC, or both, with optional files.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewComment {
    /// Addresses to add to the CC list, as typed.
    #[serde(default)]
    pub cc: Vec<String>,
    /// The comment; may be empty only when the request just adds people to CC.
    #[serde(default)]
    pub body: String,
    /// Files uploaded beforehand with the attachments endpoint.
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
}

/// A [`NewComment`] that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidComment {
    /// New addresses only, normalised.
    pub cc: Vec<Email>,
    /// Trimmed; empty when only CCs are added.
    pub body: String,
    /// Files uploaded beforehand, at most [`ATTACHMENTS_MAX`].
    pub attachment_ids: Vec<i64>,
}

/// The people already on a ticket, which new CCs are checked against.
#[derive(Debug, Clone, Copy)]
pub struct CommentContext<'a> {
    /// The ticket's current CC list (normalised).
    pub cc: &'a [String],
    /// The ticket's submitter.
    pub submitter: &'a str,
    /// Who is adding to the conversation.
    pub author: &'a str,
}

/// Checks one address someone wants to add to an existing ticket's CC list (`pending` are the addresses
/// already accepted in the same request).
pub fn check_new_cc(
    context: CommentContext<'_>,
    pending: &[Email],
    input: &str,
) -> Result<Email, FieldError> {
    let email = Email::parse_field(Field::Cc, input)?;
    let same = |other: &str| email.as_str().eq_ignore_ascii_case(other.trim());
    if same(context.author) && !same(context.submitter) {
        return Err(FieldError::new(
            Field::Cc,
            format!(
                "CC: {email} is your own address; you already get every update of this ticket."
            ),
        ));
    }
    if same(context.submitter) || context.cc.iter().any(|c| same(c)) || pending.contains(&email) {
        return Err(FieldError::new(
            Field::Cc,
            format!("CC: {email} is already on this ticket."),
        ));
    }
    if context.cc.len() + pending.len() >= CC_MAX {
        return Err(cc_list_full());
    }
    Ok(email)
}

impl NewComment {
    /// Checks the comment text: required unless the request only adds people to CC.
    pub fn check_body(&self) -> Option<FieldError> {
        let body = self.body.trim();
        if body.is_empty() {
            if self.cc.is_empty() || !self.attachment_ids.is_empty() {
                return Some(FieldError::new(
                    Field::Body,
                    "Comment: write a comment (it may be left empty only when you just add people to CC).",
                ));
            }
            return None;
        }
        let count = body.chars().count();
        if count > COMMENT_MAX_CHARS {
            return Some(FieldError::too_long(Field::Body, COMMENT_MAX_CHARS, count));
        }
        check_multi_line(Field::Body, body).err()
    }

    /// Every rule, every failure at once in form order ([`Field::COMMENT_ORDER`]: CC, then the comment,
    /// then files).
    pub fn validate(&self, context: CommentContext<'_>) -> Result<ValidComment, Vec<FieldMessage>> {
        let mut cc = Vec::with_capacity(self.cc.len());
        let mut cc_error = None;
        for address in &self.cc {
            match check_new_cc(context, &cc, address) {
                Ok(email) => cc.push(email),
                Err(e) => {
                    cc_error = Some(e);
                    break;
                }
            }
        }
        let files = (self.attachment_ids.len() > ATTACHMENTS_MAX).then(too_many_files);
        collect([cc_error, self.check_body(), files])?;
        Ok(ValidComment {
            cc,
            body: self.body.trim().to_owned(),
            attachment_ids: self.attachment_ids.clone(),
        })
    }
}

/// The customer's status actions: `solved` (from open or awaiting a reply) and `open` (reopen a solved
/// ticket). A closed ticket stays closed; the customer opens a follow-up ticket instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChange {
    /// The status asked for.
    pub status: TicketStatus,
}

impl StatusChange {
    /// Whether a customer may move a ticket from `from` to this status; `Err` explains why not.
    pub fn check(self, from: TicketStatus) -> Result<(), String> {
        use TicketStatus::*;
        match (from, self.status) {
            (Open | AwaitingCustomer, Solved) | (Solved, Open) => Ok(()),
            (Closed, _) => Err(
                "This ticket is closed and cannot be reopened. Create a follow-up ticket instead."
                    .into(),
            ),
            (_, Open) => Err("Only a solved ticket can be reopened.".into()),
            (Solved, Solved) => Err("This ticket is already solved.".into()),
            (_, _) => Err("Customers can mark a ticket solved or reopen it, nothing else.".into()),
        }
    }
}

/// `PUT /organizations/{id}/ticket-following`: an admin follows (gets the emails of) every ticket of the
/// organization, or stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Following {
    /// Whether to follow.
    pub following: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    const CC: &[&str] = &["ops@acme.example"];

    fn context<'a>(cc: &'a [String]) -> CommentContext<'a> {
        CommentContext {
            cc,
            submitter: "dev@acme.example",
            author: "admin@acme.example",
        }
    }

    fn fields(comment: &NewComment) -> Vec<String> {
        let cc: Vec<String> = CC.iter().map(|s| s.to_string()).collect();
        comment
            .validate(context(&cc))
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.field)
            .collect()
    }

    #[test]
    fn a_comment_needs_text_unless_it_only_adds_people() {
        assert_eq!(fields(&NewComment::default()), ["body"]);
        let cc_only = NewComment {
            cc: vec!["new@acme.example".into()],
            ..Default::default()
        };
        assert!(fields(&cc_only).is_empty());
        let files_without_text = NewComment {
            cc: vec!["new@acme.example".into()],
            attachment_ids: vec![1],
            ..Default::default()
        };
        assert_eq!(fields(&files_without_text), ["body"]);
        let long = NewComment {
            body: "x".repeat(COMMENT_MAX_CHARS + 1),
            ..Default::default()
        };
        assert_eq!(
            long.check_body().unwrap().message,
            "Comment: use at most 32,000 characters; this has 32,001."
        );
    }

    #[test]
    fn new_ccs_must_be_new_valid_and_not_the_author() {
        let cc: Vec<String> = CC.iter().map(|s| s.to_string()).collect();
        let ctx = context(&cc);
        assert!(check_new_cc(ctx, &[], "New+Tag@Acme.Example").is_ok());
        assert!(
            check_new_cc(ctx, &[], "OPS@acme.example")
                .unwrap_err()
                .message
                .contains("already on this ticket")
        );
        assert!(
            check_new_cc(ctx, &[], "dev@acme.example")
                .unwrap_err()
                .message
                .contains("already on this ticket")
        );
        assert!(
            check_new_cc(ctx, &[], "admin@acme.example")
                .unwrap_err()
                .message
                .contains("your own address")
        );
        assert!(
            check_new_cc(ctx, &[], "nope")
                .unwrap_err()
                .message
                .starts_with("CC: ")
        );
        let pending = [Email::parse("a@acme.example").unwrap()];
        assert!(check_new_cc(ctx, &pending, "a@acme.example").is_err());
    }

    #[test]
    fn the_cc_list_stays_within_48() {
        let cc: Vec<String> = (0..47).map(|i| format!("p{i}@acme.example")).collect();
        let ctx = context(&cc);
        let one = check_new_cc(ctx, &[], "x@acme.example").unwrap();
        assert!(
            check_new_cc(ctx, &[one], "y@acme.example")
                .unwrap_err()
                .message
                .contains("at most 48")
        );
    }

    #[test]
    fn customers_solve_and_reopen_but_never_reopen_closed_tickets() {
        use TicketStatus::*;
        let to = |status| StatusChange { status };
        assert!(to(Solved).check(Open).is_ok());
        assert!(to(Solved).check(AwaitingCustomer).is_ok());
        assert!(to(Open).check(Solved).is_ok());
        assert!(to(Open).check(Closed).unwrap_err().contains("follow-up"));
        assert!(to(Solved).check(Closed).is_err());
        assert!(to(Open).check(Open).is_err());
        assert!(to(Closed).check(Open).is_err());
        assert!(to(AwaitingCustomer).check(Open).is_err());
    }
}
