//! The list's scope and parameters: the organization scope is for admins, bad parameters and cursors
//! are refused, the page size is capped, and a page past the end points back.

use api::{ErrorCode, TicketListQuery, TicketScope, TicketSort};
use reqwest::StatusCode;
use support_server::rules::ticket_list::Cursor;

use super::low_ticket;
use crate::helpers::{expect_error, spawn_app};

fn organization() -> TicketListQuery {
    TicketListQuery {
        scope: TicketScope::Organization,
        ..TicketListQuery::default()
    }
}

fn limit(limit: u32) -> TicketListQuery {
    TicketListQuery {
        limit: Some(limit),
        ..TicketListQuery::default()
    }
}

#[tokio::test]
async fn the_organization_scope_is_for_admins_and_says_whether_they_follow() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let admin = app.sign_in("admin@acme.example").await;
    let response = dev.get_tickets(&organization()).await;
    let error = expect_error(response, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
    assert!(error.message.contains("admins"));

    let all = admin.tickets(&organization()).await;
    let mine = admin.tickets(&TicketListQuery::default()).await;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE organization_id = $1")
        .bind(admin.org_id)
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(all.total, total as u64);
    assert!(
        mine.total < all.total,
        "the admin's own list is only theirs and their CCs"
    );
    assert!(!all.following);

    admin.follow(true).await;
    assert!(admin.tickets(&organization()).await.following);

    let globex_id = app.organization_of("admin@globex.example").await;
    let response = admin.at(globex_id).get_tickets(&organization()).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn bad_parameters_and_cursors_are_400_and_the_limit_is_capped() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    for _ in 0..3 {
        dev.create_ticket(&low_ticket("Filler", "Filler ticket."))
            .await;
    }
    let page = dev.tickets(&limit(2)).await;
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
        let response = dev.get_tickets_with(&bad).await;
        expect_error(
            response,
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedRequest,
        )
        .await;
    }
    let total = dev.tickets(&TicketListQuery::default()).await.total as usize;
    let huge = dev.tickets(&limit(100_000)).await;
    assert_eq!(huge.tickets.len(), total.min(100));
    let zero = dev.tickets(&limit(0)).await;
    assert_eq!(zero.tickets.len(), 1, "at least one per page");
    // An empty search is no search (sent as it is: the SPA would leave it out).
    assert_eq!(dev.tickets_with(&[("q", "")]).await.total as usize, total);
}

#[tokio::test]
async fn a_page_past_the_end_is_empty_and_points_back() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let page = dev.tickets(&TicketListQuery::default()).await;
    let last = page.tickets.last().unwrap();
    let cursor = Cursor {
        sort: TicketSort::Updated,
        at: last.updated_at,
        id: last.id,
    }
    .encode()
    .unwrap();
    let after = dev
        .tickets(&TicketListQuery {
            after: Some(cursor),
            ..TicketListQuery::default()
        })
        .await;
    assert!(after.tickets.is_empty());
    assert_eq!(after.next, None);
    let back = dev
        .tickets(&TicketListQuery {
            before: Some(after.prev.clone().unwrap()),
            ..TicketListQuery::default()
        })
        .await;
    assert_eq!(
        back.tickets, page.tickets,
        "a short page back at the top is the first page"
    );
    assert_eq!(back.prev, None);
}
