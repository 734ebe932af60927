//! JSON through the browser's own `JSON.parse` and `JSON.stringify`; serde only maps the values.
//! (serde_json would add tens of kilobytes to the bundle for the same work.)

use serde::Serialize;
use serde::de::DeserializeOwned;

/// `text` as a `T`, if it is JSON of that shape.
pub fn parse<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// `value` as JSON text.
pub fn stringify<T: Serialize>(value: &T) -> Option<String> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let value = value.serialize(&serializer).ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}
