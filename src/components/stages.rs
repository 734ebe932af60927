//! A page too large to draw in one task on a slow phone, drawn in a few tasks and shown at once.
//!
//! With a 4x slower CPU, drawing the create form, a ticket page or My tickets when its data or its code came
//! was one task of 50-75 ms (scripts/bench.sh): a long task, during which a tap or a key waits. Here the page
//! is drawn in stages, each in a task of its own, inside a container that stays hidden (with the grey blocks
//! still showing) until the last stage is in. So the page still appears in one paint, in the same frame as
//! before give or take a task switch, and nothing on it moves as the later stages come in.

use std::time::Duration;

use leptos::prelude::*;

use super::Placeholder;

/// The stages of one page; made with the page's view, so each page draws its own.
#[derive(Clone, Copy)]
pub struct Stages {
    /// How many stages are drawn (1 at first).
    drawn: RwSignal<u8>,
    count: u8,
    /// Every stage is drawn.
    done: Memo<bool>,
}

impl Stages {
    /// `count` stages: the first is drawn with the caller's view, each next one in a task after the one
    /// before.
    pub fn new(count: u8) -> Self {
        let drawn = RwSignal::new(1);
        let stages = Self {
            drawn,
            count,
            done: Memo::new(move |_| drawn.get() >= count),
        };
        stages.next_later();
        stages
    }

    fn next_later(self) {
        if self.drawn.get_untracked() < self.count {
            // A timer, not a microtask: the browser's own work (input, paint) may run between stages.
            set_timeout(
                move || {
                    // (The page may be gone by then.)
                    if self.drawn.try_update(|n| *n += 1).is_some() {
                        self.next_later();
                    }
                },
                Duration::ZERO,
            );
        }
    }

    /// `view`, drawn from stage `stage` on (the first stage is 1), and drawn once: neither a later stage
    /// nor a signal `view` reads as it builds draws it again. (A `ViewFn`, not a generic closure: one copy
    /// of this code for every stage of every page.)
    pub fn at(self, stage: u8, view: impl Into<ViewFn>) -> impl IntoView {
        let view: ViewFn = view.into();
        let drawn = self.drawn;
        let shown = Memo::new(move |_| drawn.get() >= stage);
        move || shown.get().then(|| untrack(|| view.run()))
    }

    /// Whether every stage is drawn.
    pub fn done(self) -> bool {
        self.done.get()
    }

    /// The page: `view` in a container hidden until every stage is drawn, after the `placeholder` that
    /// stands in for it until then, as it did while the page's data loaded (see [`super::loaded`]). The
    /// container takes no part in the layout (`display: contents`).
    pub fn page(self, placeholder: Placeholder, view: AnyView) -> impl IntoView {
        view! {
            {move || (!self.done()).then(|| placeholder.skeleton())}
            <div class="sa-stages" hidden=move || !self.done()>
                {view}
            </div>
        }
    }
}

/// Resolves in a task after this one: what follows runs in a task of its own, after whatever the
/// browser has waiting (input, a frame).
pub async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        set_timeout(
            move || {
                let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
            },
            Duration::ZERO,
        );
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
