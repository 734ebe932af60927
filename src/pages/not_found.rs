use crate::router::A;
use leptos::prelude::*;

use crate::components::set_document_title;
use crate::routes;

/// Any path the app does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    set_document_title("Page not found");
    view! {
        <div class="sa-page">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. It may have moved, or the link may be mistyped."</p>
            <p>
                <A href=routes::href(&routes::support())>"Go to the Support page"</A>
            </p>
        </div>
    }
}
