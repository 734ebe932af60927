//! Follow-up tickets: only of a closed ticket the user can read.

use api::{NewTicket, TicketStatus};
use reqwest::Response;
use support_server::cli::tickets::agent_set_status;
use support_server::rules::tickets::FOLLOW_UP_REFUSED;

use super::form;
use crate::helpers::{fields, invalid, spawn_app};

/// The usual form, following up ticket `id`.
fn following_up(id: i64) -> NewTicket {
    NewTicket {
        follow_up_of: Some(id),
        ..form(&[])
    }
}

/// Expects the follow-up to be refused on its own field.
async fn refused(response: Response) {
    let error = invalid(response).await;
    assert_eq!(fields(&error), ["follow_up_of"]);
    assert_eq!(error.fields[0].message, FOLLOW_UP_REFUSED);
}

#[tokio::test]
async fn a_follow_up_must_name_a_closed_ticket_the_user_can_read() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    app.add_member("qa@acme.example", "Quinn QA", dev.org_id, "member")
        .await;
    let qa = app.sign_in("qa@acme.example").await;
    let globex = app.sign_in("admin@globex.example").await;
    let first = dev.create_ticket(&form(&[])).await;
    refused(dev.post_ticket(&following_up(first.id)).await).await;

    agent_set_status(
        &app.state.store,
        first.id,
        "Support team",
        TicketStatus::Closed,
    )
    .await
    .unwrap();
    let follow_up = dev.create_ticket(&following_up(first.id)).await;
    assert_eq!(follow_up.follow_up_of, Some(first.id));
    assert_eq!(dev.ticket(follow_up.id).await.follow_up_of, Some(first.id));

    // Not one the user cannot read, not another organization's, not one that does not exist.
    refused(qa.post_ticket(&following_up(first.id)).await).await;
    let theirs = globex.create_ticket(&form(&[])).await;
    agent_set_status(
        &app.state.store,
        theirs.id,
        "Support team",
        TicketStatus::Closed,
    )
    .await
    .unwrap();
    refused(dev.post_ticket(&following_up(theirs.id)).await).await;
    refused(dev.post_ticket(&following_up(999_999)).await).await;
    // Reported with every other problem at once.
    let body = NewTicket {
        subject: String::new(),
        ..following_up(999_999)
    };
    let error = invalid(dev.post_ticket(&body).await).await;
    assert_eq!(fields(&error), ["subject", "follow_up_of"]);
}
