//! Every rule that refuses a new ticket: CCs, projects and services, reason, lengths, files, and the plan.

use api::ticket::ATTACHMENT_GONE;
use api::{ErrorCode, NewTicket, Severity};
use reqwest::StatusCode;
use serde_json::Value;
use support_server::rules::tickets::FREE_PLAN;

use super::{acme_form_with, rejected, ticket_count};
use crate::helpers::{expect_error, fields, png, spawn_app};

#[tokio::test]
async fn cc_addresses_must_be_valid_not_the_submitters_and_at_most_48() {
    let app = spawn_app().await;
    let bad = rejected(&app, |f| f.cc = vec!["ops@acme".into()]).await;
    assert_eq!(fields(&bad), ["cc"]);
    assert!(
        bad.fields[0]
            .message
            .contains("is not a valid email address")
    );

    let own = rejected(&app, |f| f.cc = vec!["DEV@acme.example".into()]).await;
    assert_eq!(fields(&own), ["cc"]);
    assert!(own.fields[0].message.contains("is your own address"));

    let twice = rejected(&app, |f| {
        f.cc = vec!["ops@acme.example".into(), "Ops@Acme.example".into()]
    })
    .await;
    assert!(twice.fields[0].message.contains("already on the list"));

    let many: Vec<String> = (0..49).map(|i| format!("p{i}@acme.example")).collect();
    let too_many = rejected(&app, |f| f.cc = many).await;
    assert_eq!(fields(&too_many), ["cc"]);
    assert_eq!(
        too_many.fields[0].message,
        "CC: a ticket can have at most 48 addresses; this one has 49."
    );
    assert_eq!(ticket_count(&app).await, 0);
}

#[tokio::test]
async fn project_service_and_reason_must_belong_together() {
    let app = spawn_app().await;
    let foreign = rejected(&app, |f| f.resources = vec!["globex-prod".into()]).await;
    assert_eq!(fields(&foreign), ["resources"]);

    let wrong_service = rejected(&app, |f| f.resources = vec!["acme-prod/pg-staging".into()]).await;
    assert_eq!(fields(&wrong_service), ["resources"]);
    assert_eq!(
        wrong_service.fields[0].message,
        "Projects and services: no project or service named \u{201c}acme-prod/pg-staging\u{201d} in your organization."
    );

    let wrong_reason = rejected(&app, |f| f.reason = "lag".into()).await;
    assert_eq!(fields(&wrong_reason), ["reason"]);
    assert_eq!(
        wrong_reason.fields[0].message,
        "Reason: choose one of the reasons listed for PostgreSQL."
    );
    assert_eq!(ticket_count(&app).await, 0);
}

#[tokio::test]
async fn subject_and_description_have_length_limits() {
    let app = spawn_app().await;
    let subject = rejected(&app, |f| f.subject = "s".repeat(256)).await;
    assert_eq!(fields(&subject), ["subject"]);
    assert_eq!(
        subject.fields[0].message,
        "Subject: use at most 255 characters; this has 256."
    );
    let description = rejected(&app, |f| f.description = "d".repeat(32_001)).await;
    assert_eq!(fields(&description), ["description"]);
    assert_eq!(
        description.fields[0].message,
        "Description: use at most 32,000 characters; this has 32,001."
    );

    let dev = app.sign_in("dev@acme.example").await;
    let longest = acme_form_with(&app, |f| {
        f.subject = "s".repeat(255);
        f.description = "d".repeat(32_000);
    })
    .await;
    let ticket = dev.create_ticket(&longest).await;
    assert_eq!(ticket.description.len(), 32_000);
}

#[tokio::test]
async fn only_the_submitters_own_unattached_uploads_can_be_attached() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;
    let dev = app.sign_in("dev@acme.example").await;

    let admins_file = admin.upload_png("admin.png").await;
    let someone_elses = rejected(&app, |f| f.attachment_ids = vec![admins_file.id]).await;
    assert_eq!(fields(&someone_elses), ["attachments"]);
    assert_eq!(someone_elses.fields[0].message, ATTACHMENT_GONE);

    let unknown = rejected(&app, |f| f.attachment_ids = vec![999_999]).await;
    assert_eq!(unknown.fields[0].message, ATTACHMENT_GONE);

    let mine = dev.upload_png("mine.png").await;
    let form = acme_form_with(&app, |f| f.attachment_ids = vec![mine.id]).await;
    let first = dev.create_ticket(&form).await;
    assert_eq!(first.attachments.len(), 1);
    let already = rejected(&app, |f| f.attachment_ids = vec![mine.id]).await;
    assert_eq!(fields(&already), ["attachments"]);
    assert_eq!(ticket_count(&app).await, 1);

    // Problems with the files are reported together with the other fields.
    let both = rejected(&app, |f| {
        f.subject = String::new();
        f.attachment_ids = vec![admins_file.id];
    })
    .await;
    assert_eq!(fields(&both), ["subject", "attachments"]);

    // The admin's upload is still theirs to use.
    let admins_form = acme_form_with(&app, |f| {
        f.cc = Vec::new();
        f.attachment_ids = vec![admins_file.id];
    })
    .await;
    let admins_ticket = admin.create_ticket(&admins_form).await;
    assert_eq!(admins_ticket.attachments, [admins_file]);
}

#[tokio::test]
async fn a_file_is_attached_to_one_ticket_even_when_two_are_created_at_once() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let file = dev.upload_png("shot.png").await;
    let form = acme_form_with(&app, |f| f.attachment_ids = vec![file.id]).await;
    let requests: Vec<_> = (0..6)
        .map(|_| {
            let (dev, form) = (dev.clone(), form.clone());
            tokio::spawn(async move {
                let response = dev.post_ticket(&form).await;
                (response.status(), response.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut created = 0;
    for request in requests {
        let (status, body) = request.await.unwrap();
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::UNPROCESSABLE_ENTITY => {
                assert_eq!(body["fields"][0]["message"], ATTACHMENT_GONE, "{body}");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(ticket_count(&app).await, 1);
}

#[tokio::test]
async fn an_organization_on_free_services_cannot_create_tickets_or_upload() {
    let app = spawn_app().await;
    let hobby = app.sign_in("owner@hobby.example").await;
    let form = NewTicket {
        subject: "Help".into(),
        severity: Some(Severity::Low),
        product: "postgresql".into(),
        reason: "connectivity".into(),
        description: "Please help.".into(),
        ..NewTicket::default()
    };
    let response = hobby.post_ticket_with_key("hobby-1", &form).await;
    let error = expect_error(response, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
    assert_eq!(error.message, FREE_PLAN);
    assert!(error.message.contains("community forum"));
    let response = hobby.post_attachment("shot.png", png(100)).await;
    expect_error(response, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
    assert_eq!(ticket_count(&app).await, 0);
    assert!(app.stored_files().await.is_empty());
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_keys")
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(keys, 0, "a refused request releases its key");
}

#[tokio::test]
async fn control_characters_are_refused_in_one_line_fields_naming_each_field() {
    let app = spawn_app().await;

    let bad = rejected(&app, |f| {
        f.cc = vec!["ops\u{7}@acme.example".into()];
        f.subject = "Cluster down\u{1b}]0;owned\u{7}".into();
        f.resources = vec!["acme-prod\u{0}".into()];
        f.description = "Log:\n\tERROR\u{8}".into();
    })
    .await;

    assert_eq!(fields(&bad), ["cc", "subject", "resources", "description"]);
    assert_eq!(
        bad.fields[1].message,
        "Subject: remove the invisible control character U+001B at character 13."
    );
    assert_eq!(
        bad.fields[2].message,
        "Projects and services: remove the invisible control character U+0000 at character 10."
    );
    let line_break = rejected(&app, |f| f.subject = "Two\nlines".into()).await;
    assert_eq!(
        line_break.fields[0].message,
        "Subject: keep it on one line; remove the line break at character 4."
    );
    assert_eq!(ticket_count(&app).await, 0);
}

#[tokio::test]
async fn bidirectional_controls_are_refused_in_one_line_fields_naming_each_field() {
    let app = spawn_app().await;

    // "invoice\u{202e}fdp.exe" shows as "invoiceexe.pdf"; a subject must read as what it holds.
    let bad = rejected(&app, |f| {
        f.cc = vec!["ops\u{2066}@acme.example".into()];
        f.subject = "invoice\u{202e}fdp.exe".into();
        f.resources = vec!["acme-prod\u{200f}".into()];
        // A description may need them: a paragraph that mixes scripts.
        f.description = "Mixed \u{5e9}\u{5dc}\u{200f}: 10 MB".into();
    })
    .await;

    assert_eq!(fields(&bad), ["cc", "subject", "resources"]);
    assert_eq!(
        bad.fields[1].message,
        "Subject: remove the invisible text direction character U+202E at character 8."
    );
    assert_eq!(
        bad.fields[2].message,
        "Projects and services: remove the invisible text direction character U+200F at character 10."
    );
    assert_eq!(ticket_count(&app).await, 0);
}
