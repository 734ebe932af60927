//! Search, status, severity and sort. The URL is the state: a change is written there, and the list
//! follows it.

use api::{Severity, TicketListQuery, TicketSort, TicketStatus};
use leptos::prelude::*;

use super::ListUrl;

/// Quiet time after the last keystroke before a search goes into the URL.
const SEARCH_DELAY_MS: u64 = 300;

/// The filter bar. `search` is the search box's text, which Clear filters empties too.
pub(super) fn filters(url: ListUrl, search: RwSignal<String>) -> impl IntoView {
    let query = url.query;
    // Search: the box is ours while typing; the URL follows a moment later.
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
                url.change(|q| q.q = Some(text).filter(|t| !t.trim().is_empty()), true);
            },
            std::time::Duration::from_millis(SEARCH_DELAY_MS),
        )
        .ok();
        search_timer.set_value(handle);
    };

    let statuses = TicketStatus::ALL.map(|s| (s.as_str(), s.label()));
    let severities = Severity::ALL.map(|s| (s.key(), s.label()));
    view! {
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
            {filter(
                url,
                FilterSelect {
                    id: "tickets-status",
                    label: "Status",
                    all: "All statuses",
                    choices: &statuses,
                    chosen: |q| q.status.map(TicketStatus::as_str),
                    apply: |q, value| q.status = TicketStatus::parse(value),
                },
            )}
            {filter(
                url,
                FilterSelect {
                    id: "tickets-severity",
                    label: "Severity",
                    all: "All severities",
                    choices: &severities,
                    chosen: |q| q.severity.map(Severity::key),
                    apply: |q, value| q.severity = Severity::parse(value),
                },
            )}
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
                        url.change(|q| q.sort = sort, false);
                    }
                >
                    <option value="updated" selected=move || query.read().sort == TicketSort::Updated>"Last updated"</option>
                    <option value="created" selected=move || query.read().sort == TicketSort::Created>"Date created"</option>
                </select>
            </div>
        </form>
    }
}

/// A filter drop-down: every value of one query field, after "all".
struct FilterSelect<'a> {
    id: &'static str,
    label: &'static str,
    all: &'static str,
    /// Value and label of each choice.
    choices: &'a [(&'static str, &'static str)],
    /// The query's value for this filter.
    chosen: fn(&TicketListQuery) -> Option<&'static str>,
    /// Sets the filter from a chosen value (`""` for all).
    apply: fn(&mut TicketListQuery, &str),
}

fn filter(url: ListUrl, select: FilterSelect<'_>) -> impl IntoView + use<> {
    let FilterSelect {
        id,
        label,
        all,
        choices,
        chosen,
        apply,
    } = select;
    let query = url.query;
    let options = choices
        .iter()
        .map(|&(value, text)| {
            view! {
                <option value=value selected=move || query.with(|q| chosen(q) == Some(value))>
                    {text}
                </option>
            }
        })
        .collect_view();
    view! {
        <div class="sa-field">
            <label for=id>{label}</label>
            <select
                id=id
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    url.change(|q| apply(q, &value), false);
                }
            >
                <option value="" selected=move || query.with(|q| chosen(q).is_none())>{all}</option>
                {options}
            </select>
        </div>
    }
}
