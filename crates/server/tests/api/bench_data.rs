//! `support-server bench-data`, the load benchmark's generated data: it fills only an empty database,
//! and what it writes behaves like tickets created through the API (the lists page and search them,
//! their pages open with CCs and comments, the users sign in).

use api::{ActivityKind, TicketList};
use support_server::cli::bench_data::{Spec, generate, user_email};

use crate::helpers::{run_cli, spawn_app, spawn_app_with, text};

const SPEC: Spec = Spec {
    organizations: 3,
    tickets: 90,
    users_per_organization: 3,
    seed: 7,
};

/// Every ticket of the admin's organization, following `next` from the first page.
async fn all_pages(session: &crate::helpers::Session, extra: &[(&str, &str)]) -> (u64, Vec<i64>) {
    let mut params = vec![("scope", "organization"), ("limit", "7")];
    params.extend_from_slice(extra);
    let mut page: TicketList = session.tickets_with(&params).await;
    let total = page.total;
    let mut ids: Vec<i64> = page.tickets.iter().map(|t| t.id).collect();
    while let Some(next) = page.next.clone() {
        let mut with_cursor = params.clone();
        with_cursor.push(("after", next.as_str()));
        page = session.tickets_with(&with_cursor).await;
        ids.extend(page.tickets.iter().map(|t| t.id));
    }
    (total, ids)
}

#[tokio::test]
async fn generated_tickets_list_page_search_and_open_like_real_ones() {
    let app = spawn_app_with(|config| config.demo = false).await;
    let summary = generate(&app.state.store, &app.state.calendar, &SPEC)
        .await
        .expect("generated");
    assert_eq!(
        (summary.organizations, summary.users, summary.tickets),
        (3, 9, 90)
    );
    assert!(summary.ccs > 0 && summary.comments > 0, "{summary:?}");

    let admin = app.sign_in(&user_email(2, 0)).await;
    let (total, ids) = all_pages(&admin, &[]).await;
    assert_eq!(total, 30, "90 tickets spread over 3 organizations");
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 30, "the keyset pages cover every ticket once");

    // The search index holds the generated descriptions: a word finds exactly the tickets whose
    // description or subject contains it.
    let mut containing = Vec::new();
    let mut ccs = 0;
    let mut comments = 0;
    for &id in &ids {
        let ticket = admin.ticket(id).await;
        let text = format!("{} {}", ticket.subject, ticket.description).to_lowercase();
        if text.contains("replication") {
            containing.push(id);
        }
        ccs += ticket.cc.len();
        comments += ticket
            .activity
            .iter()
            .filter(|a| a.kind == ActivityKind::Comment)
            .count();
    }
    assert!(!containing.is_empty(), "seed 7 writes the word somewhere");
    let (found, mut found_ids) = all_pages(&admin, &[("q", "replication")]).await;
    found_ids.sort_unstable();
    containing.sort_unstable();
    assert_eq!(found, containing.len() as u64);
    assert_eq!(found_ids, containing);
    assert!(
        ccs > 0 && comments > 0,
        "organization 2 has CCs ({ccs}) and comments ({comments})"
    );

    // A member signs in with the demo password too, and sees no other organization's tickets.
    let member = app.sign_in(&user_email(3, 2)).await;
    assert_ne!(member.org_id, admin.org_id);
    let response = member.get_ticket(ids[0]).await;
    assert_eq!(response.status(), reqwest::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_database_with_organizations_is_refused() {
    let app = spawn_app().await;
    let error = generate(&app.state.store, &app.state.calendar, &SPEC)
        .await
        .expect_err("the demo data is there");
    assert!(
        error.to_string().contains("already has organizations"),
        "{error}"
    );
    assert!(
        app.state
            .store
            .ticket_organization(support_server::demo::TICKET_COUNT + 1)
            .await
            .expect("query")
            .is_none(),
        "nothing was added"
    );
}

#[test]
fn the_command_fills_a_fresh_database_once() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().to_str().expect("UTF-8 path");
    let args = [
        "--data-dir",
        data,
        "bench-data",
        "--organizations",
        "2",
        "--tickets",
        "10",
        "--users-per-organization",
        "2",
    ];
    let first = run_cli(&args);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let out = text(&first.stdout);
    assert!(
        out.starts_with("Generated 2 organizations, 4 users, 10 tickets with "),
        "{out}"
    );
    assert!(out.contains("admin@org001.bench.example"), "{out}");

    let again = run_cli(&args);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("already has organizations"),
        "{}",
        text(&again.stderr)
    );

    let zero = run_cli(&["--data-dir", data, "bench-data", "--organizations", "0"]);
    assert!(!zero.status.success());
    assert!(text(&zero.stderr).contains("--organizations"));
}
