//! Step 1: the tiers above the current one, each with its response times, hours, phone support,
//! account team and price.

use api::SupportTier;
use leptos::prelude::*;

use super::step::step_heading;
use crate::pages::support::contact_line;

#[component]
pub(super) fn TierStep(
    tiers: Vec<SupportTier>,
    chosen: Option<String>,
    on_choose: Callback<String>,
    account_team: Option<String>,
    sales_email: String,
) -> impl IntoView {
    view! {
        {step_heading("Choose a support tier")}
        <div class="sa-tier-cards">
            {tiers
                .into_iter()
                .map(|tier| {
                    let heading_id = format!("sa-tier-{}", tier.key);
                    let (labelled_by, described_by) = (heading_id.clone(), heading_id.clone());
                    let selected = chosen.as_deref() == Some(tier.key.as_str());
                    let key = tier.key.clone();
                    view! {
                        <article class="sa-tier-card" class:sa-tier-card-selected=selected aria-labelledby=labelled_by>
                            <h3 id=heading_id>{tier.name.clone()}</h3>
                            <p class="sa-muted">{tier.summary.clone()}</p>
                            <dl class="sa-facts sa-facts-compact">
                                <div><dt>"Low"</dt><dd>{tier.response_times.low.to_string()}</dd></div>
                                <div><dt>"High"</dt><dd>{tier.response_times.high.to_string()}</dd></div>
                                <div><dt>"Critical"</dt><dd>{tier.response_times.critical.to_string()}</dd></div>
                                <div><dt>"Support hours"</dt><dd>{tier.hours.clone()}</dd></div>
                                <div><dt>"Phone support"</dt><dd>{tier.phone.clone()}</dd></div>
                                <div><dt>"Account team"</dt><dd>{tier.account_team.clone()}</dd></div>
                                <div><dt>"Price"</dt><dd>{tier.price.to_string()}</dd></div>
                            </dl>
                            <button
                                type="button"
                                class="sa-button sa-button-primary"
                                aria-describedby=described_by
                                on:click=move |_| on_choose.run(key.clone())
                            >
                                "Choose tier"
                            </button>
                        </article>
                    }
                })
                .collect_view()}
        </div>
        <p class="sa-muted">
            "Only tiers above your current one can be requested here. If you have questions or want to downgrade your support tier, "
            {contact_line(account_team, sales_email)}
        </p>
    }
}
