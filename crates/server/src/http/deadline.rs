//! Per-route deadlines and the concurrency limits: what `http::router_with` puts around every API
//! operation.
//!
//! The concurrency limits count handlers at work, never clients at their keyboards: a JSON request
//! takes its slot (`--max-concurrent-requests`) only once its body is buffered ([`with_body_then_slot`]),
//! so connections trickling bodies hold no slot and only run into their deadline. Uploads and inbound
//! mail stream their bodies to disk and so take a slot from the first byte ([`with_slot`]), from a
//! pool of their own (`--max-concurrent-uploads`), so slow uploads cannot starve the JSON API either.
//!
//! A deadline covers the whole request, reading its body included, so a body trickled one byte at a
//! time ends with it: the handler's future is dropped, which rolls back its transaction and deletes
//! a partial upload (`rules::attachments::PartialFile`), and the client gets 408 `timeout` naming
//! what it was still sending, if anything.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tokio::sync::Semaphore;

use crate::error::{Error, TimedOut};
use crate::http::extract::JSON_BODY_LIMIT;

/// How long a request waits for a free slot of `--max-concurrent-requests` before 503: long enough
/// to absorb a burst, short enough that a sustained overload is told to come back.
pub const SLOT_WAIT: Duration = Duration::from_secs(1);

/// What a route's body is, for the 408's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// A JSON body, or an inbound email: "the request body".
    Request,
    /// A file upload: "the file", on the `attachments` field.
    File,
}

/// Runs the request with `deadline` over it; past it, 408 `timeout` saying whether the body had
/// arrived (then the server was slow) or not (then the client was: named as `kind`).
pub async fn with_deadline(
    deadline: Duration,
    kind: BodyKind,
    request: Request,
    next: Next,
) -> Response {
    // A request without a body (a GET) has all of it from the start.
    let empty = http_body::Body::is_end_stream(request.body());
    let arrived = Arc::new(AtomicBool::new(empty));
    let request = request.map(|body| {
        Body::new(Watched {
            inner: body,
            arrived: arrived.clone(),
        })
    });
    match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let what = if arrived.load(Ordering::Acquire) {
                TimedOut::Answer
            } else {
                match kind {
                    BodyKind::Request => TimedOut::RequestBody,
                    BodyKind::File => TimedOut::File,
                }
            };
            tracing::warn!(
                ?what,
                secs = deadline.as_secs(),
                "request stopped at its deadline"
            );
            Error::Timeout {
                secs: deadline.as_secs(),
                what,
            }
            .into_response()
        }
    }
}

/// Reads the whole body first, at most [`JSON_BODY_LIMIT`] (what every route that is not an
/// [`super::Route::upload`] takes), then runs the request in one of `slots` as [`with_slot`] does.
/// Inside the route's deadline: a body that never arrives ends in 408 without ever having held a
/// slot.
pub async fn with_body_then_slot(slots: Arc<Semaphore>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match Limited::new(body, JSON_BODY_LIMIT).collect().await {
        Ok(collected) => collected.to_bytes(),
        // The answers the `Json` extractor gives for the same body: 413 past the limit, 400 for a
        // body that broke off.
        Err(error) if error.is::<LengthLimitError>() => {
            return Error::PayloadTooLarge {
                limit_bytes: JSON_BODY_LIMIT,
            }
            .into_response();
        }
        Err(error) => {
            return Error::Malformed(format!("Failed to buffer the request body: {error}"))
                .into_response();
        }
    };
    with_slot(slots, Request::from_parts(parts, Body::from(bytes)), next).await
}

/// Takes one of `slots` for the request's whole run, waiting at most [`SLOT_WAIT`] for one; none
/// free is 503 `busy` with `Retry-After`.
pub async fn with_slot(slots: Arc<Semaphore>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(SLOT_WAIT, slots.acquire_owned()).await {
        // Held until the response is built; a streamed download's body outlives it, which is fine:
        // the limit is on handlers at work, the socket writes are cheap.
        Ok(Ok(_slot)) => next.run(request).await,
        _ => Error::Busy {
            retry_after_secs: 1,
        }
        .into_response(),
    }
}

/// A body that records when it has been read to its end.
struct Watched {
    inner: Body,
    arrived: Arc<AtomicBool>,
}

impl http_body::Body for Watched {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        // The end is either the last frame (`None`) or a frame after which the body knows it is
        // complete (a Content-Length reached): a multipart parser stops at the closing boundary and
        // may never ask for `None`.
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.arrived.store(true, Ordering::Release);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
