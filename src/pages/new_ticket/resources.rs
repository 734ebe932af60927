//! Projects and services (the documentation's "Enter the ID of the affected projects and services"):
//! IDs typed or pasted (separated by spaces, commas or new lines) become removable chips one by one as
//! they are found among the organization's own; one that is not stays in the box with its message, so
//! nothing typed is lost. "Choose from your organization" lists them all as checkboxes. The server
//! resolves every chip again: these checks are for instant feedback.

use api::ticket::{RESOURCES_MAX, resolve_resource, split_resources, too_many_resources};
use api::{Field, FieldMessage, Project, TicketOptions};
use leptos::prelude::*;

use super::draft::Fields;
use crate::components::form::{ChipInput, FieldErrors, FieldFrame, take_chips};

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
    let entries: Vec<&str> = split_resources(&text).collect();
    let mut chips = f.resources.get_untracked();
    let taken = options.with_value(|o| {
        take_chips(&text, &entries, all, |entry| {
            let added = admit(&o.projects, &chips, entry)?;
            chips.extend(added);
            Ok(())
        })
    })?;
    f.resources.set(chips);
    f.resource_text.set(taken.rest);
    Some(taken.problem)
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

/// The label, hint, chips and box (the form kit's [`ChipInput`]) and the organization's list. Each commit shows its outcome as the
/// field's message; a status line tells screen readers what became a chip.
pub(super) fn resources_field(
    f: Fields,
    errors: FieldErrors,
    options: StoredValue<TicketOptions>,
) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let on_commit = Callback::new(move |all: bool| {
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
    });
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
    let on_remove = Callback::new(move |id: String| {
        status.set(format!("Removed {id}."));
        toggle(id, false);
    });
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
            <ChipInput
                errors=errors
                field=RESOURCES
                chips=f.resources
                text=f.resource_text
                list_label="Affected projects and services"
                on_commit=on_commit
                on_remove=on_remove
            >
                "Enter the ID of the affected projects and services, separated by spaces, commas or new lines: a project as "
                <code>"project"</code>", a service as "<code>"project/service"</code>
                {format!(" (at most {RESOURCES_MAX}).")}
            </ChipInput>
            <span class="sa-visually-hidden" role="status">{move || status.get()}</span>
            <details class="sa-resource-choices">
                <summary>"Choose from your organization"</summary>
                <ul aria-label="Your organization's projects and services">{list}</ul>
            </details>
        </FieldFrame>
    }
}
