//! Focus after a page change. Following a link replaces the page the link was on, which drops the
//! focus to `<body>`: a keyboard user would start again from the top of the document and a screen
//! reader would say nothing about the new page. So after every change of path, focus moves to the new
//! page's `<h1>` (made focusable from script only), unless the page (or the user) has already put it
//! somewhere, e.g. the "Ticket created" confirmation. Signing in does the same: the sign-in form
//! gives way to the page at the same path.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::html::Main;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::router::use_router;

/// How many frames to keep watching after a change of path (about 10 s at 60 Hz): a page loaded on
/// demand draws its heading only once its chunk and its data have arrived.
const WATCH_FRAMES: u32 = 600;

/// What a watch holds between frames. One watch at a time: a new change of path replaces it, and the
/// app's cleanup empties the slot, so a frame still pending after an unmount holds nothing of the page
/// (a watch that held `<main>` kept the whole removed page alive until its frames ran out).
struct Watching {
    main: HtmlElement,
    /// The element focus was on when the path changed (the followed link, while the old page is drawn).
    left_on: Option<Element>,
    /// The heading this watch focused.
    ours: Option<HtmlElement>,
    frames_left: u32,
}

type Slot = SendWrapper<Rc<RefCell<Option<Watching>>>>;

/// Moves focus to the new page's heading after each change of path, and when signing in or out
/// replaces the page at the same path; never when the app starts (the first page, or the session
/// check that ends in it: an embedded app must not take focus from the console as it loads).
/// `main` is the element the pages are drawn in; `signed_in` is the session's state, `None` while
/// it is being checked.
#[component]
pub fn RouteFocus(main: NodeRef<Main>, signed_in: Signal<Option<bool>>) -> impl IntoView {
    let path = use_router().path();
    let slot: Slot = SendWrapper::new(Rc::default());
    {
        let slot = slot.clone();
        on_cleanup(move || {
            slot.borrow_mut().take();
        });
    }
    Effect::new(move |previous: Option<(String, Option<bool>)>| {
        let now = (path.get(), signed_in.get());
        let changed = previous.is_some_and(|(path, was)| {
            // Checking -> known is the app starting, not a change the user made.
            was.is_some() && (path != now.0 || was != now.1)
        });
        if changed && let Some(main) = main.get_untracked() {
            let left_on = active_element(&main);
            let starts = slot.borrow().is_none();
            *slot.borrow_mut() = Some(Watching {
                main,
                left_on,
                ours: None,
                frames_left: WATCH_FRAMES,
            });
            // A watch already under way goes on with the new page; only one waits for frames.
            if starts {
                next_frame(slot.clone());
            }
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

fn next_frame(slot: Slot) {
    request_animation_frame(move || {
        // Out of the slot while it runs: focusing the heading fires focus events, and nothing they
        // run may find the slot borrowed.
        let Some(mut watching) = slot.borrow_mut().take() else {
            return;
        };
        if watch(&mut watching) {
            let mut held = slot.borrow_mut();
            // A change of path meanwhile put a newer watch there: it goes on instead.
            if held.is_none() {
                *held = Some(watching);
            }
            drop(held);
            next_frame(slot);
        }
    });
}

/// One frame of the watch: focus the heading while focus is still where the navigation left it
/// (`left_on`, the followed link, while the old page is still drawn), dropped (`<body>`, `<main>`,
/// nothing) or on the heading this watch focused (`ours`) that has since been replaced. Whether to
/// watch another frame: not once anything else has focus, the frames have run out, or the app is gone.
fn watch(w: &mut Watching) -> bool {
    if !w.main.is_connected() {
        return false;
    }
    // Elements of a page that is gone cannot have focus: let go of them.
    w.left_on = w.left_on.take().filter(|l| l.is_connected());
    w.ours = w.ours.take().filter(|o| o.is_connected());
    let active = active_element(&w.main);
    let unclaimed = match &active {
        None => true,
        Some(el) => {
            el.tag_name() == "BODY"
                || w.main.is_same_node(Some(el))
                || w.left_on.as_ref().is_some_and(|l| l.is_same_node(Some(el)))
                || w.ours.as_ref().is_some_and(|o| o.is_same_node(Some(el)))
        }
    };
    if !unclaimed {
        return false;
    }
    let heading = w
        .main
        .query_selector("h1")
        .ok()
        .flatten()
        .and_then(|h| h.dyn_into::<HtmlElement>().ok());
    w.ours = match heading {
        Some(h1) if !active.as_ref().is_some_and(|a| h1.is_same_node(Some(a))) => {
            if !h1.has_attribute("tabindex") {
                let _ = h1.set_attribute("tabindex", "-1");
            }
            super::focus_as_app(&h1);
            Some(h1)
        }
        heading => heading.or(w.ours.take()),
    };
    if w.frames_left == 0 {
        return false;
    }
    w.frames_left -= 1;
    true
}
