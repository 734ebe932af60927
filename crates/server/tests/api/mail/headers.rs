//! The headers of the emails the outbox sends, as the fake SMTP server receives them: a Message-ID
//! fixed when the row was recorded (the same on a resend), the ticket's threading headers, the
//! recipient's own reply address (only with `--reply-domain`), and the automatic-mail markers.

use api::NewComment;
use support_server::jobs::outbox::{REPLY_HINT, Sender, deliver_pending_as};

use super::{DOMAIN, OUTSIDE, app_with_ticket, token};
use crate::outbox::fake_smtp::{FakeSmtp, Mode};

/// The value of header `name` in the raw email `data` (one line; lettre folds nothing this short).
fn header<'a>(data: &'a str, name: &str) -> Option<&'a str> {
    data.lines()
        .find_map(|line| line.strip_prefix(&format!("{name}: ")))
        .map(str::trim)
}

#[tokio::test]
async fn ticket_emails_carry_a_reply_address_per_recipient_and_threading_headers() {
    let (app, dev, ticket) = app_with_ticket().await;
    let smtp = FakeSmtp::start(Mode::Accept).await;
    let sender = Sender::from_config(&app.state.config);

    let report = deliver_pending_as(&app.state.store, &smtp.url().mailer(), &sender, 100)
        .await
        .unwrap();

    assert_eq!(report.sent, 2, "the submitter and the CC");
    let received = smtp.received();
    let to_outside = received
        .iter()
        .find(|r| r.recipients.iter().any(|a| a == OUTSIDE))
        .expect("an email to the CC");
    let data = &to_outside.data;
    let token = token(&app, ticket.id, OUTSIDE).await;
    assert_eq!(
        header(data, "Reply-To"),
        Some(format!("reply+{token}@{DOMAIN}").as_str()),
        "{data}"
    );
    let root = format!("<ticket-{}@{DOMAIN}>", ticket.id);
    assert_eq!(header(data, "In-Reply-To"), Some(root.as_str()), "{data}");
    assert_eq!(header(data, "References"), Some(root.as_str()), "{data}");
    assert_eq!(header(data, "Auto-Submitted"), Some("auto-generated"));
    assert_eq!(header(data, "X-Loop"), Some("support@example.com"));
    assert!(
        data.contains("Reply to this email to add a comment"),
        "{data}"
    );
    assert!(REPLY_HINT.starts_with("Reply to this email"));

    // Each recipient has a reply address of their own.
    let to_dev = received
        .iter()
        .find(|r| r.recipients.iter().any(|a| a == "dev@acme.example"))
        .unwrap();
    let devs = token_of(&to_dev.data);
    assert_ne!(devs, token);

    // The Message-ID is the row's: a resend after a crash (the row unsent again) repeats it.
    let message_id = header(data, "Message-ID").unwrap().to_owned();
    assert!(message_id.ends_with(&format!("@{DOMAIN}>")), "{message_id}");
    let stored: String = sqlx::query_scalar("SELECT message_id FROM outbox WHERE recipient = $1")
        .bind(OUTSIDE)
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(message_id, format!("<{stored}@{DOMAIN}>"));
    sqlx::query("UPDATE outbox SET sent_at = NULL, next_attempt_at = NULL WHERE recipient = $1")
        .bind(OUTSIDE)
        .execute(app.db())
        .await
        .unwrap();
    deliver_pending_as(&app.state.store, &smtp.url().mailer(), &sender, 100)
        .await
        .unwrap();
    let resent = smtp.received();
    assert_eq!(resent.len(), 3);
    assert_eq!(
        header(&resent[2].data, "Message-ID"),
        Some(message_id.as_str())
    );
    assert_ne!(
        header(&to_dev.data, "Message-ID"),
        Some(message_id.as_str()),
        "one Message-ID per email"
    );

    // A later email about the same ticket gives the CC the reply address it already has.
    dev.comment(
        ticket.id,
        &NewComment {
            body: "The batch moved to 02:00.".into(),
            ..NewComment::default()
        },
    )
    .await;
    deliver_pending_as(&app.state.store, &smtp.url().mailer(), &sender, 100)
        .await
        .unwrap();
    let later = smtp.received();
    let later_to_outside = later[3..]
        .iter()
        .find(|r| r.recipients.iter().any(|a| a == OUTSIDE))
        .expect("an email to the CC about the comment");
    assert_eq!(token_of(&later_to_outside.data), token);
}

/// The token in the email's `Reply-To`.
fn token_of(data: &str) -> String {
    let reply_to = header(data, "Reply-To").expect("a Reply-To");
    reply_to
        .strip_prefix("reply+")
        .and_then(|rest| rest.split('@').next())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn without_a_reply_domain_emails_have_no_reply_address_but_still_thread() {
    let (app, _dev, ticket) = app_with_ticket().await;
    let smtp = FakeSmtp::start(Mode::Accept).await;
    let sender = Sender {
        reply_domain: None,
        ..Sender::from_config(&app.state.config)
    };

    deliver_pending_as(&app.state.store, &smtp.url().mailer(), &sender, 100)
        .await
        .unwrap();

    for email in smtp.received() {
        assert_eq!(header(&email.data, "Reply-To"), None, "{}", email.data);
        assert!(!email.data.contains("Reply to this email"));
        let root = format!("<ticket-{}@example.com>", ticket.id);
        assert_eq!(header(&email.data, "In-Reply-To"), Some(root.as_str()));
        assert!(header(&email.data, "Message-ID").is_some_and(|id| id.ends_with("@example.com>")));
    }
}
