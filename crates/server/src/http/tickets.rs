//! Support tickets: the create form's options, the lists, creating a ticket (safe to retry with an
//! `Idempotency-Key`) and one ticket. The lists and a ticket answer with an ETag: the SPA polls them.

use api::{NewTicket, TicketListQuery, TicketOptions};
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;

use crate::error::{Error, Result};
use crate::http::etag;
use crate::http::extract::{Json, Path, Query};
use crate::http::idempotency::{self, Start};
use crate::rules::auth::{CurrentUser, Member};
use crate::rules::{ticket_list, tickets};
use crate::state::AppState;

/// The routes of this resource, merged under `/api/v1` by `http::router`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizations/{org_id}/ticket-options", get(options))
        .route("/organizations/{org_id}/tickets", get(list).post(create))
        .route("/organizations/{org_id}/tickets/{ticket_id}", get(show))
}

async fn options(State(state): State<AppState>, member: Member) -> Result<Json<TicketOptions>> {
    let forum_url = state.config.forum_url.clone();
    Ok(Json(
        tickets::options(&state.store, &member, forum_url).await?,
    ))
}

/// `GET /organizations/{org}/tickets?scope=&status=&severity=&q=&sort=&after=&before=&limit=`.
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
    let claim = match idempotency::begin(store, member.user.id, &headers, &scope, &input).await? {
        Start::Replay(response) => return Ok(response),
        Start::Run(claim) => claim,
    };
    let work = tickets::create(store, &member, &input, claim.as_ref(), &state.calendar).await;
    idempotency::finish(store, claim, work).await
}

/// `GET /organizations/{org}/tickets/{id}`.
async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, ticket_id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Response> {
    let ticket = tickets::load_readable(&state.store, &member, ticket_id)
        .await?
        .for_member(&member)
        .ok_or(Error::NotFound)?;
    etag::json(&headers, &ticket)
}
