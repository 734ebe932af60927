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

impl Placeholder {
    /// `view` framed as this placeholder's page: in a page of its own for [`Placeholder::OwnPage`].
    fn frame(self, view: AnyView) -> AnyView {
        match self {
            Placeholder::InPage(_) => view,
            Placeholder::OwnPage(_) => view! { <div class="sa-page">{view}</div> }.into_any(),
        }
    }

    /// The grey blocks.
    pub fn skeleton(self) -> AnyView {
        let (Placeholder::InPage(cards) | Placeholder::OwnPage(cards)) = self;
        self.frame(view! { <PageSkeleton cards=cards /> }.into_any())
    }
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
    view! {
        <Transition fallback=move || placeholder.skeleton()>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(data) => children(data).into_any(),
                        Err(error) => {
                            placeholder.frame(
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
