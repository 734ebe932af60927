//! The one JSON error body every endpoint answers with.

use serde::{Deserialize, Serialize};

use crate::field::Field;

/// Machine-readable error codes. Clients branch on these, never on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request body or query was not valid JSON or had the wrong shape.
    MalformedRequest,
    /// One or more fields failed validation; see [`ErrorBody::fields`].
    InvalidInput,
    /// Email or password did not match.
    InvalidCredentials,
    /// Too many sign-in attempts (for the account, from the address, or on the whole service); the
    /// message says which. Retry after `Retry-After` seconds.
    TooManyAttempts,
    /// Too many tickets, comments, uploads or emails outside the organization in the last hour, by
    /// this user or the whole organization; the message says which. Retry after `Retry-After`
    /// seconds.
    RateLimited,
    /// No valid session.
    Unauthenticated,
    /// Signed in, but the role does not allow this.
    Forbidden,
    /// A state-changing request arrived without the CSRF header.
    CsrfCheckFailed,
    /// The object does not exist or belongs to another organization (never told apart).
    NotFound,
    /// The endpoint exists but not with this HTTP method.
    MethodNotAllowed,
    /// The request conflicts with the current state.
    Conflict,
    /// An `Idempotency-Key` was sent again with a different request body.
    IdempotencyKeyReused,
    /// The first request with this `Idempotency-Key` is still being processed; retry shortly.
    RequestInProgress,
    /// The request body is larger than the route accepts.
    PayloadTooLarge,
    /// The request body is not of a type the route accepts (e.g. JSON without `Content-Type:
    /// application/json`).
    UnsupportedMediaType,
    /// The request took longer than the server allows (a slow body or a slow answer).
    Timeout,
    /// The server is too busy to take the request now; retry after `Retry-After` seconds.
    Busy,
    /// Something went wrong on the server; details are in its log, never in the response.
    Internal,
}

/// A message attached to one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldMessage {
    /// The field's wire name, e.g. `email` (a [`Field::as_str`]). Kept as text so that a field this
    /// build does not know still reaches the form instead of failing the whole error body.
    pub field: String,
    /// A sentence naming the field, suitable to show next to it.
    pub message: String,
}

impl FieldMessage {
    /// A message for `field`.
    pub fn new(field: Field, message: impl Into<String>) -> Self {
        Self {
            field: field.as_str().to_owned(),
            message: message.into(),
        }
    }

    /// Whether this message belongs to `field`.
    pub fn is(&self, field: Field) -> bool {
        self.field == field.as_str()
    }
}

/// The body of every non-2xx JSON response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The HTTP status code, repeated so the body stands on its own in logs.
    pub status: u16,
    /// What went wrong, for programs.
    pub code: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
    /// Per-field messages, in form order; empty unless `code` is `invalid_input`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldMessage>,
}

impl ErrorBody {
    /// The message for `field` (a [`Field`] or its wire name), if the server sent one.
    pub fn field(&self, field: impl AsRef<str>) -> Option<&str> {
        let field = field.as_ref();
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_codes_in_snake_case_and_omits_empty_fields() {
        let body = ErrorBody {
            status: 401,
            code: ErrorCode::InvalidCredentials,
            message: "Email or password is incorrect.".into(),
            fields: vec![],
        };
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(
            json,
            r#"{"status":401,"code":"invalid_credentials","message":"Email or password is incorrect."}"#
        );
    }

    #[test]
    fn finds_field_messages() {
        let body: ErrorBody = serde_json::from_str(
            r#"{"status":422,"code":"invalid_input","message":"Check the form.","fields":[{"field":"email","message":"Enter an email."}]}"#,
        )
        .unwrap();
        assert_eq!(body.field("email"), Some("Enter an email."));
        assert_eq!(body.field("password"), None);
        assert_eq!(body.field(Field::Email), Some("Enter an email."));
        assert!(body.fields[0].is(Field::Email));
    }
}
