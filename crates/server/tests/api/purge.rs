//! The hourly purge job (counted events: `limits.rs`): expired sessions and sent emails past `--outbox-retention-days` go; live
//! sessions, recent sent emails and unsent ones (however old) stay.

use std::time::Duration;

use clap::Parser;
use support_server::Cli;
use support_server::jobs::purge::purge;

use crate::helpers::spawn_app;

const DAY: i64 = 24 * 60 * 60;

#[tokio::test]
async fn the_purge_job_forgets_expired_sessions_and_old_sent_emails() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;
    app.sign_in("dev@acme.example").await;
    // Admin's session expired a second ago.
    sqlx::query(
        "UPDATE sessions SET expires_at = $1
         WHERE user_id = (SELECT id FROM users WHERE email = 'admin@acme.example')",
    )
    .bind(time::OffsetDateTime::now_utc().unix_timestamp() - 1)
    .execute(app.db())
    .await
    .unwrap();
    let mut tx = app.state.store.begin_write().await.unwrap();
    for recipient in [
        "old-sent@example.com",
        "new-sent@example.com",
        "unsent@example.com",
    ] {
        tx.enqueue_email(recipient, "Subject", "Body")
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let ago = |days: i64| {
        api::Timestamp::from_unix_seconds(
            time::OffsetDateTime::now_utc().unix_timestamp() - days * DAY,
        )
        .to_string()
    };
    for (recipient, sent_at, created_at) in [
        ("old-sent@example.com", Some(ago(31)), ago(31)),
        ("new-sent@example.com", Some(ago(29)), ago(29)),
        ("unsent@example.com", None, ago(400)),
    ] {
        sqlx::query("UPDATE outbox SET sent_at = $1, created_at = $2 WHERE recipient = $3")
            .bind(sent_at)
            .bind(created_at)
            .bind(recipient)
            .execute(app.db())
            .await
            .unwrap();
    }

    // The job's one run (`serve` repeats it hourly under a lease): exactly what had expired.
    let report = purge(&app.state.store, app.state.config.outbox_retention())
        .await
        .expect("the purge runs");
    assert_eq!((report.sessions, report.sent_emails), (1, 1), "{report:?}");

    assert_eq!(session_count(&app).await, 1, "dev's session is alive");
    let left: Vec<String> = sqlx::query_scalar("SELECT recipient FROM outbox ORDER BY id")
        .fetch_all(app.db())
        .await
        .unwrap();
    let left: Vec<&str> = left
        .iter()
        .map(String::as_str)
        .filter(|r| r.ends_with("@example.com"))
        .collect();
    assert_eq!(left, ["new-sent@example.com", "unsent@example.com"]);
    // The purge only deleted what was already unusable: the expired session stays refused.
    assert_eq!(
        admin.get_me().await.status(),
        reqwest::StatusCode::UNAUTHORIZED
    );
}

async fn session_count(app: &crate::helpers::TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(app.db())
        .await
        .unwrap()
}

#[test]
fn sent_emails_are_kept_30_days_unless_configured() {
    let defaults = Cli::parse_from(["support-server"]).config;
    assert_eq!(defaults.outbox_retention_days, 30);
    assert_eq!(
        defaults.outbox_retention(),
        Duration::from_secs(30 * 24 * 60 * 60)
    );
    let config = Cli::parse_from(["support-server", "--outbox-retention-days", "7"]).config;
    assert_eq!(config.outbox_retention_days, 7);
    assert!(Cli::try_parse_from(["support-server", "--outbox-retention-days", "0"]).is_err());
}
