//! The Support section of the cloud console: a Leptos single-page app.
//!
//! Runs standalone (`mount_standalone`, with its own shell and sign-in) or embedded in the console
//! (`mountSupportApp` from JavaScript, under the console's base path and API URL). Every style is scoped
//! to the `.support-app` root so the console's own styles and ours never collide.

pub mod api;
pub mod components;
mod json;
pub mod pages;
pub mod routes;
pub mod session;
pub mod storage;

use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use wasm_bindgen::prelude::wasm_bindgen;

use crate::api::{ApiClient, ClientError};
use crate::components::{ErrorPanel, PageSkeleton, Shell};
use crate::pages::{
    NewTicketPage, NotFound, SignIn, SupportPage, TicketPage, TicketsPage, UpgradePage,
};
use crate::session::{Session, SessionState};

/// Where the app is mounted and where its API lives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppConfig {
    /// Path prefix of every route, e.g. `/org/acme` inside the console; empty when standalone.
    pub base: String,
    /// URL prefix of the API, e.g. `https://api.example.com`; empty for same origin.
    pub api_base: String,
    /// Whether to draw our own header (the console draws its own when it embeds us).
    pub standalone: bool,
}

impl AppConfig {
    /// Reads `<meta name="support-app-base">` and `<meta name="support-app-api">` from the page.
    pub fn from_document(standalone: bool) -> Self {
        let meta = |name: &str| {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| {
                    d.query_selector(&format!("meta[name='{name}']"))
                        .ok()
                        .flatten()
                })
                .and_then(|el| el.get_attribute("content"))
                .unwrap_or_default()
        };
        Self {
            base: meta("support-app-base").trim_end_matches('/').to_owned(),
            api_base: meta("support-app-api"),
            standalone,
        }
    }
}

/// Mounts the standalone app (own header and sign-in) on `<body>`.
pub fn mount_standalone() {
    let config = AppConfig::from_document(true);
    leptos::mount::mount_to_body(move || view! { <App config=config.clone() /> });
}

/// Mounts the app inside the console at `element`, with the console's base path and API URL.
#[wasm_bindgen(js_name = mountSupportApp)]
pub fn mount_support_app(element: web_sys::HtmlElement, base: String, api_base: String) {
    let config = AppConfig {
        base: base.trim_end_matches('/').to_owned(),
        api_base,
        standalone: false,
    };
    // The console owns the element's lifetime; keep the app mounted until the page goes away.
    leptos::mount::mount_to(element, move || view! { <App config=config.clone() /> }).forget();
}

/// What the main area shows, derived from the session so a refreshed `Me` does not re-render pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Checking,
    SignedIn,
    SignedOut,
    Unavailable,
}

/// The root component.
#[component]
pub fn App(config: AppConfig) -> impl IntoView {
    let session = Session::new();
    let client = ApiClient::new(&config.api_base, Callback::new(move |()| session.expire()));
    provide_context(session);
    provide_context(client);
    provide_context(config.clone());

    let check_session = move || {
        session.0.set(SessionState::Checking);
        leptos::task::spawn_local(async move {
            let state = match client.me().await {
                Ok(me) => SessionState::SignedIn(me),
                Err(ClientError::Unauthenticated) => SessionState::SignedOut,
                Err(e) => SessionState::Unavailable(e),
            };
            session.0.set(state);
        });
    };
    check_session();

    let phase = Memo::new(move |_| {
        session.0.with(|s| match s {
            SessionState::Checking => Phase::Checking,
            SessionState::SignedIn(_) => Phase::SignedIn,
            SessionState::SignedOut => Phase::SignedOut,
            SessionState::Unavailable(_) => Phase::Unavailable,
        })
    });
    let unavailable_error = move || match session.0.get() {
        SessionState::Unavailable(e) => e,
        _ => ClientError::Network,
    };

    view! {
        <div class="support-app">
            <Router base=config.base.clone()>
                <Shell standalone=config.standalone />
                <main id="support-main" class="sa-main" tabindex="-1">
                    {move || match phase.get() {
                        Phase::Checking => view! { <PageSkeleton /> }.into_any(),
                        Phase::SignedOut => view! { <SignIn /> }.into_any(),
                        Phase::Unavailable => {
                            view! {
                                <ErrorPanel
                                    error=unavailable_error()
                                    retry=Callback::new(move |_| check_session())
                                />
                            }
                                .into_any()
                        }
                        Phase::SignedIn => view! { <AppRoutes /> }.into_any(),
                    }}
                </main>
            </Router>
        </div>
    }
}

/// Every page, by path (see [`routes`]).
#[component]
fn AppRoutes() -> impl IntoView {
    use routes::path;
    view! {
        <Routes fallback=NotFound>
            <Route path=path::root() view=|| view! { <Redirect path=routes::support() /> } />
            <Route path=path::support() view=SupportPage />
            <Route path=path::upgrade() view=UpgradePage />
            <Route path=path::tickets() view=TicketsPage />
            <Route path=path::new_ticket() view=NewTicketPage />
            <Route path=path::ticket() view=TicketPage />
        </Routes>
    }
}
