//! `/support/tiers` (the catalogue) and an organization's support status.

use api::{Links, SupportStatus, SupportTier};
use axum::extract::State;
use axum::http::Method;

use crate::error::Result;
use crate::http::Route;
use crate::http::extract::Json;
use crate::rules::auth::{CurrentUser, Member};
use crate::rules::support;
use crate::state::AppState;

/// The operations of this resource, served under `/api/v1` by `http::router`.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/support/tiers", tiers),
        Route::new(Method::GET, "/organizations/{org_id}/support", status),
    ]
}

/// The support tier catalogue, lowest rank first.
#[utoipa::path(
    get,
    path = "/support/tiers",
    operation_id = "list_support_tiers",
    tag = "support",
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<SupportTier>)),
)]
async fn tiers(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Vec<SupportTier>>> {
    Ok(Json(state.store.support_tiers().await?))
}

/// Everything the Support page shows for the organization.
#[utoipa::path(
    get,
    path = "/organizations/{org_id}/support",
    operation_id = "get_support_status",
    tag = "support",
    security(("session" = []), ("bearer" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member).")),
    responses((status = 200, body = SupportStatus)),
)]
async fn status(State(state): State<AppState>, member: Member) -> Result<Json<SupportStatus>> {
    let c = &state.config;
    let links = Links {
        sla: c.sla_url.clone(),
        forum: c.forum_url.clone(),
        support_services: c.support_services_url.clone(),
        sales_email: c.sales_email.clone(),
    };
    let status = support::status(&state.store, member, c.brand.clone(), links).await?;
    Ok(Json(status))
}
