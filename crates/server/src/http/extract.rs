//! What handlers extract from a request: JSON bodies, path and query parameters whose rejections are
//! our JSON error body, the signed-in user ([`CurrentUser`], 401 without a valid session or console
//! token) and their membership in the organization the path names ([`Member`], 404 when they have
//! none).

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use crate::error::{Error, Result};
use crate::rules::auth::{self, ClientAddress, CurrentUser, Member};
use crate::rules::token;
use crate::state::AppState;

/// The largest JSON body any route takes, stated rather than left to axum's default (the same
/// 2 MB): `http::router` sets it, uploads raise it on their own routes.
pub const JSON_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Each rejection with its real status: 413 over the limit, 415 without the JSON content type,
/// 400 for the rest (syntax, or a shape that does not fit).
impl From<JsonRejection> for Error {
    fn from(rejection: JsonRejection) -> Self {
        match rejection.status() {
            axum::http::StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge {
                limit_bytes: JSON_BODY_LIMIT,
            },
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                Error::UnsupportedMediaType(rejection.body_text())
            }
            _ => Error::Malformed(rejection.body_text()),
        }
    }
}

impl From<QueryRejection> for Error {
    fn from(rejection: QueryRejection) -> Self {
        Error::Malformed(rejection.body_text())
    }
}

impl From<PathRejection> for Error {
    fn from(_: PathRejection) -> Self {
        // A path that does not parse names nothing that exists.
        Error::NotFound
    }
}

/// `axum::Json` whose rejections are our JSON error body.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Path` whose rejections are our JSON error body.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Error))]
pub struct Path<T>(pub T);

/// `axum::extract::Query` whose rejections are our JSON error body.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Error))]
pub struct Query<T>(pub T);

/// The client's address: the last address of the configured trusted proxy header
/// (`--trusted-proxy-header`), else the socket's peer (served with `ConnectInfo`); unknown when
/// neither is there.
impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let from_header = state.config.trusted_proxy_header.as_ref().and_then(|name| {
            let values = parts.headers.get_all(name);
            let last = values.iter().next_back()?.to_str().ok()?;
            parse_forwarded_address(last.rsplit(',').next()?)
        });
        let from_socket = || {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip())
        };
        Ok(ClientAddress(from_header.or_else(from_socket)))
    }
}

/// One address of a forwarding header: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:443`.
fn parse_forwarded_address(value: &str) -> Option<IpAddr> {
    let value = value.trim();
    value
        .parse::<IpAddr>()
        .ok()
        .or_else(|| value.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// The session token the request's cookie `name` carries, if any. Two cookies of that name are
/// refused rather than one picked: a browser sends one `__Host-` cookie per name, so a second one is
/// planted (or left by a misconfiguration), and taking either could act as someone else.
pub fn session_token(headers: &HeaderMap, name: &str) -> Result<Option<String>> {
    let mut values = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(cookie, _)| *cookie == name)
        .map(|(_, value)| value);
    let first = values.next();
    if values.next().is_some() {
        return Err(Error::DuplicateSessionCookies);
    }
    Ok(first.filter(|v| !v.is_empty()).map(str::to_owned))
}

/// The token of an `Authorization: Bearer` header, if the request has one (empty when the header
/// names the scheme but no token). Other schemes are not ours and are ignored.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A request with a bearer token is the console's token mode: the token decides, and a cookie sent
/// along is not looked at. Without token mode configured, a bearer token is refused rather than
/// ignored, so the app learns at once that it is talking to the wrong server.
impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        if let Some(token) = bearer_token(&parts.headers) {
            let verifier = state.tokens.as_deref().ok_or(Error::Unauthenticated)?;
            return token::token_user(&state.store, verifier, token).await;
        }
        let token = session_token(&parts.headers, state.config.session_cookie_name())?
            .ok_or(Error::Unauthenticated)?;
        auth::current_user(&state.store, &token).await
    }
}

/// Every route with an `{org_id}` segment is about that organization: the signed-in user (401 first)
/// must be a member of it, else 404, as for an `org_id` that is not a number.
///
/// Handlers that also read a JSON body or a query string take [`CurrentUser`] and the path instead,
/// and call [`Member::load`] once everything is extracted: a malformed body or query is a 400 before
/// membership is checked.
impl FromRequestParts<AppState> for Member {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound)?;
        let org_id: i64 = params
            .iter()
            .find(|(name, _)| *name == "org_id")
            .and_then(|(_, value)| value.parse().ok())
            .ok_or(Error::NotFound)?;
        Member::load(&state.store, user, org_id).await
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn reads_the_session_cookie_among_others() {
        let name = "support_session";
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; support_session=abc; b=2"),
        );
        assert_eq!(
            session_token(&headers, name).unwrap().as_deref(),
            Some("abc")
        );
        headers.insert(header::COOKIE, HeaderValue::from_static("support_session="));
        assert_eq!(session_token(&headers, name).unwrap(), None);
    }

    #[test]
    fn refuses_two_session_cookies_in_one_or_two_headers() {
        let name = "__Host-support_session";
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("__Host-support_session=a; __Host-support_session=b"),
        );
        assert!(session_token(&headers, name).is_err());
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("__Host-support_session=a"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("__Host-support_session=b"),
        );
        assert!(session_token(&headers, name).is_err());
        // Another name, even the insecure one, is not a second session cookie.
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("support_session=x; __Host-support_session=a"),
        );
        assert_eq!(session_token(&headers, name).unwrap().as_deref(), Some("a"));
    }

    #[test]
    fn reads_forwarded_addresses_with_or_without_a_port() {
        assert_eq!(
            parse_forwarded_address(" 203.0.113.7"),
            Some("203.0.113.7".parse().unwrap())
        );
        assert_eq!(
            parse_forwarded_address("203.0.113.7:4711"),
            Some("203.0.113.7".parse().unwrap())
        );
        assert_eq!(
            parse_forwarded_address("[2001:db8::1]:443"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(parse_forwarded_address("unknown"), None);
    }

    #[test]
    fn reads_a_bearer_token_whatever_the_scheme_case() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer_token(&headers), None);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer a.b.c"),
        );
        assert_eq!(bearer_token(&headers), Some("a.b.c"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer a.b.c"),
        );
        assert_eq!(bearer_token(&headers), Some("a.b.c"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer"));
        assert_eq!(bearer_token(&headers), Some(""));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic dTpw"),
        );
        assert_eq!(bearer_token(&headers), None);
    }
}
