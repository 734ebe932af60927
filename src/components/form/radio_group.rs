use api::Field;
use leptos::prelude::*;

use super::{FieldError, FieldErrors};

/// One choice of a [`RadioGroup`].
pub struct Choice {
    /// The value the group reports.
    pub value: &'static str,
    pub label: &'static str,
    /// What the choice means, read with it.
    pub help: AnyView,
}

/// A set of radio buttons under a legend. The first button carries the field's id, so the error
/// summary's link lands on it; the others add their label (`ticket-severity-high`).
#[component]
pub fn RadioGroup(
    errors: FieldErrors,
    field: Field,
    legend: &'static str,
    choices: Vec<Choice>,
    /// The chosen value (tracked).
    #[prop(into)]
    selected: Signal<Option<&'static str>>,
    on_change: Callback<&'static str>,
) -> impl IntoView {
    let first = choices.first().map(|c| c.value);
    let buttons = choices
        .into_iter()
        .map(|Choice { value, label, help }| {
            let id = if Some(value) == first {
                errors.id(field)
            } else {
                format!("{}-{}", errors.id(field), label.to_lowercase())
            };
            view! {
                <div class="sa-radio">
                    <input
                        type="radio"
                        id=id.clone()
                        name=field.as_str()
                        prop:checked=move || selected.get() == Some(value)
                        on:change=move |_| {
                            on_change.run(value);
                            errors.edited(field);
                        }
                        aria-describedby=format!("{id}-help")
                    />
                    <label for=id.clone()>{label}</label>
                    <p id=format!("{id}-help") class="sa-radio-help">
                        {help}
                    </p>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="sa-fieldset" aria-describedby=errors.described_by(field, None)>
            <legend>{legend}</legend>
            {buttons}
            <FieldError errors=errors field=field />
        </fieldset>
    }
}
