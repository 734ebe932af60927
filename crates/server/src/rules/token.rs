//! Token mode: the console signs a short-lived JWT for the user it has already signed in, the
//! embedded app sends it as `Authorization: Bearer`, and this module verifies it and maps its claims
//! to a user of ours, their organization and role.
//!
//! The console is the source of truth for who the user is: a valid token for an email without a user
//! here creates one (without a password, so it cannot use the password sign-in) and its membership;
//! a changed name or role is updated. An organization is never created from a token.

use anyhow::Context;
use api::Role;
use api::validate::Email;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::clock;
use crate::config::{Config, TokenAlgorithm};
use crate::error::{Error, Result};
use crate::rules::auth::{CurrentUser, TokenScope};
use crate::store::Store;
use crate::store::users::{ConsoleIdentity, ConsoleUser};

/// The longest `name` claim we take, in characters (a display name, not a document).
pub const NAME_MAX_CHARS: usize = 200;

/// 401 for a token valid for longer than `--token-max-lifetime-secs`.
pub const TOO_LONG_LIVED: &str = "The console's token is valid for too long: `exp - iat` (or, without \
     `iat`, the time left until `exp`) is over the configured maximum lifetime.";
/// 401 for a token issued in the future (beyond the clock skew allowed).
pub const ISSUED_IN_FUTURE: &str = "The console's token was issued in the future (`iat`).";
/// 401 for a `name` claim over [`NAME_MAX_CHARS`].
pub const NAME_TOO_LONG: &str = "The console's token has a `name` claim over 200 characters.";
/// 401 for a `name` claim with a control character or a line separator: a display name is one line
/// of text, shown in emails and the operators' terminal.
pub const NAME_NOT_ONE_LINE: &str =
    "The console's token has a `name` claim with a control character or a line break.";

/// 403 for a valid token whose organization this service does not have.
pub const UNKNOWN_ORGANIZATION: &str =
    "The console's token names an organization this service does not know.";

/// `--token-max-lifetime-secs`' default: an hour.
pub const DEFAULT_MAX_LIFETIME_SECS: u64 = 3600;

/// What the console's token says, besides the registered claims (`iss`, `aud`, `exp`, `nbf`) that
/// [`TokenVerifier`] checks.
#[derive(Debug, Clone, Deserialize)]
pub struct ConsoleClaims {
    /// The console's id of the user (required; logged, not stored: users are matched by email).
    pub sub: String,
    /// When the console issued it, in seconds since the epoch (optional, as in RFC 7519; it bounds
    /// the lifetime when present).
    pub iat: Option<i64>,
    /// When it expires, in seconds since the epoch (required; checked by [`TokenVerifier`]).
    pub exp: i64,
    /// The user's email: who they are here.
    pub email: Email,
    /// Display name; the email when the console sends none.
    #[serde(default)]
    pub name: Option<String>,
    /// This service's id of the organization the user acts in.
    pub org: i64,
    /// Their role in it.
    pub role: Role,
}

/// Verifies console tokens with the configured key, algorithm, issuer, audience and clock skew.
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
    max_lifetime_secs: u64,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("algorithms", &self.validation.algorithms)
            .field("iss", &self.validation.iss)
            .field("aud", &self.validation.aud)
            .field("leeway", &self.validation.leeway)
            .finish_non_exhaustive()
    }
}

impl TokenVerifier {
    /// The verifier `config` asks for: `None` when no key is configured (token mode off), an error
    /// when token mode is half configured or the key does not read.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Self>> {
        let Some(path) = &config.token_public_key else {
            anyhow::ensure!(
                config.token_algorithm.is_none()
                    && config.token_issuer.is_none()
                    && config.token_audience.is_none(),
                "--token-algorithm, --token-issuer and --token-audience need --token-public-key"
            );
            return Ok(None);
        };
        let algorithm = config
            .token_algorithm
            .context("token mode needs --token-algorithm")?;
        let issuer = config
            .token_issuer
            .as_deref()
            .filter(|s| !s.is_empty())
            .context("token mode needs --token-issuer")?;
        let audience = config
            .token_audience
            .as_deref()
            .filter(|s| !s.is_empty())
            .context("token mode needs --token-audience")?;
        let pem = std::fs::read(path)
            .with_context(|| format!("reading the token public key {}", path.display()))?;
        Self::new(&pem, algorithm, issuer, audience, config.token_leeway_secs)
            .with_context(|| format!("token public key {}", path.display()))
            .map(|verifier| Some(verifier.with_max_lifetime(config.token_max_lifetime_secs)))
    }

    /// A verifier for tokens signed with `algorithm` by the private half of the PEM public key
    /// `pem`.
    pub fn new(
        pem: &[u8],
        algorithm: TokenAlgorithm,
        issuer: &str,
        audience: &str,
        leeway_secs: u64,
    ) -> anyhow::Result<Self> {
        let (algorithm, key) = match algorithm {
            TokenAlgorithm::EdDsa => (Algorithm::EdDSA, DecodingKey::from_ed_pem(pem)),
            TokenAlgorithm::Es256 => (Algorithm::ES256, DecodingKey::from_ec_pem(pem)),
            TokenAlgorithm::Es384 => (Algorithm::ES384, DecodingKey::from_ec_pem(pem)),
            TokenAlgorithm::Rs256 => (Algorithm::RS256, DecodingKey::from_rsa_pem(pem)),
            TokenAlgorithm::Rs384 => (Algorithm::RS384, DecodingKey::from_rsa_pem(pem)),
            TokenAlgorithm::Rs512 => (Algorithm::RS512, DecodingKey::from_rsa_pem(pem)),
            TokenAlgorithm::Ps256 => (Algorithm::PS256, DecodingKey::from_rsa_pem(pem)),
            TokenAlgorithm::Ps384 => (Algorithm::PS384, DecodingKey::from_rsa_pem(pem)),
            TokenAlgorithm::Ps512 => (Algorithm::PS512, DecodingKey::from_rsa_pem(pem)),
        };
        let key = key.context("not a PEM public key of the configured algorithm's kind")?;
        // One algorithm, from the configuration: a token's header cannot choose another (`none`, or
        // HS256 keyed with the public key's bytes).
        let mut validation = Validation::new(algorithm);
        validation.algorithms = vec![algorithm];
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = leeway_secs;
        Ok(Self {
            key,
            validation,
            max_lifetime_secs: DEFAULT_MAX_LIFETIME_SECS,
        })
    }

    /// The same verifier, refusing tokens valid for more than `secs` (`exp - iat`).
    pub fn with_max_lifetime(mut self, secs: u64) -> Self {
        self.max_lifetime_secs = secs;
        self
    }

    /// The claims of `token` if its signature, algorithm, issuer, audience, expiry and not-before
    /// all check out; else [`Error::Unauthenticated`] (why is logged, never answered).
    ///
    /// Then our own limits, each a 401 that says which: `exp` at most `max_lifetime_secs` after
    /// `iat` (which must not be in the future), or after now for a token without `iat`; and a `name`
    /// of at most [`NAME_MAX_CHARS`] on one line ([`api::validate::is_refused_in_single_line`]).
    pub fn verify(&self, token: &str) -> Result<ConsoleClaims> {
        let claims = jsonwebtoken::decode::<ConsoleClaims>(token, &self.key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                tracing::info!(reason = %e, "console token refused");
                Error::Unauthenticated
            })?;
        self.check_limits(&claims, clock::now_timestamp().unix_seconds())
            .inspect_err(
                |e| tracing::info!(sub = %claims.sub, reason = %e, "console token refused"),
            )?;
        Ok(claims)
    }

    fn check_limits(&self, claims: &ConsoleClaims, now: i64) -> Result<()> {
        let leeway = i64::try_from(self.validation.leeway).unwrap_or(i64::MAX);
        if claims
            .iat
            .is_some_and(|iat| iat > now.saturating_add(leeway))
        {
            return Err(Error::TokenRefused(ISSUED_IN_FUTURE));
        }
        // Without `iat`, what is left of its life is all we can bound, and it is what matters.
        let issued_at = claims.iat.unwrap_or(now);
        let lifetime = i128::from(claims.exp) - i128::from(issued_at);
        if lifetime > i128::from(self.max_lifetime_secs) {
            return Err(Error::TokenRefused(TOO_LONG_LIVED));
        }
        if claims
            .name
            .as_deref()
            .is_some_and(|name| name.chars().count() > NAME_MAX_CHARS)
        {
            return Err(Error::TokenRefused(NAME_TOO_LONG));
        }
        if claims
            .name
            .as_deref()
            .is_some_and(|name| name.chars().any(api::validate::is_refused_in_single_line))
        {
            return Err(Error::TokenRefused(NAME_NOT_ONE_LINE));
        }
        Ok(())
    }
}

/// The user a valid console `token` names, created or brought up to date from its claims, scoped to
/// the token's organization. 401 for an invalid token, 403 for an organization this service does
/// not have.
pub async fn token_user(
    store: &Store,
    verifier: &TokenVerifier,
    token: &str,
) -> Result<CurrentUser> {
    let claims = verifier.verify(token)?;
    let name = claims
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(claims.email.as_str());
    let identity = ConsoleIdentity {
        email: claims.email.as_str(),
        name,
        org_id: claims.org,
        role: claims.role,
    };
    match store
        .console_user(&identity, clock::now_timestamp())
        .await?
    {
        ConsoleUser::Found { id, email } => Ok(CurrentUser {
            id,
            email,
            token: Some(TokenScope {
                organization: claims.org,
                role: claims.role,
            }),
        }),
        ConsoleUser::UnknownOrganization => {
            tracing::info!(sub = %claims.sub, org = claims.org, "console token for an unknown organization");
            Err(Error::Forbidden(UNKNOWN_ORGANIZATION))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_message_states_the_bound() {
        assert!(NAME_TOO_LONG.contains(&format!("over {NAME_MAX_CHARS} characters")));
    }
}
