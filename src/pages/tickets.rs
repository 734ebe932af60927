//! My tickets, the Support Center's home: the tickets the user submitted or is CCed on, with filters,
//! search, sort and pages; admins also get Tickets in my organization and Follow all tickets.
//!
//! The whole view lives in the URL (`?scope=organization&status=open&q=timeout&sort=created&after=…`), so
//! a link or a reload shows the same tickets. The list polls with an ETag and updates in place when a
//! ticket changes.

use api::{
    Role, Severity, TicketList, TicketListItem, TicketListQuery, TicketScope, TicketSort,
    TicketStatus,
};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::{ApiClient, ClientError, abort_on_cleanup, list_query};
use crate::components::{ErrorPanel, PageSkeleton, local_date_time, set_document_title};
use crate::routes;
use crate::session::Session;

/// How often the list asks whether anything changed.
const POLL_MS: u64 = 15_000;

const STATUSES: [TicketStatus; 4] = [
    TicketStatus::Open,
    TicketStatus::AwaitingCustomer,
    TicketStatus::Solved,
    TicketStatus::Closed,
];

/// The list query the URL describes.
fn query_from_url(params: &leptos_router::params::ParamsMap) -> TicketListQuery {
    let get = |key: &str| params.get(key).filter(|v| !v.is_empty());
    TicketListQuery {
        scope: match get("scope").as_deref() {
            Some("organization") => TicketScope::Organization,
            _ => TicketScope::Mine,
        },
        status: get("status").and_then(|s| TicketStatus::parse(&s)),
        severity: get("severity").and_then(|s| Severity::parse(&s)),
        q: get("q"),
        sort: match get("sort").as_deref() {
            Some("created") => TicketSort::Created,
            _ => TicketSort::Updated,
        },
        after: get("after"),
        before: get("before"),
        limit: None,
    }
}

#[component]
pub fn TicketsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let client = expect_context::<ApiClient>();
    let navigate = use_navigate();
    let params = use_query_map();

    let me = session.me();
    let org_id = me.as_ref().map(|me| me.organization.id);
    let is_admin = me.as_ref().is_some_and(|me| me.role == Role::Admin);
    let query = Memo::new(move |_| {
        let mut q = query_from_url(&params.read());
        // Members have no organization tab; an old link must not show them an error.
        if !is_admin {
            q.scope = TicketScope::Mine;
        }
        q
    });
    let title = move || match query.read().scope {
        TicketScope::Mine => "My tickets",
        TicketScope::Organization => "Tickets in my organization",
    };
    Effect::new(move |_| set_document_title(title()));

    let tickets = LocalResource::new(move || {
        let q = query.get();
        async move {
            let signal = abort_on_cleanup();
            match org_id {
                Some(id) => client.tickets(id, &q, None, signal).await,
                None => Err(ClientError::Unauthenticated),
            }
        }
    });
    // A newer copy found by polling replaces what the resource loaded, until the query changes.
    let polled = RwSignal::new(None::<(TicketList, Option<String>)>);
    Effect::new(move |_| {
        query.track();
        polled.set(None);
    });
    let poll = move || {
        let Some(org) = org_id else { return };
        let etag = polled
            .with_untracked(|p| p.as_ref().and_then(|(_, e)| e.clone()))
            .or_else(|| {
                tickets
                    .get_untracked()
                    .and_then(|r| r.ok().flatten().and_then(|(_, e)| e))
            });
        let q = query.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(Some(fresh)) = client.tickets(org, &q, etag.as_deref(), None).await
                && query.try_get_untracked().as_ref() == Some(&q)
            {
                polled.try_set(Some(fresh));
            }
        });
    };
    if let Ok(handle) = set_interval_with_handle(poll, std::time::Duration::from_millis(POLL_MS)) {
        on_cleanup(move || handle.clear());
    }

    // Writes `change` into the URL; filters and search start again from the first page.
    let go = {
        let navigate = navigate.clone();
        move |change: &dyn Fn(&mut TicketListQuery), replace: bool| {
            let Some(mut q) = query.try_get_untracked() else {
                return;
            };
            q.after = None;
            q.before = None;
            change(&mut q);
            let qs = list_query(&q);
            let url = if qs.is_empty() {
                routes::tickets()
            } else {
                format!("{}?{qs}", routes::tickets())
            };
            navigate(
                &url,
                NavigateOptions {
                    replace,
                    scroll: false,
                    ..Default::default()
                },
            );
        }
    };
    let go = StoredValue::new_local(go);
    let set = move |change: &dyn Fn(&mut TicketListQuery), replace: bool| {
        // (A late timer may run after the page is gone: then there is nothing to update.)
        go.try_with_value(|go| go(change, replace));
    };

    // Search: the box is ours while typing; the URL follows a moment later.
    let search = RwSignal::new(query.get_untracked().q.unwrap_or_default());
    let search_timer = StoredValue::new(None::<TimeoutHandle>);
    // True from a keystroke until its search is in the URL: then the box is ahead of the URL.
    let search_pending = StoredValue::new(false);
    on_cleanup(move || {
        if let Some(h) = search_timer.try_update_value(Option::take).flatten() {
            h.clear();
        }
    });
    // The box follows the URL when it changes from elsewhere (a tab, Clear filters, back and forward).
    Effect::new(move |_| {
        let q = query.read().q.clone().unwrap_or_default();
        if !search_pending.get_value() && search.get_untracked() != q {
            search.set(q);
        }
    });
    let on_search = move |text: String| {
        search.set(text.clone());
        search_pending.set_value(true);
        if let Some(h) = search_timer.get_value() {
            h.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                search_pending.try_set_value(false);
                set(
                    &|q| q.q = Some(text.clone()).filter(|t| !t.trim().is_empty()),
                    true,
                )
            },
            std::time::Duration::from_millis(300),
        )
        .ok();
        search_timer.set_value(handle);
    };

    let following = RwSignal::new(None::<bool>);
    let follow_error = RwSignal::new(None::<String>);
    let toggle_follow = Action::new_local(move |want: &bool| {
        let want = *want;
        async move {
            let Some(org) = org_id else { return };
            match client.set_following(org, want).await {
                Ok(f) => {
                    following.set(Some(f.following));
                    follow_error.set(None);
                }
                Err(e) => follow_error.set(Some(format!(
                    "Following could not be changed. {}",
                    e.message()
                ))),
            }
        }
    });

    // Plain links: the router's <A> marks every link to this path as current, whatever its query.
    let base = expect_context::<crate::AppConfig>().base;
    let tab = move |scope: TicketScope, label: &'static str| {
        let q = TicketListQuery {
            scope,
            ..Default::default()
        };
        let qs = list_query(&q);
        let href = if qs.is_empty() {
            format!("{base}{}", routes::tickets())
        } else {
            format!("{base}{}?{qs}", routes::tickets())
        };
        view! {
            <a href=href class="sa-tab" aria-current=move || (query.read().scope == scope).then_some("page")>
                {label}
            </a>
        }
    };

    view! {
        <div class="sa-page">
            <nav class="sa-breadcrumb" aria-label="Breadcrumb">
                <A href=routes::support()>"Support"</A>
            </nav>
            <div class="sa-page-header">
                <h1>{title}</h1>
                <A href=routes::new_ticket()>
                    <span class="sa-button sa-button-primary">"Create ticket"</span>
                </A>
            </div>
            {is_admin
                .then(|| {
                    view! {
                        <nav class="sa-tabs" aria-label="Ticket lists">
                            {tab(TicketScope::Mine, "My tickets")}
                            {tab(TicketScope::Organization, "Tickets in my organization")}
                        </nav>
                    }
                })}
            <form class="sa-filters" role="search" on:submit=move |ev| ev.prevent_default()>
                <div class="sa-field">
                    <label for="tickets-search">"Search tickets"</label>
                    <input
                        id="tickets-search"
                        type="search"
                        placeholder="Words in the subject or description"
                        prop:value=move || search.get()
                        on:input=move |ev| on_search(event_target_value(&ev))
                    />
                </div>
                <div class="sa-field">
                    <label for="tickets-status">"Status"</label>
                    <select
                        id="tickets-status"
                        on:change=move |ev| {
                            let status = TicketStatus::parse(&event_target_value(&ev));
                            set(&|q| q.status = status, false);
                        }
                    >
                        <option value="" selected=move || query.read().status.is_none()>"All statuses"</option>
                        {STATUSES
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <option value=s.as_str() selected=move || query.read().status == Some(s)>
                                        {s.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="sa-field">
                    <label for="tickets-severity">"Severity"</label>
                    <select
                        id="tickets-severity"
                        on:change=move |ev| {
                            let severity = Severity::parse(&event_target_value(&ev));
                            set(&|q| q.severity = severity, false);
                        }
                    >
                        <option value="" selected=move || query.read().severity.is_none()>"All severities"</option>
                        {Severity::ALL
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <option value=s.key() selected=move || query.read().severity == Some(s)>
                                        {s.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="sa-field">
                    <label for="tickets-sort">"Sort by"</label>
                    <select
                        id="tickets-sort"
                        on:change=move |ev| {
                            let sort = if event_target_value(&ev) == "created" {
                                TicketSort::Created
                            } else {
                                TicketSort::Updated
                            };
                            set(&|q| q.sort = sort, false);
                        }
                    >
                        <option value="updated" selected=move || query.read().sort == TicketSort::Updated>"Last updated"</option>
                        <option value="created" selected=move || query.read().sort == TicketSort::Created>"Date created"</option>
                    </select>
                </div>
            </form>
            {move || follow_error.get().map(|m| view! { <p class="sa-banner sa-banner-error" role="alert">{m}</p> })}
            <Transition fallback=|| view! { <PageSkeleton cards=1 /> }>
                {move || Suspend::new(async move {
                    let loaded = tickets.await;
                    let result = match polled.get() {
                        Some((list, _)) => Ok(list),
                        None => loaded.map(|fresh| fresh.map(|(list, _)| list).unwrap_or_else(empty_list)),
                    };
                    match result {
                        Ok(list) => {
                            let q = query.get_untracked();
                            if following.get_untracked().is_none() {
                                following.set(Some(list.following));
                            }
                            view! {
                                <ListBody
                                    list=list
                                    query=q
                                    following=following
                                    on_follow=Callback::new(move |want| { toggle_follow.dispatch_local(want); })
                                    on_clear=Callback::new(move |_| {
                                        search.set(String::new());
                                        set(&|q| {
                                            q.status = None;
                                            q.severity = None;
                                            q.q = None;
                                        }, false);
                                    })
                                />
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! { <ErrorPanel error=error retry=Callback::new(move |_| tickets.refetch()) /> }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
}

fn empty_list() -> TicketList {
    TicketList {
        tickets: Vec::new(),
        total: 0,
        next: None,
        prev: None,
        following: false,
    }
}

/// The count, the admin's follow switch, the table (or the empty state) and the pager.
#[component]
fn ListBody(
    list: TicketList,
    query: TicketListQuery,
    following: RwSignal<Option<bool>>,
    on_follow: Callback<bool>,
    on_clear: Callback<()>,
) -> impl IntoView {
    let filtered = query.status.is_some()
        || query.severity.is_some()
        || query.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let page_link = |after: Option<String>, before: Option<String>| {
        let q = TicketListQuery {
            after,
            before,
            ..query.clone()
        };
        format!("{}?{}", routes::tickets(), list_query(&q))
    };
    let newer = list.prev.clone().map(|c| page_link(None, Some(c)));
    let older = list.next.clone().map(|c| page_link(Some(c), None));
    let count = match list.total {
        1 => "1 ticket".to_owned(),
        n => format!("{n} tickets"),
    };
    let org_scope = query.scope == TicketScope::Organization;
    view! {
        <div class="sa-list-bar">
            <p class="sa-count" role="status">{count}</p>
            {org_scope
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="sa-button"
                            aria-pressed=move || if following.get() == Some(true) { "true" } else { "false" }
                            on:click=move |_| on_follow.run(following.get_untracked() != Some(true))
                        >
                            {move || if following.get() == Some(true) { "Following all tickets" } else { "Follow all tickets" }}
                        </button>
                        <span class="sa-muted sa-follow-hint">
                            "Followers get the emails of every ticket of the organization."
                        </span>
                    }
                })}
        </div>
        {if list.tickets.is_empty() {
            if filtered {
                view! {
                    <div class="sa-panel sa-empty">
                        <h2>"No tickets match"</h2>
                        <p>"No ticket matches these filters and search words."</p>
                        <button type="button" class="sa-button" on:click=move |_| on_clear.run(())>
                            "Clear filters"
                        </button>
                    </div>
                }
                    .into_any()
            } else {
                view! {
                    <div class="sa-panel sa-empty">
                        <h2>"No tickets yet"</h2>
                        <p>"Tickets you create, and tickets you are CCed on, appear here with their status."</p>
                        <A href=routes::new_ticket()>
                            <span class="sa-button sa-button-primary">"Create ticket"</span>
                        </A>
                    </div>
                }
                    .into_any()
            }
        } else {
            view! { <TicketTable tickets=list.tickets org_scope=org_scope /> }.into_any()
        }}
        {(newer.is_some() || older.is_some())
            .then(|| {
                view! {
                    <nav class="sa-pager" aria-label="Pages">
                        {newer.map(|href| view! { <A href=href>"\u{2190} Newer"</A> })}
                        {older.map(|href| view! { <A href=href>"Older \u{2192}"</A> })}
                    </nav>
                }
            })}
    }
}

#[component]
fn TicketTable(tickets: Vec<TicketListItem>, org_scope: bool) -> impl IntoView {
    view! {
        <div class="sa-table-scroll sa-panel" role="region" aria-labelledby="sa-tickets-caption" tabindex="0">
            <table class="sa-table sa-tickets-table">
                <caption id="sa-tickets-caption" class="sa-visually-hidden">"Tickets"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Subject"</th>
                        <th scope="col">"ID"</th>
                        <th scope="col">"Severity"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Product"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Updated"</th>
                        <th scope="col">"Last reply"</th>
                    </tr>
                </thead>
                <tbody>
                    {tickets
                        .into_iter()
                        .map(|t| {
                            let last = match (&t.last_replied_by, t.last_reply_from_agent) {
                                (Some(name), true) => format!("{name} (Support)"),
                                (Some(name), false) => name.clone(),
                                (None, _) => "No replies yet".to_owned(),
                            };
                            view! {
                                <tr>
                                    <td>
                                        <A href=routes::ticket(t.id)>{t.subject}</A>
                                        {org_scope.then(|| view! { <span class="sa-cell-note">{format!("by {}", t.submitter_name)}</span> })}
                                    </td>
                                    <td>{format!("#{}", t.id)}</td>
                                    <td>{t.severity.label()}</td>
                                    <td>
                                        <span class=format!("sa-status sa-status-{}", t.status.as_str())>{t.status.label()}</span>
                                    </td>
                                    <td>{t.product_name}</td>
                                    <td>
                                        <time datetime=t.created_at.clone()>{local_date_time(&t.created_at)}</time>
                                    </td>
                                    <td>
                                        <time datetime=t.updated_at.clone()>{local_date_time(&t.updated_at)}</time>
                                    </td>
                                    <td>{last}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
