//! The page that embeds the app: the events it is told about, dispatched on the element the app is
//! mounted in. Standalone there is no host and nothing is dispatched.

use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;

/// The host element, as context (`Host::default()` when standalone).
#[derive(Clone, Default)]
pub struct Host(Option<SendWrapper<web_sys::HtmlElement>>);

impl Host {
    /// Events go to `element`.
    pub fn new(element: web_sys::HtmlElement) -> Self {
        Self(Some(SendWrapper::new(element)))
    }

    /// Dispatches `support:{name}` with `detail` built from `fields` (name, value) on the host element.
    /// The event bubbles and is composed, so a listener on any ancestor (or outside a shadow root)
    /// sees it.
    pub fn emit(&self, name: &str, fields: &[(&str, JsValue)]) {
        let Some(element) = &self.0 else { return };
        let detail = js_sys::Object::new();
        for (key, value) in fields {
            let _ = js_sys::Reflect::set(&detail, &JsValue::from_str(key), value);
        }
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&detail);
        if let Ok(event) =
            web_sys::CustomEvent::new_with_event_init_dict(&format!("support:{name}"), &init)
        {
            let _ = element.dispatch_event(&event);
        }
    }

    /// The app navigated to `path` (the whole path, base included, with the query).
    pub fn navigated(&self, path: &str) {
        self.emit("navigate", &[("path", JsValue::from_str(path))]);
    }

    /// A ticket was created.
    pub fn ticket_created(&self, id: i64) {
        self.emit("ticket-created", &[("id", JsValue::from_f64(id as f64))]);
    }

    /// Something was added to a ticket's conversation.
    pub fn comment_added(&self, ticket_id: i64) {
        self.emit(
            "comment-added",
            &[("ticketId", JsValue::from_f64(ticket_id as f64))],
        );
    }

    /// A higher support tier was requested (`tier` is its key, e.g. `business`).
    pub fn upgrade_requested(&self, tier: &str) {
        self.emit("upgrade-requested", &[("tier", JsValue::from_str(tier))]);
    }

    /// The token is missing or expired: the host should call `setToken`.
    pub fn token_expired(&self) {
        self.emit("token-expired", &[]);
    }
}
