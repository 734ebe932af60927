//! Request and response bodies: JSON both ways, and the one error body of every failed call.

use api::{ErrorBody, ErrorCode};
use gloo_net::http::Response;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{ApiResult, ClientError};
use crate::json;

/// Reads a JSON response body.
pub(super) async fn read_json<T: DeserializeOwned>(response: &Response) -> Option<T> {
    json::parse(&response.text().await.ok()?)
}

/// The client error for a non-2xx answer with body `text`.
pub(super) fn error_from(status: u16, text: Option<&str>) -> ClientError {
    match text.and_then(json::parse::<ErrorBody>) {
        Some(body) if body.code == ErrorCode::Unauthenticated => ClientError::Unauthenticated,
        Some(body) => ClientError::Api(body),
        None => ClientError::Unexpected(status),
    }
}

/// `body` as JSON text, for a request body.
pub(super) fn json_text<B: Serialize>(body: &B) -> ApiResult<String> {
    json::stringify(body).ok_or(ClientError::Network)
}
