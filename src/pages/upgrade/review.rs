//! The request as it will be sent, shown on the billing-group step above **Upgrade tier**: tier, start
//! date and billing group, each with a way to change it, and the estimated price; and "There is a
//! problem", whose messages point back to the step that fixes them.

use api::{Field, SupportTier, UpgradeOptions, YearMonth, estimate, format_usd};
use leptos::prelude::*;

use super::step::Step;
use crate::components::form::FieldErrors;

/// The id of "There is a problem" on the billing-group step.
pub(super) const SUMMARY: &str = "sa-review-summary";

/// "There is a problem" with the earlier steps' choices or the server's answer: each message offers the
/// step that fixes it instead of a link to a field. The billing group's own messages are shown at its
/// field, so `at_field` is left out here.
pub(super) fn problems(
    errors: FieldErrors,
    at_field: Field,
    form_error: RwSignal<Option<String>>,
    on_edit: Callback<Step>,
) -> impl IntoView {
    move || {
        let items: Vec<(String, Option<Step>)> = errors
            .list()
            .into_iter()
            .filter(|f| !f.is(at_field))
            .map(|f| {
                let step = match Field::parse(&f.field) {
                    Some(Field::Tier) => Some(Step::Tier),
                    Some(Field::StartMonth) => Some(Step::Start),
                    Some(Field::BillingGroupId) => Some(Step::Billing),
                    _ => None,
                };
                (f.message, step)
            })
            .chain(form_error.get().map(|m| (m, None)))
            .collect();
        (!items.is_empty()).then(|| {
            view! {
                <div id=SUMMARY class="sa-error-summary" role="alert" tabindex="-1">
                    <h3 class="sa-error-summary-title">"There is a problem"</h3>
                    <ul>
                        {items
                            .into_iter()
                            .map(|(message, step)| {
                                view! {
                                    <li>
                                        {message}
                                        {step.map(|s| view! {
                                            " "
                                            <button type="button" class="sa-link-button" on:click=move |_| on_edit.run(s)>
                                                {format!("Change {}", s.title().to_lowercase())}
                                            </button>
                                        })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// What the tier will cost, from the organization's current spend.
pub(super) fn estimate_text(
    tier: &SupportTier,
    month: YearMonth,
    options: &UpgradeOptions,
) -> String {
    let starts_now = month == options.current_month;
    let spend = options.monthly_spend_usd_cents;
    match (
        tier.price.percentage(),
        estimate(tier.price, spend, starts_now),
    ) {
        (Some(percentage), Some(e)) => {
            let mut text = format!(
                "{percentage} of your current monthly service spend ({}) is {}. The minimum is {}, so the estimated monthly charge is {}.",
                format_usd(spend),
                format_usd(e.percentage_cents),
                format_usd(e.minimum_cents),
                format_usd(e.monthly_cents),
            );
            if let Some(now) = e.current_month_cents {
                text.push_str(&format!(
                    " Because the tier starts this month, {} is charged for the whole of {}, from the 1st.",
                    format_usd(now),
                    month.label()
                ));
            }
            text
        }
        _ => "Included with your plan.".to_owned(),
    }
}

/// The request: tier, start date and billing group (`group_text`, following the choice), each with a
/// way to change it, and the estimate.
pub(super) fn details(
    tier: SupportTier,
    month: YearMonth,
    group_text: Signal<String>,
    estimate: String,
    on_edit: Callback<Step>,
) -> impl IntoView {
    let change = move |step: Step, label: &'static str| {
        view! { <button type="button" class="sa-link-button" on:click=move |_| on_edit.run(step)>{label}</button> }
    };
    view! {
        <dl class="sa-review">
            <div>
                <dt>"Support tier"</dt>
                <dd>{tier.name.clone()} " " {change(Step::Tier, "Change tier")}</dd>
            </div>
            <div>
                <dt>"Start date"</dt>
                <dd>{month.label()} " " {change(Step::Start, "Change start date")}</dd>
            </div>
            <div>
                <dt>"Billing group"</dt>
                <dd>{group_text} " " {change(Step::Billing, "Change billing group")}</dd>
            </div>
            <div>
                <dt>"Estimate"</dt>
                <dd>{estimate}</dd>
            </div>
        </dl>
    }
}
