//! What an organization owns that forms refer to (projects and services), and the product catalogue.

use api::{Product, Project, Reason, Service};
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use sqlx::SqlitePool;

use crate::AppState;
use crate::auth::{CurrentUser, Member};
use crate::error::{Json, Path, Result};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizations/{org_id}/projects", get(projects))
        .route("/products", get(products))
}

/// One project joined with one of its services (or none).
#[derive(sqlx::FromRow)]
struct ProjectServiceRow {
    id: i64,
    name: String,
    unit: Option<String>,
    service_id: Option<i64>,
    service_name: Option<String>,
}

async fn projects(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
) -> Result<Json<Vec<Project>>> {
    let member = Member::load(&state, user, org_id).await?;
    Ok(Json(
        load_projects(&state.db, member.organization.id).await?,
    ))
}

/// The organization's projects by name, each with its services by name.
pub async fn load_projects(db: &SqlitePool, org_id: i64) -> Result<Vec<Project>> {
    let rows: Vec<ProjectServiceRow> = sqlx::query_as(
        "SELECT p.id, p.name, u.name AS unit, s.id AS service_id, s.name AS service_name
         FROM projects p
         LEFT JOIN organizational_units u ON u.id = p.unit_id
         LEFT JOIN services s ON s.project_id = p.id
         WHERE p.organization_id = ?
         ORDER BY p.name, s.name",
    )
    .bind(org_id)
    .fetch_all(db)
    .await?;
    let mut projects: Vec<Project> = Vec::new();
    for ProjectServiceRow {
        id,
        name,
        unit,
        service_id,
        service_name,
    } in rows
    {
        if projects.last().is_none_or(|p| p.id != id) {
            projects.push(Project {
                id,
                name,
                unit,
                services: Vec::new(),
            });
        }
        if let (Some(id), Some(name), Some(project)) =
            (service_id, service_name, projects.last_mut())
        {
            project.services.push(Service { id, name });
        }
    }
    Ok(projects)
}

async fn products(State(state): State<AppState>, _user: CurrentUser) -> Result<Json<Vec<Product>>> {
    Ok(Json(load_products(&state.db).await?))
}

/// The ticket product catalogue in display order, each product with its reasons in display order.
pub async fn load_products(db: &SqlitePool) -> Result<Vec<Product>> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT p.key, p.name, r.key, r.label
         FROM products p JOIN product_reasons r ON r.product_key = p.key
         ORDER BY p.position, r.position",
    )
    .fetch_all(db)
    .await?;
    let mut products: Vec<Product> = Vec::new();
    for (key, name, reason_key, label) in rows {
        if products.last().is_none_or(|p| p.key != key) {
            products.push(Product {
                key,
                name,
                reasons: Vec::new(),
            });
        }
        if let Some(product) = products.last_mut() {
            product.reasons.push(Reason {
                key: reason_key,
                label,
            });
        }
    }
    Ok(products)
}
