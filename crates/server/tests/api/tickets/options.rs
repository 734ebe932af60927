//! What the create form offers, and who may reach the ticket endpoints at all.

use api::{ErrorCode, ResponseTime, Severity, TicketListQuery};
use reqwest::StatusCode;

use super::{acme_form, ticket_count};
use crate::helpers::{expect_error, png, spawn_app, spawn_app_with};

#[tokio::test]
async fn ticket_options_show_the_projects_products_and_the_tiers_response_times() {
    let app = spawn_app().await;

    let acme = app.sign_in("dev@acme.example").await.ticket_options().await;
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

    let globex = app
        .sign_in("admin@globex.example")
        .await
        .ticket_options()
        .await;
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

    let hobby = app
        .sign_in("owner@hobby.example")
        .await
        .ticket_options()
        .await;
    assert_eq!(hobby.tier_name, None);
    assert!(hobby.response_times.is_none());
    assert_eq!(hobby.forum_url, "https://aiven.io/community/forum");
}

#[tokio::test]
async fn another_organizations_ticket_endpoints_are_not_found() {
    let app = spawn_app().await;
    let globex_id = app.organization_of("admin@globex.example").await;
    let acme_in_globex = app.sign_in("dev@acme.example").await.at(globex_id);
    for response in [
        acme_in_globex.get_ticket_options().await,
        acme_in_globex
            .get_tickets(&TicketListQuery::default())
            .await,
    ] {
        expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    }
    let response = acme_in_globex.post_ticket(&acme_form(&app).await).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    let response = acme_in_globex.post_attachment("shot.png", png(100)).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    assert_eq!(ticket_count(&app).await, 0);
    assert!(app.stored_files().await.is_empty());
}

#[tokio::test]
async fn ticket_endpoints_need_a_session_and_the_csrf_header() {
    let app = spawn_app().await;
    let org_id = app.organization_of("dev@acme.example").await;
    let response = app
        .anonymous()
        .at(org_id)
        .get_tickets(&TicketListQuery::default())
        .await;
    expect_error(
        response,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
    )
    .await;

    let dev = app.sign_in("dev@acme.example").await;
    let response = dev.without_csrf().post_ticket(&acme_form(&app).await).await;
    expect_error(response, StatusCode::FORBIDDEN, ErrorCode::CsrfCheckFailed).await;
    assert_eq!(ticket_count(&app).await, 0);
}

#[tokio::test]
async fn ticket_options_say_whether_people_can_reply_by_email() {
    let without = spawn_app().await;
    let with = spawn_app_with(|config| config.reply_domain = Some("reply.example".into())).await;

    let without = without
        .sign_in("dev@acme.example")
        .await
        .ticket_options()
        .await;
    let with = with
        .sign_in("dev@acme.example")
        .await
        .ticket_options()
        .await;

    assert!(
        !without.replies_by_email,
        "no --reply-domain: emails carry no reply address"
    );
    assert!(
        with.replies_by_email,
        "--reply-domain: emails carry a reply address"
    );
}

#[tokio::test]
async fn every_ticket_answer_says_whether_people_can_reply_by_email() {
    for (reply_domain, expected) in [(None, false), (Some("reply.example"), true)] {
        let app =
            spawn_app_with(|config| config.reply_domain = reply_domain.map(str::to_owned)).await;
        let dev = app.sign_in("dev@acme.example").await;

        // Created, read, commented on, and its status changed: the ticket page's comment form reads
        // it from whichever answer it holds last.
        let created = dev.create_ticket(&acme_form(&app).await).await;
        let read = dev.ticket(created.id).await;
        let commented = dev
            .comment(
                created.id,
                &api::NewComment {
                    cc: Vec::new(),
                    body: "Any news?".into(),
                    attachment_ids: Vec::new(),
                },
            )
            .await;
        let solved = dev
            .change_status(created.id, api::TicketStatus::Solved)
            .await;
        for (what, ticket) in [
            ("created", created),
            ("read", read),
            ("commented", commented),
            ("solved", solved),
        ] {
            assert_eq!(
                ticket.replies_by_email, expected,
                "{what} with --reply-domain {reply_domain:?}"
            );
        }
    }
}
