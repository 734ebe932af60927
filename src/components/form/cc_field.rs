//! The CC field: addresses typed or pasted (separated by spaces, commas or new lines) become removable
//! chips one by one as they pass; an address that does not pass stays in the box with its message, so
//! nothing typed is lost.

use api::ticket::split_addresses;
use api::{Email, Field, FieldError as RuleError};
use leptos::prelude::*;

use super::{FieldErrors, FieldFrame};
use crate::components::focus_by_id;

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
        let ends_with_separator =
            text.ends_with(|c: char| c.is_whitespace() || c == ',' || c == ';');
        let tokens: Vec<&str> = split_addresses(&text).collect();
        let complete = if all || ends_with_separator {
            tokens.len()
        } else {
            tokens.len().saturating_sub(1)
        };
        if complete == 0 {
            return None;
        }
        let mut list = self.accepted();
        let mut rejected = Vec::new();
        let mut first_error = None;
        self.check.with_value(|check| {
            for token in &tokens[..complete] {
                match (self.rule)(check, &list, token) {
                    Ok(email) => list.push(email),
                    Err(e) => {
                        first_error.get_or_insert(e.message);
                        rejected.push(*token);
                    }
                }
            }
        });
        let mut rest = rejected.join(" ");
        if let Some(partial) = tokens.get(complete) {
            if !rest.is_empty() {
                rest.push(' ');
            }
            rest.push_str(partial);
        } else if !rest.is_empty() && ends_with_separator {
            // Keep the separator just typed after a refused address, so the next one starts apart.
            rest.push(' ');
        }
        self.emails
            .set(list.into_iter().map(String::from).collect());
        self.text.set(rest);
        Some(first_error)
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

/// The CC label, hint, chips and box. Each commit shows its outcome as the field's message.
#[component]
pub fn CcInput(errors: FieldErrors, field: CcField, hint: &'static str) -> impl IntoView {
    const CC: Field = Field::Cc;
    let input_id = errors.id(CC);
    let hint_id = format!("{input_id}-hint");
    let commit = move |all: bool| {
        if let Some(result) = field.commit(all) {
            errors.set(CC, result);
        }
    };
    let remove = {
        let input_id = input_id.clone();
        move |email: String| {
            field.emails.update(|l| l.retain(|e| *e != email));
            focus_by_id(input_id.clone());
        }
    };
    let described = {
        let hint_id = hint_id.clone();
        move || errors.describe(CC, errors.has(CC), Some(&hint_id))
    };
    view! {
        <FieldFrame errors=errors field=CC label="CC">
            <p id=hint_id class="sa-hint">{hint}</p>
            <ul class="sa-chips" aria-label="CC addresses" hidden=move || field.emails.with(Vec::is_empty)>
                <For each=move || field.emails.get() key=|e| e.clone() let(email)>
                    <li class="sa-chip">
                        <span>{email.clone()}</span>
                        <button
                            type="button"
                            class="sa-chip-remove"
                            aria-label=format!("Remove {email}")
                            on:click={
                                let email = email.clone();
                                let remove = remove.clone();
                                move |_| remove(email.clone())
                            }
                        >
                            "\u{d7}"
                        </button>
                    </li>
                </For>
            </ul>
            <input
                id=input_id
                type="text"
                inputmode="email"
                autocomplete="off"
                spellcheck="false"
                prop:value=move || field.text.get()
                on:input=move |ev| {
                    field.text.set(event_target_value(&ev));
                    commit(false);
                }
                on:blur=move |_| commit(true)
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" {
                        ev.prevent_default();
                        commit(true);
                    }
                }
                aria-invalid=errors.invalid(CC)
                aria-describedby=described
            />
        </FieldFrame>
    }
}
