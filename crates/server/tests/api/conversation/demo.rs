//! The demo data's tickets: every state, replies from both sides, and no email sent for any of them.

use api::{TicketListQuery, TicketStatus, Timestamp};

use super::{SAMS_REPLY_AND_STATUS, authors};
use crate::helpers::{on_postgres, spawn_app};

#[tokio::test]
async fn the_demo_sent_no_email_and_its_sqlite_has_full_text_search() {
    let app = spawn_app().await;

    assert!(app.emails_since(0).await.is_empty());
    if on_postgres() {
        let index: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'tickets_search'
               AND indexdef LIKE '%USING gin (search)%'",
        )
        .fetch_one(app.db())
        .await
        .unwrap();
        assert_eq!(index, 1, "PostgreSQL's search has its GIN index");
    } else {
        let fts5: i64 = sqlx::query_scalar("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
            .fetch_one(app.db())
            .await
            .unwrap();
        assert_eq!(fts5, 1, "the bundled SQLite has FTS5");
    }
}

#[tokio::test]
async fn the_demo_has_tickets_in_every_state_with_replies() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;

    let list = dev.tickets(&TicketListQuery::default()).await;

    let lines: Vec<(&str, TicketStatus, Option<&str>, bool)> = list
        .tickets
        .iter()
        .map(|t| {
            (
                t.subject.as_str(),
                t.status,
                t.last_replied_by.as_deref(),
                t.last_reply_from_agent,
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (
                "Kafka consumer lag keeps growing on kafka-events",
                TicketStatus::Open,
                None,
                false
            ),
            (
                "Slow queries on pg-staging after the weekend maintenance",
                TicketStatus::AwaitingCustomer,
                Some("Sam from Support"),
                true
            ),
            (
                "Invoice for October lists pg-staging twice",
                TicketStatus::Closed,
                Some("Sam from Support"),
                true
            ),
            (
                "Restore pg-main to the state before a failed migration",
                TicketStatus::Solved,
                Some("Dana Developer"),
                false
            ),
        ]
    );
    assert_eq!(list.total, 4);
    let now = Timestamp::from_unix_seconds(time::OffsetDateTime::now_utc().unix_timestamp());
    for t in &list.tickets {
        assert!(t.created_at <= t.updated_at);
        assert!(t.updated_at < now);
    }
}

#[tokio::test]
async fn the_demo_ccs_the_admin_on_the_ticket_awaiting_an_answer() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;

    // The conversation reads oldest first.
    let list = admin.tickets(&TicketListQuery::default()).await;
    assert_eq!(list.tickets.len(), 1);
    let slow = admin.ticket(list.tickets[0].id).await;
    assert_eq!(slow.cc, ["admin@acme.example"]);
    assert_eq!(authors(slow.activity.as_slice()), SAMS_REPLY_AND_STATUS);
    assert!(slow.activity[0].body.contains("EXPLAIN (ANALYZE, BUFFERS)"));
    assert_eq!(slow.first_response_at, Some(slow.activity[0].created_at));
}

#[tokio::test]
async fn the_demo_gives_globex_an_open_ticket_its_admin_replied_to() {
    let app = spawn_app().await;
    let globex = app.sign_in("admin@globex.example").await;

    let list = globex.tickets(&TicketListQuery::default()).await;

    assert_eq!(list.tickets.len(), 1);
    assert_eq!(list.tickets[0].status, TicketStatus::Open);
    assert_eq!(
        list.tickets[0].last_replied_by.as_deref(),
        Some("Gabriel Globex")
    );
}
