//! Who is asking: passwords, sign-in (slowed down after failures), sessions, and the signed-in user's
//! membership in the organization a request is about.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use api::{Me, Organization, Role, SignInRequest, User};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::clock;
use crate::error::{Error, Result};
use crate::store::Store;

/// 403 for a user who belongs to no organization.
pub const NO_ORGANIZATION: &str = "This account does not belong to any organization.";

/// The signed-in user: by their session cookie, or by a console token (`rules::token`).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    /// What a console token says about this request; `None` for a session.
    pub token: Option<TokenScope>,
}

/// The organization and role a console token gives its request. The console is the source of truth
/// in token mode: the request reaches no other organization, even one the user is (still) a member
/// of here, and acts with the token's role, whatever the membership row says (the token also
/// updates that row, but a concurrent token with another role cannot change this request's role).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenScope {
    /// This service's id of the organization.
    pub organization: i64,
    /// The user's role in it.
    pub role: Role,
}

/// The signed-in user's membership in the organization a request names. Anything else, including
/// another tenant's organization, is 404: existence is not revealed.
#[derive(Debug, Clone)]
pub struct Member {
    pub user: CurrentUser,
    pub organization: Organization,
    pub role: Role,
}

impl Member {
    /// `user`'s membership in `org_id`, or [`Error::NotFound`].
    pub async fn load(store: &Store, user: CurrentUser, org_id: i64) -> Result<Self> {
        if user.token.is_some_and(|token| token.organization != org_id) {
            return Err(Error::NotFound);
        }
        // A session only reaches the memberships it has here, not those a console token created.
        let membership = store
            .membership(user.id, org_id, user.token.is_some())
            .await?
            .ok_or(Error::NotFound)?;
        let role = user.token.map_or(membership.role, |token| token.role);
        Ok(Member {
            user,
            organization: membership.organization,
            role,
        })
    }

    /// Whether they are one of the organization's admins.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
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

/// Failed attempts per email. After `FREE_ATTEMPTS` failures each further attempt must wait
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

/// Sessions are stored under the SHA-256 of their token: a copy of the table opens no session.
fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A session that [`sign_in`] started.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The secret the session cookie carries.
    pub token: String,
    pub me: Me,
}

/// Checks the credentials (slowed down after failures, [`SignInLimiter`]) and starts a session of
/// `lifetime_secs`.
pub async fn sign_in(
    store: &Store,
    limiter: &SignInLimiter,
    request: &SignInRequest,
    lifetime_secs: i64,
) -> Result<SignedIn> {
    let email = request.validate().map_err(Error::Invalid)?;
    limiter.check(email.as_str())?;

    let credentials = store.credentials(email.as_str()).await?;
    let password = request.password.clone();
    let (user_id, ok) = tokio::task::spawn_blocking(move || match credentials {
        Some(c) => (
            Some(c.user_id),
            verify_password(&password, &c.password_hash),
        ),
        None => {
            let _ = verify_password(&password, dummy_hash());
            (None, false)
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("password check task: {e}"))?;

    let Some(user_id) = user_id.filter(|_| ok) else {
        limiter.failed(email.as_str());
        tracing::info!(email = %email, "sign-in failed");
        return Err(Error::InvalidCredentials);
    };
    limiter.succeeded(email.as_str());

    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    let token = hex::encode(raw);
    store
        .start_session(
            &token_hash(&token),
            user_id,
            clock::now_timestamp(),
            lifetime_secs,
        )
        .await?;
    tracing::info!(user_id, "signed in");
    Ok(SignedIn {
        token,
        me: me(store, user_id).await?,
    })
}

/// Ends the session with `token`, if there is one.
pub async fn sign_out(store: &Store, token: &str) -> Result<()> {
    store.end_session(&token_hash(token)).await
}

/// The user whose unexpired session has `token`, or [`Error::Unauthenticated`].
pub async fn current_user(store: &Store, token: &str) -> Result<CurrentUser> {
    let (id, email) = store
        .session_user(&token_hash(token), clock::now_timestamp())
        .await?
        .ok_or(Error::Unauthenticated)?;
    Ok(CurrentUser {
        id,
        email,
        token: None,
    })
}

/// `/me` for `user`: with a console token, the token's organization and role; with a session,
/// [`me`].
pub async fn me_of(store: &Store, user: CurrentUser) -> Result<Me> {
    let Some(TokenScope {
        organization: org_id,
        ..
    }) = user.token
    else {
        return me(store, user.id).await;
    };
    let name = store.user_name(user.id).await?;
    let member = Member::load(store, user, org_id).await?;
    Ok(Me {
        user: User {
            id: member.user.id,
            email: member.user.email,
            name,
        },
        organization: member.organization,
        role: member.role,
    })
}

/// The user with the organization they act for: their first membership. The console passes an
/// explicit organization in every org-scoped path, so this is only the default.
pub async fn me(store: &Store, user_id: i64) -> Result<Me> {
    store
        .me(user_id)
        .await?
        .ok_or(Error::Forbidden(NO_ORGANIZATION))
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
}
