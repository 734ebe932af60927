use leptos::prelude::*;

use super::FieldErrors;
use crate::components::focus_by_id;

/// "There is a problem": every field message of a form as a link to its field, plus a message for the
/// form as a whole. Forms move focus here (its `id`) when a submit fails, so screen readers hear it.
#[component]
pub fn ErrorSummary(
    /// The summary's element id, for `focus_by_id`.
    id: &'static str,
    /// The form's field messages.
    errors: FieldErrors,
    /// A problem that belongs to no field (network, conflict).
    form_error: RwSignal<Option<String>>,
) -> impl IntoView {
    let has_problems = move || !errors.is_empty() || form_error.with(Option::is_some);
    view! {
        <div id=id class="sa-error-summary" role="alert" tabindex="-1" hidden=move || !has_problems()>
            <Show when=has_problems>
                <h2 class="sa-error-summary-title">"There is a problem"</h2>
                <ul>
                    {move || form_error.get().map(|m| view! { <li>{m}</li> })}
                    <For
                        each=move || errors.list()
                        key=|e| (e.field.clone(), e.message.clone())
                        let(error)
                    >
                        <li>
                            <a
                                href=format!("#{}", errors.id_of(&error.field))
                                on:click={
                                    let target = errors.id_of(&error.field);
                                    move |ev: leptos::ev::MouseEvent| {
                                        ev.prevent_default();
                                        focus_by_id(target.clone());
                                    }
                                }
                            >
                                {error.message.clone()}
                            </a>
                        </li>
                    </For>
                </ul>
            </Show>
        </div>
    }
}
