//! Checks of what the server answers: the one JSON error body, and the headers tests read.

use api::{ErrorBody, ErrorCode};
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use reqwest::{Response, StatusCode};

/// Asserts that `response` is the JSON error body with `status` and `code`, and returns the body.
pub async fn expect_error(response: Response, status: StatusCode, code: ErrorCode) -> ErrorBody {
    assert_eq!(response.status(), status, "status of {}", response.url());
    assert_eq!(
        header(&response, CONTENT_TYPE.as_str()),
        "application/json",
        "error content type"
    );
    let body: ErrorBody = response.json().await.expect("error body is ErrorBody JSON");
    assert_eq!(body.status, status.as_u16(), "status repeated in the body");
    assert_eq!(body.code, code);
    assert!(!body.message.is_empty(), "error message for people");
    body
}

/// Expects a 422 `invalid_input` and returns its body.
pub async fn invalid(response: Response) -> ErrorBody {
    expect_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidInput,
    )
    .await
}

/// The fields an error body names, in order.
pub fn fields(body: &ErrorBody) -> Vec<&str> {
    body.fields.iter().map(|f| f.field.as_str()).collect()
}

/// The header `name` of `response` as text, or `""`.
pub fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The `Cache-Control` header of `response`, or `""`.
pub fn cache_control(response: &Response) -> String {
    header(response, CACHE_CONTROL.as_str())
}

/// Every `Set-Cookie` header of `response`.
pub fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("ASCII cookie").to_owned())
        .collect()
}
