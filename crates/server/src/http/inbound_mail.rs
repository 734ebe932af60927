//! `POST /api/v1/inbound-mail`: one raw RFC 5322 message as the body (`message/rfc822`), from an
//! inbound-mail webhook, authenticated with the shared secret `--inbound-mail-secret` as
//! `Authorization: Bearer <secret>`. Without the secret or without `--reply-domain` the endpoint does
//! not exist (404). It is outside the CSRF check: no browser sends it and no cookie authenticates it.
//!
//! Answers: 200 with `{"outcome": "added" | "answered_closed" | "dropped" | "refused", "reason"?,
//! "ticket_id"?}` for every message that was read (a webhook must not retry a forged or automatic
//! message), except 429 with `Retry-After` for a reply past an hourly abuse limit (the same answer
//! body, `refused`: a limit clears within the hour, so the webhook should deliver it again, as the CLI's
//! exit status 75 tells a mail server), 413 for one over `--inbound-mail-max-bytes`, 401 for a wrong
//! secret, 500 only when the database or disk failed (a retry may succeed).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::Method;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};
use crate::http::Route;
use crate::rules::mail::{self, InboundSettings, Outcome, Refused};
use crate::state::AppState;

/// The route, relative to `/api/v1`: outside the CSRF check (see [`Route::without_csrf`]).
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::POST, "/inbound-mail", inbound)
            .without_csrf()
            .upload(crate::http::deadline::BodyKind::Request),
    ]
}

/// What the endpoint answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = InboundMailAnswer)]
struct Answer {
    /// `added` (a comment or CC change), `answered_closed` (the ticket is closed: an automatic answer
    /// went back), `dropped` (an auto-reply, bounce or loop) or `refused` (unknown token, sender or
    /// content; see `reason`).
    #[schema(value_type = String)]
    outcome: &'static str,
    /// Why it was refused or dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// The ticket the reply was about, when it was added or answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket_id: Option<i64>,
}

impl From<&Outcome> for Answer {
    fn from(outcome: &Outcome) -> Self {
        let ticket_id = match outcome {
            Outcome::Added { ticket_id, .. } | Outcome::AnsweredClosed { ticket_id } => {
                Some(*ticket_id)
            }
            _ => None,
        };
        Self {
            outcome: outcome.label(),
            reason: outcome.reason(),
            ticket_id,
        }
    }
}

/// The handler: see the module's documentation.
#[utoipa::path(
    post,
    path = "/inbound-mail",
    operation_id = "ingest_inbound_mail",
    summary = "Takes one email reply to a ticket email (an inbound-mail webhook).",
    tag = "inbound mail",
    security(("inbound_mail_secret" = [])),
    request_body(content = Vec<u8>, content_type = "message/rfc822", description = "The raw RFC 5322 message."),
    responses(
        (status = 200, description = "The message was read; `outcome` says what became of it.", body = Answer),
        (status = 404, description = "Replies by email are not configured (no `--inbound-mail-secret` or `--reply-domain`).", body = api::ErrorBody),
        (status = 413, description = "Over `--inbound-mail-max-bytes`.", body = Answer),
        (status = 429, description = "`refused`: the reply is past an hourly abuse limit of its author or their organization; deliver it again after `Retry-After`.",
            body = Answer, headers(("Retry-After" = u64, description = "Seconds until the reply fits in the limit."))),
    ),
)]
pub(crate) async fn inbound(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    let (Some(secret), Some(settings)) = (
        state.config.inbound_mail_secret.as_deref(),
        InboundSettings::from_config(&state.config, &state.files),
    ) else {
        return Err(Error::NotFound);
    };
    if !authorized(&headers, secret) {
        tracing::warn!("inbound mail: wrong or missing secret");
        return Err(Error::Unauthenticated);
    }
    let limit = usize::try_from(settings.max_bytes).unwrap_or(usize::MAX);
    let Ok(raw) = axum::body::to_bytes(body, limit).await else {
        let outcome = Outcome::Refused(Refused::TooBig);
        tracing::warn!(reason = %Refused::TooBig, "inbound email refused");
        return Ok((StatusCode::PAYLOAD_TOO_LARGE, Json(Answer::from(&outcome))).into_response());
    };
    let outcome = mail::ingest(&state.store, &settings, &raw).await?;
    let answer = Json(Answer::from(&outcome));
    let no_store = (header::CACHE_CONTROL, "no-store".to_owned());
    if let Outcome::Refused(Refused::OverLimit(_, retry_after_secs)) = outcome {
        let retry_after = (header::RETRY_AFTER, retry_after_secs.to_string());
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [no_store, retry_after],
            answer,
        )
            .into_response());
    }
    Ok(([no_store], answer).into_response())
}

/// Whether the request carries `Bearer <secret>`. Both sides are hashed first, so the comparison
/// takes the same time whatever the length or content of what was sent.
fn authorized(headers: &HeaderMap, secret: &str) -> bool {
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let sent = Sha256::digest(sent.trim().as_bytes());
    let expected = Sha256::digest(secret.as_bytes());
    sent.ct_eq(&expected).into()
}
