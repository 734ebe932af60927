//! The hourly sweep of uploads that no ticket claimed within a day, and of stored files (in the
//! folder or the bucket) that no row refers to.

use std::time::{Duration, SystemTime};

use crate::clock;
use crate::error::Result;
use crate::files::Files;
use crate::rules::attachments::is_stored_name;
use crate::store::Store;

/// The lease of the sweep (`jobs::lease`).
pub const LEASE_NAME: &str = "sweeper";

/// Uploads never attached to a ticket are deleted after this long.
pub const ORPHAN_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);
/// How often the server looks for such uploads.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// What one [`sweep_orphans`] call deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    /// Uploads (row and file) never attached to a ticket within [`ORPHAN_MAX_AGE`].
    pub uploads: usize,
    /// Files older than that without a row (the server stopped between writing one and recording it).
    pub stray_files: usize,
}

/// Deletes uploads that were never attached within [`ORPHAN_MAX_AGE`], and stored files older than
/// that which no row refers to.
pub async fn sweep_orphans(store: &Store, files: &Files) -> Result<SweepReport> {
    sweep_older_than(store, files, ORPHAN_MAX_AGE).await
}

/// Deletes uploads never attached that are at least `age` old, and stored files that old (in the
/// folder or under the bucket's prefix) which no row refers to (`support-server attachments sweep`
/// chooses the age). Rows go first, so a sweep cut short leaves nothing half done: files without
/// rows are swept later.
pub async fn sweep_older_than(store: &Store, files: &Files, age: Duration) -> Result<SweepReport> {
    let cutoff = clock::now() - age;
    let stored = store
        .delete_unattached_before(clock::timestamp(cutoff))
        .await?;
    for name in &stored {
        files.delete(name).await;
    }
    let mut report = SweepReport {
        uploads: stored.len(),
        stray_files: 0,
    };
    for name in files
        .stored_before(SystemTime::now() - age, is_stored_name)
        .await?
    {
        if !store.is_stored_file(&name).await? {
            files.delete(&name).await;
            report.stray_files += 1;
        }
    }
    Ok(report)
}

/// One [`sweep_orphans`], its outcome logged.
pub async fn sweep_and_log(store: &Store, files: &Files) {
    match sweep_orphans(store, files).await {
        Ok(report) if report != SweepReport::default() => tracing::info!(
            uploads = report.uploads,
            stray_files = report.stray_files,
            "deleted files never attached to a ticket"
        ),
        Ok(_) => {}
        Err(error) => tracing::error!(error = ?error, "attachment sweep failed"),
    }
}
