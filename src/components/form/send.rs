//! Sending a draft (Create ticket, Add to conversation): what stops it before it goes, what happens
//! when it went through, and what the form says when it failed.

use std::future::Future;

use api::{ErrorCode, Field, FieldMessage};
use leptos::prelude::*;

use super::{Autosave, CcField, FieldErrors, Uploads, new_key};
use crate::api::{ApiResult, ClientError};
use crate::components::focus_by_id;

/// A form that sends a draft: its messages, its draft, its files and CC, and the draft's idempotency key.
#[derive(Clone, Copy)]
pub struct DraftForm {
    pub errors: FieldErrors,
    /// A problem that belongs to no field.
    pub form_error: RwSignal<Option<String>>,
    /// The element id of the form's [`ErrorSummary`](super::ErrorSummary).
    pub summary: &'static str,
    pub autosave: Autosave,
    pub uploads: Uploads,
    pub cc: CcField,
    /// The draft's idempotency key.
    pub key: RwSignal<String>,
    /// What the form says when sending fails.
    pub text: &'static SendFailureText,
}

/// The problems of a draft: `messages` (from the form's own checks), then an address still in the CC
/// box that did not pass, then a file that has not finished uploading.
pub fn draft_problems(
    mut messages: Vec<FieldMessage>,
    cc: CcField,
    uploads: Uploads,
) -> Vec<FieldMessage> {
    cc.report_leftover(&mut messages);
    if let Some(message) = uploads.problem() {
        messages.push(FieldMessage::new(Field::Attachments, message));
    }
    messages
}

impl DraftForm {
    /// The action that sends the draft with `send` (its input and idempotency key). When it went
    /// through, the draft and the file list are done with and `on_sent` gets the answer; when it failed,
    /// the form says why.
    pub fn sender<I, T, Fut>(
        self,
        send: impl Fn(I, String) -> Fut + 'static,
        on_sent: impl Fn(T) + 'static,
    ) -> Action<(I, String), ApiResult<T>>
    where
        I: Clone + 'static,
        T: Clone + 'static,
        Fut: Future<Output = ApiResult<T>> + 'static,
    {
        let action =
            Action::new_local(move |(input, key): &(I, String)| send(input.clone(), key.clone()));
        Effect::new(move |_| {
            let Some(result) = action.value().get() else {
                return;
            };
            match result {
                Ok(answer) => {
                    self.autosave.finish();
                    self.uploads.sent();
                    on_sent(answer);
                }
                Err(error) => {
                    let reused = report_send_failure(
                        error,
                        self.errors,
                        self.form_error,
                        self.summary,
                        self.text,
                    );
                    // The old key belongs to content that may already have been accepted.
                    if reused {
                        self.key.set(new_key());
                    }
                }
            }
        });
        action
    }

    /// Submit: the CC box's last address is taken, the form is checked with `check_all`, and `input`
    /// goes out with the draft's key, unless a send is under way or something is wrong.
    pub fn submit<I: 'static, T: 'static>(
        self,
        sender: Action<(I, String), ApiResult<T>>,
        check_all: impl Fn() -> Vec<FieldMessage>,
        input: impl FnOnce() -> I,
    ) {
        if sender.pending().get_untracked() {
            return;
        }
        self.cc.commit(true);
        self.form_error.set(None);
        if !ready_to_send(check_all(), self.errors, self.summary) {
            return;
        }
        self.autosave.save_now();
        sender.dispatch_local((input(), self.key.get_untracked()));
    }
}

/// Shows the problems found before sending (an empty list clears the old ones) and, if there are any,
/// moves focus to the form's summary. Returns whether the form may be sent.
fn ready_to_send(problems: Vec<FieldMessage>, errors: FieldErrors, summary: &'static str) -> bool {
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
fn report_send_failure(
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
