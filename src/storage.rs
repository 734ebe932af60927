//! Drafts in the browser's localStorage, as JSON. Storage can be missing (privacy modes, embedded
//! frames) or full; then drafts simply are not kept, and the form still works.

use serde::Serialize;
use serde::de::DeserializeOwned;

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The value stored under `key`, if there is one and it still has the expected shape.
pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    let text = local_storage()?.get_item(key).ok().flatten()?;
    let value = js_sys::JSON::parse(&text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// Stores `value` under `key`. Returns whether it was stored.
pub fn save<T: Serialize>(key: &str, value: &T) -> bool {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let Some(text) = value
        .serialize(&serializer)
        .ok()
        .and_then(|v| js_sys::JSON::stringify(&v).ok())
        .and_then(|s| s.as_string())
    else {
        return false;
    };
    local_storage().is_some_and(|s| s.set_item(key, &text).is_ok())
}

/// Forgets `key`.
pub fn remove(key: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(key);
    }
}
