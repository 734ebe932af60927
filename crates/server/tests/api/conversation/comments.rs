//! Comments: files and new CCs in one entry, and every rule that refuses one without changing anything.

use api::conversation::COMMENT_MAX_CHARS;
use api::ticket::{ATTACHMENT_GONE, ATTACHMENTS_TOTAL_MAX_BYTES};
use api::{ActivityKind, AuthorKind, ErrorCode, NewComment, TicketListQuery};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{activity_count, ccing, form, saying};
use crate::helpers::{expect_error, fields, invalid, png, spawn_app};

#[tokio::test]
async fn a_comment_carries_files_and_new_ccs_and_is_recorded_in_order() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    app.add_member("ops@acme.example", "Olive Ops", dev.org_id, "member")
        .await;
    let ticket = dev.create_ticket(&form(&["ops@acme.example"])).await;
    let a = dev.upload_png("before.png").await;
    let b = dev.upload_png("after.png").await;
    let comment = NewComment {
        body: "  Lag graphs attached.\n\nStill 4 minutes behind.  ".into(),
        cc: vec!["New@Partner.example".into()],
        attachment_ids: vec![a.id, b.id],
    };
    let updated = dev.comment(ticket.id, &comment).await;
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
    assert_eq!(updated, dev.ticket(ticket.id).await);

    // The CCed member reads it, files included; the list says who wrote last.
    let ops = app.sign_in("ops@acme.example").await;
    let response = ops.get_attachment(ticket.id, b.id).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap().to_vec(), png(2048));
    let list = ops.tickets(&TicketListQuery::default()).await;
    let line = list.tickets.iter().find(|t| t.id == ticket.id).unwrap();
    assert_eq!(line.last_replied_by.as_deref(), Some("Dana Developer"));
    assert!(!line.last_reply_from_agent);
    assert_eq!(list.tickets[0].id, ticket.id, "most recently updated first");

    // Only adding people: no comment entry.
    let cc_only = ops
        .comment(ticket.id, &ccing(&["third@partner.example"]))
        .await;
    assert_eq!(cc_only.activity.len(), 3);
    assert_eq!(cc_only.activity[2].kind, ActivityKind::CcAdded);
    assert_eq!(cc_only.activity[2].author_name, "Olive Ops");
}

/// Comments the rules refuse, as sent, with the fields the error names: `mine` is an upload of the
/// author's, `theirs` someone else's.
fn refused_comments(mine: i64, theirs: i64) -> Vec<(Value, Vec<&'static str>)> {
    vec![
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
            json!({"cc": ["x@partner.example"], "attachment_ids": [mine]}),
            vec!["body"],
        ),
        (
            json!({"body": "Hi", "attachment_ids": (1..=11).collect::<Vec<i64>>()}),
            vec!["attachments"],
        ),
        (
            json!({"body": "Hi", "attachment_ids": [mine, mine]}),
            vec!["attachments"],
        ),
        (
            json!({"body": "Hi", "attachment_ids": [theirs]}),
            vec!["attachments"],
        ),
        (
            json!({"body": "", "cc": ["bad"], "attachment_ids": [theirs]}),
            vec!["cc", "body", "attachments"],
        ),
    ]
}

#[tokio::test]
async fn every_comment_rule_is_checked_and_a_refusal_changes_nothing() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let admin = app.sign_in("admin@acme.example").await;
    let ticket = dev.create_ticket(&form(&["ops@acme.example"])).await;
    let mine = dev.upload_png("mine.png").await;
    let theirs = admin.upload_png("theirs.png").await;
    let before = activity_count(&app, ticket.id).await;
    let mark = app.outbox_mark().await;

    for (body, expected) in refused_comments(mine.id, theirs.id) {
        let error = invalid(dev.post_comment(ticket.id, &body).await).await;
        assert_eq!(fields(&error), expected, "{body}");
    }
    let someone_elses_file = NewComment {
        body: "Hi".into(),
        attachment_ids: vec![theirs.id],
        ..NewComment::default()
    };
    let error = invalid(dev.post_comment(ticket.id, &someone_elses_file).await).await;
    assert_eq!(error.fields[0].message, ATTACHMENT_GONE);
    let own = admin
        .post_comment(ticket.id, &ccing(&["admin@acme.example"]))
        .await;
    let own = invalid(own).await;
    assert!(
        own.fields[0].message.contains("your own address"),
        "{own:?}"
    );
    assert_eq!(activity_count(&app, ticket.id).await, before);
    assert!(app.emails_since(mark).await.is_empty());
}

/// A comment saying `body` with the uploads `ids`.
fn with_files(body: &str, ids: &[i64]) -> NewComment {
    NewComment {
        attachment_ids: ids.to_vec(),
        ..saying(body)
    }
}

#[tokio::test]
async fn a_file_already_on_the_ticket_is_not_an_upload_any_more() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let ticket = dev.create_ticket(&form(&["ops@acme.example"])).await;
    let mine = dev.upload_png("mine.png").await;
    dev.comment(ticket.id, &with_files("One", &[mine.id])).await;

    let again = dev
        .post_comment(ticket.id, &with_files("Two", &[mine.id]))
        .await;

    assert_eq!(invalid(again).await.fields[0].message, ATTACHMENT_GONE);
}

#[tokio::test]
async fn a_tickets_files_stay_within_50_mb_together_its_comments_included() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let ticket = dev.create_ticket(&form(&["ops@acme.example"])).await;
    let mine = dev.upload_png("mine.png").await;
    dev.comment(ticket.id, &with_files("One", &[mine.id])).await;
    sqlx::query("UPDATE attachments SET size = $1 WHERE id = $2")
        .bind(ATTACHMENTS_TOTAL_MAX_BYTES as i64 - 1000)
        .bind(mine.id)
        .execute(app.db())
        .await
        .unwrap();
    let more = dev.upload_png("more.png").await;

    let full = dev
        .post_comment(ticket.id, &with_files("Three", &[more.id]))
        .await;

    let full = invalid(full).await;
    assert!(full.fields[0].message.contains("at most 50 MB"), "{full:?}");
}

#[tokio::test]
async fn a_ticket_holds_at_most_10_files_its_comments_included() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let mut ticket = form(&[]);
    let mut on_ticket = Vec::new();
    for n in 0..4 {
        on_ticket.push(dev.upload_png(&format!("ticket-{n}.png")).await.id);
    }
    ticket.attachment_ids = on_ticket;
    let ticket = dev.create_ticket(&ticket).await;
    let mut first = Vec::new();
    for n in 0..5 {
        first.push(dev.upload_png(&format!("first-{n}.png")).await.id);
    }
    dev.comment(ticket.id, &with_files("Five more", &first))
        .await;
    let last = dev.upload_png("last.png").await;
    let over_a = dev.upload_png("over-a.png").await;
    let over_b = dev.upload_png("over-b.png").await;

    // Each request alone is under 10; the ticket (4 + 5 held) has room for one more.
    let over = dev
        .post_comment(ticket.id, &with_files("Two more", &[over_a.id, over_b.id]))
        .await;
    let over = invalid(over).await;
    assert_eq!(fields(&over), ["attachments"]);
    assert_eq!(
        over.fields[0].message,
        "Files: over-b.png was not added; a ticket can have at most 10 files."
    );
    let stored = dev.ticket(ticket.id).await;
    assert_eq!(stored.activity.len(), 1, "nothing recorded half-way");

    let tenth = dev
        .comment(ticket.id, &with_files("The tenth", &[last.id]))
        .await;
    assert_eq!(tenth.activity.len(), 2);
    let full = dev
        .post_comment(ticket.id, &with_files("An eleventh", &[over_a.id]))
        .await;
    assert!(
        invalid(full).await.fields[0]
            .message
            .contains("at most 10 files"),
    );
}

#[tokio::test]
async fn a_comment_keeps_line_breaks_and_tabs_but_refuses_other_control_characters() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let ticket = dev.create_ticket(&form(&[])).await;

    let refused = dev
        .post_comment(ticket.id, &saying("Output:\n\u{1b}[31mERROR\u{1b}[0m"))
        .await;

    let refused = invalid(refused).await;
    assert_eq!(fields(&refused), ["body"]);
    assert_eq!(
        refused.fields[0].message,
        "Comment: remove the invisible control character U+001B at character 9."
    );
    let kept = dev
        .comment(ticket.id, &saying("Trace:\r\n\tat a.b(C.java:1)"))
        .await;
    assert_eq!(kept.activity[0].body, "Trace:\r\n\tat a.b(C.java:1)");
}

#[tokio::test]
async fn a_comment_needs_a_ticket_and_the_csrf_header() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let ticket = dev.create_ticket(&form(&["ops@acme.example"])).await;

    // Not found, and not for another organization's path.
    let response = dev.post_comment(999_999, &saying("Hi")).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    // No CSRF header, no comment.
    let response = dev
        .without_csrf()
        .post_comment(ticket.id, &saying("Hi"))
        .await;
    expect_error(response, StatusCode::FORBIDDEN, ErrorCode::CsrfCheckFailed).await;
}
