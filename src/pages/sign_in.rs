//! The sign-in form, shown in place of any page whenever there is no session. The URL is left alone, so
//! after signing in the user is on the page they asked for.

use api::{FieldMessage, SignInRequest};
use leptos::prelude::*;

use crate::api::ApiClient;
use crate::components::{ErrorSummary, focus_by_id, set_document_title};
use crate::session::{Session, SessionState};

#[component]
pub fn SignIn() -> impl IntoView {
    let session = expect_context::<Session>();
    let client = expect_context::<ApiClient>();
    set_document_title("Sign in");

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Client-side field problems, then the server's answer; the summary lists both.
    let field_errors = RwSignal::new(Vec::<FieldMessage>::new());
    let form_error = RwSignal::new(None::<String>);

    let focus_summary = || focus_by_id("signin-summary");

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
                    let fields: Vec<FieldMessage> = ["email", "password"]
                        .into_iter()
                        .filter_map(|f| {
                            error.field(f).map(|m| FieldMessage {
                                field: f.into(),
                                message: m,
                            })
                        })
                        .collect();
                    if fields.is_empty() {
                        form_error.set(Some(error.message()));
                    } else {
                        field_errors.set(fields);
                    }
                    focus_summary();
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
            Err(errors) => {
                field_errors.set(errors);
                focus_summary();
            }
            Ok(_) => {
                field_errors.set(Vec::new());
                sign_in.dispatch_local(request);
            }
        }
    };

    let error_for = move |field: &'static str| {
        move || {
            field_errors.with(|errs| {
                errs.iter()
                    .find(|e| e.field == field)
                    .map(|e| e.message.clone())
            })
        }
    };
    let clear_error = move |field: &'static str| {
        move |_| field_errors.update(|errs| errs.retain(|e| e.field != field))
    };

    view! {
        <div class="sa-signin">
            <h1>"Sign in"</h1>
            <p class="sa-muted">"Sign in to the cloud console to see your organization\u{2019}s support."</p>

            <ErrorSummary id="signin-summary" prefix="signin" errors=field_errors form_error=form_error />

            <form class="sa-form" novalidate on:submit=on_submit>
                <div class="sa-field">
                    <label for="signin-email">"Email"</label>
                    <input
                        id="signin-email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        spellcheck="false"
                        bind:value=email
                        on:input=clear_error("email")
                        aria-invalid=move || error_for("email")().map(|_| "true")
                        aria-describedby=move || error_for("email")().map(|_| "signin-email-error")
                    />
                    {move || {
                        error_for("email")()
                            .map(|m| view! { <p id="signin-email-error" class="sa-field-error">{m}</p> })
                    }}
                </div>
                <div class="sa-field">
                    <label for="signin-password">"Password"</label>
                    <input
                        id="signin-password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        bind:value=password
                        on:input=clear_error("password")
                        aria-invalid=move || error_for("password")().map(|_| "true")
                        aria-describedby=move || error_for("password")().map(|_| "signin-password-error")
                    />
                    {move || {
                        error_for("password")()
                            .map(|m| {
                                view! { <p id="signin-password-error" class="sa-field-error">{m}</p> }
                            })
                    }}
                </div>
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
