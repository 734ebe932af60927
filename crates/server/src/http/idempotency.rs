//! The HTTP side of `Idempotency-Key` (the rules are `rules::idempotency`): reading the header,
//! replaying a stored answer, and answering or releasing the key once the work is done.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::rules::idempotency::{self, Outcome};
use crate::store::Store;
use crate::store::idempotency::Claim;

/// Response header on an answer replayed from a key.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// The request's key, if it sent one: 1 to [`api::ticket::IDEMPOTENCY_KEY_MAX_LEN`] visible ASCII
/// characters.
pub fn key_from_headers(headers: &HeaderMap) -> Result<Option<String>> {
    let Some(value) = headers.get(api::ticket::IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    if bytes.is_empty()
        || bytes.len() > api::ticket::IDEMPOTENCY_KEY_MAX_LEN
        || !bytes.iter().all(u8::is_ascii_graphic)
    {
        return Err(Error::Malformed(format!(
            "the Idempotency-Key header must be 1 to {} visible ASCII characters.",
            api::ticket::IDEMPOTENCY_KEY_MAX_LEN
        )));
    }
    Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
}

/// How a request that may carry a key starts.
pub enum Start {
    /// Do the work; with a key, this request owns it.
    Run(Option<Claim>),
    /// The work was done before: send this answer again.
    Replay(Response),
}

/// Claims the request's key, if it sent one, for `request` under `scope` (what else the request is
/// about, such as the organization), on a route whose deadline is `request_timeout` (which bounds
/// how long a claim may stay unanswered). Errors as [`idempotency::claim`] does.
pub async fn begin(
    store: &Store,
    request_timeout: Duration,
    user_id: i64,
    headers: &HeaderMap,
    scope: &str,
    request: &impl Serialize,
) -> Result<Start> {
    let Some(key) = key_from_headers(headers)? else {
        return Ok(Start::Run(None));
    };
    let hash = idempotency::request_hash(scope, request)?;
    Ok(
        match idempotency::claim(
            store,
            user_id,
            &key,
            &hash,
            idempotency::in_flight_timeout(request_timeout),
        )
        .await?
        {
            Outcome::Claimed(claim) => Start::Run(Some(claim)),
            Outcome::Replay { status, body } => {
                let status = StatusCode::from_u16(status)
                    .map_err(|_| anyhow::anyhow!("stored status {status} is not an HTTP status"))?;
                Start::Replay(stored_response(status, body, true))
            }
        },
    )
}

/// Answers a request started with [`begin`]: 201 with the body the work stored on its claim, or the
/// work's error after freeing the claim (nothing was done, so the corrected request may reuse the key),
/// or 409 `request_in_progress` when another request with the key stored its answer meanwhile.
pub async fn finish(store: &Store, claim: Option<Claim>, work: Result<String>) -> Result<Response> {
    match work {
        Ok(body) => Ok(stored_response(StatusCode::CREATED, body, false)),
        Err(error) => match claim {
            Some(claim) if claim.recorded => {
                if let Err(release) = store.release_key(&claim).await {
                    tracing::error!(error = ?release, "could not release an idempotency key");
                }
                Err(error)
            }
            // A key not stored when this request began, but stored now: another request with it
            // (the first send, which this retry raced) committed meanwhile, and this failure is only
            // its echo (its files already attached, its count already taken). The retry of this
            // answer gets that request's answer.
            Some(claim) if store.has_key(claim.user_id, &claim.key).await? => {
                Err(Error::RequestInProgress)
            }
            _ => Err(error),
        },
    }
}

/// A JSON answer from its stored text, marked as replayed when it is.
pub fn stored_response(status: StatusCode, body: String, replayed: bool) -> Response {
    let mut response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    if replayed {
        response
            .headers_mut()
            .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            api::ticket::IDEMPOTENCY_HEADER,
            HeaderValue::from_bytes(value).unwrap(),
        );
        headers
    }

    #[test]
    fn keys_are_one_to_128_visible_ascii_characters() {
        assert_eq!(key_from_headers(&HeaderMap::new()).unwrap(), None);
        assert_eq!(
            key_from_headers(&headers(b"3f1c-9a!~")).unwrap().as_deref(),
            Some("3f1c-9a!~")
        );
        assert!(key_from_headers(&headers(&[b'k'; 128])).is_ok());
        for bad in [
            &b""[..],
            &[b'k'; 129],
            b"two words",
            b"caf\xc3\xa9",
            b"tab\there",
        ] {
            assert!(
                matches!(key_from_headers(&headers(bad)), Err(Error::Malformed(_))),
                "{bad:?}"
            );
        }
    }
}
