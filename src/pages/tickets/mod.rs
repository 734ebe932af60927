//! My tickets, the Support Center's home: the tickets the user submitted or is CCed on, with filters,
//! search, sort and pages; admins also get Tickets in my organization and Follow all tickets.
//!
//! The whole view lives in the URL (`?scope=organization&status=open&q=timeout&sort=created&after=…`), so
//! a link or a reload shows the same tickets. The list polls with an ETag and updates in place when a
//! ticket changes.

mod filters;
mod list;

use crate::router::A;
use crate::router::NavigateOptions;
use crate::router::use_query_map;
use api::{Role, TicketList, TicketListQuery, TicketScope};
use leptos::prelude::*;

use crate::api::{ApiClient, ApiResult, ClientError, abort_on_cleanup};
use crate::components::{
    Breadcrumb, EtagPoll, Placeholder, Stages, loaded, next_task, set_document_title,
};
use crate::routes::{self, Navigator};
use crate::session::Session;
use filters::filters;
use list::{Follow, ListBody, empty_list};

/// How often the list asks whether anything changed.
const POLL_MS: u64 = 15_000;

/// Where the list for `query` is: the URL of this page with the query's parameters.
fn list_href(query: &TicketListQuery) -> String {
    let qs = query.to_query_string();
    if qs.is_empty() {
        routes::tickets()
    } else {
        format!("{}?{qs}", routes::tickets())
    }
}

/// The list's URL, which holds its query: read it, or change it (filters and search start again from
/// the first page).
#[derive(Clone, Copy)]
struct ListUrl {
    query: Memo<TicketListQuery>,
    navigate: Navigator,
}

impl ListUrl {
    fn change(&self, change: impl FnOnce(&mut TicketListQuery), replace: bool) {
        // (A late timer may run after the page is gone: then there is nothing to update.)
        let Some(mut q) = self.query.try_get_untracked() else {
            return;
        };
        q.after = None;
        q.before = None;
        change(&mut q);
        let url = list_href(&q);
        self.navigate.go(
            &url,
            NavigateOptions {
                replace,
                scroll: false,
            },
        );
    }
}

#[component]
pub fn TicketsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let params = use_query_map();

    let me = session.me();
    let org_id = me.as_ref().map(|me| me.organization.id);
    let is_admin = me.as_ref().is_some_and(|me| me.role == Role::Admin);
    let query = Memo::new(move |_| {
        let mut q = TicketListQuery::from_pairs(params.read().pairs());
        // Members have no organization tab; an old link must not show them an error.
        if !is_admin {
            q.scope = TicketScope::Mine;
        }
        q
    });
    let url = ListUrl {
        query,
        navigate: Navigator::new(),
    };
    let title = move || match query.read().scope {
        TicketScope::Mine => "My tickets",
        TicketScope::Organization => "Tickets in my organization",
    };
    Effect::new(move |_| set_document_title(title()));

    let (tickets, polled) = load_list(query, org_id);
    let services_url = support_services_url(org_id);
    let search = RwSignal::new(query.get_untracked().q.unwrap_or_default());
    let follow = Follow::new(org_id);
    let on_clear = Callback::new(move |()| {
        search.set(String::new());
        url.change(
            |q| {
                q.status = None;
                q.severity = None;
                q.q = None;
            },
            false,
        );
    });

    // In two tasks, shown at once (see Stages): with a 4x slower CPU the page drawn at once, when its chunk
    // came, made a task of 51-66 ms.
    let stages = Stages::new(2);
    let page = view! {
        <div class="sa-page">
            <Breadcrumb />
            <div class="sa-page-header">
                <h1>{title}</h1>
                <A href=routes::href(&routes::new_ticket())>
                    <span class="sa-button sa-button-primary">"Create ticket"</span>
                </A>
            </div>
            <p class="sa-lead">
                {move || match services_url.get() {
                    Some(href) => view! { <a href=href>"Response times"</a> }.into_any(),
                    // Until the configured page is known (or if it cannot be), the words without a link.
                    None => "Response times".into_any(),
                }}
                " vary by case severity and support tier."
            </p>
            {is_admin.then(|| scope_tabs(query))}
            {stages.at(2, move || view! {
                {filters(url, search)}
                {move || follow.error.get().map(|m| view! { <p class="sa-banner sa-banner-error" role="alert">{m}</p> })}
                {loaded(tickets, Placeholder::InPage(1), move |loaded| {
                    // A newer copy found by polling updates this view in place (it is read here only by
                    // the memo, not by this closure), so focus, scroll and typing stay where they are.
                    let list = Memo::new(move |_| polled.get().unwrap_or_else(|| loaded.clone()));
                    Effect::new(move |_| follow.seen(list.read().following));
                    view! { <ListBody list=list query=query.get_untracked() follow=follow on_clear=on_clear /> }
                })}
            })}
        </div>
    };
    // The grey blocks the page's chunk showed while it loaded (pages/on_demand.rs).
    stages.page(Placeholder::InPage(2), page.into_any())
}

/// The list for `query`, and a newer copy found by polling, which replaces what was loaded until the
/// query changes.
fn load_list(
    query: Memo<TicketListQuery>,
    org_id: Option<i64>,
) -> (
    LocalResource<ApiResult<TicketList>>,
    RwSignal<Option<TicketList>>,
) {
    let client = expect_context::<ApiClient>();
    let polled = RwSignal::new(None::<TicketList>);
    let poll = EtagPoll::new(None);
    poll.start(
        std::time::Duration::from_millis(POLL_MS),
        move |etag, signal| {
            let q = query.get_untracked();
            async move {
                let org = org_id.ok_or(ClientError::Unauthenticated)?;
                client.tickets(org, &q, etag.as_deref(), signal).await
            }
        },
        move |list| polled.set(Some(list)),
    );
    Effect::new(move |_| {
        query.track();
        polled.set(None);
        poll.invalidate();
    });
    let tickets = LocalResource::new(move || {
        let q = query.get();
        async move {
            let signal = abort_on_cleanup();
            let org = org_id.ok_or(ClientError::Unauthenticated)?;
            let fresh = client.tickets(org, &q, None, signal).await?;
            // Drawn in a task of its own, not in the one that read the answer (or, when the page asked
            // for it before the wasm had loaded, in the one that drew the page): see Stages.
            next_task().await;
            Ok(fresh.map_or_else(empty_list, |(list, etag)| {
                poll.seen(etag);
                list
            }))
        }
    });
    (tickets, polled)
}

/// My tickets and Tickets in my organization (admins). Plain links: the router's `<A>` marks a link as
/// current only when the whole address matches, and the current tab is the scope, whatever the filters.
fn scope_tabs(query: Memo<TicketListQuery>) -> impl IntoView {
    let tab = move |scope: TicketScope, label: &'static str| {
        let href = routes::href(&list_href(&TicketListQuery {
            scope,
            ..Default::default()
        }));
        view! {
            <a href=href class="sa-tab" aria-current=move || (query.read().scope == scope).then_some("page")>
                {label}
            </a>
        }
    };
    view! {
        <nav class="sa-tabs" aria-label="Ticket lists">
            {tab(TicketScope::Mine, "My tickets")}
            {tab(TicketScope::Organization, "Tickets in my organization")}
        </nav>
    }
}

/// The configured page that describes the support tiers (`--support-services-url`), which the
/// documentation links from "Response times" on My tickets; `None` while loading or on failure. (A
/// signal set by a task, not a resource: nothing waits for it, and it is smaller in the bundle.)
fn support_services_url(org_id: Option<i64>) -> RwSignal<Option<String>> {
    let client = expect_context::<ApiClient>();
    let url = RwSignal::new(None);
    if let Some(org) = org_id {
        // Taken here, in the page's scope: leaving the page cancels the request.
        let signal = abort_on_cleanup();
        leptos::task::spawn_local(async move {
            if let Ok(status) = client.support_status(org, signal).await {
                // (The page may be gone by then.)
                url.try_set(Some(status.links.support_services));
            }
        });
    }
    url
}
