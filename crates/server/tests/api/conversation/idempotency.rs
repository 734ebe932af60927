//! Retrying a comment with an `Idempotency-Key`: one comment per key, ticket and content.

use api::{ErrorCode, Ticket};
use reqwest::StatusCode;

use super::{activity_count, form, saying};
use crate::helpers::{Session, TestApp, expect_error, invalid, spawn_app};

/// Dev's ticket with one comment ("Any news?") sent with `key-1`, answered 201 and not replayed.
/// Returns dev's session, the ticket as the comment left it, and its id.
async fn commented_with_key_1(app: &TestApp) -> (Session, Ticket, i64) {
    let dev = app.sign_in("dev@acme.example").await;
    let ticket = dev.create_ticket(&form(&["ops@acme.example"])).await;
    let first = dev
        .post_comment_with_key(ticket.id, "key-1", &saying("Any news?"))
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    (dev, first.json().await.unwrap(), ticket.id)
}

#[tokio::test]
async fn the_same_comment_sent_twice_with_one_key_is_recorded_once() {
    let app = spawn_app().await;
    let (dev, first, id) = commented_with_key_1(&app).await;
    let mark = app.outbox_mark().await;

    let replay = dev
        .post_comment_with_key(id, "key-1", &saying("Any news?"))
        .await;

    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<Ticket>().await.unwrap(), first);
    assert_eq!(activity_count(&app, id).await, 1, "one comment");
    assert!(
        app.emails_since(mark).await.is_empty(),
        "no second round of emails"
    );
}

#[tokio::test]
async fn a_comment_key_is_refused_with_other_content_another_ticket_or_after_creating_a_ticket() {
    let app = spawn_app().await;
    let (dev, _, id) = commented_with_key_1(&app).await;
    let other = dev.create_ticket(&form(&[])).await;

    // The same key with other content, or for another ticket (decided: a different request, not a
    // separate one), or a key already used to create a ticket: refused.
    let other_text = dev
        .post_comment_with_key(id, "key-1", &saying("Hello?"))
        .await;
    expect_error(
        other_text,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::IdempotencyKeyReused,
    )
    .await;
    let other_ticket = dev
        .post_comment_with_key(other.id, "key-1", &saying("Any news?"))
        .await;
    expect_error(
        other_ticket,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::IdempotencyKeyReused,
    )
    .await;
    assert_eq!(activity_count(&app, other.id).await, 0);
    let response = dev.post_ticket_with_key("key-2", &form(&[])).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let reused = dev
        .post_comment_with_key(id, "key-2", &saying("Any news?"))
        .await;
    expect_error(
        reused,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::IdempotencyKeyReused,
    )
    .await;
}

#[tokio::test]
async fn a_refused_comment_frees_its_key_and_keys_are_per_user() {
    let app = spawn_app().await;
    let (dev, _, id) = commented_with_key_1(&app).await;

    // A refused comment frees its key for the corrected one.
    let refused = dev.post_comment_with_key(id, "key-3", &saying("")).await;
    invalid(refused).await;
    let corrected = dev
        .post_comment_with_key(id, "key-3", &saying("Fixed"))
        .await;
    assert_eq!(corrected.status(), StatusCode::CREATED);
    // Keys are per user: another user's same key is their own.
    let admin = app.sign_in("admin@acme.example").await;
    let theirs = admin
        .post_comment_with_key(id, "key-1", &saying("Any news?"))
        .await;
    assert_eq!(theirs.status(), StatusCode::CREATED);
    assert!(theirs.headers().get("idempotent-replayed").is_none());
}
