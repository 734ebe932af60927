//! The conversation on a ticket against the real app: who may do what (the permission matrix over
//! HTTP), comments with files and CCs, idempotent retries, CC removal, the customer's status changes,
//! follow-up tickets, following, the emails of every change, ETags, the demo tickets, and the support
//! team's CLI as the real binary.

mod helpers;

use std::collections::BTreeSet;

use api::conversation::COMMENT_MAX_CHARS;
use api::ticket::ATTACHMENT_GONE;
use api::ticket::{ATTACHMENTS_TOTAL_MAX_BYTES, IDEMPOTENCY_HEADER};
use api::{
    ActivityKind, AuthorKind, CSRF_HEADER, CSRF_VALUE, ErrorCode, Following, Ticket, TicketList,
    TicketPermissions, TicketStatus,
};
use helpers::{
    TestApp, add_member, expect_error, fields, get_ticket, invalid, png, run_cli, signed_in,
    spawn_app, text, upload_png,
};
use reqwest::header::{ETAG, IF_NONE_MATCH};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use support_server::cli::tickets::{agent_reply, agent_set_status};
use support_server::rules::conversation::{
    CLOSED_NO_COMMENTS, FOLLOWING_ADMINS, REMOVE_CC_REFUSED,
};
use support_server::rules::tickets::FOLLOW_UP_REFUSED;

const SUBJECT: &str = "Replica lag on pg-main";

fn form(cc: &[&str]) -> Value {
    json!({
        "cc": cc,
        "subject": SUBJECT,
        "severity": "high",
        "product": "postgresql",
        "reason": "performance",
        "description": "Replication lag grows to minutes during the nightly batch.",
    })
}

async fn post_ticket(app: &TestApp, client: &Client, org_id: i64, body: &Value) -> Response {
    client
        .post(app.api(&format!("/organizations/{org_id}/tickets")))
        .header(CSRF_HEADER, CSRF_VALUE)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn create(app: &TestApp, client: &Client, org_id: i64, cc: &[&str]) -> Ticket {
    let response = post_ticket(app, client, org_id, &form(cc)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

fn ticket_path(org_id: i64, id: i64) -> String {
    format!("/organizations/{org_id}/tickets/{id}")
}

async fn read(app: &TestApp, client: &Client, org_id: i64, id: i64) -> Ticket {
    let response = get_ticket(app, client, org_id, id).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn post_comment(
    app: &TestApp,
    client: &Client,
    org_id: i64,
    id: i64,
    key: Option<&str>,
    body: &Value,
) -> Response {
    let mut request = client
        .post(app.api(&format!("{}/comments", ticket_path(org_id, id))))
        .header(CSRF_HEADER, CSRF_VALUE)
        .json(body);
    if let Some(key) = key {
        request = request.header(IDEMPOTENCY_HEADER, key);
    }
    request.send().await.unwrap()
}

async fn comment(app: &TestApp, client: &Client, org_id: i64, id: i64, body: &Value) -> Ticket {
    let response = post_comment(app, client, org_id, id, None, body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "comment {body}");
    response.json().await.unwrap()
}

async fn post_status(
    app: &TestApp,
    client: &Client,
    org_id: i64,
    id: i64,
    status: &str,
) -> Response {
    client
        .post(app.api(&format!("{}/status", ticket_path(org_id, id))))
        .header(CSRF_HEADER, CSRF_VALUE)
        .json(&json!({ "status": status }))
        .send()
        .await
        .unwrap()
}

async fn delete_cc(app: &TestApp, client: &Client, org_id: i64, id: i64, email: &str) -> Response {
    let encoded = percent_encoding::utf8_percent_encode(email, percent_encoding::NON_ALPHANUMERIC);
    client
        .delete(app.api(&format!("{}/cc/{encoded}", ticket_path(org_id, id))))
        .header(CSRF_HEADER, CSRF_VALUE)
        .send()
        .await
        .unwrap()
}

async fn put_following(app: &TestApp, client: &Client, org_id: i64, following: bool) -> Response {
    client
        .put(app.api(&format!("/organizations/{org_id}/ticket-following")))
        .header(CSRF_HEADER, CSRF_VALUE)
        .json(&json!({ "following": following }))
        .send()
        .await
        .unwrap()
}

async fn my_list(app: &TestApp, client: &Client, org_id: i64, scope: &str) -> Response {
    client
        .get(app.api(&format!("/organizations/{org_id}/tickets?scope={scope}")))
        .send()
        .await
        .unwrap()
}

/// The id of the newest outbox row (0 when empty): emails after it belong to what the test does next.
async fn outbox_mark(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM outbox")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

/// `(recipient, subject, body)` of the emails after `mark`, oldest first.
async fn emails_since(app: &TestApp, mark: i64) -> Vec<(String, String, String)> {
    sqlx::query_as("SELECT recipient, subject, body FROM outbox WHERE id > ? ORDER BY id")
        .bind(mark)
        .fetch_all(app.state.store.pool())
        .await
        .unwrap()
}

/// The recipients after `mark`, asserting each got exactly one email.
async fn recipients_since(app: &TestApp, mark: i64) -> BTreeSet<String> {
    let emails = emails_since(app, mark).await;
    let set: BTreeSet<String> = emails.iter().map(|(r, _, _)| r.clone()).collect();
    assert_eq!(set.len(), emails.len(), "one email each: {emails:#?}");
    set
}

fn set(addresses: &[&str]) -> BTreeSet<String> {
    addresses.iter().map(|a| a.to_string()).collect()
}

async fn stored_status(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM tickets WHERE id = ?")
        .bind(id)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

async fn activity_count(app: &TestApp, id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM ticket_activity WHERE ticket_id = ?")
        .bind(id)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Demo data

#[tokio::test]
async fn the_demo_has_tickets_in_every_state_with_replies_and_sent_no_email() {
    let app = spawn_app().await;
    assert!(emails_since(&app, 0).await.is_empty());
    let fts5: i64 = sqlx::query_scalar("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(fts5, 1, "the bundled SQLite has FTS5");

    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let response = my_list(&app, &dev, org_id, "mine").await;
    let list: TicketList = response.json().await.unwrap();
    let lines: Vec<(&str, TicketStatus, Option<&str>, bool)> = list
        .tickets
        .iter()
        .map(|t| {
            (
                t.subject.as_str(),
                t.status,
                t.last_replied_by.as_deref(),
                t.last_reply_from_agent,
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (
                "Kafka consumer lag keeps growing on kafka-events",
                TicketStatus::Open,
                None,
                false
            ),
            (
                "Slow queries on pg-staging after the weekend maintenance",
                TicketStatus::AwaitingCustomer,
                Some("Sam from Support"),
                true
            ),
            (
                "Invoice for October lists pg-staging twice",
                TicketStatus::Closed,
                Some("Sam from Support"),
                true
            ),
            (
                "Restore pg-main to the state before a failed migration",
                TicketStatus::Solved,
                Some("Dana Developer"),
                false
            ),
        ]
    );
    assert_eq!(list.total, 4);
    let now = time::OffsetDateTime::now_utc();
    for t in &list.tickets {
        let parse = |s: &str| {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
        };
        assert!(parse(&t.created_at.to_string()) <= parse(&t.updated_at.to_string()));
        assert!(parse(&t.updated_at.to_string()) < now);
    }

    // The admin is CCed on the one awaiting an answer; the conversation reads oldest first.
    let (admin, _) = signed_in(&app, "admin@acme.example").await;
    let list: TicketList = my_list(&app, &admin, org_id, "mine")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.tickets.len(), 1);
    let slow = read(&app, &admin, org_id, list.tickets[0].id).await;
    assert_eq!(slow.cc, ["admin@acme.example"]);
    assert_eq!(
        slow.activity
            .iter()
            .map(|a| (a.kind, a.author_kind, a.author_name.as_str()))
            .collect::<Vec<_>>(),
        [
            (ActivityKind::Comment, AuthorKind::Agent, "Sam from Support"),
            (
                ActivityKind::StatusChanged,
                AuthorKind::Agent,
                "Sam from Support"
            ),
        ]
    );
    assert!(slow.activity[0].body.contains("EXPLAIN (ANALYZE, BUFFERS)"));
    assert_eq!(slow.first_response_at, Some(slow.activity[0].created_at));

    let (globex, globex_id) = signed_in(&app, "admin@globex.example").await;
    let list: TicketList = my_list(&app, &globex, globex_id, "mine")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.tickets.len(), 1);
    assert_eq!(list.tickets[0].status, TicketStatus::Open);
    assert_eq!(
        list.tickets[0].last_replied_by.as_deref(),
        Some("Gabriel Globex")
    );
}

// ---------------------------------------------------------------------------------------------
// The permission matrix

#[tokio::test]
async fn the_permission_matrix_over_http() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    add_member(&app, "ops@acme.example", "Olive Ops", org_id, "member").await;
    add_member(&app, "qa@acme.example", "Quinn QA", org_id, "member").await;
    let (ops, _) = signed_in(&app, "ops@acme.example").await;
    let (qa, _) = signed_in(&app, "qa@acme.example").await;
    let (admin, _) = signed_in(&app, "admin@acme.example").await;
    let (globex, globex_id) = signed_in(&app, "admin@globex.example").await;

    // CCed: a member, an address that is nobody's account, and a user of another organization.
    let ticket = create(
        &app,
        &dev,
        org_id,
        &[
            "ops@acme.example",
            "outside@partner.example",
            "admin@globex.example",
        ],
    )
    .await;
    let file = upload_png(&app, &dev, org_id, "graph.png").await;
    let with_file = comment(
        &app,
        &dev,
        org_id,
        ticket.id,
        &json!({"body": "The lag graph.", "attachment_ids": [file.id]}),
    )
    .await;
    assert_eq!(
        with_file.activity[0].attachments,
        std::slice::from_ref(&file)
    );
    let file_path = format!("{}/attachments/{}", ticket_path(org_id, ticket.id), file.id);

    struct Person<'a> {
        name: &'static str,
        client: &'a Client,
        org_id: i64,
        read: bool,
        remove_cc: StatusCode,
        org_scope: StatusCode,
    }
    let people = [
        Person {
            name: "submitter",
            client: &dev,
            org_id,
            read: true,
            remove_cc: StatusCode::NO_CONTENT,
            org_scope: StatusCode::FORBIDDEN,
        },
        Person {
            name: "CCed member",
            client: &ops,
            org_id,
            read: true,
            remove_cc: StatusCode::FORBIDDEN,
            org_scope: StatusCode::FORBIDDEN,
        },
        Person {
            name: "other member",
            client: &qa,
            org_id,
            read: false,
            remove_cc: StatusCode::NOT_FOUND,
            org_scope: StatusCode::FORBIDDEN,
        },
        Person {
            name: "admin",
            client: &admin,
            org_id,
            read: true,
            remove_cc: StatusCode::NO_CONTENT,
            org_scope: StatusCode::OK,
        },
        // CCed by email, but a user of another organization: membership comes first.
        Person {
            name: "other organization (in Acme's path)",
            client: &globex,
            org_id,
            read: false,
            remove_cc: StatusCode::NOT_FOUND,
            org_scope: StatusCode::NOT_FOUND,
        },
        Person {
            name: "other organization (in its own path)",
            client: &globex,
            org_id: globex_id,
            read: false,
            remove_cc: StatusCode::NOT_FOUND,
            org_scope: StatusCode::OK,
        },
    ];
    for (i, p) in people.iter().enumerate() {
        let name = p.name;
        let path = ticket_path(p.org_id, ticket.id);
        let ok_or_404 = |ok: StatusCode| if p.read { ok } else { StatusCode::NOT_FOUND };

        // Read: the ticket, a comment's file, and "My tickets".
        let response = get_ticket(&app, p.client, p.org_id, ticket.id).await;
        assert_eq!(response.status(), ok_or_404(StatusCode::OK), "{name} reads");
        if !p.read {
            expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
        }
        let file_in_path = format!("{path}/attachments/{}", file.id);
        let response = p.client.get(app.api(&file_in_path)).send().await.unwrap();
        assert_eq!(
            response.status(),
            ok_or_404(StatusCode::OK),
            "{name} downloads"
        );
        let mine = my_list(&app, p.client, p.org_id, "mine").await;
        if p.name.starts_with("other organization (in Acme") {
            assert_eq!(mine.status(), StatusCode::NOT_FOUND);
        } else {
            let mine: TicketList = mine.json().await.unwrap();
            let listed = mine.tickets.iter().any(|t| t.id == ticket.id);
            assert_eq!(listed, p.read && p.name != "admin", "{name}'s own list");
        }
        let org_scope = my_list(&app, p.client, p.org_id, "organization").await;
        assert_eq!(
            org_scope.status(),
            p.org_scope,
            "{name} lists the organization"
        );
        if p.org_scope == StatusCode::OK {
            let all: TicketList = org_scope.json().await.unwrap();
            assert_eq!(
                all.tickets.iter().any(|t| t.id == ticket.id),
                p.read,
                "{name}"
            );
        }

        // Comment, add a CC, change the status.
        let response = post_comment(
            &app,
            p.client,
            p.org_id,
            ticket.id,
            None,
            &json!({"body": format!("From {name}.")}),
        )
        .await;
        assert_eq!(
            response.status(),
            ok_or_404(StatusCode::CREATED),
            "{name} comments"
        );
        let new_cc = format!("cc{i}@partner.example");
        let response = post_comment(
            &app,
            p.client,
            p.org_id,
            ticket.id,
            None,
            &json!({"cc": [new_cc]}),
        )
        .await;
        assert_eq!(
            response.status(),
            ok_or_404(StatusCode::CREATED),
            "{name} adds a CC"
        );
        if p.read {
            let t: Ticket = response.json().await.unwrap();
            assert_eq!(
                t.permissions,
                TicketPermissions {
                    can_comment: true,
                    can_change_status: true,
                    can_remove_cc: p.remove_cc == StatusCode::NO_CONTENT,
                },
                "{name}'s permissions"
            );
        }
        let response = post_status(&app, p.client, p.org_id, ticket.id, "solved").await;
        assert_eq!(
            response.status(),
            ok_or_404(StatusCode::OK),
            "{name} solves"
        );
        let response = post_status(&app, p.client, p.org_id, ticket.id, "open").await;
        assert_eq!(
            response.status(),
            ok_or_404(StatusCode::OK),
            "{name} reopens"
        );

        // Remove a CC (one the submitter added, so it exists whoever asks).
        let victim = format!("victim{i}@partner.example");
        comment(&app, &dev, org_id, ticket.id, &json!({"cc": [victim]})).await;
        let response = delete_cc(&app, p.client, p.org_id, ticket.id, &victim).await;
        assert_eq!(response.status(), p.remove_cc, "{name} removes a CC");
        if p.remove_cc == StatusCode::FORBIDDEN {
            let error = expect_error(response, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
            assert_eq!(error.message, REMOVE_CC_REFUSED);
        }
    }
    // Only the readers left a trace: 1 comment with the file, then per reader a comment, a CC
    // addition, two status changes; per person the submitter's CC addition, and per allowed removal
    // a removal.
    let t = read(&app, &dev, org_id, ticket.id).await;
    let count = |kind| t.activity.iter().filter(|a| a.kind == kind).count();
    assert_eq!(count(ActivityKind::Comment), 1 + 3);
    assert_eq!(count(ActivityKind::CcAdded), 3 + people.len());
    assert_eq!(count(ActivityKind::StatusChanged), 3 * 2);
    assert_eq!(count(ActivityKind::CcRemoved), 2);

    // The CCed address that is nobody's account only gets email; so does the other organization's
    // admin.
    let recipients: BTreeSet<String> = emails_since(&app, 0)
        .await
        .into_iter()
        .map(|(r, _, _)| r)
        .collect();
    assert!(recipients.contains("outside@partner.example"));
    assert!(recipients.contains("admin@globex.example"));

    // The file of a comment is not another organization's to download, by any path.
    let response = globex.get(app.api(&file_path)).send().await.unwrap();
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;

    // A CCed member taken off the list loses the ticket.
    assert_eq!(
        delete_cc(&app, &admin, org_id, ticket.id, "ops@acme.example")
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let response = get_ticket(&app, &ops, org_id, ticket.id).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
}

// ---------------------------------------------------------------------------------------------
// Comments

#[tokio::test]
async fn a_comment_carries_files_and_new_ccs_and_is_recorded_in_order() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    add_member(&app, "ops@acme.example", "Olive Ops", org_id, "member").await;
    let ticket = create(&app, &dev, org_id, &["ops@acme.example"]).await;
    let a = upload_png(&app, &dev, org_id, "before.png").await;
    let b = upload_png(&app, &dev, org_id, "after.png").await;
    let updated = comment(
        &app,
        &dev,
        org_id,
        ticket.id,
        &json!({
            "body": "  Lag graphs attached.\n\nStill 4 minutes behind.  ",
            "cc": ["New@Partner.example"],
            "attachment_ids": [a.id, b.id],
        }),
    )
    .await;
    assert_eq!(updated.cc, ["ops@acme.example", "new@partner.example"]);
    assert!(
        updated.attachments.is_empty(),
        "the ticket's own files stay apart"
    );
    assert!(updated.updated_at >= ticket.updated_at);
    let kinds: Vec<ActivityKind> = updated.activity.iter().map(|x| x.kind).collect();
    assert_eq!(kinds, [ActivityKind::Comment, ActivityKind::CcAdded]);
    let c = &updated.activity[0];
    assert_eq!(c.body, "Lag graphs attached.\n\nStill 4 minutes behind.");
    assert_eq!(
        (c.author_name.as_str(), c.author_kind),
        ("Dana Developer", AuthorKind::Customer)
    );
    assert_eq!(c.attachments, [a.clone(), b.clone()]);
    assert_eq!(updated.activity[1].emails, ["new@partner.example"]);
    assert_eq!(updated, read(&app, &dev, org_id, ticket.id).await);

    // The CCed member reads it, files included; the list says who wrote last.
    let (ops, _) = signed_in(&app, "ops@acme.example").await;
    let path = format!("{}/attachments/{}", ticket_path(org_id, ticket.id), b.id);
    let response = ops.get(app.api(&path)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap().to_vec(), png(2048));
    let list: TicketList = my_list(&app, &ops, org_id, "mine")
        .await
        .json()
        .await
        .unwrap();
    let line = list.tickets.iter().find(|t| t.id == ticket.id).unwrap();
    assert_eq!(line.last_replied_by.as_deref(), Some("Dana Developer"));
    assert!(!line.last_reply_from_agent);
    assert_eq!(list.tickets[0].id, ticket.id, "most recently updated first");

    // Only adding people: no comment entry.
    let cc_only = comment(
        &app,
        &ops,
        org_id,
        ticket.id,
        &json!({"cc": ["third@partner.example"]}),
    )
    .await;
    assert_eq!(cc_only.activity.len(), 3);
    assert_eq!(cc_only.activity[2].kind, ActivityKind::CcAdded);
    assert_eq!(cc_only.activity[2].author_name, "Olive Ops");
}

#[tokio::test]
async fn every_comment_rule_is_checked_and_a_refusal_changes_nothing() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let (admin, _) = signed_in(&app, "admin@acme.example").await;
    let ticket = create(&app, &dev, org_id, &["ops@acme.example"]).await;
    let mine = upload_png(&app, &dev, org_id, "mine.png").await;
    let theirs = upload_png(&app, &admin, org_id, "theirs.png").await;
    let before = activity_count(&app, ticket.id).await;
    let mark = outbox_mark(&app).await;
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({}), vec!["body"]),
        (json!({"body": "   "}), vec!["body"]),
        (
            json!({"body": "x".repeat(COMMENT_MAX_CHARS + 1)}),
            vec!["body"],
        ),
        (json!({"body": "Hi", "cc": ["not an address"]}), vec!["cc"]),
        (
            json!({"body": "Hi", "cc": ["dev@acme.example"]}),
            vec!["cc"],
        ),
        (
            json!({"body": "Hi", "cc": ["OPS@acme.example"]}),
            vec!["cc"],
        ),
        (
            json!({"cc": ["x@partner.example"], "attachment_ids": [mine.id]}),
            vec!["body"],
        ),
        (
            json!({"body": "Hi", "attachment_ids": (1..=11).collect::<Vec<i64>>()}),
            vec!["attachments"],
        ),
        (
            json!({"body": "Hi", "attachment_ids": [mine.id, mine.id]}),
            vec!["attachments"],
        ),
        (
            json!({"body": "Hi", "attachment_ids": [theirs.id]}),
            vec!["attachments"],
        ),
        (
            json!({"body": "", "cc": ["bad"], "attachment_ids": [theirs.id]}),
            vec!["cc", "body", "attachments"],
        ),
    ];
    for (body, expected) in cases {
        let response = post_comment(&app, &dev, org_id, ticket.id, None, &body).await;
        let error = invalid(response).await;
        assert_eq!(fields(&error), expected, "{body}");
    }
    let error = invalid(
        post_comment(
            &app,
            &dev,
            org_id,
            ticket.id,
            None,
            &json!({"body": "Hi", "attachment_ids": [theirs.id]}),
        )
        .await,
    )
    .await;
    assert_eq!(error.fields[0].message, ATTACHMENT_GONE);
    let own = invalid(
        post_comment(
            &app,
            &admin,
            org_id,
            ticket.id,
            None,
            &json!({"cc": ["admin@acme.example"]}),
        )
        .await,
    )
    .await;
    assert!(
        own.fields[0].message.contains("your own address"),
        "{own:?}"
    );
    assert_eq!(activity_count(&app, ticket.id).await, before);
    assert!(emails_since(&app, mark).await.is_empty());

    // A file already on the ticket is not an upload any more.
    comment(
        &app,
        &dev,
        org_id,
        ticket.id,
        &json!({"body": "One", "attachment_ids": [mine.id]}),
    )
    .await;
    let again = invalid(
        post_comment(
            &app,
            &dev,
            org_id,
            ticket.id,
            None,
            &json!({"body": "Two", "attachment_ids": [mine.id]}),
        )
        .await,
    )
    .await;
    assert_eq!(again.fields[0].message, ATTACHMENT_GONE);

    // The ticket's files, its comments' included, stay within 50 MB together.
    sqlx::query("UPDATE attachments SET size = ? WHERE id = ?")
        .bind(ATTACHMENTS_TOTAL_MAX_BYTES as i64 - 1000)
        .bind(mine.id)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let more = upload_png(&app, &dev, org_id, "more.png").await;
    let full = invalid(
        post_comment(
            &app,
            &dev,
            org_id,
            ticket.id,
            None,
            &json!({"body": "Three", "attachment_ids": [more.id]}),
        )
        .await,
    )
    .await;
    assert!(full.fields[0].message.contains("at most 50 MB"), "{full:?}");

    // Not found, and not for another organization's path.
    let response = post_comment(&app, &dev, org_id, 999_999, None, &json!({"body": "Hi"})).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    // No CSRF header, no comment.
    let response = dev
        .post(app.api(&format!("{}/comments", ticket_path(org_id, ticket.id))))
        .json(&json!({"body": "Hi"}))
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::FORBIDDEN, ErrorCode::CsrfCheckFailed).await;
}

#[tokio::test]
async fn comments_are_idempotent_per_key_ticket_and_content() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let ticket = create(&app, &dev, org_id, &["ops@acme.example"]).await;
    let other = create(&app, &dev, org_id, &[]).await;
    let body = json!({"body": "Any news?"});
    let first = post_comment(&app, &dev, org_id, ticket.id, Some("key-1"), &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Ticket = first.json().await.unwrap();
    let mark = outbox_mark(&app).await;

    let replay = post_comment(&app, &dev, org_id, ticket.id, Some("key-1"), &body).await;
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<Ticket>().await.unwrap(), first);
    assert_eq!(activity_count(&app, ticket.id).await, 1, "one comment");
    assert!(
        emails_since(&app, mark).await.is_empty(),
        "no second round of emails"
    );

    // The same key with other content, or for another ticket (decided: a different request, not a
    // separate one), or a key already used to create a ticket: refused.
    let other_text = post_comment(
        &app,
        &dev,
        org_id,
        ticket.id,
        Some("key-1"),
        &json!({"body": "Hello?"}),
    )
    .await;
    expect_error(
        other_text,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::IdempotencyKeyReused,
    )
    .await;
    let other_ticket = post_comment(&app, &dev, org_id, other.id, Some("key-1"), &body).await;
    expect_error(
        other_ticket,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::IdempotencyKeyReused,
    )
    .await;
    assert_eq!(activity_count(&app, other.id).await, 0);
    let response = dev
        .post(app.api(&format!("/organizations/{org_id}/tickets")))
        .header(CSRF_HEADER, CSRF_VALUE)
        .header(IDEMPOTENCY_HEADER, "key-2")
        .json(&form(&[]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let reused = post_comment(&app, &dev, org_id, ticket.id, Some("key-2"), &body).await;
    expect_error(
        reused,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::IdempotencyKeyReused,
    )
    .await;

    // A refused comment frees its key for the corrected one.
    let refused = post_comment(
        &app,
        &dev,
        org_id,
        ticket.id,
        Some("key-3"),
        &json!({"body": ""}),
    )
    .await;
    invalid(refused).await;
    let corrected = post_comment(
        &app,
        &dev,
        org_id,
        ticket.id,
        Some("key-3"),
        &json!({"body": "Fixed"}),
    )
    .await;
    assert_eq!(corrected.status(), StatusCode::CREATED);
    // Keys are per user: another user's same key is their own.
    let (admin, _) = signed_in(&app, "admin@acme.example").await;
    let theirs = post_comment(&app, &admin, org_id, ticket.id, Some("key-1"), &body).await;
    assert_eq!(theirs.status(), StatusCode::CREATED);
    assert!(theirs.headers().get("idempotent-replayed").is_none());
}

// ---------------------------------------------------------------------------------------------
// Status

#[tokio::test]
async fn customers_solve_and_reopen_and_a_reply_answers_the_support_teams_question() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let ticket = create(&app, &dev, org_id, &[]).await;

    let solved: Ticket = post_status(&app, &dev, org_id, ticket.id, "solved")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(solved.status, TicketStatus::Solved);
    let last = solved.activity.last().unwrap();
    assert_eq!(
        (last.kind, last.status, last.author_name.as_str()),
        (
            ActivityKind::StatusChanged,
            Some(TicketStatus::Solved),
            "Dana Developer"
        )
    );
    let conflict = |response| async move {
        expect_error(response, StatusCode::CONFLICT, ErrorCode::Conflict)
            .await
            .message
    };
    assert_eq!(
        conflict(post_status(&app, &dev, org_id, ticket.id, "solved").await).await,
        "This ticket is already solved."
    );
    let reopened: Ticket = post_status(&app, &dev, org_id, ticket.id, "open")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reopened.status, TicketStatus::Open);
    assert_eq!(
        conflict(post_status(&app, &dev, org_id, ticket.id, "open").await).await,
        "Only a solved ticket can be reopened."
    );
    assert!(
        conflict(post_status(&app, &dev, org_id, ticket.id, "awaiting_customer").await)
            .await
            .contains("solved or reopen")
    );
    assert!(
        conflict(post_status(&app, &dev, org_id, ticket.id, "closed").await)
            .await
            .contains("solved or reopen")
    );
    let response = post_status(&app, &dev, org_id, ticket.id, "bogus").await;
    assert!(response.status().is_client_error());

    // The support team asks; adding people to CC is no answer, a comment is.
    agent_reply(
        &app.state.store,
        ticket.id,
        "Sam from Support",
        "Which region?",
        Some(TicketStatus::AwaitingCustomer),
    )
    .await
    .unwrap();
    comment(
        &app,
        &dev,
        org_id,
        ticket.id,
        &json!({"cc": ["ops@acme.example"]}),
    )
    .await;
    assert_eq!(stored_status(&app, ticket.id).await, "awaiting_customer");
    let answered = comment(&app, &dev, org_id, ticket.id, &json!({"body": "eu-west-1"})).await;
    assert_eq!(answered.status, TicketStatus::Open);
    let tail: Vec<(ActivityKind, Option<TicketStatus>, AuthorKind)> = answered
        .activity
        .iter()
        .rev()
        .take(2)
        .rev()
        .map(|a| (a.kind, a.status, a.author_kind))
        .collect();
    assert_eq!(
        tail,
        [
            (ActivityKind::Comment, None, AuthorKind::Customer),
            (
                ActivityKind::StatusChanged,
                Some(TicketStatus::Open),
                AuthorKind::Customer
            )
        ]
    );

    // Closed: no comments, no reopening, the way out is a follow-up ticket.
    agent_set_status(
        &app.state.store,
        ticket.id,
        "Sam from Support",
        TicketStatus::Closed,
    )
    .await
    .unwrap();
    let closed = read(&app, &dev, org_id, ticket.id).await;
    assert_eq!(
        closed.permissions,
        TicketPermissions {
            can_comment: false,
            can_change_status: false,
            can_remove_cc: true
        }
    );
    let message = conflict(
        post_comment(
            &app,
            &dev,
            org_id,
            ticket.id,
            None,
            &json!({"body": "Hello?"}),
        )
        .await,
    )
    .await;
    assert_eq!(message, CLOSED_NO_COMMENTS);
    assert!(message.contains("follow-up"));
    assert!(
        conflict(post_status(&app, &dev, org_id, ticket.id, "open").await)
            .await
            .contains("follow-up")
    );
    assert!(
        conflict(post_status(&app, &dev, org_id, ticket.id, "solved").await)
            .await
            .contains("follow-up")
    );
    assert_eq!(stored_status(&app, ticket.id).await, "closed");
}

#[tokio::test]
async fn a_follow_up_must_name_a_closed_ticket_the_user_can_read() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    add_member(&app, "qa@acme.example", "Quinn QA", org_id, "member").await;
    let (qa, _) = signed_in(&app, "qa@acme.example").await;
    let (globex, globex_id) = signed_in(&app, "admin@globex.example").await;
    let first = create(&app, &dev, org_id, &[]).await;
    let with = |id: i64| {
        let mut body = form(&[]);
        body["follow_up_of"] = json!(id);
        body
    };
    let refused = |response| async move {
        let error = invalid(response).await;
        assert_eq!(fields(&error), ["follow_up_of"]);
        assert_eq!(error.fields[0].message, FOLLOW_UP_REFUSED);
    };
    refused(post_ticket(&app, &dev, org_id, &with(first.id)).await).await;

    agent_set_status(
        &app.state.store,
        first.id,
        "Support team",
        TicketStatus::Closed,
    )
    .await
    .unwrap();
    let follow_up: Ticket = post_ticket(&app, &dev, org_id, &with(first.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(follow_up.follow_up_of, Some(first.id));
    assert_eq!(
        read(&app, &dev, org_id, follow_up.id).await.follow_up_of,
        Some(first.id)
    );

    // Not one the user cannot read, not another organization's, not one that does not exist.
    refused(post_ticket(&app, &qa, org_id, &with(first.id)).await).await;
    let theirs = create(&app, &globex, globex_id, &[]).await;
    agent_set_status(
        &app.state.store,
        theirs.id,
        "Support team",
        TicketStatus::Closed,
    )
    .await
    .unwrap();
    refused(post_ticket(&app, &dev, org_id, &with(theirs.id)).await).await;
    refused(post_ticket(&app, &dev, org_id, &with(999_999)).await).await;
    // Reported with every other problem at once.
    let mut body = with(999_999);
    body["subject"] = json!("");
    let error = invalid(post_ticket(&app, &dev, org_id, &body).await).await;
    assert_eq!(fields(&error), ["subject", "follow_up_of"]);
}

// ---------------------------------------------------------------------------------------------
// CC removal and following

#[tokio::test]
async fn removing_a_cc_is_recorded_and_unknown_addresses_are_not_found() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let ticket = create(
        &app,
        &dev,
        org_id,
        &["a+tag@partner.example", "b@partner.example"],
    )
    .await;
    let response = delete_cc(&app, &dev, org_id, ticket.id, "nobody@partner.example").await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    let response = delete_cc(&app, &dev, org_id, ticket.id, " A+Tag@Partner.example").await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let t = read(&app, &dev, org_id, ticket.id).await;
    assert_eq!(t.cc, ["b@partner.example"]);
    let last = t.activity.last().unwrap();
    assert_eq!(
        (last.kind, last.emails.as_slice()),
        (
            ActivityKind::CcRemoved,
            &["a+tag@partner.example".to_owned()][..]
        )
    );
    // Again: gone already.
    let response = delete_cc(&app, &dev, org_id, ticket.id, "a+tag@partner.example").await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    // Added again later, it goes to the end of the list.
    let t = comment(
        &app,
        &dev,
        org_id,
        ticket.id,
        &json!({"cc": ["a+tag@partner.example"]}),
    )
    .await;
    assert_eq!(t.cc, ["b@partner.example", "a+tag@partner.example"]);
    let response = dev
        .delete(app.api(&format!(
            "{}/cc/b@partner.example",
            ticket_path(org_id, ticket.id)
        )))
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::FORBIDDEN, ErrorCode::CsrfCheckFailed).await;
}

#[tokio::test]
async fn only_admins_follow_every_ticket() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let (admin, _) = signed_in(&app, "admin@acme.example").await;
    let (globex, _) = signed_in(&app, "admin@globex.example").await;
    let error = expect_error(
        put_following(&app, &dev, org_id, true).await,
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    )
    .await;
    assert_eq!(error.message, FOLLOWING_ADMINS);
    expect_error(
        put_following(&app, &globex, org_id, true).await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    for following in [true, true, false, false, true] {
        let response = put_following(&app, &admin, org_id, following).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.json::<Following>().await.unwrap(),
            Following { following }
        );
    }
    let response = admin
        .put(app.api(&format!("/organizations/{org_id}/ticket-following")))
        .json(&json!({"following": false}))
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::FORBIDDEN, ErrorCode::CsrfCheckFailed).await;
    let list: TicketList = my_list(&app, &admin, org_id, "organization")
        .await
        .json()
        .await
        .unwrap();
    assert!(list.following);
}

// ---------------------------------------------------------------------------------------------
// Emails

#[tokio::test]
async fn every_change_emails_everyone_on_the_ticket_once_except_its_author() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    add_member(&app, "ops@acme.example", "Olive Ops", org_id, "member").await;
    let boss_id = add_member(&app, "boss@acme.example", "Bo Boss", org_id, "admin").await;
    let (ops, _) = signed_in(&app, "ops@acme.example").await;
    let (admin, _) = signed_in(&app, "admin@acme.example").await;
    let (boss, _) = signed_in(&app, "boss@acme.example").await;
    // Acme is on Basic: a known account team is not emailed.
    sqlx::query(
        "UPDATE organizations SET account_team_email = 'acme-team@accounts.example' WHERE id = ?",
    )
    .bind(org_id)
    .execute(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(
        put_following(&app, &admin, org_id, true).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        put_following(&app, &boss, org_id, true).await.status(),
        StatusCode::OK
    );

    let mark = outbox_mark(&app).await;
    let ticket = create(
        &app,
        &dev,
        org_id,
        &["ops@acme.example", "outside@partner.example"],
    )
    .await;
    assert_eq!(
        recipients_since(&app, mark).await,
        set(&[
            "dev@acme.example",
            "ops@acme.example",
            "outside@partner.example",
            "admin@acme.example",
            "boss@acme.example"
        ]),
        "creation: submitter, CCs and followers"
    );
    let follower_email = emails_since(&app, mark)
        .await
        .into_iter()
        .find(|(r, _, _)| r == "admin@acme.example")
        .unwrap();
    assert!(
        follower_email
            .2
            .contains("you follow all support tickets of Acme Analytics")
    );

    // The submitter comments.
    let mark = outbox_mark(&app).await;
    comment(
        &app,
        &dev,
        org_id,
        ticket.id,
        &json!({"body": "Lag is back.\nSince 02:00."}),
    )
    .await;
    let emails = emails_since(&app, mark).await;
    assert_eq!(
        recipients_since(&app, mark).await,
        set(&[
            "ops@acme.example",
            "outside@partner.example",
            "admin@acme.example",
            "boss@acme.example"
        ])
    );
    for (_, subject, body) in &emails {
        assert_eq!(subject, &format!("[Support #{}] {SUBJECT}", ticket.id));
        assert!(
            body.contains("Dana Developer <dev@acme.example> commented on support ticket"),
            "{body}"
        );
        assert!(body.contains("> Lag is back.\n> Since 02:00."), "{body}");
        assert!(
            body.contains("Replying to this email is not supported yet"),
            "{body}"
        );
    }

    // A CCed member comments and adds someone: the new address is told it was added.
    let mark = outbox_mark(&app).await;
    comment(
        &app,
        &ops,
        org_id,
        ticket.id,
        &json!({"body": "Same here.", "cc": ["new@partner.example"]}),
    )
    .await;
    assert_eq!(
        recipients_since(&app, mark).await,
        set(&[
            "dev@acme.example",
            "outside@partner.example",
            "new@partner.example",
            "admin@acme.example",
            "boss@acme.example"
        ])
    );
    let emails = emails_since(&app, mark).await;
    let to_new = &emails
        .iter()
        .find(|(r, _, _)| r == "new@partner.example")
        .unwrap()
        .2;
    assert!(
        to_new.contains("Olive Ops <ops@acme.example> added you to the CC list"),
        "{to_new}"
    );
    let to_dev = &emails
        .iter()
        .find(|(r, _, _)| r == "dev@acme.example")
        .unwrap()
        .2;
    assert!(!to_dev.contains("added you"));
    assert!(to_dev.contains("added new@partner.example to the CC list"));

    // An admin (and follower) removes a CC: the removed address is not emailed any more.
    let mark = outbox_mark(&app).await;
    assert_eq!(
        delete_cc(&app, &admin, org_id, ticket.id, "outside@partner.example")
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        recipients_since(&app, mark).await,
        set(&[
            "dev@acme.example",
            "ops@acme.example",
            "new@partner.example",
            "boss@acme.example"
        ])
    );
    assert!(
        emails_since(&app, mark).await[0]
            .2
            .contains("removed outside@partner.example from the CC list")
    );

    // A follower who is also CCed gets one email; a status change by the customer.
    comment(
        &app,
        &dev,
        org_id,
        ticket.id,
        &json!({"cc": ["admin@acme.example"]}),
    )
    .await;
    let mark = outbox_mark(&app).await;
    assert_eq!(
        post_status(&app, &dev, org_id, ticket.id, "solved")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        recipients_since(&app, mark).await,
        set(&[
            "ops@acme.example",
            "new@partner.example",
            "admin@acme.example",
            "boss@acme.example"
        ])
    );
    assert!(
        emails_since(&app, mark).await[0]
            .2
            .contains("changed the status of support ticket")
    );

    // A follower who is no longer an admin stops getting the emails; one who unfollows too.
    sqlx::query("UPDATE memberships SET role = 'member' WHERE user_id = ?")
        .bind(boss_id)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let mark = outbox_mark(&app).await;
    post_status(&app, &dev, org_id, ticket.id, "open").await;
    assert!(
        !recipients_since(&app, mark)
            .await
            .contains("boss@acme.example")
    );

    // Above Basic, the account team hears of everything, the support team's changes included.
    sqlx::query("UPDATE organizations SET support_tier = 'essential' WHERE id = ?")
        .bind(org_id)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let mark = outbox_mark(&app).await;
    comment(&app, &dev, org_id, ticket.id, &json!({"body": "Any news?"})).await;
    assert_eq!(
        recipients_since(&app, mark).await,
        set(&[
            "ops@acme.example",
            "new@partner.example",
            "admin@acme.example",
            "acme-team@accounts.example"
        ])
    );
    let mark = outbox_mark(&app).await;
    let outcome = agent_reply(
        &app.state.store,
        ticket.id,
        "Sam from Support",
        "Fixed in the last maintenance.",
        Some(TicketStatus::Solved),
    )
    .await
    .unwrap();
    let agent_set = set(&[
        "dev@acme.example",
        "ops@acme.example",
        "new@partner.example",
        "admin@acme.example",
        "acme-team@accounts.example",
    ]);
    assert_eq!(
        recipients_since(&app, mark).await,
        agent_set,
        "the support team excludes nobody"
    );
    assert_eq!(outcome.emails, agent_set.len());
    let body = &emails_since(&app, mark).await[0].2;
    assert!(
        body.contains("Sam from Support (support team) replied on support ticket"),
        "{body}"
    );
    assert!(
        body.contains("The ticket's status is now: Solved."),
        "{body}"
    );
    let mark = outbox_mark(&app).await;
    agent_set_status(
        &app.state.store,
        ticket.id,
        "Sam from Support",
        TicketStatus::Closed,
    )
    .await
    .unwrap();
    assert_eq!(recipients_since(&app, mark).await, agent_set);

    // Globex (Advanced) has its account team on every change; its admin wrote, so only the team.
    let (globex, globex_id) = signed_in(&app, "admin@globex.example").await;
    let theirs = create(&app, &globex, globex_id, &[]).await;
    let mark = outbox_mark(&app).await;
    comment(
        &app,
        &globex,
        globex_id,
        theirs.id,
        &json!({"body": "Still red."}),
    )
    .await;
    assert_eq!(
        recipients_since(&app, mark).await,
        set(&["globex-team@accounts.example"])
    );
    assert_eq!(
        put_following(&app, &admin, org_id, false).await.status(),
        StatusCode::OK
    );
    let mark = outbox_mark(&app).await;
    let other = create(&app, &dev, org_id, &[]).await;
    assert_eq!(
        recipients_since(&app, mark).await,
        set(&["dev@acme.example", "acme-team@accounts.example"]),
        "unfollowed"
    );
    assert!(other.id > theirs.id);
}

// ---------------------------------------------------------------------------------------------
// ETags

#[tokio::test]
async fn polling_gets_304_until_something_changes() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    add_member(&app, "ops@acme.example", "Olive Ops", org_id, "member").await;
    let (ops, _) = signed_in(&app, "ops@acme.example").await;
    let (admin, _) = signed_in(&app, "admin@acme.example").await;
    let ticket = create(&app, &dev, org_id, &["ops@acme.example"]).await;

    let etag_of = |response: &Response| response.headers()[ETAG].to_str().unwrap().to_owned();
    let url = app.api(&ticket_path(org_id, ticket.id));
    let first = dev.get(&url).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let etag = etag_of(&first);
    assert!(etag.starts_with("W/\""), "{etag}");
    let again = dev
        .get(&url)
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(etag_of(&again), etag);
    assert!(again.bytes().await.unwrap().is_empty());
    // Another reader has other permissions, so another body and tag.
    let theirs = ops
        .get(&url)
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), StatusCode::OK);

    let list_url = app.api(&format!("/organizations/{org_id}/tickets"));
    let list = dev.get(&list_url).send().await.unwrap();
    let list_etag = etag_of(&list);
    let unchanged = dev
        .get(&list_url)
        .header(IF_NONE_MATCH, &list_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

    comment(
        &app,
        &admin,
        org_id,
        ticket.id,
        &json!({"body": "Looking."}),
    )
    .await;
    let changed = dev
        .get(&url)
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(etag_of(&changed), etag);
    let body: Ticket = changed.json().await.unwrap();
    assert_eq!(body.activity.len(), 1);
    let changed = dev
        .get(&list_url)
        .header(IF_NONE_MATCH, &list_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        changed.status(),
        StatusCode::OK,
        "the list shows who replied last"
    );
    assert_ne!(etag_of(&changed), list_etag);
}

// ---------------------------------------------------------------------------------------------
// The support team's CLI, as the real binary

#[tokio::test]
async fn the_cli_replies_sets_the_first_response_once_and_changes_the_status() {
    let app = spawn_app().await;
    let (dev, org_id) = signed_in(&app, "dev@acme.example").await;
    let ticket = create(&app, &dev, org_id, &["outside@partner.example"]).await;
    let database = app.state.config.database_path();
    let database = database.to_str().unwrap();
    let id = ticket.id.to_string();

    let listed = run_cli(&["--database", database, "tickets", "list"]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let stdout = text(&listed.stdout);
    assert_eq!(
        stdout.lines().next(),
        Some(format!("{id}\tAcme Analytics\topen\t{SUBJECT}").as_str()),
        "{stdout}"
    );
    assert!(
        stdout.contains("\tGlobex\topen\tOpenSearch cluster turned yellow"),
        "{stdout}"
    );

    let mark = outbox_mark(&app).await;
    let replied = run_cli(&[
        "--database",
        database,
        "tickets",
        "reply",
        &id,
        "--author",
        "Sam from Support",
        "--body",
        "Hi Dana, which replica is lagging?",
        "--status",
        "awaiting_customer",
    ]);
    assert!(replied.status.success(), "{}", text(&replied.stderr));
    let stdout = text(&replied.stdout);
    assert!(
        stdout.contains("Replied as Sam from Support (the first response)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("is awaiting_customer; 2 emails queued"),
        "{stdout}"
    );
    assert_eq!(
        recipients_since(&app, mark).await,
        set(&["dev@acme.example", "outside@partner.example"])
    );
    let t = read(&app, &dev, org_id, ticket.id).await;
    assert_eq!(t.status, TicketStatus::AwaitingCustomer);
    let first_response = t.first_response_at.expect("first response");
    assert_eq!(first_response, t.activity[0].created_at);
    assert_eq!(
        t.activity
            .iter()
            .map(|a| (a.kind, a.author_kind, a.author_name.as_str()))
            .collect::<Vec<_>>(),
        [
            (ActivityKind::Comment, AuthorKind::Agent, "Sam from Support"),
            (
                ActivityKind::StatusChanged,
                AuthorKind::Agent,
                "Sam from Support"
            ),
        ]
    );
    let list: TicketList = my_list(&app, &dev, org_id, "mine")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        list.tickets[0].last_replied_by.as_deref(),
        Some("Sam from Support")
    );
    assert!(list.tickets[0].last_reply_from_agent);

    // A second reply (a second later, so its time differs) keeps the first response time.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let again = run_cli(&[
        "--database",
        database,
        "tickets",
        "reply",
        &id,
        "--author",
        "Rio from Support",
        "--body",
        "Any update?",
    ]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(!text(&again.stdout).contains("first response"));
    let t = read(&app, &dev, org_id, ticket.id).await;
    assert_eq!(t.first_response_at, Some(first_response));
    assert_ne!(t.activity.last().unwrap().created_at, first_response);
    assert_eq!(
        t.status,
        TicketStatus::AwaitingCustomer,
        "no --status, no change"
    );

    let solved = run_cli(&[
        "--database",
        database,
        "tickets",
        "set-status",
        &id,
        "solved",
    ]);
    assert!(solved.status.success(), "{}", text(&solved.stderr));
    assert!(
        text(&solved.stdout).contains("Status changed from awaiting_customer"),
        "{}",
        text(&solved.stdout)
    );
    assert_eq!(stored_status(&app, ticket.id).await, "solved");
    let same = run_cli(&[
        "--database",
        database,
        "tickets",
        "set-status",
        &id,
        "solved",
    ]);
    assert!(!same.status.success());
    assert!(
        text(&same.stderr).contains(&format!("ticket {id} is already solved")),
        "{}",
        text(&same.stderr)
    );

    let closed = run_cli(&[
        "tickets",
        "set-status",
        &id,
        "closed",
        "--database",
        database,
    ]);
    assert!(closed.status.success(), "{}", text(&closed.stderr));
    let refused = run_cli(&[
        "--database",
        database,
        "tickets",
        "reply",
        &id,
        "--author",
        "Sam",
        "--body",
        "Hi",
    ]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("is closed"),
        "{}",
        text(&refused.stderr)
    );

    for args in [
        vec![
            "tickets", "reply", "999999", "--author", "Sam", "--body", "Hi",
        ],
        vec!["tickets", "set-status", "999999", "open"],
    ] {
        let mut full = vec!["--database", database];
        full.extend(args);
        let unknown = run_cli(&full);
        assert!(!unknown.status.success());
        let stderr = text(&unknown.stderr);
        assert!(stderr.contains("ticket 999999 does not exist"), "{stderr}");
        assert!(!stderr.contains("backtrace"), "{stderr}");
    }
    let empty = run_cli(&[
        "--database",
        database,
        "tickets",
        "reply",
        &id,
        "--author",
        "Sam",
        "--body",
        "  ",
    ]);
    assert!(!empty.status.success());
    let bad_status = run_cli(&[
        "--database",
        database,
        "tickets",
        "set-status",
        &id,
        "pending",
    ]);
    assert!(!bad_status.status.success());
    assert_eq!(stored_status(&app, ticket.id).await, "closed");
}
