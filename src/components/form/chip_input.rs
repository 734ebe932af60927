//! A field whose entries become removable chips: typed or pasted text (separated by spaces, commas or
//! new lines) moves from the box to the chips one entry at a time as each passes; an entry that does not
//! pass stays in the box, so nothing typed is lost. CC (addresses) and Projects and services (IDs) are
//! both this field with their own rule; what each entry means is the caller's business.

use api::Field;
use leptos::prelude::*;

use super::FieldErrors;
use crate::components::focus_by_id;

/// What [`take_chips`] did with the box: the text left in it and the first refusal, if any.
pub struct Taken {
    /// What stays in the box: refused entries, then the unfinished last word.
    pub rest: String,
    /// The message of the first refused entry; `None` when every complete entry passed.
    pub problem: Option<String>,
}

/// Runs every complete entry of `text` (split into `entries` by the caller's separator rule) through
/// `admit`, which adds a passing entry to the caller's chips or says why not. `all` also takes the last
/// word (blur, Enter, submit); otherwise a word is complete once a separator follows it, so typing an
/// address is not judged half-way. `None` when there was nothing complete to look at.
pub fn take_chips(
    text: &str,
    entries: &[&str],
    all: bool,
    mut admit: impl FnMut(&str) -> Result<(), String>,
) -> Option<Taken> {
    let separated = text.ends_with(|c: char| c.is_whitespace() || c == ',' || c == ';');
    let complete = if all || separated {
        entries.len()
    } else {
        entries.len().saturating_sub(1)
    };
    if complete == 0 {
        return None;
    }
    let mut kept = Vec::new();
    let mut problem = None;
    for entry in &entries[..complete] {
        if let Err(message) = admit(entry) {
            problem.get_or_insert(message);
            kept.push(*entry);
        }
    }
    kept.extend(entries.get(complete));
    let mut rest = kept.join(" ");
    if complete == entries.len() && !rest.is_empty() && separated {
        // Keep the separator just typed after a refused entry, so the next one starts apart.
        rest.push(' ');
    }
    Some(Taken { rest, problem })
}

/// The hint, the chips (each with its Remove button) and the box of a chip field, inside the caller's
/// [`super::FieldFrame`]. `children` are the hint's content; the box is described by it and by the
/// field's message. Typing commits what is complete, blur and Enter commit everything (`on_commit`
/// gets `all`); a chip's Remove button calls `on_remove` and gives the focus back to the box, so a
/// keyboard user is never left on a button that no longer exists.
#[component]
pub fn ChipInput(
    errors: FieldErrors,
    field: Field,
    /// The accepted entries.
    chips: RwSignal<Vec<String>>,
    /// What is still in the box.
    text: RwSignal<String>,
    /// The chip list's accessible name.
    list_label: &'static str,
    /// The box's `inputmode` (CC asks for the email keyboard).
    #[prop(optional)]
    inputmode: Option<&'static str>,
    on_commit: Callback<bool>,
    on_remove: Callback<String>,
    children: Children,
) -> impl IntoView {
    let input_id = errors.id(field);
    let hint_id = format!("{input_id}-hint");
    let remove = {
        let input_id = input_id.clone();
        move |entry: String| {
            on_remove.run(entry);
            focus_by_id(input_id.clone());
        }
    };
    let described = {
        let hint_id = hint_id.clone();
        move || errors.describe(field, errors.has(field), Some(&hint_id))
    };
    view! {
        <p id=hint_id class="sa-hint">{children()}</p>
        <ul class="sa-chips" aria-label=list_label hidden=move || chips.with(Vec::is_empty)>
            <For each=move || chips.get() key=|entry| entry.clone() let(entry)>
                <li class="sa-chip">
                    <span>{entry.clone()}</span>
                    <button
                        type="button"
                        class="sa-chip-remove"
                        aria-label=format!("Remove {entry}")
                        on:click={
                            let remove = remove.clone();
                            move |_| remove(entry.clone())
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
            inputmode=inputmode
            autocomplete="off"
            spellcheck="false"
            prop:value=move || text.get()
            on:input=move |ev| {
                text.set(event_target_value(&ev));
                on_commit.run(false);
            }
            on:blur=move |_| on_commit.run(true)
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Enter" {
                    ev.prevent_default();
                    on_commit.run(true);
                }
            }
            aria-invalid=errors.invalid(field)
            aria-describedby=described
        />
    }
}

#[cfg(test)]
mod tests {
    use super::take_chips;

    /// Admits every entry but `bad`, collecting the admitted ones.
    fn run(text: &str, all: bool, admitted: &mut Vec<String>) -> Option<(String, Option<String>)> {
        let entries: Vec<&str> = text
            .split([' ', ',', ';', '\n'])
            .filter(|s| !s.is_empty())
            .collect();
        take_chips(text, &entries, all, |e| {
            if e == "bad" {
                return Err(format!("{e} is refused"));
            }
            admitted.push(e.to_owned());
            Ok(())
        })
        .map(|t| (t.rest, t.problem))
    }

    #[test]
    fn the_word_being_typed_waits_for_a_separator() {
        let mut chips = Vec::new();
        assert_eq!(run("one", false, &mut chips), None);
        assert_eq!(run("one tw", false, &mut chips), Some(("tw".into(), None)));
        assert_eq!(chips, ["one"]);
        // Blur, Enter and submit take the last word too.
        assert_eq!(run("tw", true, &mut chips), Some((String::new(), None)));
        assert_eq!(chips, ["one", "tw"]);
    }

    #[test]
    fn refused_entries_stay_in_the_box_with_the_first_message() {
        let mut chips = Vec::new();
        assert_eq!(
            run("bad,one bad two", false, &mut chips),
            Some(("bad bad two".into(), Some("bad is refused".into())))
        );
        assert_eq!(chips, ["one"]);
        // The separator just typed after a refused entry stays, so the next one starts apart.
        assert_eq!(
            run("bad ", false, &mut chips),
            Some(("bad ".into(), Some("bad is refused".into())))
        );
    }
}
