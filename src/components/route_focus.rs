//! Focus after a page change. Following a link replaces the page the link was on, which drops the
//! focus to `<body>`: a keyboard user would start again from the top of the document and a screen
//! reader would say nothing about the new page. So after every change of path, focus moves to the new
//! page's `<h1>` (made focusable from script only), unless the page (or the user) has already put it
//! somewhere, e.g. the "Ticket created" confirmation. Signing in does the same: the sign-in form
//! gives way to the page at the same path.

use leptos::html::Main;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::router::use_router;

/// How many frames to keep watching after a change of path (about 10 s at 60 Hz): a page loaded on
/// demand draws its heading only once its chunk and its data have arrived.
const WATCH_FRAMES: u32 = 600;

/// Moves focus to the new page's heading after each change of path, and when signing in or out
/// replaces the page at the same path; never when the app starts (the first page, or the session
/// check that ends in it: an embedded app must not take focus from the console as it loads).
/// `main` is the element the pages are drawn in; `signed_in` is the session's state, `None` while
/// it is being checked.
#[component]
pub fn RouteFocus(main: NodeRef<Main>, signed_in: Signal<Option<bool>>) -> impl IntoView {
    let path = use_router().path();
    Effect::new(move |previous: Option<(String, Option<bool>)>| {
        let now = (path.get(), signed_in.get());
        let changed = previous.is_some_and(|(path, was)| {
            // Checking -> known is the app starting, not a change the user made.
            was.is_some() && (path != now.0 || was != now.1)
        });
        if changed && let Some(main) = main.get_untracked() {
            let left_on = active_element(&main);
            watch(main, left_on, None, WATCH_FRAMES);
        }
        now
    });
}

/// The focused element of the document or shadow root `main` is in (`None` when focus is outside an
/// embedded app, or was dropped inside it).
fn active_element(main: &HtmlElement) -> Option<Element> {
    let root = main.get_root_node();
    js_sys::Reflect::get(&root, &"activeElement".into())
        .ok()?
        .dyn_into()
        .ok()
}

/// One frame of the watch: focus the heading while focus is still where the navigation left it
/// (`left_on`, the followed link, while the old page is still drawn), dropped (`<body>`, `<main>`,
/// nothing) or on the heading this watch focused (`ours`) that has since been replaced; stop as soon
/// as anything else has focus.
fn watch(main: HtmlElement, left_on: Option<Element>, ours: Option<HtmlElement>, frames: u32) {
    request_animation_frame(move || {
        // The app was unmounted: stop now. A watch that went on would hold `main`, and with it the whole
        // removed page, for the rest of its frames.
        if !main.is_connected() {
            return;
        }
        // Nor does it hold the elements of a page that is gone: focus cannot be on them any more.
        let left_on = left_on.filter(|l| l.is_connected());
        let ours = ours.filter(|o| o.is_connected());
        let active = active_element(&main);
        let unclaimed = match &active {
            None => true,
            Some(el) => {
                el.tag_name() == "BODY"
                    || main.is_same_node(Some(el))
                    || left_on.as_ref().is_some_and(|l| l.is_same_node(Some(el)))
                    || ours.as_ref().is_some_and(|o| o.is_same_node(Some(el)))
            }
        };
        if !unclaimed {
            return;
        }
        let heading = main
            .query_selector("h1")
            .ok()
            .flatten()
            .and_then(|h| h.dyn_into::<HtmlElement>().ok());
        let ours = match heading {
            Some(h1) if !active.as_ref().is_some_and(|a| h1.is_same_node(Some(a))) => {
                if !h1.has_attribute("tabindex") {
                    let _ = h1.set_attribute("tabindex", "-1");
                }
                super::focus_as_app(&h1);
                Some(h1)
            }
            heading => heading.or(ours),
        };
        if frames > 0 {
            watch(main, left_on, ours, frames - 1);
        }
    });
}
