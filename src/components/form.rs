//! What every form of the app shares: field messages in form order, the message under a field, and
//! drafts that are written to localStorage while the user types.

use api::{ErrorCode, FieldMessage};
use leptos::prelude::*;
use serde::Serialize;

use crate::api::ClientError;
use crate::components::focus_by_id;
use crate::storage;

/// A form's field messages, kept in the order its fields appear.
#[derive(Clone, Copy)]
pub struct FieldErrors {
    pub list: RwSignal<Vec<FieldMessage>>,
    order: &'static [&'static str],
}

impl FieldErrors {
    /// No messages yet; `order` lists the wire names of the form's fields, top to bottom.
    pub fn new(order: &'static [&'static str]) -> Self {
        Self {
            list: RwSignal::new(Vec::new()),
            order,
        }
    }

    fn sort(&self, list: &mut [FieldMessage]) {
        list.sort_by_key(|m| self.order.iter().position(|f| *f == m.field));
    }

    /// Replaces every message.
    pub fn set_all(&self, mut list: Vec<FieldMessage>) {
        self.sort(&mut list);
        self.list.set(list);
    }

    /// Sets (or with `None` clears) the message of one field.
    pub fn set(&self, field: &'static str, message: Option<String>) {
        self.list.update(|l| {
            l.retain(|m| m.field != field);
            if let Some(message) = message {
                l.push(FieldMessage {
                    field: field.into(),
                    message,
                });
            }
        });
        self.list.update(|l| self.sort(l));
    }

    /// Replaces the messages of `fields` with those `fresh` has for them.
    pub fn refresh(&self, fields: &[&str], fresh: Vec<FieldMessage>) {
        self.list.update(|l| {
            l.retain(|m| !fields.contains(&m.field.as_str()));
            l.extend(
                fresh
                    .into_iter()
                    .filter(|m| fields.contains(&m.field.as_str())),
            );
        });
        self.list.update(|l| self.sort(l));
    }

    /// Whether `field` has a message (tracked).
    pub fn has(&self, field: &str) -> bool {
        self.list.with(|l| l.iter().any(|m| m.field == field))
    }

    /// The message of `field`, as a signal for [`FieldError`].
    pub fn message(&self, field: &'static str) -> Signal<Option<String>> {
        let list = self.list;
        Signal::derive(move || {
            list.with(|l| {
                l.iter()
                    .find(|m| m.field == field)
                    .map(|m| m.message.clone())
            })
        })
    }
}

/// A field's message, with the id (`{prefix}-{field}-error`) its input's `aria-describedby` names.
#[component]
pub fn FieldError(
    prefix: &'static str,
    field: &'static str,
    message: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        message.get().map(
            |m| view! { <p id=format!("{prefix}-{field}-error") class="sa-field-error">{m}</p> },
        )
    }
}

/// `120 of 255 characters used` or `3 characters over the limit`.
pub fn counter_text(count: usize, max: usize) -> String {
    use api::ticket::group_thousands;
    if count <= max {
        format!(
            "{} of {} characters used",
            group_thousands(count as u64),
            group_thousands(max as u64)
        )
    } else {
        format!(
            "{} characters over the limit",
            group_thousands((count - max) as u64)
        )
    }
}

/// Quiet time after the last keystroke before a draft is written.
const SAVE_DELAY_MS: u64 = 300;

/// Writes a form's draft to localStorage under `key` a moment after each change, at once when the page
/// is hidden or the form goes away, and never again after [`Autosave::finish`].
#[derive(Clone, Copy)]
pub struct Autosave {
    key: StoredValue<String>,
    finished: StoredValue<bool>,
    save: StoredValue<std::sync::Arc<dyn Fn() + Send + Sync>>,
}

impl Autosave {
    /// Starts saving. `track` subscribes to every field; `snapshot` returns the draft, or `None` when the
    /// form's signals are gone; `has_content` says whether it is worth keeping (an empty draft is removed).
    pub fn start<T: Serialize + 'static>(
        key: String,
        track: impl Fn() + Send + Sync + 'static,
        snapshot: impl Fn() -> Option<T> + Send + Sync + 'static,
        has_content: fn(&T) -> bool,
    ) -> Self {
        let key = StoredValue::new(key);
        let finished = StoredValue::new(false);
        // Only a form the user has touched writes: an untouched form in another tab must never remove or
        // overwrite the draft this tab is writing.
        let changed = StoredValue::new(false);
        let timer = StoredValue::new(None::<TimeoutHandle>);
        let save_now = move || {
            if let Some(handle) = timer.try_update_value(Option::take).flatten() {
                handle.clear();
            }
            if finished.try_get_value().unwrap_or(true) || !changed.try_get_value().unwrap_or(false)
            {
                return;
            }
            let (Some(draft), Some(key)) = (snapshot(), key.try_get_value()) else {
                return;
            };
            if has_content(&draft) {
                storage::save(&key, &draft);
            } else {
                storage::remove(&key);
            }
        };
        let save_now = std::sync::Arc::new(save_now);
        Effect::new({
            let save_now = save_now.clone();
            move |first: Option<()>| {
                track();
                if first.is_none() {
                    return;
                }
                changed.set_value(true);
                if let Some(handle) = timer.get_value() {
                    handle.clear();
                }
                let save_now = save_now.clone();
                let handle = set_timeout_with_handle(
                    move || save_now(),
                    std::time::Duration::from_millis(SAVE_DELAY_MS),
                )
                .ok();
                timer.set_value(handle);
            }
        });
        // A reload or a closed tab within the quiet time still keeps the last keystrokes.
        let pagehide = window_event_listener(leptos::ev::pagehide, {
            let save_now = save_now.clone();
            move |_| save_now()
        });
        on_cleanup({
            let save_now = save_now.clone();
            move || {
                pagehide.remove();
                save_now();
            }
        });
        Self {
            key,
            finished,
            save: StoredValue::new(save_now),
        }
    }

    /// Writes the draft now (before sending it, say).
    pub fn save_now(&self) {
        if let Some(save) = self.save.try_get_value() {
            save();
        }
    }

    /// Forgets the draft: the server has what it held.
    pub fn finish(&self) {
        self.finished.set_value(true);
        storage::remove(&self.key.get_value());
    }

    /// Removes the stored draft but keeps saving new input.
    pub fn discard(&self) {
        storage::remove(&self.key.get_value());
    }
}

/// A fresh idempotency key. `crypto.randomUUID` needs a secure context (https or localhost); elsewhere
/// two random 53-bit numbers are unique enough for one user's drafts (the server scopes keys per user).
pub fn new_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        // Calling it where it is missing would throw, and a throw in wasm is a crash.
        .filter(|c| js_sys::Reflect::has(c, &"randomUUID".into()).unwrap_or(false))
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| {
            // Integers, not f64 formatting: float printing would add about 10 KB to the bundle.
            let part = || (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
            format!("{:x}-{:x}", part(), part())
        })
}

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
