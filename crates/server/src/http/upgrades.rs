//! Support tier upgrade requests: the wizard's options, requesting, showing and cancelling.

use api::{UpgradeOptions, UpgradeRequest, UpgradeRequestInput};
use axum::extract::State;
use axum::http::{Method, StatusCode};

use crate::error::Result;
use crate::http::Route;
use crate::http::extract::{Json, Path};
use crate::rules::auth::{CurrentUser, Member};
use crate::rules::upgrades;
use crate::state::AppState;

/// The operations of this resource, served under `/api/v1` by `http::router`.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Method::GET,
            "/organizations/{org_id}/upgrade-options",
            options,
        ),
        Route::new(
            Method::POST,
            "/organizations/{org_id}/upgrade-requests",
            create,
        ),
        Route::new(
            Method::GET,
            "/organizations/{org_id}/upgrade-requests/current",
            current,
        ),
        Route::new(
            Method::DELETE,
            "/organizations/{org_id}/upgrade-requests/{request_id}",
            cancel,
        ),
    ]
}

/// What the upgrade wizard offers (admins of paid organizations).
#[utoipa::path(
    get,
    path = "/organizations/{org_id}/upgrade-options",
    operation_id = "get_upgrade_options",
    tag = "upgrades",
    security(("session" = []), ("bearer" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be an admin of it).")),
    responses(
        (status = 200, body = UpgradeOptions),
        (status = 403, description = "`forbidden`: members see no billing details.", body = api::ErrorBody),
    ),
)]
async fn options(State(state): State<AppState>, member: Member) -> Result<Json<UpgradeOptions>> {
    Ok(Json(upgrades::options(&state.store, &member).await?))
}

/// Requests a higher support tier (admins).
#[utoipa::path(
    post,
    path = "/organizations/{org_id}/upgrade-requests",
    operation_id = "request_upgrade",
    tag = "upgrades",
    security(("session" = [], "csrf" = []), ("bearer" = [], "csrf" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member).")),
    request_body = UpgradeRequestInput,
    responses(
        (status = 201, body = UpgradeRequest),
        (status = 422, description = "`invalid_input`, naming each field.", body = api::ErrorBody),
    ),
)]
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

/// The organization's most recent upgrade request, or `null`.
#[utoipa::path(
    get,
    path = "/organizations/{org_id}/upgrade-requests/current",
    operation_id = "get_current_upgrade_request",
    tag = "upgrades",
    security(("session" = []), ("bearer" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member).")),
    responses((status = 200, body = Option<UpgradeRequest>)),
)]
async fn current(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Option<UpgradeRequest>>> {
    let org_id = member.organization.id;
    Ok(Json(state.store.latest_upgrade_request(org_id).await?))
}

/// Cancels a pending upgrade request (admins).
#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/upgrade-requests/{request_id}",
    operation_id = "cancel_upgrade_request",
    tag = "upgrades",
    security(("session" = [], "csrf" = []), ("bearer" = [], "csrf" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member)."), ("request_id" = i64, Path, description = "The upgrade request's id.")),
    responses((status = 204, description = "Cancelled.")),
)]
async fn cancel(
    State(state): State<AppState>,
    member: Member,
    Path((_, request_id)): Path<(i64, i64)>,
) -> Result<StatusCode> {
    upgrades::cancel(&state.store, &member, request_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
