//! One ticket: its status and facts, the CC list, and the conversation, with Add to conversation.
//!
//! The page polls the ticket with an ETag, so replies from the support team appear without a reload. New
//! entries never move what the user is typing: while the comment box has text they wait behind a
//! "Show new replies" notice.

mod cc_list;
mod comment_form;
mod conversation;
mod facts;
mod header;
mod state;

use api::Ticket;
use leptos::prelude::*;

use crate::api::{ApiClient, ClientError, abort_on_cleanup};
use crate::components::{
    Breadcrumb, EtagPoll, Placeholder, Stages, focus_by_id, loaded, next_task, set_document_title,
};
use crate::pages::NotFound;
use crate::router::{use_query_map, use_router};
use crate::routes;
use crate::session::Session;
use cc_list::cc_list;
use comment_form::add_to_conversation;
use conversation::conversation;
use facts::facts;
use header::header;
use state::TicketState;

/// What stands in for the page while its ticket loads, and while the page is drawn.
const PLACEHOLDER: Placeholder = Placeholder::OwnPage(2);

/// How often an open ticket page asks whether anything changed.
const POLL_MS: u64 = 5_000;

#[component]
pub fn TicketPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let client = expect_context::<ApiClient>();
    let router = use_router();
    let base = router.base();
    let query = use_query_map();
    let org_id = session.me().map(|me| me.organization.id);

    let ticket_id = Memo::new(move |_| routes::ticket_id(&base, &router.path().read()));
    // `None`: there is no such ticket for this user (a 404 never says which).
    let just_created = move || query.read_untracked().get("created").is_some();
    let ticket = LocalResource::new(move || {
        let id = ticket_id.get();
        async move {
            let signal = abort_on_cleanup();
            let org = org_id.ok_or(ClientError::Unauthenticated)?;
            let Some(id) = id else { return Ok(None) };
            let (ticket, etag) = match client.ticket(org, id, signal.clone()).await {
                Ok(found) => found,
                Err(e) if e.is_not_found() => return Ok(None),
                Err(e) => return Err(e),
            };
            // Drawn in a task of its own: with a 4x slower CPU, reading a ticket with 200 comments took
            // 10-15 ms, in the task that then drew the page (see the ticket list's).
            next_task().await;
            // Right after creation the confirmation says whether the account team was told too: the
            // server emails it on tiers above Basic that have one, exactly when the Support status
            // names an account team. Asked before showing the page, so the focused confirmation does
            // not grow under a screen reader; if it fails, the page shows without that sentence.
            let created = if just_created() {
                Some(Created {
                    account_team_notified: client
                        .support_status(org, signal)
                        .await
                        .is_ok_and(|s| s.account_team_email.is_some()),
                })
            } else {
                None
            };
            Ok(Some((ticket, etag, created)))
        }
    });

    view! {
        {loaded(ticket, PLACEHOLDER, move |found| match found {
            Some((t, etag, created)) => {
                set_document_title(&format!("#{} {}", t.id, t.subject));
                view! { <TicketView ticket=t etag=etag created=created /> }.into_any()
            }
            None => view! { <NotFound /> }.into_any(),
        })}
    }
}

/// What the confirmation after Create ticket says beyond the ticket itself.
#[derive(Clone, Copy)]
struct Created {
    /// The organization's account team got the new-ticket email too (paid tiers above Basic).
    account_team_notified: bool,
}

/// What a failed status or CC change says, next to its button: what did not happen, then the
/// server's reason (past an abuse limit: which limit was reached and when to try again).
fn failed(what: &str, error: &ClientError) -> String {
    format!("{what} {}", error.message())
}

#[component]
fn TicketView(ticket: Ticket, etag: Option<String>, created: Option<Created>) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let me = expect_context::<Session>().me();
    let org_id = me.as_ref().map(|m| m.organization.id).unwrap_or_default();
    let ticket_id = ticket.id;
    let cced = !ticket.cc.is_empty();
    let state = TicketState {
        org_id,
        ticket_id,
        current: RwSignal::new(ticket),
        waiting: RwSignal::new(None),
        announcement: RwSignal::new(String::new()),
        status_error: RwSignal::new(None),
        cc_error: RwSignal::new(None),
        typing: RwSignal::new(false),
        my_name: StoredValue::new(me.map(|m| m.user.name).unwrap_or_default()),
        poll: EtagPoll::new(etag),
    };
    state.poll.start(
        std::time::Duration::from_millis(POLL_MS),
        move |etag, signal| async move {
            client
                .ticket_if_changed(org_id, ticket_id, etag.as_deref(), signal)
                .await
        },
        move |fresh| state.offer(fresh),
    );

    // In two tasks (see Stages): with a 4x slower CPU the whole page was one task of 54-111 ms.
    let stages = Stages::new(2);
    let page = view! {
        <div class="sa-page sa-narrow">
            <Breadcrumb tickets=true />
            {created.map(|created| created_callout(ticket_id, cced, created))}
            <p class="sa-visually-hidden" role="status" aria-live="polite">{move || state.announcement.get()}</p>
            {header(state)}
            {facts(state.current)}
            {cc_list(state)}
            {stages.at(2, move || {
                // The page shows from this stage on: the confirmation can take the focus.
                if created.is_some() {
                    focus_by_id("ticket-created");
                }
                view! {
                    {conversation(state)}
                    {add_to_conversation(state)}
                }
            })}
        </div>
    };
    stages.page(PLACEHOLDER, page.into_any())
}

/// "Ticket created", where Create ticket leads (it takes the focus once the page shows).
fn created_callout(ticket_id: i64, cced: bool, created: Created) -> impl IntoView {
    view! {
        <div id="ticket-created" class="sa-callout sa-callout-success" role="status" tabindex="-1">
            <h2>"Ticket created"</h2>
            <p>
                {format!("Your ticket #{ticket_id} was created. We sent a confirmation to you")}
                {if cced { " and the people you CCed." } else { "." }}
                {created
                    .account_team_notified
                    .then_some(" As you are on a paid support tier, your account team was also notified.")}
                " You can follow it here and on the My tickets page."
            </p>
        </div>
    }
}
