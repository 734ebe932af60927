//! Keyset pages walked forward and back over 10,000 tickets: no gaps, no duplicates, the right order,
//! and the same pages both ways.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use api::Severity::{Critical, Low};
use api::TicketScope::{Mine, Organization};
use api::TicketSort::{Created, Updated};
use api::TicketStatus::{Open, Solved};
use api::{Severity, TicketListQuery, TicketScope, TicketSort, TicketStatus};

use super::generated::{expected, ten_thousand_tickets};
use crate::helpers::{Session, spawn_app};

/// Walks every page forward with `after`, then back from the last with `before`, checking each page
/// against `want`: no duplicates, no gaps, order, totals, and that the pages going back are the pages
/// going forward.
async fn walk(session: &Session, query: &TicketListQuery, want: &[i64]) {
    let after = |cursor: String| TicketListQuery {
        after: Some(cursor),
        ..query.clone()
    };
    let before = |cursor: String| TicketListQuery {
        before: Some(cursor),
        ..query.clone()
    };
    let limit = query.limit.unwrap_or(25) as usize;
    let mut pages: Vec<Vec<i64>> = Vec::new();
    let mut page = session.tickets(query).await;
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
                page = session.tickets(&after(next)).await;
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
        page = session.tickets(&before(prev)).await;
        assert_eq!(page.total, want.len() as u64);
        assert!(page.next.is_some(), "a page before another has a next one");
        back.push(page.tickets.iter().map(|t| t.id).collect());
    }
    back.reverse();
    assert_eq!(back, pages, "walking back shows the same pages: {query:?}");
}

/// One walk: who lists, and the query's scope, status, severity, sort, page size and search.
type Walk = (
    &'static str,
    TicketScope,
    Option<TicketStatus>,
    Option<Severity>,
    TicketSort,
    Option<u32>,
    Option<&'static str>,
);

/// The lists walked, one per line.
#[rustfmt::skip]
const WALKS: [Walk; 9] = [
    // who                 scope         status        severity        sort     page       search
    ("admin@acme.example", Organization, None,         None,           Updated, Some(100), None),
    ("dev@acme.example",   Mine,         None,         None,           Updated, Some(100), None),
    ("ops@acme.example",   Mine,         None,         None,           Created, Some(100), None),
    ("dev@acme.example",   Mine,         Some(Open),   None,           Created, None,      None),
    ("admin@acme.example", Organization, None,         Some(Critical), Updated, Some(50),  Some("REPL")),
    ("dev@acme.example",   Mine,         None,         None,           Updated, Some(10),  Some("time conn")),
    ("admin@acme.example", Organization, Some(Solved), Some(Low),      Created, Some(7),   None),
    ("admin@acme.example", Organization, None,         None,           Updated, Some(3),   Some("cafe zur node-3")),
    ("dev@acme.example",   Mine,         None,         None,           Updated, None,      Some("nothing-like-this")),
];

#[tokio::test]
async fn ten_thousand_tickets_page_forward_and_back_without_gaps_or_duplicates() {
    let app = spawn_app().await;
    let (admin, tickets) = ten_thousand_tickets(&app).await;
    let mut sessions = HashMap::from([("admin@acme.example", admin)]);
    for email in ["dev@acme.example", "ops@acme.example"] {
        sessions.insert(email, app.sign_in(email).await);
    }

    for (email, scope, status, severity, sort, limit, q) in WALKS {
        let query = TicketListQuery {
            scope,
            status,
            severity,
            q: q.map(str::to_owned),
            sort,
            limit,
            ..TicketListQuery::default()
        };
        let want = expected(&tickets, email, &query);
        let started = Instant::now();
        walk(&sessions[email], &query, &want).await;
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
        if q != Some("nothing-like-this") {
            assert!(
                want.len() > 2 * limit.unwrap_or(25) as usize,
                "{query:?} spans pages"
            );
        }
    }
}
