//! Support tickets: the create form's options, the lists, creating a ticket (safe to retry with an
//! `Idempotency-Key`) and one ticket. The lists and a ticket answer with an ETag: the SPA polls them.

use std::time::Duration;

use api::{NewTicket, Ticket, TicketList, TicketListQuery, TicketOptions};
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::Response;

use crate::error::{Error, Result};
use crate::http::Route;
use crate::http::etag;
use crate::http::extract::{Json, Path, Query};
use crate::http::idempotency::{self, Start};
use crate::rules::auth::{CurrentUser, Member};
use crate::rules::{ticket_list, tickets};
use crate::state::AppState;

/// The operations of this resource, served under `/api/v1` by `http::router`.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Method::GET,
            "/organizations/{org_id}/ticket-options",
            options,
        ),
        Route::new(Method::GET, "/organizations/{org_id}/tickets", list),
        Route::new(Method::POST, "/organizations/{org_id}/tickets", create),
        Route::new(
            Method::GET,
            "/organizations/{org_id}/tickets/{ticket_id}",
            show,
        ),
    ]
}

/// What the create form offers.
#[utoipa::path(
    get,
    path = "/organizations/{org_id}/ticket-options",
    operation_id = "get_ticket_options",
    tag = "tickets",
    security(("session" = []), ("bearer" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member).")),
    responses((status = 200, body = TicketOptions)),
)]
async fn options(State(state): State<AppState>, member: Member) -> Result<Json<TicketOptions>> {
    let forum_url = state.config.forum_url.clone();
    let replies_by_email = state.replies_by_email();
    Ok(Json(
        tickets::options(&state.store, &member, forum_url, replies_by_email).await?,
    ))
}

/// `GET /organizations/{org}/tickets?scope=&status=&severity=&q=&sort=&after=&before=&limit=`.
#[utoipa::path(
    get,
    path = "/organizations/{org_id}/tickets",
    operation_id = "list_tickets",
    summary = "One page of the organization's tickets, filtered and sorted.",
    tag = "tickets",
    security(("session" = []), ("bearer" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member)."), TicketListQuery, ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client has: 304 without a body when it is still current.")),
    responses(
        (status = 200, body = TicketList, headers(("ETag" = String, description = "A weak ETag of the body, for `If-None-Match`."))),
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current.", headers(("ETag" = String, description = "A weak ETag of the body, for `If-None-Match`."))),
    ),
)]
async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
    headers: HeaderMap,
    Query(query): Query<TicketListQuery>,
) -> Result<Response> {
    let member = Member::load(&state.store, user, org_id).await?;
    let page = ticket_list::load_page(&state.store, &member, &query).await?;
    etag::json(&headers, &page)
}

/// `POST /organizations/{org}/tickets`. With an `Idempotency-Key`, a retry gets the first answer; the
/// key's request hash covers the organization and the body.
#[utoipa::path(
    post,
    path = "/organizations/{org_id}/tickets",
    operation_id = "create_ticket",
    summary = "Creates a ticket; safe to retry with an `Idempotency-Key`.",
    tag = "tickets",
    security(("session" = [], "csrf" = []), ("bearer" = [], "csrf" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member)."), ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 visible ASCII characters. A retry with the same key and body gets the first answer again (with `Idempotent-Replayed: true`); with another body, 422 `idempotency_key_reused`; while the first is still running, 409 `request_in_progress`.")),
    request_body = NewTicket,
    responses(
        (status = 201, body = Ticket),
        (status = 422, description = "`invalid_input`, naming each field; or `idempotency_key_reused`.", body = api::ErrorBody),
        (status = 429, description = "`rate_limited`: the user or the organization created too many tickets, or sent too many emails to CC addresses outside the organization, in the last hour; the message says which.",
            body = api::ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the request fits in the limit."))),
    ),
)]
async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
    headers: HeaderMap,
    Json(input): Json<NewTicket>,
) -> Result<Response> {
    let member = Member::load(&state.store, user, org_id).await?;
    let scope = org_id.to_string();
    let store = &state.store;
    let deadline = Duration::from_secs(state.config.request_timeout_secs);
    let claim = match idempotency::begin(store, deadline, member.user.id, &headers, &scope, &input)
        .await?
    {
        Start::Replay(response) => return Ok(response),
        Start::Run(claim) => claim,
    };
    let work = tickets::create(
        store,
        &member,
        &input,
        claim.as_ref(),
        &state.calendar,
        &state.limits,
        state.replies_by_email(),
    )
    .await;
    idempotency::finish(store, claim, work).await
}

/// `GET /organizations/{org}/tickets/{id}`.
#[utoipa::path(
    get,
    path = "/organizations/{org_id}/tickets/{ticket_id}",
    operation_id = "get_ticket",
    summary = "One ticket with its conversation.",
    tag = "tickets",
    security(("session" = []), ("bearer" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member)."), ("ticket_id" = i64, Path, description = "The ticket's id."), ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client has: 304 without a body when it is still current.")),
    responses(
        (status = 200, body = Ticket, headers(("ETag" = String, description = "A weak ETag of the body, for `If-None-Match`."))),
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current.", headers(("ETag" = String, description = "A weak ETag of the body, for `If-None-Match`."))),
        (status = 404, description = "`not_found`, also for a ticket the user may not read.", body = api::ErrorBody),
    ),
)]
async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, ticket_id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Response> {
    let ticket = tickets::load_readable(&state.store, &member, ticket_id)
        .await?
        .for_member(&member, state.replies_by_email())
        .ok_or(Error::NotFound)?;
    etag::json(&headers, &ticket)
}
