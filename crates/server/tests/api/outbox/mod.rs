//! Delivering the outbox over SMTP, against a fake SMTP server: what is sent, that nothing is sent
//! twice (also by two workers at once), failures, backoff and the attempt limit, the background worker,
//! and the configuration flags.

pub(crate) mod fake_smtp;

use std::time::Duration;

use clap::Parser;
use lettre::message::Mailbox;
use support_server::config::SmtpUrl;
use support_server::jobs::outbox::{DeliveryReport, MAX_ATTEMPTS, deliver_pending, retry_delay};
use support_server::{AppState, Cli};
use tempfile::TempDir;
use tokio::net::TcpListener;

use crate::helpers::{test_config, test_db};
use fake_smtp::{FakeSmtp, Mode};

/// Migrated database with the demo data, no HTTP server (delivery needs none).
async fn state() -> (AppState, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(test_config(dir.path())).await.unwrap();
    (state, dir)
}

fn from() -> Mailbox {
    "Support <support@example.com>".parse().unwrap()
}

async fn enqueue(state: &AppState, emails: &[(&str, &str, &str)]) {
    let mut tx = state.store.begin_write().await.unwrap();
    for (recipient, subject, body) in emails {
        tx.enqueue_email(recipient, subject, body).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// `(recipient, sent_at, attempts, last_error, next_attempt_at)` of every row, oldest first.
type Row = (String, Option<String>, i64, Option<String>, Option<String>);

async fn rows(state: &AppState) -> Vec<Row> {
    sqlx::query_as(
        "SELECT recipient, sent_at, attempts, last_error, next_attempt_at FROM outbox ORDER BY id",
    )
    .fetch_all(&test_db(&state.config).await)
    .await
    .unwrap()
}

fn report(sent: usize, failed: usize) -> DeliveryReport {
    DeliveryReport { sent, failed }
}

/// Three emails to enqueue: (recipient, subject, body).
const THREE: [(&str, &str, &str); 3] = [
    (
        "ada@example.com",
        "Request received",
        "We got your request.",
    ),
    (
        "bob@example.com",
        "Request approved",
        "Premium from 2027-01.",
    ),
    ("cy@example.com", "Request rejected", "Not this month."),
];

#[tokio::test]
async fn sends_each_unsent_email_once_oldest_first() {
    let (state, _dir) = state().await;
    assert!(rows(&state).await.is_empty(), "the demo data has no emails");
    enqueue(&state, &THREE).await;
    let smtp = FakeSmtp::start(Mode::Accept).await;
    let mailer = smtp.url().mailer();

    // The limit is respected; the rest waits for the next call.
    let first = deliver_pending(&state.store, &mailer, &from(), 2)
        .await
        .unwrap();
    assert_eq!(first, report(2, 0));
    let second = deliver_pending(&state.store, &mailer, &from(), 10)
        .await
        .unwrap();
    assert_eq!(second, report(1, 0));

    let received = smtp.received();
    let recipients: Vec<_> = received.iter().map(|r| r.recipients.clone()).collect();
    assert_eq!(
        recipients,
        [
            vec!["ada@example.com".to_owned()],
            vec!["bob@example.com".to_owned()],
            vec!["cy@example.com".to_owned()],
        ]
    );
    for (message, (_, subject, body)) in received.iter().zip(THREE) {
        assert!(
            message.data.contains(&format!("Subject: {subject}\r\n")),
            "{}",
            message.data
        );
        assert!(message.data.contains(body), "{}", message.data);
        assert!(
            message
                .data
                .contains("From: Support <support@example.com>\r\n"),
            "{}",
            message.data
        );
        assert!(
            message.data.contains("Content-Type: text/plain"),
            "{}",
            message.data
        );
    }

    for (recipient, sent_at, attempts, last_error, next_attempt_at) in rows(&state).await {
        assert!(sent_at.is_some(), "{recipient} is marked sent");
        assert_eq!(attempts, 1, "{recipient}");
        assert_eq!(last_error, None, "{recipient}");
        assert_eq!(next_attempt_at, None, "{recipient}");
    }

    // Nothing is left to send: no duplicates, not even a connection.
    let connections = smtp.connections();
    let again = deliver_pending(&state.store, &mailer, &from(), 10)
        .await
        .unwrap();
    assert_eq!(again, report(0, 0));
    assert_eq!(smtp.received().len(), 3);
    assert_eq!(smtp.connections(), connections);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_at_once_never_send_a_row_twice() {
    let (state, _dir) = state().await;
    let emails: Vec<(String, String)> = (0..8)
        .map(|i| (format!("user{i}@example.com"), format!("Email {i}")))
        .collect();
    let refs: Vec<(&str, &str, &str)> = emails
        .iter()
        .map(|(r, s)| (r.as_str(), s.as_str(), "Hello."))
        .collect();
    enqueue(&state, &refs).await;
    let smtp = FakeSmtp::start(Mode::Accept).await;
    let mailer = smtp.url().mailer();

    let from = from();
    let (a, b) = tokio::join!(
        deliver_pending(&state.store, &mailer, &from, 100),
        deliver_pending(&state.store, &mailer, &from, 100),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 8, "{a:?} {b:?}");
    assert_eq!(a.failed + b.failed, 0);

    let mut recipients: Vec<String> = smtp
        .received()
        .into_iter()
        .flat_map(|r| r.recipients)
        .collect();
    recipients.sort();
    let mut expected: Vec<String> = emails.into_iter().map(|(r, _)| r).collect();
    expected.sort();
    assert_eq!(recipients, expected, "each email exactly once");
    assert!(
        rows(&state)
            .await
            .iter()
            .all(|(_, sent_at, attempts, ..)| sent_at.is_some() && *attempts == 1)
    );
}

#[tokio::test]
async fn a_refused_email_stays_unsent_and_waits_for_its_backoff() {
    let (state, _dir) = state().await;
    enqueue(
        &state,
        &[
            ("ada@example.com", "One", "Body one."),
            ("bob@example.com", "Two", "Body two."),
        ],
    )
    .await;
    let smtp = FakeSmtp::start(Mode::RejectRecipients).await;
    let mailer = smtp.url().mailer();

    let before = time::OffsetDateTime::now_utc();
    let first = deliver_pending(&state.store, &mailer, &from(), 10)
        .await
        .unwrap();
    assert_eq!(first, report(0, 2));
    assert!(smtp.received().is_empty());
    assert_eq!(smtp.connections(), 2);
    for (recipient, sent_at, attempts, last_error, next_attempt_at) in rows(&state).await {
        assert_eq!(sent_at, None, "{recipient}");
        assert_eq!(attempts, 1, "{recipient}");
        let last_error = last_error.expect("the error is stored");
        assert!(last_error.contains("550"), "{last_error}");
        assert!(last_error.contains("No such user"), "{last_error}");
        let next = time::OffsetDateTime::parse(
            &next_attempt_at.expect("a retry time"),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        // One minute after the first failure (whole seconds, so allow one second of rounding).
        assert!(
            next >= before + retry_delay(1) - Duration::from_secs(1),
            "{next}"
        );
        assert!(
            next <= time::OffsetDateTime::now_utc() + retry_delay(1),
            "{next}"
        );
    }

    // Before the backoff is over nothing is tried: no connection, no new attempt.
    let again = deliver_pending(&state.store, &mailer, &from(), 10)
        .await
        .unwrap();
    assert_eq!(again, report(0, 0));
    assert_eq!(smtp.connections(), 2);
    assert!(rows(&state).await.iter().all(|row| row.2 == 1));

    // Once it is over, both are tried again and the attempts add up.
    sqlx::query("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z'")
        .execute(&test_db(&state.config).await)
        .await
        .unwrap();
    let retried = deliver_pending(&state.store, &mailer, &from(), 10)
        .await
        .unwrap();
    assert_eq!(retried, report(0, 2));
    assert_eq!(smtp.connections(), 4);
    assert!(rows(&state).await.iter().all(|row| row.2 == 2));

    // A row that used up its attempts is left alone for good.
    sqlx::query("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z', attempts = $1")
        .bind(MAX_ATTEMPTS)
        .execute(&test_db(&state.config).await)
        .await
        .unwrap();
    let given_up = deliver_pending(&state.store, &mailer, &from(), 10)
        .await
        .unwrap();
    assert_eq!(given_up, report(0, 0));
    assert_eq!(smtp.connections(), 4);
}

#[tokio::test]
async fn an_unreachable_server_is_a_failed_attempt() {
    let (state, _dir) = state().await;
    enqueue(&state, &[("ada@example.com", "One", "Body one.")]).await;
    // A port that was free a moment ago and has no listener now.
    let address = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let url: SmtpUrl = format!("smtp://{address}").parse().unwrap();

    let result = deliver_pending(&state.store, &url.mailer(), &from(), 10)
        .await
        .unwrap();
    assert_eq!(result, report(0, 1));
    let rows = rows(&state).await;
    let (_, sent_at, attempts, last_error, next_attempt_at) = &rows[0];
    assert_eq!(*sent_at, None);
    assert_eq!(*attempts, 1);
    assert!(last_error.as_deref().is_some_and(|e| !e.is_empty()));
    assert!(next_attempt_at.is_some());
}

/// What `serve` runs (`start_jobs`): the delivery under the `outbox` lease, every
/// `--outbox-interval-secs`.
#[tokio::test]
async fn the_worker_delivers_in_the_background_and_stops() {
    let smtp = FakeSmtp::start(Mode::Accept).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.smtp_url = Some(smtp.url());
    config.outbox_interval_secs = 1;
    let state = AppState::new(config).await.unwrap();
    let jobs = support_server::start_jobs(&state);
    // Enqueued while the worker is already waiting: picked up on a later round.
    tokio::time::sleep(Duration::from_millis(200)).await;
    enqueue(&state, &[("ada@example.com", "Later", "Hello.")]).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while smtp.received().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the worker sent nothing"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(smtp.received()[0].recipients, ["ada@example.com"]);

    let stopping = async {
        for job in jobs {
            job.stop().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), stopping)
        .await
        .expect("the worker stops promptly");
    // Stopped: a new email is not sent.
    enqueue(&state, &[("bob@example.com", "After", "Hello.")]).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(rows(&state).await[1].1, None);
}

#[test]
fn retry_delays_double_up_to_six_hours() {
    assert_eq!(retry_delay(1), Duration::from_secs(60));
    assert_eq!(retry_delay(2), Duration::from_secs(120));
    assert_eq!(retry_delay(3), Duration::from_secs(240));
    assert_eq!(retry_delay(9), Duration::from_secs(256 * 60));
    assert_eq!(retry_delay(12), Duration::from_secs(6 * 60 * 60));
    assert_eq!(retry_delay(i64::MAX), Duration::from_secs(6 * 60 * 60));
}

#[test]
fn smtp_urls() {
    let parse = |s: &str| s.parse::<SmtpUrl>();
    let url = |host: &str, port| SmtpUrl {
        host: host.into(),
        port,
    };
    assert_eq!(parse("smtp://127.0.0.1:2525"), Ok(url("127.0.0.1", 2525)));
    assert_eq!(
        parse("smtp://mail.example.com"),
        Ok(url("mail.example.com", 25))
    );
    assert_eq!(parse("SMTP://relay:587/"), Ok(url("relay", 587)));
    assert_eq!(parse("smtp://[::1]:2525"), Ok(url("::1", 2525)));
    assert_eq!(url("::1", 2525).to_string(), "smtp://[::1]:2525");
    assert_eq!(url("relay", 25).to_string(), "smtp://relay:25");

    let tls = parse("smtps://mail.example.com").unwrap_err();
    assert!(tls.contains("not supported"), "{tls}");
    let auth = parse("smtp://user:hunter2@mail.example.com").unwrap_err();
    assert!(auth.contains("not supported"), "{auth}");
    assert!(!auth.contains("hunter2"), "the password is not repeated");
    for bad in [
        "mail.example.com",
        "http://mail.example.com",
        "smtp://",
        "smtp://:25",
        "smtp://host:0",
        "smtp://host:99999",
        "smtp://host:port",
        "smtp://host/path",
        "smtp://a:b:25",
        "smtp://[::1",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn delivery_flags_and_their_defaults() {
    let defaults = Cli::parse_from(["support-server"]).config;
    assert_eq!(defaults.smtp_url, None);
    assert_eq!(
        defaults.mail_from.to_string(),
        "Support <support@example.com>"
    );
    assert_eq!(defaults.outbox_interval_secs, 10);

    let config = Cli::parse_from([
        "support-server",
        "--smtp-url",
        "smtp://127.0.0.1:2525",
        "--mail-from",
        "ops@example.com",
        "--outbox-interval-secs",
        "3",
    ])
    .config;
    assert_eq!(
        config.smtp_url,
        Some(SmtpUrl {
            host: "127.0.0.1".into(),
            port: 2525
        })
    );
    assert_eq!(config.mail_from.email.to_string(), "ops@example.com");
    assert_eq!(config.outbox_interval_secs, 3);

    for bad in [
        ["--smtp-url", "smtps://mail.example.com"],
        ["--mail-from", "not an address"],
        ["--outbox-interval-secs", "0"],
    ] {
        let args = std::iter::once("support-server").chain(bad);
        assert!(Cli::try_parse_from(args).is_err(), "{bad:?}");
    }
}
