//! Reusable pieces shared by pages.

mod error_panel;
mod shell;
mod skeleton;

pub use error_panel::ErrorPanel;
pub use shell::Shell;
pub use skeleton::PageSkeleton;

/// Sets the browser tab's title, e.g. `Support · Acme Analytics`.
pub fn set_document_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}
