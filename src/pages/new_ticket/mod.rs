//! The Create ticket form, in the documentation's order: CC, Subject, Severity, optional projects and
//! services, Product and reason, Description, optional files, Create ticket.
//!
//! Nothing typed is ever lost: the form is a draft in localStorage (per user and organization) from the
//! first keystroke until the server confirms the ticket, so a reload, a crash, an expired session or a
//! failed request all come back to the same text. The draft carries the idempotency key it was started
//! with, so sending it again after an unclear failure can never create a second ticket.

mod choices;
mod draft;
mod form;
mod resources;

use crate::router::use_query_map;
use leptos::prelude::*;

use crate::api::{ApiClient, ClientError, abort_on_cleanup};
use crate::components::{Breadcrumb, Placeholder, loaded, next_task, set_document_title};
use crate::session::Session;
use form::TicketForm;

/// What stands in for the form while its options load, and while it is drawn.
const PLACEHOLDER: Placeholder = Placeholder::InPage(3);

#[component]
pub fn NewTicketPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let client = expect_context::<ApiClient>();
    set_document_title("Create ticket");

    let me = session.me();
    let org_id = me.as_ref().map(|me| me.organization.id);
    let query = use_query_map();
    let follow_up = query
        .read_untracked()
        .get("follow_up")
        .and_then(|id| id.parse::<i64>().ok());
    let options = LocalResource::new(move || async move {
        let signal = abort_on_cleanup();
        let org = org_id.ok_or(ClientError::Unauthenticated)?;
        let options = client.ticket_options(org, signal).await;
        // Drawn in a task of its own (see the ticket list's).
        next_task().await;
        options
    });

    view! {
        <div class="sa-page sa-narrow">
            <Breadcrumb tickets=true />
            <h1>"Create ticket"</h1>
            {loaded(options, PLACEHOLDER, move |options| match me.clone() {
                Some(me) if options.tier_name.is_some() => {
                    view! { <TicketForm options=options me=me follow_up=follow_up /> }.into_any()
                }
                _ => view! { <NoTier forum_url=options.forum_url /> }.into_any(),
            })}
        </div>
    }
}

/// Organizations on free services have no support tier and get help in the community forum.
#[component]
fn NoTier(forum_url: String) -> impl IntoView {
    view! {
        <div class="sa-panel">
            <p>
                "Your organization runs only free services, so it has no support tier and cannot open tickets. Ask in the "
                <a href=forum_url>"community forum"</a> ", or upgrade to a paid plan to get support."
            </p>
        </div>
    }
}
