//! The demo data that reviewers and the end-to-end tests rely on. Loaded only into a database that has
//! no organizations yet, so it never mixes with real data. All passwords are `support-demo`.

use anyhow::Context;
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::auth::hash_password;
use crate::clock;

pub const DEMO_PASSWORD: &str = "support-demo";

struct DemoOrg {
    name: &'static str,
    plan: &'static str,
    tier: Option<&'static str>,
    account_team: Option<&'static str>,
    monthly_spend_usd_cents: i64,
    units: &'static [&'static str],
    billing_groups: &'static [(&'static str, &'static str)],
    /// (project, owning unit, services)
    projects: &'static [(&'static str, Option<&'static str>, &'static [&'static str])],
    /// (email, name, role)
    users: &'static [(&'static str, &'static str, &'static str)],
}

const ORGS: &[DemoOrg] = &[
    DemoOrg {
        name: "Acme Analytics",
        plan: "paid",
        tier: Some("basic"),
        account_team: None,
        monthly_spend_usd_cents: 840_000,
        units: &["Acme EU"],
        billing_groups: &[
            ("Acme Default", "Visa ending 4242"),
            ("Acme R&D", "Invoice (bank transfer)"),
        ],
        projects: &[
            ("acme-prod", None, &["pg-main", "kafka-events"]),
            ("acme-staging", Some("Acme EU"), &["pg-staging"]),
        ],
        users: &[
            ("admin@acme.example", "Avery Admin", "admin"),
            ("dev@acme.example", "Dana Developer", "member"),
        ],
    },
    DemoOrg {
        name: "Globex",
        plan: "paid",
        tier: Some("advanced"),
        account_team: Some("globex-team@accounts.example"),
        monthly_spend_usd_cents: 5_200_000,
        units: &[],
        billing_groups: &[("Globex Billing", "Invoice (bank transfer)")],
        projects: &[("globex-prod", None, &["opensearch-logs", "pg-orders"])],
        users: &[("admin@globex.example", "Gabriel Globex", "admin")],
    },
    DemoOrg {
        name: "Hobby Lab",
        plan: "free",
        tier: None,
        account_team: None,
        monthly_spend_usd_cents: 0,
        units: &[],
        billing_groups: &[],
        projects: &[("hobby-sandbox", None, &["pg-free"])],
        users: &[("owner@hobby.example", "Harper Hobbyist", "admin")],
    },
];

/// Loads the demo data if the database has no organizations. Returns whether it did.
pub async fn load_if_empty(db: &SqlitePool) -> anyhow::Result<bool> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
        .fetch_one(db)
        .await?;
    if count > 0 {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    for org in ORGS {
        insert_org(&mut tx, org)
            .await
            .with_context(|| format!("demo organization {}", org.name))?;
    }
    tx.commit().await?;
    Ok(true)
}

async fn insert_org(tx: &mut Transaction<'_, Sqlite>, org: &DemoOrg) -> anyhow::Result<()> {
    let now = clock::now_rfc3339();
    let org_id: i64 = sqlx::query_scalar(
        "INSERT INTO organizations (name, plan_kind, support_tier, account_team_email,
                                    monthly_spend_usd_cents, created_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(org.name)
    .bind(org.plan)
    .bind(org.tier)
    .bind(org.account_team)
    .bind(org.monthly_spend_usd_cents)
    .bind(&now)
    .fetch_one(&mut **tx)
    .await?;

    for unit in org.units {
        sqlx::query("INSERT INTO organizational_units (organization_id, name) VALUES (?, ?)")
            .bind(org_id)
            .bind(unit)
            .execute(&mut **tx)
            .await?;
    }
    for (name, payment) in org.billing_groups {
        sqlx::query(
            "INSERT INTO billing_groups (organization_id, name, payment_method) VALUES (?, ?, ?)",
        )
        .bind(org_id)
        .bind(name)
        .bind(payment)
        .execute(&mut **tx)
        .await?;
    }
    let service_plan = if org.plan == "free" { "free" } else { "paid" };
    for (project, unit, services) in org.projects {
        let project_id: i64 = sqlx::query_scalar(
            "INSERT INTO projects (organization_id, unit_id, name)
             VALUES (?, (SELECT id FROM organizational_units WHERE organization_id = ? AND name = ?), ?)
             RETURNING id",
        )
        .bind(org_id)
        .bind(org_id)
        .bind(unit)
        .bind(project)
        .fetch_one(&mut **tx)
        .await?;
        for service in *services {
            sqlx::query("INSERT INTO services (project_id, name, plan) VALUES (?, ?, ?)")
                .bind(project_id)
                .bind(service)
                .bind(service_plan)
                .execute(&mut **tx)
                .await?;
        }
    }
    for (email, name, role) in org.users {
        let hash = hash_password(DEMO_PASSWORD)?;
        let user_id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(email)
        .bind(name)
        .bind(hash)
        .bind(&now)
        .fetch_one(&mut **tx)
        .await?;
        sqlx::query("INSERT INTO memberships (user_id, organization_id, role) VALUES (?, ?, ?)")
            .bind(user_id)
            .bind(org_id)
            .bind(role)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
