//! Cancelling a pending request: only an admin of its organization, only while it is pending.

use api::ErrorCode;
use reqwest::StatusCode;
use support_server::cli::upgrades as operator;
use support_server::rules::upgrades::{ADMINS_ONLY_CANCEL, NOT_PENDING};

use super::{months_ahead, pending_request, stored_status, this_month, upgrade_to};
use crate::helpers::{expect_error, spawn_app};

#[tokio::test]
async fn an_admin_cancels_a_pending_request() {
    let app = spawn_app().await;
    let (admin, request) = pending_request(&app).await;

    let response = admin.delete_upgrade_request(request.id).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _, decided_at) = stored_status(&app, request.id).await;
    assert_eq!(status, "cancelled");
    assert!(decided_at.is_some(), "decided_at is set");
    assert_eq!(admin.current_upgrade_request().await, None);
    let support = admin.support_status().await;
    assert_eq!(support.upgrade_request, None);
    assert!(support.can_upgrade, "a new request may be made");

    let again = admin.delete_upgrade_request(request.id).await;
    let error = expect_error(again, StatusCode::CONFLICT, ErrorCode::Conflict).await;
    assert_eq!(error.message, NOT_PENDING);

    // The organization may ask again.
    admin
        .request_upgrade(&upgrade_to(&app, "advanced", this_month(), "Acme Default").await)
        .await;
}

#[tokio::test]
async fn a_member_cannot_cancel() {
    let app = spawn_app().await;
    let (_, request) = pending_request(&app).await;
    let member = app.sign_in("dev@acme.example").await;

    let response = member.delete_upgrade_request(request.id).await;

    let error = expect_error(response, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
    assert_eq!(error.message, ADMINS_ONLY_CANCEL);
    assert_eq!(stored_status(&app, request.id).await.0, "pending");
}

#[tokio::test]
async fn another_organizations_request_cannot_be_cancelled() {
    let app = spawn_app().await;
    let globex = app.sign_in("admin@globex.example").await;
    let request = globex
        .request_upgrade(&upgrade_to(&app, "premium", this_month(), "Globex Billing").await)
        .await;
    let acme = app.sign_in("admin@acme.example").await;

    // Through Acme's own path, and through Globex's.
    for path in [acme.clone(), acme.at(globex.org_id)] {
        let response = path.delete_upgrade_request(request.id).await;
        expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    }
    let missing = acme.delete_upgrade_request(999_999).await;
    expect_error(missing, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    assert_eq!(stored_status(&app, request.id).await.0, "pending");
}

#[tokio::test]
async fn a_decided_request_cannot_be_cancelled() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;
    let request = admin
        .request_upgrade(&upgrade_to(&app, "essential", months_ahead(3), "Acme Default").await)
        .await;
    operator::activate(&app.state.store, request.id)
        .await
        .unwrap();

    let response = admin.delete_upgrade_request(request.id).await;

    expect_error(response, StatusCode::CONFLICT, ErrorCode::Conflict).await;
    assert_eq!(stored_status(&app, request.id).await.0, "active");
}
