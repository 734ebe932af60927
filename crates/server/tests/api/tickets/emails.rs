//! The emails creating a ticket leaves in the outbox.

use api::{NewTicket, Severity};

use super::acme_form_with;
use crate::helpers::spawn_app;

#[tokio::test]
async fn creating_emails_the_submitter_and_each_cc_once() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    // Basic includes no account team: even a known one is not emailed.
    app.set_account_team(dev.org_id, "acme-team@accounts.example")
        .await;
    let file = dev.upload_png("shot.png").await;
    let form = acme_form_with(&app, |f| {
        f.cc = vec!["admin@acme.example".into(), "ops@partner.example".into()];
        f.attachment_ids = vec![file.id];
    })
    .await;
    let ticket = dev.create_ticket(&form).await;

    let emails = app.outbox().await;
    let recipients: Vec<&str> = emails.iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(
        recipients,
        [
            "dev@acme.example",
            "admin@acme.example",
            "ops@partner.example"
        ]
    );
    let subject = format!("[Support #{}] Cannot connect to pg-main", ticket.id);
    assert!(emails.iter().all(|(_, s, _)| *s == subject));
    let (_, _, to_submitter) = &emails[0];
    for part in [
        "Severity: High",
        "Product: PostgreSQL (Cannot connect)",
        "Projects and services: acme-prod/pg-main",
        "Expected first response: within 1 business day",
        "Files: 1",
        "Error: timeout expired",
    ] {
        assert!(
            to_submitter.contains(part),
            "lacks {part:?}: {to_submitter}"
        );
    }
    let (_, _, to_cc) = &emails[2];
    assert!(to_cc.contains("Dana Developer <dev@acme.example> CCed you"));
    assert!(!to_cc.contains("not supported"), "{to_cc}");
    assert!(to_cc.contains("console user of Acme Analytics"));
}

#[tokio::test]
async fn on_tiers_above_basic_the_account_team_is_emailed_too_but_only_once() {
    let app = spawn_app().await;
    let globex = app.sign_in("admin@globex.example").await;
    let form = NewTicket {
        cc: vec!["oncall@globex.example".into()],
        subject: "Orders database is slow".into(),
        severity: Some(Severity::High),
        product: "postgresql".into(),
        reason: "performance".into(),
        description: "p99 latency is 4 s.".into(),
        ..NewTicket::default()
    };
    let ticket = globex.create_ticket(&form).await;
    let recipients: Vec<String> = app.outbox().await.into_iter().map(|(r, _, _)| r).collect();
    assert_eq!(
        recipients,
        [
            "admin@globex.example",
            "oncall@globex.example",
            "globex-team@accounts.example"
        ]
    );
    let team_body = &app.outbox().await[2].2;
    assert!(team_body.contains(&format!("opened support ticket #{}", ticket.id)));
    assert!(team_body.contains("Advanced support tier"));

    // The account team CCed by hand still gets one email.
    let again = NewTicket {
        cc: vec!["Globex-Team@accounts.example".into()],
        ..form.clone()
    };
    globex.create_ticket(&again).await;
    let emails = app.outbox().await;
    let second: Vec<&str> = emails[3..].iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(
        second,
        ["admin@globex.example", "globex-team@accounts.example"]
    );
}
