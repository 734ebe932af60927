//! Replies by email against the real app: real RFC 5322 messages (`fixtures/*.eml`, with the reply
//! token and the ticket's id filled in) ingested both by the binary's `mail ingest` (pipe delivery)
//! and by `POST /api/v1/inbound-mail` (a webhook), each into a fresh app; the headers of the emails
//! the outbox sends; and the endpoint's authentication.

mod headers;
mod limits;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use api::{Activity, ActivityKind, AuthorKind, NewTicket, Severity, Ticket, TicketStatus};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Session, TestApp, spawn_app_with, text};

/// The reply domain every test app is configured with.
const DOMAIN: &str = "support.example.com";
/// The inbound-mail endpoint's shared secret.
const SECRET: &str = "inbound-secret-for-tests";
/// The CCed address that is not a console user.
const OUTSIDE: &str = "outside@partner.example";

/// How a message reaches the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// `support-server mail ingest` with the message on standard input.
    Cli,
    /// `POST /api/v1/inbound-mail`.
    Http,
}

const BOTH: [Via; 2] = [Via::Cli, Via::Http];

/// What ingesting one message answered: the CLI's exit status, or the endpoint's outcome.
#[derive(Debug)]
struct Ingested {
    /// `added`, `answered_closed`, `dropped` or `refused`.
    outcome: String,
    /// The CLI's exit status; for the endpoint, 0 for its 200, else its status (429).
    code: i32,
    detail: String,
}

/// An app with replies by email on, and Dana's ticket CCing [`OUTSIDE`].
async fn app_with_ticket() -> (TestApp, Session, Ticket) {
    app_with_ticket_and(|_| {}).await
}

/// [`app_with_ticket`], with `configure` applied to the app's configuration too.
async fn app_with_ticket_and(
    configure: impl FnOnce(&mut support_server::Config),
) -> (TestApp, Session, Ticket) {
    let app = spawn_app_with(|config| {
        config.reply_domain = Some(DOMAIN.into());
        config.inbound_mail_secret = Some(SECRET.into());
        configure(config);
    })
    .await;
    let dev = app.sign_in("dev@acme.example").await;
    let ticket = dev
        .create_ticket(&NewTicket {
            cc: vec![OUTSIDE.into()],
            subject: "Replica lag on pg-main".into(),
            severity: Some(Severity::High),
            product: "postgresql".into(),
            reason: "performance".into(),
            description: "Replication lag grows during the nightly batch.".into(),
            ..NewTicket::default()
        })
        .await;
    (app, dev, ticket)
}

/// The reply token given to `recipient` on `ticket_id`.
async fn token(app: &TestApp, ticket_id: i64, recipient: &str) -> String {
    sqlx::query_scalar("SELECT token FROM reply_tokens WHERE ticket_id = $1 AND recipient = $2")
        .bind(ticket_id)
        .bind(recipient)
        .fetch_one(app.db())
        .await
        .unwrap_or_else(|e| panic!("no token for {recipient}: {e}"))
}

/// Fixture `name` with the token and ticket id filled in.
fn fixture(name: &str, token: &str, ticket_id: i64) -> Vec<u8> {
    let path = format!(
        "{}/tests/api/mail/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .replace("{{TOKEN}}", token)
        .replace("{{TICKET}}", &ticket_id.to_string())
        .into_bytes()
}

/// Runs the binary's `mail ingest` on `message` against the app's data directory.
fn ingest_cli(app: &TestApp, message: &[u8], extra: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_support-server"))
        .args(["--data-dir", app.dir.path().to_str().unwrap()])
        .args(["--database", &app.database()])
        .env(
            "SUPPORT_ATTACHMENTS",
            app.state.config.attachments().to_string(),
        )
        .args(["--reply-domain", DOMAIN])
        .args(extra)
        .args(["mail", "ingest"])
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("support-server runs");
    child.stdin.take().unwrap().write_all(message).unwrap();
    child.wait_with_output().unwrap()
}

/// Posts `message` to the inbound-mail endpoint with `secret`.
async fn post_mail(app: &TestApp, message: Vec<u8>, secret: &str) -> reqwest::Response {
    app.client()
        .post(app.api("/inbound-mail"))
        .bearer_auth(secret)
        .header("content-type", "message/rfc822")
        .body(message)
        .send()
        .await
        .unwrap()
}

/// Ingests `message` the `via` way.
async fn ingest(app: &TestApp, via: Via, message: Vec<u8>) -> Ingested {
    ingest_with(app, via, message, &[]).await
}

/// [`ingest`], with `cli_flags` given to the CLI (the flags the app's configuration was given: the
/// CLI is another process, with its own).
async fn ingest_with(app: &TestApp, via: Via, message: Vec<u8>, cli_flags: &[&str]) -> Ingested {
    match via {
        Via::Cli => {
            let output = ingest_cli(app, &message, cli_flags);
            let stderr = text(&output.stderr);
            let code = output.status.code().expect("exited");
            let outcome = stderr
                .lines()
                .find_map(|l| {
                    ["dropped", "refused"]
                        .into_iter()
                        .find(|o| l.starts_with(&format!("{o}:")))
                })
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    if code == 0 {
                        "ok".into()
                    } else {
                        "error".into()
                    }
                });
            Ingested {
                outcome,
                code,
                detail: stderr,
            }
        }
        Via::Http => {
            let response = post_mail(app, message, SECRET).await;
            // 200 for every message read, but 429 with `Retry-After` for one to deliver again later.
            let code = match response.status() {
                StatusCode::OK => 0,
                StatusCode::TOO_MANY_REQUESTS => {
                    let retry_after: u64 = response.headers()[reqwest::header::RETRY_AFTER]
                        .to_str()
                        .unwrap()
                        .parse()
                        .unwrap();
                    assert!((1..=3600).contains(&retry_after), "{retry_after}");
                    429
                }
                other => panic!("inbound mail answered {other}"),
            };
            let body: Value = response.json().await.unwrap();
            let outcome = body["outcome"].as_str().unwrap().to_owned();
            let outcome = match outcome.as_str() {
                "added" | "answered_closed" => "ok".to_owned(),
                _ => outcome,
            };
            Ingested {
                outcome,
                code,
                detail: body.to_string(),
            }
        }
    }
}

/// The ticket's conversation after the one it had when created.
async fn conversation(dev: &Session, ticket_id: i64) -> Vec<Activity> {
    dev.ticket(ticket_id).await.activity
}

/// Ingests fixture `name` from [`OUTSIDE`] into a fresh app, `via`; the app, Dana's session, the
/// ticket and the outcome.
async fn outside_reply(name: &str, via: Via) -> (TestApp, Session, Ticket, Ingested) {
    let (app, dev, ticket) = app_with_ticket().await;
    let token = token(&app, ticket.id, OUTSIDE).await;
    let ingested = ingest(&app, via, fixture(name, &token, ticket.id)).await;
    (app, dev, ticket, ingested)
}

/// The one comment a reply added, by email.
fn only_comment(activity: &[Activity]) -> &Activity {
    let comments: Vec<&Activity> = activity
        .iter()
        .filter(|a| a.kind == ActivityKind::Comment)
        .collect();
    assert_eq!(comments.len(), 1, "{activity:#?}");
    assert!(comments[0].by_email, "{:#?}", comments[0]);
    comments[0]
}

#[tokio::test]
async fn a_plain_reply_from_a_ccd_non_user_becomes_their_comment_without_history_or_signature() {
    for via in BOTH {
        let (app, dev, ticket, ingested) = outside_reply("plain.eml", via).await;
        assert_eq!(
            (ingested.outcome.as_str(), ingested.code),
            ("ok", 0),
            "{via:?}: {ingested:?}"
        );
        let activity = conversation(&dev, ticket.id).await;
        let comment = only_comment(&activity);
        assert_eq!(comment.author_kind, AuthorKind::Email);
        assert_eq!(comment.author_name, OUTSIDE);
        assert_eq!(
            comment.body,
            "The replica caught up after the batch. Thanks, Sam!"
        );
        // Everyone else hears of it; the sender does not get their own words back.
        let emails = app.emails_since(0).await;
        let about_reply: Vec<&String> = emails
            .iter()
            .filter(|(_, _, body)| body.contains("caught up"))
            .map(|(to, _, _)| to)
            .collect();
        assert_eq!(about_reply, ["dev@acme.example"], "{via:?}");
        let (_, _, body) = emails
            .iter()
            .find(|(_, _, b)| b.contains("caught up"))
            .unwrap();
        assert!(
            body.contains("outside@partner.example replied by email on support ticket"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn outlook_and_inline_quotes_are_stripped() {
    for via in BOTH {
        let (_app, dev, ticket, ingested) = outside_reply("quoted.eml", via).await;
        assert_eq!(ingested.outcome, "ok", "{via:?}: {ingested:?}");
        let activity = conversation(&dev, ticket.id).await;
        assert_eq!(
            only_comment(&activity).body,
            "replica-2 in eu-west-1.\n\nIt lags only during the nightly batch."
        );
    }
}

#[tokio::test]
async fn multipart_alternative_takes_the_text_part_and_html_only_is_turned_into_text() {
    for via in BOTH {
        let (_app, dev, ticket, ingested) = outside_reply("alternative.eml", via).await;
        assert_eq!(ingested.outcome, "ok", "{via:?}: {ingested:?}");
        let activity = conversation(&dev, ticket.id).await;
        assert_eq!(
            only_comment(&activity).body,
            "Lag is down to 2 s \u{2013} looks good."
        );

        let (_app, dev, ticket, ingested) = outside_reply("html_only.eml", via).await;
        assert_eq!(ingested.outcome, "ok", "{via:?}: {ingested:?}");
        let activity = conversation(&dev, ticket.id).await;
        let body = &only_comment(&activity).body;
        assert!(
            body.contains("Only HTML here: <script> stays text."),
            "{body:?}"
        );
        assert!(!body.contains("<b>"), "{body:?}");
    }
}

#[tokio::test]
async fn an_attached_png_is_stored_like_an_upload_and_an_exe_is_skipped() {
    for via in BOTH {
        let (app, dev, ticket, ingested) = outside_reply("attachment.eml", via).await;
        assert_eq!(ingested.outcome, "ok", "{via:?}: {ingested:?}");
        let activity = conversation(&dev, ticket.id).await;
        let comment = only_comment(&activity);
        assert_eq!(comment.body, "The screenshot of the lag graph is attached.");
        let names: Vec<&str> = comment
            .attachments
            .iter()
            .map(|a| a.file_name.as_str())
            .collect();
        assert_eq!(names, ["lag.png"], "{via:?}");
        assert_eq!(comment.attachments[0].content_type, "image/png");
        assert_eq!(comment.attachments[0].size, 208);
        // Downloadable by the ticket's readers, byte for byte.
        let download = dev
            .get_attachment(ticket.id, comment.attachments[0].id)
            .await;
        assert_eq!(download.status(), StatusCode::OK);
        let bytes = download.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(
            app.stored_files().await.len(),
            1,
            "the refused file left nothing on disk"
        );
    }
}

#[tokio::test]
async fn a_forged_token_or_another_sender_is_refused_and_adds_nothing() {
    for via in BOTH {
        for (name, code, reason) in [
            ("forged.eml", 67, "the reply address is unknown"),
            (
                "wrong_sender.eml",
                77,
                "the sender is not the person the reply address was given to",
            ),
        ] {
            let (app, dev, ticket, ingested) = outside_reply(name, via).await;
            assert_eq!(ingested.outcome, "refused", "{via:?} {name}: {ingested:?}");
            assert!(
                ingested.detail.contains(reason),
                "{via:?} {name}: {ingested:?}"
            );
            if via == Via::Cli {
                assert_eq!(ingested.code, code, "{name}: {ingested:?}");
            }
            assert_eq!(conversation(&dev, ticket.id).await.len(), 0, "{name}");
            let mark = 0;
            assert!(
                app.emails_since(mark)
                    .await
                    .iter()
                    .all(|(to, _, _)| !to.contains("evil")),
                "nothing is sent to the forger"
            );
        }
    }
}

#[tokio::test]
async fn auto_replies_bounces_and_loops_are_dropped_quietly() {
    for via in BOTH {
        for name in ["auto_reply.eml", "bounce.eml", "loop.eml"] {
            let (app, dev, ticket, ingested) = outside_reply(name, via).await;
            let mark = app.outbox_mark().await;
            assert_eq!(
                (ingested.outcome.as_str(), ingested.code),
                ("dropped", 0),
                "{via:?} {name}: {ingested:?}"
            );
            assert_eq!(conversation(&dev, ticket.id).await.len(), 0, "{name}");
            assert!(
                app.emails_since(mark).await.is_empty(),
                "{name}: never answered"
            );
        }
    }
}

#[tokio::test]
async fn a_reply_to_a_closed_ticket_adds_nothing_and_gets_an_automatic_answer() {
    for via in BOTH {
        let (app, dev, ticket) = app_with_ticket().await;
        let token = token(&app, ticket.id, OUTSIDE).await;
        let database = app.database();
        let closed = crate::helpers::run_cli(&[
            "--database",
            &database,
            "tickets",
            "set-status",
            &ticket.id.to_string(),
            "closed",
        ]);
        assert!(closed.status.success(), "{}", text(&closed.stderr));
        let before = conversation(&dev, ticket.id).await.len();
        let mark = app.outbox_mark().await;

        let ingested = ingest(&app, via, fixture("closed.eml", &token, ticket.id)).await;

        assert_eq!(
            (ingested.outcome.as_str(), ingested.code),
            ("ok", 0),
            "{via:?}: {ingested:?}"
        );
        let after = conversation(&dev, ticket.id).await;
        assert_eq!(after.len(), before, "nothing added");
        assert_eq!(dev.ticket(ticket.id).await.status, TicketStatus::Closed);
        let emails = app.emails_since(mark).await;
        assert_eq!(emails.len(), 1, "{emails:#?}");
        let (to, subject, body) = &emails[0];
        assert_eq!(to, OUTSIDE);
        assert_eq!(
            subject,
            &format!("[Support #{}] Replica lag on pg-main", ticket.id)
        );
        assert!(body.contains("the ticket is closed"), "{body}");
        assert!(body.contains("create a follow-up ticket"), "{body}");
    }
}

#[tokio::test]
async fn addresses_in_the_replys_cc_join_the_ticket_under_the_forms_rules() {
    for via in BOTH {
        let (app, dev, ticket, ingested) = outside_reply("two_ccs.eml", via).await;
        assert_eq!(ingested.outcome, "ok", "{via:?}: {ingested:?}");
        let now = dev.ticket(ticket.id).await;
        // The submitter, the reply address and our own address are not added.
        assert_eq!(
            now.cc,
            [OUTSIDE, "nora@partner.example", "ops@partner.example"],
            "{via:?}"
        );
        let cc_entry = now
            .activity
            .iter()
            .find(|a| a.kind == ActivityKind::CcAdded)
            .expect("a CC entry");
        assert_eq!(cc_entry.author_name, OUTSIDE);
        assert!(cc_entry.by_email);
        // The new people are told, and get reply addresses of their own.
        let recipients: Vec<String> = app
            .emails_since(0)
            .await
            .into_iter()
            .map(|(to, _, _)| to)
            .collect();
        for new in ["nora@partner.example", "ops@partner.example"] {
            assert!(recipients.iter().any(|r| r == new), "{recipients:?}");
            token(&app, ticket.id, new).await;
        }
    }
}

#[tokio::test]
async fn a_cc_list_that_is_full_skips_the_new_addresses_but_keeps_the_comment() {
    let (app, dev, ticket) = app_with_ticket().await;
    let filler: Vec<String> = (1..48)
        .map(|i| format!("person{i}@partner.example"))
        .collect();
    dev.comment(
        ticket.id,
        &api::NewComment {
            cc: filler,
            ..api::NewComment::default()
        },
    )
    .await;
    let token = token(&app, ticket.id, OUTSIDE).await;

    let ingested = ingest(&app, Via::Http, fixture("two_ccs.eml", &token, ticket.id)).await;

    assert_eq!(ingested.outcome, "ok", "{ingested:?}");
    let now = dev.ticket(ticket.id).await;
    assert_eq!(now.cc.len(), 48);
    assert!(!now.cc.iter().any(|c| c == "nora@partner.example"));
    let last = now.activity.last().unwrap();
    assert_eq!(last.kind, ActivityKind::Comment);
    assert_eq!(
        last.body,
        "Adding Nora and our ops team, who run the batch."
    );
}

#[tokio::test]
async fn a_members_reply_is_their_comment_by_email_and_reopens_a_ticket_awaiting_them() {
    for via in BOTH {
        let (app, dev, ticket) = app_with_ticket().await;
        let database = app.database();
        let asked = crate::helpers::run_cli(&[
            "--database",
            &database,
            "tickets",
            "reply",
            &ticket.id.to_string(),
            "--author",
            "Sam from Support",
            "--body",
            "Which replica?",
            "--status",
            "awaiting_customer",
        ]);
        assert!(asked.status.success(), "{}", text(&asked.stderr));
        let token = token(&app, ticket.id, "dev@acme.example").await;

        let ingested = ingest(&app, via, fixture("member.eml", &token, ticket.id)).await;

        assert_eq!(ingested.outcome, "ok", "{via:?}: {ingested:?}");
        let now = dev.ticket(ticket.id).await;
        assert_eq!(now.status, TicketStatus::Open);
        let comment = now
            .activity
            .iter()
            .rfind(|a| a.kind == ActivityKind::Comment)
            .unwrap();
        assert_eq!(comment.author_kind, AuthorKind::Customer);
        assert_eq!(comment.author_name, "Dana Developer");
        assert!(comment.by_email);
        assert!(
            comment
                .body
                .starts_with("Dana here, replying from my phone: still fine.")
        );
    }
}

#[tokio::test]
async fn someone_taken_off_the_cc_list_can_no_longer_reply() {
    let (app, dev, ticket) = app_with_ticket().await;
    let token = token(&app, ticket.id, OUTSIDE).await;
    let removed = dev.delete_cc(ticket.id, OUTSIDE).await;
    assert!(removed.status().is_success());

    let ingested = ingest(&app, Via::Cli, fixture("plain.eml", &token, ticket.id)).await;

    assert_eq!(
        (ingested.outcome.as_str(), ingested.code),
        ("refused", 77),
        "{ingested:?}"
    );
    assert!(
        !dev.ticket(ticket.id)
            .await
            .activity
            .iter()
            .any(|a| a.kind == ActivityKind::Comment)
    );
}

#[tokio::test]
async fn oversized_messages_are_refused_by_both_ways_in() {
    let (app, _dev, ticket) = app_with_ticket().await;
    let token = token(&app, ticket.id, OUTSIDE).await;
    let mut message = fixture("plain.eml", &token, ticket.id);
    message.extend(std::iter::repeat_n(b'x', 4096));

    let output = ingest_cli(&app, &message, &["--inbound-mail-max-bytes", "2048"]);
    assert_eq!(output.status.code(), Some(65), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("the message is too big"));

    let small = spawn_app_with(|config| {
        config.reply_domain = Some(DOMAIN.into());
        config.inbound_mail_secret = Some(SECRET.into());
        config.inbound_mail_max_bytes = 2048;
    })
    .await;
    let response = post_mail(&small, message, SECRET).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_endpoint_needs_the_secret_and_exists_only_when_configured() {
    let (app, _dev, ticket) = app_with_ticket().await;
    let token = token(&app, ticket.id, OUTSIDE).await;
    let message = fixture("plain.eml", &token, ticket.id);

    let wrong = post_mail(&app, message.clone(), "not-the-secret").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let none = app
        .client()
        .post(app.api("/inbound-mail"))
        .body(message.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);

    let off = crate::helpers::spawn_app().await;
    let response = post_mail(&off, message, SECRET).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let output = Command::new(env!("CARGO_BIN_EXE_support-server"))
        .args([
            "--data-dir",
            off.dir.path().to_str().unwrap(),
            "--database",
            &off.database(),
            "mail",
            "ingest",
        ])
        .env_remove("SUPPORT_REPLY_DOMAIN")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(78), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("--reply-domain"));
}

#[tokio::test]
async fn an_email_replys_file_and_its_directory_are_synced_before_its_row_commits() {
    use support_server::rules::attachments::durability::{Step, steps};
    // The endpoint runs in this process, whose recorder the test reads (the CLI is another one).
    // About the local disk: a bucket has no fsync to order.
    let (app, _dev, ticket) = app_with_ticket_and(crate::helpers::local_files).await;
    let token = token(&app, ticket.id, OUTSIDE).await;
    let ingested = ingest(
        &app,
        Via::Http,
        fixture("attachment.eml", &token, ticket.id),
    )
    .await;
    assert_eq!(ingested.outcome, "ok", "{ingested:?}");

    let stored = app.stored_files().await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        steps(&stored[0]),
        [
            Step::FileSynced,
            Step::DirSynced,
            Step::Kept,
            Step::Committed
        ],
        "kept before the commit is issued: a reply dropped inside it must not lose the file"
    );
}

#[tokio::test]
async fn control_characters_a_comment_may_not_hold_are_dropped_from_a_replys_text() {
    for via in BOTH {
        let (app, dev, ticket) = app_with_ticket().await;
        let token = token(&app, ticket.id, OUTSIDE).await;
        // An escape sequence (clear the screen), a NUL and a backspace; the tab stays, as in a comment.
        let message = String::from_utf8(fixture("plain.eml", &token, ticket.id))
            .unwrap()
            .replace("caught up", "caught\u{1b}[2J\u{0}\u{8} up\tfully")
            .into_bytes();

        let ingested = ingest(&app, via, message).await;

        assert_eq!(ingested.outcome, "ok", "{via:?}: {ingested:?}");
        let activity = conversation(&dev, ticket.id).await;
        assert_eq!(
            only_comment(&activity).body,
            "The replica caught[2J up\tfully after the batch. Thanks, Sam!",
            "{via:?}"
        );
        let emails = app.emails_since(0).await;
        let (_, _, body) = emails
            .iter()
            .find(|(_, _, b)| b.contains("fully after the batch"))
            .expect("the email about the reply");
        assert!(!body.contains('\u{1b}'), "{via:?}: {body:?}");
    }
}
