//! Retrying a create with an `Idempotency-Key`: replays, reuse with other content, malformed keys,
//! simultaneous retries, released keys and keys left behind by a crashed process.

use api::{ErrorCode, Ticket};
use reqwest::StatusCode;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use super::{acme_form, acme_form_with, ticket_count};
use crate::helpers::{TestApp, expect_error, invalid, spawn_app, spawn_app_with};

#[tokio::test]
async fn the_same_key_and_payload_twice_creates_one_ticket_and_replays_the_answer() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = acme_form(&app).await;

    let first = dev.post_ticket_with_key("key-1", &form).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first_body = first.text().await.unwrap();

    // Same content, formatted differently.
    let pretty = serde_json::to_string_pretty(&form).unwrap();
    let second = dev.post_ticket_text_with_key("key-1", pretty).await;
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
    assert_eq!(app.outbox().await.len(), 2, "emails are not sent twice");

    // Another key is another ticket; no key is no dedupe.
    dev.post_ticket_with_key("key-2", &form).await;
    dev.post_ticket(&form).await;
    dev.post_ticket(&form).await;
    assert_eq!(ticket_count(&app).await, 4);
}

#[tokio::test]
async fn a_key_sent_again_with_other_content_is_refused() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = acme_form(&app).await;
    let first = dev.post_ticket_with_key("key-1", &form).await;
    assert_eq!(first.status(), StatusCode::CREATED);

    let mut changed = form.clone();
    changed.subject = "Something else".into();
    let response = dev.post_ticket_with_key("key-1", &changed).await;
    let error = expect_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::IdempotencyKeyReused,
    )
    .await;
    assert!(error.message.contains("different content"));
    assert_eq!(ticket_count(&app).await, 1);

    // Keys belong to one user: another user's identical key is unrelated.
    let admin = app.sign_in("admin@acme.example").await;
    let mut admins = form.clone();
    admins.cc = Vec::new();
    let response = admin.post_ticket_with_key("key-1", &admins).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_key_past_its_lifetime_is_free_again_and_the_purge_forgets_it() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = acme_form(&app).await;
    for key in ["old-key", "new-key"] {
        let first = dev.post_ticket_with_key(key, &form).await;
        assert_eq!(first.status(), StatusCode::CREATED);
    }
    // "old-key" was answered a minute longer ago than a key lives.
    let lifetime = api::idempotency::IDEMPOTENCY_KEY_LIFETIME_SECS as i64;
    let long_ago = (OffsetDateTime::now_utc() - Duration::seconds(lifetime + 60))
        .replace_nanosecond(0)
        .unwrap()
        .format(&Rfc3339)
        .unwrap();
    sqlx::query("UPDATE idempotency_keys SET created_at = $1 WHERE key = 'old-key'")
        .bind(long_ago)
        .execute(app.db())
        .await
        .unwrap();

    // Other content under the expired key is a new request, not a reused key.
    let mut changed = form.clone();
    changed.subject = "Something else".into();
    let again = dev.post_ticket_with_key("old-key", &changed).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert!(!again.headers().contains_key("idempotent-replayed"));
    let ticket: Ticket = again.json().await.unwrap();
    assert_eq!(ticket.subject, "Something else");
    assert_eq!(ticket_count(&app).await, 3);
    // ... and the live key still replays.
    let replay = dev.post_ticket_with_key("new-key", &form).await;
    assert!(replay.headers().contains_key("idempotent-replayed"));

    // The purge deletes the keys past their lifetime (this one, aged again) and no other.
    sqlx::query("UPDATE idempotency_keys SET created_at = $1 WHERE key = 'old-key'")
        .bind(
            (OffsetDateTime::now_utc() - Duration::seconds(lifetime + 60))
                .replace_nanosecond(0)
                .unwrap()
                .format(&Rfc3339)
                .unwrap(),
        )
        .execute(app.db())
        .await
        .unwrap();
    let report =
        support_server::jobs::purge::purge(&app.state.store, app.state.config.outbox_retention())
            .await
            .unwrap();
    assert_eq!(report.idempotency_keys, 1, "{report:?}");
    let left: Vec<String> = sqlx::query_scalar("SELECT key FROM idempotency_keys ORDER BY key")
        .fetch_all(app.db())
        .await
        .unwrap();
    assert_eq!(left, ["new-key"]);
}

#[tokio::test]
async fn malformed_keys_are_refused() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = acme_form(&app).await;
    for key in ["", "has space", &"k".repeat(129)] {
        let response = dev.post_ticket_with_key(key, &form).await;
        expect_error(
            response,
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedRequest,
        )
        .await;
    }
    assert_eq!(ticket_count(&app).await, 0);
    let response = dev.post_ticket_with_key(&"k".repeat(128), &form).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn simultaneous_retries_with_one_key_create_one_ticket() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = acme_form(&app).await;

    let requests: Vec<_> = (0..8)
        .map(|_| {
            let (dev, form) = (dev.clone(), form.clone());
            tokio::spawn(async move {
                let response = dev.post_ticket_with_key("double-click", &form).await;
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
    assert_eq!(app.outbox().await.len(), 2);
}

#[tokio::test]
async fn a_rejected_request_releases_its_key_for_the_corrected_form() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let mut form = acme_form_with(&app, |f| f.subject = String::new()).await;
    invalid(dev.post_ticket_with_key("key-1", &form).await).await;

    form.subject = "Fixed subject".into();
    let response = dev.post_ticket_with_key("key-1", &form).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let ticket: Ticket = response.json().await.unwrap();
    assert_eq!(ticket.subject, "Fixed subject");
    assert_eq!(ticket_count(&app).await, 1);
}

#[tokio::test]
async fn a_key_left_in_flight_by_a_dead_process_is_taken_over_after_a_minute() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = acme_form(&app).await;
    let user_id = dev.me().await.user.id;
    let hash =
        support_server::rules::idempotency::request_hash(&dev.org_id.to_string(), &form).unwrap();
    let insert = |created_at: String| {
        let (db, hash) = (app.db().clone(), hash.clone());
        async move {
            sqlx::query(
                "INSERT INTO idempotency_keys (user_id, key, request_hash, state, created_at)
                 VALUES ($1, 'crashed', $2, 'in_flight', $3)
                 ON CONFLICT (user_id, key) DO UPDATE SET request_hash = excluded.request_hash,
                     state = excluded.state, status_code = NULL, response_body = NULL,
                     created_at = excluded.created_at",
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
    let response = dev.post_ticket_with_key("crashed", &form).await;
    let error = expect_error(response, StatusCode::CONFLICT, ErrorCode::RequestInProgress).await;
    assert!(error.message.contains("still being created"));
    assert_eq!(ticket_count(&app).await, 0);

    insert(ago(61)).await;
    let response = dev.post_ticket_with_key("crashed", &form).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let replay = dev.post_ticket_with_key("crashed", &form).await;
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert!(replay.headers().contains_key("idempotent-replayed"));
    assert_eq!(ticket_count(&app).await, 1);
}

/// Leaves `key` claimed by `user_id` for `form`'s hash `secs` seconds ago and never answered, as a
/// request stopped in the middle leaves it.
async fn leave_in_flight(app: &TestApp, user_id: i64, key: &str, hash: &str, secs: i64) {
    let created_at = (OffsetDateTime::now_utc() - Duration::seconds(secs))
        .replace_nanosecond(0)
        .unwrap()
        .format(&Rfc3339)
        .unwrap();
    sqlx::query(
        "INSERT INTO idempotency_keys (user_id, key, request_hash, state, created_at)
         VALUES ($1, $2, $3, 'in_flight', $4)
         ON CONFLICT (user_id, key) DO UPDATE SET request_hash = excluded.request_hash,
             state = excluded.state, status_code = NULL, response_body = NULL,
             created_at = excluded.created_at",
    )
    .bind(user_id)
    .bind(key)
    .bind(hash)
    .bind(created_at)
    .execute(app.db())
    .await
    .unwrap();
}

#[tokio::test]
async fn a_claim_is_taken_over_once_its_request_is_past_the_deadline_and_a_margin() {
    // With 5 s deadlines, a request that claimed a key 20 s ago was stopped long since (the
    // takeover waits for the deadline plus 10 s), though it is not a minute old.
    let app = spawn_app_with(|config| config.request_timeout_secs = 5).await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = acme_form(&app).await;
    let user_id = dev.me().await.user.id;
    let hash =
        support_server::rules::idempotency::request_hash(&dev.org_id.to_string(), &form).unwrap();

    leave_in_flight(&app, user_id, "stopped", &hash, 12).await;
    let response = dev.post_ticket_with_key("stopped", &form).await;
    expect_error(response, StatusCode::CONFLICT, ErrorCode::RequestInProgress).await;
    assert_eq!(ticket_count(&app).await, 0);

    leave_in_flight(&app, user_id, "stopped", &hash, 20).await;
    let response = dev.post_ticket_with_key("stopped", &form).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(ticket_count(&app).await, 1);
}

/// A new key is stored only with its answer. A retry that began before its first send committed
/// (both saw no key) and then failed because of that send (its files attached, its count taken) says
/// 409, whose retry replays the answer, not the echo; and its work cannot store the key again.
#[tokio::test]
async fn a_retry_that_lost_the_race_to_its_first_send_answers_409_not_the_echo() {
    use support_server::error::Error;
    use support_server::rules::idempotency::{self, Outcome};

    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = acme_form(&app).await;
    let user_id = dev.me().await.user.id;
    let store = &app.state.store;
    let hash = idempotency::request_hash(&dev.org_id.to_string(), &form).unwrap();
    let timeout = std::time::Duration::from_secs(60);
    let begin = |key: &'static str| {
        let hash = hash.clone();
        async move {
            match idempotency::claim(store, user_id, key, &hash, timeout)
                .await
                .unwrap()
            {
                Outcome::Claimed(claim) => claim,
                Outcome::Replay { .. } => panic!("no answer is stored for {key}"),
            }
        }
    };

    // The retry begins: nothing is written for a new key.
    let retry = begin("raced").await;
    assert!(!retry.recorded);
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_keys")
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(keys, 0, "a new key is not stored before its work");

    // The first send commits meanwhile.
    let first = dev.post_ticket_with_key("raced", &form).await;
    assert_eq!(first.status(), StatusCode::CREATED);

    // The retry's work fails: 409, not its own error.
    let refused = Error::Invalid(Vec::new());
    let answer =
        support_server::http::idempotency::finish(store, Some(retry.clone()), Err(refused));
    assert!(matches!(answer.await, Err(Error::RequestInProgress)));

    // Or it succeeds: storing its answer fails, so its transaction rolls back.
    let mut tx = store.begin_write().await.unwrap();
    let stored = idempotency::complete(&mut tx, Some(&retry), "{}").await;
    assert!(matches!(stored, Err(Error::RequestInProgress)));
    drop(tx);
    assert_eq!(ticket_count(&app).await, 1);

    // A request whose key nobody stored keeps its own error.
    let alone = begin("alone").await;
    let answer = support_server::http::idempotency::finish(
        store,
        Some(alone),
        Err(Error::Invalid(Vec::new())),
    );
    assert!(matches!(answer.await, Err(Error::Invalid(_))));
}
