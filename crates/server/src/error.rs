//! The server's one error type and the one JSON error body it renders to.

use api::{ErrorBody, ErrorCode, Field, FieldMessage};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("invalid input")]
    Invalid(Vec<FieldMessage>),
    #[error("invalid credentials")]
    InvalidCredentials,
    /// A sign-in limit refused the attempt: 429 with `Retry-After`, saying which limit.
    #[error("too many sign-in attempts ({limit:?})")]
    TooManyAttempts {
        retry_after_secs: u64,
        limit: SignInLimit,
    },
    /// An abuse limit (tickets, comments, uploads, emails outside the organization) refused the
    /// request: 429 with `Retry-After`; `message` names what was limited and by how much.
    #[error("rate limited: {message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    /// A body over the route's limit: 413, naming the limit.
    #[error("body over {limit_bytes} bytes")]
    PayloadTooLarge { limit_bytes: usize },
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// The request ran past its deadline (reading the body included): 408, naming what was late.
    #[error("timed out after {secs} s waiting for {what:?}")]
    Timeout { secs: u64, what: TimedOut },
    /// Too many requests of this kind are running: 503 with `Retry-After`.
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    #[error("not signed in")]
    Unauthenticated,
    /// The request carried the session cookie twice: 401 `unauthenticated`, neither is used.
    #[error("two session cookies")]
    DuplicateSessionCookies,
    /// A console token that verifies but breaks one of our limits: 401 `unauthenticated`, saying
    /// which, so the console's developers can fix their tokens.
    #[error("console token refused: {0}")]
    TokenRefused(&'static str),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("missing CSRF header")]
    Csrf,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("idempotency key reused with a different request")]
    IdempotencyKeyReused,
    #[error("the first request with this idempotency key is still running")]
    RequestInProgress,
    /// A statement failed; the store turns its engine's error into this.
    #[error("database: {0}")]
    Database(Box<dyn std::error::Error + Send + Sync>),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What a request was still waiting for when its deadline passed ([`Error::Timeout`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimedOut {
    /// The client was still sending its (JSON, or inbound email) body.
    RequestBody,
    /// The client was still sending the file it uploads.
    File,
    /// The body had arrived: the server was slow to answer.
    Answer,
}

/// The 408 of an upload the client did not finish sending in time.
fn upload_timed_out(secs: u64) -> String {
    format!(
        "The file did not finish uploading within {}, so it was not kept. Try again on a \
         faster connection, or with a smaller file.",
        seconds(secs)
    )
}

/// Which sign-in limit refused an attempt. They count different things (the account's failures,
/// every attempt from one address, every attempt on the service), so the message says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInLimit {
    /// The account's failed attempts (the growing wait).
    Account,
    /// Every attempt from the client's address, whatever the account.
    Address,
    /// Every attempt on the service.
    Global,
}

/// `1 second`, `5 seconds`.
pub fn seconds(n: u64) -> String {
    if n == 1 {
        "1 second".into()
    } else {
        format!("{n} seconds")
    }
}

/// A result whose error is the server's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The HTTP status the error answers with.
    pub fn status_code(&self) -> StatusCode {
        match self {
            Error::Malformed(_) => StatusCode::BAD_REQUEST,
            Error::Invalid(_) | Error::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Error::InvalidCredentials
            | Error::Unauthenticated
            | Error::DuplicateSessionCookies
            | Error::TokenRefused(_) => StatusCode::UNAUTHORIZED,
            Error::TooManyAttempts { .. } | Error::RateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Error::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Error::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Timeout { .. } => StatusCode::REQUEST_TIMEOUT,
            Error::Forbidden(_) | Error::Csrf => StatusCode::FORBIDDEN,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::Conflict(_) | Error::RequestInProgress => StatusCode::CONFLICT,
            Error::Database(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> ErrorCode {
        match self {
            Error::Malformed(_) => ErrorCode::MalformedRequest,
            Error::Invalid(_) => ErrorCode::InvalidInput,
            Error::InvalidCredentials => ErrorCode::InvalidCredentials,
            Error::TooManyAttempts { .. } => ErrorCode::TooManyAttempts,
            Error::RateLimited { .. } => ErrorCode::RateLimited,
            Error::Busy { .. } => ErrorCode::Busy,
            Error::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            Error::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            Error::Timeout { .. } => ErrorCode::Timeout,
            Error::Unauthenticated | Error::DuplicateSessionCookies | Error::TokenRefused(_) => {
                ErrorCode::Unauthenticated
            }
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::Csrf => ErrorCode::CsrfCheckFailed,
            Error::NotFound => ErrorCode::NotFound,
            Error::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::IdempotencyKeyReused => ErrorCode::IdempotencyKeyReused,
            Error::RequestInProgress => ErrorCode::RequestInProgress,
            Error::Database(_) | Error::Internal(_) => ErrorCode::Internal,
        }
    }

    fn message(&self) -> String {
        match self {
            Error::Malformed(detail) => format!("The request could not be read: {detail}"),
            Error::Invalid(_) => "Some fields need attention.".into(),
            Error::InvalidCredentials => "Email or password is incorrect.".into(),
            Error::TooManyAttempts {
                retry_after_secs,
                limit,
            } => {
                let what = match limit {
                    SignInLimit::Account => "Too many failed sign-in attempts for this email address.",
                    SignInLimit::Address => "Too many sign-in attempts from your network address.",
                    SignInLimit::Global => "The service is receiving too many sign-in attempts.",
                };
                format!("{what} Try again in {}.", seconds(*retry_after_secs))
            }
            Error::RateLimited { message, .. } => message.clone(),
            Error::PayloadTooLarge { limit_bytes } => format!(
                "The request body is larger than the limit of {} MB ({limit_bytes} bytes).",
                limit_bytes / (1024 * 1024)
            ),
            Error::UnsupportedMediaType(detail) => {
                format!("The request body's type is not accepted: {detail}")
            }
            Error::Timeout {
                secs,
                what: TimedOut::Answer,
            } => format!(
                "The request took longer than {} and was stopped. Try again.",
                seconds(*secs)
            ),
            Error::Timeout {
                secs,
                what: TimedOut::RequestBody,
            } => format!(
                "The request body did not arrive within {}, so the request was stopped and \
                 nothing was saved. Try again.",
                seconds(*secs)
            ),
            Error::Timeout {
                secs,
                what: TimedOut::File,
            } => upload_timed_out(*secs),
            Error::Busy { retry_after_secs } => {
                format!("The server is busy. Try again in {retry_after_secs} seconds.")
            }
            Error::Unauthenticated => "Sign in to continue.".into(),
            // A browser sends one `__Host-` cookie per name: a second one was planted or left by a
            // misconfiguration, and taking either could act as someone else.
            Error::DuplicateSessionCookies => "This request carried two session cookies, so neither \
                                               was used. Clear this site's cookies, then sign in again."
                .into(),
            Error::TokenRefused(why) => (*why).into(),
            Error::Forbidden(why) => (*why).into(),
            Error::Csrf => "This request was refused because it did not come from the app.".into(),
            Error::NotFound => "Not found.".into(),
            Error::MethodNotAllowed => "This address does not accept that method.".into(),
            Error::Conflict(why) => why.clone(),
            Error::IdempotencyKeyReused => "This request was already sent with different content. \
                                            Reload the page and try again."
                .into(),
            Error::RequestInProgress => {
                "Your ticket or comment is still being created. Wait a moment and try again.".into()
            }
            Error::Database(_) | Error::Internal(_) => {
                "Something went wrong on our side. Try again in a moment.".into()
            }
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status_code();
        if status.is_server_error() && !matches!(self, Error::Busy { .. }) {
            // Internals go to the log only; the client gets the generic sentence.
            tracing::error!(error = ?self, "request failed");
        }
        let retry_after = match &self {
            Error::TooManyAttempts {
                retry_after_secs, ..
            }
            | Error::RateLimited {
                retry_after_secs, ..
            }
            | Error::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let body = ErrorBody {
            status: status.as_u16(),
            code: self.code(),
            message: self.message(),
            fields: match self {
                Error::Invalid(fields) => fields,
                // Next to the file input, like the upload's other errors.
                Error::Timeout {
                    secs,
                    what: TimedOut::File,
                } => vec![FieldMessage::new(
                    Field::Attachments,
                    upload_timed_out(secs),
                )],
                _ => Vec::new(),
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign_in_message(limit: SignInLimit, retry_after_secs: u64) -> String {
        Error::TooManyAttempts {
            retry_after_secs,
            limit,
        }
        .message()
    }

    #[test]
    fn each_sign_in_limit_says_what_it_counts() {
        // Only the account's limit counts failures; the other two count every attempt.
        assert_eq!(
            sign_in_message(SignInLimit::Account, 1),
            "Too many failed sign-in attempts for this email address. Try again in 1 second."
        );
        assert_eq!(
            sign_in_message(SignInLimit::Address, 40),
            "Too many sign-in attempts from your network address. Try again in 40 seconds."
        );
        assert_eq!(
            sign_in_message(SignInLimit::Global, 12),
            "The service is receiving too many sign-in attempts. Try again in 12 seconds."
        );
    }
}
