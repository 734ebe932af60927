//! What an organization owns that forms refer to (projects and services), and the product catalogue.

use api::{Product, Project};
use axum::extract::State;
use axum::http::Method;

use crate::error::Result;
use crate::http::Route;
use crate::http::extract::Json;
use crate::rules::auth::{CurrentUser, Member};
use crate::state::AppState;

/// The operations of this resource, served under `/api/v1` by `http::router`.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/organizations/{org_id}/projects", projects),
        Route::new(Method::GET, "/products", products),
    ]
}

/// The organization's projects and their services.
#[utoipa::path(
    get,
    path = "/organizations/{org_id}/projects",
    operation_id = "list_projects",
    tag = "organizations",
    security(("session" = []), ("bearer" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member).")),
    responses((status = 200, body = Vec<Project>)),
)]
async fn projects(State(state): State<AppState>, member: Member) -> Result<Json<Vec<Project>>> {
    Ok(Json(state.store.projects(member.organization.id).await?))
}

/// The products tickets can be about, with their reasons.
#[utoipa::path(
    get,
    path = "/products",
    operation_id = "list_products",
    tag = "organizations",
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<Product>)),
)]
async fn products(State(state): State<AppState>, _user: CurrentUser) -> Result<Json<Vec<Product>>> {
    Ok(Json(state.store.products().await?))
}
