//! The permission matrix over HTTP: what the submitter, a CCed member, another member, an admin and
//! another organization's admin may each do with one ticket.

use std::collections::BTreeSet;

use api::{
    ActivityKind, Attachment, ErrorCode, NewComment, Ticket, TicketList, TicketListQuery,
    TicketPermissions, TicketScope, TicketStatus,
};
use reqwest::StatusCode;
use support_server::rules::conversation::REMOVE_CC_REFUSED;

use super::{ccing, form, saying};
use crate::helpers::{Session, TestApp, expect_error, spawn_app};
use Paths::{Acme, Own};

/// Whose paths a person uses: Acme's, where the ticket is, or their own organization's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Paths {
    Acme,
    Own,
}

const OK: StatusCode = StatusCode::OK;
const NO_CONTENT: StatusCode = StatusCode::NO_CONTENT;
const FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;
const NOT_FOUND: StatusCode = StatusCode::NOT_FOUND;

/// Who tries everything, and what they may do. The other organization's admin is CCed by email, but
/// membership comes first.
#[rustfmt::skip]
const PEOPLE: [(&str, Paths, bool, StatusCode, StatusCode, &str); 6] = [
    // signed in as         paths  reads  remove a CC  list the org  who
    ("dev@acme.example",     Acme,  true,  NO_CONTENT,  FORBIDDEN,    "submitter"),
    ("ops@acme.example",     Acme,  true,  FORBIDDEN,   FORBIDDEN,    "CCed member"),
    ("qa@acme.example",      Acme,  false, NOT_FOUND,   FORBIDDEN,    "other member"),
    ("admin@acme.example",   Acme,  true,  NO_CONTENT,  OK,           "admin"),
    ("admin@globex.example", Acme,  false, NOT_FOUND,   NOT_FOUND,    "other organization (in Acme's path)"),
    ("admin@globex.example", Own,   false, NOT_FOUND,   OK,           "other organization (in its own path)"),
];

/// One row of [`PEOPLE`], signed in.
struct Person {
    name: &'static str,
    /// Signed in, using Acme's paths or their own organization's.
    session: Session,
    read: bool,
    remove_cc: StatusCode,
    org_scope: StatusCode,
}

impl Person {
    /// `ok` for someone who may read the ticket, 404 for anyone else.
    fn ok_or_404(&self, ok: StatusCode) -> StatusCode {
        if self.read { ok } else { StatusCode::NOT_FOUND }
    }
}

/// Dev's ticket CCing a member, an address that is nobody's account and a user of another
/// organization, with a comment carrying a file. Returns dev's session, the ticket and the file.
async fn ccd_ticket_with_a_file(app: &TestApp) -> (Session, Ticket, Attachment) {
    let dev = app.sign_in("dev@acme.example").await;
    for (email, name) in [
        ("ops@acme.example", "Olive Ops"),
        ("qa@acme.example", "Quinn QA"),
    ] {
        app.add_member(email, name, dev.org_id, "member").await;
    }
    let ccs = [
        "ops@acme.example",
        "outside@partner.example",
        "admin@globex.example",
    ];
    let ticket = dev.create_ticket(&form(&ccs)).await;
    let file = dev.upload_png("graph.png").await;
    let comment = NewComment {
        body: "The lag graph.".into(),
        attachment_ids: vec![file.id],
        ..NewComment::default()
    };
    let with_file = dev.comment(ticket.id, &comment).await;
    assert_eq!(
        with_file.activity[0].attachments,
        std::slice::from_ref(&file)
    );
    (dev, ticket, file)
}

/// Reading: the ticket, a comment's file, "My tickets" and the organization's list.
async fn check_reading(p: &Person, ticket: &Ticket, file: &Attachment) {
    let name = p.name;
    let response = p.session.get_ticket(ticket.id).await;
    assert_eq!(
        response.status(),
        p.ok_or_404(StatusCode::OK),
        "{name} reads"
    );
    if !p.read {
        expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    }
    let response = p.session.get_attachment(ticket.id, file.id).await;
    assert_eq!(
        response.status(),
        p.ok_or_404(StatusCode::OK),
        "{name} downloads"
    );
    let mine = p.session.get_tickets(&TicketListQuery::default()).await;
    if p.name.starts_with("other organization (in Acme") {
        assert_eq!(mine.status(), StatusCode::NOT_FOUND);
    } else {
        let mine: TicketList = mine.json().await.unwrap();
        let listed = mine.tickets.iter().any(|t| t.id == ticket.id);
        assert_eq!(listed, p.read && p.name != "admin", "{name}'s own list");
    }
    let organization = TicketListQuery {
        scope: TicketScope::Organization,
        ..TicketListQuery::default()
    };
    let org_scope = p.session.get_tickets(&organization).await;
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
}

/// Writing: a comment, a new CC (`new_cc`), marking solved and reopening.
async fn check_writing(p: &Person, ticket: &Ticket, new_cc: &str) {
    let name = p.name;
    let response = p
        .session
        .post_comment(ticket.id, &saying(&format!("From {name}.")))
        .await;
    assert_eq!(
        response.status(),
        p.ok_or_404(StatusCode::CREATED),
        "{name} comments"
    );
    let response = p.session.post_comment(ticket.id, &ccing(&[new_cc])).await;
    assert_eq!(
        response.status(),
        p.ok_or_404(StatusCode::CREATED),
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
    for (status, action) in [
        (TicketStatus::Solved, "solves"),
        (TicketStatus::Open, "reopens"),
    ] {
        let response = p.session.post_status(ticket.id, status.as_str()).await;
        assert_eq!(
            response.status(),
            p.ok_or_404(StatusCode::OK),
            "{name} {action}"
        );
    }
}

/// Removing a CC that the submitter (`dev`) adds first, so it exists whoever asks.
async fn check_removing_a_cc(p: &Person, dev: &Session, ticket: &Ticket, victim: &str) {
    dev.comment(ticket.id, &ccing(&[victim])).await;
    let response = p.session.delete_cc(ticket.id, victim).await;
    assert_eq!(response.status(), p.remove_cc, "{} removes a CC", p.name);
    if p.remove_cc == StatusCode::FORBIDDEN {
        let error = expect_error(response, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
        assert_eq!(error.message, REMOVE_CC_REFUSED);
    }
}

#[tokio::test]
async fn the_permission_matrix_over_http() {
    let app = spawn_app().await;
    let (dev, ticket, file) = ccd_ticket_with_a_file(&app).await;
    let mut people = Vec::new();
    for (email, paths, read, remove_cc, org_scope, name) in PEOPLE {
        let session = app.sign_in(email).await;
        let session = if paths == Acme {
            session.at(dev.org_id)
        } else {
            session
        };
        people.push(Person {
            name,
            session,
            read,
            remove_cc,
            org_scope,
        });
    }

    for (i, p) in people.iter().enumerate() {
        check_reading(p, &ticket, &file).await;
        check_writing(p, &ticket, &format!("cc{i}@partner.example")).await;
        check_removing_a_cc(p, &dev, &ticket, &format!("victim{i}@partner.example")).await;
    }

    // Only the readers left a trace: 1 comment with the file, then per reader a comment, a CC
    // addition, two status changes; per person the submitter's CC addition, and per allowed removal
    // a removal.
    let t = dev.ticket(ticket.id).await;
    let count = |kind| t.activity.iter().filter(|a| a.kind == kind).count();
    assert_eq!(count(ActivityKind::Comment), 1 + 3);
    assert_eq!(count(ActivityKind::CcAdded), 3 + people.len());
    assert_eq!(count(ActivityKind::StatusChanged), 3 * 2);
    assert_eq!(count(ActivityKind::CcRemoved), 2);

    // The CCed address that is nobody's account only gets email; so does the other organization's
    // admin.
    let recipients: BTreeSet<String> = app
        .emails_since(0)
        .await
        .into_iter()
        .map(|(r, _, _)| r)
        .collect();
    assert!(recipients.contains("outside@partner.example"));
    assert!(recipients.contains("admin@globex.example"));

    // The file of a comment is not another organization's to download, by any path.
    let globex_in_acme = app.sign_in("admin@globex.example").await.at(dev.org_id);
    let response = globex_in_acme.get_attachment(ticket.id, file.id).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn a_ccd_member_taken_off_the_list_loses_the_ticket() {
    let app = spawn_app().await;
    let (dev, ticket, _) = ccd_ticket_with_a_file(&app).await;
    let ops = app.sign_in("ops@acme.example").await;
    let admin = app.sign_in("admin@acme.example").await;
    assert_eq!(ops.get_ticket(ticket.id).await.status(), StatusCode::OK);

    let response = admin.delete_cc(ticket.id, "ops@acme.example").await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = ops.get_ticket(ticket.id).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    assert_eq!(dev.ticket(ticket.id).await.cc.len(), 2);
}
