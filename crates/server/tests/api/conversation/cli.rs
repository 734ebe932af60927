//! The support team's CLI, as the real binary: listing tickets, replying (the first reply is the first
//! response), changing the status, and its refusals.

use std::process::Output;

use api::{TicketListQuery, TicketStatus};

use super::{SAMS_REPLY_AND_STATUS, SUBJECT, authors, form, recipients_since, set, stored_status};
use crate::helpers::{Session, TestApp, run_cli, spawn_app, text};

/// Dev's ticket CCing an outside address. Returns dev's session and the ticket's id as the CLI takes
/// it.
async fn devs_ticket(app: &TestApp) -> (Session, i64, String) {
    let dev = app.sign_in("dev@acme.example").await;
    let ticket = dev.create_ticket(&form(&["outside@partner.example"])).await;
    (dev, ticket.id, ticket.id.to_string())
}

/// Runs the CLI with `args` against the app's database.
fn cli(app: &TestApp, args: &[&str]) -> Output {
    let database = app.database();
    let mut full = vec!["--database", database.as_str()];
    full.extend(args);
    run_cli(&full)
}

/// The first reply, as Sam from Support, asking the customer a question.
fn first_reply(app: &TestApp, id: &str) -> Output {
    cli(
        app,
        &[
            "tickets",
            "reply",
            id,
            "--author",
            "Sam from Support",
            "--body",
            "Hi Dana, which replica is lagging?",
            "--status",
            "awaiting_customer",
        ],
    )
}

#[tokio::test]
async fn the_cli_lists_the_newest_ticket_first() {
    let app = spawn_app().await;
    let (_, _, id) = devs_ticket(&app).await;

    let listed = cli(&app, &["tickets", "list"]);

    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let stdout = text(&listed.stdout);
    assert_eq!(
        stdout.lines().next(),
        Some(format!("{id}\tAcme Analytics\topen\t{SUBJECT}").as_str()),
        "{stdout}"
    );
    assert!(
        stdout.contains("\tGlobex\topen\tOpenSearch cluster turned yellow"),
        "{stdout}"
    );
}

#[tokio::test]
async fn the_cli_escapes_control_characters_in_what_users_wrote() {
    let app = spawn_app().await;
    let (_, ticket_id, id) = devs_ticket(&app).await;
    // Stored before the API refused them (or by other means): an escape sequence that would set
    // the terminal's title, and a tab that would shift the columns.
    sqlx::query("UPDATE tickets SET subject = $1 WHERE id = $2")
        .bind("Down\u{1b}]0;owned\u{7}\tnow")
        .bind(ticket_id)
        .execute(app.db())
        .await
        .unwrap();

    let listed = cli(&app, &["tickets", "list"]);

    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let stdout = text(&listed.stdout);
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
    assert_eq!(
        stdout.lines().next(),
        Some(format!("{id}\tAcme Analytics\topen\tDown\\u{{1b}}]0;owned\\u{{7}}\\tnow").as_str()),
        "{stdout}"
    );
}

#[tokio::test]
async fn the_first_cli_reply_is_the_first_response_and_sets_the_status() {
    let app = spawn_app().await;
    let (dev, ticket_id, id) = devs_ticket(&app).await;
    let mark = app.outbox_mark().await;

    let replied = first_reply(&app, &id);

    assert!(replied.status.success(), "{}", text(&replied.stderr));
    let stdout = text(&replied.stdout);
    assert!(
        stdout.contains("Replied as Sam from Support (the first response)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("is awaiting_customer; 2 emails queued"),
        "{stdout}"
    );
    assert_eq!(
        recipients_since(&app, mark).await,
        set(&["dev@acme.example", "outside@partner.example"])
    );
    let t = dev.ticket(ticket_id).await;
    assert_eq!(t.status, TicketStatus::AwaitingCustomer);
    let first_response = t.first_response_at.expect("first response");
    assert_eq!(first_response, t.activity[0].created_at);
    assert_eq!(authors(t.activity.as_slice()), SAMS_REPLY_AND_STATUS);
    let list = dev.tickets(&TicketListQuery::default()).await;
    assert_eq!(
        list.tickets[0].last_replied_by.as_deref(),
        Some("Sam from Support")
    );
    assert!(list.tickets[0].last_reply_from_agent);
}

#[tokio::test]
async fn a_second_cli_reply_keeps_the_first_response_time_and_the_status() {
    let app = spawn_app().await;
    let (dev, ticket_id, id) = devs_ticket(&app).await;
    assert!(first_reply(&app, &id).status.success());
    let first_response = dev.ticket(ticket_id).await.first_response_at.unwrap();

    // A second reply (a second later, so its time differs) keeps the first response time.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let again = cli(
        &app,
        &[
            "tickets",
            "reply",
            &id,
            "--author",
            "Rio from Support",
            "--body",
            "Any update?",
        ],
    );

    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(!text(&again.stdout).contains("first response"));
    let t = dev.ticket(ticket_id).await;
    assert_eq!(t.first_response_at, Some(first_response));
    assert_ne!(t.activity.last().unwrap().created_at, first_response);
    assert_eq!(
        t.status,
        TicketStatus::AwaitingCustomer,
        "no --status, no change"
    );
}

#[tokio::test]
async fn the_cli_changes_the_status_once_and_a_closed_ticket_takes_no_reply() {
    let app = spawn_app().await;
    let (_, ticket_id, id) = devs_ticket(&app).await;
    assert!(first_reply(&app, &id).status.success());

    let solved = cli(&app, &["tickets", "set-status", &id, "solved"]);
    assert!(solved.status.success(), "{}", text(&solved.stderr));
    assert!(
        text(&solved.stdout).contains("Status changed from awaiting_customer"),
        "{}",
        text(&solved.stdout)
    );
    assert_eq!(stored_status(&app, ticket_id).await, "solved");
    let same = cli(&app, &["tickets", "set-status", &id, "solved"]);
    assert!(!same.status.success());
    assert!(
        text(&same.stderr).contains(&format!("ticket {id} is already solved")),
        "{}",
        text(&same.stderr)
    );

    // Flags may follow the subcommand.
    let database = app.database();
    let closed = run_cli(&[
        "tickets",
        "set-status",
        &id,
        "closed",
        "--database",
        &database,
    ]);
    assert!(closed.status.success(), "{}", text(&closed.stderr));
    let reply = ["tickets", "reply", &id, "--author", "Sam", "--body", "Hi"];
    let refused = cli(&app, &reply);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("is closed"),
        "{}",
        text(&refused.stderr)
    );
    let empty = cli(
        &app,
        &["tickets", "reply", &id, "--author", "Sam", "--body", "  "],
    );
    assert!(!empty.status.success());
    let bad_status = cli(&app, &["tickets", "set-status", &id, "pending"]);
    assert!(!bad_status.status.success());
    assert_eq!(stored_status(&app, ticket_id).await, "closed");
}

#[tokio::test]
async fn the_cli_refuses_a_ticket_that_does_not_exist() {
    let app = spawn_app().await;

    for args in [
        vec![
            "tickets", "reply", "999999", "--author", "Sam", "--body", "Hi",
        ],
        vec!["tickets", "set-status", "999999", "open"],
    ] {
        let unknown = cli(&app, &args);
        assert!(!unknown.status.success());
        let stderr = text(&unknown.stderr);
        assert!(stderr.contains("ticket 999999 does not exist"), "{stderr}");
        assert!(!stderr.contains("backtrace"), "{stderr}");
    }
}
