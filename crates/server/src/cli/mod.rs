//! The command line's operator actions: `support-server upgrades ...` (deciding support tier upgrade
//! requests) and `support-server tickets ...` (the support team's side of tickets, until it has its own
//! tool), `support-server mail ingest` (an email reply on standard input) and `support-server attachments
//! sweep` (the orphan sweep on demand). Each command is a library function that the tests call too, and a thin `run` that prints.

pub mod attachments;
pub mod mail;
pub mod tickets;
pub mod upgrades;

use crate::config::Config;
use crate::store::Store;

/// The configured database for an operator command, which must exist already: a mistyped path must not
/// create an empty one.
pub async fn open_existing(config: &Config) -> anyhow::Result<Store> {
    let path = config.database_path();
    anyhow::ensure!(
        path.exists(),
        "database {} does not exist (check --database or --data-dir)",
        path.display()
    );
    Store::open(&path).await
}
