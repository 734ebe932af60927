//! `/session` (sign in and out) and `/me`.

use api::{Me, SignInRequest};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::error::Result;
use crate::http::extract::{Json, session_token};
use crate::http::security::is_https;
use crate::rules::auth::{self, CurrentUser};
use crate::state::AppState;

/// The routes of this resource, merged under `/api/v1` by `http::router`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/session", post(sign_in).delete(sign_out))
        .route("/me", get(me))
}

fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}",
        api::SESSION_COOKIE
    ))
    .expect("cookie is ASCII")
}

/// `Secure` exactly when the request came over https, the decision `Strict-Transport-Security`
/// follows too.
fn wants_secure_cookie(state: &AppState, headers: &HeaderMap) -> bool {
    is_https(&state.config, headers)
}

async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(request): Json<SignInRequest>,
) -> Result<Response> {
    let lifetime = i64::from(state.config.session_hours) * 3600;
    let signed_in = auth::sign_in(&state.store, &state.limiter, &request, lifetime).await?;
    let secure = wants_secure_cookie(&state, &headers);
    let cookie = session_cookie(&signed_in.token, lifetime, secure);
    Ok((
        StatusCode::OK,
        [(header::SET_COOKIE, cookie)],
        Json(signed_in.me),
    )
        .into_response())
}

async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    if let Some(token) = session_token(&headers) {
        auth::sign_out(&state.store, &token).await?;
    }
    let expired = session_cookie("", 0, wants_secure_cookie(&state, &headers));
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, expired)]).into_response())
}

async fn me(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Me>> {
    Ok(Json(auth::me_of(&state.store, user).await?))
}
