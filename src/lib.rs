//! The Support section of the cloud console: a Leptos single-page app.
//!
//! Loading the bundle mounts nothing. The standalone `index.html` calls `mount` (own header, sign-in
//! and tab title); the console calls `mount(element, options)` or uses the `<support-center>` element
//! (see [`embed`]). Embedded, the app lives in a shadow root of its element, so the console's styles and
//! ours never meet; every style is also scoped to the `.support-app` root, which is all there is
//! standalone.

pub mod api;
pub mod components;
pub mod embed;
mod json;
pub mod pages;
pub mod router;
pub mod routes;
pub mod session;
pub mod storage;

use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;

use crate::api::{ApiClient, Auth, ClientError};
use crate::components::{ErrorPanel, PageSkeleton, RouteFocus, Shell};
use crate::embed::{Embedding, HostBridge};
use crate::pages::{
    LazyNewTicketPage, LazySignIn, LazyTicketPage, LazyTicketsPage, LazyUpgradePage, NotFound,
    SignedOut, SupportPage,
};
use crate::router::{Router, use_router};
use crate::routes::Route;
use crate::session::{Session, SessionState};

/// Where the app is mounted and where its API lives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppConfig {
    /// The router's base: the Support page's path, e.g. `/org/acme/support` inside the console,
    /// `/support` standalone; every other page is under it.
    pub base: String,
    /// URL prefix of the API, e.g. `https://api.example.com`; empty for same origin.
    pub api_base: String,
    /// Whether to draw our own header and sign-in form (the console has its own when it embeds us).
    pub standalone: bool,
    /// The product name: the standalone header shows it, the embedded app's region is labelled with it.
    pub brand: Option<String>,
    /// Whether pages set `document.title` (standalone, or when the host asks for it).
    pub manage_title: bool,
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
pub fn App(
    config: AppConfig,
    /// The page that mounted the app (none in component tests).
    #[prop(optional)]
    embedding: Embedding,
) -> impl IntoView {
    let session = Session::new();
    let auth = embedding.auth.clone().unwrap_or_else(Auth::cookie);
    let mut client = ApiClient::new(&config.api_base, Callback::new(move |()| session.expire()))
        .with_auth(auth.clone());
    if let Some(early) = &embedding.early {
        client = client.with_early(js_sys::Object::clone(early));
    }
    // Aborted on unmount: no request of ours outlives the app.
    if let Ok(lifetime) = web_sys::AbortController::new() {
        client = client.with_lifetime(lifetime.signal());
        let lifetime = SendWrapper::new(lifetime);
        on_cleanup(move || lifetime.abort());
    }
    provide_context(session);
    provide_context(client);
    provide_context(config.clone());
    provide_context(embedding.host.clone());
    provide_context(embedding.clone());

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
    // Token mode: the host is asked for a token whenever there is none, and a new one while signed
    // out checks the session again.
    let host = embedding.host.clone();
    auth.connect(
        Rc::new(move || host.token_expired()),
        Rc::new(move || {
            if session.0.try_get_untracked() == Some(SessionState::SignedOut) {
                check_session();
            }
        }),
    );
    {
        let auth = auth.clone();
        on_cleanup(move || auth.close());
    }
    if auth.is_token_mode() && auth.current().is_none() {
        session.0.set(SessionState::SignedOut);
    } else {
        check_session();
    }

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

    let main = NodeRef::new();
    view! {
        <div
            class="support-app"
            role=config.brand.is_some().then_some("region")
            aria-label=config.brand.clone()
        >
            <Router base=config.base.clone()>
                <HostBridge />
                <Shell standalone=config.standalone />
                <RouteFocus
                    main=main
                    signed_in=Signal::derive(move || match phase.get() {
                        Phase::Checking => None,
                        phase => Some(phase == Phase::SignedIn),
                    })
                />
                <main id="support-main" class="sa-main" tabindex="-1" node_ref=main>
                    {move || match phase.get() {
                        Phase::Checking => view! { <PageSkeleton /> }.into_any(),
                        Phase::SignedOut if config.standalone => view! { <LazySignIn /> }.into_any(),
                        Phase::SignedOut => view! { <SignedOut /> }.into_any(),
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

/// Every page, by path (see [`routes`]). A new page is drawn only when the route changes: going from one
/// ticket to another keeps the ticket page, which follows the id in the address.
#[component]
fn AppRoutes() -> impl IntoView {
    let router = use_router();
    let base = router.base();
    let route = Memo::new(move |_| Route::of(&base, &router.path().read()));
    move || match route.get() {
        Route::Support => view! { <SupportPage /> }.into_any(),
        Route::Upgrade => view! { <LazyUpgradePage /> }.into_any(),
        Route::Tickets => view! { <LazyTicketsPage /> }.into_any(),
        Route::NewTicket => view! { <LazyNewTicketPage /> }.into_any(),
        Route::Ticket => view! { <LazyTicketPage /> }.into_any(),
        Route::NotFound => view! { <NotFound /> }.into_any(),
    }
}
