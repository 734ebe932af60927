//! Support tiers: the comparison table.

use api::SupportTier;
use leptos::prelude::*;

/// Every tier side by side, the current one marked.
#[component]
pub(super) fn TierComparison(tiers: Vec<SupportTier>, current: Option<String>) -> impl IntoView {
    type Cell = fn(&SupportTier) -> String;
    let rows: [(&str, Cell); 7] = [
        ("Low severity", |t| t.response_times.low.to_string()),
        ("High severity", |t| t.response_times.high.to_string()),
        ("Critical severity", |t| {
            t.response_times.critical.to_string()
        }),
        ("Support hours", |t| t.hours.clone()),
        ("Phone support", |t| t.phone.clone()),
        ("Account team", |t| t.account_team.clone()),
        ("Price", |t| t.price.to_string()),
    ];
    let is_current = move |t: &SupportTier| current.as_deref() == Some(t.key.as_str());
    let header_cells = tiers
        .iter()
        .map(|t| {
            let current = is_current(t);
            view! {
                <th scope="col" class:sa-current-column=current>
                    {t.name.clone()}
                    {current.then(|| view! { <span class="sa-badge">"Current"</span> })}
                </th>
            }
        })
        .collect_view();
    let body = rows
        .iter()
        .map(|(label, cell)| {
            view! {
                <tr>
                    <th scope="row">{*label}</th>
                    {tiers
                        .iter()
                        .map(|t| view! { <td class:sa-current-column=is_current(t)>{cell(t)}</td> })
                        .collect_view()}
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="sa-panel" aria-labelledby="sa-compare-heading">
            <h2 id="sa-compare-heading">"Support tiers"</h2>
            // Narrow screens scroll the table, not the page; the region is focusable so keyboard users can too.
            <div class="sa-table-scroll" role="region" aria-label="Compare support tiers, scrollable" tabindex="0">
                <table class="sa-table">
                    <caption>"Compare support tiers"</caption>
                    <thead>
                        <tr>
                            <td></td>
                            {header_cells}
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        </section>
    }
}
