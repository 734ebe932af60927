//! The conversation on a ticket against the real app: who may do what (the permission matrix over
//! HTTP), comments with files and CCs, idempotent retries, CC removal, the customer's status changes,
//! follow-up tickets, following, the emails of every change, ETags, the demo tickets, and the support
//! team's CLI as the real binary.

mod cc_and_following;
mod cli;
mod comments;
mod demo;
mod emails;
mod etags;
mod follow_up;
mod idempotency;
mod permissions;
mod status;

use std::collections::BTreeSet;

use api::{Activity, ActivityKind, AuthorKind, NewComment, NewTicket, Severity};

use crate::helpers::TestApp;

const SUBJECT: &str = "Replica lag on pg-main";

/// A valid ticket about replica lag that CCs `cc`.
fn form(cc: &[&str]) -> NewTicket {
    NewTicket {
        cc: cc.iter().map(|a| a.to_string()).collect(),
        subject: SUBJECT.into(),
        severity: Some(Severity::High),
        product: "postgresql".into(),
        reason: "performance".into(),
        description: "Replication lag grows to minutes during the nightly batch.".into(),
        ..NewTicket::default()
    }
}

/// A comment saying `body`.
fn saying(body: &str) -> NewComment {
    NewComment {
        body: body.into(),
        ..NewComment::default()
    }
}

/// Adding `addresses` to the CC list, without a comment.
fn ccing(addresses: &[&str]) -> NewComment {
    NewComment {
        cc: addresses.iter().map(|a| a.to_string()).collect(),
        ..NewComment::default()
    }
}

/// What the support team's first reply with a status leaves in the conversation, as [`authors`] shows
/// it.
const SAMS_REPLY_AND_STATUS: [(ActivityKind, AuthorKind, &str); 2] = [
    (ActivityKind::Comment, AuthorKind::Agent, "Sam from Support"),
    (
        ActivityKind::StatusChanged,
        AuthorKind::Agent,
        "Sam from Support",
    ),
];

/// Each entry of a conversation: what it is and who wrote it.
fn authors(activity: &[Activity]) -> Vec<(ActivityKind, AuthorKind, &str)> {
    activity
        .iter()
        .map(|a| (a.kind, a.author_kind, a.author_name.as_str()))
        .collect()
}

/// The recipients after `mark`, asserting each got exactly one email.
async fn recipients_since(app: &TestApp, mark: i64) -> BTreeSet<String> {
    let emails = app.emails_since(mark).await;
    let set: BTreeSet<String> = emails.iter().map(|(r, _, _)| r.clone()).collect();
    assert_eq!(set.len(), emails.len(), "one email each: {emails:#?}");
    set
}

fn set(addresses: &[&str]) -> BTreeSet<String> {
    addresses.iter().map(|a| a.to_string()).collect()
}

async fn stored_status(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM tickets WHERE id = $1")
        .bind(id)
        .fetch_one(app.db())
        .await
        .unwrap()
}

async fn activity_count(app: &TestApp, id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM ticket_activity WHERE ticket_id = $1")
        .bind(id)
        .fetch_one(app.db())
        .await
        .unwrap()
}
