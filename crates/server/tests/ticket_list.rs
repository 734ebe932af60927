//! The ticket lists against the real app: keyset pages walked forward and back over 10,000 tickets
//! and compared with a brute-force expectation computed here, search (prefixes, several words, case,
//! hostile input), the organization scope, the query parameters' checks, query plans and timings.

mod helpers;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use api::{
    CSRF_HEADER, CSRF_VALUE, ErrorCode, Ticket, TicketList, TicketListQuery, TicketScope,
    TicketSort,
};
use helpers::{TestApp, add_member, expect_error, signed_in, spawn_app};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Client, StatusCode};
use serde_json::json;
use sqlx::{QueryBuilder, Sqlite};
use support_server::rules::auth::{CurrentUser, Member};
use support_server::rules::ticket_list::{self, Cursor};
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use time::{Duration as TimeDuration, OffsetDateTime};

/// `GET /organizations/{org}/tickets?<params>`; the parameters are percent-encoded here.
async fn get_list(
    app: &TestApp,
    client: &Client,
    org_id: i64,
    params: &[(&str, &str)],
) -> reqwest::Response {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
        .collect();
    client
        .get(app.api(&format!(
            "/organizations/{org_id}/tickets?{}",
            query.join("&")
        )))
        .send()
        .await
        .unwrap()
}

async fn list(app: &TestApp, client: &Client, org_id: i64, params: &[(&str, &str)]) -> TicketList {
    let response = get_list(app, client, org_id, params).await;
    assert_eq!(response.status(), StatusCode::OK, "{params:?}");
    response.json().await.unwrap()
}

// ---------------------------------------------------------------------------------------------
// 10,000 tickets

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

/// Inserts `n` tickets into `org_id` in one transaction with multi-row INSERTs: timestamps spread over
/// months with many ties (three tickets share each creation time; updates fall on whole hours), every
/// status and severity, four submitters, and CCs on about a third (members and outside addresses).
async fn generate(app: &TestApp, org_id: i64, n: usize) {
    let mut users = HashMap::new();
    for email in PEOPLE {
        let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = ?")
            .bind(email)
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
        users.insert(*email, id);
    }
    let mut rng = Lcg(42);
    let base = datetime!(2026-01-01 00:00 UTC);
    struct Row {
        submitter: i64,
        subject: String,
        description: String,
        severity: &'static str,
        status: &'static str,
        created: String,
        updated: String,
        cc: Vec<String>,
    }
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let submitter_email = rng.pick(PEOPLE);
        let words = |rng: &mut Lcg, count: u64| {
            (0..count)
                .map(|_| rng.pick(WORDS))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let subject_len = 2 + rng.below(3);
        let subject = format!("{} #{i}", words(&mut rng, subject_len));
        let description_len = 4 + rng.below(6);
        let description = format!(
            "{}.\n\nSeen on node-{}.",
            words(&mut rng, description_len),
            i % 7
        );
        let created = base + TimeDuration::minutes(13 * (i as i64 / 3));
        let updated = if rng.below(4) == 0 {
            created
        } else {
            let hours = (created - base).whole_hours() + 1 + rng.below(24 * 40) as i64;
            base + TimeDuration::hours(hours)
        };
        let mut cc = Vec::new();
        if rng.below(3) == 0 {
            for candidate in [
                "dev@acme.example",
                "ops@acme.example",
                "partner@outside.example",
            ] {
                if candidate != submitter_email && rng.below(2) == 0 {
                    cc.push(candidate.to_owned());
                }
            }
        }
        rows.push(Row {
            submitter: users[submitter_email],
            subject,
            description,
            severity: rng.pick(&["low", "high", "critical"]),
            status: rng.pick(&["open", "awaiting_customer", "solved", "closed"]),
            created: rfc3339(created),
            updated: rfc3339(updated),
            cc,
        });
    }
    let mut tx = app.state.store.pool().begin().await.unwrap();
    let first_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM tickets")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    for chunk in rows.chunks(500) {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO tickets (organization_id, submitter_id, subject, severity, status,
                product_key, reason_key, description, first_response_target_unit,
                first_response_target_value, first_response_due_at, created_at, updated_at) ",
        );
        qb.push_values(chunk, |mut b, r| {
            b.push_bind(org_id)
                .push_bind(r.submitter)
                .push_bind(r.subject.clone())
                .push_bind(r.severity)
                .push_bind(r.status)
                .push_bind("postgresql")
                .push_bind("performance")
                .push_bind(r.description.clone())
                .push_bind("business_days")
                .push_bind(1)
                .push_bind(r.created.clone())
                .push_bind(r.created.clone())
                .push_bind(r.updated.clone());
        });
        qb.build().execute(&mut *tx).await.unwrap();
    }
    let ccs: Vec<(i64, String, i64, i64)> = rows
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r.cc.iter()
                .enumerate()
                .map(move |(p, email)| (first_id + i as i64, email.clone(), p as i64, r.submitter))
                .collect::<Vec<_>>()
        })
        .collect();
    for chunk in ccs.chunks(500) {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO ticket_cc (ticket_id, email, position, added_by, added_at) ",
        );
        qb.push_values(chunk, |mut b, (ticket, email, position, by)| {
            b.push_bind(*ticket)
                .push_bind(email.clone())
                .push_bind(*position)
                .push_bind(*by)
                .push_bind("2026-01-01T00:00:00Z");
        });
        qb.build().execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// What the brute force knows of a ticket.
#[derive(Debug, Clone)]
struct Model {
    id: i64,
    submitter: String,
    cc: Vec<String>,
    status: String,
    severity: String,
    subject: String,
    description: String,
    created: String,
    updated: String,
}

async fn model(app: &TestApp, org_id: i64) -> Vec<Model> {
    type Row = (i64, String, String, String, String, String, String, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.id, u.email, t.status, t.severity, t.subject, t.description, t.created_at,
                t.updated_at
         FROM tickets t JOIN users u ON u.id = t.submitter_id WHERE t.organization_id = ?",
    )
    .bind(org_id)
    .fetch_all(app.state.store.pool())
    .await
    .unwrap();
    let ccs: Vec<(i64, String)> = sqlx::query_as("SELECT ticket_id, email FROM ticket_cc")
        .fetch_all(app.state.store.pool())
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
/// prefix of some word of the subject or description), newest first, ties by id.
fn expected(tickets: &[Model], email: &str, query: &TicketListQuery) -> Vec<i64> {
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
            let (subject, description) = (tokens(&t.subject), tokens(&t.description));
            phrases
                .iter()
                .all(|p| in_column(&subject, p) || in_column(&description, p))
        })
        .collect();
    let key = |t: &Model| match query.sort {
        TicketSort::Updated => t.updated.clone(),
        TicketSort::Created => t.created.clone(),
    };
    matching.sort_by_key(|t| std::cmp::Reverse((key(t), t.id)));
    matching.into_iter().map(|t| t.id).collect()
}

fn params(query: &TicketListQuery) -> Vec<(&'static str, String)> {
    let mut p = vec![(
        "scope",
        match query.scope {
            TicketScope::Mine => "mine",
            TicketScope::Organization => "organization",
        }
        .to_owned(),
    )];
    if let Some(s) = query.status {
        p.push(("status", s.as_str().to_owned()));
    }
    if let Some(s) = query.severity {
        p.push(("severity", format!("{s:?}").to_lowercase()));
    }
    if let Some(q) = &query.q {
        p.push(("q", q.clone()));
    }
    p.push((
        "sort",
        match query.sort {
            TicketSort::Updated => "updated",
            TicketSort::Created => "created",
        }
        .to_owned(),
    ));
    if let Some(limit) = query.limit {
        p.push(("limit", limit.to_string()));
    }
    p
}

/// Walks every page forward with `after`, then back from the last with `before`, checking each page
/// against `want`: no duplicates, no gaps, order, totals, and that the pages going back are the pages
/// going forward.
async fn walk(app: &TestApp, client: &Client, org_id: i64, query: &TicketListQuery, want: &[i64]) {
    let base = params(query);
    let fetch = |extra: Option<(&'static str, String)>| {
        let mut p = base.clone();
        p.extend(extra);
        async move {
            let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
            list(app, client, org_id, &refs).await
        }
    };
    let limit = query.limit.unwrap_or(25) as usize;
    let mut pages: Vec<Vec<i64>> = Vec::new();
    let mut page = fetch(None).await;
    assert_eq!(page.prev, None, "the first page has no previous one");
    loop {
        assert_eq!(page.total, want.len() as u64, "total of {query:?}");
        assert!(page.tickets.len() <= limit);
        pages.push(page.tickets.iter().map(|t| t.id).collect());
        match page.next.clone() {
            Some(next) => {
                assert!(
                    next.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                    "URL-safe cursor {next}"
                );
                assert_eq!(page.tickets.len(), limit, "only the last page is short");
                page = fetch(Some(("after", next))).await;
                assert!(page.prev.is_some(), "a later page has a previous one");
            }
            None => break,
        }
    }
    let forward: Vec<i64> = pages.iter().flatten().copied().collect();
    let unique: HashSet<i64> = forward.iter().copied().collect();
    assert_eq!(unique.len(), forward.len(), "no ticket twice: {query:?}");
    assert_eq!(forward, want, "every ticket in order: {query:?}");

    // And back.
    let mut back = vec![pages.last().unwrap().clone()];
    while let Some(prev) = page.prev.clone() {
        page = fetch(Some(("before", prev))).await;
        assert_eq!(page.total, want.len() as u64);
        assert!(page.next.is_some(), "a page before another has a next one");
        back.push(page.tickets.iter().map(|t| t.id).collect());
    }
    back.reverse();
    assert_eq!(back, pages, "walking back shows the same pages: {query:?}");
}

fn q(scope: TicketScope) -> TicketListQuery {
    TicketListQuery {
        scope,
        ..TicketListQuery::default()
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

async fn time_page(
    app: &TestApp,
    client: &Client,
    org_id: i64,
    p: &[(&str, &str)],
) -> (Duration, usize) {
    let mut samples = Vec::new();
    let mut count = 0;
    for _ in 0..7 {
        let start = Instant::now();
        let page = list(app, client, org_id, p).await;
        samples.push(start.elapsed());
        count = page.tickets.len();
    }
    (median(samples), count)
}

/// The page query must walk an index, never scan the whole tickets table (virtual-table scans of the
/// search index and the small lookup tables are fine).
fn assert_no_full_scan(label: &str, plan: &[String]) {
    println!("plan {label}:\n  {}", plan.join("\n  "));
    for line in plan {
        let scans_tickets = line.starts_with("SCAN t ")
            || line == "SCAN t"
            || line.starts_with("SCAN tickets ")
            || line == "SCAN tickets";
        assert!(
            !scans_tickets || line.contains("USING"),
            "{label}: full scan of tickets: {line}"
        );
    }
}

#[tokio::test]
async fn ten_thousand_tickets_page_forward_and_back_without_gaps_or_duplicates() {
    let app = spawn_app().await;
    let (admin, org_id) = signed_in(&app, "admin@acme.example").await;
    add_member(&app, "ops@acme.example", "Olive Ops", org_id, "member").await;
    add_member(&app, "qa@acme.example", "Quinn QA", org_id, "member").await;
    let started = Instant::now();
    generate(&app, org_id, 10_000).await;
    println!("inserted 10,000 tickets in {:?}", started.elapsed());
    let tickets = model(&app, org_id).await;
    assert!(tickets.len() >= 10_000);
    let (dev, _) = signed_in(&app, "dev@acme.example").await;
    let (ops, _) = signed_in(&app, "ops@acme.example").await;

    use api::{Severity, TicketStatus};
    let cases: Vec<(&str, &Client, TicketListQuery)> = vec![
        (
            "admin@acme.example",
            &admin,
            TicketListQuery {
                limit: Some(100),
                ..q(TicketScope::Organization)
            },
        ),
        (
            "dev@acme.example",
            &dev,
            TicketListQuery {
                limit: Some(100),
                ..q(TicketScope::Mine)
            },
        ),
        (
            "ops@acme.example",
            &ops,
            TicketListQuery {
                sort: TicketSort::Created,
                limit: Some(100),
                ..q(TicketScope::Mine)
            },
        ),
        (
            "dev@acme.example",
            &dev,
            TicketListQuery {
                status: Some(TicketStatus::Open),
                sort: TicketSort::Created,
                ..q(TicketScope::Mine)
            },
        ),
        (
            "admin@acme.example",
            &admin,
            TicketListQuery {
                severity: Some(Severity::Critical),
                q: Some("REPL".into()),
                limit: Some(50),
                ..q(TicketScope::Organization)
            },
        ),
        (
            "dev@acme.example",
            &dev,
            TicketListQuery {
                q: Some("time conn".into()),
                limit: Some(10),
                ..q(TicketScope::Mine)
            },
        ),
        (
            "admin@acme.example",
            &admin,
            TicketListQuery {
                status: Some(TicketStatus::Solved),
                severity: Some(Severity::Low),
                sort: TicketSort::Created,
                limit: Some(7),
                ..q(TicketScope::Organization)
            },
        ),
        (
            "admin@acme.example",
            &admin,
            TicketListQuery {
                q: Some("cafe zur node-3".into()),
                limit: Some(3),
                ..q(TicketScope::Organization)
            },
        ),
        (
            "dev@acme.example",
            &dev,
            TicketListQuery {
                q: Some("nothing-like-this".into()),
                ..q(TicketScope::Mine)
            },
        ),
    ];
    for (email, client, query) in &cases {
        let want = expected(&tickets, email, query);
        let started = Instant::now();
        walk(&app, client, org_id, query, &want).await;
        println!(
            "walked {:>5} tickets forward and back for {email} {:?}/{:?}/{:?}/{:?}/q={:?}/limit {:?} in {:?}",
            want.len(),
            query.scope,
            query.status,
            query.severity,
            query.sort,
            query.q,
            query.limit,
            started.elapsed()
        );
        if query.q.as_deref() != Some("nothing-like-this") {
            assert!(
                want.len() > 2 * query.limit.unwrap_or(25) as usize,
                "{query:?} spans pages"
            );
        }
    }

    // Timings: first page and a deep page (the last full page) of 25, with and without search, over
    // HTTP and directly (page + total, no HTTP or JSON). Figures to quote, not assertions: this
    // machine is shared and the server is a debug build (SQLite itself is optimised).
    add_member(&app, "new@acme.example", "Nia New", org_id, "member").await;
    let (newcomer, _) = signed_in(&app, "new@acme.example").await;
    let member = |email: &str| {
        let email = email.to_owned();
        let app = &app;
        async move {
            let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = ?")
                .bind(&email)
                .fetch_one(app.state.store.pool())
                .await
                .unwrap();
            Member::load(&app.state.store, CurrentUser { id, email }, org_id)
                .await
                .unwrap()
        }
    };
    println!(
        "\nList timings on {} tickets of one organization, pages of 25, median of 11 (ms):",
        tickets.len()
    );
    println!(
        "  {:<28} {:>7} {:>10} {:>10} {:>10} {:>10}",
        "list", "matches", "HTTP first", "HTTP deep", "SQL first", "SQL deep"
    );
    for (label, email, client, scope, search) in [
        (
            "organization",
            "admin@acme.example",
            &admin,
            TicketScope::Organization,
            None,
        ),
        (
            "organization, q=repl",
            "admin@acme.example",
            &admin,
            TicketScope::Organization,
            Some("repl"),
        ),
        (
            "mine (dev)",
            "dev@acme.example",
            &dev,
            TicketScope::Mine,
            None,
        ),
        (
            "mine (dev), q=repl",
            "dev@acme.example",
            &dev,
            TicketScope::Mine,
            Some("repl"),
        ),
        (
            "mine (qa)",
            "qa@acme.example",
            &dev,
            TicketScope::Mine,
            None,
        ),
        (
            "mine (no tickets)",
            "new@acme.example",
            &newcomer,
            TicketScope::Mine,
            None,
        ),
    ] {
        let client = if email == "qa@acme.example" {
            &signed_in(&app, email).await.0
        } else {
            client
        };
        let query = TicketListQuery {
            q: search.map(str::to_owned),
            ..q(scope)
        };
        let want = expected(&tickets, email, &query);
        let deep = (want.len() / 25).checked_sub(1).map(|pages| {
            let index = pages * 25 - 1;
            let row = tickets.iter().find(|t| t.id == want[index]).unwrap();
            let cursor = Cursor {
                sort: TicketSort::Updated,
                at: row.updated.parse().unwrap(),
                id: row.id,
            }
            .encode()
            .unwrap();
            (index, cursor)
        });
        let scope_param = if scope == TicketScope::Mine {
            "mine"
        } else {
            "organization"
        };
        let mut p: Vec<(&str, &str)> = vec![("scope", scope_param)];
        if let Some(s) = search {
            p.push(("q", s));
        }
        let m = member(email).await;
        let sql_time = |query: TicketListQuery| {
            let (app, m) = (&app, &m);
            async move {
                let mut samples = Vec::new();
                for _ in 0..11 {
                    let start = Instant::now();
                    ticket_list::load_page(&app.state.store, m, &query)
                        .await
                        .unwrap();
                    samples.push(start.elapsed());
                }
                median(samples)
            }
        };
        let (http_first, _) = time_page(&app, client, org_id, &p).await;
        let sql_first = sql_time(query.clone()).await;
        let (mut http_deep, mut sql_deep) = (None, None);
        if let Some((index, cursor)) = &deep {
            let mut deep_p = p.clone();
            deep_p.push(("after", cursor));
            let (took, n) = time_page(&app, client, org_id, &deep_p).await;
            http_deep = Some(took);
            let deep_page = list(&app, client, org_id, &deep_p).await;
            assert_eq!(
                deep_page.tickets.iter().map(|t| t.id).collect::<Vec<_>>(),
                want[index + 1..index + 1 + n],
                "the deep page is where the cursor says"
            );
            sql_deep = Some(
                sql_time(TicketListQuery {
                    after: Some(cursor.clone()),
                    ..query.clone()
                })
                .await,
            );
        }
        let ms = |d: Option<Duration>| {
            d.map_or("-".to_owned(), |d| {
                format!("{:.2}", d.as_secs_f64() * 1000.0)
            })
        };
        println!(
            "  {label:<28} {:>7} {:>10} {:>10} {:>10} {:>10}",
            want.len(),
            ms(Some(http_first)),
            ms(http_deep),
            ms(Some(sql_first)),
            ms(sql_deep),
        );

        // The queries behind them: no full scan of tickets.
        let plans = ticket_list::explain(
            &app.state.store,
            &m,
            &TicketListQuery {
                after: deep.map(|(_, cursor)| cursor),
                ..query.clone()
            },
        )
        .await
        .unwrap();
        assert_no_full_scan(&format!("{label}: page"), &plans.page);
        assert_no_full_scan(&format!("{label}: total"), &plans.count);
    }
}

// ---------------------------------------------------------------------------------------------
// Search

async fn create(
    app: &TestApp,
    client: &Client,
    org_id: i64,
    subject: &str,
    description: &str,
) -> Ticket {
    let response = client
        .post(app.api(&format!("/organizations/{org_id}/tickets")))
        .header(CSRF_HEADER, CSRF_VALUE)
        .json(&json!({
            "subject": subject,
            "severity": "low",
            "product": "postgresql",
            "reason": "performance",
            "description": description,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

#[tokio::test]
async fn search_finds_prefixes_of_every_word_in_any_case_and_survives_hostile_input() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let wal = create(
        &app,
        &dev,
        org_id,
        "Replication slot overflow on pg-main",
        "WAL grows by 2 GB an hour; the replica in Zürich is idle.",
    )
    .await;
    let vacuum = create(
        &app,
        &dev,
        org_id,
        "Autovacuum never finishes",
        "Table events is 400 GB. \"quoted\" text (with parentheses) and a-hyphen.",
    )
    .await;
    let ids = |list: TicketList| {
        let mut ids: Vec<i64> = list.tickets.into_iter().map(|t| t.id).collect();
        ids.sort();
        ids
    };
    let search = |text: &'static str| {
        let (app, dev) = (&app, &dev);
        async move { ids(list(app, dev, org_id, &[("q", text)]).await) }
    };
    let all = ids(list(&app, &dev, org_id, &[]).await);
    assert!(all.len() > 2, "demo tickets too");

    assert_eq!(search("repl").await, [wal.id], "a prefix");
    assert_eq!(
        search("REPLIC OVERF").await,
        [wal.id],
        "any case, every word"
    );
    assert_eq!(
        search("slot wal").await,
        [wal.id],
        "words across subject and description"
    );
    assert_eq!(
        search("repl vacuum").await,
        Vec::<i64>::new(),
        "all words must match"
    );
    assert_eq!(search("zurich").await, [wal.id], "diacritics folded");
    assert_eq!(search("auto").await, [vacuum.id]);
    assert_eq!(
        search("  autovacuum   events  ").await,
        [vacuum.id],
        "extra spaces"
    );

    // FTS5 syntax typed by a user is just text: no 500, no syntax error.
    for hostile in [
        "\"",
        "\"repl",
        "repl\"",
        "*",
        "repl*",
        "-",
        "-wal",
        ")",
        "(",
        "NEAR(",
        "NEAR(repl wal)",
        "repl OR vacuum",
        "repl AND",
        "NOT",
        "subject:repl",
        "^repl",
        "{a b}",
        "\"\"\"",
        "'",
        "repl;--",
        "a\u{0}b",
        "\u{1F600}",
        "%",
        "+",
    ] {
        let response = get_list(&app, &dev, org_id, &[("q", hostile)]).await;
        assert_eq!(response.status(), StatusCode::OK, "{hostile:?}");
        response.json::<TicketList>().await.unwrap();
    }
    assert_eq!(search("\"repl").await, [wal.id], "a stray quote is ignored");
    assert_eq!(search("-wal").await, [wal.id], "a minus is not NOT");
    assert_eq!(
        search("NEAR(repl").await,
        Vec::<i64>::new(),
        "NEAR is a word like any other"
    );
    assert_eq!(
        search("repl OR vacuum").await,
        Vec::<i64>::new(),
        "OR is a word, so nothing has all three"
    );
    assert_eq!(search("(parenth").await, [vacuum.id]);
    assert_eq!(
        search("a-hyph").await,
        [vacuum.id],
        "a hyphenated word is a phrase"
    );
    assert_eq!(search("*").await, all, "nothing searchable left: no filter");
    assert_eq!(search("\"\"\"").await, all);

    let long = "x".repeat(501);
    let response = get_list(&app, &dev, org_id, &[("q", &long)]).await;
    expect_error(
        response,
        StatusCode::BAD_REQUEST,
        ErrorCode::MalformedRequest,
    )
    .await;
}

#[test]
fn every_word_becomes_a_quoted_prefix_term() {
    use support_server::store::ticket_list::fts_query;
    assert_eq!(
        fts_query("repl wal").as_deref(),
        Some("\"repl\"* AND \"wal\"*")
    );
    assert_eq!(fts_query("a\"b").as_deref(), Some("\"a\"\"b\"*"));
    assert_eq!(
        fts_query("NEAR( -x").as_deref(),
        Some("\"NEAR(\"* AND \"-x\"*")
    );
    assert_eq!(fts_query(" * - ) \" "), None);
    assert_eq!(
        fts_query("a\u{0}b\tc").as_deref(),
        Some("\"a\"* AND \"b\"* AND \"c\"*")
    );
    assert_eq!(fts_query(""), None);
}

// ---------------------------------------------------------------------------------------------
// Scope and parameters

#[tokio::test]
async fn the_organization_scope_is_for_admins_and_says_whether_they_follow() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let (admin, _) = signed_in(&app, "admin@acme.example").await;
    let response = get_list(&app, &dev, org_id, &[("scope", "organization")]).await;
    let error = expect_error(response, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
    assert!(error.message.contains("admins"));

    let all = list(&app, &admin, org_id, &[("scope", "organization")]).await;
    let mine = list(&app, &admin, org_id, &[]).await;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE organization_id = ?")
        .bind(org_id)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(all.total, total as u64);
    assert!(
        mine.total < all.total,
        "the admin's own list is only theirs and their CCs"
    );
    assert!(!all.following);

    let response = admin
        .put(app.api(&format!("/organizations/{org_id}/ticket-following")))
        .header(CSRF_HEADER, CSRF_VALUE)
        .json(&json!({"following": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        list(&app, &admin, org_id, &[("scope", "organization")])
            .await
            .following
    );

    let globex_id = app.organization_of("admin@globex.example").await;
    let response = get_list(&app, &admin, globex_id, &[("scope", "organization")]).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn bad_parameters_and_cursors_are_400_and_the_limit_is_capped() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    for _ in 0..3 {
        create(&app, &dev, org_id, "Filler", "Filler ticket.").await;
    }
    let page = list(&app, &dev, org_id, &[("limit", "2")]).await;
    assert_eq!(page.tickets.len(), 2);
    let next = page.next.clone().unwrap();
    assert!(next.starts_with('u'), "{next}");
    for bad in [
        vec![("status", "pending")],
        vec![("severity", "urgent")],
        vec![("scope", "everyone")],
        vec![("sort", "subject")],
        vec![("limit", "-1")],
        vec![("limit", "ten")],
        vec![("after", "garbage")],
        vec![("after", "u12_")],
        vec![("after", "x1_2")],
        vec![("before", "")],
        vec![("after", next.as_str()), ("before", next.as_str())],
        // A cursor of the updated order in the created order.
        vec![("sort", "created"), ("after", next.as_str())],
    ] {
        let response = get_list(&app, &dev, org_id, &bad).await;
        expect_error(
            response,
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedRequest,
        )
        .await;
    }
    let total = list(&app, &dev, org_id, &[]).await.total as usize;
    let huge = list(&app, &dev, org_id, &[("limit", "100000")]).await;
    assert_eq!(huge.tickets.len(), total.min(100));
    let zero = list(&app, &dev, org_id, &[("limit", "0")]).await;
    assert_eq!(zero.tickets.len(), 1, "at least one per page");
    // An empty search is no search.
    assert_eq!(
        list(&app, &dev, org_id, &[("q", "")]).await.total as usize,
        total
    );
}

#[tokio::test]
async fn a_page_past_the_end_is_empty_and_points_back() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let page = list(&app, &dev, org_id, &[]).await;
    let last = page.tickets.last().unwrap();
    let cursor = Cursor {
        sort: TicketSort::Updated,
        at: last.updated_at,
        id: last.id,
    }
    .encode()
    .unwrap();
    let after = list(&app, &dev, org_id, &[("after", &cursor)]).await;
    assert!(after.tickets.is_empty());
    assert_eq!(after.next, None);
    let back = list(
        &app,
        &dev,
        org_id,
        &[("before", after.prev.as_deref().unwrap())],
    )
    .await;
    assert_eq!(
        back.tickets, page.tickets,
        "a short page back at the top is the first page"
    );
    assert_eq!(back.prev, None);
}
