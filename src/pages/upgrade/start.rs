//! Step 2: the month the new tier starts (this month or one of the next twelve).

use api::{Field, YearMonth};
use leptos::prelude::*;

use super::step::{PREFIX, back_and_continue, step_heading};
use crate::components::form::{FieldErrors, Select};

const MONTH: Field = Field::StartMonth;

#[component]
pub(super) fn StartStep(
    current: YearMonth,
    chosen: Option<String>,
    on_change: Callback<String>,
    on_back: Callback<()>,
    on_next: Callback<()>,
) -> impl IntoView {
    let errors = FieldErrors::new(PREFIX, &Field::UPGRADE_ORDER).announced();
    let value = RwSignal::new(chosen.unwrap_or_default());
    let is_current = move || value.with(|v| YearMonth::parse(v) == Some(current));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let outcome = api::upgrade::check_start_month(&value.get_untracked(), current);
        if errors.check(MONTH, outcome.map(drop).map_err(|e| e.message)) {
            on_next.run(());
        }
    };
    let months = YearMonth::start_choices(current)
        .into_iter()
        .map(|m| {
            let label = if m == current { format!("{} (this month)", m.label()) } else { m.label() };
            let key = m.to_string();
            view! { <option value=key.clone() selected=move || value.with(|v| *v == key)>{label}</option> }
        })
        .collect_view();
    view! {
        {step_heading("Select a start date")}
        <form class="sa-form" novalidate on:submit=submit>
            <Select
                errors=errors
                field=MONTH
                label="Start date"
                hint="The new tier starts on the first day of the month you choose."
                on_change=Callback::new(move |v: String| {
                    value.set(v.clone());
                    on_change.run(v);
                })
            >
                <option value="">"Choose a month"</option>
                {months}
            </Select>
            <Show when=is_current>
                <div class="sa-callout" role="note">
                    <strong>"Note: "</strong>
                    "If you select the current month, you will be charged a percentage of the total service spend for the whole month, starting from the 1st."
                </div>
            </Show>
            {back_and_continue(on_back)}
        </form>
    }
}
