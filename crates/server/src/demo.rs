//! The demo data that reviewers and the end-to-end tests rely on. Loaded only into a database that has
//! no organizations yet, so it never mixes with real data. All passwords are `support-demo`. The
//! statements that insert it are `store::demo`.

use anyhow::Context;
use api::{
    ActivityKind, AffectedResource, AuthorKind, NamedRef, Severity, TicketStatus, Timestamp,
};
use time::{Duration, OffsetDateTime};

use crate::clock;
use crate::rules::auth::hash_password;
use crate::rules::tickets::due::first_response_due_in;
use crate::store::activity::NewActivity;
use crate::store::demo::{DemoOrganization, DemoUser};
use crate::store::tickets::NewTicketRow;
use crate::store::{Store, Tx};
use crate::tiers::{Calendar, Hours};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "support-demo";

/// An organization of the demo data and its users.
struct DemoOrg {
    organization: DemoOrganization<'static>,
    /// (email, name, role)
    users: &'static [(&'static str, &'static str, &'static str)],
}

const ORGS: &[DemoOrg] = &[
    DemoOrg {
        organization: DemoOrganization {
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
        },
        users: &[
            ("admin@acme.example", "Avery Admin", "admin"),
            ("dev@acme.example", "Dana Developer", "member"),
        ],
    },
    DemoOrg {
        organization: DemoOrganization {
            name: "Globex",
            plan: "paid",
            tier: Some("advanced"),
            account_team: Some("globex-team@accounts.example"),
            monthly_spend_usd_cents: 5_200_000,
            units: &[],
            billing_groups: &[("Globex Billing", "Invoice (bank transfer)")],
            projects: &[("globex-prod", None, &["opensearch-logs", "pg-orders"])],
        },
        users: &[("admin@globex.example", "Gabriel Globex", "admin")],
    },
    DemoOrg {
        organization: DemoOrganization {
            name: "Hobby Lab",
            plan: "free",
            tier: None,
            account_team: None,
            monthly_spend_usd_cents: 0,
            units: &[],
            billing_groups: &[],
            projects: &[("hobby-sandbox", None, &["pg-free"])],
        },
        users: &[("owner@hobby.example", "Harper Hobbyist", "admin")],
    },
];

/// Loads the demo data if the database has no organizations. Returns whether it did. The tickets' first
/// responses are due by the same rule as real tickets' (the tier's hours, the organization's
/// `calendar`), so the demo shows what a real ticket would.
pub async fn load_if_empty(store: &Store, calendar: &Calendar) -> anyhow::Result<bool> {
    if !store.has_no_organizations().await? {
        return Ok(false);
    }
    let mut tx = store.begin_write().await?;
    for org in ORGS {
        insert_org(&mut tx, org)
            .await
            .with_context(|| format!("demo organization {}", org.organization.name))?;
    }
    for ticket in TICKETS {
        insert_ticket(&mut tx, ticket, calendar)
            .await
            .with_context(|| format!("demo ticket {:?}", ticket.subject))?;
    }
    tx.commit().await?;
    Ok(true)
}

async fn insert_org(tx: &mut Tx, org: &DemoOrg) -> anyhow::Result<()> {
    let now = clock::now_timestamp();
    let org_id = tx.insert_demo_organization(&org.organization, now).await?;
    for (email, name, role) in org.users {
        let hash = hash_password(DEMO_PASSWORD)?;
        let user = DemoUser {
            email,
            name,
            password_hash: &hash,
            role,
            created_at: now,
        };
        tx.insert_demo_user(org_id, &user).await?;
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
    severity: Severity,
    product: &'static str,
    reason: &'static str,
    /// The affected projects and services: (project, service of it).
    resources: &'static [(&'static str, Option<&'static str>)],
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

/// The demo tickets get ids 1 to this, in `TICKETS` order (tests tell them from their own by id).
pub const TICKET_COUNT: i64 = TICKETS.len() as i64;

/// A few tickets in every state, spread over the past two weeks so the lists' order means something.
/// Their subjects differ from the ones the tests and the end-to-end specs type. No emails are recorded
/// for them.
const TICKETS: &[DemoTicket] = &[
    DemoTicket {
        organization: "Acme Analytics",
        submitter: "dev@acme.example",
        subject: "Kafka consumer lag keeps growing on kafka-events",
        severity: Severity::High,
        product: "kafka",
        reason: "lag",
        resources: &[("acme-prod", Some("kafka-events"))],
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
        severity: Severity::Low,
        product: "postgresql",
        reason: "performance",
        resources: &[("acme-staging", Some("pg-staging"))],
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
        severity: Severity::Critical,
        product: "postgresql",
        reason: "backup",
        resources: &[("acme-prod", Some("pg-main"))],
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
        severity: Severity::Low,
        product: "billing",
        reason: "invoice",
        resources: &[],
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
        severity: Severity::High,
        product: "opensearch",
        reason: "cluster_health",
        resources: &[("globex-prod", Some("opensearch-logs"))],
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

impl Entry {
    fn minutes_ago(&self) -> i64 {
        match self {
            Entry::Comment { minutes_ago, .. } | Entry::Status { minutes_ago, .. } => *minutes_ago,
        }
    }
}

impl DemoTicket {
    /// The status its last status entry set (`open` without one).
    fn status(&self) -> TicketStatus {
        self.activity
            .iter()
            .rev()
            .find_map(|e| match e {
                Entry::Status { status, .. } => Some(*status),
                Entry::Comment { .. } => None,
            })
            .unwrap_or(TicketStatus::Open)
    }

    /// How long before `now` the support team first replied, if it has.
    fn first_response_minutes_ago(&self) -> Option<i64> {
        self.activity.iter().find_map(|e| match e {
            Entry::Comment {
                minutes_ago,
                by: By::Agent(_),
                ..
            } => Some(*minutes_ago),
            _ => None,
        })
    }
}

async fn insert_ticket(tx: &mut Tx, t: &DemoTicket, calendar: &Calendar) -> anyhow::Result<()> {
    let now = clock::now().replace_nanosecond(0)?;
    let ago = |minutes: i64| clock::timestamp(now - Duration::minutes(minutes));
    let (org_id, tier) = tx.organization_by_name(t.organization).await?;
    let (target, hours) = tx.tier_response_time(&tier, t.severity).await?;
    let created: OffsetDateTime = now - Duration::minutes(t.created_minutes_ago);
    let (submitter_id, _) = tx.user_by_email(t.submitter).await?;
    let mut resources = Vec::new();
    for &(project, service) in t.resources {
        let (project_id, service_id) = tx.project_and_service(project, service).await?;
        let named = |id, name: &str| NamedRef {
            id,
            name: name.to_owned(),
        };
        resources.push(AffectedResource {
            project: named(project_id, project),
            service: service_id.zip(service).map(|(id, name)| named(id, name)),
        });
    }
    let updated = t.activity.iter().map(Entry::minutes_ago).min();
    let created_at = clock::timestamp(created);
    let ticket_id = tx
        .insert_ticket(&NewTicketRow {
            organization_id: org_id,
            submitter_id,
            subject: t.subject,
            severity: t.severity,
            product_key: t.product,
            reason_key: t.reason,
            resources: &resources,
            description: t.description,
            first_response_target: target,
            first_response_due_at: clock::timestamp(first_response_due_in(
                created,
                target,
                // As for real tickets (rules::tickets::insert): an unreadable label counts around the clock.
                Hours::parse(&hours).unwrap_or(Hours::AllWeek),
                calendar,
            )),
            created_at,
            follow_up_of: None,
            status: t.status(),
            updated_at: updated.map_or(created_at, ago),
            first_response_at: t.first_response_minutes_ago().map(ago),
        })
        .await?
        .ticket
        .id;
    tx.add_ccs(ticket_id, t.cc, submitter_id, created_at)
        .await?;
    for entry in t.activity {
        insert_entry(tx, ticket_id, entry, ago(entry.minutes_ago())).await?;
    }
    Ok(())
}

async fn insert_entry(
    tx: &mut Tx,
    ticket_id: i64,
    entry: &Entry,
    at: Timestamp,
) -> anyhow::Result<()> {
    let (by, kind, body, status) = match *entry {
        Entry::Comment { by, body, .. } => (by, ActivityKind::Comment, body, None),
        Entry::Status { by, status, .. } => (by, ActivityKind::StatusChanged, "", Some(status)),
    };
    let (author_kind, author_id, author_name) = match by {
        By::Agent(name) => (AuthorKind::Agent, None, name.to_owned()),
        By::Customer(email) => {
            let (id, name) = tx.user_by_email(email).await?;
            (AuthorKind::Customer, Some(id), name)
        }
    };
    let activity = NewActivity {
        kind,
        author_kind,
        author_id,
        author_name: &author_name,
        body,
        emails: &[],
        status,
        at,
        by_email: false,
    };
    tx.record_activity(ticket_id, &activity).await?;
    Ok(())
}
