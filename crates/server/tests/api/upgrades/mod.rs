//! Support tier upgrade requests: the wizard's options, creating, showing and cancelling a request, the
//! operator's activate/reject (library and CLI), the effective tier, and the emails in the outbox.

mod cancelling;
mod cli;
mod creating;
mod deciding;
mod emails;
mod options;

use api::{UpgradeRequest, UpgradeRequestInput, YearMonth};

use crate::helpers::{Session, TestApp};

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
    sqlx::query_scalar("SELECT id FROM billing_groups WHERE name = $1")
        .bind(name)
        .fetch_one(app.db())
        .await
        .unwrap()
}

/// The wizard's answers: `tier`, from `start_month` (as typed), billed to the group `group_id`.
fn input(tier: &str, start_month: &str, group_id: i64) -> UpgradeRequestInput {
    UpgradeRequestInput {
        tier: tier.to_owned(),
        start_month: start_month.to_owned(),
        billing_group_id: Some(group_id),
    }
}

/// The wizard's answers for a request that names the billing group `group` by its name.
async fn upgrade_to(
    app: &TestApp,
    tier: &str,
    start: YearMonth,
    group: &str,
) -> UpgradeRequestInput {
    input(tier, &start.to_string(), billing_group(app, group).await)
}

/// Acme's admin, signed in, with a pending request for Essential from this month billed to Acme
/// Default.
async fn pending_request(app: &TestApp) -> (Session, UpgradeRequest) {
    let admin = app.sign_in("admin@acme.example").await;
    let input = upgrade_to(app, "essential", this_month(), "Acme Default").await;
    let request = admin.request_upgrade(&input).await;
    (admin, request)
}

/// `(status, reason, decided_at)` of a request as stored.
async fn stored_status(app: &TestApp, id: i64) -> (String, Option<String>, Option<String>) {
    sqlx::query_as("SELECT status, reason, decided_at FROM upgrade_requests WHERE id = $1")
        .bind(id)
        .fetch_one(app.db())
        .await
        .unwrap()
}

async fn request_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM upgrade_requests")
        .fetch_one(app.db())
        .await
        .unwrap()
}
