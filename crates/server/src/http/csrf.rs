//! The API's defence against cross-site requests: state-changing requests must carry a header that
//! only our own code sends (a form on another site cannot set it, and a script there may not).

use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::Error;

/// Refuses state-changing API requests that lack the custom header only our own code sends.
pub async fn require_csrf_header(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let has_header = request
        .headers()
        .get(api::CSRF_HEADER)
        .is_some_and(|v| v.as_bytes() == api::CSRF_VALUE.as_bytes());
    if safe || has_header {
        next.run(request).await
    } else {
        Error::Csrf.into_response()
    }
}
