//! The list itself: the count, the admin's follow switch, the table (or the empty state) and the pager.

use crate::router::A;
use api::{TicketList, TicketListItem, TicketListQuery, TicketScope};
use leptos::prelude::*;

use super::list_href;
use crate::api::ApiClient;
use crate::components::{Stages, time_view};
use crate::routes;

/// A list with no tickets, for an answer that had none to show.
pub(super) fn empty_list() -> TicketList {
    TicketList {
        tickets: Vec::new(),
        total: 0,
        next: None,
        prev: None,
        following: false,
    }
}

/// Follow all tickets: whether the admin follows them, and why changing it failed.
#[derive(Clone, Copy)]
pub(super) struct Follow {
    following: RwSignal<Option<bool>>,
    pub(super) error: RwSignal<Option<String>>,
    toggle: Action<bool, ()>,
}

impl Follow {
    /// Not known until the first list arrives.
    pub(super) fn new(org_id: Option<i64>) -> Self {
        let client = expect_context::<ApiClient>();
        let following = RwSignal::new(None::<bool>);
        let error = RwSignal::new(None::<String>);
        let toggle = Action::new_local(move |want: &bool| {
            let want = *want;
            async move {
                let Some(org) = org_id else { return };
                match client.set_following(org, want).await {
                    Ok(f) => {
                        following.set(Some(f.following));
                        error.set(None);
                    }
                    Err(e) => error.set(Some(format!(
                        "Following could not be changed. {}",
                        e.message()
                    ))),
                }
            }
        });
        Self {
            following,
            error,
            toggle,
        }
    }

    /// What a list said, unless the admin's own change is already known.
    pub(super) fn seen(&self, following: bool) {
        if self.following.get_untracked().is_none() {
            self.following.set(Some(following));
        }
    }
}

/// The count, the admin's follow switch, the table (or the empty state) and the pager. `list` changes
/// when polling finds a newer copy: each part follows it in place, and the table's rows are keyed by
/// ticket, so a row that stays keeps its elements (and the focus in it).
#[component]
pub(super) fn ListBody(
    list: Memo<TicketList>,
    query: TicketListQuery,
    follow: Follow,
    on_clear: Callback<()>,
) -> impl IntoView {
    let filtered = query.status.is_some()
        || query.severity.is_some()
        || query.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let org_scope = query.scope == TicketScope::Organization;
    let page_link = move |after: Option<String>, before: Option<String>| {
        routes::href(&list_href(&TicketListQuery {
            after,
            before,
            ..query.clone()
        }))
    };
    let count = move || match list.read().total {
        1 => "1 ticket".to_owned(),
        n => format!("{n} tickets"),
    };
    let empty_now = Memo::new(move |_| list.read().tickets.is_empty());
    let pages = Memo::new(move |_| {
        let l = list.read();
        (l.prev.clone(), l.next.clone())
    });
    view! {
        <div class="sa-list-bar">
            <p class="sa-count" role="status">{count}</p>
            {org_scope.then(|| follow_switch(follow))}
        </div>
        {move || {
            if empty_now.get() {
                empty(filtered, on_clear).into_any()
            } else {
                view! { <TicketTable list=list org_scope=org_scope /> }.into_any()
            }
        }}
        {move || {
            let (prev, next) = pages.get();
            let newer = prev.map(|c| page_link(None, Some(c)));
            let older = next.map(|c| page_link(Some(c), None));
            (newer.is_some() || older.is_some())
                .then(|| {
                    view! {
                        <nav class="sa-pager" aria-label="Pages">
                            {newer.map(|href| view! { <A href=href>"\u{2190} Newer"</A> })}
                            {older.map(|href| view! { <A href=href>"Older \u{2192}"</A> })}
                        </nav>
                    }
                })
        }}
    }
}

/// Follow all tickets (admins, on the organization's list).
fn follow_switch(follow: Follow) -> impl IntoView {
    let Follow {
        following, toggle, ..
    } = follow;
    let on = move || following.get() == Some(true);
    view! {
        <button
            type="button"
            class="sa-button"
            aria-pressed=move || if on() { "true" } else { "false" }
            on:click=move |_| {
                toggle.dispatch_local(following.get_untracked() != Some(true));
            }
        >
            {move || if on() { "Following all tickets" } else { "Follow all tickets" }}
        </button>
        <span class="sa-muted sa-follow-hint">
            "Followers get the emails of every ticket of the organization."
        </span>
    }
}

/// No tickets: because of the filters (with a way to clear them), or none at all yet.
fn empty(filtered: bool, on_clear: Callback<()>) -> impl IntoView {
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
                <A href=routes::href(&routes::new_ticket())>
                    <span class="sa-button sa-button-primary">"Create ticket"</span>
                </A>
            </div>
        }
        .into_any()
    }
}

/// How many rows the table draws in its first task: about what a screen shows below the filters. The rest
/// of the page (25 rows by default) come in the next task (see [`Stages`]): with a 4x slower CPU, the list
/// drawn at once made a task of 51-57 ms.
const FIRST_ROWS: usize = 15;

#[component]
fn TicketTable(list: Memo<TicketList>, org_scope: bool) -> impl IntoView {
    let stages = Stages::new(2);
    let rows = move || {
        let mut tickets = list.get().tickets;
        if !stages.done() {
            tickets.truncate(FIRST_ROWS);
        }
        tickets
    };
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
                    // Keyed by what the row shows: a row whose ticket did not change keeps its elements
                    // (and the focus in them); a changed ticket's row is drawn anew. (A row with reactive
                    // cells would keep the focus in a changed row too, at about twice the code per column.)
                    <For
                        each=rows
                        key=row_key
                        children=move |t| ticket_row(t, org_scope)
                    />
                </tbody>
            </table>
        </div>
    }
}

/// What tells a row from its earlier version: all of it. Not `(id, updated_at)`: `updated_at` has
/// whole seconds, and a reply within the second the ticket was created or last changed left the row
/// stale until the next change (CI saw "No replies yet" under a reply polling had brought).
fn row_key(t: &TicketListItem) -> TicketListItem {
    t.clone()
}

/// One row of the table.
fn ticket_row(t: TicketListItem, org_scope: bool) -> impl IntoView {
    let last = match (&t.last_replied_by, t.last_reply_from_agent) {
        (Some(name), true) => format!("{name} (Support)"),
        (Some(name), false) => name.clone(),
        (None, _) => "No replies yet".to_owned(),
    };
    view! {
        <tr>
            <td>
                <A href=routes::href(&routes::ticket(t.id))>{t.subject}</A>
                {org_scope.then(|| view! { <span class="sa-cell-note">{format!("by {}", t.submitter_name)}</span> })}
            </td>
            <td>{format!("#{}", t.id)}</td>
            <td>{t.severity.label()}</td>
            <td>
                <span class=format!("sa-status sa-status-{}", t.status.as_str())>{t.status.label()}</span>
            </td>
            <td>{t.product_name}</td>
            <td>{time_view(t.created_at)}</td>
            <td>{time_view(t.updated_at)}</td>
            <td>{last}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use api::{Severity, TicketListItem, TicketStatus, Timestamp};

    use super::row_key;

    fn listed() -> TicketListItem {
        TicketListItem {
            id: 46,
            subject: "Poll second".into(),
            severity: Severity::High,
            status: TicketStatus::Open,
            product_name: "Apache Kafka".into(),
            submitter_name: "dev@acme.example".into(),
            created_at: Timestamp::from_unix_seconds(1_796_014_739),
            updated_at: Timestamp::from_unix_seconds(1_796_014_739),
            last_replied_by: None,
            last_reply_from_agent: false,
        }
    }

    #[test]
    fn a_reply_within_the_same_second_draws_the_row_anew() {
        let before = listed();
        let replied = TicketListItem {
            status: TicketStatus::AwaitingCustomer,
            last_replied_by: Some("Sam from Support".into()),
            last_reply_from_agent: true,
            ..listed()
        };
        assert_eq!(replied.updated_at, before.updated_at);
        assert_ne!(row_key(&replied), row_key(&before));
        assert_eq!(
            row_key(&listed()),
            row_key(&before),
            "an unchanged row keeps its elements"
        );
    }
}
