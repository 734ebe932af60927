//! Support tier upgrade requests: the wizard's options, creating, showing and cancelling a request, the
//! operator's activate/reject (library and CLI), the effective tier, and the emails in the outbox.

mod helpers;

use api::{
    CSRF_HEADER, CSRF_VALUE, ErrorCode, UpgradeOptions, UpgradeRequest, UpgradeStatus, YearMonth,
};
use helpers::{
    TestApp, expect_error, invalid, outbox, run_cli, signed_in, spawn_app, support_status, text,
};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use support_server::cli::upgrades::{self as admin, AdminError};
use support_server::rules::upgrades::{
    ADMINS_ONLY, ADMINS_ONLY_CANCEL, ALREADY_PENDING, FOREIGN_BILLING_GROUP, FREE_PLAN, NOT_PENDING,
};

/// The current UTC month, computed independently of the server.
fn this_month() -> YearMonth {
    let now = time::OffsetDateTime::now_utc();
    YearMonth::new(now.year(), u8::from(now.month())).unwrap()
}

fn months_ahead(n: usize) -> YearMonth {
    std::iter::successors(Some(this_month()), |m| Some(m.next()))
        .nth(n)
        .unwrap()
}

fn previous_month() -> YearMonth {
    let now = this_month();
    if now.month() == 1 {
        YearMonth::new(now.year() - 1, 12).unwrap()
    } else {
        YearMonth::new(now.year(), now.month() - 1).unwrap()
    }
}

async fn billing_group(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM billing_groups WHERE name = ?")
        .bind(name)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

async fn post_request(app: &TestApp, client: &Client, org_id: i64, body: Value) -> Response {
    client
        .post(app.api(&format!("/organizations/{org_id}/upgrade-requests")))
        .header(CSRF_HEADER, CSRF_VALUE)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Creates a request that must succeed and returns it.
async fn create(
    app: &TestApp,
    client: &Client,
    org_id: i64,
    tier: &str,
    start: YearMonth,
    group: &str,
) -> UpgradeRequest {
    let body = json!({
        "tier": tier,
        "start_month": start.to_string(),
        "billing_group_id": billing_group(app, group).await,
    });
    let response = post_request(app, client, org_id, body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn delete_request(app: &TestApp, client: &Client, org_id: i64, id: i64) -> Response {
    client
        .delete(app.api(&format!("/organizations/{org_id}/upgrade-requests/{id}")))
        .header(CSRF_HEADER, CSRF_VALUE)
        .send()
        .await
        .unwrap()
}

async fn current_request(app: &TestApp, client: &Client, org_id: i64) -> Option<UpgradeRequest> {
    let response = client
        .get(app.api(&format!("/organizations/{org_id}/upgrade-requests/current")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn stored_status(app: &TestApp, id: i64) -> (String, Option<String>, Option<String>) {
    sqlx::query_as("SELECT status, reason, decided_at FROM upgrade_requests WHERE id = ?")
        .bind(id)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

async fn request_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM upgrade_requests")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Options

#[tokio::test]
async fn options_list_the_billing_groups_the_spend_and_the_current_utc_month() {
    let app = spawn_app().await;
    // Any member may read them, not only admins.
    let (client, org_id) = signed_in(&app, "dev@acme.example").await;

    let response = client
        .get(app.api(&format!("/organizations/{org_id}/upgrade-options")))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let options: UpgradeOptions = response.json().await.unwrap();
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
async fn another_organizations_upgrade_endpoints_are_not_found() {
    let app = spawn_app().await;
    let globex_id = app.organization_of("admin@globex.example").await;
    let (acme, _) = signed_in(&app, "admin@acme.example").await;

    for path in ["upgrade-options", "upgrade-requests/current"] {
        let response = acme
            .get(app.api(&format!("/organizations/{globex_id}/{path}")))
            .send()
            .await
            .unwrap();
        expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    }
    let body = json!({
        "tier": "premium",
        "start_month": this_month().to_string(),
        "billing_group_id": billing_group(&app, "Globex Billing").await,
    });
    let response = post_request(&app, &acme, globex_id, body).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    assert_eq!(request_count(&app).await, 0);
}

#[tokio::test]
async fn upgrade_endpoints_need_a_session() {
    let app = spawn_app().await;
    let org_id = app.organization_of("admin@acme.example").await;
    let anonymous = app.client();

    let response = anonymous
        .get(app.api(&format!("/organizations/{org_id}/upgrade-options")))
        .send()
        .await
        .unwrap();
    expect_error(
        response,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
    )
    .await;
    let response = post_request(&app, &anonymous, org_id, json!({"tier": "essential"})).await;
    expect_error(
        response,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Creating

#[tokio::test]
async fn an_admin_requests_an_upgrade_and_the_support_page_shows_it() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;
    let start = months_ahead(1);
    assert!(support_status(&app, &client, org_id).await.can_upgrade);

    let request = create(&app, &client, org_id, "essential", start, "Acme R&D").await;

    assert_eq!(request.tier_key, "essential");
    assert_eq!(request.tier_name, "Essential");
    assert_eq!(request.start_month.to_string(), start.to_string());
    assert_eq!(request.billing_group, "Acme R&D");
    assert_eq!(request.requested_by, "admin@acme.example");
    assert_eq!(request.status, UpgradeStatus::Pending);
    assert_eq!(request.reason, None);
    let requested_at = time::OffsetDateTime::parse(
        &request.requested_at.to_string(),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("RFC 3339 time");
    assert!((time::OffsetDateTime::now_utc() - requested_at).whole_seconds() < 60);

    assert_eq!(
        current_request(&app, &client, org_id).await.as_ref(),
        Some(&request)
    );
    let status = support_status(&app, &client, org_id).await;
    assert_eq!(status.upgrade_request.as_ref(), Some(&request));
    assert!(!status.can_upgrade, "one pending request at a time");
    assert_eq!(
        status.current_tier.map(|t| t.key).as_deref(),
        Some("basic"),
        "a pending request changes nothing yet"
    );
    // Members see it too.
    let (member, _) = signed_in(&app, "dev@acme.example").await;
    assert_eq!(
        current_request(&app, &member, org_id).await,
        Some(request.clone())
    );
}

#[tokio::test]
async fn a_member_cannot_request_an_upgrade() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "dev@acme.example").await;
    let body = json!({
        "tier": "essential",
        "start_month": this_month().to_string(),
        "billing_group_id": billing_group(&app, "Acme Default").await,
    });

    let response = post_request(&app, &client, org_id, body).await;

    let error = expect_error(response, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
    assert_eq!(
        error.message,
        "Only organization admins can upgrade the support tier."
    );
    assert_eq!(error.message, ADMINS_ONLY);
    assert_eq!(request_count(&app).await, 0);
    assert!(outbox(&app).await.is_empty());
}

#[tokio::test]
async fn another_organizations_billing_group_is_refused() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;

    for group_id in [billing_group(&app, "Globex Billing").await, 999_999] {
        let body = json!({
            "tier": "essential",
            "start_month": this_month().to_string(),
            "billing_group_id": group_id,
        });
        let error = invalid(post_request(&app, &client, org_id, body).await).await;
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
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;
    let body = json!({
        "tier": "basic",
        "start_month": previous_month().to_string(),
        "billing_group_id": billing_group(&app, "Globex Billing").await,
    });

    let error = invalid(post_request(&app, &client, org_id, body).await).await;

    let fields: Vec<&str> = error.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["tier", "start_month", "billing_group_id"]);
}

#[tokio::test]
async fn a_missing_billing_group_is_reported_on_its_field() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;

    for body in [
        json!({"tier": "essential", "start_month": this_month().to_string()}),
        json!({"tier": "essential", "start_month": this_month().to_string(), "billing_group_id": null}),
    ] {
        let error = invalid(post_request(&app, &client, org_id, body).await).await;
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
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;
    let group = billing_group(&app, "Acme Default").await;
    let body = |month: String| json!({"tier": "essential", "start_month": month, "billing_group_id": group});

    let past =
        invalid(post_request(&app, &client, org_id, body(previous_month().to_string())).await)
            .await;
    let message = past.field("start_month").expect("start month field");
    assert!(message.contains("is in the past"), "{message}");

    let too_far =
        invalid(post_request(&app, &client, org_id, body(months_ahead(13).to_string())).await)
            .await;
    let message = too_far.field("start_month").expect("start month field");
    assert!(
        message.contains(&format!("no later than {}", months_ahead(12).label())),
        "{message}"
    );

    let garbage =
        invalid(post_request(&app, &client, org_id, body("next month".into())).await).await;
    assert!(garbage.field("start_month").is_some());
    assert_eq!(request_count(&app).await, 0);

    // Twelve months ahead is the last month allowed.
    let response = post_request(&app, &client, org_id, body(months_ahead(12).to_string())).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_tier_must_exist_and_be_above_the_current_one() {
    let app = spawn_app().await;
    let (acme, acme_id) = signed_in(&app, "admin@acme.example").await;
    let (globex, globex_id) = signed_in(&app, "admin@globex.example").await;
    let acme_group = billing_group(&app, "Acme Default").await;
    let globex_group = billing_group(&app, "Globex Billing").await;
    let body = |tier: &str, group: i64| json!({"tier": tier, "start_month": this_month().to_string(), "billing_group_id": group});

    // Acme is on Basic: Basic itself is not an upgrade.
    let same = invalid(post_request(&app, &acme, acme_id, body("basic", acme_group)).await).await;
    let message = same.field("tier").expect("tier field");
    assert!(message.contains("not above your current tier"), "{message}");
    // Globex is on Advanced: Essential would be a downgrade, Advanced is the same.
    for tier in ["essential", "advanced", "basic"] {
        let error =
            invalid(post_request(&app, &globex, globex_id, body(tier, globex_group)).await).await;
        let message = error.field("tier").expect("tier field");
        assert!(
            message.contains("contact your account team"),
            "{tier}: {message}"
        );
    }
    for tier in ["platinum", ""] {
        let error = invalid(post_request(&app, &acme, acme_id, body(tier, acme_group)).await).await;
        let message = error.field("tier").expect("tier field");
        assert!(message.starts_with("Choose tier:"), "{message}");
    }
    let unknown =
        invalid(post_request(&app, &acme, acme_id, body("platinum", acme_group)).await).await;
    assert!(unknown.field("tier").unwrap().contains("does not exist"));
    assert_eq!(request_count(&app).await, 0);

    // Premium is above Advanced.
    create(
        &app,
        &globex,
        globex_id,
        "premium",
        this_month(),
        "Globex Billing",
    )
    .await;
}

#[tokio::test]
async fn an_organization_on_free_services_has_no_tier_to_upgrade() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "owner@hobby.example").await;
    // Hobby Lab has no billing groups; borrow one so only the plan is wrong.
    let body = json!({
        "tier": "essential",
        "start_month": this_month().to_string(),
        "billing_group_id": billing_group(&app, "Acme Default").await,
    });

    let error = invalid(post_request(&app, &client, org_id, body).await).await;

    assert_eq!(error.fields.len(), 1);
    let message = error.field("tier").expect("tier field");
    assert_eq!(message, FREE_PLAN);
    assert!(message.contains("organizations on free services have no support tier to upgrade"));
    assert_eq!(request_count(&app).await, 0);
}

#[tokio::test]
async fn a_second_pending_request_is_a_conflict() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;
    let first = create(
        &app,
        &client,
        org_id,
        "essential",
        this_month(),
        "Acme Default",
    )
    .await;
    let emails = outbox(&app).await.len();

    let body = json!({
        "tier": "premium",
        "start_month": months_ahead(2).to_string(),
        "billing_group_id": billing_group(&app, "Acme R&D").await,
    });
    let response = post_request(&app, &client, org_id, body).await;

    let error = expect_error(response, StatusCode::CONFLICT, ErrorCode::Conflict).await;
    assert_eq!(
        error.message,
        "An upgrade request is already pending. Cancel it or wait until it is processed."
    );
    assert_eq!(error.message, ALREADY_PENDING);
    assert_eq!(request_count(&app).await, 1);
    assert_eq!(
        outbox(&app).await.len(),
        emails,
        "no email for a refused request"
    );
    assert_eq!(current_request(&app, &client, org_id).await, Some(first));
}

#[tokio::test]
async fn simultaneous_requests_yield_one_pending_request_and_conflicts() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;
    let group = billing_group(&app, "Acme Default").await;

    let url = app.api(&format!("/organizations/{org_id}/upgrade-requests"));
    let body = json!({
        "tier": "essential",
        "start_month": this_month().to_string(),
        "billing_group_id": group,
    });
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (client, url, body) = (client.clone(), url.clone(), body.clone());
            tokio::spawn(async move {
                let response = client
                    .post(url)
                    .header(CSRF_HEADER, CSRF_VALUE)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                response.status()
            })
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

// ---------------------------------------------------------------------------------------------
// Cancelling

#[tokio::test]
async fn an_admin_cancels_a_pending_request() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;
    let request = create(
        &app,
        &client,
        org_id,
        "essential",
        this_month(),
        "Acme Default",
    )
    .await;

    let response = delete_request(&app, &client, org_id, request.id).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _, decided_at) = stored_status(&app, request.id).await;
    assert_eq!(status, "cancelled");
    assert!(decided_at.is_some(), "decided_at is set");
    assert_eq!(current_request(&app, &client, org_id).await, None);
    let support = support_status(&app, &client, org_id).await;
    assert_eq!(support.upgrade_request, None);
    assert!(support.can_upgrade, "a new request may be made");

    let again = delete_request(&app, &client, org_id, request.id).await;
    let error = expect_error(again, StatusCode::CONFLICT, ErrorCode::Conflict).await;
    assert_eq!(error.message, NOT_PENDING);

    // The organization may ask again.
    create(
        &app,
        &client,
        org_id,
        "advanced",
        this_month(),
        "Acme Default",
    )
    .await;
}

#[tokio::test]
async fn a_member_cannot_cancel() {
    let app = spawn_app().await;
    let (admin, org_id) = signed_in(&app, "admin@acme.example").await;
    let request = create(
        &app,
        &admin,
        org_id,
        "essential",
        this_month(),
        "Acme Default",
    )
    .await;
    let (member, _) = signed_in(&app, "dev@acme.example").await;

    let response = delete_request(&app, &member, org_id, request.id).await;

    let error = expect_error(response, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
    assert_eq!(error.message, ADMINS_ONLY_CANCEL);
    assert_eq!(stored_status(&app, request.id).await.0, "pending");
}

#[tokio::test]
async fn another_organizations_request_cannot_be_cancelled() {
    let app = spawn_app().await;
    let (globex, globex_id) = signed_in(&app, "admin@globex.example").await;
    let request = create(
        &app,
        &globex,
        globex_id,
        "premium",
        this_month(),
        "Globex Billing",
    )
    .await;
    let (acme, acme_id) = signed_in(&app, "admin@acme.example").await;

    // Through Acme's own path, and through Globex's.
    for org_id in [acme_id, globex_id] {
        let response = delete_request(&app, &acme, org_id, request.id).await;
        expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    }
    let missing = delete_request(&app, &acme, acme_id, 999_999).await;
    expect_error(missing, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    assert_eq!(stored_status(&app, request.id).await.0, "pending");
}

#[tokio::test]
async fn a_decided_request_cannot_be_cancelled() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;
    let request = create(
        &app,
        &client,
        org_id,
        "essential",
        months_ahead(3),
        "Acme Default",
    )
    .await;
    admin::activate(&app.state.store, request.id).await.unwrap();

    let response = delete_request(&app, &client, org_id, request.id).await;

    expect_error(response, StatusCode::CONFLICT, ErrorCode::Conflict).await;
    assert_eq!(stored_status(&app, request.id).await.0, "active");
}

// ---------------------------------------------------------------------------------------------
// Activating and rejecting (the operator's library functions)

#[tokio::test]
async fn activating_a_request_for_this_month_changes_the_tier_now() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;
    let request = create(
        &app,
        &client,
        org_id,
        "essential",
        this_month(),
        "Acme Default",
    )
    .await;

    let record = admin::activate(&app.state.store, request.id).await.unwrap();

    assert_eq!(record.status, "active");
    let (status, _, decided_at) = stored_status(&app, request.id).await;
    assert_eq!(status, "active");
    assert!(decided_at.is_some());
    let support = support_status(&app, &client, org_id).await;
    assert_eq!(
        support.current_tier.map(|t| t.key).as_deref(),
        Some("essential")
    );
    let shown = support
        .upgrade_request
        .expect("the decided request is shown");
    assert_eq!(
        (shown.id, shown.status),
        (request.id, UpgradeStatus::Active)
    );
    assert!(support.can_upgrade, "Advanced and Premium are still higher");

    // The new tier is the floor for the next request.
    let body = json!({
        "tier": "essential",
        "start_month": this_month().to_string(),
        "billing_group_id": billing_group(&app, "Acme Default").await,
    });
    let error = invalid(post_request(&app, &client, org_id, body).await).await;
    assert!(
        error
            .field("tier")
            .unwrap()
            .contains("not above your current tier")
    );
}

#[tokio::test]
async fn activating_a_request_for_a_later_month_changes_nothing_yet() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;
    let start = months_ahead(2);
    let request = create(&app, &client, org_id, "advanced", start, "Acme R&D").await;

    admin::activate(&app.state.store, request.id).await.unwrap();

    let support = support_status(&app, &client, org_id).await;
    assert_eq!(
        support.current_tier.map(|t| t.key).as_deref(),
        Some("basic")
    );
    let shown = support.upgrade_request.expect("the coming tier is shown");
    assert_eq!(shown.status, UpgradeStatus::Active);
    assert_eq!(shown.start_month.to_string(), start.to_string());

    // Still shown long after the decision, as long as the start month is to come.
    sqlx::query("UPDATE upgrade_requests SET decided_at = '2000-01-01T00:00:00Z' WHERE id = ?")
        .bind(request.id)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let support = support_status(&app, &client, org_id).await;
    assert_eq!(support.upgrade_request.map(|r| r.id), Some(request.id));
}

#[tokio::test]
async fn the_highest_tier_that_has_started_is_in_effect() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;
    // Premium started last month; Essential, activated later, starts this month. Upgrades never
    // lower the tier, so Premium stays in effect.
    for (tier, start, decided_at) in [
        ("premium", previous_month(), "2026-01-01T00:00:00Z"),
        ("essential", this_month(), "2026-02-01T00:00:00Z"),
    ] {
        sqlx::query(
            "INSERT INTO upgrade_requests
                 (organization_id, tier, start_month, billing_group_id, requested_by, requested_at,
                  status, decided_at)
             VALUES (?1, ?2, ?3, (SELECT id FROM billing_groups WHERE organization_id = ?1 LIMIT 1),
                     (SELECT id FROM users WHERE email = 'admin@acme.example'), ?4, 'active', ?4)",
        )
        .bind(org_id)
        .bind(tier)
        .bind(start.to_string())
        .bind(decided_at)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    }

    let support = support_status(&app, &client, org_id).await;

    assert_eq!(
        support.current_tier.map(|t| t.key).as_deref(),
        Some("premium")
    );
    assert!(!support.can_upgrade, "nothing is above Premium");
}

#[tokio::test]
async fn rejecting_stores_the_reason_and_the_support_page_shows_it() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;
    let request = create(
        &app,
        &client,
        org_id,
        "premium",
        months_ahead(1),
        "Acme Default",
    )
    .await;

    let record = admin::reject(
        &app.state.store,
        request.id,
        "  Premium needs a signed contract first.  ",
    )
    .await
    .unwrap();

    assert_eq!(record.status, "rejected");
    let (status, reason, decided_at) = stored_status(&app, request.id).await;
    assert_eq!(status, "rejected");
    assert_eq!(
        reason.as_deref(),
        Some("Premium needs a signed contract first.")
    );
    assert!(decided_at.is_some());
    let support = support_status(&app, &client, org_id).await;
    let shown = support.upgrade_request.expect("the rejection is shown");
    assert_eq!(shown.status, UpgradeStatus::Rejected);
    assert_eq!(
        shown.reason.as_deref(),
        Some("Premium needs a signed contract first.")
    );
    assert_eq!(
        support.current_tier.map(|t| t.key).as_deref(),
        Some("basic")
    );
    assert!(support.can_upgrade, "a new request may be made");
}

#[tokio::test]
async fn operators_can_only_decide_pending_requests_and_must_give_a_reason() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;
    let request = create(
        &app,
        &client,
        org_id,
        "essential",
        this_month(),
        "Acme Default",
    )
    .await;
    let db = &app.state.store;

    assert!(matches!(
        admin::reject(db, request.id, " \n").await,
        Err(AdminError::MissingReason)
    ));
    assert_eq!(stored_status(&app, request.id).await.0, "pending");
    assert!(matches!(
        admin::activate(db, 999_999).await,
        Err(AdminError::NotFound(999_999))
    ));

    admin::activate(db, request.id).await.unwrap();
    let emails = outbox(&app).await.len();
    match admin::activate(db, request.id).await {
        Err(AdminError::NotPending { id, status }) => {
            assert_eq!((id, status.as_str()), (request.id, "active"));
        }
        other => panic!("activated twice: {other:?}"),
    }
    assert!(matches!(
        admin::reject(db, request.id, "Too late").await,
        Err(AdminError::NotPending { .. })
    ));
    assert_eq!(stored_status(&app, request.id).await.0, "active");
    assert_eq!(
        outbox(&app).await.len(),
        emails,
        "no email for a refused action"
    );
}

#[tokio::test]
async fn operators_list_requests_by_status() {
    let app = spawn_app().await;
    let (acme, acme_id) = signed_in(&app, "admin@acme.example").await;
    let (globex, globex_id) = signed_in(&app, "admin@globex.example").await;
    let acme_request = create(&app, &acme, acme_id, "essential", this_month(), "Acme R&D").await;
    let globex_request = create(
        &app,
        &globex,
        globex_id,
        "premium",
        this_month(),
        "Globex Billing",
    )
    .await;
    admin::activate(&app.state.store, globex_request.id)
        .await
        .unwrap();

    let all = admin::list(&app.state.store, None).await.unwrap();
    let pending = admin::list(
        &app.state.store,
        Some(support_server::config::RequestStatus::Pending),
    )
    .await
    .unwrap();

    let ids: Vec<i64> = all.iter().map(|r| r.id).collect();
    assert_eq!(ids, [globex_request.id, acme_request.id], "newest first");
    assert_eq!(pending.len(), 1);
    let line = admin::Line(&pending[0]).to_string();
    let expected = format!(
        "{}\tAcme Analytics\tEssential\t{}\tAcme R&D\tadmin@acme.example\tpending",
        acme_request.id,
        this_month()
    );
    assert_eq!(line, expected);
}

// ---------------------------------------------------------------------------------------------
// Emails

#[tokio::test]
async fn creating_activating_and_rejecting_write_emails_to_the_admin() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;
    let start = months_ahead(1);

    let first = create(&app, &client, org_id, "essential", start, "Acme R&D").await;
    let emails = outbox(&app).await;
    // Acme has no account team: only the admin is written to.
    assert_eq!(emails.len(), 1, "{emails:?}");
    let (recipient, subject, body) = &emails[0];
    assert_eq!(recipient, "admin@acme.example");
    assert!(subject.contains("requested"), "{subject}");
    for part in [
        "Acme Analytics",
        "Essential",
        start.label().as_str(),
        "Acme R&D",
    ] {
        assert!(body.contains(part), "request email lacks {part}: {body}");
    }

    admin::activate(&app.state.store, first.id).await.unwrap();
    let emails = outbox(&app).await;
    assert_eq!(emails.len(), 2);
    let (recipient, subject, body) = &emails[1];
    assert_eq!(recipient, "admin@acme.example");
    assert!(subject.contains("active"), "{subject}");
    assert!(body.contains(&start.label()), "{body}");

    let second = create(
        &app,
        &client,
        org_id,
        "premium",
        months_ahead(2),
        "Acme Default",
    )
    .await;
    admin::reject(&app.state.store, second.id, "Budget not approved.")
        .await
        .unwrap();
    let emails = outbox(&app).await;
    assert_eq!(emails.len(), 4);
    let (recipient, subject, body) = &emails[3];
    assert_eq!(recipient, "admin@acme.example");
    assert!(subject.contains("rejected"), "{subject}");
    assert!(body.contains("Reason: Budget not approved."), "{body}");
    assert!(
        body.contains("Premium") && body.contains("Acme Default"),
        "{body}"
    );

    let unsent: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts = 0")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(unsent, 4, "waiting for delivery");
}

#[tokio::test]
async fn the_account_team_gets_every_email_too() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@globex.example").await;

    let first = create(
        &app,
        &client,
        org_id,
        "premium",
        this_month(),
        "Globex Billing",
    )
    .await;
    admin::activate(&app.state.store, first.id).await.unwrap();
    // A second request cannot go higher than Premium; make one by hand to reject.
    sqlx::query("UPDATE organizations SET support_tier = 'basic' WHERE id = ?")
        .bind(org_id)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE upgrade_requests SET status = 'cancelled' WHERE id = ?")
        .bind(first.id)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let second = create(
        &app,
        &client,
        org_id,
        "essential",
        this_month(),
        "Globex Billing",
    )
    .await;
    admin::reject(&app.state.store, second.id, "Not needed.")
        .await
        .unwrap();

    let emails = outbox(&app).await;
    let summary: Vec<(&str, bool, bool, bool)> = emails
        .iter()
        .map(|(to, subject, _)| {
            (
                to.as_str(),
                subject.contains("requested"),
                subject.contains("active"),
                subject.contains("rejected"),
            )
        })
        .collect();
    let admin = "admin@globex.example";
    let team = "globex-team@accounts.example";
    assert_eq!(
        summary,
        [
            (admin, true, false, false),
            (team, true, false, false),
            (admin, false, true, false),
            (team, false, true, false),
            (admin, true, false, false),
            (team, true, false, false),
            (admin, false, false, true),
            (team, false, false, true),
        ]
    );
    assert!(emails.iter().all(|(_, _, body)| body.contains("Globex")));
}

// ---------------------------------------------------------------------------------------------
// The operator CLI, as the real binary

#[tokio::test]
async fn the_cli_lists_activates_and_rejects() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;
    let request = create(
        &app,
        &client,
        org_id,
        "essential",
        this_month(),
        "Acme Default",
    )
    .await;
    let database = app.state.config.database_path();
    let database = database.to_str().unwrap();
    let id = request.id.to_string();

    let listed = run_cli(&[
        "--database",
        database,
        "upgrades",
        "list",
        "--status",
        "pending",
    ]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let stdout = text(&listed.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with(&format!(
            "{id}\tAcme Analytics\tEssential\t{}",
            this_month()
        )),
        "{stdout}"
    );

    let activated = run_cli(&["--database", database, "upgrades", "activate", &id]);
    assert!(activated.status.success(), "{}", text(&activated.stderr));
    assert!(
        text(&activated.stdout).contains("is active"),
        "{}",
        text(&activated.stdout)
    );
    let support = support_status(&app, &client, org_id).await;
    assert_eq!(
        support.current_tier.map(|t| t.key).as_deref(),
        Some("essential")
    );

    // Deciding again fails with a sentence and a non-zero exit; flags may follow the subcommand.
    let again = run_cli(&[
        "upgrades",
        "reject",
        &id,
        "--reason",
        "Too late",
        "--database",
        database,
    ]);
    assert!(!again.status.success());
    let stderr = text(&again.stderr);
    assert!(stderr.contains("not pending"), "{stderr}");
    assert!(!stderr.contains("backtrace"), "{stderr}");

    let unknown = run_cli(&["--database", database, "upgrades", "activate", "999999"]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown.stderr).contains("upgrade request 999999 does not exist"),
        "{}",
        text(&unknown.stderr)
    );
}

#[tokio::test]
async fn the_cli_refuses_a_missing_database_and_an_empty_reason() {
    let app = spawn_app().await;
    let (client, org_id) = signed_in(&app, "admin@acme.example").await;
    let request = create(
        &app,
        &client,
        org_id,
        "essential",
        this_month(),
        "Acme Default",
    )
    .await;
    let database = app.state.config.database_path();
    let database = database.to_str().unwrap();
    let id = request.id.to_string();

    let missing = app.dir.path().join("nope.db");
    let output = run_cli(&["--database", missing.to_str().unwrap(), "upgrades", "list"]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("does not exist"));
    assert!(!missing.exists(), "no empty database is created");

    let output = run_cli(&[
        "--database",
        database,
        "upgrades",
        "reject",
        &id,
        "--reason",
        " ",
    ]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("reason is required"));
    let output = run_cli(&["--database", database, "upgrades", "reject", &id]);
    assert!(!output.status.success(), "--reason is required");
    assert_eq!(stored_status(&app, request.id).await.0, "pending");

    // The data directory works as well as the database path.
    let data_dir = app.dir.path().to_str().unwrap();
    let output = run_cli(&[
        "upgrades",
        "reject",
        &id,
        "--data-dir",
        data_dir,
        "--reason",
        "No.",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(stored_status(&app, request.id).await.0, "rejected");
}
