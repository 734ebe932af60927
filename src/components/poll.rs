//! Polling with an ETag: every few seconds the page asks whether what it shows has changed
//! (`If-None-Match`). The server answers 304 while nothing did, so an open page costs next to nothing.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use web_sys::AbortSignal;

use crate::api::ApiResult;

/// How long a poll may wait for its answer before it is cancelled. Polls go one at a time, so an
/// answer that never comes (a connection the browser still thinks is open, a proxy that never
/// answers) would otherwise stop polling for good; cancelled, the next tick asks again.
/// (`AbortSignal.timeout`: the browser's own timer, a few bytes instead of a controller and a timer
/// of ours. It also stands in for the app's lifetime signal: a poll under way when the app is
/// unmounted ends within this time, and its answer then finds no page to update.)
const POLL_TIMEOUT_MS: u32 = 10_000;

/// What the server answers a poll with: `None` when nothing changed, else the new copy and its ETag.
pub type Fresh<T> = ApiResult<Option<(T, Option<String>)>>;

/// A poll of what a page shows; it stops when the component that started it goes away.
#[derive(Clone, Copy)]
pub struct EtagPoll {
    etag: StoredValue<Option<String>>,
    generation: StoredValue<u32>,
    tick: StoredValue<Option<Callback<()>>>,
}

impl EtagPoll {
    /// A poll of something shown with `etag`; it asks nothing until [`EtagPoll::start`].
    pub fn new(etag: Option<String>) -> Self {
        Self {
            etag: StoredValue::new(etag),
            generation: StoredValue::new(0),
            tick: StoredValue::new(None),
        }
    }

    /// What is on screen now came with `etag`.
    pub fn seen(&self, etag: Option<String>) {
        self.etag.try_set_value(etag);
    }

    /// What is on screen changed here (the user's own change, another query): an answer to a poll
    /// already under way is older than that and is dropped, and the next poll fetches a whole copy.
    pub fn invalidate(&self) {
        self.generation.try_update_value(|g| *g += 1);
        self.etag.try_set_value(None);
    }

    /// Polls now instead of at the next tick.
    pub fn now(&self) {
        if let Some(tick) = self.tick.try_get_value().flatten() {
            tick.try_run(());
        }
    }

    /// Polls `every` so long until the current component goes away. `fetch` asks the server with the
    /// ETag of what is on screen, its request cancelled by the signal it is given (after
    /// [`POLL_TIMEOUT_MS`]); `on_fresh` gets each changed copy. One request at a time.
    pub fn start<T, Fut>(
        &self,
        every: Duration,
        fetch: impl Fn(Option<String>, Option<AbortSignal>) -> Fut + Send + Sync + 'static,
        on_fresh: impl Fn(T) + Send + Sync + 'static,
    ) where
        T: 'static,
        Fut: Future<Output = Fresh<T>> + 'static,
    {
        let Self {
            etag, generation, ..
        } = *self;
        let busy = StoredValue::new(false);
        let on_fresh = Arc::new(on_fresh);
        let tick = Callback::new(move |()| {
            // (Also called after an action whose page may be gone by then.)
            let (Some(tag), Some(sent_at)) = (etag.try_get_value(), generation.try_get_value())
            else {
                return;
            };
            if busy.get_value() {
                return;
            }
            busy.set_value(true);
            let answer = fetch(tag, Some(AbortSignal::timeout_with_u32(POLL_TIMEOUT_MS)));
            let on_fresh = on_fresh.clone();
            leptos::task::spawn_local(async move {
                let answer = answer.await;
                busy.try_set_value(false);
                let Ok(Some((fresh, new_tag))) = answer else {
                    return;
                };
                if generation.try_get_value() != Some(sent_at) {
                    return;
                }
                etag.set_value(new_tag);
                on_fresh(fresh);
            });
        });
        self.tick.set_value(Some(tick));
        if let Ok(handle) = set_interval_with_handle(move || tick.run(()), every) {
            on_cleanup(move || handle.clear());
        }
    }
}
