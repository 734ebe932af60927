//! Search in an organization whose words many other organizations' tickets share (issue 14): the list
//! shows the organization's own matches, page and total, and the search index itself answers with
//! those only (migration 0013), on both engines.

use api::{TicketList, TicketListQuery};

use super::low_ticket;
use crate::helpers::{Session, TestApp, spawn_app};

/// The word every ticket of these tests shares (no demo ticket has it).
const WORD: &str = "Quasarflux";

/// Inserts `count` tickets with [`WORD`] into `org_id`, submitted by `submitter_id`, updated an hour
/// apart from `first_hour` (hours after 2026-01-01), behind the server's back in one statement. Their
/// searchable text is what the server writes for a new ticket.
async fn insert(app: &TestApp, org_id: i64, submitter_id: i64, count: usize, first_hour: usize) {
    let pg = app.on_postgres();
    let columns = 13 + usize::from(pg);
    let mut sql = format!(
        "INSERT INTO tickets (organization_id, submitter_id, subject, severity, status, product_key,
            reason_key, description, first_response_target_unit, first_response_target_value,
            first_response_due_at, created_at, updated_at{}) VALUES ",
        if pg { ", search_text" } else { "" }
    );
    let rows: Vec<String> = (0..count)
        .map(|row| {
            let numbers: Vec<String> = (1..=columns)
                .map(|column| format!("${}", row * columns + column))
                .collect();
            format!("({})", numbers.join(", "))
        })
        .collect();
    sql.push_str(&rows.join(", "));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for i in 0..count {
        let hour = first_hour + i;
        let at = format!("2026-01-{:02}T{:02}:00:00Z", 1 + hour / 24, hour % 24);
        let subject = format!("{WORD} drift #{i}");
        let description = "The replica falls behind.".to_owned();
        query = query
            .bind(org_id)
            .bind(submitter_id)
            .bind(subject.clone())
            .bind("low")
            .bind("open")
            .bind("postgresql")
            .bind("performance")
            .bind(description.clone())
            .bind("business_days")
            .bind(1_i64)
            .bind(at.clone())
            .bind(at.clone())
            .bind(at);
        if pg {
            query = query.bind(support_server::store::ticket_list::search_text(&[
                &subject,
                &description,
                "",
            ]));
        }
    }
    query.execute(app.db()).await.unwrap();
}

fn search(text: &str, after: Option<String>) -> TicketListQuery {
    TicketListQuery {
        scope: api::TicketScope::Organization,
        q: Some(text.to_owned()),
        after,
        ..TicketListQuery::default()
    }
}

/// Every page of the organization list of `session` searched for `text`: the ids in list order, and
/// each page's total.
async fn walk(session: &Session, text: &str) -> (Vec<i64>, Vec<u64>) {
    let mut ids = Vec::new();
    let mut totals = Vec::new();
    let mut after = None;
    loop {
        let page: TicketList = session.tickets(&search(text, after)).await;
        ids.extend(page.tickets.iter().map(|t| t.id));
        totals.push(page.total);
        match page.next {
            Some(next) => after = Some(next),
            None => return (ids, totals),
        }
    }
}

/// Acme's tickets with [`WORD`], newest update first (ties by id, as the list orders them).
async fn acme_ids_newest_first(app: &TestApp, org_id: i64) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT id FROM tickets WHERE organization_id = $1 AND subject LIKE 'Quasarflux%'
         ORDER BY updated_at DESC, id DESC",
    )
    .bind(org_id)
    .fetch_all(app.db())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_search_lists_its_organizations_page_and_total_whatever_other_organizations_hold() {
    let app = spawn_app().await;
    let acme = app.sign_in("admin@acme.example").await;
    let globex = app.sign_in("admin@globex.example").await;
    // Through the API too, so the index is kept by the server's own write path.
    let by_api = acme
        .create_ticket(&low_ticket(&format!("{WORD} drift on pg-main"), "Lag."))
        .await;
    globex
        .create_ticket(&low_ticket(&format!("{WORD} drift on pg-orders"), "Lag."))
        .await;
    // Acme's 29 are older than Globex's 300, so a list that took the newest matches first and
    // filtered afterwards would find none of Acme's in its first pages.
    let acme_admin = app.user_id("admin@acme.example").await;
    let globex_admin = app.user_id("admin@globex.example").await;
    insert(&app, acme.org_id, acme_admin, 29, 0).await;
    insert(&app, globex.org_id, globex_admin, 300, 100).await;

    let want = acme_ids_newest_first(&app, acme.org_id).await;
    assert_eq!(want.len(), 30);
    assert!(want.contains(&by_api.id));
    for text in ["quasar", "QUASARFLUX drift", "quas dri"] {
        let (ids, totals) = walk(&acme, text).await;
        assert_eq!(ids, want, "{text:?}: Acme's matches, every page in order");
        assert_eq!(
            totals,
            [30, 30],
            "{text:?}: two pages of 25, Acme's total on each"
        );
    }
    let (ids, totals) = walk(&globex, "quasar").await;
    assert_eq!(ids.len(), 301);
    assert!(ids.iter().all(|id| !want.contains(id)));
    assert_eq!(totals.first(), Some(&301));
}

#[tokio::test]
async fn the_search_index_itself_answers_with_one_organizations_matches() {
    let app = spawn_app().await;
    let acme = app.organization_of("admin@acme.example").await;
    let globex = app.organization_of("admin@globex.example").await;
    insert(&app, acme, app.user_id("admin@acme.example").await, 7, 0).await;
    insert(
        &app,
        globex,
        app.user_id("admin@globex.example").await,
        120,
        10,
    )
    .await;
    let store = &app.state.store;

    // The index part of the list's statement alone, without the list's organization filter: only
    // the organization's matches, not the 127 of both.
    for text in ["quasar", "quasarflux drift", "quasarflux dr"] {
        assert_eq!(
            store.search_index_matches(acme, text).await.unwrap(),
            Some(7),
            "{text:?} in Acme"
        );
        assert_eq!(
            store.search_index_matches(globex, text).await.unwrap(),
            Some(120),
            "{text:?} in Globex"
        );
    }
    // The organization's part of the index is not reachable by typing: not another organization's
    // prefixed word (PostgreSQL's `o<id>x`) nor the organization column (SQLite's).
    for typed in [
        format!("o{acme}xquasarflux"),
        format!("o{acme}x"),
        format!("organization_id:{acme}"),
    ] {
        assert_eq!(
            store.search_index_matches(globex, &typed).await.unwrap(),
            Some(0),
            "{typed:?} typed in Globex"
        );
    }
}
