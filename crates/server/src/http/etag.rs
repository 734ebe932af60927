//! Conditional GETs for the answers the SPA polls (the ticket list and a ticket page): a weak ETag from
//! a hash of the JSON body, and `304 Not Modified` when the client already has it.
//!
//! Answers stay `Cache-Control: no-store` (tickets are private and may be read on shared computers), so
//! the browser's cache never revalidates on its own: the SPA keeps the last ETag and body in memory and
//! sends `If-None-Match` itself when it polls.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Result;

/// `W/"<32 hex digits>"`: the first 128 bits of the body's SHA-256. Weak, because equal JSON is all it
/// promises (the same body compressed differently would still match).
pub fn weak_etag(body: &[u8]) -> String {
    format!("W/\"{}\"", hex::encode(&Sha256::digest(body)[..16]))
}

/// Whether an `If-None-Match` header value names `etag`, compared weakly (RFC 9110, 13.1.2): `*`, or
/// any listed tag with or without `W/`.
pub fn none_match(if_none_match: &str, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let wanted = opaque(etag);
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || opaque(tag) == wanted)
}

/// `value` as JSON with its ETag, or an empty `304 Not Modified` with the same ETag when the request's
/// `If-None-Match` already names it.
pub fn json(headers: &HeaderMap, value: &impl Serialize) -> Result<Response> {
    let body = serde_json::to_vec(value).map_err(anyhow::Error::from)?;
    let etag = weak_etag(&body);
    let etag_value = HeaderValue::from_str(&etag).map_err(anyhow::Error::from)?;
    let unchanged = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| none_match(v, &etag));
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response());
    }
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, etag_value),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_is_weak_and_follows_the_body() {
        let a = weak_etag(b"{\"id\":1}");
        assert!(a.starts_with("W/\"") && a.ends_with('"'), "{a}");
        assert_eq!(a.len(), 2 + 1 + 32 + 1);
        assert_eq!(a, weak_etag(b"{\"id\":1}"));
        assert_ne!(a, weak_etag(b"{\"id\":2}"));
    }

    #[test]
    fn if_none_match_compares_weakly_and_reads_lists() {
        let tag = weak_etag(b"x");
        let strong = tag.trim_start_matches("W/").to_owned();
        assert!(none_match(&tag, &tag));
        assert!(none_match(&strong, &tag), "weak comparison ignores W/");
        assert!(none_match(&format!("\"other\", {tag}"), &tag));
        assert!(none_match("*", &tag));
        assert!(!none_match("W/\"other\"", &tag));
        assert!(!none_match("", &tag));
    }

    #[test]
    fn a_matching_request_gets_304_without_a_body() {
        let value = serde_json::json!({"id": 1});
        let first = json(&HeaderMap::new(), &value).unwrap();
        assert_eq!(first.status(), StatusCode::OK);
        let tag = first.headers()[header::ETAG].clone();
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, tag.clone());
        let again = json(&headers, &value).unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(again.headers()[header::ETAG], tag);
        let changed = json(&headers, &serde_json::json!({"id": 2})).unwrap();
        assert_eq!(changed.status(), StatusCode::OK);
    }
}
