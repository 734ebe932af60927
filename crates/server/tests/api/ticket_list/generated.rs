//! 10,000 generated tickets of one organization, and the brute-force model of what any list of them
//! should show, computed without SQL.

use std::collections::HashMap;

use api::{TicketListQuery, TicketScope, TicketSort};
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::helpers::{Session, TestApp};

/// A small deterministic generator (64-bit LCG), so a failure can be reproduced.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// `count` words of [`WORDS`], space-separated.
    fn words(&mut self, count: u64) -> String {
        (0..count)
            .map(|_| self.pick(WORDS))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

const WORDS: &[&str] = &[
    "replica",
    "replication",
    "timeout",
    "timestamp",
    "connection",
    "connector",
    "kafka",
    "kappa",
    "lag",
    "latency",
    "disk",
    "diskspace",
    "backup",
    "backlog",
    "query",
    "quota",
    "index",
    "indexing",
    "invoice",
    "invoiced",
    "cluster",
    "clustering",
    "shard",
    "sharding",
    "upgrade",
    "memory",
    "metric",
    "network",
    "schema",
    "scheme",
    "Caf\u{e9}",
    "Zürich",
];

const PEOPLE: &[&str] = &[
    "dev@acme.example",
    "dev@acme.example",
    "admin@acme.example",
    "ops@acme.example",
    "qa@acme.example",
];

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

/// A generated ticket, before it is inserted.
struct Row {
    submitter: &'static str,
    subject: String,
    description: String,
    severity: &'static str,
    status: &'static str,
    created: String,
    updated: String,
    cc: Vec<String>,
}

/// `n` tickets: timestamps spread over months with many ties (three tickets share each creation time;
/// updates fall on whole hours), every status and severity, four submitters, and CCs on about a third
/// (members and outside addresses).
fn rows(n: usize) -> Vec<Row> {
    let mut rng = Lcg(42);
    let base = datetime!(2026-01-01 00:00 UTC);
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let submitter = rng.pick(PEOPLE);
        let subject_len = 2 + rng.below(3);
        let subject = format!("{} #{i}", rng.words(subject_len));
        let description_len = 4 + rng.below(6);
        let description = format!("{}.\n\nSeen on node-{}.", rng.words(description_len), i % 7);
        let created = base + Duration::minutes(13 * (i as i64 / 3));
        let updated = if rng.below(4) == 0 {
            created
        } else {
            let hours = (created - base).whole_hours() + 1 + rng.below(24 * 40) as i64;
            base + Duration::hours(hours)
        };
        let mut cc = Vec::new();
        if rng.below(3) == 0 {
            for candidate in [
                "dev@acme.example",
                "ops@acme.example",
                "partner@outside.example",
            ] {
                if candidate != submitter && rng.below(2) == 0 {
                    cc.push(candidate.to_owned());
                }
            }
        }
        rows.push(Row {
            submitter,
            subject,
            description,
            severity: rng.pick(&["low", "high", "critical"]),
            status: rng.pick(&["open", "awaiting_customer", "solved", "closed"]),
            created: rfc3339(created),
            updated: rfc3339(updated),
            cc,
        });
    }
    rows
}

/// Inserts `rows` into `org_id` in one transaction with multi-row INSERTs.
async fn insert(app: &TestApp, org_id: i64, rows: &[Row]) {
    let mut users = HashMap::new();
    for email in PEOPLE {
        users.insert(*email, app.user_id(email).await);
    }
    let mut tx = app.db().begin().await.unwrap();
    let first_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM tickets")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    // PostgreSQL's search reads `search_text`, which the server writes with each ticket; rows put in
    // here behind its back need it too (SQLite's index follows the columns by itself).
    let search = app.on_postgres();
    for chunk in rows.chunks(500) {
        let columns = 13 + usize::from(search);
        let mut sql = format!(
            "INSERT INTO tickets (organization_id, submitter_id, subject, severity, status,
                product_key, reason_key, description, first_response_target_unit,
                first_response_target_value, first_response_due_at, created_at, updated_at{}) VALUES ",
            if search { ", search_text" } else { "" }
        );
        sql.push_str(&placeholders(chunk.len(), columns));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            query = query
                .bind(org_id)
                .bind(users[r.submitter])
                .bind(r.subject.clone())
                .bind(r.severity)
                .bind(r.status)
                .bind("postgresql")
                .bind("performance")
                .bind(r.description.clone())
                .bind("business_days")
                .bind(1_i64)
                .bind(r.created.clone())
                .bind(r.created.clone())
                .bind(r.updated.clone());
            if search {
                query = query.bind(support_server::store::ticket_list::search_text(&[
                    &r.subject,
                    &r.description,
                    "",
                ]));
            }
        }
        query.execute(&mut *tx).await.unwrap();
    }
    let ccs: Vec<(i64, String, i64, i64)> = rows
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            let by = users[r.submitter];
            r.cc.iter()
                .enumerate()
                .map(move |(p, email)| (first_id + i as i64, email.clone(), p as i64, by))
                .collect::<Vec<_>>()
        })
        .collect();
    for chunk in ccs.chunks(500) {
        let mut sql =
            "INSERT INTO ticket_cc (ticket_id, email, position, added_by, added_at) VALUES "
                .to_owned();
        sql.push_str(&placeholders(chunk.len(), 5));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (ticket, email, position, by) in chunk {
            query = query
                .bind(*ticket)
                .bind(email.clone())
                .bind(*position)
                .bind(*by)
                .bind("2026-01-01T00:00:00Z");
        }
        query.execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// Acme with two more members and 10,000 generated tickets. Returns the admin's session and the model
/// of every Acme ticket (the demo data's too).
pub async fn ten_thousand_tickets(app: &TestApp) -> (Session, Vec<Model>) {
    let admin = app.sign_in("admin@acme.example").await;
    let org_id = admin.org_id;
    app.add_member("ops@acme.example", "Olive Ops", org_id, "member")
        .await;
    app.add_member("qa@acme.example", "Quinn QA", org_id, "member")
        .await;
    let started = std::time::Instant::now();
    insert(app, org_id, &rows(10_000)).await;
    println!("inserted 10,000 tickets in {:?}", started.elapsed());
    let tickets = model(app, org_id).await;
    assert!(tickets.len() >= 10_000);
    (admin, tickets)
}

/// What the brute force knows of a ticket.
#[derive(Debug, Clone)]
pub struct Model {
    pub id: i64,
    submitter: String,
    cc: Vec<String>,
    status: String,
    severity: String,
    subject: String,
    description: String,
    /// The affected projects' and services' IDs, as the search index has them.
    resources: String,
    created: String,
    pub updated: String,
}

async fn model(app: &TestApp, org_id: i64) -> Vec<Model> {
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.id, u.email, t.status, t.severity, t.subject, t.description, t.created_at,
                t.updated_at, t.resource_ids
         FROM tickets t JOIN users u ON u.id = t.submitter_id WHERE t.organization_id = $1",
    )
    .bind(org_id)
    .fetch_all(app.db())
    .await
    .unwrap();
    let ccs: Vec<(i64, String)> = sqlx::query_as("SELECT ticket_id, email FROM ticket_cc")
        .fetch_all(app.db())
        .await
        .unwrap();
    let mut by_ticket: HashMap<i64, Vec<String>> = HashMap::new();
    for (ticket, email) in ccs {
        by_ticket.entry(ticket).or_default().push(email);
    }
    rows.into_iter()
        .map(|r| Model {
            id: r.0,
            submitter: r.1,
            cc: by_ticket.remove(&r.0).unwrap_or_default(),
            status: r.2,
            severity: r.3,
            subject: r.4,
            description: r.5,
            created: r.6,
            updated: r.7,
            resources: r.8,
        })
        .collect()
}

/// Lower-cased words the way FTS5's unicode61 tokenizer with remove_diacritics sees ASCII text (and
/// the two accented words above, folded by hand).
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace('\u{e9}', "e").replace('ü', "u"))
        .collect()
}

/// The list `query` should return for `email`, computed without SQL: filters, search (every word a
/// prefix of some word of the subject, description or projects and services), newest first, ties by id.
pub fn expected(tickets: &[Model], email: &str, query: &TicketListQuery) -> Vec<i64> {
    // Each typed word is a phrase of its tokens, the last one a prefix (`"node-3"*`).
    let phrases: Vec<Vec<String>> = query
        .q
        .as_deref()
        .map(|q| {
            q.split_whitespace()
                .map(tokens)
                .filter(|t| !t.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let in_column = |column: &[String], phrase: &[String]| {
        column.windows(phrase.len()).any(|window| {
            let (last, rest) = phrase.split_last().unwrap();
            window[..rest.len()] == *rest && window[rest.len()].starts_with(last.as_str())
        })
    };
    let mut matching: Vec<&Model> = tickets
        .iter()
        .filter(|t| match query.scope {
            TicketScope::Mine => {
                t.submitter.eq_ignore_ascii_case(email)
                    || t.cc.iter().any(|c| c.eq_ignore_ascii_case(email))
            }
            TicketScope::Organization => true,
        })
        .filter(|t| query.status.is_none_or(|s| s.as_str() == t.status))
        .filter(|t| {
            query
                .severity
                .is_none_or(|s| format!("{s:?}").to_lowercase() == t.severity)
        })
        .filter(|t| {
            let columns = [&t.subject, &t.description, &t.resources].map(|c| tokens(c));
            phrases
                .iter()
                .all(|p| columns.iter().any(|column| in_column(column, p)))
        })
        .collect();
    let key = |t: &Model| match query.sort {
        TicketSort::Updated => t.updated.clone(),
        TicketSort::Created => t.created.clone(),
    };
    matching.sort_by_key(|t| std::cmp::Reverse((key(t), t.id)));
    matching.into_iter().map(|t| t.id).collect()
}

/// `($1, $2, ...), (...)`: `rows` groups of `columns` numbered placeholders, as both engines read them.
fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let numbers: Vec<String> = (1..=columns)
                .map(|column| format!("${}", row * columns + column))
                .collect();
            format!("({})", numbers.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
