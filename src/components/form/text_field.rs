//! One-line and multi-line text fields, with an optional character counter.

use api::Field;
use leptos::prelude::*;

use super::{FieldErrors, FieldFrame};

/// A length limit shown under a text field once the text comes close to it.
#[derive(Debug, Clone, Copy)]
pub struct Counter {
    /// The most characters the field takes.
    pub max: usize,
    /// From how many percent of `max` the counter shows.
    pub shown_from: usize,
}

/// `120 of 255 characters used` or `3 characters over the limit`.
fn counter_text(count: usize, max: usize) -> String {
    use api::format::group_thousands;
    if count <= max {
        format!(
            "{} of {} characters used",
            group_thousands(count as u64),
            group_thousands(max as u64)
        )
    } else {
        format!(
            "{} characters over the limit",
            group_thousands((count - max) as u64)
        )
    }
}

/// What a text field says about itself: `aria-describedby` (its message, its guide, its counter) and
/// the counter's element.
struct Described {
    by: Box<dyn Fn() -> Option<String> + Send + Sync>,
    counter: Option<AnyView>,
}

fn described(
    errors: FieldErrors,
    field: Field,
    value: RwSignal<String>,
    guide_id: Option<String>,
    counter: Option<Counter>,
) -> Described {
    let count_id = counter.map(|_| format!("{}-count", errors.id(field)));
    let always = match (guide_id, &count_id) {
        (Some(guide), Some(count)) => Some(format!("{guide} {count}")),
        (guide, count) => guide.or_else(|| count.clone()),
    };
    let by = move || errors.describe(field, errors.has(field), always.as_deref());
    let counter = counter
        .zip(count_id)
        .map(|(Counter { max, shown_from }, id)| {
            let count = move || value.with(|s| s.trim().chars().count());
            view! {
                <p id=id class="sa-hint sa-counter" class:sa-counter-over=move || { count() > max }>
                    {move || {
                        let n = count();
                        (n * 100 >= max * shown_from).then(|| counter_text(n, max))
                    }}
                </p>
            }
            .into_any()
        });
    Described {
        by: Box::new(by),
        counter,
    }
}

/// Keeps `value` up to date as the user types; a message the field shows goes once it is fixed.
fn on_input(
    errors: FieldErrors,
    field: Field,
    value: RwSignal<String>,
) -> impl Fn(leptos::ev::Event) + 'static {
    move |ev| {
        value.set(event_target_value(&ev));
        errors.edited(field);
    }
}

/// With `check`, what the user typed is checked when they leave the field.
fn on_blur(
    errors: FieldErrors,
    field: Field,
    value: RwSignal<String>,
    check: bool,
) -> impl Fn(leptos::ev::FocusEvent) + 'static {
    move |_| {
        if check {
            errors.left(field, value.with_untracked(|v| !v.trim().is_empty()));
        }
    }
}

/// A one-line text field bound to `value`.
#[component]
pub fn TextField(
    errors: FieldErrors,
    field: Field,
    label: &'static str,
    value: RwSignal<String>,
    /// The input's `type`.
    #[prop(default = "text")]
    kind: &'static str,
    /// Whether the input carries its field's wire name as `name`, for password managers.
    #[prop(optional)]
    named: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] spellcheck: Option<&'static str>,
    #[prop(optional)] counter: Option<Counter>,
    /// Check the field when the user leaves it, not only when they fix it.
    #[prop(optional)]
    check_on_blur: bool,
) -> impl IntoView {
    let Described { by, counter } = described(errors, field, value, None, counter);
    view! {
        <FieldFrame errors=errors field=field label=label>
            <input
                id=errors.id(field)
                type=kind
                name=named.then_some(field.as_str())
                autocomplete=autocomplete
                spellcheck=spellcheck
                prop:value=move || value.get()
                on:input=on_input(errors, field, value)
                on:blur=on_blur(errors, field, value, check_on_blur)
                aria-invalid=errors.invalid(field)
                aria-describedby=by
            />
            {counter}
        </FieldFrame>
    }
}

/// A multi-line text field bound to `value`; `guide`, what to write, is shown in a callout between the
/// label and the box (`{id}-guide`, part of the box's description).
#[component]
pub fn TextArea(
    errors: FieldErrors,
    field: Field,
    label: &'static str,
    value: RwSignal<String>,
    rows: &'static str,
    #[prop(optional, into)] guide: Option<ViewFn>,
    #[prop(optional)] counter: Option<Counter>,
    /// Check the field when the user leaves it, not only when they fix it.
    #[prop(optional)]
    check_on_blur: bool,
) -> impl IntoView {
    let guide_id = guide
        .as_ref()
        .map(|_| format!("{}-guide", errors.id(field)));
    let guide = guide
        .zip(guide_id.clone())
        .map(|(guide, id)| view! { <div id=id class="sa-callout sa-guide">{guide.run()}</div> });
    let Described { by, counter } = described(errors, field, value, guide_id, counter);
    view! {
        <FieldFrame errors=errors field=field label=label>
            {guide}
            <textarea
                id=errors.id(field)
                rows=rows
                prop:value=move || value.get()
                on:input=on_input(errors, field, value)
                on:blur=on_blur(errors, field, value, check_on_blur)
                aria-invalid=errors.invalid(field)
                aria-describedby=by
            ></textarea>
            {counter}
        </FieldFrame>
    }
}
