use crate::router::A;
use leptos::prelude::*;

use crate::api::ApiClient;
use crate::components::form::forget_drafts;
use crate::routes;
use crate::session::Session;

/// The standalone header: product name, navigation, the signed-in user and sign-out. When the console
/// embeds the app it draws its own header and this renders nothing.
#[component]
pub fn Shell(standalone: bool) -> impl IntoView {
    let session = expect_context::<Session>();
    let client = expect_context::<ApiClient>();
    let (sign_out_error, set_sign_out_error) = signal(None::<String>);
    let sign_out = Action::new_local(move |_: &()| async move {
        match client.sign_out().await {
            Ok(()) => {
                set_sign_out_error.set(None);
                // Before the pages go: a form torn down by `expire` would save its draft again.
                if let Some(me) = session.0.with_untracked(|s| match s {
                    crate::session::SessionState::SignedIn(me) => Some(me.user.id),
                    _ => None,
                }) {
                    forget_drafts(me);
                }
                session.expire();
            }
            Err(e) => set_sign_out_error.set(Some(format!("Could not sign out. {}", e.message()))),
        }
    });

    let brand = use_context::<crate::AppConfig>()
        .and_then(|c| c.brand)
        .unwrap_or_else(|| "Cloud console".to_owned());
    standalone.then(|| {
        view! {
            <a class="sa-skip-link" href="#support-main">
                "Skip to main content"
            </a>
            <header class="sa-header">
                <span class="sa-product">{brand}</span>
                {move || {
                    session
                        .me()
                        .map(|me| {
                            view! {
                                <nav class="sa-nav" aria-label="Main">
                                    <A href=routes::href(&routes::support()) section=true>
                                        "Support"
                                    </A>
                                </nav>
                                <div class="sa-user">
                                    <span class="sa-user-id">
                                        <span class="sa-user-email">{me.user.email}</span>
                                        <span class="sa-user-org">{me.organization.name}</span>
                                    </span>
                                    <button
                                        type="button"
                                        class="sa-button sa-button-quiet"
                                        disabled=move || sign_out.pending().get()
                                        on:click=move |_| {
                                            sign_out.dispatch_local(());
                                        }
                                    >
                                        "Sign out"
                                    </button>
                                </div>
                            }
                        })
                }}
            </header>
            {move || {
                sign_out_error
                    .get()
                    .map(|msg| {
                        view! {
                            <p class="sa-banner sa-banner-error" role="alert">
                                {msg}
                            </p>
                        }
                    })
            }}
        }
    })
}
