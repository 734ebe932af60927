//! Times as people read them: one format everywhere, in the user's locale and time zone, formatted by
//! the browser (`Intl.DateTimeFormat`), with the exact time on hover and on keyboard focus.

use std::cell::Cell;

use api::Timestamp;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

fn js_date(at: Timestamp) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(at.unix_seconds() as f64 * 1000.0))
}

/// A browser formatter for the user's locale and time zone (no locale given: the browser's own) with
/// the given `dateStyle` and `timeStyle`.
fn formatter(date_style: &str, time_style: &str) -> js_sys::Intl::DateTimeFormat {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &date_style.into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &time_style.into());
    js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options)
}

thread_local! {
    // Made once: a list shows two times a row, each with its exact time.
    static SHORT: js_sys::Intl::DateTimeFormat = formatter("medium", "short");
    static EXACT: js_sys::Intl::DateTimeFormat = formatter("full", "long");
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
}

fn intl_format(format: &js_sys::Intl::DateTimeFormat, at: Timestamp) -> String {
    format
        .format()
        .call1(&JsValue::UNDEFINED, &js_date(at))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| at.to_string())
}

/// The one format of dates and times in the app: short date and time in the user's locale and time
/// zone, e.g. `Nov 27, 2026, 12:36 AM`.
pub fn local_date_time(at: Timestamp) -> String {
    SHORT.with(|f| intl_format(f, at))
}

/// The exact time, to the second and with the time zone, e.g. `Friday, November 27, 2026 at
/// 12:36:52 AM GMT+1`: what hovering or focusing a time shows.
pub fn exact_time(at: Timestamp) -> String {
    EXACT.with(|f| intl_format(f, at))
}

/// A time as the app shows it: `<time datetime>` in the one format, focusable, with the exact time in
/// a tooltip on hover and focus that is also its accessible description (so screen readers hear it
/// on focus too). Escape hides the tooltip until the time loses focus or the pointer leaves
/// (WCAG 1.4.13: content on hover or focus can be dismissed).
pub fn time_view(at: Timestamp) -> impl IntoView {
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        format!("sa-time-{id}")
    });
    let dismissed = RwSignal::new(false);
    view! {
        <span class="sa-time" class:sa-time-dismissed=move || dismissed.get() on:mouseleave=move |_| dismissed.set(false)>
            <time
                datetime=at.to_string()
                tabindex="0"
                aria-describedby=id.clone()
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        dismissed.set(true);
                    }
                }
                on:blur=move |_| dismissed.set(false)
            >
                {local_date_time(at)}
            </time>
            <span id=id class="sa-time-exact" role="tooltip">{exact_time(at)}</span>
        </span>
    }
}
