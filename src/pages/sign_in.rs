//! The sign-in form, shown in place of any page whenever there is no session. The URL is left alone, so
//! after signing in the user is on the page they asked for.

use api::{Field, FieldMessage, SignInRequest};
use leptos::prelude::*;

use crate::api::ApiClient;
use crate::components::form::{ErrorSummary, FieldErrors, TextField};
use crate::components::{focus_by_id, set_document_title};
use crate::session::{Session, SessionState};

const SUMMARY: &str = "signin-summary";

#[component]
pub fn SignIn() -> impl IntoView {
    let session = expect_context::<Session>();
    let client = expect_context::<ApiClient>();
    set_document_title("Sign in");

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Client-side field problems, then the server's answer; the summary lists both.
    let errors = FieldErrors::new("signin", &Field::SIGN_IN_ORDER);
    let form_error = RwSignal::new(None::<String>);

    let sign_in = Action::new_local(move |request: &SignInRequest| {
        let request = request.clone();
        async move { client.sign_in(&request).await }
    });

    Effect::new(move |_| {
        if let Some(result) = sign_in.value().get() {
            match result {
                Ok(me) => session.0.set(SessionState::SignedIn(me)),
                Err(error) => {
                    // Field messages from the server win over the generic sentence.
                    let fields: Vec<FieldMessage> = Field::SIGN_IN_ORDER
                        .into_iter()
                        .filter_map(|f| error.field(f).map(|m| FieldMessage::new(f, m)))
                        .collect();
                    if fields.is_empty() {
                        form_error.set(Some(error.message()));
                    } else {
                        errors.set_all(fields);
                    }
                    focus_by_id(SUMMARY);
                }
            }
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sign_in.pending().get_untracked() {
            return;
        }
        let request = SignInRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        form_error.set(None);
        match request.validate() {
            Err(problems) => {
                errors.set_all(problems);
                focus_by_id(SUMMARY);
            }
            Ok(_) => {
                errors.set_all(Vec::new());
                sign_in.dispatch_local(request);
            }
        }
    };

    view! {
        <div class="sa-signin">
            <h1>"Sign in"</h1>
            <p class="sa-muted">"Sign in to the cloud console to see your organization\u{2019}s support."</p>

            <ErrorSummary id=SUMMARY errors=errors form_error=form_error />

            <form class="sa-form" novalidate on:submit=on_submit>
                <TextField
                    errors=errors
                    field=Field::Email
                    label="Email"
                    value=email
                    kind="email"
                    named=true
                    autocomplete="username"
                    spellcheck="false"
                />
                <TextField
                    errors=errors
                    field=Field::Password
                    label="Password"
                    value=password
                    kind="password"
                    named=true
                    autocomplete="current-password"
                />
                <button
                    type="submit"
                    class="sa-button sa-button-primary"
                    aria-busy=move || sign_in.pending().get().then_some("true")
                >
                    "Sign in"
                </button>
            </form>
        </div>
    }
}
