//! Six lists over 10,000 tickets: the queries behind them never scan the whole tickets table, a deep
//! page is where its cursor says, and the timings of first and deep pages (printed, not asserted).

use std::time::{Duration, Instant};

use api::TicketScope::{Mine, Organization};
use api::{TicketListQuery, TicketScope, TicketSort};
use support_server::rules::auth::{CurrentUser, Member};
use support_server::rules::ticket_list::{self, Cursor};

use super::generated::{Model, expected, ten_thousand_tickets};
use crate::helpers::{Session, TestApp, spawn_app, spawn_sqlite_app};

/// The lists looked at: (label, who, scope, search). "new" has no tickets at all.
const LISTS: [(&str, &str, TicketScope, Option<&str>); 6] = [
    ("organization", "admin@acme.example", Organization, None),
    (
        "organization, q=repl",
        "admin@acme.example",
        Organization,
        Some("repl"),
    ),
    ("mine (dev)", "dev@acme.example", Mine, None),
    ("mine (dev), q=repl", "dev@acme.example", Mine, Some("repl")),
    ("mine (qa)", "qa@acme.example", Mine, None),
    ("mine (no tickets)", "new@acme.example", Mine, None),
];

/// One of [`LISTS`] over Acme's 10,000 tickets, as the server and the brute force see it.
struct List {
    label: &'static str,
    session: Session,
    /// The membership the server's list functions take.
    member: Member,
    query: TicketListQuery,
    want: Vec<i64>,
    /// The index in `want` of the last ticket before the last full page of 25, and the cursor after it.
    deep: Option<(usize, String)>,
}

/// Acme's 10,000 tickets, a member without tickets, and each of [`LISTS`]. Also returns how many
/// tickets Acme has (the demo data's too).
async fn lists(app: &TestApp) -> (usize, Vec<List>) {
    let (admin, tickets) = ten_thousand_tickets(app).await;
    let org_id = admin.org_id;
    app.add_member("new@acme.example", "Nia New", org_id, "member")
        .await;
    let mut lists = Vec::new();
    for (label, email, scope, search) in LISTS {
        let id = app.user_id(email).await;
        let user = CurrentUser {
            id,
            email: email.to_owned(),
            token: None,
        };
        let query = TicketListQuery {
            scope,
            q: search.map(str::to_owned),
            ..TicketListQuery::default()
        };
        let want = expected(&tickets, email, &query);
        lists.push(List {
            label,
            session: app.sign_in(email).await,
            member: Member::load(&app.state.store, user, org_id).await.unwrap(),
            deep: deep_cursor(&tickets, &want),
            query,
            want,
        });
    }
    (tickets.len(), lists)
}

/// Where the last full page of 25 starts, when there are at least two pages.
fn deep_cursor(tickets: &[Model], want: &[i64]) -> Option<(usize, String)> {
    (want.len() / 25).checked_sub(1).map(|pages| {
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
    })
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
async fn ten_thousand_tickets_are_listed_without_a_full_scan_of_tickets() {
    // SQLite's plans, whatever engine the suite runs on.
    let app = spawn_sqlite_app().await;
    for list in lists(&app).await.1 {
        let deep = TicketListQuery {
            after: list.deep.map(|(_, cursor)| cursor),
            ..list.query.clone()
        };
        let plans = ticket_list::explain(&app.state.store, &list.member, &deep)
            .await
            .unwrap();
        assert_no_full_scan(&format!("{}: page", list.label), &plans.page);
        assert_no_full_scan(&format!("{}: total", list.label), &plans.count);
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// The median time of 7 requests for `query` over HTTP, and how many tickets the page had.
async fn time_page(session: &Session, query: &TicketListQuery) -> (Duration, usize) {
    let mut samples = Vec::new();
    let mut count = 0;
    for _ in 0..7 {
        let start = Instant::now();
        let page = session.tickets(query).await;
        samples.push(start.elapsed());
        count = page.tickets.len();
    }
    (median(samples), count)
}

/// The median time of 11 loads of `query` straight from the database: page and total, no HTTP or
/// JSON.
async fn time_sql(app: &TestApp, member: &Member, query: &TicketListQuery) -> Duration {
    let mut samples = Vec::new();
    for _ in 0..11 {
        let start = Instant::now();
        ticket_list::load_page(&app.state.store, member, query)
            .await
            .unwrap();
        samples.push(start.elapsed());
    }
    median(samples)
}

fn ms(d: Option<Duration>) -> String {
    d.map_or("-".to_owned(), |d| {
        format!("{:.2}", d.as_secs_f64() * 1000.0)
    })
}

/// Timings: first page and a deep page (the last full page) of 25, with and without search, over HTTP
/// and directly. Figures to quote, not assertions: this machine is shared and the server is a debug
/// build (SQLite itself is optimised).
#[tokio::test]
async fn ten_thousand_tickets_deep_pages_are_where_their_cursors_say() {
    let app = spawn_app().await;
    let (tickets, lists) = lists(&app).await;
    println!(
        "\nList timings on {tickets} tickets of one organization, pages of 25, median of 11 (ms):"
    );
    println!(
        "  {:<28} {:>7} {:>10} {:>10} {:>10} {:>10}",
        "list", "matches", "HTTP first", "HTTP deep", "SQL first", "SQL deep"
    );
    for list in &lists {
        let (http_first, _) = time_page(&list.session, &list.query).await;
        let sql_first = time_sql(&app, &list.member, &list.query).await;
        let (mut http_deep, mut sql_deep) = (None, None);
        if let Some((index, cursor)) = &list.deep {
            let deep = TicketListQuery {
                after: Some(cursor.clone()),
                ..list.query.clone()
            };
            let (took, n) = time_page(&list.session, &deep).await;
            http_deep = Some(took);
            let deep_page = list.session.tickets(&deep).await;
            assert_eq!(
                deep_page.tickets.iter().map(|t| t.id).collect::<Vec<_>>(),
                list.want[index + 1..index + 1 + n],
                "the deep page is where the cursor says"
            );
            sql_deep = Some(time_sql(&app, &list.member, &deep).await);
        }
        println!(
            "  {:<28} {:>7} {:>10} {:>10} {:>10} {:>10}",
            list.label,
            list.want.len(),
            ms(Some(http_first)),
            ms(http_deep),
            ms(Some(sql_first)),
            ms(sql_deep),
        );
    }
}
