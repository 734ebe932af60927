//! The operator CLI for upgrade requests, as the real binary.

use super::{pending_request, stored_status, this_month};
use crate::helpers::{on_postgres, run_cli, spawn_app, text};

#[tokio::test]
async fn the_cli_lists_activates_and_rejects() {
    let app = spawn_app().await;
    let (admin, request) = pending_request(&app).await;
    let database = app.database();
    let database = database.as_str();
    let id = request.id.to_string();

    let listed = run_cli(&[
        "--database",
        database,
        "upgrades",
        "list",
        "--status",
        "pending",
    ]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let stdout = text(&listed.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with(&format!(
            "{id}\tAcme Analytics\tEssential\t{}",
            this_month()
        )),
        "{stdout}"
    );

    let activated = run_cli(&["--database", database, "upgrades", "activate", &id]);
    assert!(activated.status.success(), "{}", text(&activated.stderr));
    assert!(
        text(&activated.stdout).contains("is active"),
        "{}",
        text(&activated.stdout)
    );
    let support = admin.support_status().await;
    assert_eq!(
        support.current_tier.map(|t| t.key).as_deref(),
        Some("essential")
    );

    // Deciding again fails with a sentence and a non-zero exit; flags may follow the subcommand.
    let again = run_cli(&[
        "upgrades",
        "reject",
        &id,
        "--reason",
        "Too late",
        "--database",
        database,
    ]);
    assert!(!again.status.success());
    let stderr = text(&again.stderr);
    assert!(stderr.contains("not pending"), "{stderr}");
    assert!(!stderr.contains("backtrace"), "{stderr}");

    let unknown = run_cli(&["--database", database, "upgrades", "activate", "999999"]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown.stderr).contains("upgrade request 999999 does not exist"),
        "{}",
        text(&unknown.stderr)
    );
}

#[tokio::test]
async fn the_cli_refuses_a_missing_database_and_an_empty_reason() {
    let app = spawn_app().await;
    let (_, request) = pending_request(&app).await;
    let database = app.database();
    let database = database.as_str();
    let id = request.id.to_string();

    let missing = app.dir.path().join("nope.db");
    let output = run_cli(&["--database", missing.to_str().unwrap(), "upgrades", "list"]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("does not exist"));
    assert!(!missing.exists(), "no empty database is created");

    let output = run_cli(&[
        "--database",
        database,
        "upgrades",
        "reject",
        &id,
        "--reason",
        " ",
    ]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("reason is required"));
    let output = run_cli(&["--database", database, "upgrades", "reject", &id]);
    assert!(!output.status.success(), "--reason is required");
    assert_eq!(stored_status(&app, request.id).await.0, "pending");

    // The data directory works as well as the database path.
    let data_dir = app.dir.path().to_str().unwrap();
    let mut args = vec![
        "upgrades",
        "reject",
        &id,
        "--data-dir",
        data_dir,
        "--reason",
        "No.",
    ];
    // On PostgreSQL nothing is in the data directory: the URL is still needed.
    let url = app.database();
    if on_postgres() {
        args.extend(["--database", url.as_str()]);
    }
    let output = run_cli(&args);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(stored_status(&app, request.id).await.0, "rejected");
}
