//! The demo data that reviewers and the end-to-end tests rely on. Loaded only into a database that has
//! no organizations yet, so it never mixes with real data. All passwords are `support-demo`.

use anyhow::Context;
use api::{ResponseTime, TicketStatus};
use sqlx::{Sqlite, SqlitePool, Transaction};
use time::Duration;

use crate::auth::hash_password;
use crate::{clock, support, tickets};

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
    for ticket in TICKETS {
        insert_ticket(&mut tx, ticket)
            .await
            .with_context(|| format!("demo ticket {:?}", ticket.subject))?;
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

/// Who wrote an entry of a demo conversation.
#[derive(Clone, Copy)]
enum By {
    /// A demo user, by email.
    Customer(&'static str),
    /// Someone of the support team, by name.
    Agent(&'static str),
}

/// An entry of a demo conversation, `minutes_ago` before the data is loaded.
#[derive(Clone, Copy)]
enum Entry {
    Comment {
        minutes_ago: i64,
        by: By,
        body: &'static str,
    },
    Status {
        minutes_ago: i64,
        by: By,
        status: TicketStatus,
    },
}

struct DemoTicket {
    organization: &'static str,
    submitter: &'static str,
    subject: &'static str,
    severity: &'static str,
    product: &'static str,
    reason: &'static str,
    /// (project, service)
    project: Option<(&'static str, Option<&'static str>)>,
    description: &'static str,
    cc: &'static [&'static str],
    created_minutes_ago: i64,
    /// Oldest first; the last status entry is the ticket's status (`open` without one).
    activity: &'static [Entry],
}

const SAM: By = By::Agent("Sam from Support");
const RIO: By = By::Agent("Rio from Support");
const DANA: By = By::Customer("dev@acme.example");
const GABRIEL: By = By::Customer("admin@globex.example");
const HOUR: i64 = 60;
const DAY: i64 = 24 * HOUR;

/// The demo tickets get ids 1 to this, in [`TICKETS`] order (tests tell them from their own by id).
pub const TICKET_COUNT: i64 = TICKETS.len() as i64;

/// A few tickets in every state, spread over the past two weeks so the lists' order means something.
/// Their subjects differ from the ones the tests and the end-to-end specs type. No emails are recorded
/// for them.
const TICKETS: &[DemoTicket] = &[
    DemoTicket {
        organization: "Acme Analytics",
        submitter: "dev@acme.example",
        subject: "Kafka consumer lag keeps growing on kafka-events",
        severity: "high",
        product: "kafka",
        reason: "lag",
        project: Some(("acme-prod", Some("kafka-events"))),
        description: "Consumer group analytics-loader has been falling behind since this morning: lag \
went from a few hundred messages to 1.2 million in three hours.\n\nNo deploys on our side. Partitions 3 \
and 7 look stuck; the others move slowly.",
        cc: &[],
        created_minutes_ago: 3 * HOUR,
        activity: &[],
    },
    DemoTicket {
        organization: "Acme Analytics",
        submitter: "dev@acme.example",
        subject: "Slow queries on pg-staging after the weekend maintenance",
        severity: "low",
        product: "postgresql",
        reason: "performance",
        project: Some(("acme-staging", Some("pg-staging"))),
        description: "Since the maintenance window on Sunday, the nightly report query takes 40 \
minutes instead of 5. Nothing changed in the schema.",
        cc: &["admin@acme.example"],
        created_minutes_ago: 2 * DAY + 2 * HOUR,
        activity: &[
            Entry::Comment {
                minutes_ago: DAY + 6 * HOUR,
                by: SAM,
                body: "Hi Dana, thanks for the details. The maintenance upgraded pg-staging to a \
new minor version, which resets the planner statistics.\n\nCould you run ANALYZE on the tables of the \
report, and if it is still slow, send us the output of EXPLAIN (ANALYZE, BUFFERS) for the query?",
            },
            Entry::Status {
                minutes_ago: DAY + 6 * HOUR,
                by: SAM,
                status: TicketStatus::AwaitingCustomer,
            },
        ],
    },
    DemoTicket {
        organization: "Acme Analytics",
        submitter: "dev@acme.example",
        subject: "Restore pg-main to the state before a failed migration",
        severity: "critical",
        product: "postgresql",
        reason: "backup",
        project: Some(("acme-prod", Some("pg-main"))),
        description: "A schema migration at 10:02 UTC dropped a column with data we need. We would \
like pg-main as it was at 09:55 UTC.",
        cc: &[],
        created_minutes_ago: 6 * DAY,
        activity: &[
            Entry::Comment {
                minutes_ago: 6 * DAY - 40,
                by: RIO,
                body: "Hi Dana, we can fork pg-main to a new service at any point in the last 14 \
days, so pg-main itself keeps running. Shall we fork it at 09:55 UTC? Tell us the name you want for \
the new service.",
            },
            Entry::Comment {
                minutes_ago: 6 * DAY - 55,
                by: DANA,
                body: "Yes please, 09:55 UTC, named pg-main-restore.",
            },
            Entry::Comment {
                minutes_ago: 6 * DAY - 3 * HOUR,
                by: RIO,
                body: "pg-main-restore is running with the data of 09:55 UTC. You can copy the \
column back from it and delete the service afterwards.",
            },
            Entry::Comment {
                minutes_ago: 5 * DAY + 20 * HOUR,
                by: DANA,
                body: "The data is back. Thank you!",
            },
            Entry::Status {
                minutes_ago: 5 * DAY + 20 * HOUR,
                by: DANA,
                status: TicketStatus::Solved,
            },
        ],
    },
    DemoTicket {
        organization: "Acme Analytics",
        submitter: "dev@acme.example",
        subject: "Invoice for October lists pg-staging twice",
        severity: "low",
        product: "billing",
        reason: "invoice",
        project: None,
        description: "Our October invoice has two lines for pg-staging for the whole month, but we \
only ever had one such service.",
        cc: &[],
        created_minutes_ago: 12 * DAY,
        activity: &[
            Entry::Comment {
                minutes_ago: 11 * DAY,
                by: SAM,
                body: "You are right: the service was counted twice after its plan change on 14 \
October. A credit note for the second line is on its way to your billing contact.",
            },
            Entry::Status {
                minutes_ago: 11 * DAY,
                by: SAM,
                status: TicketStatus::Solved,
            },
            Entry::Status {
                minutes_ago: 4 * DAY,
                by: SAM,
                status: TicketStatus::Closed,
            },
        ],
    },
    DemoTicket {
        organization: "Globex",
        submitter: "admin@globex.example",
        subject: "OpenSearch cluster turned yellow after a node replacement",
        severity: "high",
        product: "opensearch",
        reason: "cluster_health",
        project: Some(("globex-prod", Some("opensearch-logs"))),
        description: "After last night's node replacement opensearch-logs stays yellow: 14 replica \
shards are unassigned.",
        cc: &[],
        created_minutes_ago: 20 * HOUR,
        activity: &[
            Entry::Comment {
                minutes_ago: 20 * HOUR - 25,
                by: SAM,
                body: "Hi Gabriel, we are looking at it. Which indices are affected? \
GET _cat/shards?v&h=index,shard,prirep,state,unassigned.reason shows them.",
            },
            Entry::Status {
                minutes_ago: 20 * HOUR - 25,
                by: SAM,
                status: TicketStatus::AwaitingCustomer,
            },
            Entry::Comment {
                minutes_ago: 19 * HOUR,
                by: GABRIEL,
                body: "Only the logs-2026.11.* indices, all with reason NODE_LEFT.",
            },
            Entry::Status {
                minutes_ago: 19 * HOUR,
                by: GABRIEL,
                status: TicketStatus::Open,
            },
        ],
    },
];

async fn user(tx: &mut Transaction<'_, Sqlite>, email: &str) -> anyhow::Result<(i64, String)> {
    Ok(sqlx::query_as("SELECT id, name FROM users WHERE email = ?")
        .bind(email)
        .fetch_one(&mut **tx)
        .await?)
}

async fn insert_ticket(tx: &mut Transaction<'_, Sqlite>, t: &DemoTicket) -> anyhow::Result<()> {
    let now = clock::now().replace_nanosecond(0)?;
    let ago = |minutes: i64| now - Duration::minutes(minutes);
    let (org_id, tier): (i64, String) =
        sqlx::query_as("SELECT id, support_tier FROM organizations WHERE name = ?")
            .bind(t.organization)
            .fetch_one(&mut **tx)
            .await?;
    let (unit, value): (String, i64) = sqlx::query_as(match t.severity {
        "low" => "SELECT low_unit, low_value FROM support_tiers WHERE key = ?",
        "high" => "SELECT high_unit, high_value FROM support_tiers WHERE key = ?",
        _ => "SELECT critical_unit, critical_value FROM support_tiers WHERE key = ?",
    })
    .bind(&tier)
    .fetch_one(&mut **tx)
    .await?;
    let target: ResponseTime = support::response_time(&unit, value)?;
    let created = ago(t.created_minutes_ago);
    let (submitter_id, _) = user(tx, t.submitter).await?;
    let (project_id, service_id) = match t.project {
        None => (None, None),
        Some((project, service)) => {
            let project_id: i64 = sqlx::query_scalar("SELECT id FROM projects WHERE name = ?")
                .bind(project)
                .fetch_one(&mut **tx)
                .await?;
            let service_id: Option<i64> = match service {
                None => None,
                Some(service) => Some(
                    sqlx::query_scalar("SELECT id FROM services WHERE project_id = ? AND name = ?")
                        .bind(project_id)
                        .bind(service)
                        .fetch_one(&mut **tx)
                        .await?,
                ),
            };
            (Some(project_id), service_id)
        }
    };
    let minutes = |e: &Entry| match e {
        Entry::Comment { minutes_ago, .. } | Entry::Status { minutes_ago, .. } => *minutes_ago,
    };
    let updated = t.activity.iter().map(minutes).min().map_or(created, ago);
    let status = t
        .activity
        .iter()
        .rev()
        .find_map(|e| match e {
            Entry::Status { status, .. } => Some(*status),
            Entry::Comment { .. } => None,
        })
        .unwrap_or(TicketStatus::Open);
    let first_response = t.activity.iter().find_map(|e| match e {
        Entry::Comment {
            minutes_ago,
            by: By::Agent(_),
            ..
        } => Some(clock::rfc3339(ago(*minutes_ago))),
        _ => None,
    });
    let (target_unit, target_value) = match target {
        ResponseTime::BusinessDays(n) => ("business_days", n),
        ResponseTime::Minutes(n) => ("minutes", n),
    };
    let ticket_id: i64 = sqlx::query_scalar(
        "INSERT INTO tickets
             (organization_id, submitter_id, subject, severity, status, product_key, reason_key,
              project_id, service_id, description, first_response_target_unit,
              first_response_target_value, first_response_due_at, created_at, updated_at,
              first_response_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         RETURNING id",
    )
    .bind(org_id)
    .bind(submitter_id)
    .bind(t.subject)
    .bind(t.severity)
    .bind(status.as_str())
    .bind(t.product)
    .bind(t.reason)
    .bind(project_id)
    .bind(service_id)
    .bind(t.description)
    .bind(target_unit)
    .bind(target_value)
    .bind(clock::rfc3339(tickets::first_response_due(created, target)))
    .bind(clock::rfc3339(created))
    .bind(clock::rfc3339(updated))
    .bind(first_response)
    .fetch_one(&mut **tx)
    .await?;
    for (position, email) in (0i64..).zip(t.cc) {
        sqlx::query(
            "INSERT INTO ticket_cc (ticket_id, email, position, added_by, added_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(ticket_id)
        .bind(email)
        .bind(position)
        .bind(submitter_id)
        .bind(clock::rfc3339(created))
        .execute(&mut **tx)
        .await?;
    }
    for entry in t.activity {
        let (by, kind, body, status) = match *entry {
            Entry::Comment { by, body, .. } => (by, "comment", body, None),
            Entry::Status { by, status, .. } => (by, "status_changed", "", Some(status.as_str())),
        };
        let (author_kind, author_id, author_name) = match by {
            By::Agent(name) => ("agent", None, name.to_owned()),
            By::Customer(email) => {
                let (id, name) = user(tx, email).await?;
                ("customer", Some(id), name)
            }
        };
        sqlx::query(
            "INSERT INTO ticket_activity
                 (ticket_id, kind, author_kind, author_id, author_name, body, status, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(ticket_id)
        .bind(kind)
        .bind(author_kind)
        .bind(author_id)
        .bind(author_name)
        .bind(body)
        .bind(status)
        .bind(clock::rfc3339(ago(minutes(entry))))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
