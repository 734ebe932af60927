//! `/session` (sign in and out) and `/me`.

use api::{Me, SignInRequest};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::config::Config;
use crate::error::Result;
use crate::http::Route;
use crate::http::extract::{Json, session_token};
use crate::rules::auth::{self, ClientAddress, CurrentUser};
use crate::state::AppState;

/// The operations of this resource, served under `/api/v1` by `http::router`.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::POST, "/session", sign_in),
        Route::new(Method::DELETE, "/session", sign_out),
        Route::new(Method::GET, "/me", me),
    ]
}

/// The session cookie: `__Host-` prefixed, `Secure`, `Path=/`, no `Domain` (what the prefix
/// requires), unless `--insecure-cookies` asks for a plain one for plain-http development.
fn session_cookie(config: &Config, token: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if config.insecure_cookies {
        ""
    } else {
        "; Secure"
    };
    HeaderValue::from_str(&format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}",
        config.session_cookie_name()
    ))
    .expect("cookie is ASCII")
}

#[utoipa::path(
    post,
    path = "/session",
    operation_id = "sign_in",
    summary = "Signs in with email and password; sets the session cookie.",
    tag = "session",
    security(("csrf" = [])),
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in: sets the session cookie.", body = Me,
            headers(("Set-Cookie" = String, description = "The session cookie `__Host-support_session` (`support_session` with `--insecure-cookies`)."))),
        (status = 401, description = "`invalid_credentials`.", body = api::ErrorBody),
        (status = 422, description = "`invalid_input`: an empty email or password, naming the field.", body = api::ErrorBody),
        (status = 429, description = "`too_many_attempts` (for this account, this client address or all sign-ins), with `Retry-After`.", body = api::ErrorBody),
        (status = 503, description = "`busy`: no password check was free in time; with `Retry-After`.", body = api::ErrorBody),
    ),
)]
async fn sign_in(
    State(state): State<AppState>,
    address: ClientAddress,
    Json(request): Json<SignInRequest>,
) -> Result<Response> {
    let lifetime = i64::from(state.config.session_hours) * 3600;
    let signed_in =
        auth::sign_in(&state.store, &state.limiter, address, &request, lifetime).await?;
    let cookie = session_cookie(&state.config, &signed_in.token, lifetime);
    Ok((
        StatusCode::OK,
        [(header::SET_COOKIE, cookie)],
        Json(signed_in.me),
    )
        .into_response())
}

/// Ends the session, if there is one, and clears the cookie.
#[utoipa::path(
    delete,
    path = "/session",
    operation_id = "sign_out",
    tag = "session",
    security(("session" = [], "csrf" = []), ("csrf" = [])),
    responses((status = 204, description = "Signed out (also when there was no session).")),
)]
async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    // With two session cookies neither is trusted to name the session to end; the cookie is
    // cleared all the same.
    if let Ok(Some(token)) = session_token(&headers, state.config.session_cookie_name()) {
        auth::sign_out(&state.store, &token).await?;
    }
    let expired = session_cookie(&state.config, "", 0);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, expired)]).into_response())
}

/// Who is signed in, for which organization, with which role.
#[utoipa::path(
    get,
    path = "/me",
    operation_id = "get_me",
    tag = "session",
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, body = Me),
        (status = 401, description = "`unauthenticated`, also when the request carries two session cookies.", body = api::ErrorBody),
    ),
)]
async fn me(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Me>> {
    Ok(Json(auth::me_of(&state.store, user).await?))
}
