//! `support-server attachments sweep`: the hourly orphan sweep on demand, with its age chosen by the
//! operator (the crash test runs it with no minimum age to prove nothing is left behind).

use std::time::Duration;

use crate::cli::open_existing;
use crate::config::{AttachmentsCommand, Config};
use crate::files::Files;
use crate::jobs::sweeper::{SweepReport, sweep_older_than};

/// Runs `command` and prints its outcome.
pub async fn run(config: &Config, command: AttachmentsCommand) -> anyhow::Result<()> {
    match command {
        AttachmentsCommand::Sweep { min_age_secs } => {
            let files = Files::open(&config.attachments())?;
            let store = open_existing(config).await?;
            let SweepReport {
                uploads,
                stray_files,
            } = sweep_older_than(&store, &files, Duration::from_secs(min_age_secs)).await?;
            // Deletions of files refused meanwhile run in the background: let them end first.
            files.settle().await;
            println!("deleted {uploads} unclaimed uploads and {stray_files} files without a row");
            Ok(())
        }
    }
}
