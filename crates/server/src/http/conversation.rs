//! The conversation on a ticket: comments, removing someone from the CC list, the customer's status
//! changes, and following every ticket of the organization.

use api::{Following, NewComment, StatusChange, Ticket};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{delete, post, put};

use crate::error::Result;
use crate::http::extract::{Json, Path};
use crate::http::idempotency::{self, Start};
use crate::rules::auth::{CurrentUser, Member};
use crate::rules::conversation;
use crate::state::AppState;

/// The routes of this resource, merged under `/api/v1` by `http::router`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organizations/{org_id}/tickets/{ticket_id}/comments",
            post(comment),
        )
        .route(
            "/organizations/{org_id}/tickets/{ticket_id}/cc/{email}",
            delete(remove_cc),
        )
        .route(
            "/organizations/{org_id}/tickets/{ticket_id}/status",
            post(change_status),
        )
        .route("/organizations/{org_id}/ticket-following", put(follow))
}

/// `POST /organizations/{org}/tickets/{id}/comments`: a comment, new CCs, or both, with files. With an
/// `Idempotency-Key`, a retry gets the first answer; the key's request hash covers the organization,
/// the ticket and the body, under a `comment` scope, so the same key sent for another ticket (or for
/// creating a ticket) is a different request and refused with 422 `idempotency_key_reused`.
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
    let claim = match idempotency::begin(store, member.user.id, &headers, &scope, &input).await? {
        Start::Replay(response) => return Ok(response),
        Start::Run(claim) => claim,
    };
    let work = conversation::comment(store, &member, ticket_id, &input, claim.as_ref()).await;
    idempotency::finish(store, claim, work).await
}

/// `DELETE /organizations/{org}/tickets/{id}/cc/{email}`: 204; 404 for an address not on the list.
async fn remove_cc(
    State(state): State<AppState>,
    member: Member,
    Path((_, ticket_id, email)): Path<(i64, i64, String)>,
) -> Result<StatusCode> {
    conversation::remove_cc(&state.store, &member, ticket_id, &email).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /organizations/{org}/tickets/{id}/status`: answers the updated ticket.
async fn change_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((org_id, ticket_id)): Path<(i64, i64)>,
    Json(input): Json<StatusChange>,
) -> Result<Json<Ticket>> {
    let member = Member::load(&state.store, user, org_id).await?;
    let ticket = conversation::change_status(&state.store, &member, ticket_id, input).await?;
    Ok(Json(ticket))
}

/// `PUT /organizations/{org}/ticket-following`.
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
