//! The pages that load on demand: each is a split point, so its code lives in a wasm chunk of its own that the
//! browser fetches the first time the user goes there. The Support page stays in the main module, so a first
//! visit of /support downloads only what it needs (issue 13; sizes in `scripts/check-size.sh`, the build step in
//! `scripts/wasm-split.sh`).
//!
//! A split point on wasm fetches and instantiates its chunk, then calls into it; on other targets it calls the
//! function directly. A build that links one of these functions must be split by `wasm-split-cli` before
//! wasm-bindgen (Trunk's post-build hook does that), or the module imports `__wasm_split_placeholder__`, which no
//! browser resolves.
//!
//! **A chunk that fails to load.** Leptos' `#[lazy]` expands to `wasm_split` *without* its `fallible` option,
//! so a failed fetch reaches `.expect("load callback should succeed")`: a panic, and with `panic = "abort"` the
//! whole app stops. Here the split points use `leptos::wasm_split::wasm_split` (the same macro `#[lazy]` calls)
//! directly, with `fallible`: the load failure comes back as `Err(SplitLoaderError)` (converted to
//! [`ClientError::Network`] by `?`), and [`on_demand`] shows the [`ErrorPanel`] in the page area with
//! Try again. Retrying needs nothing more: neither side caches a failure (the loader's `makeLoad` in
//! `__wasm_split.js` keeps only a successful load's promise, and `wasm_split_helpers`' `ensure_loaded` leaves
//! its cell empty on `Err`), so calling the function again fetches the chunk, and any shared chunk that
//! failed, again; the shared chunks that did load are not fetched twice.

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;

use super::{NewTicketPage, SignIn, TicketPage, TicketsPage, UpgradePage};
use crate::api::ClientError;
use crate::components::{ErrorPanel, PageSkeleton};

/// A chunk that did not arrive is a server the browser could not reach: the panel says so and offers Try again.
impl From<SplitLoaderError> for ClientError {
    fn from(_: SplitLoaderError) -> Self {
        // The loader has already logged the cause (the failed fetch or instantiation) to the console.
        ClientError::Network
    }
}

// Each function renders its page inside the chunk: the page's view code, and whatever only that page uses, moves
// into the chunk with it. The first argument names the chunk (`split_<name>-<hash>.wasm`, checked by
// scripts/check-size.sh). Under `cfg(eager_pages)` (builds with debug assertions, see build.rs) they are plain
// async functions and nothing is split.
macro_rules! page_chunk {
    ($name:ident, $page:ident) => {
        #[cfg(not(eager_pages))]
        #[leptos::wasm_split::wasm_split($name, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $name() -> Result<AnyView, ClientError> {
            Ok(view! { <$page /> }.into_any())
        }

        #[cfg(eager_pages)]
        async fn $name() -> Result<AnyView, ClientError> {
            Ok(view! { <$page /> }.into_any())
        }
    };
}

page_chunk!(upgrade_chunk, UpgradePage);
page_chunk!(tickets_chunk, TicketsPage);
page_chunk!(new_ticket_chunk, NewTicketPage);
page_chunk!(ticket_chunk, TicketPage);
page_chunk!(sign_in_chunk, SignIn);

/// Shows the page skeleton until `load` (a chunk's function) has loaded and rendered the page; if the chunk
/// could not be loaded, the [`ErrorPanel`] in the page's place (the header and navigation stay usable), whose
/// Try again calls `load` again.
fn on_demand<F, Fut>(load: F) -> impl IntoView
where
    F: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<AnyView, ClientError>> + Send + 'static,
{
    let retry = Trigger::new();
    view! {
        <Suspense fallback=|| view! { <PageSkeleton /> }>
            {move || {
                retry.track();
                Suspend::new(async move {
                    load()
                        .await
                        .unwrap_or_else(|error| {
                            view! {
                                <div class="sa-page">
                                    <ErrorPanel error=error retry=Callback::new(move |_| retry.notify()) />
                                </div>
                            }
                                .into_any()
                        })
                })
            }}
        </Suspense>
    }
}

/// The upgrade wizard, loaded on demand.
#[component]
pub fn LazyUpgradePage() -> impl IntoView {
    on_demand(upgrade_chunk)
}

/// My tickets, loaded on demand.
#[component]
pub fn LazyTicketsPage() -> impl IntoView {
    on_demand(tickets_chunk)
}

/// The create-ticket form, loaded on demand.
#[component]
pub fn LazyNewTicketPage() -> impl IntoView {
    on_demand(new_ticket_chunk)
}

/// One ticket's page, loaded on demand.
#[component]
pub fn LazyTicketPage() -> impl IntoView {
    on_demand(ticket_chunk)
}

/// The sign-in form, loaded on demand: a signed-in visit (every visit inside the console, and most standalone
/// ones) never needs it, nor the form kit it brings (fields, error summary, email syntax).
#[component]
pub fn LazySignIn() -> impl IntoView {
    on_demand(sign_in_chunk)
}
