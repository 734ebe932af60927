//! Removing an address from the CC list, and admins following every ticket of the organization.

use api::{ActivityKind, ErrorCode, Following, TicketListQuery, TicketScope};
use reqwest::StatusCode;

use super::{ccing, form};
use crate::helpers::{expect_error, spawn_app};

#[tokio::test]
async fn removing_a_cc_is_recorded_and_unknown_addresses_are_not_found() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let ticket = dev
        .create_ticket(&form(&["a+tag@partner.example", "b@partner.example"]))
        .await;
    let response = dev.delete_cc(ticket.id, "nobody@partner.example").await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    let response = dev.delete_cc(ticket.id, " A+Tag@Partner.example").await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let t = dev.ticket(ticket.id).await;
    assert_eq!(t.cc, ["b@partner.example"]);
    let last = t.activity.last().unwrap();
    assert_eq!(
        (last.kind, last.emails.as_slice()),
        (
            ActivityKind::CcRemoved,
            &["a+tag@partner.example".to_owned()][..]
        )
    );
    // Again: gone already.
    let response = dev.delete_cc(ticket.id, "a+tag@partner.example").await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    // Added again later, it goes to the end of the list.
    let t = dev
        .comment(ticket.id, &ccing(&["a+tag@partner.example"]))
        .await;
    assert_eq!(t.cc, ["b@partner.example", "a+tag@partner.example"]);
    let response = dev
        .without_csrf()
        .delete_cc_path(ticket.id, "b@partner.example")
        .await;
    expect_error(response, StatusCode::FORBIDDEN, ErrorCode::CsrfCheckFailed).await;
}

#[tokio::test]
async fn only_admins_follow_every_ticket() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let admin = app.sign_in("admin@acme.example").await;
    let globex_in_acme = app.sign_in("admin@globex.example").await.at(dev.org_id);
    let error = expect_error(
        dev.put_following(true).await,
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    )
    .await;
    assert_eq!(
        error.message,
        support_server::rules::conversation::FOLLOWING_ADMINS
    );
    expect_error(
        globex_in_acme.put_following(true).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    for following in [true, true, false, false, true] {
        let response = admin.put_following(following).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.json::<Following>().await.unwrap(),
            Following { following }
        );
    }
    let response = admin.without_csrf().put_following(false).await;
    expect_error(response, StatusCode::FORBIDDEN, ErrorCode::CsrfCheckFailed).await;
    let organization = TicketListQuery {
        scope: TicketScope::Organization,
        ..TicketListQuery::default()
    };
    assert!(admin.tickets(&organization).await.following);
}
