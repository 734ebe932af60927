//! `support-server upgrades list|activate|reject`: operators decide upgrade requests. The subcommands
//! are a thin wrapper over [`list`], [`activate`] and [`reject`], so the same code is what the tests
//! exercise.

use std::fmt;

use crate::cli::{Escaped, open_existing};
use crate::clock;
use crate::config::{Config, RequestStatus, UpgradesCommand};
use crate::error::Error;
use crate::rules::upgrades::{self, Event};
use crate::store::Store;
use crate::store::upgrades::{Decision, UpgradeRecord};

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
    Server(#[from] Error),
}

/// Every request, or those with `status`, newest first.
pub async fn list(
    store: &Store,
    status: Option<RequestStatus>,
) -> Result<Vec<UpgradeRecord>, AdminError> {
    Ok(store.upgrade_records(status).await?)
}

/// Moves a pending request to `active`: the organization has the tier from the request's start month.
pub async fn activate(store: &Store, id: i64) -> Result<UpgradeRecord, AdminError> {
    decide(store, id, RequestStatus::Active, None, Event::Activated).await
}

/// Moves a pending request to `rejected`, with a reason the customer sees on the Support page.
pub async fn reject(store: &Store, id: i64, reason: &str) -> Result<UpgradeRecord, AdminError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AdminError::MissingReason);
    }
    decide(
        store,
        id,
        RequestStatus::Rejected,
        Some(reason),
        Event::Rejected,
    )
    .await
}

async fn decide(
    store: &Store,
    id: i64,
    status: RequestStatus,
    reason: Option<&str>,
    event: Event,
) -> Result<UpgradeRecord, AdminError> {
    let mut tx = store.begin_write().await?;
    let decided = tx
        .decide_upgrade_request(id, status, reason, clock::now_timestamp())
        .await?;
    match decided {
        Decision::Done => {}
        Decision::NotPending { status } => return Err(AdminError::NotPending { id, status }),
        Decision::NotFound => return Err(AdminError::NotFound(id)),
    }
    let record = tx
        .upgrade_record(id)
        .await?
        .ok_or(AdminError::NotFound(id))?;
    upgrades::notify(&mut tx, &record, event).await?;
    tx.commit().await?;
    tracing::info!(request_id = id, status = %record.status, "upgrade request decided");
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
            Escaped(&r.organization),
            Escaped(&r.tier_name),
            r.start_month,
            Escaped(&r.billing_group),
            Escaped(&r.requested_by),
            r.status
        )?;
        if let Some(reason) = &r.reason {
            write!(f, "\t{}", Escaped(reason))?;
        }
        Ok(())
    }
}

/// Runs an `upgrades` subcommand against the configured database, printing the outcome.
pub async fn run(config: &Config, command: UpgradesCommand) -> anyhow::Result<()> {
    let store = open_existing(config).await?;
    match command {
        UpgradesCommand::List { status } => {
            let records = list(&store, status).await?;
            if records.is_empty() {
                eprintln!("No upgrade requests.");
            }
            for record in &records {
                println!("{}", Line(record));
            }
        }
        UpgradesCommand::Activate { id } => {
            let r = activate(&store, id).await?;
            println!(
                "Upgrade request {} is active: {} is on {} from {}.",
                r.id,
                Escaped(&r.organization),
                Escaped(&r.tier_name),
                r.start_month_label()
            );
        }
        UpgradesCommand::Reject { id, reason } => {
            let r = reject(&store, id, &reason).await?;
            println!(
                "Upgrade request {} is rejected: {} stays on its current tier.",
                r.id,
                Escaped(&r.organization)
            );
        }
    }
    store.close().await;
    Ok(())
}
