//! The CC field: addresses typed or pasted (separated by spaces, commas or new lines) become removable
//! chips one by one as they pass; an address that does not pass stays in the box with its message, so
//! nothing typed is lost. The chips and the box are the form kit's [`ChipInput`].

use api::ticket::split_addresses;
use api::{Email, Field, FieldError as RuleError};
use leptos::prelude::*;

use super::chip_input::{ChipInput, take_chips};
use super::{FieldErrors, FieldFrame};

/// Decides whether one more address may join the chips already accepted.
pub type CcRule = fn(&CcCheck, &[Email], &str) -> Result<Email, RuleError>;

/// What a [`CcRule`] checks against: the submitter's (or author's) address and the ticket's CC list.
#[derive(Debug, Clone, Default)]
pub struct CcCheck {
    pub own: String,
    pub submitter: String,
    pub existing: Vec<String>,
}

/// The field's state.
#[derive(Clone, Copy)]
pub struct CcField {
    pub emails: RwSignal<Vec<String>>,
    pub text: RwSignal<String>,
    check: StoredValue<CcCheck>,
    rule: CcRule,
}

impl CcField {
    /// A field holding `emails` (accepted) and `text` (still in the box).
    pub fn new(emails: Vec<String>, text: String, check: CcCheck, rule: CcRule) -> Self {
        Self {
            emails: RwSignal::new(emails),
            text: RwSignal::new(text),
            check: StoredValue::new(check),
            rule,
        }
    }

    /// Moves complete addresses from the box to the chips. `all` also takes the last word (blur,
    /// Enter, submit); otherwise a word is complete once a separator follows it. Returns the message
    /// for the field: `Some(None)` when everything passed, `Some(Some(..))` for the first problem, and
    /// `None` when there was nothing to look at.
    pub fn commit(&self, all: bool) -> Option<Option<String>> {
        let text = self.text.get_untracked();
        let tokens: Vec<&str> = split_addresses(&text).collect();
        let mut list = self.accepted();
        let taken = self.check.with_value(|check| {
            take_chips(&text, &tokens, all, |token| {
                let email = (self.rule)(check, &list, token).map_err(|e| e.message)?;
                list.push(email);
                Ok(())
            })
        })?;
        self.emails
            .set(list.into_iter().map(String::from).collect());
        self.text.set(taken.rest);
        Some(taken.problem)
    }

    fn accepted(&self) -> Vec<Email> {
        self.emails
            .get_untracked()
            .iter()
            .filter_map(|s| Email::parse(s).ok())
            .collect()
    }

    /// The message for text still in the box, if any (it did not become a chip).
    pub fn leftover_problem(&self) -> Option<String> {
        let text = self.text.get_untracked();
        let list = self.accepted();
        self.check.with_value(|check| {
            split_addresses(&text)
                .find_map(|t| (self.rule)(check, &list, t).err())
                .map(|e| e.message)
        })
    }

    /// Adds the message for text still in the box to `messages`, unless they already have one for CC.
    pub fn report_leftover(&self, messages: &mut Vec<api::FieldMessage>) {
        if !messages.iter().any(|m| m.is(Field::Cc))
            && let Some(message) = self.leftover_problem()
        {
            messages.push(api::FieldMessage::new(Field::Cc, message));
        }
    }

    /// Empties the field.
    pub fn clear(&self) {
        self.emails.set(Vec::new());
        self.text.set(String::new());
    }
}

/// Which form a CC field is in: each hint starts with what the documentation says at that step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CcForm {
    /// Create ticket.
    NewTicket,
    /// Add to conversation.
    Comment,
}

/// The CC field's hint, for both forms. Replying to the emails is only promised when the server gives
/// them a reply address (`replies_by_email`); otherwise people who are not console users only
/// receive them.
pub fn cc_hint(form: CcForm, replies_by_email: bool) -> String {
    let others_get = if replies_by_email {
        "email and can reply to it to comment and CC more people"
    } else {
        "the emails"
    };
    match form {
        CcForm::NewTicket => format!(
            "All new comments and updates will be sent to these emails. Separate addresses with spaces, commas or new lines. People who are console users of your organization can also open the ticket and comment; others get {others_get}."
        ),
        CcForm::Comment => format!(
            "Add the email addresses separated by a space. They get every new comment and update by email; console users of your organization can also open this ticket, comment and CC others, while other people get {others_get}."
        ),
    }
}

/// The CC label, hint ([`cc_hint`] for `form`), chips and box. Each commit shows its outcome as the
/// field's message. `replies_by_email` may change (what the server offers is known only after it
/// answers).
#[component]
pub fn CcInput(
    errors: FieldErrors,
    field: CcField,
    form: CcForm,
    #[prop(into)] replies_by_email: Signal<bool>,
) -> impl IntoView {
    const CC: Field = Field::Cc;
    let on_commit = Callback::new(move |all: bool| {
        if let Some(result) = field.commit(all) {
            errors.set(CC, result);
        }
    });
    let on_remove = Callback::new(move |email: String| {
        field.emails.update(|l| l.retain(|e| *e != email));
    });
    view! {
        <FieldFrame errors=errors field=CC label="CC">
            <ChipInput
                errors=errors
                field=CC
                chips=field.emails
                text=field.text
                list_label="CC addresses"
                inputmode="email"
                on_commit=on_commit
                on_remove=on_remove
            >
                {move || cc_hint(form, replies_by_email.get())}
            </ChipInput>
        </FieldFrame>
    }
}
