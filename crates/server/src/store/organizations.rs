//! Organizations and what they own: projects with their services, billing groups, admins.

use api::{BillingGroup, PlanKind, Project, Service};

use super::{Store, codec};
use crate::error::Result;

/// Who an organization is, for the emails about its tickets.
#[derive(Debug, Clone)]
pub struct OrganizationContact {
    pub name: String,
    pub plan: PlanKind,
    /// As stored: may be blank, and is a contact only on tiers that include an account team.
    pub account_team_email: Option<String>,
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

#[derive(sqlx::FromRow)]
struct BillingGroupRow {
    id: i64,
    name: String,
    payment_method: String,
}

impl Store {
    /// The organization's name, plan and account team.
    pub async fn organization_contact(&self, org_id: i64) -> Result<OrganizationContact> {
        on_pool!(self, |pool| {
            let (name, plan, account_team_email): (String, String, Option<String>) =
                sqlx::query_as(
                    "SELECT name, plan_kind, account_team_email FROM organizations WHERE id = $1",
                )
                .bind(org_id)
                .fetch_one(pool)
                .await?;
            Ok(OrganizationContact {
                name,
                plan: codec::plan(&plan)?,
                account_team_email,
            })
        })
    }

    /// The organization's account team address, as stored.
    pub async fn account_team_email(&self, org_id: i64) -> Result<Option<String>> {
        on_pool!(self, |pool| {
            Ok(
                sqlx::query_scalar("SELECT account_team_email FROM organizations WHERE id = $1")
                    .bind(org_id)
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    /// The addresses of the organization's admins, alphabetically.
    pub async fn admin_emails(&self, org_id: i64) -> Result<Vec<String>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.organization_id = $1 AND m.role = 'admin' ORDER BY u.email",
            )
            .bind(org_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// What the organization spends a month, in US cents.
    pub async fn monthly_spend_usd_cents(&self, org_id: i64) -> Result<u64> {
        on_pool!(self, |pool| {
            let spend: i64 = sqlx::query_scalar(
                "SELECT monthly_spend_usd_cents FROM organizations WHERE id = $1",
            )
            .bind(org_id)
            .fetch_one(pool)
            .await?;
            codec::unsigned(spend)
        })
    }

    /// The organization's billing groups by name.
    pub async fn billing_groups(&self, org_id: i64) -> Result<Vec<BillingGroup>> {
        on_pool!(self, |pool| {
            let groups: Vec<BillingGroupRow> = sqlx::query_as(
                "SELECT id, name, payment_method FROM billing_groups
             WHERE organization_id = $1 ORDER BY name, id",
            )
            .bind(org_id)
            .fetch_all(pool)
            .await?;
            Ok(groups
                .into_iter()
                .map(|g| BillingGroup {
                    id: g.id,
                    name: g.name,
                    payment_method: g.payment_method,
                })
                .collect())
        })
    }

    /// Whether the billing group `group_id` exists and belongs to the organization.
    pub async fn owns_billing_group(&self, org_id: i64, group_id: i64) -> Result<bool> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM billing_groups WHERE id = $1 AND organization_id = $2)",
        )
        .bind(group_id)
        .bind(org_id)
        .fetch_one(pool)
        .await?)
        })
    }

    /// The organization's projects by name, each with its services by name.
    pub async fn projects(&self, org_id: i64) -> Result<Vec<Project>> {
        on_pool!(self, |pool| {
            let rows: Vec<ProjectServiceRow> = sqlx::query_as(
                "SELECT p.id, p.name, u.name AS unit, s.id AS service_id, s.name AS service_name
             FROM projects p
             LEFT JOIN organizational_units u ON u.id = p.unit_id
             LEFT JOIN services s ON s.project_id = p.id
             WHERE p.organization_id = $1
             ORDER BY p.name, s.name",
            )
            .bind(org_id)
            .fetch_all(pool)
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
        })
    }
}

impl super::Tx {
    /// Which of `emails` (compared without case) are not the address of a member of the
    /// organization: the recipients an email leaves the organization for.
    pub async fn non_members(&mut self, org_id: i64, emails: &[&str]) -> Result<Vec<String>> {
        if emails.is_empty() {
            // Most tickets and comments have no CC: no statement for them in the write transaction.
            return Ok(Vec::new());
        }
        on_tx!(self, |conn, pg| {
            let list = serde_json::to_string(emails).map_err(anyhow::Error::from)?;
            Ok(sqlx::query_scalar(if pg {
                "SELECT DISTINCT lower(value) FROM json_array_elements_text($1::json)
             WHERE lower(value) NOT IN (
                 SELECT lower(u.email) FROM users u
                 JOIN memberships m ON m.user_id = u.id
                 WHERE m.organization_id = $2)"
            } else {
                "SELECT DISTINCT lower(value) FROM json_each($1)
             WHERE lower(value) NOT IN (
                 SELECT lower(u.email) FROM users u
                 JOIN memberships m ON m.user_id = u.id
                 WHERE m.organization_id = $2)"
            })
            .bind(list)
            .bind(org_id)
            .fetch_all(&mut *conn)
            .await?)
        })
    }
}
