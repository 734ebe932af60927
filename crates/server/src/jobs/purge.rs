//! The hourly purge of rows past their use: expired sessions, the abuse limits' counted events older
//! than their one-hour window (so a count does not also delete), idempotency keys past their lifetime
//! (so a claim does not also delete), and sent emails older than `--outbox-retention-days` (unsent
//! ones stay: they are still to be delivered or looked into).

use std::time::Duration;

use crate::clock;
use crate::error::Result;
use crate::jobs::sweeper::SWEEP_INTERVAL;
use crate::rules::{idempotency, limits};
use crate::store::Store;

/// How often the purge runs: as often as the sweep of unattached uploads, the other hourly job.
/// The lease of the purge (`jobs::lease`).
pub const LEASE_NAME: &str = "purge";

pub const PURGE_INTERVAL: Duration = SWEEP_INTERVAL;

/// What one [`purge`] call deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PurgeReport {
    /// Sessions past their expiry.
    pub sessions: u64,
    /// Sent emails older than the retention period.
    pub sent_emails: u64,
    /// Counted events older than every limit's window.
    pub rate_events: u64,
    /// Idempotency keys past their lifetime.
    pub idempotency_keys: u64,
}

/// Deletes the sessions expired by now, the counted events older than the limits' window, the
/// idempotency keys past their lifetime and the emails sent more than `retention` ago.
pub async fn purge(store: &Store, retention: Duration) -> Result<PurgeReport> {
    let now = clock::now();
    Ok(PurgeReport {
        sessions: store.delete_expired_sessions(clock::timestamp(now)).await?,
        sent_emails: store
            .delete_sent_emails_before(clock::timestamp(now - retention))
            .await?,
        rate_events: store
            .purge_rate_events(clock::now_ms() - limits::WINDOW_MS)
            .await?,
        idempotency_keys: store
            .delete_keys_before(clock::timestamp(now - idempotency::KEY_LIFETIME))
            .await?,
    })
}

/// One [`purge`], its outcome logged.
pub async fn purge_and_log(store: &Store, retention: Duration) {
    match purge(store, retention).await {
        Ok(report) if report != PurgeReport::default() => tracing::info!(
            sessions = report.sessions,
            sent_emails = report.sent_emails,
            rate_events = report.rate_events,
            idempotency_keys = report.idempotency_keys,
            "purged expired sessions, old counted events, expired idempotency keys and old sent emails"
        ),
        Ok(_) => {}
        Err(error) => tracing::error!(error = ?error, "purge failed"),
    }
}
