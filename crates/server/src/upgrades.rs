//! Support tier upgrade requests: what the wizard offers, creating and cancelling a request, and the
//! emails that report each step. Operators decide requests with the `upgrades` subcommands (`admin.rs`).

use api::{
    BillingGroup, FieldMessage, PlanKind, UpgradeOptions, UpgradeRequest, UpgradeRequestInput,
    YearMonth,
};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::auth::{CurrentUser, Member};
use crate::error::{Error, Json, Path, Result};
use crate::{AppState, clock, outbox, support};

/// 403 for members who try to upgrade.
pub const ADMINS_ONLY: &str = "Only organization admins can upgrade the support tier.";
/// 403 for members who try to cancel.
pub const ADMINS_ONLY_CANCEL: &str = "Only organization admins can cancel an upgrade request.";
/// 409 when the organization already has a pending request.
pub const ALREADY_PENDING: &str =
    "An upgrade request is already pending. Cancel it or wait until it is processed.";
/// 409 when cancelling a request that is no longer pending.
pub const NOT_PENDING: &str = "Only a pending upgrade request can be cancelled. This one has already been processed or cancelled.";
/// 422 `tier` for organizations on free services.
pub const FREE_PLAN: &str = "Choose tier: organizations on free services have no support tier to upgrade. Ask the community forum instead.";
/// 422 `billing_group_id` for a group the organization does not own (or that does not exist).
pub const FOREIGN_BILLING_GROUP: &str =
    "Billing group: choose one of your organization's billing groups.";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizations/{org_id}/upgrade-options", get(options))
        .route("/organizations/{org_id}/upgrade-requests", post(create))
        .route(
            "/organizations/{org_id}/upgrade-requests/current",
            get(current),
        )
        .route(
            "/organizations/{org_id}/upgrade-requests/{request_id}",
            delete(cancel),
        )
}

#[derive(sqlx::FromRow)]
struct BillingGroupRow {
    id: i64,
    name: String,
    payment_method: String,
}

async fn options(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
) -> Result<Json<UpgradeOptions>> {
    let member = Member::load(&state, user, org_id).await?;
    let groups: Vec<BillingGroupRow> = sqlx::query_as(
        "SELECT id, name, payment_method FROM billing_groups
         WHERE organization_id = ? ORDER BY name, id",
    )
    .bind(member.organization.id)
    .fetch_all(&state.db)
    .await?;
    let spend: i64 =
        sqlx::query_scalar("SELECT monthly_spend_usd_cents FROM organizations WHERE id = ?")
            .bind(member.organization.id)
            .fetch_one(&state.db)
            .await?;
    Ok(Json(UpgradeOptions {
        current_month: clock::current_month(),
        billing_groups: groups
            .into_iter()
            .map(|g| BillingGroup {
                id: g.id,
                name: g.name,
                payment_method: g.payment_method,
            })
            .collect(),
        monthly_spend_usd_cents: u64::try_from(spend).map_err(anyhow::Error::from)?,
    }))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
    Json(input): Json<UpgradeRequestInput>,
) -> Result<(StatusCode, Json<UpgradeRequest>)> {
    let member = Member::load(&state, user, org_id).await?;
    if !member.is_admin() {
        return Err(Error::Forbidden(ADMINS_ONLY));
    }
    let month = clock::current_month();
    let current_key = match member.organization.plan {
        PlanKind::Free => None,
        PlanKind::Paid => support::effective_tier_key(&state.db, org_id, month).await?,
    };
    let Some(current_key) = current_key else {
        return Err(Error::Invalid(vec![FieldMessage {
            field: "tier".into(),
            message: FREE_PLAN.into(),
        }]));
    };
    let tiers = support::load_tiers(&state.db).await?;
    let current_rank = tiers
        .iter()
        .find(|t| t.key == current_key)
        .map(|t| t.rank)
        .ok_or_else(|| anyhow::anyhow!("organization {org_id} has unknown tier {current_key:?}"))?;
    let group_is_ours =
        match input.billing_group_id {
            Some(group_id) => sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM billing_groups WHERE id = ? AND organization_id = ?)",
            )
            .bind(group_id)
            .bind(org_id)
            .fetch_one(&state.db)
            .await?,
            // `validate` reports the missing group.
            None => true,
        };
    let valid = match (input.validate(&tiers, current_rank, month), group_is_ours) {
        (Ok(valid), true) => valid,
        (result, group_is_ours) => {
            // Every problem at once, in form order (the billing group comes last).
            let mut fields = result.err().unwrap_or_default();
            if !group_is_ours {
                fields.push(FieldMessage {
                    field: "billing_group_id".into(),
                    message: FOREIGN_BILLING_GROUP.into(),
                });
            }
            return Err(Error::Invalid(fields));
        }
    };

    // The partial unique index `one_pending_upgrade` is the one check for "already pending": a
    // check-then-insert would let two simultaneous requests both pass. IMMEDIATE takes the write lock
    // up front (waiting on busy_timeout), so a concurrent writer cannot fail this transaction halfway.
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    let inserted = sqlx::query_scalar(
        "INSERT INTO upgrade_requests
             (organization_id, tier, start_month, billing_group_id, requested_by, requested_at, status)
         VALUES (?, ?, ?, ?, ?, ?, 'pending') RETURNING id",
    )
    .bind(org_id)
    .bind(&valid.tier.key)
    .bind(valid.start_month.to_string())
    .bind(valid.billing_group_id)
    .bind(member.user.id)
    .bind(clock::now_rfc3339())
    .fetch_one(&mut *tx)
    .await;
    let id: i64 = match inserted {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(Error::Conflict(ALREADY_PENDING.into()));
        }
        other => other?,
    };
    let record = UpgradeRecord::load(&mut tx, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("upgrade request {id} vanished in its transaction"))?;
    notify(&mut tx, &record, Event::Requested).await?;
    tx.commit().await?;
    tracing::info!(
        request_id = id,
        org_id,
        tier = %record.tier_key,
        start_month = %record.start_month,
        "upgrade requested"
    );
    Ok((StatusCode::CREATED, Json(record.to_api()?)))
}

async fn current(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
) -> Result<Json<Option<UpgradeRequest>>> {
    let member = Member::load(&state, user, org_id).await?;
    Ok(Json(
        support::latest_request(&state.db, member.organization.id).await?,
    ))
}

async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((org_id, request_id)): Path<(i64, i64)>,
) -> Result<StatusCode> {
    let member = Member::load(&state, user, org_id).await?;
    if !member.is_admin() {
        return Err(Error::Forbidden(ADMINS_ONLY_CANCEL));
    }
    let cancelled = sqlx::query(
        "UPDATE upgrade_requests SET status = 'cancelled', decided_at = ?
         WHERE id = ? AND organization_id = ? AND status = 'pending'",
    )
    .bind(clock::now_rfc3339())
    .bind(request_id)
    .bind(org_id)
    .execute(&state.db)
    .await?;
    if cancelled.rows_affected() == 1 {
        tracing::info!(request_id, org_id, "upgrade request cancelled");
        return Ok(StatusCode::NO_CONTENT);
    }
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM upgrade_requests WHERE id = ? AND organization_id = ?)",
    )
    .bind(request_id)
    .bind(org_id)
    .fetch_one(&state.db)
    .await?;
    Err(if exists {
        Error::Conflict(NOT_PENDING.into())
    } else {
        Error::NotFound
    })
}

/// An upgrade request with everything people need to read it: names instead of ids.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UpgradeRecord {
    pub id: i64,
    pub organization_id: i64,
    pub organization: String,
    pub account_team_email: Option<String>,
    pub tier_key: String,
    pub tier_name: String,
    /// `YYYY-MM`.
    pub start_month: String,
    pub billing_group: String,
    /// Email of the admin who asked.
    pub requested_by: String,
    pub requested_at: String,
    /// `pending`, `active`, `rejected` or `cancelled`.
    pub status: String,
    pub reason: Option<String>,
    pub decided_at: Option<String>,
}

/// Every request, or those with `id` and/or `status`, newest first.
const SELECT_RECORDS: &str =
    "SELECT r.id, r.organization_id, o.name AS organization, o.account_team_email,
            r.tier AS tier_key, t.name AS tier_name, r.start_month, b.name AS billing_group,
            u.email AS requested_by, r.requested_at, r.status, r.reason, r.decided_at
     FROM upgrade_requests r
     JOIN organizations o ON o.id = r.organization_id
     JOIN support_tiers t ON t.key = r.tier
     JOIN billing_groups b ON b.id = r.billing_group_id
     JOIN users u ON u.id = r.requested_by
     WHERE (?1 IS NULL OR r.id = ?1) AND (?2 IS NULL OR r.status = ?2)
     ORDER BY r.id DESC";

impl UpgradeRecord {
    /// The request with `id`, if there is one.
    pub async fn load(conn: &mut SqliteConnection, id: i64) -> Result<Option<Self>> {
        Ok(sqlx::query_as(SELECT_RECORDS)
            .bind(id)
            .bind(None::<&str>)
            .fetch_optional(conn)
            .await?)
    }

    /// Every request, or only those with `status`, newest first.
    pub async fn list(conn: &mut SqliteConnection, status: Option<&str>) -> Result<Vec<Self>> {
        Ok(sqlx::query_as(SELECT_RECORDS)
            .bind(None::<i64>)
            .bind(status)
            .fetch_all(conn)
            .await?)
    }

    /// `January 2027`, or the stored text if it is somehow not a month.
    pub fn start_month_label(&self) -> String {
        YearMonth::parse(&self.start_month)
            .map(YearMonth::label)
            .unwrap_or_else(|| self.start_month.clone())
    }

    /// The wire shape. Cancelled requests have none: they are never shown.
    pub fn to_api(&self) -> Result<UpgradeRequest> {
        Ok(UpgradeRequest {
            id: self.id,
            tier_key: self.tier_key.clone(),
            tier_name: self.tier_name.clone(),
            start_month: self.start_month.clone(),
            billing_group: self.billing_group.clone(),
            requested_by: self.requested_by.clone(),
            requested_at: self.requested_at.clone(),
            status: support::upgrade_status(&self.status)?,
            reason: self.reason.clone(),
        })
    }
}

/// What happened to a request, for the emails about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Requested,
    Activated,
    Rejected,
}

/// Records the emails about `event` in `tx`: one to the requesting admin and one to the account team,
/// if the organization has one.
pub async fn notify(
    tx: &mut Transaction<'_, Sqlite>,
    record: &UpgradeRecord,
    event: Event,
) -> Result<()> {
    let (subject, body) = email(record, event);
    for recipient in recipients(record) {
        outbox::enqueue(tx, recipient, &subject, &body).await?;
    }
    Ok(())
}

fn recipients(record: &UpgradeRecord) -> Vec<&str> {
    let mut recipients = vec![record.requested_by.as_str()];
    if let Some(team) = record
        .account_team_email
        .as_deref()
        .map(str::trim)
        .filter(|team| !team.is_empty() && !team.eq_ignore_ascii_case(&record.requested_by))
    {
        recipients.push(team);
    }
    recipients
}

/// Subject and plain-text body.
fn email(r: &UpgradeRecord, event: Event) -> (String, String) {
    let month = r.start_month_label();
    let details = format!(
        "Organization: {}\nSupport tier: {}\nStart month: {month}\nBilling group: {}\nRequested by: {}\nRequested at: {}\n",
        r.organization, r.tier_name, r.billing_group, r.requested_by, r.requested_at
    );
    match event {
        Event::Requested => (
            format!(
                "Support tier upgrade requested: {} to {} from {month}",
                r.organization, r.tier_name
            ),
            format!(
                "{} asked to upgrade the support tier of {} to {} from {month}.\n\n{details}\n\
                 Setting up a new support tier typically takes 1-2 business days. The status of the \
                 request is shown on the Support page under Current support tier.\n",
                r.requested_by, r.organization, r.tier_name
            ),
        ),
        Event::Activated => (
            format!(
                "Support tier upgrade active: {} is on {} from {month}",
                r.organization, r.tier_name
            ),
            format!(
                "The {} support tier is active for {} from {month}. Its costs go on the invoice of \
                 the billing group {}.\n\n{details}",
                r.tier_name, r.organization, r.billing_group
            ),
        ),
        Event::Rejected => (
            format!(
                "Support tier upgrade rejected: {} to {}",
                r.organization, r.tier_name
            ),
            format!(
                "The request to upgrade {} to the {} support tier from {month} was rejected.\n\n\
                 Reason: {}\n\n{details}\n\
                 The current support tier stays as it is. For questions, contact your account team \
                 or open a support ticket.\n",
                r.organization,
                r.tier_name,
                r.reason.as_deref().unwrap_or("none given")
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(account_team_email: Option<&str>) -> UpgradeRecord {
        UpgradeRecord {
            id: 7,
            organization_id: 2,
            organization: "Globex".into(),
            account_team_email: account_team_email.map(Into::into),
            tier_key: "premium".into(),
            tier_name: "Premium".into(),
            start_month: "2027-01".into(),
            billing_group: "Globex Billing".into(),
            requested_by: "admin@globex.example".into(),
            requested_at: "2026-11-27T10:00:00Z".into(),
            status: "rejected".into(),
            reason: Some("Contract renewal first.".into()),
            decided_at: None,
        }
    }

    #[test]
    fn the_account_team_is_copied_once_when_there_is_one() {
        assert_eq!(
            recipients(&record(Some("team@accounts.example"))),
            ["admin@globex.example", "team@accounts.example"]
        );
        assert_eq!(recipients(&record(None)), ["admin@globex.example"]);
        assert_eq!(recipients(&record(Some("  "))), ["admin@globex.example"]);
        assert_eq!(
            recipients(&record(Some("Admin@Globex.example"))),
            ["admin@globex.example"]
        );
    }

    #[test]
    fn emails_name_the_organization_tier_month_and_billing_group() {
        for event in [Event::Requested, Event::Activated, Event::Rejected] {
            let (subject, body) = email(&record(None), event);
            assert!(subject.contains("Globex"), "{subject}");
            assert!(subject.contains("Premium"), "{subject}");
            for part in ["Globex", "Premium", "January 2027", "Globex Billing"] {
                assert!(body.contains(part), "{event:?} body lacks {part}: {body}");
            }
        }
        let (_, rejected) = email(&record(None), Event::Rejected);
        assert!(rejected.contains("Reason: Contract renewal first."));
        let (_, requested) = email(&record(None), Event::Requested);
        assert!(requested.contains("1-2 business days"));
    }
}
