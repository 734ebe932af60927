//! Operator actions on upgrade requests: list, activate, reject. The `support-server upgrades ...`
//! subcommands are a thin wrapper over these, so the same code is what the tests exercise.

use std::fmt;

use sqlx::SqlitePool;

use crate::config::{Config, RequestStatus, UpgradesCommand};
use crate::upgrades::{self, Event, UpgradeRecord};
use crate::{clock, db};

/// Why an operator action was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("upgrade request {0} does not exist")]
    NotFound(i64),
    #[error(
        "upgrade request {id} is {status}, not pending: only a pending request can be activated or rejected"
    )]
    NotPending { id: i64, status: String },
    #[error("a reason is required to reject an upgrade request")]
    MissingReason,
    #[error(transparent)]
    Server(#[from] crate::Error),
}

impl From<sqlx::Error> for AdminError {
    fn from(e: sqlx::Error) -> Self {
        AdminError::Server(e.into())
    }
}

impl RequestStatus {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Active => "active",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Cancelled => "cancelled",
        }
    }
}

/// Every request, or those with `status`, newest first.
pub async fn list(
    db: &SqlitePool,
    status: Option<RequestStatus>,
) -> Result<Vec<UpgradeRecord>, AdminError> {
    let mut conn = db.acquire().await?;
    Ok(UpgradeRecord::list(&mut conn, status.map(RequestStatus::as_str)).await?)
}

/// Moves a pending request to `active`: the organization has the tier from the request's start month.
pub async fn activate(db: &SqlitePool, id: i64) -> Result<UpgradeRecord, AdminError> {
    decide(db, id, "active", None, Event::Activated).await
}

/// Moves a pending request to `rejected`, with a reason the customer sees on the Support page.
pub async fn reject(db: &SqlitePool, id: i64, reason: &str) -> Result<UpgradeRecord, AdminError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AdminError::MissingReason);
    }
    decide(db, id, "rejected", Some(reason), Event::Rejected).await
}

async fn decide(
    db: &SqlitePool,
    id: i64,
    status: &str,
    reason: Option<&str>,
    event: Event,
) -> Result<UpgradeRecord, AdminError> {
    // IMMEDIATE takes the write lock up front, and the `status = 'pending'` condition makes deciding
    // twice (or racing a cancel) impossible.
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let updated = sqlx::query(
        "UPDATE upgrade_requests SET status = ?, reason = ?, decided_at = ?
         WHERE id = ? AND status = 'pending'",
    )
    .bind(status)
    .bind(reason)
    .bind(clock::now_rfc3339())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        let current: Option<String> =
            sqlx::query_scalar("SELECT status FROM upgrade_requests WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        return Err(match current {
            Some(status) => AdminError::NotPending { id, status },
            None => AdminError::NotFound(id),
        });
    }
    let record = UpgradeRecord::load(&mut tx, id)
        .await?
        .ok_or(AdminError::NotFound(id))?;
    upgrades::notify(&mut tx, &record, event).await?;
    tx.commit().await?;
    tracing::info!(request_id = id, status, "upgrade request decided");
    Ok(record)
}

/// One line of `upgrades list`, tab-separated: id, organization, tier, start month, billing group,
/// requested by, status (and the reason of a rejection).
pub struct Line<'a>(pub &'a UpgradeRecord);

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.0;
        write!(
            f,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.id,
            r.organization,
            r.tier_name,
            r.start_month,
            r.billing_group,
            r.requested_by,
            r.status
        )?;
        if let Some(reason) = &r.reason {
            write!(f, "\t{reason}")?;
        }
        Ok(())
    }
}

/// The configured database for an operator command, which must exist already: a mistyped path must not
/// create an empty one.
pub async fn open_existing(config: &Config) -> anyhow::Result<SqlitePool> {
    let path = config.database_path();
    anyhow::ensure!(
        path.exists(),
        "database {} does not exist (check --database or --data-dir)",
        path.display()
    );
    db::connect(&path).await
}

/// Runs an `upgrades` subcommand against the configured database, printing the outcome.
pub async fn run(config: &Config, command: UpgradesCommand) -> anyhow::Result<()> {
    let db = open_existing(config).await?;
    match command {
        UpgradesCommand::List { status } => {
            let records = list(&db, status).await?;
            if records.is_empty() {
                eprintln!("No upgrade requests.");
            }
            for record in &records {
                println!("{}", Line(record));
            }
        }
        UpgradesCommand::Activate { id } => {
            let r = activate(&db, id).await?;
            println!(
                "Upgrade request {} is active: {} is on {} from {}.",
                r.id,
                r.organization,
                r.tier_name,
                r.start_month_label()
            );
        }
        UpgradesCommand::Reject { id, reason } => {
            let r = reject(&db, id, &reason).await?;
            println!(
                "Upgrade request {} is rejected: {} stays on its current tier.",
                r.id, r.organization
            );
        }
    }
    db.close().await;
    Ok(())
}
