//! What the wizard offers, and who may reach the upgrade endpoints at all.

use api::ErrorCode;
use reqwest::StatusCode;
use serde_json::json;

use super::{billing_group, input, request_count, this_month};
use crate::helpers::{expect_error, spawn_app};

#[tokio::test]
async fn options_list_the_billing_groups_the_spend_and_the_current_utc_month() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;

    let options = admin.upgrade_options().await;

    assert_eq!(options.current_month, this_month());
    assert_eq!(options.monthly_spend_usd_cents, 840_000);
    let groups: Vec<(&str, &str)> = options
        .billing_groups
        .iter()
        .map(|g| (g.name.as_str(), g.payment_method.as_str()))
        .collect();
    assert_eq!(
        groups,
        [
            ("Acme Default", "Visa ending 4242"),
            ("Acme R&D", "Invoice (bank transfer)")
        ]
    );
    assert_eq!(
        options.billing_groups[1].id,
        billing_group(&app, "Acme R&D").await
    );
}

#[tokio::test]
async fn a_member_sees_no_billing_details() {
    let app = spawn_app().await;
    // Only admins upgrade, so only they see the payment methods and the spend the wizard shows.
    let dev = app.sign_in("dev@acme.example").await;

    let response = dev.get_upgrade_options().await;

    let body = expect_error(response, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
    assert_eq!(
        body.message,
        "Only organization admins can see the billing groups and spend an upgrade is based on."
    );
    assert!(
        !body.message.contains("Visa"),
        "no billing detail in the refusal"
    );
}

#[tokio::test]
async fn another_organizations_upgrade_endpoints_are_not_found() {
    let app = spawn_app().await;
    let globex_id = app.organization_of("admin@globex.example").await;
    let acme_in_globex = app.sign_in("admin@acme.example").await.at(globex_id);

    for response in [
        acme_in_globex.get_upgrade_options().await,
        acme_in_globex.get_current_upgrade_request().await,
    ] {
        expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    }
    let body = input(
        "premium",
        &this_month().to_string(),
        billing_group(&app, "Globex Billing").await,
    );
    let response = acme_in_globex.post_upgrade_request(&body).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    assert_eq!(request_count(&app).await, 0);
}

#[tokio::test]
async fn upgrade_endpoints_need_a_session() {
    let app = spawn_app().await;
    let org_id = app.organization_of("admin@acme.example").await;
    let anonymous = app.anonymous().at(org_id);

    expect_error(
        anonymous.get_upgrade_options().await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
    )
    .await;
    let response = anonymous
        .post_upgrade_request(&json!({"tier": "essential"}))
        .await;
    expect_error(
        response,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
    )
    .await;
}
