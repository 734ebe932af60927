//! Shown embedded, in place of any page, when there is no session: the console signs users in, so the
//! app has no sign-in form of its own there. In token mode it asks the host for a token; a new token
//! brings the page back (the URL is left alone).

use leptos::prelude::*;

use crate::api::ApiClient;

#[component]
pub fn SignedOut() -> impl IntoView {
    let auth = expect_context::<ApiClient>().auth();
    let token_mode = auth.is_token_mode();
    if token_mode {
        auth.ask_host();
    }
    view! {
        <div class="sa-page">
            <h1>"Signed out"</h1>
            <p>
                {if token_mode {
                    "Waiting for the console to sign you in again."
                } else {
                    "Sign in to the console again to see Support."
                }}
            </p>
        </div>
    }
}
