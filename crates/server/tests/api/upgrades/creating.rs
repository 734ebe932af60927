//! Creating a request: what the Support page shows afterwards, and every rule that refuses one.

use api::{ErrorCode, UpgradeStatus};
use reqwest::StatusCode;
use serde_json::json;
use support_server::rules::upgrades::{
    ADMINS_ONLY, ALREADY_PENDING, FOREIGN_BILLING_GROUP, FREE_PLAN,
};

use super::{
    billing_group, input, months_ahead, pending_request, previous_month, request_count, this_month,
    upgrade_to,
};
use crate::helpers::{expect_error, invalid, spawn_app};

#[tokio::test]
async fn an_admin_requests_an_upgrade_and_the_support_page_shows_it() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;
    let start = months_ahead(1);
    assert!(admin.support_status().await.can_upgrade);

    let request = admin
        .request_upgrade(&upgrade_to(&app, "essential", start, "Acme R&D").await)
        .await;

    assert_eq!(request.tier_key, "essential");
    assert_eq!(request.tier_name, "Essential");
    assert_eq!(request.start_month, start);
    assert_eq!(request.billing_group, "Acme R&D");
    assert_eq!(request.requested_by, "admin@acme.example");
    assert_eq!(request.status, UpgradeStatus::Pending);
    assert_eq!(request.reason, None);
    let requested_at =
        time::OffsetDateTime::from_unix_timestamp(request.requested_at.unix_seconds())
            .expect("a time");
    assert!((time::OffsetDateTime::now_utc() - requested_at).whole_seconds() < 60);

    assert_eq!(
        admin.current_upgrade_request().await.as_ref(),
        Some(&request)
    );
    let status = admin.support_status().await;
    assert_eq!(status.upgrade_request.as_ref(), Some(&request));
    assert!(!status.can_upgrade, "one pending request at a time");
    assert_eq!(
        status.current_tier.map(|t| t.key).as_deref(),
        Some("basic"),
        "a pending request changes nothing yet"
    );
    // Members see it too.
    let member = app.sign_in("dev@acme.example").await;
    assert_eq!(
        member.current_upgrade_request().await,
        Some(request.clone())
    );
}

#[tokio::test]
async fn a_member_cannot_request_an_upgrade() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let body = upgrade_to(&app, "essential", this_month(), "Acme Default").await;

    let response = dev.post_upgrade_request(&body).await;

    let error = expect_error(response, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
    assert_eq!(
        error.message,
        "Only organization admins can upgrade the support tier."
    );
    assert_eq!(error.message, ADMINS_ONLY);
    assert_eq!(request_count(&app).await, 0);
    assert!(app.outbox().await.is_empty());
}

#[tokio::test]
async fn another_organizations_billing_group_is_refused() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;

    for group_id in [billing_group(&app, "Globex Billing").await, 999_999] {
        let body = input("essential", &this_month().to_string(), group_id);
        let error = invalid(admin.post_upgrade_request(&body).await).await;
        assert_eq!(error.fields.len(), 1, "{:?}", error.fields);
        assert_eq!(
            error.field("billing_group_id"),
            Some("Billing group: choose one of your organization's billing groups.")
        );
        assert_eq!(error.field("billing_group_id"), Some(FOREIGN_BILLING_GROUP));
    }
    assert_eq!(request_count(&app).await, 0);
}

#[tokio::test]
async fn every_invalid_field_is_reported_at_once() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;
    let body = upgrade_to(&app, "basic", previous_month(), "Globex Billing").await;

    let error = invalid(admin.post_upgrade_request(&body).await).await;

    let fields: Vec<&str> = error.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["tier", "start_month", "billing_group_id"]);
}

#[tokio::test]
async fn a_missing_billing_group_is_reported_on_its_field() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;

    // Left out, and sent as null: the shapes the typed input cannot tell apart.
    for body in [
        json!({"tier": "essential", "start_month": this_month().to_string()}),
        json!({"tier": "essential", "start_month": this_month().to_string(), "billing_group_id": null}),
    ] {
        let error = invalid(admin.post_upgrade_request(&body).await).await;
        assert_eq!(error.fields.len(), 1, "{:?}", error.fields);
        let message = error
            .field("billing_group_id")
            .expect("billing group field");
        assert!(message.starts_with("Billing group:"), "{message}");
    }
    assert_eq!(request_count(&app).await, 0);
}

#[tokio::test]
async fn the_start_month_must_be_this_month_or_one_of_the_next_twelve() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;
    let group = billing_group(&app, "Acme Default").await;
    let starting = |month: &str| input("essential", month, group);

    let past = starting(&previous_month().to_string());
    let past = invalid(admin.post_upgrade_request(&past).await).await;
    let message = past.field("start_month").expect("start month field");
    assert!(message.contains("is in the past"), "{message}");

    let too_far = starting(&months_ahead(13).to_string());
    let too_far = invalid(admin.post_upgrade_request(&too_far).await).await;
    let message = too_far.field("start_month").expect("start month field");
    assert!(
        message.contains(&format!("no later than {}", months_ahead(12).label())),
        "{message}"
    );

    let garbage = invalid(admin.post_upgrade_request(&starting("next month")).await).await;
    assert!(garbage.field("start_month").is_some());
    assert_eq!(request_count(&app).await, 0);

    // Twelve months ahead is the last month allowed.
    let last = starting(&months_ahead(12).to_string());
    let response = admin.post_upgrade_request(&last).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_tier_must_exist_and_be_above_the_current_one() {
    let app = spawn_app().await;
    let acme = app.sign_in("admin@acme.example").await;
    let globex = app.sign_in("admin@globex.example").await;
    let acme_group = billing_group(&app, "Acme Default").await;
    let globex_group = billing_group(&app, "Globex Billing").await;
    let body = |tier: &str, group: i64| input(tier, &this_month().to_string(), group);

    // Acme is on Basic: Basic itself is not an upgrade.
    let same = invalid(acme.post_upgrade_request(&body("basic", acme_group)).await).await;
    let message = same.field("tier").expect("tier field");
    assert!(message.contains("not above your current tier"), "{message}");
    // Acme has no account team: the sales team is who to ask.
    assert!(
        message.ends_with("To downgrade, contact the sales team."),
        "{message}"
    );
    // Globex is on Advanced: Essential would be a downgrade, Advanced is the same.
    for tier in ["essential", "advanced", "basic"] {
        let error = invalid(globex.post_upgrade_request(&body(tier, globex_group)).await).await;
        let message = error.field("tier").expect("tier field");
        assert!(
            message.contains("contact your account team"),
            "{tier}: {message}"
        );
    }
    for tier in ["platinum", ""] {
        let error = invalid(acme.post_upgrade_request(&body(tier, acme_group)).await).await;
        let message = error.field("tier").expect("tier field");
        assert!(message.starts_with("Choose tier:"), "{message}");
    }
    let unknown = invalid(
        acme.post_upgrade_request(&body("platinum", acme_group))
            .await,
    )
    .await;
    assert!(unknown.field("tier").unwrap().contains("does not exist"));
    assert_eq!(request_count(&app).await, 0);

    // Premium is above Advanced.
    globex.request_upgrade(&body("premium", globex_group)).await;
}

#[tokio::test]
async fn an_organization_on_free_services_has_no_tier_to_upgrade() {
    let app = spawn_app().await;
    let hobby = app.sign_in("owner@hobby.example").await;
    // Hobby Lab has no billing groups; borrow one so only the plan is wrong.
    let body = upgrade_to(&app, "essential", this_month(), "Acme Default").await;

    let error = invalid(hobby.post_upgrade_request(&body).await).await;

    assert_eq!(error.fields.len(), 1);
    let message = error.field("tier").expect("tier field");
    assert_eq!(message, FREE_PLAN);
    assert!(message.contains("organizations on free services have no support tier to upgrade"));
    assert_eq!(request_count(&app).await, 0);
}

#[tokio::test]
async fn a_second_pending_request_is_a_conflict() {
    let app = spawn_app().await;
    let (admin, first) = pending_request(&app).await;
    let emails = app.outbox().await.len();

    let body = upgrade_to(&app, "premium", months_ahead(2), "Acme R&D").await;
    let response = admin.post_upgrade_request(&body).await;

    let error = expect_error(response, StatusCode::CONFLICT, ErrorCode::Conflict).await;
    assert_eq!(
        error.message,
        "An upgrade request is already pending. Cancel it or wait until it is processed."
    );
    assert_eq!(error.message, ALREADY_PENDING);
    assert_eq!(request_count(&app).await, 1);
    assert_eq!(
        app.outbox().await.len(),
        emails,
        "no email for a refused request"
    );
    assert_eq!(admin.current_upgrade_request().await, Some(first));
}

#[tokio::test]
async fn simultaneous_requests_yield_one_pending_request_and_conflicts() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;
    let body = upgrade_to(&app, "essential", this_month(), "Acme Default").await;

    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (admin, body) = (admin.clone(), body.clone());
            tokio::spawn(async move { admin.post_upgrade_request(&body).await.status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }

    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, conflicts), (1, 7), "{statuses:?}");
    assert_eq!(request_count(&app).await, 1);
}
