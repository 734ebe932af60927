//! Support tickets against the real app: the create form's options, uploads (type, content and size
//! checks, clean-up, download, removal, the orphan sweep), creating a ticket (validation, first-response
//! due time, emails, idempotent retries) and who may read it.

mod helpers;

use std::path::PathBuf;
use std::time::{Duration as StdDuration, SystemTime};

use api::ticket::{ATTACHMENT_GONE, ATTACHMENT_MAX_BYTES, IDEMPOTENCY_HEADER};
use api::{
    Attachment, CSRF_HEADER, CSRF_VALUE, ErrorBody, ErrorCode, ResponseTime, Severity, Ticket,
    TicketList, TicketListItem, TicketOptions, TicketPermissions, TicketStatus,
};
use helpers::{
    TestApp, add_member, expect_error, fields, get_ticket, invalid, outbox, png, signed_in,
    spawn_app, upload, upload_png,
};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use support_server::jobs::sweeper::{self, SweepReport};
use support_server::rules::tickets::FREE_PLAN;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, Weekday};

async fn project_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM projects WHERE name = ?")
        .bind(name)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

async fn service_id(app: &TestApp, project: &str, name: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT s.id FROM services s JOIN projects p ON p.id = s.project_id
         WHERE p.name = ? AND s.name = ?",
    )
    .bind(project)
    .bind(name)
    .fetch_one(app.state.store.pool())
    .await
    .unwrap()
}

async fn post_ticket(
    app: &TestApp,
    client: &Client,
    org_id: i64,
    key: Option<&str>,
    body: &Value,
) -> Response {
    let mut request = client
        .post(app.api(&format!("/organizations/{org_id}/tickets")))
        .header(CSRF_HEADER, CSRF_VALUE)
        .json(body);
    if let Some(key) = key {
        request = request.header(IDEMPOTENCY_HEADER, key);
    }
    request.send().await.unwrap()
}

/// A complete, valid form for Acme (with Acme's project and service).
async fn acme_form(app: &TestApp) -> Value {
    json!({
        "cc": ["admin@acme.example"],
        "subject": "Cannot connect to pg-main",
        "severity": "high",
        "project_id": project_id(app, "acme-prod").await,
        "service_id": service_id(app, "acme-prod", "pg-main").await,
        "product": "postgresql",
        "reason": "connectivity",
        "description": "Connections time out since 10:00 UTC.\n\nError: timeout expired",
        "attachment_ids": [],
    })
}

async fn create(app: &TestApp, client: &Client, org_id: i64, body: &Value) -> Ticket {
    let response = post_ticket(app, client, org_id, None, body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

/// The first page of "My tickets", without the demo data's tickets.
async fn list(app: &TestApp, client: &Client, org_id: i64) -> Vec<TicketListItem> {
    let response = client
        .get(app.api(&format!("/organizations/{org_id}/tickets")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let list: TicketList = response.json().await.unwrap();
    list.tickets
        .into_iter()
        .filter(|t| t.id > DEMO_TICKETS)
        .collect()
}

/// The demo data's tickets come first, with ids 1 to this.
const DEMO_TICKETS: i64 = support_server::demo::TICKET_COUNT;

/// Tickets created by the test (the demo data's are not counted).
async fn ticket_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE id > ?")
        .bind(DEMO_TICKETS)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

fn attachments_dir(app: &TestApp) -> PathBuf {
    app.state.config.attachments_dir()
}

/// Files in the attachments folder (none if it does not exist).
fn stored_files(app: &TestApp) -> Vec<String> {
    match std::fs::read_dir(attachments_dir(app)) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect(),
        Err(_) => Vec::new(),
    }
}

async fn stored_name(app: &TestApp, attachment_id: i64) -> String {
    sqlx::query_scalar("SELECT stored_name FROM attachments WHERE id = ?")
        .bind(attachment_id)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

fn parse_time(text: &str) -> OffsetDateTime {
    OffsetDateTime::parse(text, &Rfc3339).unwrap()
}

/// The same time of day `n` weekdays later, computed here independently of the server.
fn plus_business_days(t: OffsetDateTime, n: u32) -> OffsetDateTime {
    let mut due = t;
    let mut left = n;
    while left > 0 {
        due += Duration::days(1);
        if !matches!(due.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    due
}

// ---------------------------------------------------------------------------------------------
// Options

async fn options(app: &TestApp, email: &str) -> TicketOptions {
    let (client, org_id) = signed_in(app, email).await;
    let response = client
        .get(app.api(&format!("/organizations/{org_id}/ticket-options")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn ticket_options_show_the_projects_products_and_the_tiers_response_times() {
    let app = spawn_app().await;

    let acme = options(&app, "dev@acme.example").await;
    assert_eq!(acme.tier_name.as_deref(), Some("Basic"));
    assert_eq!(
        acme.response_times.map(|t| Severity::ALL.map(|s| t.get(s))),
        Some([ResponseTime::BusinessDays(1); 3])
    );
    let projects: Vec<(&str, Vec<&str>)> = acme
        .projects
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.services.iter().map(|s| s.name.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        projects,
        [
            ("acme-prod", vec!["kafka-events", "pg-main"]),
            ("acme-staging", vec!["pg-staging"])
        ]
    );
    assert_eq!(acme.products[0].key, "postgresql");
    assert_eq!(acme.products[0].reasons[0].label, "Cannot connect");
    assert_eq!(acme.forum_url, "https://aiven.io/community/forum");

    let globex = options(&app, "admin@globex.example").await;
    assert_eq!(globex.tier_name.as_deref(), Some("Advanced"));
    assert_eq!(
        globex
            .response_times
            .map(|t| Severity::ALL.map(|s| t.get(s))),
        Some([
            ResponseTime::Minutes(720),
            ResponseTime::Minutes(60),
            ResponseTime::Minutes(30)
        ])
    );
    assert_eq!(globex.projects.len(), 1);

    let hobby = options(&app, "owner@hobby.example").await;
    assert_eq!(hobby.tier_name, None);
    assert!(hobby.response_times.is_none());
    assert_eq!(hobby.forum_url, "https://aiven.io/community/forum");
}

#[tokio::test]
async fn another_organizations_ticket_endpoints_are_not_found() {
    let app = spawn_app().await;
    let globex_id = app.organization_of("admin@globex.example").await;
    let (acme, _) = signed_in(&app, "dev@acme.example").await;
    for path in ["ticket-options", "tickets"] {
        let response = acme
            .get(app.api(&format!("/organizations/{globex_id}/{path}")))
            .send()
            .await
            .unwrap();
        expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    }
    let response = post_ticket(&app, &acme, globex_id, None, &acme_form(&app).await).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    let response = upload(&app, &acme, globex_id, "shot.png", png(100)).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    assert_eq!(ticket_count(&app).await, 0);
    assert!(stored_files(&app).is_empty());
}

#[tokio::test]
async fn ticket_endpoints_need_a_session_and_the_csrf_header() {
    let app = spawn_app().await;
    let org_id = app.organization_of("dev@acme.example").await;
    let anonymous = app.client();
    let response = anonymous
        .get(app.api(&format!("/organizations/{org_id}/tickets")))
        .send()
        .await
        .unwrap();
    expect_error(
        response,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
    )
    .await;

    let (client, _) = signed_in(&app, "dev@acme.example").await;
    let response = client
        .post(app.api(&format!("/organizations/{org_id}/tickets")))
        .json(&acme_form(&app).await)
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::FORBIDDEN, ErrorCode::CsrfCheckFailed).await;
    assert_eq!(ticket_count(&app).await, 0);
}

// ---------------------------------------------------------------------------------------------
// Creating

#[tokio::test]
async fn a_member_creates_a_ticket_with_a_cc_a_project_a_service_and_a_file() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let file = upload_png(&app, &dev, org_id, "screenshot.png").await;
    let mut form = acme_form(&app).await;
    form["attachment_ids"] = json!([file.id]);
    form["cc"] = json!([" Admin@Acme.example "]);
    form["subject"] = json!("  Cannot connect to pg-main \n");

    let before = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let response = post_ticket(&app, &dev, org_id, None, &form).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.headers().get("idempotent-replayed").is_none());
    let ticket: Ticket = response.json().await.unwrap();

    assert_eq!(ticket.subject, "Cannot connect to pg-main");
    assert_eq!(ticket.severity, Severity::High);
    assert_eq!(ticket.status, TicketStatus::Open);
    assert_eq!(
        (ticket.product_key.as_str(), ticket.product_name.as_str()),
        ("postgresql", "PostgreSQL")
    );
    assert_eq!(
        (ticket.reason_key.as_str(), ticket.reason_label.as_str()),
        ("connectivity", "Cannot connect")
    );
    assert_eq!(ticket.project.as_ref().unwrap().name, "acme-prod");
    assert_eq!(
        ticket.project.as_ref().unwrap().id,
        project_id(&app, "acme-prod").await
    );
    assert_eq!(ticket.service.as_ref().unwrap().name, "pg-main");
    assert_eq!(
        ticket.description,
        "Connections time out since 10:00 UTC.\n\nError: timeout expired"
    );
    assert_eq!(ticket.cc, ["admin@acme.example"]);
    assert_eq!(ticket.submitter_name, "Dana Developer");
    assert_eq!(ticket.submitter_email, "dev@acme.example");
    assert_eq!(ticket.attachments, [file]);
    assert_eq!(ticket.first_response_target, ResponseTime::BusinessDays(1));

    let created = parse_time(&ticket.created_at.to_string());
    assert!(created >= before && created <= OffsetDateTime::now_utc());
    assert_eq!(ticket.updated_at, ticket.created_at);
    assert_eq!(
        parse_time(&ticket.first_response_due_at.to_string()),
        plus_business_days(created, 1)
    );
    assert!(!matches!(
        parse_time(&ticket.first_response_due_at.to_string()).weekday(),
        Weekday::Saturday | Weekday::Sunday
    ));

    let response = get_ticket(&app, &dev, org_id, ticket.id).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Ticket>().await.unwrap(), ticket);

    assert_eq!(
        ticket.permissions,
        TicketPermissions {
            can_comment: true,
            can_change_status: true,
            can_remove_cc: true,
        }
    );
    assert!(ticket.activity.is_empty());
    assert_eq!(ticket.first_response_at, None);
    assert_eq!(ticket.follow_up_of, None);

    let summaries = list(&app, &dev, org_id).await;
    assert_eq!(
        summaries,
        [TicketListItem {
            id: ticket.id,
            subject: ticket.subject.clone(),
            severity: Severity::High,
            status: TicketStatus::Open,
            product_name: "PostgreSQL".into(),
            submitter_name: "Dana Developer".into(),
            created_at: ticket.created_at,
            updated_at: ticket.updated_at,
            last_replied_by: None,
            last_reply_from_agent: false,
        }]
    );

    // The target is stored with the ticket, so a later tier change does not rewrite it.
    let stored: (String, i64) = sqlx::query_as(
        "SELECT first_response_target_unit, first_response_target_value FROM tickets WHERE id = ?",
    )
    .bind(ticket.id)
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(stored, ("business_days".to_owned(), 1));
}

#[tokio::test]
async fn an_advanced_tier_ticket_is_due_in_the_tiers_minutes() {
    let app = spawn_app().await;
    let (globex, org_id) = signed_in(&app, "admin@globex.example").await;
    let form = json!({
        "subject": "Cluster is red",
        "severity": "critical",
        "project_id": project_id(&app, "globex-prod").await,
        "product": "opensearch",
        "reason": "cluster_health",
        "description": "All shards unassigned.",
    });
    let ticket = create(&app, &globex, org_id, &form).await;
    assert_eq!(ticket.first_response_target, ResponseTime::Minutes(30));
    assert_eq!(
        parse_time(&ticket.first_response_due_at.to_string()),
        parse_time(&ticket.created_at.to_string()) + Duration::minutes(30)
    );
    assert_eq!(ticket.project.unwrap().name, "globex-prod");
    assert_eq!(ticket.service, None);
    assert!(ticket.cc.is_empty());
}

#[tokio::test]
async fn an_empty_form_reports_every_required_field() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let body =
        json!({ "subject": "", "severity": null, "product": "", "reason": "", "description": "" });
    let error = invalid(post_ticket(&app, &dev, org_id, None, &body).await).await;
    assert_eq!(
        fields(&error),
        ["subject", "severity", "product", "description"]
    );
    assert_eq!(ticket_count(&app).await, 0);
    assert!(outbox(&app).await.is_empty());
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_malformed() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let response = post_ticket(&app, &dev, org_id, None, &json!({ "subject": 5 })).await;
    expect_error(
        response,
        StatusCode::BAD_REQUEST,
        ErrorCode::MalformedRequest,
    )
    .await;
}

/// Posts Acme's valid form with `change` applied, as dev; returns the error body, which must be a 422.
async fn rejected(app: &TestApp, change: impl FnOnce(&mut Value)) -> ErrorBody {
    let (dev, org_id) = signed_in(app, "dev@acme.example").await;
    let mut form = acme_form(app).await;
    change(&mut form);
    invalid(post_ticket(app, &dev, org_id, None, &form).await).await
}

#[tokio::test]
async fn cc_addresses_must_be_valid_not_the_submitters_and_at_most_48() {
    let app = spawn_app().await;
    let bad = rejected(&app, |f| f["cc"] = json!(["ops@acme"])).await;
    assert_eq!(fields(&bad), ["cc"]);
    assert!(
        bad.fields[0]
            .message
            .contains("is not a valid email address")
    );

    let own = rejected(&app, |f| f["cc"] = json!(["DEV@acme.example"])).await;
    assert_eq!(fields(&own), ["cc"]);
    assert!(own.fields[0].message.contains("is your own address"));

    let twice = rejected(&app, |f| {
        f["cc"] = json!(["ops@acme.example", "Ops@Acme.example"])
    })
    .await;
    assert!(twice.fields[0].message.contains("already on the list"));

    let many: Vec<String> = (0..49).map(|i| format!("p{i}@acme.example")).collect();
    let too_many = rejected(&app, |f| f["cc"] = json!(many)).await;
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
    let globex_project = project_id(&app, "globex-prod").await;
    let foreign = rejected(&app, |f| {
        f["project_id"] = json!(globex_project);
        f["service_id"] = Value::Null;
    })
    .await;
    assert_eq!(fields(&foreign), ["project_id"]);

    let staging_service = service_id(&app, "acme-staging", "pg-staging").await;
    let wrong_service = rejected(&app, |f| f["service_id"] = json!(staging_service)).await;
    assert_eq!(fields(&wrong_service), ["service_id"]);
    assert_eq!(
        wrong_service.fields[0].message,
        "Service: choose one of the services of acme-prod."
    );

    let wrong_reason = rejected(&app, |f| f["reason"] = json!("lag")).await;
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
    let subject = rejected(&app, |f| f["subject"] = json!("s".repeat(256))).await;
    assert_eq!(fields(&subject), ["subject"]);
    assert_eq!(
        subject.fields[0].message,
        "Subject: use at most 255 characters; this has 256."
    );
    let description = rejected(&app, |f| f["description"] = json!("d".repeat(32_001))).await;
    assert_eq!(fields(&description), ["description"]);
    assert_eq!(
        description.fields[0].message,
        "Description: use at most 32,000 characters; this has 32,001."
    );

    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let mut longest = acme_form(&app).await;
    longest["subject"] = json!("s".repeat(255));
    longest["description"] = json!("d".repeat(32_000));
    let ticket = create(&app, &dev, org_id, &longest).await;
    assert_eq!(ticket.description.len(), 32_000);
}

#[tokio::test]
async fn only_the_submitters_own_unattached_uploads_can_be_attached() {
    let app = spawn_app().await;
    let (admin, org_id) = signed_in(&app, "admin@acme.example").await;
    let (dev, _) = signed_in(&app, "dev@acme.example").await;

    let admins_file = upload_png(&app, &admin, org_id, "admin.png").await;
    let someone_elses = rejected(&app, |f| f["attachment_ids"] = json!([admins_file.id])).await;
    assert_eq!(fields(&someone_elses), ["attachments"]);
    assert_eq!(someone_elses.fields[0].message, ATTACHMENT_GONE);

    let unknown = rejected(&app, |f| f["attachment_ids"] = json!([999_999])).await;
    assert_eq!(unknown.fields[0].message, ATTACHMENT_GONE);

    let mine = upload_png(&app, &dev, org_id, "mine.png").await;
    let mut form = acme_form(&app).await;
    form["attachment_ids"] = json!([mine.id]);
    let first = create(&app, &dev, org_id, &form).await;
    assert_eq!(first.attachments.len(), 1);
    let already = rejected(&app, |f| f["attachment_ids"] = json!([mine.id])).await;
    assert_eq!(fields(&already), ["attachments"]);
    assert_eq!(ticket_count(&app).await, 1);

    // Problems with the files are reported together with the other fields.
    let both = rejected(&app, |f| {
        f["subject"] = json!("");
        f["attachment_ids"] = json!([admins_file.id]);
    })
    .await;
    assert_eq!(fields(&both), ["subject", "attachments"]);

    // The admin's upload is still theirs to use.
    let admins_ticket = create(&app, &admin, org_id, &{
        let mut f = acme_form(&app).await;
        f["cc"] = json!([]);
        f["attachment_ids"] = json!([admins_file.id]);
        f
    })
    .await;
    assert_eq!(admins_ticket.attachments, [admins_file]);
}

#[tokio::test]
async fn a_file_is_attached_to_one_ticket_even_when_two_are_created_at_once() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let file = upload_png(&app, &dev, org_id, "shot.png").await;
    let mut form = acme_form(&app).await;
    form["attachment_ids"] = json!([file.id]);
    let url = app.api(&format!("/organizations/{org_id}/tickets"));
    let requests: Vec<_> = (0..6)
        .map(|_| {
            let (dev, url, form) = (dev.clone(), url.clone(), form.clone());
            tokio::spawn(async move {
                let response = dev
                    .post(url)
                    .header(CSRF_HEADER, CSRF_VALUE)
                    .json(&form)
                    .send()
                    .await
                    .unwrap();
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
    let (hobby, org_id) = signed_in(&app, "owner@hobby.example").await;
    let form = json!({
        "subject": "Help",
        "severity": "low",
        "product": "postgresql",
        "reason": "connectivity",
        "description": "Please help.",
    });
    let response = post_ticket(&app, &hobby, org_id, Some("hobby-1"), &form).await;
    let error = expect_error(response, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
    assert_eq!(error.message, FREE_PLAN);
    assert!(error.message.contains("community forum"));
    let response = upload(&app, &hobby, org_id, "shot.png", png(100)).await;
    expect_error(response, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
    assert_eq!(ticket_count(&app).await, 0);
    assert!(stored_files(&app).is_empty());
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_keys")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(keys, 0, "a refused request releases its key");
}

// ---------------------------------------------------------------------------------------------
// Emails

#[tokio::test]
async fn creating_emails_the_submitter_and_each_cc_once() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    // Basic includes no account team: even a known one is not emailed.
    sqlx::query(
        "UPDATE organizations SET account_team_email = 'acme-team@accounts.example' WHERE id = ?",
    )
    .bind(org_id)
    .execute(app.state.store.pool())
    .await
    .unwrap();
    let file = upload_png(&app, &dev, org_id, "shot.png").await;
    let mut form = acme_form(&app).await;
    form["cc"] = json!(["admin@acme.example", "ops@partner.example"]);
    form["attachment_ids"] = json!([file.id]);
    let ticket = create(&app, &dev, org_id, &form).await;

    let emails = outbox(&app).await;
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
        "Project: acme-prod",
        "Service: pg-main",
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
    assert!(to_cc.contains("Replying to this email is not supported yet"));
    assert!(to_cc.contains("console user of Acme Analytics"));
}

#[tokio::test]
async fn on_tiers_above_basic_the_account_team_is_emailed_too_but_only_once() {
    let app = spawn_app().await;
    let (globex, org_id) = signed_in(&app, "admin@globex.example").await;
    let form = json!({
        "cc": ["oncall@globex.example"],
        "subject": "Orders database is slow",
        "severity": "high",
        "product": "postgresql",
        "reason": "performance",
        "description": "p99 latency is 4 s.",
    });
    let ticket = create(&app, &globex, org_id, &form).await;
    let recipients: Vec<String> = outbox(&app).await.into_iter().map(|(r, _, _)| r).collect();
    assert_eq!(
        recipients,
        [
            "admin@globex.example",
            "oncall@globex.example",
            "globex-team@accounts.example"
        ]
    );
    let team_body = &outbox(&app).await[2].2;
    assert!(team_body.contains(&format!("opened support ticket #{}", ticket.id)));
    assert!(team_body.contains("Advanced support tier"));

    // The account team CCed by hand still gets one email.
    let mut again = form.clone();
    again["cc"] = json!(["Globex-Team@accounts.example"]);
    create(&app, &globex, org_id, &again).await;
    let emails = outbox(&app).await;
    let second: Vec<&str> = emails[3..].iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(
        second,
        ["admin@globex.example", "globex-team@accounts.example"]
    );
}

// ---------------------------------------------------------------------------------------------
// Idempotency

#[tokio::test]
async fn the_same_key_and_payload_twice_creates_one_ticket_and_replays_the_answer() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let form = acme_form(&app).await;

    let first = post_ticket(&app, &dev, org_id, Some("key-1"), &form).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first_body = first.text().await.unwrap();

    // Same content, formatted differently.
    let second = dev
        .post(app.api(&format!("/organizations/{org_id}/tickets")))
        .header(CSRF_HEADER, CSRF_VALUE)
        .header(IDEMPOTENCY_HEADER, "key-1")
        .header("content-type", "application/json")
        .body(serde_json::to_string_pretty(&form).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(
        second
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    assert_eq!(
        second.headers().get("content-type").unwrap(),
        "application/json"
    );
    assert_eq!(second.text().await.unwrap(), first_body);
    assert_eq!(ticket_count(&app).await, 1);
    assert_eq!(outbox(&app).await.len(), 2, "emails are not sent twice");

    // Another key is another ticket; no key is no dedupe.
    post_ticket(&app, &dev, org_id, Some("key-2"), &form).await;
    post_ticket(&app, &dev, org_id, None, &form).await;
    post_ticket(&app, &dev, org_id, None, &form).await;
    assert_eq!(ticket_count(&app).await, 4);
}

#[tokio::test]
async fn a_key_sent_again_with_other_content_is_refused() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let form = acme_form(&app).await;
    let first = post_ticket(&app, &dev, org_id, Some("key-1"), &form).await;
    assert_eq!(first.status(), StatusCode::CREATED);

    let mut changed = form.clone();
    changed["subject"] = json!("Something else");
    let response = post_ticket(&app, &dev, org_id, Some("key-1"), &changed).await;
    let error = expect_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::IdempotencyKeyReused,
    )
    .await;
    assert!(error.message.contains("different content"));
    assert_eq!(ticket_count(&app).await, 1);

    // Keys belong to one user: another user's identical key is unrelated.
    let (admin, _) = signed_in(&app, "admin@acme.example").await;
    let mut admins = form.clone();
    admins["cc"] = json!([]);
    let response = post_ticket(&app, &admin, org_id, Some("key-1"), &admins).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn malformed_keys_are_refused() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let form = acme_form(&app).await;
    for key in ["", "has space", &"k".repeat(129)] {
        let response = post_ticket(&app, &dev, org_id, Some(key), &form).await;
        expect_error(
            response,
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedRequest,
        )
        .await;
    }
    assert_eq!(ticket_count(&app).await, 0);
    let response = post_ticket(&app, &dev, org_id, Some(&"k".repeat(128)), &form).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn simultaneous_retries_with_one_key_create_one_ticket() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let form = acme_form(&app).await;
    let url = app.api(&format!("/organizations/{org_id}/tickets"));

    let requests: Vec<_> = (0..8)
        .map(|_| {
            let (dev, url, form) = (dev.clone(), url.clone(), form.clone());
            tokio::spawn(async move {
                let response = dev
                    .post(url)
                    .header(CSRF_HEADER, CSRF_VALUE)
                    .header(IDEMPOTENCY_HEADER, "double-click")
                    .json(&form)
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                (status, response.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut ids = Vec::new();
    let mut in_progress = 0;
    for request in requests {
        let (status, body) = request.await.unwrap();
        match status {
            StatusCode::CREATED => ids.push(body["id"].as_i64().unwrap()),
            StatusCode::CONFLICT => {
                assert_eq!(body["code"], "request_in_progress", "{body}");
                in_progress += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(!ids.is_empty());
    assert_eq!(ids.len() + in_progress, 8);
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(ticket_count(&app).await, 1);
    assert_eq!(outbox(&app).await.len(), 2);
}

#[tokio::test]
async fn a_rejected_request_releases_its_key_for_the_corrected_form() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let mut form = acme_form(&app).await;
    form["subject"] = json!("");
    invalid(post_ticket(&app, &dev, org_id, Some("key-1"), &form).await).await;

    form["subject"] = json!("Fixed subject");
    let response = post_ticket(&app, &dev, org_id, Some("key-1"), &form).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let ticket: Ticket = response.json().await.unwrap();
    assert_eq!(ticket.subject, "Fixed subject");
    assert_eq!(ticket_count(&app).await, 1);
}

#[tokio::test]
async fn a_key_left_in_flight_by_a_dead_process_is_taken_over_after_a_minute() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let form = acme_form(&app).await;
    let user_id = app.me(&dev).await.user.id;
    let hash = support_server::rules::idempotency::request_hash(
        &org_id.to_string(),
        &serde_json::from_value::<api::NewTicket>(form.clone()).unwrap(),
    )
    .unwrap();
    let insert = |created_at: String| {
        let (db, hash) = (app.state.store.pool().clone(), hash.clone());
        async move {
            sqlx::query(
                "INSERT OR REPLACE INTO idempotency_keys (user_id, key, request_hash, state, created_at)
                 VALUES (?, 'crashed', ?, 'in_flight', ?)",
            )
            .bind(user_id)
            .bind(hash)
            .bind(created_at)
            .execute(&db)
            .await
            .unwrap();
        }
    };
    let ago = |secs: i64| {
        (OffsetDateTime::now_utc() - Duration::seconds(secs))
            .replace_nanosecond(0)
            .unwrap()
            .format(&Rfc3339)
            .unwrap()
    };

    insert(ago(10)).await;
    let response = post_ticket(&app, &dev, org_id, Some("crashed"), &form).await;
    let error = expect_error(response, StatusCode::CONFLICT, ErrorCode::RequestInProgress).await;
    assert!(error.message.contains("still being created"));
    assert_eq!(ticket_count(&app).await, 0);

    insert(ago(61)).await;
    let response = post_ticket(&app, &dev, org_id, Some("crashed"), &form).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let replay = post_ticket(&app, &dev, org_id, Some("crashed"), &form).await;
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert!(replay.headers().contains_key("idempotent-replayed"));
    assert_eq!(ticket_count(&app).await, 1);
}

// ---------------------------------------------------------------------------------------------
// Uploads

#[tokio::test]
async fn an_oversized_upload_is_refused_and_leaves_nothing_on_disk() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let too_big = png(ATTACHMENT_MAX_BYTES as usize + 1);
    let error = invalid(upload(&app, &dev, org_id, "huge.png", too_big).await).await;
    assert_eq!(fields(&error), ["attachments"]);
    assert_eq!(
        error.fields[0].message,
        "Files: huge.png is 25 MB; each file can be at most 25 MB."
    );
    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachments")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(rows, 0);

    // Exactly at the limit is fine.
    let response = upload(
        &app,
        &dev,
        org_id,
        "max.png",
        png(ATTACHMENT_MAX_BYTES as usize),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let file: Attachment = response.json().await.unwrap();
    assert_eq!(file.size, ATTACHMENT_MAX_BYTES);
}

#[tokio::test]
async fn a_file_far_over_the_limit_is_refused_while_it_streams() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    // Larger than the route's body limit: the size check must stop the upload before that limit does.
    let error = invalid(upload(&app, &dev, org_id, "huge.png", png(40 * 1024 * 1024)).await).await;
    assert_eq!(
        error.fields[0].message,
        "Files: huge.png is 40 MB; each file can be at most 25 MB."
    );
    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));
}

#[tokio::test]
async fn files_must_be_of_an_allowed_type_with_matching_content_and_not_empty() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;

    let text_as_png =
        invalid(upload(&app, &dev, org_id, "shot.png", b"not a picture".to_vec()).await).await;
    assert_eq!(
        text_as_png.fields[0].message,
        "Files: shot.png does not look like a PNG image file; its content does not match its name."
    );
    // Past the first chunk too.
    let mut long_text = vec![b'a'; 200_000];
    long_text[0] = b'x';
    let long = invalid(upload(&app, &dev, org_id, "big.png", long_text).await).await;
    assert!(
        long.fields[0]
            .message
            .contains("big.png does not look like a PNG")
    );

    let binary_log =
        invalid(upload(&app, &dev, org_id, "app.log", b"MZ\x90\0\x03\0".to_vec()).await).await;
    assert!(binary_log.fields[0].message.contains("like a text file"));

    let exe = invalid(upload(&app, &dev, org_id, "setup.exe", b"MZ\x90\0".to_vec()).await).await;
    assert_eq!(fields(&exe), ["attachments"]);
    assert!(
        exe.fields[0]
            .message
            .contains("setup.exe is not a file type we accept")
    );

    let empty = invalid(upload(&app, &dev, org_id, "empty.txt", Vec::new()).await).await;
    assert_eq!(empty.fields[0].message, "Files: empty.txt is empty.");

    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));

    let log = upload(
        &app,
        &dev,
        org_id,
        "server.log",
        "2026-11-27 ERROR café\n".into(),
    )
    .await;
    assert_eq!(log.status(), StatusCode::CREATED);
    let log: Attachment = log.json().await.unwrap();
    assert_eq!(log.content_type, "text/plain; charset=utf-8");
    let har = upload(&app, &dev, org_id, "session.har", b"{\"log\": {}}".to_vec()).await;
    assert_eq!(har.status(), StatusCode::CREATED);
    assert_eq!(stored_files(&app).len(), 2);
}

#[tokio::test]
async fn an_upload_must_be_one_part_named_file_with_a_file_name() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let url = app.api(&format!("/organizations/{org_id}/attachments"));
    let forms = [
        Form::new().part("other", Part::bytes(png(100)).file_name("a.png")),
        Form::new().part("file", Part::bytes(png(100))),
        Form::new()
            .part("file", Part::bytes(png(100)).file_name("a.png"))
            .part("file", Part::bytes(png(100)).file_name("b.png")),
        Form::new(),
    ];
    for form in forms {
        let response = dev
            .post(&url)
            .header(CSRF_HEADER, CSRF_VALUE)
            .multipart(form)
            .send()
            .await
            .unwrap();
        expect_error(
            response,
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedRequest,
        )
        .await;
    }
    let response = dev
        .post(&url)
        .header(CSRF_HEADER, CSRF_VALUE)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    expect_error(
        response,
        StatusCode::BAD_REQUEST,
        ErrorCode::MalformedRequest,
    )
    .await;
    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));
}

#[tokio::test]
async fn an_accepted_upload_is_stored_under_a_random_name_and_downloads_byte_for_byte() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let bytes = png(300_000);
    let response = upload(
        &app,
        &dev,
        org_id,
        "../../etc/passwd.txt",
        b"root:x:0:0\n".to_vec(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let text: Attachment = response.json().await.unwrap();
    assert_eq!(text.file_name, "passwd.txt");

    let response = upload(&app, &dev, org_id, "café shot.png", bytes.clone()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let file: Attachment = response.json().await.unwrap();
    assert_eq!(file.file_name, "café shot.png");
    assert_eq!(file.size, 300_000);
    assert_eq!(file.content_type, "image/png");

    let stored = stored_name(&app, file.id).await;
    assert_eq!(stored.len(), 32);
    assert!(stored.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(
        std::fs::read(attachments_dir(&app).join(&stored)).unwrap(),
        bytes
    );
    let mut files = stored_files(&app);
    files.sort();
    assert_eq!(files.len(), 2);
    assert!(
        !files
            .iter()
            .any(|f| f.contains("passwd") || f.contains("shot"))
    );

    let mut form = acme_form(&app).await;
    form["attachment_ids"] = json!([file.id, text.id]);
    let ticket = create(&app, &dev, org_id, &form).await;
    assert_eq!(ticket.attachments, [text, file.clone()]);

    let response = dev
        .get(app.api(&format!(
            "/organizations/{org_id}/tickets/{}/attachments/{}",
            ticket.id, file.id
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(header("content-type"), "image/png");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"caf_ shot.png\"; filename*=UTF-8''caf%C3%A9%20shot.png"
    );
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("content-security-policy"), "sandbox");
    assert_eq!(header("cache-control"), "private, no-store");
    assert_eq!(header("content-length"), "300000");
    assert_eq!(response.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // The attachment must be the ticket's.
    let other = create(&app, &dev, org_id, &acme_form(&app).await).await;
    let response = dev
        .get(app.api(&format!(
            "/organizations/{org_id}/tickets/{}/attachments/{}",
            other.id, file.id
        )))
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn the_uploader_removes_an_unattached_file_and_nobody_else_can() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let (admin, _) = signed_in(&app, "admin@acme.example").await;
    let (globex, globex_id) = signed_in(&app, "admin@globex.example").await;
    let file = upload_png(&app, &dev, org_id, "shot.png").await;
    let stored = stored_name(&app, file.id).await;
    let path = |org: i64, id: i64| app.api(&format!("/organizations/{org}/attachments/{id}"));
    let delete = |client: &Client, url: String| {
        let client = client.clone();
        async move {
            client
                .delete(url)
                .header(CSRF_HEADER, CSRF_VALUE)
                .send()
                .await
                .unwrap()
        }
    };

    for (client, url) in [
        (&admin, path(org_id, file.id)),
        (&globex, path(globex_id, file.id)),
        (&globex, path(org_id, file.id)),
        (&dev, path(org_id, 999_999)),
    ] {
        let response = delete(client, url).await;
        expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    }
    assert!(attachments_dir(&app).join(&stored).exists());

    let response = delete(&dev, path(org_id, file.id)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(!attachments_dir(&app).join(&stored).exists());
    let response = delete(&dev, path(org_id, file.id)).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;

    // Once attached, a file stays with its ticket.
    let attached = upload_png(&app, &dev, org_id, "kept.png").await;
    let mut form = acme_form(&app).await;
    form["attachment_ids"] = json!([attached.id]);
    create(&app, &dev, org_id, &form).await;
    let response = delete(&dev, path(org_id, attached.id)).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    assert!(
        attachments_dir(&app)
            .join(stored_name(&app, attached.id).await)
            .exists()
    );
}

#[tokio::test]
async fn a_user_may_have_at_most_20_unattached_uploads() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(upload_png(&app, &dev, org_id, &format!("{i}.png")).await.id);
    }
    let error = invalid(upload(&app, &dev, org_id, "21.png", png(100)).await).await;
    assert_eq!(
        error.fields[0].message,
        api::ticket::too_many_pending_uploads().message
    );
    assert_eq!(stored_files(&app).len(), 20);

    // Other users are not affected; attaching files makes room.
    let (admin, _) = signed_in(&app, "admin@acme.example").await;
    upload_png(&app, &admin, org_id, "admin.png").await;
    let mut form = acme_form(&app).await;
    form["attachment_ids"] = json!(&ids[..2]);
    create(&app, &dev, org_id, &form).await;
    upload_png(&app, &dev, org_id, "21.png").await;
}

#[tokio::test]
async fn simultaneous_uploads_do_not_exceed_the_cap() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let url = app.api(&format!("/organizations/{org_id}/attachments"));
    let uploads: Vec<_> = (0..25)
        .map(|i| {
            let (dev, url) = (dev.clone(), url.clone());
            tokio::spawn(async move {
                let part = Part::bytes(png(4096)).file_name(format!("{i}.png"));
                dev.post(url)
                    .header(CSRF_HEADER, CSRF_VALUE)
                    .multipart(Form::new().part("file", part))
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for upload in uploads {
        statuses.push(upload.await.unwrap());
    }
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert_eq!((created, refused), (20, 5), "{statuses:?}");
    assert_eq!(stored_files(&app).len(), 20);
}

#[tokio::test]
async fn the_sweep_deletes_old_unattached_uploads_and_stray_files_only() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let old = upload_png(&app, &dev, org_id, "old.png").await;
    let attached = upload_png(&app, &dev, org_id, "attached.png").await;
    let recent = upload_png(&app, &dev, org_id, "recent.png").await;
    let mut form = acme_form(&app).await;
    form["attachment_ids"] = json!([attached.id]);
    create(&app, &dev, org_id, &form).await;
    sqlx::query("UPDATE attachments SET created_at = '2026-01-01T00:00:00Z' WHERE id IN (?, ?)")
        .bind(old.id)
        .bind(attached.id)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let dir = attachments_dir(&app);
    let old_file = dir.join(stored_name(&app, old.id).await);
    // A file whose row was never written (the server stopped mid-upload), and a young one.
    let stray = dir.join("0123456789abcdef0123456789abcdef");
    let young_stray = dir.join("fedcba9876543210fedcba9876543210");
    for path in [&stray, &young_stray] {
        std::fs::write(path, b"partial").unwrap();
    }
    std::fs::File::options()
        .write(true)
        .open(&stray)
        .unwrap()
        .set_modified(SystemTime::now() - StdDuration::from_secs(25 * 60 * 60))
        .unwrap();

    let report = sweeper::sweep_orphans(&app.state.store, &dir)
        .await
        .unwrap();

    assert_eq!(
        report,
        SweepReport {
            uploads: 1,
            stray_files: 1
        }
    );
    assert!(!old_file.exists());
    assert!(!stray.exists());
    assert!(young_stray.exists());
    let left: Vec<i64> = sqlx::query_scalar("SELECT id FROM attachments ORDER BY id")
        .fetch_all(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(left, [attached.id, recent.id]);
    for id in [attached.id, recent.id] {
        assert!(dir.join(stored_name(&app, id).await).exists());
    }
    let again = sweeper::sweep_orphans(&app.state.store, &dir)
        .await
        .unwrap();
    assert_eq!(again, SweepReport::default());
}

// ---------------------------------------------------------------------------------------------
// Who may read

#[tokio::test]
async fn the_submitter_admins_and_ccd_members_read_a_ticket_and_nobody_else() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    add_member(&app, "ops@acme.example", "Olive Ops", org_id, "member").await;
    add_member(&app, "qa@acme.example", "Quinn QA", org_id, "member").await;
    let file = upload_png(&app, &dev, org_id, "shot.png").await;
    let mut form = acme_form(&app).await;
    form["cc"] = json!(["Ops@acme.example"]);
    form["attachment_ids"] = json!([file.id]);
    let ticket = create(&app, &dev, org_id, &form).await;
    let ticket_path = format!("/organizations/{org_id}/tickets/{}", ticket.id);
    let file_path = format!("{ticket_path}/attachments/{}", file.id);

    for (email, can_remove_cc) in [
        ("dev@acme.example", true),
        ("admin@acme.example", true),
        ("ops@acme.example", false),
    ] {
        let (client, _) = signed_in(&app, email).await;
        let response = client.get(app.api(&ticket_path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{email}");
        let expected = Ticket {
            permissions: TicketPermissions {
                can_remove_cc,
                ..ticket.permissions
            },
            ..ticket.clone()
        };
        assert_eq!(
            response.json::<Ticket>().await.unwrap(),
            expected,
            "{email}"
        );
        let response = client.get(app.api(&file_path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{email}");
    }

    let (qa, _) = signed_in(&app, "qa@acme.example").await;
    let (globex, globex_id) = signed_in(&app, "admin@globex.example").await;
    let globex_ticket_path = format!("/organizations/{globex_id}/tickets/{}", ticket.id);
    let refused = [
        (&qa, ticket_path.clone()),
        (&qa, file_path.clone()),
        (&globex, ticket_path.clone()),
        (&globex, file_path.clone()),
        (&globex, globex_ticket_path.clone()),
        (
            &globex,
            format!("{globex_ticket_path}/attachments/{}", file.id),
        ),
        (&dev, format!("/organizations/{org_id}/tickets/999999")),
        (
            &dev,
            format!("/organizations/{org_id}/tickets/not-a-number"),
        ),
    ];
    for (client, path) in refused {
        let response = client.get(app.api(&path)).send().await.unwrap();
        expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    }

    // The list: the submitter's and the CCed member's, not the others'.
    let (ops, _) = signed_in(&app, "ops@acme.example").await;
    let (admin, _) = signed_in(&app, "admin@acme.example").await;
    let ids = |list: Vec<TicketListItem>| list.into_iter().map(|t| t.id).collect::<Vec<_>>();
    assert_eq!(ids(list(&app, &dev, org_id).await), [ticket.id]);
    assert_eq!(ids(list(&app, &ops, org_id).await), [ticket.id]);
    assert!(list(&app, &qa, org_id).await.is_empty());
    assert!(
        list(&app, &admin, org_id).await.is_empty(),
        "admins list their own tickets here"
    );
    assert!(list(&app, &globex, globex_id).await.is_empty());
}

#[tokio::test]
async fn the_list_shows_the_most_recently_updated_first() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let (admin, _) = signed_in(&app, "admin@acme.example").await;
    let mut ids = Vec::new();
    for subject in ["first", "second", "third"] {
        let mut form = acme_form(&app).await;
        form["subject"] = json!(subject);
        ids.push(create(&app, &dev, org_id, &form).await.id);
    }
    // The admin's ticket CCing dev shows up in dev's list; one without dev does not.
    let mut ccing_dev = acme_form(&app).await;
    ccing_dev["cc"] = json!(["dev@acme.example"]);
    let ccd = create(&app, &admin, org_id, &ccing_dev).await.id;
    let mut without_dev = acme_form(&app).await;
    without_dev["cc"] = json!([]);
    create(&app, &admin, org_id, &without_dev).await;
    for (id, updated) in [
        (ids[0], "2026-01-03T00:00:00Z"),
        (ids[1], "2026-01-01T00:00:00Z"),
        (ids[2], "2026-01-02T00:00:00Z"),
        (ccd, "2026-01-04T00:00:00Z"),
    ] {
        sqlx::query("UPDATE tickets SET updated_at = ? WHERE id = ?")
            .bind(updated)
            .bind(id)
            .execute(app.state.store.pool())
            .await
            .unwrap();
    }
    let listed: Vec<i64> = list(&app, &dev, org_id)
        .await
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(listed, [ccd, ids[0], ids[2], ids[1]]);
}
