//! Support tier upgrade requests: the wizard's options, requesting, showing and cancelling.

use api::{UpgradeOptions, UpgradeRequest, UpgradeRequestInput};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};

use crate::error::Result;
use crate::http::extract::{Json, Path};
use crate::rules::auth::{CurrentUser, Member};
use crate::rules::upgrades;
use crate::state::AppState;

/// The routes of this resource, merged under `/api/v1` by `http::router`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizations/{org_id}/upgrade-options", get(options))
        .route("/organizations/{org_id}/upgrade-requests", post(create))
        .route(
            "/organizations/{org_id}/upgrade-requests/current",
            get(current),
        )
        .route(
            "/organizations/{org_id}/upgrade-requests/{request_id}",
            delete(cancel),
        )
}

async fn options(State(state): State<AppState>, member: Member) -> Result<Json<UpgradeOptions>> {
    Ok(Json(upgrades::options(&state.store, &member).await?))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
    Json(input): Json<UpgradeRequestInput>,
) -> Result<(StatusCode, Json<UpgradeRequest>)> {
    let member = Member::load(&state.store, user, org_id).await?;
    let request = upgrades::request(&state.store, &member, &input).await?;
    Ok((StatusCode::CREATED, Json(request)))
}

async fn current(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Option<UpgradeRequest>>> {
    let org_id = member.organization.id;
    Ok(Json(state.store.latest_upgrade_request(org_id).await?))
}

async fn cancel(
    State(state): State<AppState>,
    member: Member,
    Path((_, request_id)): Path<(i64, i64)>,
) -> Result<StatusCode> {
    upgrades::cancel(&state.store, &member, request_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
