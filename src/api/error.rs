//! The one client error type: everything a call can fail with, in terms the UI can explain.

use api::{ErrorBody, Field};

/// Everything a call can fail with, in terms the UI can explain.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientError {
    /// The request never got an HTTP answer (offline, DNS, server down).
    Network,
    /// The session is missing or expired. The client has already switched the app to sign-in.
    Unauthenticated,
    /// The server answered with its JSON error body.
    Api(ErrorBody),
    /// The server answered with something we could not read (a proxy's HTML error page, say).
    Unexpected(u16),
    /// We cancelled the request (the page went away).
    Aborted,
}

impl ClientError {
    /// A sentence for people.
    pub fn message(&self) -> String {
        match self {
            ClientError::Network => {
                "We could not reach the server. Check your connection and try again.".into()
            }
            ClientError::Unauthenticated => "Your session has ended. Sign in again.".into(),
            ClientError::Api(body) => body.message.clone(),
            ClientError::Unexpected(status) => {
                format!(
                    "The server gave an unexpected answer (HTTP {status}). Try again in a moment."
                )
            }
            ClientError::Aborted => "The request was cancelled.".into(),
        }
    }

    /// The server's message for one field, if any.
    pub fn field(&self, field: Field) -> Option<String> {
        match self {
            ClientError::Api(body) => body.field(field).map(str::to_owned),
            _ => None,
        }
    }

    /// Whether the server said the thing asked for does not exist (or is not ours to see).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ClientError::Api(body) if body.status == 404)
    }
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ClientError {}

/// Shorthand for call results.
pub type ApiResult<T> = Result<T, ClientError>;
