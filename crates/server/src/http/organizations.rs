//! What an organization owns that forms refer to (projects and services), and the product catalogue.

use api::{Product, Project};
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::error::Result;
use crate::http::extract::Json;
use crate::rules::auth::{CurrentUser, Member};
use crate::state::AppState;

/// The routes of this resource, merged under `/api/v1` by `http::router`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizations/{org_id}/projects", get(projects))
        .route("/products", get(products))
}

async fn projects(State(state): State<AppState>, member: Member) -> Result<Json<Vec<Project>>> {
    Ok(Json(state.store.projects(member.organization.id).await?))
}

async fn products(State(state): State<AppState>, _user: CurrentUser) -> Result<Json<Vec<Product>>> {
    Ok(Json(state.store.products().await?))
}
