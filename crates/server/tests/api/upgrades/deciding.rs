//! The operator's decisions through the library: activating (now or from a later month), rejecting with
//! a reason, listing, and the tier in effect afterwards.

use api::UpgradeStatus;
use support_server::cli::upgrades::{self as operator, AdminError};

use super::{
    billing_group, input, months_ahead, pending_request, previous_month, stored_status, this_month,
    upgrade_to,
};
use crate::helpers::{invalid, spawn_app};

#[tokio::test]
async fn activating_a_request_for_this_month_changes_the_tier_now() {
    let app = spawn_app().await;
    let (admin, request) = pending_request(&app).await;

    let record = operator::activate(&app.state.store, request.id)
        .await
        .unwrap();

    assert_eq!(record.status, "active");
    let (status, _, decided_at) = stored_status(&app, request.id).await;
    assert_eq!(status, "active");
    assert!(decided_at.is_some());
    let support = admin.support_status().await;
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
    let body = input(
        "essential",
        &this_month().to_string(),
        billing_group(&app, "Acme Default").await,
    );
    let error = invalid(admin.post_upgrade_request(&body).await).await;
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
    let admin = app.sign_in("admin@acme.example").await;
    let start = months_ahead(2);
    let request = admin
        .request_upgrade(&upgrade_to(&app, "advanced", start, "Acme R&D").await)
        .await;

    operator::activate(&app.state.store, request.id)
        .await
        .unwrap();

    let support = admin.support_status().await;
    assert_eq!(
        support.current_tier.map(|t| t.key).as_deref(),
        Some("basic")
    );
    let shown = support.upgrade_request.expect("the coming tier is shown");
    assert_eq!(shown.status, UpgradeStatus::Active);
    assert_eq!(shown.start_month, start);

    // Still shown long after the decision, as long as the start month is to come.
    sqlx::query("UPDATE upgrade_requests SET decided_at = '2000-01-01T00:00:00Z' WHERE id = $1")
        .bind(request.id)
        .execute(app.db())
        .await
        .unwrap();
    let support = admin.support_status().await;
    assert_eq!(support.upgrade_request.map(|r| r.id), Some(request.id));
}

#[tokio::test]
async fn the_highest_tier_that_has_started_is_in_effect() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;
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
             VALUES ($1, $2, $3, (SELECT id FROM billing_groups WHERE organization_id = $1 LIMIT 1),
                     (SELECT id FROM users WHERE email = 'admin@acme.example'), $4, 'active', $4)",
        )
        .bind(admin.org_id)
        .bind(tier)
        .bind(start.to_string())
        .bind(decided_at)
        .execute(app.db())
        .await
        .unwrap();
    }

    let support = admin.support_status().await;

    assert_eq!(
        support.current_tier.map(|t| t.key).as_deref(),
        Some("premium")
    );
    assert!(!support.can_upgrade, "nothing is above Premium");
}

#[tokio::test]
async fn rejecting_stores_the_reason_and_the_support_page_shows_it() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;
    let request = admin
        .request_upgrade(&upgrade_to(&app, "premium", months_ahead(1), "Acme Default").await)
        .await;

    let record = operator::reject(
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
    let support = admin.support_status().await;
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
    let (_, request) = pending_request(&app).await;
    let db = &app.state.store;

    assert!(matches!(
        operator::reject(db, request.id, " \n").await,
        Err(AdminError::MissingReason)
    ));
    assert_eq!(stored_status(&app, request.id).await.0, "pending");
    assert!(matches!(
        operator::activate(db, 999_999).await,
        Err(AdminError::NotFound(999_999))
    ));

    operator::activate(db, request.id).await.unwrap();
    let emails = app.outbox().await.len();
    match operator::activate(db, request.id).await {
        Err(AdminError::NotPending { id, status }) => {
            assert_eq!((id, status.as_str()), (request.id, "active"));
        }
        other => panic!("activated twice: {other:?}"),
    }
    assert!(matches!(
        operator::reject(db, request.id, "Too late").await,
        Err(AdminError::NotPending { .. })
    ));
    assert_eq!(stored_status(&app, request.id).await.0, "active");
    assert_eq!(
        app.outbox().await.len(),
        emails,
        "no email for a refused action"
    );
}

#[tokio::test]
async fn operators_list_requests_by_status() {
    let app = spawn_app().await;
    let acme = app.sign_in("admin@acme.example").await;
    let globex = app.sign_in("admin@globex.example").await;
    let acme_request = acme
        .request_upgrade(&upgrade_to(&app, "essential", this_month(), "Acme R&D").await)
        .await;
    let globex_request = globex
        .request_upgrade(&upgrade_to(&app, "premium", this_month(), "Globex Billing").await)
        .await;
    operator::activate(&app.state.store, globex_request.id)
        .await
        .unwrap();

    let all = operator::list(&app.state.store, None).await.unwrap();
    let pending = operator::list(
        &app.state.store,
        Some(support_server::config::RequestStatus::Pending),
    )
    .await
    .unwrap();

    let ids: Vec<i64> = all.iter().map(|r| r.id).collect();
    assert_eq!(ids, [globex_request.id, acme_request.id], "newest first");
    assert_eq!(pending.len(), 1);
    let line = operator::Line(&pending[0]).to_string();
    let expected = format!(
        "{}\tAcme Analytics\tEssential\t{}\tAcme R&D\tadmin@acme.example\tpending",
        acme_request.id,
        this_month()
    );
    assert_eq!(line, expected);
}
