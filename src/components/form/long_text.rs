//! Typing into a long text without copying it on every key.
//!
//! A multi-line field bound to a `RwSignal<String>` used to copy the whole text from the DOM into wasm on every
//! input event (and write it back through `prop:value`, and count its characters in Rust): with a
//! 32,000-character description that was 50-200 ms per key with a 4x slower CPU (docs/performance.md). Now,
//! once the text is longer than [`SHORT`], the box itself holds what the user types and the signal catches up
//! [`QUIET_MS`] after the last key of a burst (as the draft's own save waits for a pause), and at once:
//! - when the field is left (its check reads the signal),
//! - when the field shows a message (so fixing it clears the message on that key, as before),
//! - before a draft is written or a form is sent ([`catch_up`], called by `Autosave` and `DraftForm`), and
//! - when the field goes away.
//!
//! The character counter stays exact on every key: it is counted in the browser, on the browser's string (no
//! copy), with the same rule as the Rust side (`str::trim`, then `chars().count()`): see [`count_chars`].
//! Short texts are copied on every key as before (it costs nothing), so whatever reacts to "the box is empty /
//! not empty" still reacts on the key that changes it.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::JsString;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// Texts up to this many UTF-16 code units are copied into the signal on every key.
pub(super) const SHORT: u32 = 2_000;
/// Quiet time after the last key before a long text's signal catches up with its box.
const QUIET_MS: u64 = 250;

/// A field (by its id) whose signal is behind its box, and the function that catches it up.
type Behind = (usize, Rc<dyn Fn()>);

thread_local! {
    /// The long texts whose signal is behind their box.
    static BEHIND: RefCell<Vec<Behind>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Brings every long text's signal up to what its box holds. Call before reading a form's values all at once
/// (saving a draft, sending).
pub(super) fn catch_up() {
    let behind = BEHIND.with_borrow_mut(std::mem::take);
    for (_, sync) in behind {
        sync();
    }
}

/// What the box holds, as the browser's string (not copied into wasm).
fn box_text(target: &JsValue) -> Option<JsString> {
    js_sys::Reflect::get(target, &JsValue::from_str("value"))
        .ok()?
        .dyn_into::<JsString>()
        .ok()
}

/// Whether a UTF-16 code unit is a character Rust's `char::is_whitespace` accepts (the Unicode White_Space
/// property: all of them are in the Basic Multilingual Plane, so one code unit each). JavaScript's `trim` uses
/// another set (it has U+FEFF, not U+0085), so the counter does not use it.
fn is_white_space(unit: u32) -> bool {
    matches!(
        unit,
        0x09..=0x0D
            | 0x20
            | 0x85
            | 0xA0
            | 0x1680
            | 0x2000..=0x200A
            | 0x2028
            | 0x2029
            | 0x202F
            | 0x205F
            | 0x3000
    )
}

/// `text.trim().chars().count()` as Rust would count the same text, computed on the browser's string: the
/// ends are trimmed by code unit (whitespace is rare there, so this crosses into JavaScript a few times), and
/// each surrogate pair (one character outside the Basic Multilingual Plane) counts once, found by a regular
/// expression the browser runs natively. A lone surrogate counts as one character, as the U+FFFD it becomes in
/// Rust does.
pub(super) fn count_chars(text: &JsString) -> usize {
    let unit = |i: u32| text.char_code_at(i) as u32;
    let mut end = text.length();
    let mut start = 0;
    while start < end && is_white_space(unit(start)) {
        start += 1;
    }
    while end > start && is_white_space(unit(end - 1)) {
        end -= 1;
    }
    let trimmed = text.substring(start, end);
    let units = trimmed.length();
    let pairs = PAIRS.with(|pairs| units - trimmed.replace_by_pattern(pairs, "").length()) / 2;
    (units - pairs) as usize
}

thread_local! {
    /// A high surrogate followed by a low one: one character outside the Basic Multilingual Plane.
    static PAIRS: js_sys::RegExp = js_sys::RegExp::new("[\\ud800-\\udbff][\\udc00-\\udfff]", "g");
}

/// A multi-line field's link between its box and its signal (see the module's documentation).
#[derive(Clone, Copy)]
pub(super) struct LongText {
    value: RwSignal<String>,
    /// The box's character count while the signal is behind it; `None` when they agree.
    typed_count: RwSignal<Option<usize>>,
    /// The box, from its last input event.
    target: StoredValue<Option<JsValue>, LocalStorage>,
    timer: StoredValue<Option<TimeoutHandle>>,
    id: usize,
}

impl LongText {
    pub(super) fn new(value: RwSignal<String>) -> Self {
        let id = NEXT_ID.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        let this = Self {
            value,
            typed_count: RwSignal::new(None),
            target: StoredValue::new_local(None),
            timer: StoredValue::new(None),
            id,
        };
        // The form set the value itself (a reset, Discard draft): it is in the box now (`prop:value`), so
        // nothing typed is pending any more.
        Effect::watch(
            move || value.track(),
            move |_, _, _| this.forget_pending(),
            false,
        );
        on_cleanup(move || this.sync());
        this
    }

    /// The characters to show in the counter: the box's while the signal is behind, else the signal's.
    pub(super) fn count(&self) -> usize {
        // `try_`: the counter may be asked once more while the form goes away.
        self.typed_count
            .try_get()
            .flatten()
            .or_else(|| self.value.try_with(|s| s.trim().chars().count()))
            .unwrap_or(0)
    }

    /// An input event. `urgent`: catch up now (the field shows a message that this key may fix).
    pub(super) fn input(&self, ev: &leptos::ev::Event, urgent: bool) {
        let Some(target) = ev.target().map(JsValue::from) else {
            return;
        };
        let Some(text) = box_text(&target) else {
            return;
        };
        self.target.set_value(Some(target));
        if urgent || text.length() <= SHORT {
            self.forget_pending();
            self.value.set(String::from(text));
            return;
        }
        let newly_behind = self.typed_count.with_untracked(Option::is_none);
        self.typed_count.set(Some(count_chars(&text)));
        // Debounced, like the draft's own save: copying the text in the middle of a burst of keys would delay
        // the next key.
        if let Some(handle) = self.timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        let this = *self;
        let handle = set_timeout_with_handle(
            move || this.sync(),
            std::time::Duration::from_millis(QUIET_MS),
        )
        .ok();
        self.timer.set_value(handle);
        if newly_behind {
            let sync: Rc<dyn Fn()> = Rc::new(move || this.sync());
            BEHIND.with_borrow_mut(|behind| behind.push((self.id, sync)));
        }
    }

    /// Copies what the box holds into the signal, if the signal is behind it.
    pub(super) fn sync(&self) {
        if !self.forget_pending() {
            return;
        }
        let text = self
            .target
            .try_with_value(|t| t.as_ref().and_then(box_text));
        if let Some(Some(text)) = text {
            // `try_`: the form's signals may already be gone when the field is cleaned up.
            let _ = self.value.try_set(String::from(text));
        }
    }

    /// Stops waiting to catch up; returns whether something was pending.
    fn forget_pending(&self) -> bool {
        if let Some(handle) = self.timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        let pending = self
            .typed_count
            .try_with_untracked(Option::is_some)
            .unwrap_or(false);
        if pending {
            BEHIND.with_borrow_mut(|behind| behind.retain(|(id, _)| *id != self.id));
            // Only when something was pending: a write notifies the counter, which must not run again while the
            // field is being disposed.
            self.typed_count.try_set(None);
        }
        pending
    }
}
