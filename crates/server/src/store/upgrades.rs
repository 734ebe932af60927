//! Support tier upgrade requests.

use api::{Timestamp, UpgradeRequest, YearMonth};

use super::{Store, Tx, codec};
use crate::clock;
use crate::config::RequestStatus;
use crate::error::Result;

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

impl UpgradeRecord {
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
            start_month: codec::month(&self.start_month)?,
            billing_group: self.billing_group.clone(),
            requested_by: self.requested_by.clone(),
            requested_at: codec::timestamp(&self.requested_at)?,
            status: codec::upgrade_status(&self.status)?,
            reason: self.reason.clone(),
        })
    }
}

/// What became of a request that was to be decided or cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Done.
    Done,
    /// The request has this other status already.
    NotPending { status: String },
    /// There is no such request (in this organization, for a cancellation).
    NotFound,
}

/// A new pending request.
#[derive(Debug, Clone)]
pub struct NewUpgradeRequest<'a> {
    pub organization_id: i64,
    pub tier_key: &'a str,
    pub start_month: YearMonth,
    pub billing_group_id: i64,
    pub requested_by: i64,
    pub requested_at: Timestamp,
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
     WHERE ($1 IS NULL OR r.id = $1) AND ($2 IS NULL OR r.status = $2)
     ORDER BY r.id DESC";

fn status_str(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Pending => "pending",
        RequestStatus::Active => "active",
        RequestStatus::Rejected => "rejected",
        RequestStatus::Cancelled => "cancelled",
    }
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

impl Store {
    /// Every request, or only those with `status`, newest first.
    pub async fn upgrade_records(
        &self,
        status: Option<RequestStatus>,
    ) -> Result<Vec<UpgradeRecord>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(SELECT_RECORDS)
                .bind(None::<i64>)
                .bind(status.map(status_str))
                .fetch_all(pool)
                .await?)
        })
    }

    /// The request worth showing on the Support page: the pending one, else an active one whose
    /// start month is still to come (so the customer sees the tier is on its way), else one decided
    /// in the last 30 days (so a rejection's reason stays visible for a while). Cancelled requests
    /// are not shown.
    pub async fn latest_upgrade_request(&self, org_id: i64) -> Result<Option<UpgradeRequest>> {
        // The current month and the 30-day cutoff come from the server's clock, not the database's
        // (the same text for both engines, and the same clock the rest of the rules use).
        let now = clock::now();
        let month = clock::current_month().to_string();
        let cutoff = clock::timestamp(now - time::Duration::days(30)).to_string();
        on_pool!(self, |pool| {
            let row: Option<RequestRow> = sqlx::query_as(
                "SELECT r.id, r.tier, t.name AS tier_name, r.start_month, b.name AS billing_group,
                    u.email AS requested_by, r.requested_at, r.status, r.reason
             FROM upgrade_requests r
             JOIN support_tiers t ON t.key = r.tier
             JOIN billing_groups b ON b.id = r.billing_group_id
             JOIN users u ON u.id = r.requested_by
             WHERE r.organization_id = $1
               AND (r.status = 'pending'
                    OR (r.status = 'active' AND r.start_month > $2)
                    OR (r.status IN ('active', 'rejected')
                        AND r.decided_at >= $3))
             ORDER BY r.status = 'pending' DESC, r.requested_at DESC, r.id DESC
             LIMIT 1",
            )
            .bind(org_id)
            .bind(&month)
            .bind(&cutoff)
            .fetch_optional(pool)
            .await?;
            row.map(|r| {
                Ok(UpgradeRequest {
                    id: r.id,
                    tier_key: r.tier,
                    tier_name: r.tier_name,
                    start_month: codec::month(&r.start_month)?,
                    billing_group: r.billing_group,
                    requested_by: r.requested_by,
                    requested_at: codec::timestamp(&r.requested_at)?,
                    status: codec::upgrade_status(&r.status)?,
                    reason: r.reason,
                })
            })
            .transpose()
        })
    }

    /// Cancels the organization's request `request_id` if it is still pending.
    pub async fn cancel_upgrade_request(
        &self,
        org_id: i64,
        request_id: i64,
        at: Timestamp,
    ) -> Result<Decision> {
        on_writer!(self, |pool| {
            let cancelled = sqlx::query(
                "UPDATE upgrade_requests SET status = 'cancelled', decided_at = $1
             WHERE id = $2 AND organization_id = $3 AND status = 'pending'",
            )
            .bind(at.to_string())
            .bind(request_id)
            .bind(org_id)
            .execute(pool)
            .await?;
            if cancelled.rows_affected() == 1 {
                return Ok(Decision::Done);
            }
            let status: Option<String> = sqlx::query_scalar(
                "SELECT status FROM upgrade_requests WHERE id = $1 AND organization_id = $2",
            )
            .bind(request_id)
            .bind(org_id)
            .fetch_optional(pool)
            .await?;
            Ok(match status {
                Some(status) => Decision::NotPending { status },
                None => Decision::NotFound,
            })
        })
    }
}

impl Tx {
    /// Inserts a pending request and returns its id, or `None` when the organization has one pending
    /// already. The partial unique index `one_pending_upgrade` is the one check for that: a
    /// check-then-insert would let two simultaneous requests both pass.
    pub async fn insert_upgrade_request(
        &mut self,
        request: &NewUpgradeRequest<'_>,
    ) -> Result<Option<i64>> {
        on_tx!(self, |conn| {
            // `ON CONFLICT ... DO NOTHING` rather than catching the unique violation: on PostgreSQL a
            // failed statement aborts the whole transaction, and the caller may go on using it.
            Ok(sqlx::query_scalar(
                "INSERT INTO upgrade_requests
                 (organization_id, tier, start_month, billing_group_id, requested_by, requested_at,
                  status)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending')
             ON CONFLICT (organization_id) WHERE status = 'pending' DO NOTHING
             RETURNING id",
            )
            .bind(request.organization_id)
            .bind(request.tier_key)
            .bind(request.start_month.to_string())
            .bind(request.billing_group_id)
            .bind(request.requested_by)
            .bind(request.requested_at.to_string())
            .fetch_optional(&mut *conn)
            .await?)
        })
    }

    /// The request with `id`, if there is one.
    pub async fn upgrade_record(&mut self, id: i64) -> Result<Option<UpgradeRecord>> {
        on_tx!(self, |conn| {
            Ok(sqlx::query_as(SELECT_RECORDS)
                .bind(id)
                .bind(None::<&str>)
                .fetch_optional(&mut *conn)
                .await?)
        })
    }

    /// Moves a pending request to `status` (active or rejected) with the reason the customer sees.
    /// The `status = 'pending'` condition makes deciding twice (or racing a cancel) impossible.
    pub async fn decide_upgrade_request(
        &mut self,
        id: i64,
        status: RequestStatus,
        reason: Option<&str>,
        at: Timestamp,
    ) -> Result<Decision> {
        on_tx!(self, |conn| {
            let updated = sqlx::query(
                "UPDATE upgrade_requests SET status = $1, reason = $2, decided_at = $3
             WHERE id = $4 AND status = 'pending'",
            )
            .bind(status_str(status))
            .bind(reason)
            .bind(at.to_string())
            .bind(id)
            .execute(&mut *conn)
            .await?;
            if updated.rows_affected() == 1 {
                return Ok(Decision::Done);
            }
            let current: Option<String> =
                sqlx::query_scalar("SELECT status FROM upgrade_requests WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
            Ok(match current {
                Some(status) => Decision::NotPending { status },
                None => Decision::NotFound,
            })
        })
    }
}
