//! The form's choices, which depend on the organization's options: severity (with this tier's
//! response times), product and reason.

use api::{Field, Severity, TicketOptions};
use leptos::prelude::*;

use super::draft::Fields;
use crate::components::form::{Choice, FieldErrors, RadioGroup, Select};

/// Severity: each level with its definition and this organization's first-response time.
pub(super) fn severity_choice(
    f: Fields,
    errors: FieldErrors,
    options: StoredValue<TicketOptions>,
) -> impl IntoView {
    let choices = Severity::ALL
        .into_iter()
        .map(|severity| {
            let times = options.with_value(|o| {
                o.response_times
                    .map(|times| {
                        format!(
                            "Expected first response: {} on your {} tier.",
                            times.get(severity),
                            o.tier_name.clone().unwrap_or_default()
                        )
                    })
                    .unwrap_or_default()
            });
            Choice {
                value: severity.key(),
                label: severity.label(),
                help: view! { {severity.definition()} <span class="sa-muted">{" "}{times}</span> }
                    .into_any(),
            }
        })
        .collect();
    view! {
        <RadioGroup
            errors=errors
            field=Field::Severity
            legend="Severity"
            choices=choices
            selected=Signal::derive(move || f.severity.get().map(Severity::key))
            on_change=Callback::new(move |key: &'static str| f.severity.set(Severity::parse(key)))
        />
    }
}

/// Product and reason; the reasons are the product's.
pub(super) fn product_and_reason(
    f: Fields,
    errors: FieldErrors,
    options: StoredValue<TicketOptions>,
) -> impl IntoView {
    let reasons = move || {
        let product = f.product.get();
        options.with_value(|o| {
            o.products
                .iter()
                .find(|p| p.key == product)
                .map(|p| p.reasons.clone())
        })
    };
    let on_product = Callback::new(move |value: String| {
        f.product.set(value);
        let keep = reasons().is_some_and(|r| r.iter().any(|r| r.key == f.reason.get_untracked()));
        if !keep {
            f.reason.set(String::new());
        }
        errors.edited(Field::Reason);
    });
    let products = options
        .with_value(|o| o.products.clone())
        .into_iter()
        .map(|p| {
            let key = p.key.clone();
            view! { <option value=p.key selected=move || f.product.with(|k| *k == key)>{p.name}</option> }
        })
        .collect_view();
    view! {
        <div class="sa-field-row">
            <Select errors=errors field=Field::Product label="Product" on_change=on_product>
                <option value="" selected=move || f.product.with(String::is_empty)>"Choose a product"</option>
                {products}
            </Select>
            <Select
                errors=errors
                field=Field::Reason
                label="Reason"
                on_change=Callback::new(move |value: String| f.reason.set(value))
            >
                {move || match reasons() {
                    None => view! { <option value="">"Choose a product first"</option> }.into_any(),
                    Some(list) => {
                        view! {
                            <option value="" selected=move || f.reason.with(String::is_empty)>"Choose a reason"</option>
                            {list
                                .into_iter()
                                .map(|r| {
                                    let key = r.key.clone();
                                    view! { <option value=r.key selected=move || f.reason.with(|k| *k == key)>{r.label}</option> }
                                })
                                .collect_view()}
                        }
                            .into_any()
                    }
                }}
            </Select>
        </div>
    }
}
