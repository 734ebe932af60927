//! The create-ticket draft: what is kept in localStorage while the user types, and the form's fields
//! as signals.

use api::idempotency::DRAFT_KEY_MAX_AGE_SECS;
use api::ticket::check_cc_address;
use api::{NewTicket, Severity};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::form::{CcCheck, CcField, new_key};
use crate::storage;

/// A draft older than this may have outlived its idempotency key on the server.
const KEY_SAFE_MS: f64 = DRAFT_KEY_MAX_AGE_SECS as f64 * 1000.0;

/// The form as the user left it.
pub(super) struct Restored {
    pub(super) fields: Fields,
    /// When the restored draft was saved (milliseconds since the epoch); `None` for a new form.
    pub(super) saved_at: Option<f64>,
    /// Whether the restored draft may have outlived its idempotency key.
    pub(super) stale: bool,
}

impl Restored {
    /// The draft stored under `key` (or an empty form) for `submitter`, following up `follow_up`.
    pub(super) fn load(key: &str, submitter: &str, follow_up: Option<i64>) -> Self {
        let restored = storage::load::<Draft>(key).filter(Draft::has_content);
        let saved_at = restored.as_ref().map(|d| d.saved_at);
        // An older draft whose last send was never confirmed may have created a ticket, and its key no
        // longer protects a retry: use a new key and say so.
        let stale = saved_at.is_some_and(|at| js_sys::Date::now() - at > KEY_SAFE_MS);
        let fields = Fields::new(restored.unwrap_or_default(), submitter);
        if stale {
            fields.key.set(new_key());
        }
        if follow_up.is_some() {
            fields.follow_up.set(follow_up);
        }
        Self {
            fields,
            saved_at,
            stale,
        }
    }
}

/// What is saved while the user types. Files are not: they are uploaded as they are added and a
/// reload starts them over.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct Draft {
    pub(super) cc: Vec<String>,
    pub(super) cc_text: String,
    pub(super) subject: String,
    pub(super) severity: Option<Severity>,
    /// Projects and services accepted as chips, by ID.
    pub(super) resources: Vec<String>,
    /// What is still in the Projects and services box.
    pub(super) resource_text: String,
    pub(super) product: String,
    pub(super) reason: String,
    pub(super) description: String,
    /// The closed ticket this one follows up.
    pub(super) follow_up: Option<i64>,
    /// The idempotency key of this draft's ticket.
    pub(super) key: String,
    /// Milliseconds since the epoch.
    pub(super) saved_at: f64,
}

impl Draft {
    pub(super) fn has_content(&self) -> bool {
        !(self.cc.is_empty()
            && self.cc_text.trim().is_empty()
            && self.subject.trim().is_empty()
            && self.severity.is_none()
            && self.resources.is_empty()
            && self.resource_text.trim().is_empty()
            && self.product.is_empty()
            && self.description.trim().is_empty())
    }
}

/// The form's fields as signals.
#[derive(Clone, Copy)]
pub(super) struct Fields {
    pub(super) cc: CcField,
    pub(super) subject: RwSignal<String>,
    pub(super) severity: RwSignal<Option<Severity>>,
    pub(super) resources: RwSignal<Vec<String>>,
    pub(super) resource_text: RwSignal<String>,
    pub(super) product: RwSignal<String>,
    pub(super) reason: RwSignal<String>,
    pub(super) description: RwSignal<String>,
    pub(super) follow_up: RwSignal<Option<i64>>,
    pub(super) key: RwSignal<String>,
}

impl Fields {
    pub(super) fn new(draft: Draft, submitter: &str) -> Self {
        let check = CcCheck {
            own: submitter.to_owned(),
            ..Default::default()
        };
        Self {
            cc: CcField::new(draft.cc, draft.cc_text, check, |check, list, token| {
                check_cc_address(list, token, &check.own)
            }),
            subject: RwSignal::new(draft.subject),
            severity: RwSignal::new(draft.severity),
            resources: RwSignal::new(draft.resources),
            resource_text: RwSignal::new(draft.resource_text),
            product: RwSignal::new(draft.product),
            reason: RwSignal::new(draft.reason),
            description: RwSignal::new(draft.description),
            follow_up: RwSignal::new(draft.follow_up),
            key: RwSignal::new(if draft.key.is_empty() {
                new_key()
            } else {
                draft.key
            }),
        }
    }

    /// Subscribes the running effect to every field.
    pub(super) fn track(&self) {
        self.cc.emails.track();
        self.cc.text.track();
        self.subject.track();
        self.severity.track();
        self.resources.track();
        self.resource_text.track();
        self.product.track();
        self.reason.track();
        self.description.track();
        self.follow_up.track();
    }

    /// The current values, or `None` once the form is gone (its signals disposed).
    pub(super) fn snapshot(&self) -> Option<Draft> {
        Some(Draft {
            cc: self.cc.emails.try_get_untracked()?,
            cc_text: self.cc.text.try_get_untracked()?,
            subject: self.subject.try_get_untracked()?,
            severity: self.severity.try_get_untracked()?,
            resources: self.resources.try_get_untracked()?,
            resource_text: self.resource_text.try_get_untracked()?,
            product: self.product.try_get_untracked()?,
            reason: self.reason.try_get_untracked()?,
            description: self.description.try_get_untracked()?,
            follow_up: self.follow_up.try_get_untracked()?,
            key: self.key.try_get_untracked()?,
            saved_at: js_sys::Date::now(),
        })
    }

    pub(super) fn reset(&self) {
        self.cc.clear();
        self.subject.set(String::new());
        self.severity.set(None);
        self.resources.set(Vec::new());
        self.resource_text.set(String::new());
        self.product.set(String::new());
        self.reason.set(String::new());
        self.description.set(String::new());
        self.follow_up.set(None);
        self.key.set(new_key());
    }

    pub(super) fn input(&self, attachment_ids: Vec<i64>) -> NewTicket {
        NewTicket {
            cc: self.cc.emails.get_untracked(),
            subject: self.subject.get_untracked(),
            severity: self.severity.get_untracked(),
            resources: self.resources.get_untracked(),
            product: self.product.get_untracked(),
            reason: self.reason.get_untracked(),
            description: self.description.get_untracked(),
            attachment_ids,
            follow_up_of: self.follow_up.get_untracked(),
        }
    }
}
