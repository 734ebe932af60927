//! Who is asking: passwords, sign-in (slowed down after failures), sessions, and the signed-in user's
//! membership in the organization a request is about.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use api::{Me, Organization, Role, SignInRequest, User};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::clock;
use crate::config::Config;
use crate::error::{Error, Result, SignInLimit};
use crate::store::Store;
use crate::store::sign_in_limits::SignInCounter;

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

/// Limits on sign-in, checked and counted before the password is: three counters, each a row in
/// the database (`store::sign_in_limits`) so that every server instance on it shares them.
///
/// - **Per account** (by email): after `FREE_ATTEMPTS` failures each further attempt must wait
///   twice as long as the previous one (capped at a minute, so a hostile lock-out stays short);
///   a success resets.
/// - **Per client address** and **globally**: at most so many attempts per minute, whatever the
///   account, against one password tried across many accounts.
///
/// An attempt is reserved (counted as a failure) in one write transaction before its password is
/// checked, so parallel guesses cannot all pass a check that only a finished failure would close.
/// Then at most `password_checks` Argon2 verifications run at once; a sign-in that finds none free
/// within `check_wait` is answered 503 with `Retry-After` (its reservation stays counted).
pub struct SignInLimiter {
    per_address: i64,
    global: i64,
    checks: tokio::sync::Semaphore,
    check_wait: Duration,
    checks_run: AtomicU64,
}

const FREE_ATTEMPTS: i64 = 3;
const MAX_WAIT: Duration = Duration::from_secs(60);
/// The window of the per-address and global limits.
const WINDOW: Duration = Duration::from_secs(60);
/// Counters idle this long are purged: longer than any wait or window, so no limit is forgotten early.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// What a 503 asks the client to wait before trying again.
const BUSY_RETRY_AFTER_SECS: u64 = 2;

/// Who a sign-in comes from, as far as the limits are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl ClientAddress {
    /// The key of the per-address counter. IPv6 counts by /64, the block one subscriber gets, so
    /// that a client cannot step through its own addresses.
    fn key(self) -> Option<String> {
        Some(match self.0? {
            IpAddr::V4(v4) => format!("address:{v4}"),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => format!("address:{v4}"),
                None => {
                    let s = v6.segments();
                    format!("address:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        })
    }
}

impl SignInLimiter {
    /// The limits the configuration asks for.
    pub fn new(config: &Config) -> Self {
        Self {
            per_address: i64::from(config.sign_in_per_address),
            global: i64::from(config.sign_in_global),
            checks: tokio::sync::Semaphore::new(config.password_checks as usize),
            check_wait: Duration::from_millis(config.password_check_wait_ms),
            checks_run: AtomicU64::new(0),
        }
    }

    /// How many password checks have run since start (tests count them under a flood).
    pub fn password_checks_run(&self) -> u64 {
        self.checks_run.load(Ordering::Relaxed)
    }

    fn wait_for(failures: i64) -> Duration {
        if failures < FREE_ATTEMPTS {
            return Duration::ZERO;
        }
        let exp = (failures - FREE_ATTEMPTS).min(6) as u32;
        Duration::from_secs(1u64 << exp).min(MAX_WAIT)
    }

    /// Checks the three counters and, when all allow it, counts this attempt in each, atomically.
    async fn reserve(&self, store: &Store, email: &str, address: ClientAddress) -> Result<()> {
        let now = clock::now_ms();
        let mut tx = store.begin_write().await?;
        tx.purge_sign_in_counters(now - FORGET_AFTER.as_millis() as i64)
            .await?;

        let account_key = account_key(email);
        let account = tx.sign_in_counter(&account_key).await?;
        if let Some(counter) = account {
            let wait = Self::wait_for(counter.count).as_millis() as i64;
            let elapsed = now - counter.last_ms;
            if elapsed < wait {
                return Err(too_many(wait - elapsed, SignInLimit::Account));
            }
        }
        let windows = [
            address
                .key()
                .map(|key| (key, self.per_address, SignInLimit::Address)),
            Some(("global".to_owned(), self.global, SignInLimit::Global)),
        ];
        let mut counted = Vec::with_capacity(2);
        for (key, limit, which) in windows.into_iter().flatten() {
            let window = WINDOW.as_millis() as i64;
            let counter = match tx.sign_in_counter(&key).await? {
                Some(c) if now - c.window_start_ms < window => c,
                _ => SignInCounter {
                    count: 0,
                    window_start_ms: now,
                    last_ms: now,
                },
            };
            if counter.count >= limit {
                return Err(too_many(counter.window_start_ms + window - now, which));
            }
            counted.push((key, counter));
        }

        let failures = account.map_or(0, |c| c.count);
        tx.put_sign_in_counter(
            &account_key,
            SignInCounter {
                count: failures + 1,
                window_start_ms: account.map_or(now, |c| c.window_start_ms),
                last_ms: now,
            },
        )
        .await?;
        for (key, counter) in counted {
            tx.put_sign_in_counter(
                &key,
                SignInCounter {
                    count: counter.count + 1,
                    last_ms: now,
                    ..counter
                },
            )
            .await?;
        }
        tx.commit().await
    }

    /// A success forgets the account's failures (the address and global windows keep counting).
    async fn succeeded(&self, store: &Store, email: &str) -> Result<()> {
        let mut tx = store.begin_write().await?;
        tx.delete_sign_in_counter(&account_key(email)).await?;
        tx.commit().await
    }

    /// Runs `check` (a password verification) once a check slot is free; 503 when none frees up in
    /// time.
    async fn check<T: Send + 'static>(
        &self,
        check: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let _permit = tokio::time::timeout(self.check_wait, self.checks.acquire())
            .await
            .map_err(|_| Error::Busy {
                retry_after_secs: BUSY_RETRY_AFTER_SECS,
            })?
            .map_err(|e| anyhow::anyhow!("password check semaphore: {e}"))?;
        self.checks_run.fetch_add(1, Ordering::Relaxed);
        Ok(tokio::task::spawn_blocking(check)
            .await
            .map_err(|e| anyhow::anyhow!("password check task: {e}"))?)
    }
}

fn account_key(email: &str) -> String {
    format!("account:{email}")
}

fn too_many(wait_ms: i64, limit: SignInLimit) -> Error {
    let secs = (wait_ms.max(0) as u64).div_ceil(1000);
    Error::TooManyAttempts {
        retry_after_secs: secs.max(1),
        limit,
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

/// Checks the credentials (within the [`SignInLimiter`]'s limits) and starts a session of
/// `lifetime_secs`.
pub async fn sign_in(
    store: &Store,
    limiter: &SignInLimiter,
    address: ClientAddress,
    request: &SignInRequest,
    lifetime_secs: i64,
) -> Result<SignedIn> {
    let email = request.validate().map_err(Error::Invalid)?;
    limiter.reserve(store, email.as_str(), address).await?;

    let credentials = store.credentials(email.as_str()).await?;
    let password = request.password.clone();
    let (user_id, ok) = limiter
        .check(move || match credentials {
            Some(c) => (
                Some(c.user_id),
                verify_password(&password, &c.password_hash),
            ),
            None => {
                let _ = verify_password(&password, dummy_hash());
                (None, false)
            }
        })
        .await?;

    let Some(user_id) = user_id.filter(|_| ok) else {
        // No email at info level: the log is not the place for who tried to sign in.
        tracing::info!("sign-in failed");
        return Err(Error::InvalidCredentials);
    };
    limiter.succeeded(store, email.as_str()).await?;

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
