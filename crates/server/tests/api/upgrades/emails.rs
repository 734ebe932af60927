//! The emails creating, activating and rejecting a request leave in the outbox.

use support_server::cli::upgrades as operator;

use super::{months_ahead, this_month, upgrade_to};
use crate::helpers::spawn_app;

#[tokio::test]
async fn creating_activating_and_rejecting_write_emails_to_the_admin() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;
    let start = months_ahead(1);

    let first = admin
        .request_upgrade(&upgrade_to(&app, "essential", start, "Acme R&D").await)
        .await;
    let emails = app.outbox().await;
    // Acme has no account team: only the admin is written to.
    assert_eq!(emails.len(), 1, "{emails:?}");
    let (recipient, subject, body) = &emails[0];
    assert_eq!(recipient, "admin@acme.example");
    assert!(subject.contains("requested"), "{subject}");
    for part in [
        "Acme Analytics",
        "Essential",
        start.label().as_str(),
        "Acme R&D",
    ] {
        assert!(body.contains(part), "request email lacks {part}: {body}");
    }

    operator::activate(&app.state.store, first.id)
        .await
        .unwrap();
    let emails = app.outbox().await;
    assert_eq!(emails.len(), 2);
    let (recipient, subject, body) = &emails[1];
    assert_eq!(recipient, "admin@acme.example");
    assert!(subject.contains("active"), "{subject}");
    assert!(body.contains(&start.label()), "{body}");

    let second = admin
        .request_upgrade(&upgrade_to(&app, "premium", months_ahead(2), "Acme Default").await)
        .await;
    operator::reject(&app.state.store, second.id, "Budget not approved.")
        .await
        .unwrap();
    let emails = app.outbox().await;
    assert_eq!(emails.len(), 4);
    let (recipient, subject, body) = &emails[3];
    assert_eq!(recipient, "admin@acme.example");
    assert!(subject.contains("rejected"), "{subject}");
    assert!(body.contains("Reason: Budget not approved."), "{body}");
    assert!(
        body.contains("Premium") && body.contains("Acme Default"),
        "{body}"
    );

    let unsent: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts = 0")
            .fetch_one(app.db())
            .await
            .unwrap();
    assert_eq!(unsent, 4, "waiting for delivery");
}

#[tokio::test]
async fn the_account_team_gets_every_email_too() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@globex.example").await;

    let first = admin
        .request_upgrade(&upgrade_to(&app, "premium", this_month(), "Globex Billing").await)
        .await;
    operator::activate(&app.state.store, first.id)
        .await
        .unwrap();
    // A second request cannot go higher than Premium; make one by hand to reject.
    app.set_support_tier(admin.org_id, "basic").await;
    sqlx::query("UPDATE upgrade_requests SET status = 'cancelled' WHERE id = $1")
        .bind(first.id)
        .execute(app.db())
        .await
        .unwrap();
    let second = admin
        .request_upgrade(&upgrade_to(&app, "essential", this_month(), "Globex Billing").await)
        .await;
    operator::reject(&app.state.store, second.id, "Not needed.")
        .await
        .unwrap();

    let emails = app.outbox().await;
    let summary: Vec<(&str, bool, bool, bool)> = emails
        .iter()
        .map(|(to, subject, _)| {
            (
                to.as_str(),
                subject.contains("requested"),
                subject.contains("active"),
                subject.contains("rejected"),
            )
        })
        .collect();
    let admin = "admin@globex.example";
    let team = "globex-team@accounts.example";
    assert_eq!(
        summary,
        [
            (admin, true, false, false),
            (team, true, false, false),
            (admin, false, true, false),
            (team, false, true, false),
            (admin, true, false, false),
            (team, true, false, false),
            (admin, false, false, true),
            (team, false, false, true),
        ]
    );
    assert!(emails.iter().all(|(_, _, body)| body.contains("Globex")));
}
