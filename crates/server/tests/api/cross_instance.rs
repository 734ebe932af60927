//! Two server instances on one database, requests alternating between them as a round-robin balancer
//! sends them, on real threads: the guarantees that must hold across instances, not just across the
//! tasks of one (the idempotency claim, the one-pending-upgrade rule, the outbox claim). On SQLite the
//! two share the file; with `SUPPORT_TEST_DATABASE_URL`, one PostgreSQL database.

use std::collections::BTreeSet;

use api::UpgradeRequestInput;
use reqwest::StatusCode;
use serde_json::Value;
use support_server::clock;
use support_server::jobs::outbox::MAX_ATTEMPTS;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::tickets::{acme_form, ticket_count};

/// A second instance on `first`'s database (its own port, pool and data directory).
async fn second_instance(first: &TestApp) -> TestApp {
    let database = first.state.config.database();
    spawn_app_with(move |config| config.database = Some(database)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn retries_with_one_key_across_two_instances_create_one_ticket() {
    let first = spawn_app().await;
    let second = second_instance(&first).await;
    let dev = first.sign_in("dev@acme.example").await;
    let form = acme_form(&first).await;

    let requests: Vec<_> = (0..12)
        .map(|i| {
            let via = if i % 2 == 0 {
                dev.clone()
            } else {
                dev.via(second.api(""))
            };
            let form = form.clone();
            tokio::spawn(async move {
                let response = via.post_ticket_with_key("double-click", &form).await;
                let status = response.status();
                (status, response.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut ids = BTreeSet::new();
    for request in requests {
        let (status, body) = request.await.unwrap();
        match status {
            StatusCode::CREATED => {
                ids.insert(body["id"].as_i64().unwrap());
            }
            StatusCode::CONFLICT => assert_eq!(body["code"], "request_in_progress", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(ticket_count(&first).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn upgrade_requests_across_two_instances_leave_one_pending() {
    let first = spawn_app().await;
    let second = second_instance(&first).await;
    let admin = first.sign_in("admin@acme.example").await;
    let group: i64 = sqlx::query_scalar("SELECT id FROM billing_groups WHERE name = $1")
        .bind("Acme Default")
        .fetch_one(first.db())
        .await
        .unwrap();
    let body = UpgradeRequestInput {
        tier: "essential".into(),
        start_month: clock::current_month().to_string(),
        billing_group_id: Some(group),
    };

    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let via = if i % 2 == 0 {
                admin.clone()
            } else {
                admin.via(second.api(""))
            };
            let body = body.clone();
            tokio::spawn(async move { via.post_upgrade_request(&body).await.status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, conflicts), (1, 11), "{statuses:?}");
    let pending: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM upgrade_requests WHERE status = 'pending'")
            .fetch_one(first.db())
            .await
            .unwrap();
    assert_eq!(pending, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn outbox_workers_on_two_instances_never_claim_one_email_twice() {
    let first = spawn_app().await;
    let second = second_instance(&first).await;
    let mut tx = first.state.store.begin_write().await.unwrap();
    for i in 0..60 {
        tx.enqueue_email(&format!("reader{i}@example.com"), "Subject", "Body")
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let due: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
        .fetch_one(first.db())
        .await
        .unwrap();

    // Four workers, two per instance, claiming as fast as they can until nothing is due.
    let workers: Vec<_> = [&first, &second, &first, &second]
        .into_iter()
        .map(|app| {
            let store = app.state.store.clone();
            let holder = app.state.instance.clone();
            tokio::spawn(async move {
                let mut claimed = Vec::new();
                loop {
                    let now = clock::now_timestamp();
                    let lease = clock::timestamp(clock::now() + time::Duration::hours(1));
                    match store
                        .claim_due_email(now, lease, MAX_ATTEMPTS, &holder)
                        .await
                        .unwrap()
                    {
                        Some(email) => claimed.push(email.id),
                        None => break claimed,
                    }
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(distinct.len(), all.len(), "an email was claimed twice");
    assert_eq!(i64::try_from(all.len()).unwrap(), due);
}
