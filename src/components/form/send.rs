//! Sending a form: what stops it before it goes, and what it says when sending fails.

use api::{ErrorCode, FieldMessage};
use leptos::prelude::*;

use super::FieldErrors;
use crate::api::ClientError;
use crate::components::focus_by_id;

/// Shows the problems found before sending (an empty list clears the old ones) and, if there are any,
/// moves focus to the form's summary. Returns whether the form may be sent.
pub fn ready_to_send(
    problems: Vec<FieldMessage>,
    errors: FieldErrors,
    summary: &'static str,
) -> bool {
    let ready = problems.is_empty();
    errors.set_all(problems);
    if !ready {
        focus_by_id(summary);
    }
    ready
}

/// What a form says when sending fails, in the words of what it sends.
pub struct SendFailureText {
    /// The same idempotency key was sent before with other content, which may have gone through.
    pub reused: &'static str,
    /// No answer came back: the outcome is unknown, and a retry with the same key is safe.
    pub offline: &'static str,
    /// Any other failure: this, the error's own sentence, then `kept`.
    pub failed: &'static str,
    /// That nothing typed was lost.
    pub kept: &'static str,
}

/// Shows why sending failed (field messages next to their fields, anything else in the summary) and
/// moves focus to the summary. A lost session shows nothing: the app has switched to sign-in and the
/// draft comes back afterwards. Returns whether the draft needs a new idempotency key (the old one
/// belongs to content that may already have been accepted).
pub fn report_send_failure(
    error: ClientError,
    errors: FieldErrors,
    form_error: RwSignal<Option<String>>,
    summary: &'static str,
    text: &SendFailureText,
) -> bool {
    let mut new_key = false;
    match error {
        ClientError::Unauthenticated => return false,
        ClientError::Api(body) if body.code == ErrorCode::IdempotencyKeyReused => {
            new_key = true;
            form_error.set(Some(text.reused.into()));
        }
        ClientError::Api(body) if !body.fields.is_empty() => {
            errors.set_all(body.fields);
            form_error.set(None);
        }
        ClientError::Network => form_error.set(Some(text.offline.into())),
        e => form_error.set(Some(format!(
            "{} {} {}",
            text.failed,
            e.message(),
            text.kept
        ))),
    }
    focus_by_id(summary);
    new_key
}
