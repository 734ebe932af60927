//! `Idempotency-Key`: a client that did not get an answer (network drop, double click, reload) sends the
//! same request again with the same key and gets the first answer instead of a second ticket.
//!
//! A key is claimed in its own short transaction (state `in_flight`), then the caller does its work in a
//! second transaction that also stores the answer on the key ([`Claim::complete`]), so the work and the
//! stored answer commit together. If the work fails the caller releases the key ([`Claim::release`]):
//! the user fixes the form and sends again with the same key. A claim whose process died before either
//! is taken over after [`IN_FLIGHT_TIMEOUT`].

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{SqliteConnection, SqlitePool};

use crate::clock;
use crate::error::{Error, Result};

/// Keys are forgotten after this long; the same key may then start a new request.
pub const KEY_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// A claim this old without an answer belongs to a request that will never finish (the process died):
/// the next request with the key takes it over.
pub const IN_FLIGHT_TIMEOUT: Duration = Duration::from_secs(60);

/// Response header on an answer replayed from a key.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// The request's key, if it sent one: 1 to [`api::ticket::IDEMPOTENCY_KEY_MAX_LEN`] visible ASCII
/// characters.
pub fn key_from_headers(headers: &HeaderMap) -> Result<Option<String>> {
    let Some(value) = headers.get(api::ticket::IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    if bytes.is_empty()
        || bytes.len() > api::ticket::IDEMPOTENCY_KEY_MAX_LEN
        || !bytes.iter().all(u8::is_ascii_graphic)
    {
        return Err(Error::Malformed(format!(
            "the Idempotency-Key header must be 1 to {} visible ASCII characters.",
            api::ticket::IDEMPOTENCY_KEY_MAX_LEN
        )));
    }
    Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
}

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
pub enum Outcome {
    /// This request owns the key and must do the work.
    Claimed(Claim),
    /// The work was done before: send this answer again.
    Replay(Response),
}

/// Ownership of a key while the request runs. `claimed_at` tells this claim from a later takeover.
#[derive(Debug, Clone)]
pub struct Claim {
    user_id: i64,
    key: String,
    claimed_at: String,
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    request_hash: String,
    state: String,
    status_code: Option<i64>,
    response_body: Option<String>,
    created_at: String,
}

/// Claims `key` for `user_id`'s request with `hash`, or finds why not: the same key with other content
/// is [`Error::IdempotencyKeyReused`], a first request still running is [`Error::RequestInProgress`],
/// and a finished one is replayed.
pub async fn claim(db: &SqlitePool, user_id: i64, key: &str, hash: &str) -> Result<Outcome> {
    let now = clock::now();
    let now_text = clock::rfc3339(now);
    // IMMEDIATE: two requests with the same key see each other's claim, never both insert.
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query("DELETE FROM idempotency_keys WHERE user_id = ? AND created_at < ?")
        .bind(user_id)
        .bind(clock::rfc3339(now - KEY_LIFETIME))
        .execute(&mut *tx)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (user_id, key, request_hash, state, created_at)
         VALUES (?, ?, ?, 'in_flight', ?)
         ON CONFLICT (user_id, key) DO NOTHING",
    )
    .bind(user_id)
    .bind(key)
    .bind(hash)
    .bind(&now_text)
    .execute(&mut *tx)
    .await?;
    let claim = Claim {
        user_id,
        key: key.to_owned(),
        claimed_at: now_text,
    };
    if inserted.rows_affected() == 1 {
        tx.commit().await?;
        return Ok(Outcome::Claimed(claim));
    }
    let row: KeyRow = sqlx::query_as(
        "SELECT request_hash, state, status_code, response_body, created_at
         FROM idempotency_keys WHERE user_id = ? AND key = ?",
    )
    .bind(user_id)
    .bind(key)
    .fetch_one(&mut *tx)
    .await?;
    if row.request_hash != hash {
        tx.commit().await?;
        return Err(Error::IdempotencyKeyReused);
    }
    match (row.state.as_str(), row.status_code, row.response_body) {
        ("done", Some(status), Some(body)) => {
            tx.commit().await?;
            let status = u16::try_from(status)
                .ok()
                .and_then(|s| StatusCode::from_u16(s).ok())
                .ok_or_else(|| anyhow::anyhow!("stored status {status} is not an HTTP status"))?;
            Ok(Outcome::Replay(stored_response(status, body, true)))
        }
        ("in_flight", _, _) if row.created_at > clock::rfc3339(now - IN_FLIGHT_TIMEOUT) => {
            tx.commit().await?;
            Err(Error::RequestInProgress)
        }
        ("in_flight", _, _) => {
            sqlx::query("UPDATE idempotency_keys SET created_at = ? WHERE user_id = ? AND key = ?")
                .bind(&claim.claimed_at)
                .bind(user_id)
                .bind(key)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::warn!(
                user_id,
                claimed_at = %row.created_at,
                "taking over an idempotency key whose first request never finished"
            );
            Ok(Outcome::Claimed(claim))
        }
        (state, _, _) => Err(anyhow::anyhow!("idempotency key in unknown state {state:?}").into()),
    }
}

impl Claim {
    /// Stores the answer, in the caller's transaction so it commits with the work. Fails with
    /// [`Error::RequestInProgress`] (and the caller's transaction must roll back) if the claim was taken
    /// over meanwhile: the other request does the work.
    pub async fn complete(
        &self,
        conn: &mut SqliteConnection,
        status: StatusCode,
        body: &str,
    ) -> Result<()> {
        let updated = sqlx::query(
            "UPDATE idempotency_keys SET state = 'done', status_code = ?, response_body = ?
             WHERE user_id = ? AND key = ? AND state = 'in_flight' AND created_at = ?",
        )
        .bind(i64::from(status.as_u16()))
        .bind(body)
        .bind(self.user_id)
        .bind(&self.key)
        .bind(&self.claimed_at)
        .execute(conn)
        .await?;
        if updated.rows_affected() == 1 {
            Ok(())
        } else {
            Err(Error::RequestInProgress)
        }
    }

    /// Forgets the claim after the work failed, so the same key can be sent again.
    pub async fn release(&self, db: &SqlitePool) -> Result<()> {
        sqlx::query(
            "DELETE FROM idempotency_keys
             WHERE user_id = ? AND key = ? AND state = 'in_flight' AND created_at = ?",
        )
        .bind(self.user_id)
        .bind(&self.key)
        .bind(&self.claimed_at)
        .execute(db)
        .await?;
        Ok(())
    }
}

/// How a request that may carry a key starts.
pub enum Start {
    /// Do the work; with a key, this request owns it.
    Run(Option<Claim>),
    /// The work was done before: send this answer again.
    Replay(Response),
}

/// Claims the request's key, if it sent one, for `request` under `scope` (what else the request is
/// about, such as the organization). Errors as [`claim`] does.
pub async fn begin(
    db: &SqlitePool,
    user_id: i64,
    headers: &HeaderMap,
    scope: &str,
    request: &impl Serialize,
) -> Result<Start> {
    let Some(key) = key_from_headers(headers)? else {
        return Ok(Start::Run(None));
    };
    let hash = request_hash(scope, request)?;
    Ok(match claim(db, user_id, &key, &hash).await? {
        Outcome::Claimed(claim) => Start::Run(Some(claim)),
        Outcome::Replay(response) => Start::Replay(response),
    })
}

/// Answers a request started with [`begin`]: 201 with the body the work stored on its claim, or the
/// work's error after freeing the claim (nothing was done, so the corrected request may reuse the key).
pub async fn finish(
    db: &SqlitePool,
    claim: Option<Claim>,
    work: Result<String>,
) -> Result<Response> {
    match work {
        Ok(body) => Ok(stored_response(StatusCode::CREATED, body, false)),
        Err(error) => {
            if let Some(claim) = claim
                && let Err(release) = claim.release(db).await
            {
                tracing::error!(error = ?release, "could not release an idempotency key");
            }
            Err(error)
        }
    }
}

/// A JSON answer from its stored text, marked as replayed when it is.
pub fn stored_response(status: StatusCode, body: String, replayed: bool) -> Response {
    let mut response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    if replayed {
        response
            .headers_mut()
            .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            api::ticket::IDEMPOTENCY_HEADER,
            HeaderValue::from_bytes(value).unwrap(),
        );
        headers
    }

    #[test]
    fn keys_are_one_to_128_visible_ascii_characters() {
        assert_eq!(key_from_headers(&HeaderMap::new()).unwrap(), None);
        assert_eq!(
            key_from_headers(&headers(b"3f1c-9a!~")).unwrap().as_deref(),
            Some("3f1c-9a!~")
        );
        assert!(key_from_headers(&headers(&[b'k'; 128])).is_ok());
        for bad in [
            &b""[..],
            &[b'k'; 129],
            b"two words",
            b"caf\xc3\xa9",
            b"tab\there",
        ] {
            assert!(
                matches!(key_from_headers(&headers(bad)), Err(Error::Malformed(_))),
                "{bad:?}"
            );
        }
    }

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
