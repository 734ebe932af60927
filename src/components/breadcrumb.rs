use crate::router::A;
use leptos::prelude::*;

use crate::routes;

/// The way back: the Support page and, below it, My tickets.
#[component]
pub fn Breadcrumb(
    /// Whether the page sits below My tickets.
    #[prop(optional)]
    tickets: bool,
) -> impl IntoView {
    view! {
        <nav class="sa-breadcrumb" aria-label="Breadcrumb">
            <A href=routes::href(&routes::support())>"Support"</A>
            {tickets.then(|| view! { " / " <A href=routes::href(&routes::tickets())>"My tickets"</A> })}
        </nav>
    }
}
