//! `Idempotency-Key`: a client that did not get an answer (network drop, double click, reload) sends the
//! same request again with the same key and gets the first answer instead of a second ticket.
//!
//! A key the user has not sent before (nearly every request) is stored once, with its answer, in the
//! transaction of the work ([`complete`]), so the work and the stored answer commit together, and
//! nothing is written before the work: write transactions queue behind each other, and a claim of
//! its own was one more per ticket. Two requests racing with a new key both run; the second to
//! commit finds the key stored and rolls back with 409 `request_in_progress`, as does its failure
//! if the first's success is why it failed (`http::idempotency::finish`), and its retry gets the
//! answer.
//!
//! A key that is stored already is claimed in its own short write transaction: replayed when done,
//! refused when reused with other content, 409 while an earlier claim is in flight (state
//! `in_flight`; the caller then completes it with the work, or releases it if the work fails, via
//! [`Store::release_key`], so the corrected form may reuse the key). A claim whose request died
//! before either (the process crashed, or the route's deadline stopped it) is taken over after
//! [`in_flight_timeout`]. The HTTP side (the header, replaying the answer) is `http::idempotency`.

use std::time::Duration;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::clock;
use crate::error::{Error, Result};
use crate::store::idempotency::Claim;
use crate::store::{Store, Tx};

/// Keys are forgotten after this long; the same key may then start a new request.
pub const KEY_LIFETIME: Duration =
    Duration::from_secs(api::idempotency::IDEMPOTENCY_KEY_LIFETIME_SECS);

/// Added to the route's deadline before a claim without an answer is taken over: the timer firing
/// late on a busy machine, and the dropped request's rollback reaching the database.
pub const TAKEOVER_MARGIN: Duration = Duration::from_secs(10);

/// How old a claim without an answer must be before the next request with its key takes it over:
/// the claiming route's deadline (`--request-timeout-secs`; the claim is made inside it) plus
/// [`TAKEOVER_MARGIN`]. By then the first request has answered or was stopped by `http::deadline`,
/// so it will never finish. Taking over sooner would still not do the work twice ([`complete`]
/// refuses a claim taken over), but it would fail a request that was about to succeed.
pub fn in_flight_timeout(request_timeout: Duration) -> Duration {
    request_timeout + TAKEOVER_MARGIN
}

/// The status every answer stored on a key has: both idempotent requests create something.
pub const CREATED: u16 = 201;

/// SHA-256 (hex) of what the request asks for: `scope` (such as the organization) and the parsed body,
/// serialised again, so formatting differences between two sends do not count as different content.
pub fn request_hash(scope: &str, request: &impl Serialize) -> Result<String> {
    let body = serde_json::to_string(request).map_err(anyhow::Error::from)?;
    let mut hasher = Sha256::new();
    hasher.update(scope.as_bytes());
    hasher.update(b"\n");
    hasher.update(body.as_bytes());
    Ok(hex::encode(hasher.finalize()))
}

/// What [`claim`] found.
#[derive(Debug)]
pub enum Outcome {
    /// This request owns the key and must do the work.
    Claimed(Claim),
    /// The work was done before: send this answer again.
    Replay { status: u16, body: String },
}

/// Claims `key` for `user_id`'s request with `hash`, or finds why not: the same key with other content
/// is [`Error::IdempotencyKeyReused`], a first request still running is [`Error::RequestInProgress`],
/// and a finished one is replayed. A claim older than `in_flight_timeout` ([`in_flight_timeout`]) is
/// taken over. A key the user has not sent is claimed without writing anything (see the module's
/// documentation).
pub async fn claim(
    store: &Store,
    user_id: i64,
    key: &str,
    hash: &str,
    in_flight_timeout: Duration,
) -> Result<Outcome> {
    let now = clock::now();
    let mut claim = Claim {
        user_id,
        key: key.to_owned(),
        claimed_at: clock::timestamp(now),
        request_hash: hash.to_owned(),
        recorded: false,
    };
    // A key the user has not sent (nearly every request) is stored only with its answer, by
    // [`complete`] in the work's transaction: no write transaction of its own, which would queue
    // with every other writer.
    if !store.has_key(user_id, key).await? {
        return Ok(Outcome::Claimed(claim));
    }
    // Write-locked: two requests with the same key see each other's claim, never both insert. The
    // key may have been released since it was seen.
    claim.recorded = true;
    let expired_before = clock::timestamp(now - KEY_LIFETIME);
    let mut tx = store.begin_write().await?;
    if tx.insert_key(&claim, hash, expired_before).await? {
        tx.commit().await?;
        return Ok(Outcome::Claimed(claim));
    }
    let stored = tx.key(user_id, key).await?;
    if stored.request_hash != hash {
        tx.commit().await?;
        return Err(Error::IdempotencyKeyReused);
    }
    match (
        stored.state.as_str(),
        stored.status_code,
        stored.response_body,
    ) {
        ("done", Some(status), Some(body)) => {
            tx.commit().await?;
            let status = u16::try_from(status)
                .map_err(|_| anyhow::anyhow!("stored status {status} is not an HTTP status"))?;
            Ok(Outcome::Replay { status, body })
        }
        ("in_flight", _, _) if stored.created_at > clock::timestamp(now - in_flight_timeout) => {
            tx.commit().await?;
            Err(Error::RequestInProgress)
        }
        ("in_flight", _, _) => {
            tx.take_over_key(&claim).await?;
            tx.commit().await?;
            tracing::warn!(
                user_id,
                claimed_at = %stored.created_at,
                "taking over an idempotency key whose first request never finished"
            );
            Ok(Outcome::Claimed(claim))
        }
        (state, _, _) => Err(anyhow::anyhow!("idempotency key in unknown state {state:?}").into()),
    }
}

/// Stores the answer (201 with `body`) on the request's key, if it sent one, in the transaction of
/// the work. Fails with [`Error::RequestInProgress`] (and the transaction must roll back) if the
/// claim was taken over meanwhile, or, for a key that was not stored, if another request stored it:
/// the other request does the work.
pub async fn complete(tx: &mut Tx, claim: Option<&Claim>, body: &str) -> Result<()> {
    let Some(claim) = claim else {
        return Ok(());
    };
    let stored = if claim.recorded {
        tx.complete_key(claim, CREATED, body).await?
    } else {
        tx.insert_done_key(claim, CREATED, body).await?
    };
    if stored {
        Ok(())
    } else {
        Err(Error::RequestInProgress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_covers_the_scope_and_the_content_not_the_formatting() {
        let a: serde_json::Value = serde_json::from_str(r#"{"subject": "x", "cc": []}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str("{\"subject\":\"x\",\n\"cc\":[]}").unwrap();
        let c: serde_json::Value = serde_json::from_str(r#"{"subject": "y", "cc": []}"#).unwrap();
        let hash = request_hash("1", &a).unwrap();
        assert_eq!(hash.len(), 64);
        assert_eq!(hash, request_hash("1", &b).unwrap());
        assert_ne!(hash, request_hash("1", &c).unwrap());
        assert_ne!(hash, request_hash("2", &a).unwrap());
    }
}
