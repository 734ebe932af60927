use leptos::prelude::*;

use super::{ErrorPanel, PageSkeleton};
use crate::api::ApiResult;

/// What stands in for a page's data while it loads or when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// This many grey card-sized blocks inside the page.
    InPage(usize),
    /// This many blocks in a page of their own, for views that draw their own page.
    OwnPage(usize),
}

/// Data from the server, shown by `children` once it is there: grey blocks in the page's shape while it
/// loads, and the [`ErrorPanel`] with Try again (which loads it again) when it failed.
///
/// A function, not a component: each component is erased to its own `AnyView` type (see
/// `.cargo/config.toml`), and with one instance per page that glue cost 210 B of the bundle.
pub fn loaded<T, F, V>(
    resource: LocalResource<ApiResult<T>>,
    placeholder: Placeholder,
    children: F,
) -> impl IntoView
where
    T: Clone + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let (cards, own_page) = match placeholder {
        Placeholder::InPage(cards) => (cards, false),
        Placeholder::OwnPage(cards) => (cards, true),
    };
    let framed = move |view: AnyView| {
        if own_page {
            view! { <div class="sa-page">{view}</div> }.into_any()
        } else {
            view
        }
    };
    view! {
        <Transition fallback=move || framed(view! { <PageSkeleton cards=cards /> }.into_any())>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(data) => children(data).into_any(),
                        Err(error) => {
                            framed(
                                view! { <ErrorPanel error=error retry=Callback::new(move |_| resource.refetch()) /> }
                                    .into_any(),
                            )
                        }
                    }
                })
            }}
        </Transition>
    }
}
