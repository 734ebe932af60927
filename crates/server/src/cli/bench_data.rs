//! `support-server bench-data`: generated organizations, users, tickets, CCs and comments for the load
//! benchmark (`scripts/bench-load.sh`, README "Performance"). Written through the store's own methods
//! (the statements the demo data and the API use), in transactions of [`BATCH`] tickets, so it fills
//! whichever engine the configured database is, and the tickets look like the API's own: searchable,
//! in the lists' indexes, with due times by the tier's rule.
//!
//! Like the demo data it only goes into a database without organizations, so it never mixes with real
//! data. Every user's password is the demo password.

use std::collections::HashMap;
use std::time::{Duration as StdDuration, Instant};

use anyhow::Context;
use api::{
    ActivityKind, AffectedResource, AuthorKind, NamedRef, ResponseTime, Severity, TicketStatus,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::{Duration, OffsetDateTime};

use crate::AppState;
use crate::clock;
use crate::config::{BenchDataArgs, Config};
use crate::demo::DEMO_PASSWORD;
use crate::rules::auth::hash_password;
use crate::rules::tickets::due::first_response_due_in;
use crate::store::activity::NewActivity;
use crate::store::demo::{DemoOrganization, DemoUser};
use crate::store::tickets::NewTicketRow;
use crate::store::{Store, Tx};
use crate::tiers::{Calendar, Hours};

/// Tickets per transaction: large enough that commits cost little, small enough that one transaction
/// does not hold the write lock (or PostgreSQL's row versions) for long.
const BATCH: usize = 1_000;

/// The tickets are spread over this many days before now, oldest first (ids grow with creation time,
/// as they do for real tickets).
const SPAN_DAYS: i64 = 365;

/// The support team's name on the generated replies.
const AGENT: &str = "Sam from Support";

/// The tiers the organizations cycle through (all of the catalogue the migrations install).
const TIERS: [&str; 4] = ["basic", "essential", "advanced", "premium"];

/// What a ticket is about: product, reason (both in the catalogue the migrations install), and a
/// subject naming one of the organization's services (`{}`).
const TOPICS: [(&str, &str, &str); 10] = [
    ("postgresql", "connectivity", "Cannot connect to {}"),
    ("postgresql", "performance", "Slow queries on {}"),
    ("postgresql", "backup", "Restore {} to a point in time"),
    ("kafka", "lag", "Consumer lag keeps growing on {}"),
    ("kafka", "connect", "Connector keeps failing on {}"),
    ("opensearch", "cluster_health", "Cluster {} turned yellow"),
    ("billing", "invoice", "Invoice lists {} twice"),
    (
        "account",
        "sso",
        "Single sign-on fails for the team using {}",
    ),
    ("networking", "vpc", "VPC peering to {} is down"),
    ("other", "question", "How do we rotate credentials of {}"),
];

/// Words the descriptions mix, so that a search matches some tickets and not others.
const WORDS: [&str; 32] = [
    "replication",
    "timeout",
    "certificate",
    "latency",
    "memory",
    "disk",
    "quota",
    "upgrade",
    "failover",
    "partition",
    "index",
    "vacuum",
    "checkpoint",
    "throughput",
    "migration",
    "permissions",
    "firewall",
    "dns",
    "backup",
    "snapshot",
    "retention",
    "connection",
    "pooler",
    "schema",
    "rebalance",
    "shard",
    "heap",
    "cpu",
    "alerting",
    "metrics",
    "logs",
    "restart",
];

/// How much to generate (`support-server bench-data`'s arguments).
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub organizations: u32,
    pub tickets: u32,
    /// Users per organization: one admin, the rest members.
    pub users_per_organization: u32,
    /// The same seed generates the same data (apart from the password hash's salt).
    pub seed: u64,
}

impl From<&BenchDataArgs> for Spec {
    fn from(args: &BenchDataArgs) -> Self {
        Self {
            organizations: args.organizations,
            tickets: args.tickets,
            users_per_organization: args.users_per_organization,
            seed: args.seed,
        }
    }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub organizations: u32,
    pub users: u32,
    pub tickets: u32,
    pub ccs: u32,
    pub comments: u32,
    pub elapsed: StdDuration,
}

/// The address of user `index` (0 is the admin) of organization `org` (from 1), as [`generate`] names
/// them: `admin@org001.bench.example`, `user01@org001.bench.example`, ...
pub fn user_email(org: u32, index: u32) -> String {
    if index == 0 {
        format!("admin@org{org:03}.bench.example")
    } else {
        format!("user{index:02}@org{org:03}.bench.example")
    }
}

/// One generated organization as stored: its id, users' (id, name, email), and (project, service)
/// pairs a ticket can name.
struct Org {
    id: i64,
    tier: &'static str,
    users: Vec<(i64, String, String)>,
    resources: Vec<AffectedResource>,
}

/// Fills an empty database with `spec`'s data. Refuses a database that has organizations.
pub async fn generate(store: &Store, calendar: &Calendar, spec: &Spec) -> anyhow::Result<Summary> {
    anyhow::ensure!(
        store.has_no_organizations().await?,
        "the database already has organizations: bench-data only fills an empty database (use a fresh --data-dir or --database)"
    );
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let now = clock::now().replace_nanosecond(0)?;
    // One hash for every user: Argon2 costs tens of milliseconds, and the salt protects nothing here.
    let hash = hash_password(DEMO_PASSWORD)?;

    let mut tx = store.begin_write().await?;
    let mut orgs = Vec::with_capacity(spec.organizations as usize);
    for n in 1..=spec.organizations {
        orgs.push(
            insert_org(&mut tx, n, spec.users_per_organization, &hash, now)
                .await
                .with_context(|| format!("generated organization {n}"))?,
        );
    }
    tx.commit().await?;

    let mut due = DueTimes::default();
    let mut summary = Summary {
        organizations: spec.organizations,
        users: spec.organizations * spec.users_per_organization,
        tickets: 0,
        ccs: 0,
        comments: 0,
        elapsed: StdDuration::ZERO,
    };
    let span = Duration::days(SPAN_DAYS);
    let total = i64::from(spec.tickets.max(1));
    let mut tx = store.begin_write().await?;
    for i in 0..spec.tickets {
        let org = &orgs[i as usize % orgs.len()];
        // Evenly spread from SPAN_DAYS ago to a minute ago, oldest first.
        let created = now - span + span * (i64::from(i) as f64 / total as f64) - Duration::MINUTE;
        let created = created.replace_nanosecond(0)?;
        let ticket = TicketPlan::draw(&mut rng, org, created, now);
        insert_ticket(&mut tx, org, &ticket, &mut due, calendar)
            .await
            .with_context(|| format!("generated ticket {i}"))?;
        summary.tickets += 1;
        summary.ccs += ticket.ccs.len() as u32;
        summary.comments += ticket.comments.len() as u32;
        if (i as usize + 1).is_multiple_of(BATCH) {
            tx.commit().await?;
            tx = store.begin_write().await?;
        }
    }
    tx.commit().await?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

async fn insert_org(
    tx: &mut Tx,
    n: u32,
    users: u32,
    hash: &str,
    now: OffsetDateTime,
) -> anyhow::Result<Org> {
    let slug = format!("org{n:03}");
    let name = format!("Bench {n:03}");
    let tier = TIERS[(n as usize - 1) % TIERS.len()];
    let team = format!("account-team@{slug}.bench.example");
    let (prod, staging) = (format!("{slug}-prod"), format!("{slug}-staging"));
    let services = [
        format!("{slug}-pg"),
        format!("{slug}-kafka"),
        format!("{slug}-search"),
    ];
    let prod_services = [services[0].as_str(), services[1].as_str()];
    let staging_services = [services[2].as_str()];
    let projects = [
        (prod.as_str(), None, &prod_services[..]),
        (staging.as_str(), None, &staging_services[..]),
    ];
    let billing = format!("{name} billing");
    let created_at = clock::timestamp(now);
    let org_id = tx
        .insert_demo_organization(
            &DemoOrganization {
                name: &name,
                plan: "paid",
                tier: Some(tier),
                // The higher tiers have an account team, who get an email about every ticket.
                account_team: matches!(tier, "advanced" | "premium").then_some(team.as_str()),
                monthly_spend_usd_cents: 100_000 * i64::from(n),
                units: &[],
                billing_groups: &[(billing.as_str(), "Invoice (bank transfer)")],
                projects: &projects,
            },
            created_at,
        )
        .await?;
    let mut org_users = Vec::with_capacity(users as usize);
    for index in 0..users {
        let email = user_email(n, index);
        let user_name = if index == 0 {
            format!("Admin {n:03}")
        } else {
            format!("User {index:02} of {n:03}")
        };
        tx.insert_demo_user(
            org_id,
            &DemoUser {
                email: &email,
                name: &user_name,
                password_hash: hash,
                role: if index == 0 { "admin" } else { "member" },
                created_at,
            },
        )
        .await?;
        let (id, _) = tx.user_by_email(&email).await?;
        org_users.push((id, user_name, email));
    }
    let mut resources = Vec::new();
    for (project, service) in [
        (&prod, &services[0]),
        (&prod, &services[1]),
        (&staging, &services[2]),
    ] {
        let (project_id, service_id) = tx
            .project_and_service(project, Some(service.as_str()))
            .await?;
        resources.push(AffectedResource {
            project: NamedRef {
                id: project_id,
                name: project.clone(),
            },
            service: service_id.map(|id| NamedRef {
                id,
                name: service.clone(),
            }),
        });
    }
    Ok(Org {
        id: org_id,
        tier,
        users: org_users,
        resources,
    })
}

/// One ticket to write, drawn at random.
struct TicketPlan {
    submitter: usize,
    topic: usize,
    /// Which of the organization's services it names.
    resource: usize,
    /// Whether the service is recorded as affected (not only named in the subject).
    affected: bool,
    severity: Severity,
    status: TicketStatus,
    description: String,
    ccs: Vec<String>,
    created: OffsetDateTime,
    /// Times of the comments, oldest first; the first is the support team's.
    comments: Vec<OffsetDateTime>,
    updated: OffsetDateTime,
}

impl TicketPlan {
    fn draw(rng: &mut StdRng, org: &Org, created: OffsetDateTime, now: OffsetDateTime) -> Self {
        let submitter = rng.random_range(0..org.users.len());
        let severity = match rng.random_range(0..10) {
            0 => Severity::Critical,
            1..=3 => Severity::High,
            _ => Severity::Low,
        };
        let age = now - created;
        let old = age > Duration::days(30);
        let roll = rng.random_range(0..100);
        let status = match (old, roll) {
            (true, 0..70) => TicketStatus::Closed,
            (true, 70..95) => TicketStatus::Solved,
            (true, _) => TicketStatus::Open,
            (false, 0..40) => TicketStatus::Open,
            (false, 40..60) => TicketStatus::AwaitingCustomer,
            (false, 60..85) => TicketStatus::Solved,
            (false, _) => TicketStatus::Closed,
        };
        let mut words = Vec::new();
        for _ in 0..rng.random_range(3..7) {
            words.push(WORDS[rng.random_range(0..WORDS.len())]);
        }
        let description = format!(
            "Since {} we see {} problems. The {} dashboard shows {} and {} around the time of the issue.\n\nWhat we tried: {}.",
            created.date(),
            words[0],
            words[1],
            words[2],
            words[words.len() - 1],
            words.join(", ")
        );
        let mut ccs = Vec::new();
        match rng.random_range(0..100) {
            // A colleague of the submitter.
            0..25 if org.users.len() > 1 => {
                let other = (submitter + rng.random_range(1..org.users.len())) % org.users.len();
                ccs.push(org.users[other].2.clone());
            }
            // Someone outside the organization.
            25..30 => ccs.push(format!("partner{}@example.net", rng.random_range(0..50))),
            _ => {}
        }
        // Closed and solved tickets were updated when that happened; the rest some time after
        // creation. Never later than now.
        let room = age.min(Duration::days(3)).whole_minutes().max(1);
        let updated = (created + Duration::minutes(rng.random_range(0..room))).min(now);
        let mut comments = Vec::new();
        if rng.random_range(0..100) < 20 {
            let count = rng.random_range(1..=3_i32);
            let step = (updated - created) / (count + 1);
            for k in 1..=count {
                comments.push(
                    (created + step * k)
                        .replace_nanosecond(0)
                        .unwrap_or(created),
                );
            }
        }
        Self {
            submitter,
            topic: rng.random_range(0..TOPICS.len()),
            resource: rng.random_range(0..org.resources.len()),
            affected: rng.random_range(0..100) < 30,
            severity,
            status,
            description,
            ccs,
            created,
            comments,
            updated,
        }
    }
}

/// The tiers' first response targets and hours, read once per tier and severity.
#[derive(Default)]
struct DueTimes(HashMap<(&'static str, Severity), (ResponseTime, Hours)>);

impl DueTimes {
    async fn get(
        &mut self,
        tx: &mut Tx,
        tier: &'static str,
        severity: Severity,
    ) -> anyhow::Result<(ResponseTime, Hours)> {
        if let Some(found) = self.0.get(&(tier, severity)) {
            return Ok(*found);
        }
        let (target, hours) = tx.tier_response_time(tier, severity).await?;
        // As for real tickets (rules::tickets::insert): an unreadable label counts around the clock.
        let found = (target, Hours::parse(&hours).unwrap_or(Hours::AllWeek));
        self.0.insert((tier, severity), found);
        Ok(found)
    }
}

async fn insert_ticket(
    tx: &mut Tx,
    org: &Org,
    plan: &TicketPlan,
    due: &mut DueTimes,
    calendar: &Calendar,
) -> anyhow::Result<()> {
    let (target, hours) = due.get(tx, org.tier, plan.severity).await?;
    let (product, reason, subject) = TOPICS[plan.topic];
    let resource = &org.resources[plan.resource];
    let service = resource.service.as_ref().map_or("", |s| s.name.as_str());
    let subject = subject.replace("{}", service);
    let (submitter_id, submitter_name, _) = &org.users[plan.submitter];
    let created_at = clock::timestamp(plan.created);
    let last = plan.comments.last().copied().unwrap_or(plan.updated);
    let updated_at = clock::timestamp(plan.updated.max(last));
    let ticket_id = tx
        .insert_ticket(&NewTicketRow {
            organization_id: org.id,
            submitter_id: *submitter_id,
            subject: &subject,
            severity: plan.severity,
            product_key: product,
            reason_key: reason,
            resources: if plan.affected {
                std::slice::from_ref(resource)
            } else {
                &[]
            },
            description: &plan.description,
            first_response_target: target,
            first_response_due_at: clock::timestamp(first_response_due_in(
                plan.created,
                target,
                hours,
                calendar,
            )),
            created_at,
            follow_up_of: None,
            status: plan.status,
            updated_at,
            first_response_at: plan.comments.first().map(|at| clock::timestamp(*at)),
        })
        .await?
        .ticket
        .id;
    let ccs: Vec<&str> = plan.ccs.iter().map(String::as_str).collect();
    tx.add_ccs(ticket_id, &ccs, *submitter_id, created_at)
        .await?;
    for (k, at) in plan.comments.iter().enumerate() {
        let agent = k % 2 == 0;
        let body = if agent {
            "Thanks for the details. We are looking into it and will update this ticket."
        } else {
            "Thank you, the graphs look better since this morning."
        };
        let entry = NewActivity {
            kind: ActivityKind::Comment,
            author_kind: if agent {
                AuthorKind::Agent
            } else {
                AuthorKind::Customer
            },
            author_id: (!agent).then_some(*submitter_id),
            author_name: if agent {
                AGENT
            } else {
                submitter_name.as_str()
            },
            body,
            emails: &[],
            status: None,
            at: clock::timestamp(*at),
            by_email: false,
        };
        tx.record_activity(ticket_id, &entry).await?;
    }
    if plan.status != TicketStatus::Open {
        let entry = NewActivity {
            kind: ActivityKind::StatusChanged,
            author_kind: AuthorKind::Agent,
            author_id: None,
            author_name: AGENT,
            body: "",
            emails: &[],
            status: Some(plan.status),
            at: updated_at,
            by_email: false,
        };
        tx.record_activity(ticket_id, &entry).await?;
    }
    Ok(())
}

/// `support-server bench-data`: opens (creating and migrating) the configured database, fills it and
/// prints what it wrote.
pub async fn run(config: Config, args: BenchDataArgs) -> anyhow::Result<()> {
    let state = AppState::new(config).await?;
    let summary = generate(&state.store, &state.calendar, &Spec::from(&args)).await?;
    state.store.close().await;
    println!(
        "Generated {} organizations, {} users, {} tickets with {} CCs and {} comments in {:.1} s.",
        summary.organizations,
        summary.users,
        summary.tickets,
        summary.ccs,
        summary.comments,
        summary.elapsed.as_secs_f64()
    );
    println!(
        "Users: {} (admin), {} ... (members); password {DEMO_PASSWORD:?}.",
        user_email(1, 0),
        user_email(1, 1)
    );
    Ok(())
}
