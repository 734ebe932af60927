//! The one way a form shows a problem with a field: its message under the field (`{prefix}-{field}-error`),
//! the field marked `aria-invalid` and described by the message, and, in forms with an
//! [`ErrorSummary`](super::ErrorSummary), the same message as a link to the field.

use std::sync::Arc;

use api::{Field, FieldMessage};
use leptos::prelude::*;

/// Checks the whole form again and returns its field messages (see [`FieldErrors::rechecked_by`]).
type Recheck = Arc<dyn Fn() -> Vec<FieldMessage> + Send + Sync>;

/// A form's field messages, kept in the order its fields appear, and the element ids they belong to:
/// [`Field::Subject`] in a form with prefix `ticket` is `ticket-subject`, its message
/// `ticket-subject-error` (the field's wire name, [`Field::as_str`]).
#[derive(Clone, Copy)]
pub struct FieldErrors {
    list: RwSignal<Vec<FieldMessage>>,
    prefix: &'static str,
    order: &'static [Field],
    recheck: StoredValue<Option<Recheck>>,
    announce: bool,
}

impl FieldErrors {
    /// No messages yet. `order` lists the form's fields, top to bottom.
    pub fn new(prefix: &'static str, order: &'static [Field]) -> Self {
        Self {
            list: RwSignal::new(Vec::new()),
            prefix,
            order,
            recheck: StoredValue::new(None),
            announce: false,
        }
    }

    /// Once a field shows a message, each edit checks the form again with `recheck` and keeps only
    /// what is still wrong with that field. Without it an edit simply clears the field's message.
    pub fn rechecked_by(
        self,
        recheck: impl Fn() -> Vec<FieldMessage> + Send + Sync + 'static,
    ) -> Self {
        self.recheck.set_value(Some(Arc::new(recheck)));
        self
    }

    /// Messages are announced where they appear (`role="alert"`): for forms without a summary.
    pub fn announced(mut self) -> Self {
        self.announce = true;
        self
    }

    /// The element id of `field`.
    pub fn id(&self, field: Field) -> String {
        self.id_of(field.as_str())
    }

    /// The element id of the field a message names (its wire name).
    pub fn id_of(&self, name: &str) -> String {
        format!("{}-{name}", self.prefix)
    }

    /// The element id of `field`'s message.
    pub fn error_id(&self, field: Field) -> String {
        format!("{}-{}-error", self.prefix, field.as_str())
    }

    /// Every message, in form order (tracked).
    pub fn list(&self) -> Vec<FieldMessage> {
        self.list.get()
    }

    /// Whether there are no messages (tracked).
    pub fn is_empty(&self) -> bool {
        self.list.with(Vec::is_empty)
    }

    /// Whether there are no messages, without tracking.
    pub fn is_empty_untracked(&self) -> bool {
        self.list.with_untracked(Vec::is_empty)
    }

    fn sort(&self, list: &mut [FieldMessage]) {
        list.sort_by_key(|m| self.order.iter().position(|f| m.is(*f)));
    }

    /// Replaces every message.
    pub fn set_all(&self, mut list: Vec<FieldMessage>) {
        self.sort(&mut list);
        self.list.set(list);
    }

    /// Sets (or with `None` clears) the message of one field.
    pub fn set(&self, field: Field, message: Option<String>) {
        self.list.update(|l| {
            l.retain(|m| !m.is(field));
            if let Some(message) = message {
                l.push(FieldMessage::new(field, message));
            }
            self.sort(l);
        });
    }

    /// Replaces the message of `field` with the one `fresh` has for it.
    pub fn refresh(&self, field: Field, fresh: Vec<FieldMessage>) {
        self.list.update(|l| {
            l.retain(|m| !m.is(field));
            l.extend(fresh.into_iter().filter(|m| m.is(field)));
            self.sort(l);
        });
    }

    fn recheck(&self, field: Field) {
        match self.recheck.get_value() {
            Some(recheck) => self.refresh(field, recheck()),
            None => self.set(field, None),
        }
    }

    /// Shows the outcome of checking `field` on its own (a step of the wizard, say): a problem becomes
    /// its message and focus moves to the field. Returns whether the field passed.
    pub fn check(&self, field: Field, outcome: Result<(), String>) -> bool {
        let passed = outcome.is_ok();
        self.set(field, outcome.err());
        if !passed {
            crate::components::focus_by_id(self.id(field));
        }
        passed
    }

    /// The user changed `field`: a message it shows goes away as soon as the field is fixed.
    pub fn edited(&self, field: Field) {
        if self
            .list
            .with_untracked(|l| l.iter().any(|m| m.field == field))
        {
            self.recheck(field);
        }
    }

    /// The user left `field`: what they typed is checked (an untouched empty field is not an error yet).
    pub fn left(&self, field: Field, filled: bool) {
        if filled {
            self.recheck(field);
        } else {
            self.edited(field);
        }
    }

    /// Whether `field` has a message (tracked).
    pub fn has(&self, field: Field) -> bool {
        self.list.with(|l| l.iter().any(|m| m.is(field)))
    }

    /// The message of `field` (tracked).
    pub fn message(&self, field: Field) -> Signal<Option<String>> {
        let list = self.list;
        Signal::derive(move || {
            list.with(|l| l.iter().find(|m| m.is(field)).map(|m| m.message.clone()))
        })
    }

    /// `aria-invalid` for `field`.
    pub fn invalid(&self, field: Field) -> impl Fn() -> Option<&'static str> + Send + Sync + use<> {
        let errors = *self;
        move || errors.has(field).then_some("true")
    }

    /// `aria-describedby` for a field whose message is `shown` (or not), with `hint`, the ids of the
    /// elements that always describe it.
    pub fn describe(&self, field: Field, shown: bool, hint: Option<&str>) -> Option<String> {
        match (shown, hint) {
            (true, Some(hint)) => Some(format!("{} {hint}", self.error_id(field))),
            (true, None) => Some(self.error_id(field)),
            (false, hint) => hint.map(str::to_owned),
        }
    }

    /// `aria-describedby` for `field`: its message while it has one, then `hint`.
    pub fn described_by(
        &self,
        field: Field,
        hint: Option<&'static str>,
    ) -> impl Fn() -> Option<String> + Send + Sync + use<> {
        let errors = *self;
        move || errors.describe(field, errors.has(field), hint)
    }
}

/// The message under a field, with the id its control's `aria-describedby` names. `message` stands in
/// for the form's own (the file field's refusals, say).
#[component]
pub fn FieldError(
    errors: FieldErrors,
    field: Field,
    #[prop(optional, into)] message: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let message = message.unwrap_or_else(|| errors.message(field));
    let role = errors.announce.then_some("alert");
    move || {
        message.get().map(
            |m| view! { <p id=errors.error_id(field) class="sa-field-error" role=role>{m}</p> },
        )
    }
}

/// The frame of a labelled field: the label, the control and whatever the form puts around it
/// (`children`), then the field's message.
#[component]
pub fn FieldFrame(
    errors: FieldErrors,
    field: Field,
    label: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="sa-field">
            <label for=errors.id(field)>{label}</label>
            {children()}
            <FieldError errors=errors field=field />
        </div>
    }
}
