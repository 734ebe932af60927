//! `/support/tiers` (the catalogue) and an organization's support status.

use api::{Links, SupportStatus, SupportTier};
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::error::Result;
use crate::http::extract::Json;
use crate::rules::auth::{CurrentUser, Member};
use crate::rules::support;
use crate::state::AppState;

/// The routes of this resource, merged under `/api/v1` by `http::router`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/support/tiers", get(tiers))
        .route("/organizations/{org_id}/support", get(status))
}

async fn tiers(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Vec<SupportTier>>> {
    Ok(Json(state.store.support_tiers().await?))
}

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
