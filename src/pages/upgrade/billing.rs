//! Step 3: the billing group that pays for support.

use api::{BillingGroup, Field};
use leptos::prelude::*;

use super::step::{PREFIX, back_and_continue, step_heading};
use crate::components::form::{FieldErrors, Select};

const GROUP: Field = Field::BillingGroupId;

#[component]
pub(super) fn BillingStep(
    groups: Vec<BillingGroup>,
    chosen: Option<i64>,
    on_change: Callback<Option<i64>>,
    on_back: Callback<()>,
    on_next: Callback<()>,
) -> impl IntoView {
    let errors = FieldErrors::new(PREFIX, &Field::UPGRADE_ORDER).announced();
    let value = RwSignal::new(chosen.filter(|id| groups.iter().any(|g| g.id == *id)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let outcome = match value.get_untracked() {
            Some(_) => Ok(()),
            None => Err("Billing group: choose the billing group that pays for support.".into()),
        };
        if errors.check(GROUP, outcome) {
            on_next.run(());
        }
    };
    let options = groups
        .into_iter()
        .map(|g| {
            let id = g.id;
            view! {
                <option value=id.to_string() selected=move || value.get() == Some(id)>
                    {format!("{} \u{2013} {}", g.name, g.payment_method)}
                </option>
            }
        })
        .collect_view();
    view! {
        {step_heading("Select a billing group")}
        <form class="sa-form" novalidate on:submit=submit>
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
                {options}
            </Select>
            <div class="sa-callout sa-callout-important" role="note">
                <strong>"Important: "</strong>
                "The support costs for all current and future services in the selected organization and all of its organizational units will be added to the invoice for this billing group."
            </div>
            {back_and_continue(on_back)}
        </form>
    }
}
