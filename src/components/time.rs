//! Times as people read them: one format everywhere, in the user's locale and time zone, formatted by
//! the browser (`Intl.DateTimeFormat`), with the exact time on hover and on keyboard focus.

use std::cell::Cell;
use std::time::Duration;

use api::Timestamp;
use leptos::prelude::*;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};

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
    /// Whether the document listens for what happens to times ([`listen_to`]).
    static LISTENING: Cell<bool> = const { Cell::new(false) };
    /// Whether a task that writes exact times is due ([`exact_later`]).
    static WRITING: Cell<bool> = const { Cell::new(false) };
}

/// How many exact times one task writes.
const EXACT_BATCH: u32 = 20;

fn intl_format(format: &js_sys::Intl::DateTimeFormat, date: &js_sys::Date) -> Option<String> {
    format
        .format()
        .call1(&JsValue::UNDEFINED, date)
        .ok()
        .and_then(|s| s.as_string())
}

/// The one format of dates and times in the app: short date and time in the user's locale and time
/// zone, e.g. `Nov 27, 2026, 12:36 AM`.
pub fn local_date_time(at: Timestamp) -> String {
    SHORT
        .with(|f| intl_format(f, &js_date(at)))
        .unwrap_or_else(|| at.to_string())
}

/// The exact time, to the second and with the time zone, e.g. `Friday, November 27, 2026 at
/// 12:36:52 AM GMT+1`: what hovering or focusing a time shows.
pub fn exact_time(at: Timestamp) -> String {
    EXACT
        .with(|f| intl_format(f, &js_date(at)))
        .unwrap_or_else(|| at.to_string())
}

/// A time as the app shows it: `<time datetime>` in the one format, focusable, with the exact time in
/// a tooltip on hover and focus that is also its accessible description (so screen readers hear it
/// on focus too). Escape hides the tooltip until the time loses focus or the pointer leaves
/// (WCAG 1.4.13: content on hover or focus can be dismissed).
///
/// Plain elements: what happens to them is handled by listeners on the document and on embedded apps'
/// roots ([`listen_to`]), and the exact time is written in later tasks. With a listener per event and a
/// signal per tooltip, each time was about a fifth of drawing My tickets (100 times) with a 4x slower
/// CPU, where that draw made a long task (a Chromium profile, docs/performance.md).
pub fn time_view(at: Timestamp) -> impl IntoView {
    listen_to(None);
    exact_later();
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        format!("sa-time-{id}")
    });
    view! {
        <span class="sa-time">
            <time datetime=at.to_string() tabindex="0" aria-describedby=id.clone()>
                {local_date_time(at)}
            </time>
            <span id=id class="sa-time-exact" role="tooltip"></span>
        </span>
    }
}

/// Handles what happens to the times under `root` (the document when `None`, once). Capturing
/// listeners: they also see the events that do not bubble (`mouseenter`, `mouseleave`, `blur`). An
/// embedded app's root needs its own, as events from inside a shadow root reach the document with the
/// shadow's host as their target.
pub fn listen_to(root: Option<&web_sys::EventTarget>) {
    let document;
    let target = match root {
        Some(root) => root,
        None => {
            if LISTENING.with(|l| l.replace(true)) {
                return;
            }
            let Some(d) = web_sys::window().and_then(|w| w.document()) else {
                return;
            };
            document = d;
            &document
        }
    };
    let options = web_sys::AddEventListenerOptions::new();
    options.set_capture(true);
    options.set_passive(true);
    for (kind, handle) in [
        ("focusin", on_enter as fn(&web_sys::Event)),
        ("mouseenter", on_enter),
        ("keydown", on_keydown),
        ("blur", on_leave),
        ("mouseleave", on_leave),
    ] {
        let listener =
            Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| handle(&ev));
        let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
            kind,
            listener.as_ref().unchecked_ref(),
            &options,
        );
        // As long as the page. (An embedded app's root takes its listeners with it when it goes, but not
        // these five small closures; sharing one set between roots cost 830 B of chunks in brotli,
        // all from renumbered functions, over the size limits.)
        listener.forget();
    }
}

/// The time wrapper (`.sa-time`) the event happened in, if any.
fn wrapper_of(ev: &web_sys::Event) -> Option<web_sys::Element> {
    ev.target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest(".sa-time")
        .ok()
        .flatten()
}

/// Hovered or focused: the exact time is written now if its turn has not come yet, in the handler, so
/// it is in the page before the browser next paints or updates what screen readers read.
fn on_enter(ev: &web_sys::Event) {
    if let Some(wrapper) = wrapper_of(ev)
        && let Ok(Some(tip)) = wrapper.query_selector(".sa-time-exact")
    {
        write_exact(&tip);
    }
}

fn on_keydown(ev: &web_sys::Event) {
    let escape = ev
        .dyn_ref::<web_sys::KeyboardEvent>()
        .is_some_and(|k| k.key() == "Escape");
    if escape && let Some(wrapper) = wrapper_of(ev) {
        let _ = wrapper.class_list().add_1(DISMISSED);
    }
}

/// The time lost the focus, or the pointer left the whole time (not just one of its parts).
fn on_leave(ev: &web_sys::Event) {
    let Some(wrapper) = wrapper_of(ev) else {
        return;
    };
    let left_time = ev.type_() == "blur";
    let is_wrapper = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|t| t == wrapper);
    if left_time || is_wrapper {
        let _ = wrapper.class_list().remove_1(DISMISSED);
    }
}

/// The class that hides a time's tooltip after Escape.
const DISMISSED: &str = "sa-time-dismissed";

/// Writes a tooltip's exact time from its time's `datetime`, unless it is there already. Added to what
/// the framework put there (a comment, its marker), not written over it.
fn write_exact(tip: &web_sys::Element) {
    if tip.text_content().is_some_and(|text| !text.is_empty()) {
        return;
    }
    let datetime = tip
        .previous_element_sibling()
        .and_then(|time| time.get_attribute("datetime"));
    if let Some(datetime) = datetime {
        let date = js_sys::Date::new(&JsValue::from_str(&datetime));
        let text = EXACT.with(|f| intl_format(f, &date)).unwrap_or(datetime);
        let _ = tip.append_with_str_1(&text);
    }
}

/// Writes the exact times still missing in a later task, a batch per task. The exact time is seen only
/// on hover or focus, and it is the costlier format (weekday, seconds, time zone): written with the
/// page, a cold My tickets spent about 18 ms of a 52 ms task with a 4x slower CPU formatting its 50 times
/// twice (a Chromium profile), which made that task a long one.
fn exact_later() {
    if WRITING.with(|w| w.replace(true)) {
        return;
    }
    set_timeout(
        || {
            WRITING.with(|w| w.set(false));
            let mut written = 0;
            super::for_each_root(|root| {
                if written >= EXACT_BATCH {
                    return;
                }
                let Ok(tips) = root.query_selector_all(".sa-time-exact:empty") else {
                    return;
                };
                for i in 0..tips.length() {
                    if written >= EXACT_BATCH {
                        // The rest in the next task.
                        exact_later();
                        return;
                    }
                    if let Some(tip) = tips
                        .item(i)
                        .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                    {
                        write_exact(&tip);
                        written += 1;
                    }
                }
            });
        },
        Duration::ZERO,
    );
}
