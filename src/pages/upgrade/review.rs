//! Step 4: the request as it will be sent, with its estimated price, and Upgrade tier. Problems point
//! back to the step that fixes them.

use api::{
    BillingGroup, Field, FieldMessage, SupportTier, UpgradeOptions, UpgradeRequest,
    UpgradeRequestInput, YearMonth, estimate, format_usd,
};
use leptos::prelude::*;

use super::step::{PREFIX, Step, step_heading};
use crate::api::{ApiClient, ClientError};
use crate::components::focus_by_id;
use crate::components::form::FieldErrors;

const SUMMARY: &str = "sa-review-summary";

#[component]
pub(super) fn ReviewStep(
    org_id: i64,
    input: UpgradeRequestInput,
    tiers: Vec<SupportTier>,
    current_rank: u32,
    options: UpgradeOptions,
    on_edit: Callback<Step>,
    on_created: Callback<UpgradeRequest>,
) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    // Check locally first: a hand-edited URL must not reach the server half-filled.
    let local = input
        .validate(&tiers, current_rank, options.current_month)
        .map(|valid| {
            let group = options
                .billing_groups
                .iter()
                .find(|g| g.id == valid.billing_group_id)
                .cloned();
            (valid.tier.clone(), valid.start_month, group)
        });
    let errors = FieldErrors::new(PREFIX, &Field::UPGRADE_ORDER);
    errors.set_all(match &local {
        Ok((_, _, None)) => vec![FieldMessage::new(
            Field::BillingGroupId,
            "Billing group: choose one of your organization's billing groups.",
        )],
        Ok(_) => Vec::new(),
        Err(fields) => fields.clone(),
    });
    let form_error = RwSignal::new(None::<String>);

    // Tells the console (nothing when standalone).
    let host = use_context::<crate::embed::Host>().unwrap_or_default();
    let submit = Action::new_local(move |input: &UpgradeRequestInput| {
        let input = input.clone();
        async move { client.request_upgrade(org_id, &input).await }
    });
    Effect::new(move |_| match submit.value().get() {
        None => {}
        Some(Ok(request)) => {
            host.upgrade_requested(&request.tier_key);
            on_created.run(request)
        }
        Some(Err(ClientError::Api(body))) if !body.fields.is_empty() => {
            errors.set_all(body.fields);
            focus_by_id(SUMMARY);
        }
        Some(Err(e)) => {
            form_error.set(Some(e.message()));
            focus_by_id(SUMMARY);
        }
    });

    let details = local.ok().map(|(tier, month, group)| {
        let estimate = estimate_text(&tier, month, &options);
        details(tier, month, group, estimate, on_edit)
    });
    let can_submit = errors.is_empty_untracked();
    let input = StoredValue::new(input);
    view! {
        {step_heading("Review your request")}
        {problems(errors, form_error, on_edit)}
        {details}
        <p class="sa-muted">"It typically takes 1-2 business days to set up the new support tier."</p>
        <div class="sa-actions">
            <button type="button" class="sa-button" on:click=move |_| on_edit.run(Step::Billing)>"Back"</button>
            <Show when=move || can_submit>
                <button
                    type="button"
                    class="sa-button sa-button-primary"
                    aria-busy=move || submit.pending().get().then_some("true")
                    on:click=move |_| {
                        if !submit.pending().get_untracked() {
                            errors.set_all(Vec::new());
                            form_error.set(None);
                            submit.dispatch_local(input.get_value());
                        }
                    }
                >
                    "Upgrade tier"
                </button>
            </Show>
        </div>
    }
}

/// "There is a problem": the review has no fields of its own, so each message offers the step that
/// fixes it instead of a link to a field.
fn problems(
    errors: FieldErrors,
    form_error: RwSignal<Option<String>>,
    on_edit: Callback<Step>,
) -> impl IntoView {
    move || {
        let items: Vec<(String, Option<Step>)> = errors
            .list()
            .into_iter()
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
fn estimate_text(tier: &SupportTier, month: YearMonth, options: &UpgradeOptions) -> String {
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

/// The request: tier, start date and billing group, each with a way back to change it, and the estimate.
fn details(
    tier: SupportTier,
    month: YearMonth,
    group: Option<BillingGroup>,
    estimate: String,
    on_edit: Callback<Step>,
) -> impl IntoView {
    let group_text = group
        .map(|g| format!("{} \u{2013} {}", g.name, g.payment_method))
        .unwrap_or_default();
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
