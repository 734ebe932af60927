//! Drafts in the browser's localStorage, as JSON. Storage can be missing (privacy modes, embedded
//! frames) or full; then drafts simply are not kept, and the form still works.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::json;

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The value stored under `key`, if there is one and it still has the expected shape.
pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    json::parse(&local_storage()?.get_item(key).ok().flatten()?)
}

/// Stores `value` under `key`. Returns whether it was stored.
pub fn save<T: Serialize>(key: &str, value: &T) -> bool {
    let Some(text) = json::stringify(value) else {
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

/// Forgets every key for which `doomed` says yes. The keys are collected first: removing while
/// walking by index would skip the key that moves into the removed one's place.
pub fn remove_where(doomed: impl Fn(&str) -> bool) {
    let Some(storage) = local_storage() else {
        return;
    };
    let count = storage.length().unwrap_or(0);
    let keys: Vec<String> = (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| doomed(key))
        .collect();
    for key in keys {
        let _ = storage.remove_item(&key);
    }
}
