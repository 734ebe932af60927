//! The Support page's data: support status per organization, projects, products, and tenant isolation.

use api::{
    ErrorCode, PlanKind, PriceRule, ResponseTime, SupportStatus, SupportTier, UpgradeStatus,
};
use reqwest::StatusCode;
use support_server::AppState;

use crate::helpers::{TestApp, expect_error, spawn_app, spawn_app_with, test_config, test_db};

/// Signs in as `email` and loads the support status of the organization they act for.
async fn support_status_of(app: &TestApp, email: &str) -> SupportStatus {
    app.sign_in(email).await.support_status().await
}

fn keys(tiers: &[SupportTier]) -> Vec<&str> {
    tiers.iter().map(|t| t.key.as_str()).collect()
}

#[tokio::test]
async fn acme_admin_sees_basic_and_may_upgrade() {
    let app = spawn_app().await;

    let status = support_status_of(&app, "admin@acme.example").await;

    assert_eq!(status.organization, "Acme Analytics");
    assert_eq!(status.brand, "Aiven");
    assert_eq!(status.plan, PlanKind::Paid);
    let current = status
        .current_tier
        .as_ref()
        .expect("paid plans have a tier");
    assert_eq!(current.key, "basic");
    assert_eq!(current.name, "Basic");
    assert_eq!(
        current.response_times.critical,
        ResponseTime::BusinessDays(1)
    );
    assert_eq!(current.price, PriceRule::Included);
    assert_eq!(
        keys(&status.tiers),
        ["basic", "essential", "advanced", "premium"]
    );
    let ranks: Vec<u32> = status.tiers.iter().map(|t| t.rank).collect();
    assert_eq!(ranks, [0, 1, 2, 3]);
    assert!(status.can_upgrade);
    assert_eq!(status.upgrade_request, None);
    assert_eq!(status.admins, ["admin@acme.example"]);
    assert_eq!(status.account_team_email, None, "Basic has no account team");
    assert_eq!(status.links.sla, "https://aiven.io/sla");
    assert_eq!(status.links.forum, "https://aiven.io/community/forum");
    assert_eq!(
        status.links.support_services,
        "https://aiven.io/support-services"
    );
    assert_eq!(status.links.sales_email, "sales@aiven.io");
}

#[tokio::test]
async fn acme_member_may_not_upgrade_and_is_told_whom_to_ask() {
    let app = spawn_app().await;

    let status = support_status_of(&app, "dev@acme.example").await;

    assert_eq!(status.organization, "Acme Analytics");
    assert_eq!(status.current_tier.map(|t| t.key).as_deref(), Some("basic"));
    assert!(!status.can_upgrade);
    assert_eq!(status.admins, ["admin@acme.example"]);
}

#[tokio::test]
async fn globex_has_advanced_with_an_account_team() {
    let app = spawn_app().await;

    let status = support_status_of(&app, "admin@globex.example").await;

    assert_eq!(status.organization, "Globex");
    assert_eq!(status.plan, PlanKind::Paid);
    let current = status.current_tier.expect("paid plans have a tier");
    assert_eq!(current.name, "Advanced");
    assert_eq!(current.response_times.critical, ResponseTime::Minutes(30));
    assert_eq!(current.response_times.high, ResponseTime::Minutes(60));
    assert_eq!(current.phone, "Critical only");
    assert_eq!(
        current.price,
        PriceRule::PercentOfSpend {
            basis_points: 700,
            minimum_usd: 2500
        }
    );
    assert!(status.can_upgrade, "Premium is higher");
    assert_eq!(status.admins, ["admin@globex.example"]);
    assert_eq!(
        status.account_team_email.as_deref(),
        Some("globex-team@accounts.example")
    );
}

#[tokio::test]
async fn hobby_lab_on_free_services_has_no_tier() {
    let app = spawn_app().await;

    let status = support_status_of(&app, "owner@hobby.example").await;

    assert_eq!(status.organization, "Hobby Lab");
    assert_eq!(status.plan, PlanKind::Free);
    assert_eq!(status.current_tier, None);
    assert!(!status.can_upgrade, "free plans are sent to the forum");
    assert_eq!(status.account_team_email, None);
    assert_eq!(status.admins, ["owner@hobby.example"]);
    assert_eq!(status.tiers.len(), 4, "the catalogue is still shown");
}

#[tokio::test]
async fn a_pending_upgrade_request_is_shown_and_blocks_another() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;
    sqlx::query(
        "INSERT INTO upgrade_requests
             (organization_id, tier, start_month, billing_group_id, requested_by, requested_at, status)
         VALUES ($1, 'advanced', '2099-01',
                 (SELECT id FROM billing_groups WHERE organization_id = $1 AND name = 'Acme R&D'),
                 (SELECT id FROM users WHERE email = 'admin@acme.example'),
                 '2026-01-15T10:00:00Z', 'pending')",
    )
    .bind(admin.org_id)
    .execute(app.db())
    .await
    .unwrap();

    let status = admin.support_status().await;

    assert!(!status.can_upgrade, "one pending request at a time");
    let request = status.upgrade_request.expect("the pending request");
    assert_eq!(request.status, UpgradeStatus::Pending);
    assert_eq!(request.tier_key, "advanced");
    assert_eq!(request.tier_name, "Advanced");
    assert_eq!(request.start_month, "2099-01");
    assert_eq!(request.billing_group, "Acme R&D");
    assert_eq!(request.requested_by, "admin@acme.example");
    assert_eq!(request.requested_at, "2026-01-15T10:00:00Z");
    assert_eq!(request.reason, None);
    assert_eq!(
        status.current_tier.map(|t| t.key).as_deref(),
        Some("basic"),
        "nothing changes until the request is active"
    );
}

#[tokio::test]
async fn links_and_brand_come_from_configuration() {
    let app = spawn_app_with(|config| {
        config.brand = "Acme Cloud".into();
        config.sla_url = "https://cloud.example/sla".into();
        config.sales_email = "sales@cloud.example".into();
    })
    .await;

    let status = support_status_of(&app, "admin@acme.example").await;

    assert_eq!(status.brand, "Acme Cloud");
    assert_eq!(status.links.sla, "https://cloud.example/sla");
    assert_eq!(status.links.sales_email, "sales@cloud.example");
}

#[tokio::test]
async fn the_tier_catalogue_is_served_in_rank_order() {
    let app = spawn_app().await;

    let tiers = app.sign_in("dev@acme.example").await.tiers().await;

    assert_eq!(keys(&tiers), ["basic", "essential", "advanced", "premium"]);
    let essential = &tiers[1];
    assert_eq!(
        essential.price,
        PriceRule::PercentOfSpend {
            basis_points: 450,
            minimum_usd: 500
        }
    );
    assert_eq!(essential.response_times.critical, ResponseTime::Minutes(60));
    assert_eq!(tiers[3].response_times.critical, ResponseTime::Minutes(15));
}

#[tokio::test]
async fn another_organization_is_not_found() {
    let app = spawn_app().await;
    let globex_id = app.organization_of("admin@globex.example").await;
    let acme = app.sign_in("admin@acme.example").await;
    assert_ne!(acme.me().await.organization.id, globex_id);
    let (foreign, missing) = (acme.at(globex_id), acme.at(999_999));

    for (resource, foreign, missing) in [
        (
            "support",
            foreign.get_support_status().await,
            missing.get_support_status().await,
        ),
        (
            "projects",
            foreign.get_projects().await,
            missing.get_projects().await,
        ),
    ] {
        let foreign = expect_error(foreign, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
        let missing = expect_error(missing, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
        assert_eq!(foreign, missing, "{resource}: existence is not revealed");
    }
}

#[tokio::test]
async fn a_member_cannot_reach_other_organizations_either() {
    let app = spawn_app().await;
    let acme_id = app.organization_of("admin@acme.example").await;
    let hobby_in_acme = app.sign_in("owner@hobby.example").await.at(acme_id);

    for response in [
        hobby_in_acme.get_support_status().await,
        hobby_in_acme.get_projects().await,
    ] {
        expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    }
}

#[tokio::test]
async fn a_non_numeric_organization_id_is_not_found() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;

    for path in [
        "/organizations/acme/support",
        "/organizations/1.5/projects",
        "/organizations/99999999999999999999/support",
    ] {
        expect_error(
            admin.get(path).await,
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
        )
        .await;
    }
}

#[tokio::test]
async fn acme_sees_its_projects_with_units_and_services() {
    let app = spawn_app().await;

    let projects = app.sign_in("dev@acme.example").await.projects().await;

    let summary: Vec<(&str, Option<&str>, Vec<&str>)> = projects
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.unit.as_deref(),
                p.services.iter().map(|s| s.name.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("acme-prod", None, vec!["kafka-events", "pg-main"]),
            ("acme-staging", Some("Acme EU"), vec!["pg-staging"]),
        ]
    );
    let mut service_ids: Vec<i64> = projects
        .iter()
        .flat_map(|p| p.services.iter().map(|s| s.id))
        .collect();
    service_ids.sort_unstable();
    service_ids.dedup();
    assert_eq!(service_ids.len(), 3, "every service has its own id");
}

#[tokio::test]
async fn products_each_have_a_handful_of_reasons() {
    let app = spawn_app().await;

    let products = app.sign_in("owner@hobby.example").await.products().await;

    assert!(products.len() >= 7, "{} products", products.len());
    assert_eq!(products[0].key, "postgresql");
    assert_eq!(products[0].name, "PostgreSQL");
    assert_eq!(products[0].reasons[0].label, "Cannot connect");
    for product in &products {
        assert!(
            (3..=6).contains(&product.reasons.len()),
            "{} has {} reasons",
            product.key,
            product.reasons.len()
        );
        let mut reason_keys: Vec<&str> = product.reasons.iter().map(|r| r.key.as_str()).collect();
        reason_keys.sort_unstable();
        reason_keys.dedup();
        assert_eq!(reason_keys.len(), product.reasons.len(), "{}", product.key);
    }
    let mut product_keys: Vec<&str> = products.iter().map(|p| p.key.as_str()).collect();
    product_keys.sort_unstable();
    product_keys.dedup();
    assert_eq!(product_keys.len(), products.len(), "unique product keys");
}

#[tokio::test]
async fn demo_data_is_loaded_only_once() {
    let dir = tempfile::tempdir().unwrap();

    let first = AppState::new(test_config(dir.path())).await.unwrap();
    first.store.close().await;
    let second = AppState::new(test_config(dir.path())).await.unwrap();

    let db = test_db(&second.config).await;
    let organizations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(organizations, 3);
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(users, 4);
}
