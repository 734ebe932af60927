//! Reusable pieces shared by pages: the shell, loading and failure states, polling, and the form kit.

mod breadcrumb;
mod error_panel;
pub mod form;
mod loaded;
mod poll;
mod route_focus;
mod shell;
mod skeleton;
mod stages;
mod time;

pub use breadcrumb::Breadcrumb;
pub use error_panel::ErrorPanel;
pub use loaded::{Placeholder, loaded};
pub use poll::{EtagPoll, Fresh};
pub use route_focus::RouteFocus;
pub use shell::Shell;
pub use skeleton::PageSkeleton;
pub use stages::{Stages, next_task};
pub use time::{exact_time, local_date_time, time_view};

/// Sets the browser tab's title, e.g. `Support · Acme Analytics`, unless the app is embedded (the tab
/// is the console's) and the host did not ask for it.
pub fn set_document_title(title: &str) {
    if leptos::prelude::use_context::<crate::AppConfig>().is_some_and(|c| !c.manage_title) {
        return;
    }
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}

/// Moves focus to the element with `id` on the next frame, after the view that adds or changes it has
/// rendered (error summaries, fields with errors, a new step's heading). Embedded, the app is in a
/// shadow root, which `document.getElementById` does not see: the mounted roots are searched too.
///
/// Only the latest request of a frame is carried out, and only while focus is still where it was when
/// the request was made, dropped to `<body>` (the clicked button was replaced by the form, say), or
/// where the app itself last put it (the new page's heading). A frame can come late on a busy device:
/// a user who has clicked into a field meanwhile keeps the focus, or the next keys they type would
/// land in the field the late frame picked.
pub fn focus_by_id(id: impl Into<String>) {
    let id = id.into();
    let request = FOCUS_REQUESTS.with(|n| {
        n.set(n.get().wrapping_add(1));
        n.get()
    });
    let before = deep_active_element();
    leptos::prelude::request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if FOCUS_REQUESTS.with(std::cell::Cell::get) != request {
            return;
        }
        if let Some(now) = deep_active_element()
            && now.tag_name() != "BODY"
            && !before.as_ref().is_some_and(|b| b.is_same_node(Some(&now)))
            && !APP_FOCUSED.with_borrow(|ours| {
                ours.as_ref()
                    .and_then(|weak| weak.deref())
                    .is_some_and(|o| now.is_same_node(o.dyn_ref::<web_sys::Node>()))
            })
        {
            return;
        }
        let in_document = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id));
        let found = in_document.or_else(|| {
            ROOTS.with_borrow(|roots| {
                roots.iter().find_map(|root| {
                    root.query_selector(&format!("[id=\"{id}\"]"))
                        .ok()
                        .flatten()
                })
            })
        });
        if let Some(el) = found.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
            focus_as_app(&el);
        }
    });
}

/// Focuses `el` for the app (not for the user): a later [`focus_by_id`] may move focus on from there.
pub fn focus_as_app(el: &web_sys::HtmlElement) {
    let _ = el.focus();
    let object: &js_sys::Object = el;
    APP_FOCUSED.with_borrow_mut(|ours| *ours = Some(js_sys::WeakRef::new(object)));
}

/// The focused element, inside the shadow roots it is in (an embedded app's): `document.activeElement`
/// names only their host. `None` when nothing has focus.
fn deep_active_element() -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    let mut active = web_sys::window()?.document()?.active_element()?;
    loop {
        let inner = js_sys::Reflect::get(&active, &"shadowRoot".into())
            .ok()
            .filter(|root| !root.is_null() && !root.is_undefined())
            .and_then(|root| js_sys::Reflect::get(&root, &"activeElement".into()).ok())
            .and_then(|el| el.dyn_into::<web_sys::Element>().ok());
        match inner {
            Some(el) => active = el,
            None => return Some(active),
        }
    }
}

thread_local! {
    /// How many [`focus_by_id`] requests were made: a request runs only if none was made after it.
    static FOCUS_REQUESTS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    /// The element the app focused last ([`focus_as_app`]). Weak: a strong reference would keep an
    /// unmounted app's whole detached tree alive (embed.spec.ts counted 570 DOM nodes left after 20
    /// mounts and unmounts).
    static APP_FOCUSED: std::cell::RefCell<Option<js_sys::WeakRef>> = const { std::cell::RefCell::new(None) };
    /// The elements embedded apps are mounted in (inside their shadow roots), for [`focus_by_id`].
    static ROOTS: std::cell::RefCell<Vec<web_sys::HtmlElement>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An embedded app was mounted in `root` (inside a shadow root).
pub fn remember_root(root: &web_sys::HtmlElement) {
    time::listen_to(Some(root));
    ROOTS.with_borrow_mut(|roots| roots.push(root.clone()));
}

/// Calls `f` with the document, then with each embedded app's root (which the document's queries do not
/// see into).
fn for_each_root(mut f: impl FnMut(&web_sys::Element)) {
    if let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        f(&html);
    }
    ROOTS.with_borrow(|roots| roots.iter().for_each(|root| f(root)));
}

/// The app mounted in `root` is gone.
pub fn forget_root(root: &web_sys::HtmlElement) {
    ROOTS.with_borrow_mut(|roots| roots.retain(|r| r != root));
}
