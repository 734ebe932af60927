use leptos::prelude::*;

use crate::api::ClientError;

/// A failed load, said in a sentence, with a way to try again. Never a blank page or a raw error.
#[component]
pub fn ErrorPanel(
    /// What went wrong.
    error: ClientError,
    /// Called by the "Try again" button.
    retry: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="sa-panel sa-error-panel" role="alert">
            <h2 class="sa-error-title">"This page could not be loaded"</h2>
            <p>{error.message()}</p>
            <button type="button" class="sa-button" on:click=move |_| retry.run(())>
                "Try again"
            </button>
        </div>
    }
}
