//! Reusable pieces shared by pages: the shell, loading and failure states, polling, and the form kit.

mod breadcrumb;
mod error_panel;
pub mod form;
mod loaded;
mod poll;
mod route_focus;
mod shell;
mod skeleton;
mod time;

pub use breadcrumb::Breadcrumb;
pub use error_panel::ErrorPanel;
pub use loaded::{Placeholder, loaded};
pub use poll::{EtagPoll, Fresh};
pub use route_focus::RouteFocus;
pub use shell::Shell;
pub use skeleton::PageSkeleton;
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
pub fn focus_by_id(id: impl Into<String>) {
    let id = id.into();
    leptos::prelude::request_animation_frame(move || {
        use wasm_bindgen::JsCast;
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
            let _ = el.focus();
        }
    });
}

thread_local! {
    /// The elements embedded apps are mounted in (inside their shadow roots), for [`focus_by_id`].
    static ROOTS: std::cell::RefCell<Vec<web_sys::HtmlElement>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An embedded app was mounted in `root` (inside a shadow root).
pub fn remember_root(root: &web_sys::HtmlElement) {
    ROOTS.with_borrow_mut(|roots| roots.push(root.clone()));
}

/// The app mounted in `root` is gone.
pub fn forget_root(root: &web_sys::HtmlElement) {
    ROOTS.with_borrow_mut(|roots| roots.retain(|r| r != root));
}
