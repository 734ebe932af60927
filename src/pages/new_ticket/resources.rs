//! Projects and services (the documentation's "Enter the ID of the affected projects and services"):
//! IDs typed or pasted (separated by spaces, commas or new lines) become removable chips one by one as
//! they are found among the organization's own; one that is not stays in the box with its message, so
//! nothing typed is lost. "Choose from your organization" lists them all as checkboxes. The server
//! resolves every chip again: these checks are for instant feedback.

use api::ticket::{RESOURCES_MAX, resolve_resource, split_resources, too_many_resources};
use api::{Field, FieldMessage, Project, TicketOptions};
use leptos::prelude::*;

use super::draft::Fields;
use crate::components::focus_by_id;
use crate::components::form::{FieldErrors, FieldFrame};

const RESOURCES: Field = Field::Resources;

/// What happened to one entry: added as this chip, already a chip, or refused with a message.
fn admit(projects: &[Project], chips: &[String], entry: &str) -> Result<Option<String>, String> {
    let id = resolve_resource(projects, entry)
        .map_err(|e| e.message)?
        .id_text();
    if chips.contains(&id) {
        Ok(None)
    } else if chips.len() >= RESOURCES_MAX {
        Err(too_many_resources(chips.len() + 1).message)
    } else {
        Ok(Some(id))
    }
}

/// Moves complete entries from the box to the chips (`all` also takes the last word: blur, Enter,
/// submit; otherwise a word is complete once a separator follows it). `Some(message)` for the field
/// (`None` inside when all passed); `None` when there was nothing to look at.
pub(super) fn commit(
    f: Fields,
    options: StoredValue<TicketOptions>,
    all: bool,
) -> Option<Option<String>> {
    let text = f.resource_text.get_untracked();
    let separated = text.ends_with(|c: char| c.is_whitespace() || c == ',' || c == ';');
    let entries: Vec<&str> = split_resources(&text).collect();
    let complete = if all || separated {
        entries.len()
    } else {
        entries.len().saturating_sub(1)
    };
    if complete == 0 {
        return None;
    }
    let mut chips = f.resources.get_untracked();
    let mut kept = Vec::new();
    let mut first_error = None;
    options.with_value(|o| {
        for entry in &entries[..complete] {
            match admit(&o.projects, &chips, entry) {
                Ok(added) => chips.extend(added),
                Err(message) => {
                    first_error.get_or_insert(message);
                    kept.push(*entry);
                }
            }
        }
    });
    kept.extend(entries.get(complete));
    let mut rest = kept.join(" ");
    if complete == entries.len() && !rest.is_empty() && separated {
        // Keep the separator just typed after a refused entry, so the next one starts apart.
        rest.push(' ');
    }
    f.resources.set(chips);
    f.resource_text.set(rest);
    Some(first_error)
}

/// The message for text still in the box (it did not become a chip), unless `messages` have one.
pub(super) fn report_leftover(
    f: Fields,
    options: StoredValue<TicketOptions>,
    messages: &mut Vec<FieldMessage>,
) {
    if messages.iter().any(|m| m.is(RESOURCES)) {
        return;
    }
    let text = f.resource_text.get_untracked();
    let chips = f.resources.get_untracked();
    let problem = options.with_value(|o| {
        split_resources(&text).find_map(|entry| admit(&o.projects, &chips, entry).err())
    });
    messages.extend(problem.map(|m| FieldMessage::new(RESOURCES, m)));
}

/// Every project and service of the organization as its ID, projects first in each group.
fn choices(projects: &[Project]) -> Vec<(String, bool)> {
    projects
        .iter()
        .flat_map(|p| {
            std::iter::once((p.name.clone(), false)).chain(
                p.services
                    .iter()
                    .map(|s| (format!("{}/{}", p.name, s.name), true)),
            )
        })
        .collect()
}

/// The label, hint, chips, box and the organization's list. Each commit shows its outcome as the
/// field's message; a status line tells screen readers what became a chip.
pub(super) fn resources_field(
    f: Fields,
    errors: FieldErrors,
    options: StoredValue<TicketOptions>,
) -> impl IntoView {
    let input_id = errors.id(RESOURCES);
    let hint_id = format!("{input_id}-hint");
    let status = RwSignal::new(String::new());
    let commit = move |all: bool| {
        let before = f.resources.with_untracked(Vec::len);
        if let Some(result) = commit(f, options, all) {
            let added = f.resources.with_untracked(Vec::len) - before;
            match &result {
                Some(message) => status.set(message.clone()),
                None if added > 0 => status.set(format!("Added {added}.")),
                None => {}
            }
            errors.set(RESOURCES, result);
        }
    };
    let toggle = move |id: String, on: bool| {
        let mut message = None;
        f.resources.update(|chips| {
            if !on {
                chips.retain(|c| *c != id);
            } else if chips.len() >= RESOURCES_MAX {
                message = Some(too_many_resources(chips.len() + 1).message);
            } else if !chips.contains(&id) {
                chips.push(id);
            }
        });
        errors.set(RESOURCES, message);
    };
    let remove = {
        let input_id = input_id.clone();
        move |id: String| {
            status.set(format!("Removed {id}."));
            toggle(id, false);
            focus_by_id(input_id.clone());
        }
    };
    let described = {
        let hint_id = hint_id.clone();
        move || errors.describe(RESOURCES, errors.has(RESOURCES), Some(&hint_id))
    };
    let list = options
        .with_value(|o| choices(&o.projects))
        .into_iter()
        .map(|(id, service)| {
            let checked = {
                let id = id.clone();
                move || f.resources.with(|c| c.contains(&id))
            };
            let on_change = {
                let id = id.clone();
                move |ev: leptos::ev::Event| {
                    toggle(id.clone(), event_target_checked(&ev));
                    // A refused check (the list is full) leaves the list as it was: so must the box.
                    let listed = f.resources.with_untracked(|c| c.contains(&id));
                    event_target::<web_sys::HtmlInputElement>(&ev).set_checked(listed);
                }
            };
            view! {
                <li class:sa-resource-service=service>
                    <label>
                        <input type="checkbox" prop:checked=checked on:change=on_change />
                        " " {id}
                    </label>
                </li>
            }
        })
        .collect_view();
    view! {
        <FieldFrame errors=errors field=RESOURCES label="Projects and services (optional)">
            <p id=hint_id class="sa-hint">
                "Enter the ID of the affected projects and services, separated by spaces, commas or new lines: a project as "
                <code>"project"</code>", a service as "<code>"project/service"</code>
                {format!(" (at most {RESOURCES_MAX}).")}
            </p>
            <ul class="sa-chips" aria-label="Affected projects and services" hidden=move || f.resources.with(Vec::is_empty)>
                <For each=move || f.resources.get() key=|id| id.clone() let(id)>
                    <li class="sa-chip">
                        <span>{id.clone()}</span>
                        <button
                            type="button"
                            class="sa-chip-remove"
                            aria-label=format!("Remove {id}")
                            on:click={
                                let remove = remove.clone();
                                move |_| remove(id.clone())
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
                autocomplete="off"
                spellcheck="false"
                prop:value=move || f.resource_text.get()
                on:input=move |ev| {
                    f.resource_text.set(event_target_value(&ev));
                    commit(false);
                }
                on:blur=move |_| commit(true)
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" {
                        ev.prevent_default();
                        commit(true);
                    }
                }
                aria-invalid=errors.invalid(RESOURCES)
                aria-describedby=described
            />
            <span class="sa-visually-hidden" role="status">{move || status.get()}</span>
            <details class="sa-resource-choices">
                <summary>"Choose from your organization"</summary>
                <ul aria-label="Your organization's projects and services">{list}</ul>
            </details>
        </FieldFrame>
    }
}
