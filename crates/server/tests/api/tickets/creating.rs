//! Creating a ticket: what the server stores and answers, and when the first response is due.

use api::{
    Attachment, ErrorCode, NewTicket, ResponseTime, Severity, Ticket, TicketListItem,
    TicketPermissions, TicketStatus,
};
use reqwest::StatusCode;
use serde_json::json;
use time::{Duration, OffsetDateTime, Weekday};

use super::{
    acme_form_with, my_new_tickets, plus_business_days, project_id, ticket_count, time_of,
};
use crate::helpers::{Session, TestApp, expect_error, fields, invalid, spawn_app};

/// Dev creates a ticket with a project, a service, a file, a CC typed in another case and a subject
/// with stray spaces. Returns dev's session, the file, the time (whole seconds) just before creating,
/// and the ticket as the server answered.
async fn devs_ticket_with_a_file(app: &TestApp) -> (Session, Attachment, OffsetDateTime, Ticket) {
    let dev = app.sign_in("dev@acme.example").await;
    let file = dev.upload_png("screenshot.png").await;
    let form = acme_form_with(app, |f| {
        f.attachment_ids = vec![file.id];
        f.cc = vec![" Admin@Acme.example ".into()];
        f.subject = "  Cannot connect to pg-main \n".into();
    })
    .await;

    let before = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let response = dev.post_ticket(&form).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.headers().get("idempotent-replayed").is_none());
    let ticket: Ticket = response.json().await.unwrap();
    (dev, file, before, ticket)
}

#[tokio::test]
async fn a_member_creates_a_ticket_with_a_cc_a_project_a_service_and_a_file() {
    let app = spawn_app().await;
    let (dev, file, _, ticket) = devs_ticket_with_a_file(&app).await;

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
    let [resource] = ticket.resources.as_slice() else {
        panic!("one project and service: {:?}", ticket.resources)
    };
    assert_eq!(resource.project.name, "acme-prod");
    assert_eq!(resource.project.id, project_id(&app, "acme-prod").await);
    assert_eq!(resource.service.as_ref().unwrap().name, "pg-main");
    assert_eq!(
        ticket.description,
        "Connections time out since 10:00 UTC.\n\nError: timeout expired"
    );
    assert_eq!(ticket.cc, ["admin@acme.example"]);
    assert_eq!(ticket.submitter_name, "Dana Developer");
    assert_eq!(ticket.submitter_email, "dev@acme.example");
    assert_eq!(ticket.attachments, [file]);
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

    let response = dev.get_ticket(ticket.id).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Ticket>().await.unwrap(), ticket);
}

#[tokio::test]
async fn a_basic_tier_ticket_is_due_one_business_day_after_it_was_created() {
    let app = spawn_app().await;
    let (_, _, before, ticket) = devs_ticket_with_a_file(&app).await;

    assert_eq!(ticket.first_response_target, ResponseTime::BusinessDays(1));
    let created = time_of(ticket.created_at);
    assert!(created >= before && created <= OffsetDateTime::now_utc());
    assert_eq!(ticket.updated_at, ticket.created_at);
    assert_eq!(
        time_of(ticket.first_response_due_at),
        plus_business_days(created, 1)
    );
    assert!(!matches!(
        time_of(ticket.first_response_due_at).weekday(),
        Weekday::Saturday | Weekday::Sunday
    ));

    // The target is stored with the ticket, so a later tier change does not rewrite it.
    let stored: (String, i64) = sqlx::query_as(
        "SELECT first_response_target_unit, first_response_target_value FROM tickets WHERE id = $1",
    )
    .bind(ticket.id)
    .fetch_one(app.db())
    .await
    .unwrap();
    assert_eq!(stored, ("business_days".to_owned(), 1));
}

#[tokio::test]
async fn a_new_ticket_is_the_one_line_of_the_submitters_list() {
    let app = spawn_app().await;
    let (dev, _, _, ticket) = devs_ticket_with_a_file(&app).await;

    let summaries = my_new_tickets(&dev).await;

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
}

#[tokio::test]
async fn an_advanced_tier_ticket_is_due_in_the_tiers_minutes() {
    let app = spawn_app().await;
    let globex = app.sign_in("admin@globex.example").await;
    let form = NewTicket {
        subject: "Cluster is red".into(),
        severity: Some(Severity::Critical),
        resources: vec!["globex-prod".into()],
        product: "opensearch".into(),
        reason: "cluster_health".into(),
        description: "All shards unassigned.".into(),
        ..NewTicket::default()
    };
    let ticket = globex.create_ticket(&form).await;
    assert_eq!(ticket.first_response_target, ResponseTime::Minutes(30));
    assert_eq!(
        time_of(ticket.first_response_due_at),
        time_of(ticket.created_at) + Duration::minutes(30)
    );
    let ids: Vec<String> = ticket.resources.iter().map(|r| r.id_text()).collect();
    assert_eq!(ids, ["globex-prod"]);
    assert_eq!(ticket.resources[0].service, None);
    assert!(ticket.cc.is_empty());
}

#[tokio::test]
async fn an_empty_form_reports_every_required_field() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let body =
        json!({ "subject": "", "severity": null, "product": "", "reason": "", "description": "" });
    let error = invalid(dev.post_ticket(&body).await).await;
    assert_eq!(
        fields(&error),
        ["subject", "severity", "product", "description"]
    );
    assert_eq!(ticket_count(&app).await, 0);
    assert!(app.outbox().await.is_empty());
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_malformed() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let response = dev.post_ticket(&json!({ "subject": 5 })).await;
    expect_error(
        response,
        StatusCode::BAD_REQUEST,
        ErrorCode::MalformedRequest,
    )
    .await;
}
