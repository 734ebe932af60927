use api::Field;
use leptos::prelude::*;

use super::{FieldErrors, FieldFrame};

/// A drop-down field. The options are the `children` (each marks itself `selected`); `on_change` gets
/// the chosen value before the field's message is checked again.
#[component]
pub fn Select(
    errors: FieldErrors,
    field: Field,
    label: &'static str,
    on_change: Callback<String>,
    /// A sentence under the drop-down, always part of its description.
    #[prop(optional)]
    hint: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let hint_id = hint.map(|_| format!("{}-hint", errors.id(field)));
    let hint_view = hint
        .zip(hint_id.clone())
        .map(|(text, id)| view! { <p id=id class="sa-muted">{text}</p> });
    let described = move || errors.describe(field, errors.has(field), hint_id.as_deref());
    view! {
        <FieldFrame errors=errors field=field label=label>
            <select
                id=errors.id(field)
                on:change=move |ev| {
                    on_change.run(event_target_value(&ev));
                    errors.edited(field);
                }
                aria-invalid=errors.invalid(field)
                aria-describedby=described
            >
                {children()}
            </select>
            {hint_view}
        </FieldFrame>
    }
}
