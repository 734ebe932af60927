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
    let sync = StoredValue::new(SearchSync::default());
    on_cleanup(move || {
        if let Some(h) = search_timer.try_update_value(Option::take).flatten() {
            h.clear();
        }
    });
    // The box follows the URL when it changes from elsewhere (a tab, Clear filters, back and forward).
    Effect::new(move |_| {
        let q = query.read().q.clone().unwrap_or_default();
        let shown = search.get_untracked();
        if let Some(text) = sync.try_update_value(|s| s.url_says(&q, &shown)).flatten() {
            search.set(text);
        }
    });
    let on_search = move |text: String| {
        search.set(text.clone());
        sync.update_value(SearchSync::typed);
        if let Some(h) = search_timer.get_value() {
            h.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                let q = Some(text).filter(|t| !t.trim().is_empty());
                sync.try_update_value(|s| s.wrote(q.clone().unwrap_or_default()));
                url.change(|query| query.q = q, true);
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

/// Whether the search box or the URL leads. The box leads from a keystroke until its search has been
/// written to the URL, and each search written leads until it comes back from the URL: navigating is
/// asynchronous, and on a loaded machine a search written a moment ago can come back after the next
/// keystroke's search was written. Taking that late one for a change from elsewhere put an older
/// text back in the box and lost the keys typed since (seen in CI: "Poll second " became "Polecond").
#[derive(Debug, Default)]
struct SearchSync {
    /// A keystroke whose search is not in the URL yet.
    typing: bool,
    /// Searches written to the URL that have not come back from it yet, oldest first (`""`: none).
    written: Vec<String>,
}

impl SearchSync {
    fn typed(&mut self) {
        self.typing = true;
    }

    fn wrote(&mut self, q: String) {
        self.typing = false;
        self.written.push(q);
    }

    /// The URL's search is now `q` and the box shows `shown`: the text the box must show instead, if
    /// any. One of ours coming back changes nothing (nor do the older ones it overtook); anything else
    /// is a change from elsewhere, which the box follows unless the user is typing. After one, a
    /// search of ours that lands later is the URL's newest state and is followed too.
    fn url_says(&mut self, q: &str, shown: &str) -> Option<String> {
        if let Some(i) = self.written.iter().position(|w| w == q) {
            self.written.drain(..=i);
            return None;
        }
        if self.typing || shown == q {
            return None;
        }
        self.written.clear();
        Some(q.to_owned())
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

#[cfg(test)]
mod tests {
    use super::SearchSync;

    #[test]
    fn a_search_written_earlier_that_comes_back_late_leaves_the_box_alone() {
        // What CI saw on a loaded machine: "P" written, "Po" typed and written, then "P" comes back.
        let mut sync = SearchSync::default();
        sync.typed();
        sync.wrote("P".into());
        sync.typed();
        sync.wrote("Po".into());
        assert_eq!(sync.url_says("P", "Po"), None);
        sync.typed();
        assert_eq!(sync.url_says("Po", "Pol"), None);
        sync.wrote("Pol".into());
        assert_eq!(sync.url_says("Pol", "Pol"), None);
        assert!(sync.written.is_empty());
    }

    #[test]
    fn a_search_that_overtook_older_ones_forgets_them_too() {
        let mut sync = SearchSync::default();
        sync.wrote("a".into());
        sync.wrote("ab".into());
        assert_eq!(sync.url_says("ab", "ab"), None);
        assert!(sync.written.is_empty());
        // "a" never comes back on its own now; if the URL says "a" again, someone else did it.
        assert_eq!(sync.url_says("a", "ab"), Some("a".into()));
    }

    #[test]
    fn a_change_from_elsewhere_is_followed_unless_the_user_is_typing() {
        let mut sync = SearchSync::default();
        assert_eq!(sync.url_says("kafka", ""), Some("kafka".into()));
        assert_eq!(sync.url_says("", "kafka"), Some(String::new()));
        sync.typed();
        assert_eq!(sync.url_says("other", "kaf"), None);
        sync.wrote("kaf".into());
        assert_eq!(sync.url_says("other", "kaf"), Some("other".into()));
        // Ours landing after that is where the URL ends up: the box follows it.
        assert_eq!(sync.url_says("kaf", "other"), Some("kaf".into()));
    }
}
