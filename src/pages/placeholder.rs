use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::set_document_title;
use crate::routes;

/// The Support Center routes exist (links and bookmarks resolve) but their screens ship in later
/// releases; until then the page says so plainly and offers the way back.
#[component]
pub fn TicketsPlaceholder(title: &'static str) -> impl IntoView {
    set_document_title(title);
    view! {
        <div class="sa-page">
            <h1>{title}</h1>
            <div class="sa-panel">
                <p>"This part of the Support Center is not available yet."</p>
                <p>
                    <A href=routes::support()>"Back to Support"</A>
                </p>
            </div>
        </div>
    }
}
