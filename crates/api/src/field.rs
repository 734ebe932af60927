//! The names of the form fields that validation messages are attached to, written once for the SPA,
//! the server and the rules here.

use std::fmt;

/// A form field that can carry a message ([`crate::error::FieldMessage::field`] holds its [`Field::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Sign-in email.
    Email,
    /// Sign-in password.
    Password,
    /// Addresses to CC (the create form and the comment form).
    Cc,
    /// A new ticket's subject.
    Subject,
    /// A new ticket's severity.
    Severity,
    /// A new ticket's affected projects and services.
    Resources,
    /// A new ticket's product.
    Product,
    /// A new ticket's reason.
    Reason,
    /// A new ticket's description.
    Description,
    /// Files, on a ticket, a comment or an upload.
    Attachments,
    /// The closed ticket a new one follows up.
    FollowUpOf,
    /// A comment's text.
    Body,
    /// The upgrade's tier.
    Tier,
    /// The upgrade's start month.
    StartMonth,
    /// The upgrade's billing group.
    BillingGroupId,
}

impl Field {
    /// The sign-in form's fields, in form order.
    pub const SIGN_IN_ORDER: [Field; 2] = [Field::Email, Field::Password];

    /// The create form's fields, in form order (the order of its error summary).
    pub const NEW_TICKET_ORDER: [Field; 8] = [
        Field::Cc,
        Field::Subject,
        Field::Severity,
        Field::Resources,
        Field::Product,
        Field::Reason,
        Field::Description,
        Field::Attachments,
    ];

    /// The comment form's fields, in form order.
    pub const COMMENT_ORDER: [Field; 3] = [Field::Cc, Field::Body, Field::Attachments];

    /// The upgrade wizard's fields, in step order.
    pub const UPGRADE_ORDER: [Field; 3] = [Field::Tier, Field::StartMonth, Field::BillingGroupId];

    /// Every field.
    pub const ALL: [Field; 15] = [
        Field::Email,
        Field::Password,
        Field::Cc,
        Field::Subject,
        Field::Severity,
        Field::Resources,
        Field::Product,
        Field::Reason,
        Field::Description,
        Field::Attachments,
        Field::FollowUpOf,
        Field::Body,
        Field::Tier,
        Field::StartMonth,
        Field::BillingGroupId,
    ];

    /// The wire name, as in the request body and [`crate::error::FieldMessage::field`]: `billing_group_id`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Field::Email => "email",
            Field::Password => "password",
            Field::Cc => "cc",
            Field::Subject => "subject",
            Field::Severity => "severity",
            Field::Resources => "resources",
            Field::Product => "product",
            Field::Reason => "reason",
            Field::Description => "description",
            Field::Attachments => "attachments",
            Field::FollowUpOf => "follow_up_of",
            Field::Body => "body",
            Field::Tier => "tier",
            Field::StartMonth => "start_month",
            Field::BillingGroupId => "billing_group_id",
        }
    }

    /// Parses [`Self::as_str`]'s output.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// The name its messages start with, e.g. `Files` in "Files: a file is listed twice.".
    pub const fn label(self) -> &'static str {
        match self {
            Field::Email => "Email",
            Field::Password => "Password",
            Field::Cc => "CC",
            Field::Subject => "Subject",
            Field::Severity => "Severity",
            Field::Resources => "Projects and services",
            Field::Product => "Product",
            Field::Reason => "Reason",
            Field::Description => "Description",
            Field::Attachments => "Files",
            Field::FollowUpOf => "Follow-up",
            Field::Body => "Comment",
            Field::Tier => "Choose tier",
            Field::StartMonth => "Start date",
            Field::BillingGroupId => "Billing group",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for Field {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<&str> for Field {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Field {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Field> for &str {
    fn eq(&self, other: &Field) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Field> for String {
    fn eq(&self, other: &Field) -> bool {
        self == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        for field in Field::ALL {
            assert_eq!(Field::parse(field.as_str()), Some(field));
        }
        let mut names = Field::ALL.map(Field::as_str);
        names.sort_unstable();
        let before = names.len();
        let mut unique = names.to_vec();
        unique.dedup();
        assert_eq!(unique.len(), before);
        assert_eq!(Field::parse("nope"), None);
    }

    #[test]
    fn form_orders_use_the_wire_names() {
        assert_eq!(
            Field::NEW_TICKET_ORDER.map(Field::as_str),
            [
                "cc",
                "subject",
                "severity",
                "resources",
                "product",
                "reason",
                "description",
                "attachments",
            ]
        );
        assert_eq!(
            Field::COMMENT_ORDER.map(Field::as_str),
            ["cc", "body", "attachments"]
        );
        assert_eq!(
            Field::UPGRADE_ORDER.map(Field::as_str),
            ["tier", "start_month", "billing_group_id"]
        );
        assert_eq!(
            Field::SIGN_IN_ORDER.map(Field::as_str),
            ["email", "password"]
        );
    }

    #[test]
    fn a_field_compares_with_its_wire_name() {
        assert_eq!(Field::StartMonth, "start_month");
        assert_eq!("cc", Field::Cc);
        assert_eq!(String::from("body"), Field::Body);
        assert_eq!(Field::BillingGroupId.to_string(), "billing_group_id");
    }
}
