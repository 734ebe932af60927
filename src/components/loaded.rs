use leptos::prelude::*;

use super::{ErrorPanel, PageSkeleton};
use crate::api::ApiResult;

/// Data from the server, shown by `children` once it is there: grey blocks in the page's shape while it
/// loads, and the [`ErrorPanel`] with Try again (which loads it again) when it failed.
#[component]
pub fn Loaded<T, F, V>(
    resource: LocalResource<ApiResult<T>>,
    /// How many card-sized blocks the skeleton shows.
    #[prop(default = 2)]
    cards: usize,
    /// Puts the skeleton and the error in a page of their own, for views that draw their own page.
    #[prop(optional)]
    page: bool,
    children: F,
) -> impl IntoView
where
    T: Clone + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let framed = move |view: AnyView| {
        if page {
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
