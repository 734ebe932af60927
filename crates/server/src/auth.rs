//! Sign-in, sessions and the extractors that every other module uses to know who is asking.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use api::{Me, Organization, PlanKind, Role, SignInRequest, User};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::clock;
use crate::error::{Error, Json, Result};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/session", post(sign_in).delete(sign_out))
        .route("/me", get(me))
}

// ---------------------------------------------------------------------------------------------
// Passwords

/// Hashes `password` with Argon2id and a random salt, as a PHC string.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the email is unknown, so both cases take the same time and
/// response timing does not reveal which emails have accounts.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password("not-a-real-password").expect("argon2 with defaults"))
}

// ---------------------------------------------------------------------------------------------
// Slowing down guessing

/// Failed attempts per email. After [`FREE_ATTEMPTS`] failures each further attempt must wait
/// twice as long as the previous one (capped), whatever the password; a success resets.
/// Keyed by email, not IP: spraying one account from many addresses is the attack that matters here,
/// and the cap keeps a hostile lock-out short.
#[derive(Default)]
pub struct SignInLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

const FREE_ATTEMPTS: u32 = 3;
const MAX_WAIT: Duration = Duration::from_secs(60);
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);

impl SignInLimiter {
    fn wait_for(failures: u32) -> Duration {
        if failures < FREE_ATTEMPTS {
            return Duration::ZERO;
        }
        let exp = (failures - FREE_ATTEMPTS).min(6);
        Duration::from_secs(1u64 << exp).min(MAX_WAIT)
    }

    /// Refuses the attempt if the email is still in its waiting period.
    fn check(&self, email: &str) -> Result<()> {
        let mut map = self.failures.lock().expect("limiter lock");
        let now = Instant::now();
        map.retain(|_, (_, last)| now.duration_since(*last) < FORGET_AFTER);
        if let Some((count, last)) = map.get(email) {
            let wait = Self::wait_for(*count);
            let elapsed = now.duration_since(*last);
            if elapsed < wait {
                let remaining = (wait - elapsed).as_secs_f64().ceil() as u64;
                return Err(Error::TooManyAttempts {
                    retry_after_secs: remaining.max(1),
                });
            }
        }
        Ok(())
    }

    fn failed(&self, email: &str) {
        let mut map = self.failures.lock().expect("limiter lock");
        let entry = map.entry(email.to_owned()).or_insert((0, Instant::now()));
        entry.0 += 1;
        entry.1 = Instant::now();
    }

    fn succeeded(&self, email: &str) {
        self.failures.lock().expect("limiter lock").remove(email);
    }
}

// ---------------------------------------------------------------------------------------------
// Sessions

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}",
        api::SESSION_COOKIE
    ))
    .expect("cookie is ASCII")
}

fn wants_secure_cookie(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == api::SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty())
}

async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<SignInRequest>,
) -> Result<Response> {
    let email = req.validate().map_err(Error::Invalid)?;
    state.limiter.check(email.as_str())?;

    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE email = ?")
            .bind(email.as_str())
            .fetch_optional(&state.db)
            .await?;
    let password = req.password.clone();
    let (user_id, ok) = tokio::task::spawn_blocking(move || match row {
        Some((id, hash)) => (Some(id), verify_password(&password, &hash)),
        None => {
            let _ = verify_password(&password, dummy_hash());
            (None, false)
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("password check task: {e}"))?;

    let Some(user_id) = user_id.filter(|_| ok) else {
        state.limiter.failed(email.as_str());
        tracing::info!(email = %email, "sign-in failed");
        return Err(Error::InvalidCredentials);
    };
    state.limiter.succeeded(email.as_str());

    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    let token = hex::encode(raw);
    let lifetime = i64::from(state.config.session_hours) * 3600;
    let now = clock::now();
    sqlx::query("DELETE FROM sessions WHERE expires_at < ?")
        .bind(now.unix_timestamp())
        .execute(&state.db)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(clock::rfc3339(now))
    .bind(now.unix_timestamp() + lifetime)
    .execute(&state.db)
    .await?;
    tracing::info!(user_id, "signed in");

    let me = load_me(&state, user_id).await?;
    let cookie = session_cookie(&token, lifetime, wants_secure_cookie(&state, &headers));
    Ok((StatusCode::OK, [(header::SET_COOKIE, cookie)], Json(me)).into_response())
}

async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    if let Some(token) = session_token(&headers) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash(&token))
            .execute(&state.db)
            .await?;
    }
    let expired = session_cookie("", 0, wants_secure_cookie(&state, &headers));
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, expired)]).into_response())
}

async fn me(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Me>> {
    Ok(Json(load_me(&state, user.id).await?))
}

#[derive(sqlx::FromRow)]
struct MeRow {
    id: i64,
    email: String,
    name: String,
    org_id: i64,
    org_name: String,
    plan_kind: String,
    role: String,
}

/// The user with the organization they act for: their first membership. The console passes an
/// explicit organization in every org-scoped path, so this is only the default.
async fn load_me(state: &AppState, user_id: i64) -> Result<Me> {
    let row: Option<MeRow> = sqlx::query_as(
        "SELECT u.id, u.email, u.name, o.id AS org_id, o.name AS org_name, o.plan_kind, m.role
         FROM users u
         JOIN memberships m ON m.user_id = u.id
         JOIN organizations o ON o.id = m.organization_id
         WHERE u.id = ?
         ORDER BY o.id LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(&state.db)
    .await?;
    let row = row.ok_or(Error::Forbidden(
        "This account does not belong to any organization.",
    ))?;
    Ok(Me {
        user: User {
            id: row.id,
            email: row.email,
            name: row.name,
        },
        organization: Organization {
            id: row.org_id,
            name: row.org_name,
            plan: parse_plan(&row.plan_kind)?,
        },
        role: parse_role(&row.role)?,
    })
}

pub fn parse_plan(s: &str) -> Result<PlanKind> {
    match s {
        "free" => Ok(PlanKind::Free),
        "paid" => Ok(PlanKind::Paid),
        other => Err(anyhow::anyhow!("unknown plan kind {other:?}").into()),
    }
}

pub fn parse_role(s: &str) -> Result<Role> {
    match s {
        "admin" => Ok(Role::Admin),
        "member" => Ok(Role::Member),
        other => Err(anyhow::anyhow!("unknown role {other:?}").into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Extractors

/// The signed-in user. Rejects with 401 when there is no valid session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let token = session_token(&parts.headers).ok_or(Error::Unauthenticated)?;
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT u.id, u.email FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ? AND s.expires_at > ?",
        )
        .bind(token_hash(&token))
        .bind(clock::now().unix_timestamp())
        .fetch_optional(&state.db)
        .await?;
        let (id, email) = row.ok_or(Error::Unauthenticated)?;
        Ok(CurrentUser { id, email })
    }
}

/// The signed-in user's membership in the organization named by the path. Anything else, including
/// another tenant's organization, is 404: existence is not revealed.
#[derive(Debug, Clone)]
pub struct Member {
    pub user: CurrentUser,
    pub organization: Organization,
    pub role: Role,
}

impl Member {
    pub async fn load(state: &AppState, user: CurrentUser, org_id: i64) -> Result<Self> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT o.name, o.plan_kind, m.role FROM memberships m
             JOIN organizations o ON o.id = m.organization_id
             WHERE m.user_id = ? AND m.organization_id = ?",
        )
        .bind(user.id)
        .bind(org_id)
        .fetch_optional(&state.db)
        .await?;
        let (name, plan, role) = row.ok_or(Error::NotFound)?;
        Ok(Member {
            user,
            organization: Organization {
                id: org_id,
                name,
                plan: parse_plan(&plan)?,
            },
            role: parse_role(&role)?,
        })
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

// ---------------------------------------------------------------------------------------------
// CSRF

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_grows_after_free_attempts_and_is_capped() {
        assert_eq!(SignInLimiter::wait_for(0), Duration::ZERO);
        assert_eq!(SignInLimiter::wait_for(2), Duration::ZERO);
        assert_eq!(SignInLimiter::wait_for(3), Duration::from_secs(1));
        assert_eq!(SignInLimiter::wait_for(4), Duration::from_secs(2));
        assert_eq!(SignInLimiter::wait_for(50), MAX_WAIT);
    }

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("support-demo").unwrap();
        assert!(verify_password("support-demo", &hash));
        assert!(!verify_password("support-dem0", &hash));
        assert!(!verify_password("support-demo", "not a phc string"));
    }

    #[test]
    fn reads_the_session_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; support_session=abc; b=2"),
        );
        assert_eq!(session_token(&headers).as_deref(), Some("abc"));
        headers.insert(header::COOKIE, HeaderValue::from_static("support_session="));
        assert_eq!(session_token(&headers), None);
    }
}
