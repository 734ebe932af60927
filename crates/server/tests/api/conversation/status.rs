//! The customer's status changes (mark solved, reopen), the support team's question answered by a
//! reply, and closed tickets.

use api::{ActivityKind, AuthorKind, ErrorCode, TicketPermissions, TicketStatus};
use reqwest::{Response, StatusCode};
use support_server::cli::tickets::{agent_reply, agent_set_status};
use support_server::rules::conversation::CLOSED_NO_COMMENTS;

use super::{ccing, form, saying, stored_status};
use crate::helpers::{expect_error, spawn_app};

/// The message of a 409 `conflict`.
async fn conflict(response: Response) -> String {
    expect_error(response, StatusCode::CONFLICT, ErrorCode::Conflict)
        .await
        .message
}

#[tokio::test]
async fn customers_solve_and_reopen_their_tickets_and_nothing_else() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let id = dev.create_ticket(&form(&[])).await.id;

    let solved = dev.change_status(id, TicketStatus::Solved).await;
    assert_eq!(solved.status, TicketStatus::Solved);
    let last = solved.activity.last().unwrap();
    assert_eq!(
        (last.kind, last.status, last.author_name.as_str()),
        (
            ActivityKind::StatusChanged,
            Some(TicketStatus::Solved),
            "Dana Developer"
        )
    );
    assert_eq!(
        conflict(dev.post_status(id, "solved").await).await,
        "This ticket is already solved."
    );
    let reopened = dev.change_status(id, TicketStatus::Open).await;
    assert_eq!(reopened.status, TicketStatus::Open);
    assert_eq!(
        conflict(dev.post_status(id, "open").await).await,
        "Only a solved ticket can be reopened."
    );
    assert!(
        conflict(dev.post_status(id, "awaiting_customer").await)
            .await
            .contains("solved or reopen")
    );
    assert!(
        conflict(dev.post_status(id, "closed").await)
            .await
            .contains("solved or reopen")
    );
    let response = dev.post_status(id, "bogus").await;
    assert!(response.status().is_client_error());
}

#[tokio::test]
async fn a_comment_not_a_new_cc_answers_the_support_teams_question() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let id = dev.create_ticket(&form(&[])).await.id;

    // The support team asks; adding people to CC is no answer, a comment is.
    agent_reply(
        &app.state.store,
        id,
        "Sam from Support",
        "Which region?",
        Some(TicketStatus::AwaitingCustomer),
    )
    .await
    .unwrap();
    dev.comment(id, &ccing(&["ops@acme.example"])).await;
    assert_eq!(stored_status(&app, id).await, "awaiting_customer");
    let answered = dev.comment(id, &saying("eu-west-1")).await;
    assert_eq!(answered.status, TicketStatus::Open);
    let tail: Vec<(ActivityKind, Option<TicketStatus>, AuthorKind)> = answered
        .activity
        .iter()
        .rev()
        .take(2)
        .rev()
        .map(|a| (a.kind, a.status, a.author_kind))
        .collect();
    assert_eq!(
        tail,
        [
            (ActivityKind::Comment, None, AuthorKind::Customer),
            (
                ActivityKind::StatusChanged,
                Some(TicketStatus::Open),
                AuthorKind::Customer
            )
        ]
    );
}

#[tokio::test]
async fn a_closed_ticket_takes_no_comments_and_leads_to_a_follow_up() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let id = dev.create_ticket(&form(&[])).await.id;

    // Closed: no comments, no reopening, the way out is a follow-up ticket.
    agent_set_status(
        &app.state.store,
        id,
        "Sam from Support",
        TicketStatus::Closed,
    )
    .await
    .unwrap();
    let closed = dev.ticket(id).await;
    assert_eq!(
        closed.permissions,
        TicketPermissions {
            can_comment: false,
            can_change_status: false,
            can_remove_cc: true
        }
    );
    let message = conflict(dev.post_comment(id, &saying("Hello?")).await).await;
    assert_eq!(message, CLOSED_NO_COMMENTS);
    assert!(message.contains("follow-up"));
    assert!(
        conflict(dev.post_status(id, "open").await)
            .await
            .contains("follow-up")
    );
    assert!(
        conflict(dev.post_status(id, "solved").await)
            .await
            .contains("follow-up")
    );
    assert_eq!(stored_status(&app, id).await, "closed");
}
