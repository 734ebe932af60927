//! Times as people read them: one format everywhere, in the user's locale and time zone, formatted by
//! the browser (`Intl.DateTimeFormat`), with the exact time on hover and on keyboard focus.

use std::cell::{Cell, RefCell};
use std::time::Duration;

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
    /// Tooltips whose exact time is still to be written, oldest first (see [`exact_later`]).
    static PENDING: RefCell<Vec<(RwSignal<String>, Timestamp)>> = const { RefCell::new(Vec::new()) };
}

/// How many exact times one task writes.
const EXACT_BATCH: usize = 20;

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

/// Writes the exact time into `slot` in a later task, a batch per task. The exact time is seen only on
/// hover or focus, and it is the costlier format (weekday, seconds, time zone): written with the page,
/// a cold My tickets spent about 18 ms of a 52 ms task with a 4x slower CPU formatting its 50 times twice
/// (a Chromium profile), which made that task a long one.
fn exact_later(slot: RwSignal<String>, at: Timestamp) {
    let first = PENDING.with_borrow_mut(|pending| {
        pending.push((slot, at));
        pending.len() == 1
    });
    if first {
        write_pending_later();
    }
}

fn write_pending_later() {
    set_timeout(
        || {
            let batch: Vec<_> = PENDING.with_borrow_mut(|pending| {
                let n = pending.len().min(EXACT_BATCH);
                pending.drain(..n).collect()
            });
            for (slot, at) in batch {
                write_exact(slot, at);
            }
            if PENDING.with_borrow(|pending| !pending.is_empty()) {
                write_pending_later();
            }
        },
        Duration::ZERO,
    );
}

/// Writes the exact time now, unless it is there already or its time is gone from the page.
fn write_exact(slot: RwSignal<String>, at: Timestamp) {
    if slot.try_with_untracked(String::is_empty) == Some(true) {
        let _ = slot.try_set(exact_time(at));
    }
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
    let exact = RwSignal::new(String::new());
    exact_later(exact, at);
    view! {
        <span
            class="sa-time"
            class:sa-time-dismissed=move || dismissed.get()
            // Hovered or focused before its turn came: set in the handler, so the text is in the page after the
            // handler's microtasks, before the browser next paints or updates what screen readers read.
            on:mouseenter=move |_| write_exact(exact, at)
            on:focusin=move |_| write_exact(exact, at)
            on:mouseleave=move |_| dismissed.set(false)
        >
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
            <span id=id class="sa-time-exact" role="tooltip">{move || exact.get()}</span>
        </span>
    }
}
