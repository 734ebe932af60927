//! Times as people read them: in their locale and time zone, formatted by the browser.

use api::Timestamp;
use wasm_bindgen::JsValue;

fn js_date(at: Timestamp) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(at.unix_seconds() as f64 * 1000.0))
}

/// A time in the user's locale and time zone, e.g. `11/27/2026, 1:04:52 PM`.
pub fn local_time(at: Timestamp) -> String {
    js_date(at)
        .to_locale_string("default", &JsValue::UNDEFINED)
        .into()
}

/// A short date and time in the user's locale, e.g. `Nov 27, 2026, 1:04 PM`.
pub fn local_date_time(at: Timestamp) -> String {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    js_date(at).to_locale_string("default", &options).into()
}
