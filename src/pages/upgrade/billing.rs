//! Step 3, the last: the billing group that pays for support, then the request as it will be sent (tier,
//! start date and billing group, each with a way to change it, and the estimated price) and **Upgrade
//! tier**, where the documentation's steps put it. Problems with the earlier steps' choices point back
//! to the step that fixes them.

use api::{
    BillingGroup, DowngradeContact, Field, FieldMessage, SupportTier, UpgradeOptions,
    UpgradeRequest, UpgradeRequestInput,
};
use leptos::prelude::*;

use super::review::{SUMMARY, details, estimate_text, problems};
use super::step::{PREFIX, Step, step_heading};
use crate::api::{ApiClient, ClientError};
use crate::components::focus_by_id;
use crate::components::form::{FieldErrors, Select};

const GROUP: Field = Field::BillingGroupId;

#[component]
#[allow(clippy::too_many_arguments)]
pub(super) fn BillingStep(
    org_id: i64,
    /// The request so far: the tier and start month from the URL, and the billing group if one was
    /// chosen before.
    input: UpgradeRequestInput,
    tiers: Vec<SupportTier>,
    current_rank: u32,
    /// Who a hand-edited URL's downgrade is pointed to (the server says the same).
    contact: DowngradeContact,
    options: UpgradeOptions,
    /// A billing group was chosen (or the choice cleared).
    on_change: Callback<Option<i64>>,
    /// Go to an earlier step.
    on_edit: Callback<Step>,
    on_created: Callback<UpgradeRequest>,
) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let groups = StoredValue::new(options.billing_groups.clone());
    let value = RwSignal::new(
        input
            .billing_group_id
            .filter(|id| groups.with_value(|g| g.iter().any(|g| g.id == *id))),
    );
    // The billing group's message sits under its field (announced there); the others go to the
    // summary above, which offers the step that fixes each.
    let errors = FieldErrors::new(PREFIX, &Field::UPGRADE_ORDER).announced();
    let form_error = RwSignal::new(None::<String>);
    let input = StoredValue::new(input);
    let request = move || UpgradeRequestInput {
        billing_group_id: value.get_untracked(),
        ..input.get_value()
    };
    // The earlier steps' choices are checked locally at once: a hand-edited URL must not reach the
    // server half-filled, and the user sees what to change before choosing a billing group.
    let earlier = {
        let (tiers, current_month) = (tiers.clone(), options.current_month);
        move |input: &UpgradeRequestInput| -> Vec<FieldMessage> {
            match input.validate(&tiers, current_rank, current_month, contact) {
                Ok(_) => Vec::new(),
                Err(fields) => fields.into_iter().filter(|m| !m.is(GROUP)).collect(),
            }
        }
    };
    errors.set_all(earlier(&request()));
    let earlier = StoredValue::new(earlier);

    // "Change billing group" is this step: it moves focus to the field instead of navigating.
    let group_id = errors.id(GROUP);
    let on_edit = Callback::new(move |step: Step| {
        if step == Step::Billing {
            focus_by_id(group_id.clone());
        } else {
            on_edit.run(step);
        }
    });

    // Tells the console (nothing when standalone).
    let host = use_context::<crate::embed::Host>().unwrap_or_default();
    let submit = Action::new_local(move |input: &UpgradeRequestInput| {
        let input = input.clone();
        async move { client.request_upgrade(org_id, &input).await }
    });
    let focus_first = move |problems: &[FieldMessage]| {
        if problems.iter().any(|m| !m.is(GROUP)) {
            focus_by_id(SUMMARY);
        } else if !problems.is_empty() {
            focus_by_id(errors.id(GROUP));
        }
    };
    Effect::new(move |_| match submit.value().get() {
        None => {}
        Some(Ok(request)) => {
            host.upgrade_requested(&request.tier_key);
            on_created.run(request)
        }
        Some(Err(ClientError::Api(body))) if !body.fields.is_empty() => {
            focus_first(&body.fields);
            errors.set_all(body.fields);
        }
        Some(Err(e)) => {
            form_error.set(Some(e.message()));
            focus_by_id(SUMMARY);
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if submit.pending().get_untracked() {
            return;
        }
        form_error.set(None);
        let input = request();
        let mut problems = earlier.with_value(|check| check(&input));
        if input.billing_group_id.is_none() {
            problems.push(FieldMessage::new(
                GROUP,
                "Billing group: choose the billing group that pays for support.",
            ));
        }
        focus_first(&problems);
        let valid = problems.is_empty();
        errors.set_all(problems);
        if valid {
            submit.dispatch_local(input);
        }
    };

    let group_options = groups.with_value(|groups| {
        groups
            .iter()
            .map(|g| {
                let id = g.id;
                view! {
                    <option value=id.to_string() selected=move || value.get() == Some(id)>
                        {group_label(g)}
                    </option>
                }
            })
            .collect_view()
    });
    // The request as it will be sent, once the earlier steps' choices hold (the billing group, chosen
    // here, is not needed for that: the review follows it as it changes).
    let review = input.with_value(|input| {
        UpgradeRequestInput {
            billing_group_id: Some(input.billing_group_id.unwrap_or_default()),
            ..input.clone()
        }
        .validate(&tiers, current_rank, options.current_month, contact)
        .ok()
        .map(|valid| (valid.tier.clone(), valid.start_month))
    });
    let review = review.map(|(tier, month)| {
        let estimate = estimate_text(&tier, month, &options);
        let group_text = Signal::derive(move || {
            value
                .get()
                .and_then(|id| {
                    groups.with_value(|g| g.iter().find(|g| g.id == id).map(group_label))
                })
                .unwrap_or_else(|| "Not chosen yet".to_owned())
        });
        view! {
            <section class="sa-review-section" aria-labelledby="sa-review-heading">
                <h3 id="sa-review-heading">"Review your request"</h3>
                {details(tier, month, group_text, estimate, on_edit)}
            </section>
        }
    });
    view! {
        {step_heading("Select a billing group")}
        {problems(errors, GROUP, form_error, on_edit)}
        <form class="sa-form" novalidate on:submit=on_submit>
            <Select
                errors=errors
                field=GROUP
                label="Billing group"
                on_change=Callback::new(move |v: String| {
                    let id = v.parse().ok();
                    value.set(id);
                    on_change.run(id);
                })
            >
                <option value="">"Choose a billing group"</option>
                {group_options}
            </Select>
            <div class="sa-callout sa-callout-important" role="note">
                <strong>"Important: "</strong>
                "The support costs for all current and future services in the selected organization and all of its organizational units will be added to the invoice for this billing group."
            </div>
            {review}
            <p class="sa-muted">"It typically takes 1-2 business days to set up the new support tier."</p>
            <div class="sa-actions">
                <button type="button" class="sa-button" on:click=move |_| on_edit.run(Step::Start)>
                    "Back"
                </button>
                <button
                    type="submit"
                    class="sa-button sa-button-primary"
                    aria-busy=move || submit.pending().get().then_some("true")
                >
                    "Upgrade tier"
                </button>
            </div>
        </form>
    }
}

/// `Acme R&D – Invoice (bank transfer)`: how a billing group reads in the list and in the review.
fn group_label(g: &BillingGroup) -> String {
    format!("{} \u{2013} {}", g.name, g.payment_method)
}
