//! The pages that load on demand: each is a split point (`#[lazy]`), so its code lives in a wasm chunk of
//! its own that the browser fetches the first time the user goes there. The Support page stays in the main
//! module, so a first visit of /support downloads only what it needs (issue 13; sizes in
//! `scripts/check-size.sh`, the build step in `scripts/wasm-split.sh`).
//!
//! `#[lazy]` on wasm makes each function below fetch and instantiate its chunk, then call into it; on other
//! targets it calls the function directly. A build that links one of these functions
//! must be split by `wasm-split-cli` before wasm-bindgen (Trunk's post-build hook does that), or the
//! module imports `__wasm_split_placeholder__`, which no browser resolves.

use leptos::prelude::*;

use super::{NewTicketPage, TicketPage, TicketsPage, UpgradePage};
use crate::components::PageSkeleton;

// Each function renders its page inside the chunk: the page's view code, and whatever only that page
// uses, moves into the chunk with it. Under `cfg(eager_pages)` (builds with debug assertions, see build.rs)
// they are plain async functions and nothing is split.

#[cfg_attr(not(eager_pages), leptos::lazy)]
async fn upgrade_chunk() -> AnyView {
    view! { <UpgradePage /> }.into_any()
}

#[cfg_attr(not(eager_pages), leptos::lazy)]
async fn tickets_chunk() -> AnyView {
    view! { <TicketsPage /> }.into_any()
}

#[cfg_attr(not(eager_pages), leptos::lazy)]
async fn new_ticket_chunk() -> AnyView {
    view! { <NewTicketPage /> }.into_any()
}

#[cfg_attr(not(eager_pages), leptos::lazy)]
async fn ticket_chunk() -> AnyView {
    view! { <TicketPage /> }.into_any()
}

/// Shows the page skeleton until `page` (a chunk's function) has loaded and rendered.
fn on_demand<F>(page: F) -> impl IntoView
where
    F: Future<Output = AnyView> + Send + 'static,
{
    view! { <Suspense fallback=|| view! { <PageSkeleton /> }>{Suspend::new(page)}</Suspense> }
}

/// The upgrade wizard, loaded on demand.
#[component]
pub fn LazyUpgradePage() -> impl IntoView {
    on_demand(upgrade_chunk())
}

/// My tickets, loaded on demand.
#[component]
pub fn LazyTicketsPage() -> impl IntoView {
    on_demand(tickets_chunk())
}

/// The create-ticket form, loaded on demand.
#[component]
pub fn LazyNewTicketPage() -> impl IntoView {
    on_demand(new_ticket_chunk())
}

/// One ticket's page, loaded on demand.
#[component]
pub fn LazyTicketPage() -> impl IntoView {
    on_demand(ticket_chunk())
}
