//! The conversation on a ticket: comments, removing someone from the CC list, the customer's status
//! changes, and following every ticket of the organization.

use std::time::Duration;

use api::{Following, NewComment, StatusChange, Ticket};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;

use crate::error::Result;
use crate::http::Route;
use crate::http::extract::{Json, Path};
use crate::http::idempotency::{self, Start};
use crate::rules::auth::{CurrentUser, Member};
use crate::rules::conversation;
use crate::state::AppState;

/// The operations of this resource, served under `/api/v1` by `http::router`.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Method::POST,
            "/organizations/{org_id}/tickets/{ticket_id}/comments",
            comment,
        ),
        Route::new(
            Method::DELETE,
            "/organizations/{org_id}/tickets/{ticket_id}/cc/{email}",
            remove_cc,
        ),
        Route::new(
            Method::POST,
            "/organizations/{org_id}/tickets/{ticket_id}/status",
            change_status,
        ),
        Route::new(
            Method::PUT,
            "/organizations/{org_id}/ticket-following",
            follow,
        ),
    ]
}

/// `POST /organizations/{org}/tickets/{id}/comments`: a comment, new CCs, or both, with files. With an
/// `Idempotency-Key`, a retry gets the first answer; the key's request hash covers the organization,
/// the ticket and the body, under a `comment` scope, so the same key sent for another ticket (or for
/// creating a ticket) is a different request and refused with 422 `idempotency_key_reused`.
#[utoipa::path(
    post,
    path = "/organizations/{org_id}/tickets/{ticket_id}/comments",
    operation_id = "add_comment",
    summary = "Adds a comment, CCs or both, with files; safe to retry with an `Idempotency-Key`.",
    tag = "conversation",
    security(("session" = [], "csrf" = []), ("bearer" = [], "csrf" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member)."), ("ticket_id" = i64, Path, description = "The ticket's id."), ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 visible ASCII characters. A retry with the same key and body gets the first answer again (with `Idempotent-Replayed: true`); with another body, 422 `idempotency_key_reused`; while the first is still running, 409 `request_in_progress`.")),
    request_body = NewComment,
    responses(
        (status = 201, description = "The ticket with the comment.", body = Ticket),
        (status = 422, description = "`invalid_input`, naming each field; or `idempotency_key_reused`.", body = api::ErrorBody),
        (status = 429, description = "`rate_limited`: the user or the organization added too many comments, or sent too many emails to CC addresses outside the organization, in the last hour; the message says which.",
            body = api::ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the request fits in the limit."))),
    ),
)]
async fn comment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((org_id, ticket_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    Json(input): Json<NewComment>,
) -> Result<Response> {
    let member = Member::load(&state.store, user, org_id).await?;
    let scope = format!("comment\norganization {org_id}\nticket {ticket_id}");
    let store = &state.store;
    let deadline = Duration::from_secs(state.config.request_timeout_secs);
    let claim = match idempotency::begin(store, deadline, member.user.id, &headers, &scope, &input)
        .await?
    {
        Start::Replay(response) => return Ok(response),
        Start::Run(claim) => claim,
    };
    let work = conversation::comment(
        store,
        &member,
        ticket_id,
        &input,
        claim.as_ref(),
        &state.limits,
        state.replies_by_email(),
    )
    .await;
    idempotency::finish(store, claim, work).await
}

/// `DELETE /organizations/{org}/tickets/{id}/cc/{email}`: 204; 404 for an address not on the list.
#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/tickets/{ticket_id}/cc/{email}",
    operation_id = "remove_cc",
    summary = "Removes an address from the ticket's CC list.",
    tag = "conversation",
    security(("session" = [], "csrf" = []), ("bearer" = [], "csrf" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member)."), ("ticket_id" = i64, Path, description = "The ticket's id."), ("email" = String, Path, description = "The CCed address to remove.")),
    responses(
        (status = 204, description = "Removed."),
        (status = 429, description = "`rate_limited`: the user or the organization sent too many emails to CC addresses outside the organization in the last hour.",
            body = api::ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the request fits in the limit."))),
    ),
)]
async fn remove_cc(
    State(state): State<AppState>,
    member: Member,
    Path((_, ticket_id, email)): Path<(i64, i64, String)>,
) -> Result<StatusCode> {
    conversation::remove_cc(&state.store, &member, ticket_id, &email, &state.limits).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /organizations/{org}/tickets/{id}/status`: answers the updated ticket.
#[utoipa::path(
    post,
    path = "/organizations/{org_id}/tickets/{ticket_id}/status",
    operation_id = "change_ticket_status",
    summary = "Changes the ticket's status as the customer may (solve, reopen).",
    tag = "conversation",
    security(("session" = [], "csrf" = []), ("bearer" = [], "csrf" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member)."), ("ticket_id" = i64, Path, description = "The ticket's id.")),
    request_body = StatusChange,
    responses(
        (status = 200, body = Ticket),
        (status = 429, description = "`rate_limited`: the user or the organization sent too many emails to CC addresses outside the organization in the last hour.",
            body = api::ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the request fits in the limit."))),
    ),
)]
async fn change_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((org_id, ticket_id)): Path<(i64, i64)>,
    Json(input): Json<StatusChange>,
) -> Result<Json<Ticket>> {
    let member = Member::load(&state.store, user, org_id).await?;
    let ticket = conversation::change_status(
        &state.store,
        &member,
        ticket_id,
        input,
        &state.limits,
        state.replies_by_email(),
    )
    .await?;
    Ok(Json(ticket))
}

/// `PUT /organizations/{org}/ticket-following`.
#[utoipa::path(
    put,
    path = "/organizations/{org_id}/ticket-following",
    operation_id = "set_ticket_following",
    summary = "Whether the admin follows every ticket of the organization.",
    tag = "conversation",
    security(("session" = [], "csrf" = []), ("bearer" = [], "csrf" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member).")),
    request_body = Following,
    responses((status = 200, body = Following)),
)]
async fn follow(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
    Json(input): Json<Following>,
) -> Result<Json<Following>> {
    let member = Member::load(&state.store, user, org_id).await?;
    Ok(Json(
        conversation::follow(&state.store, &member, input).await?,
    ))
}
