//! Request and response bodies: JSON both ways, and the one error body of every failed call.

use api::{ErrorBody, ErrorCode};
use gloo_net::http::{Request, RequestBuilder, Response};
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

/// Attaches `body` as a JSON request body.
pub(super) fn with_json<B: Serialize>(builder: RequestBuilder, body: &B) -> ApiResult<Request> {
    let text = json::stringify(body).ok_or(ClientError::Network)?;
    builder
        .header("content-type", "application/json")
        .body(text)
        .map_err(|_| ClientError::Network)
}
