//! The statements that load the demo data (the data itself is the top-level `demo` module):
//! organizations with what they own, their users, and lookups by name for the demo tickets, which go
//! in through the ticket, CC and activity statements of the other modules.

use api::{ResponseTime, Severity, Timestamp};

use super::{Store, Tx, codec};
use crate::error::Result;

/// An organization of the demo data, with everything it owns.
#[derive(Debug, Clone, Copy)]
pub struct DemoOrganization<'a> {
    pub name: &'a str,
    /// `free` or `paid`.
    pub plan: &'a str,
    pub tier: Option<&'a str>,
    pub account_team: Option<&'a str>,
    pub monthly_spend_usd_cents: i64,
    pub units: &'a [&'a str],
    /// (name, payment method)
    pub billing_groups: &'a [(&'a str, &'a str)],
    /// (project, owning unit, services)
    pub projects: &'a [(&'a str, Option<&'a str>, &'a [&'a str])],
}

/// A user of the demo data.
#[derive(Debug, Clone, Copy)]
pub struct DemoUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    /// `admin` or `member`.
    pub role: &'a str,
    pub created_at: Timestamp,
}

impl Store {
    /// Whether the database has no organizations yet (a fresh installation).
    pub async fn has_no_organizations(&self) -> Result<bool> {
        on_pool!(self, |pool| {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
                .fetch_one(pool)
                .await?;
            Ok(count == 0)
        })
    }
}

impl Tx {
    /// Inserts the organization and what it owns, created at `created_at`; returns its id.
    pub async fn insert_demo_organization(
        &mut self,
        org: &DemoOrganization<'_>,
        created_at: Timestamp,
    ) -> Result<i64> {
        let org_id: i64 = on_tx!(self, |tx| {
            let org_id: i64 = sqlx::query_scalar(
                "INSERT INTO organizations (name, plan_kind, support_tier, account_team_email,
                                        monthly_spend_usd_cents, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(org.name)
            .bind(org.plan)
            .bind(org.tier)
            .bind(org.account_team)
            .bind(org.monthly_spend_usd_cents)
            .bind(created_at.to_string())
            .fetch_one(&mut *tx)
            .await?;
            for unit in org.units {
                sqlx::query(
                    "INSERT INTO organizational_units (organization_id, name) VALUES ($1, $2)",
                )
                .bind(org_id)
                .bind(unit)
                .execute(&mut *tx)
                .await?;
            }
            for (name, payment) in org.billing_groups {
                sqlx::query(
                    "INSERT INTO billing_groups (organization_id, name, payment_method)
                 VALUES ($1, $2, $3)",
                )
                .bind(org_id)
                .bind(name)
                .bind(payment)
                .execute(&mut *tx)
                .await?;
            }
            org_id
        });
        let service_plan = if org.plan == "free" { "free" } else { "paid" };
        for (project, unit, services) in org.projects {
            self.insert_demo_project(org_id, project, *unit, services, service_plan)
                .await?;
        }
        Ok(org_id)
    }

    /// Inserts the project (owned by the unit called `unit`, if any) with its services.
    async fn insert_demo_project(
        &mut self,
        org_id: i64,
        project: &str,
        unit: Option<&str>,
        services: &[&str],
        service_plan: &str,
    ) -> Result<()> {
        on_tx!(self, |conn| {
            let project_id: i64 = sqlx::query_scalar(
                "INSERT INTO projects (organization_id, unit_id, name)
             VALUES ($1, (SELECT id FROM organizational_units
                         WHERE organization_id = $2 AND name = $3), $4)
             RETURNING id",
            )
            .bind(org_id)
            .bind(org_id)
            .bind(unit)
            .bind(project)
            .fetch_one(&mut *conn)
            .await?;
            for service in services {
                sqlx::query("INSERT INTO services (project_id, name, plan) VALUES ($1, $2, $3)")
                    .bind(project_id)
                    .bind(service)
                    .bind(service_plan)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(())
        })
    }

    /// Inserts the user as a member of the organization `org_id`.
    pub async fn insert_demo_user(&mut self, org_id: i64, user: &DemoUser<'_>) -> Result<()> {
        on_tx!(self, |conn| {
            let user_id: i64 = sqlx::query_scalar(
                "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id",
            )
            .bind(user.email)
            .bind(user.name)
            .bind(user.password_hash)
            .bind(user.created_at.to_string())
            .fetch_one(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO memberships (user_id, organization_id, role) VALUES ($1, $2, $3)",
            )
            .bind(user_id)
            .bind(org_id)
            .bind(user.role)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }

    /// The id and support tier key of the organization called `name`.
    pub async fn organization_by_name(&mut self, name: &str) -> Result<(i64, String)> {
        on_tx!(self, |conn| {
            Ok(
                sqlx::query_as("SELECT id, support_tier FROM organizations WHERE name = $1")
                    .bind(name)
                    .fetch_one(&mut *conn)
                    .await?,
            )
        })
    }

    /// The first response target of the tier `tier_key` for `severity`, and the tier's hours label.
    pub async fn tier_response_time(
        &mut self,
        tier_key: &str,
        severity: Severity,
    ) -> Result<(ResponseTime, String)> {
        on_tx!(self, |conn| {
            let (unit, value, hours): (String, i64, String) = sqlx::query_as(match severity {
                Severity::Low => {
                    "SELECT low_unit, low_value, hours FROM support_tiers WHERE key = $1"
                }
                Severity::High => {
                    "SELECT high_unit, high_value, hours FROM support_tiers WHERE key = $1"
                }
                Severity::Critical => {
                    "SELECT critical_unit, critical_value, hours FROM support_tiers WHERE key = $1"
                }
            })
            .bind(tier_key)
            .fetch_one(&mut *conn)
            .await?;
            Ok((codec::response_time(&unit, value)?, hours))
        })
    }

    /// The id and name of the user with `email`.
    pub async fn user_by_email(&mut self, email: &str) -> Result<(i64, String)> {
        on_tx!(self, |conn| {
            Ok(
                sqlx::query_as("SELECT id, name FROM users WHERE email = $1")
                    .bind(email)
                    .fetch_one(&mut *conn)
                    .await?,
            )
        })
    }

    /// The id of the project called `project`, and of its service called `service` if one is named.
    pub async fn project_and_service(
        &mut self,
        project: &str,
        service: Option<&str>,
    ) -> Result<(i64, Option<i64>)> {
        on_tx!(self, |conn| {
            let project_id: i64 = sqlx::query_scalar("SELECT id FROM projects WHERE name = $1")
                .bind(project)
                .fetch_one(&mut *conn)
                .await?;
            let service_id = match service {
                None => None,
                Some(service) => Some(
                    sqlx::query_scalar(
                        "SELECT id FROM services WHERE project_id = $1 AND name = $2",
                    )
                    .bind(project_id)
                    .bind(service)
                    .fetch_one(&mut *conn)
                    .await?,
                ),
            };
            Ok((project_id, service_id))
        })
    }
}
