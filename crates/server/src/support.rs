//! The support tier catalogue and an organization's support status.

use api::{
    Links, PlanKind, PriceRule, ResponseTime, SupportStatus, SupportTier, UpgradeRequest,
    UpgradeStatus, YearMonth,
};
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use sqlx::SqlitePool;

use crate::auth::{CurrentUser, Member};
use crate::error::{Error, Json, Path, Result};
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/support/tiers", get(tiers))
        .route("/organizations/{org_id}/support", get(status))
}

#[derive(sqlx::FromRow)]
struct TierRow {
    key: String,
    name: String,
    rank: i64,
    summary: String,
    low_unit: String,
    low_value: i64,
    high_unit: String,
    high_value: i64,
    critical_unit: String,
    critical_value: i64,
    hours: String,
    phone: String,
    account_team: String,
    price_basis_points: Option<i64>,
    price_minimum_usd: Option<i64>,
}

/// Reads a response time stored as a unit and a value.
pub(crate) fn response_time(unit: &str, value: i64) -> Result<ResponseTime> {
    let value = u32::try_from(value).map_err(|_| anyhow::anyhow!("response time {value}"))?;
    match unit {
        "business_days" => Ok(ResponseTime::BusinessDays(value)),
        "minutes" => Ok(ResponseTime::Minutes(value)),
        other => Err(anyhow::anyhow!("unknown response time unit {other:?}").into()),
    }
}

impl TryFrom<TierRow> for SupportTier {
    type Error = Error;
    fn try_from(r: TierRow) -> Result<Self> {
        let price = match (r.price_basis_points, r.price_minimum_usd) {
            (Some(bp), Some(min)) => PriceRule::PercentOfSpend {
                basis_points: u32::try_from(bp).map_err(anyhow::Error::from)?,
                minimum_usd: u32::try_from(min).map_err(anyhow::Error::from)?,
            },
            _ => PriceRule::Included,
        };
        Ok(SupportTier {
            rank: u32::try_from(r.rank).map_err(anyhow::Error::from)?,
            low: response_time(&r.low_unit, r.low_value)?,
            high: response_time(&r.high_unit, r.high_value)?,
            critical: response_time(&r.critical_unit, r.critical_value)?,
            key: r.key,
            name: r.name,
            summary: r.summary,
            hours: r.hours,
            phone: r.phone,
            account_team: r.account_team,
            price,
        })
    }
}

/// The whole catalogue, lowest rank first.
pub async fn load_tiers(db: &SqlitePool) -> Result<Vec<SupportTier>> {
    let rows: Vec<TierRow> = sqlx::query_as("SELECT * FROM support_tiers ORDER BY rank")
        .fetch_all(db)
        .await?;
    rows.into_iter().map(SupportTier::try_from).collect()
}

async fn tiers(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Vec<SupportTier>>> {
    Ok(Json(load_tiers(&state.db).await?))
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    tier: String,
    tier_name: String,
    start_month: String,
    billing_group: String,
    requested_by: String,
    requested_at: String,
    status: String,
    reason: Option<String>,
}

pub(crate) fn upgrade_status(s: &str) -> Result<UpgradeStatus> {
    match s {
        "pending" => Ok(UpgradeStatus::Pending),
        "active" => Ok(UpgradeStatus::Active),
        "rejected" => Ok(UpgradeStatus::Rejected),
        other => Err(anyhow::anyhow!("unexpected upgrade status {other:?}").into()),
    }
}

/// The request worth showing on the Support page: the pending one, else an active one whose start month
/// is still to come (so the customer sees the tier is on its way), else one decided in the last 30 days
/// (so a rejection's reason stays visible for a while). Cancelled requests are not shown.
pub async fn latest_request(db: &SqlitePool, org_id: i64) -> Result<Option<UpgradeRequest>> {
    let row: Option<RequestRow> = sqlx::query_as(
        "SELECT r.id, r.tier, t.name AS tier_name, r.start_month, b.name AS billing_group,
                u.email AS requested_by, r.requested_at, r.status, r.reason
         FROM upgrade_requests r
         JOIN support_tiers t ON t.key = r.tier
         JOIN billing_groups b ON b.id = r.billing_group_id
         JOIN users u ON u.id = r.requested_by
         WHERE r.organization_id = ?
           AND (r.status = 'pending'
                OR (r.status = 'active' AND r.start_month > strftime('%Y-%m', 'now'))
                OR (r.status IN ('active', 'rejected')
                    AND r.decided_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-30 days')))
         ORDER BY r.status = 'pending' DESC, r.requested_at DESC, r.id DESC
         LIMIT 1",
    )
    .bind(org_id)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(UpgradeRequest {
            id: r.id,
            tier_key: r.tier,
            tier_name: r.tier_name,
            start_month: r.start_month,
            billing_group: r.billing_group,
            requested_by: r.requested_by,
            requested_at: r.requested_at,
            status: upgrade_status(&r.status)?,
            reason: r.reason,
        })
    })
    .transpose()
}

/// The key of the tier in effect for the organization in `month`: the organization's base tier, raised
/// by any active upgrade request whose start month has come. When several have, the highest tier wins:
/// an upgrade never lowers the tier (downgrades go through the account team), whatever order requests
/// were made or activated in. `None` for organizations on free services.
pub async fn effective_tier_key(
    db: &SqlitePool,
    org_id: i64,
    month: YearMonth,
) -> Result<Option<String>> {
    let key: Option<String> = sqlx::query_scalar(
        "SELECT COALESCE(
             (SELECT r.tier FROM upgrade_requests r JOIN support_tiers t ON t.key = r.tier
              WHERE r.organization_id = ?1 AND r.status = 'active' AND r.start_month <= ?2
              ORDER BY t.rank DESC LIMIT 1),
             (SELECT support_tier FROM organizations WHERE id = ?1))",
    )
    .bind(org_id)
    .bind(month.to_string())
    .fetch_one(db)
    .await?;
    Ok(key)
}

/// The tier in effect for the organization this month, with its details; `None` for organizations on
/// free services.
pub async fn current_tier(
    db: &SqlitePool,
    org_id: i64,
    plan: PlanKind,
) -> Result<Option<SupportTier>> {
    if plan == PlanKind::Free {
        return Ok(None);
    }
    let Some(key) = effective_tier_key(db, org_id, clock::current_month()).await? else {
        return Ok(None);
    };
    let tiers = load_tiers(db).await?;
    let tier = tiers
        .into_iter()
        .find(|t| t.key == key)
        .ok_or_else(|| anyhow::anyhow!("organization {org_id} has unknown tier {key:?}"))?;
    Ok(Some(tier))
}

async fn status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
) -> Result<Json<SupportStatus>> {
    let member = Member::load(&state, user, org_id).await?;
    let account_team_email: Option<String> =
        sqlx::query_scalar("SELECT account_team_email FROM organizations WHERE id = ?")
            .bind(org_id)
            .fetch_one(&state.db)
            .await?;
    let tier_key = effective_tier_key(&state.db, org_id, clock::current_month()).await?;
    let tiers = load_tiers(&state.db).await?;
    let current_tier = match (member.organization.plan, tier_key) {
        (PlanKind::Paid, Some(key)) => tiers.iter().find(|t| t.key == key).cloned(),
        _ => None,
    };
    let upgrade_request = latest_request(&state.db, org_id).await?;
    let admins: Vec<String> = sqlx::query_scalar(
        "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.organization_id = ? AND m.role = 'admin' ORDER BY u.email",
    )
    .bind(org_id)
    .fetch_all(&state.db)
    .await?;

    let higher_exists = current_tier
        .as_ref()
        .is_some_and(|current| tiers.iter().any(|t| t.rank > current.rank));
    let pending = upgrade_request
        .as_ref()
        .is_some_and(|r| r.status == UpgradeStatus::Pending);
    let can_upgrade = member.is_admin() && higher_exists && !pending;

    let c = &state.config;
    Ok(Json(SupportStatus {
        brand: c.brand.clone(),
        organization: member.organization.name,
        plan: member.organization.plan,
        // The account team is only a contact on tiers that include one.
        account_team_email: account_team_email
            .filter(|_| current_tier.as_ref().is_some_and(|t| t.rank > 0)),
        current_tier,
        tiers,
        upgrade_request,
        can_upgrade,
        admins,
        links: Links {
            sla: c.sla_url.clone(),
            forum: c.forum_url.clone(),
            support_services: c.support_services_url.clone(),
            sales_email: c.sales_email.clone(),
        },
    }))
}
