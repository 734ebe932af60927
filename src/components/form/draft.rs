//! Drafts: a form's input written to localStorage while the user types, and the idempotency key
//! that makes sending it again safe.

use std::cell::Cell;

use leptos::prelude::*;
use serde::Serialize;

use crate::storage;

/// Quiet time after the last keystroke before a draft is written.
const SAVE_DELAY_MS: u64 = 300;

thread_local! {
    /// How many explicit sign-outs this page has seen. An [`Autosave`] started before the latest one
    /// writes nothing more: the form that is torn down by the sign-out (which saves on cleanup) or
    /// whose save timer fires a moment later must not bring back the drafts [`forget_drafts`] removed.
    static SIGN_OUTS: Cell<u32> = const { Cell::new(0) };
}

/// Where Create ticket's drafts live: `support-app:ticket-draft:{user}:{organization}`.
pub const TICKET_DRAFT_PREFIX: &str = "support-app:ticket-draft";
/// Where Add to conversation's drafts live: `support-app:comment-draft:{user}:{organization}:{ticket}`.
pub const COMMENT_DRAFT_PREFIX: &str = "support-app:comment-draft";
/// Every form's draft prefix: what [`forget_drafts`] looks for. A new form with a draft adds its own.
const DRAFT_PREFIXES: [&str; 2] = [TICKET_DRAFT_PREFIX, COMMENT_DRAFT_PREFIX];

/// The localStorage key of the draft of the form `prefix` for user `user_id` about `scope` (Create
/// ticket: the organization; a comment: `{organization}:{ticket}`): the one place the shape is
/// written, so [`is_draft_of`] recognises every key a form makes.
pub fn draft_key(prefix: &str, user_id: i64, scope: &str) -> String {
    format!("{prefix}:{user_id}:{scope}")
}

/// Whether `key` is a draft of user `user_id` ([`draft_key`] with one of [`DRAFT_PREFIXES`]).
fn is_draft_of(key: &str, user_id: i64) -> bool {
    let owner = format!(":{user_id}:");
    DRAFT_PREFIXES.iter().any(|prefix| {
        key.strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(&owner))
    })
}

/// Removes every draft `user_id` left in this browser, in every organization, and stops the forms on
/// the page from writing theirs again. For an explicit sign-out only (on a shared computer the next
/// person must not find what was typed); a session that merely expires keeps its drafts, so the user
/// finds them after signing in again.
pub fn forget_drafts(user_id: i64) {
    SIGN_OUTS.with(|n| n.set(n.get().wrapping_add(1)));
    storage::remove_where(|key| is_draft_of(key, user_id));
}

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
        let sign_outs = SIGN_OUTS.with(Cell::get);
        // Only a form the user has touched writes: an untouched form in another tab must never remove or
        // overwrite the draft this tab is writing.
        let changed = StoredValue::new(false);
        let timer = StoredValue::new(None::<TimeoutHandle>);
        let save_now = move || {
            if let Some(handle) = timer.try_update_value(Option::take).flatten() {
                handle.clear();
            }
            if finished.try_get_value().unwrap_or(true)
                || !changed.try_get_value().unwrap_or(false)
                || SIGN_OUTS.with(Cell::get) != sign_outs
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_users_own_drafts_are_forgotten() {
        assert!(is_draft_of(&draft_key(TICKET_DRAFT_PREFIX, 7, "1"), 7));
        assert!(is_draft_of(&draft_key(COMMENT_DRAFT_PREFIX, 7, "1:42"), 7));
        assert!(is_draft_of("support-app:ticket-draft:7:1", 7));
        assert!(is_draft_of("support-app:comment-draft:7:1:42", 7));
        // Another user's drafts on the same computer stay: their session may have merely expired.
        assert!(!is_draft_of(&draft_key(TICKET_DRAFT_PREFIX, 70, "1"), 7));
        assert!(!is_draft_of("support-app:comment-draft:17:1:42", 7));
        // Not drafts at all, or not of a form this app has.
        assert!(!is_draft_of("support-app:settings:7", 7));
        assert!(!is_draft_of("support-app:settings-draft:7:1", 7));
        assert!(!is_draft_of("other-app:ticket-draft:7:1", 7));
        assert!(!is_draft_of("support-app:ticket-drafts:7:1", 7));
    }
}
