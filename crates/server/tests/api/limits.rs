//! The abuse limits (tickets, comments, uploads and emails outside the organization, per user and
//! per organization, per hour), the organization's storage quota for files, and the sign-in 429's
//! wording for each of its limits.

use api::{ErrorBody, ErrorCode, NewComment, TicketStatus};
use reqwest::header::RETRY_AFTER;
use reqwest::{Response, StatusCode};
use support_server::config::Config;
use support_server::jobs::purge::purge;

use crate::helpers::{Session, TestApp, expect_error, fields, invalid, png, spawn_app_with};
use crate::tickets::{acme_form, acme_form_with, ticket_count};

/// Asserts a 429 `rate_limited` with a `Retry-After` of at most an hour; its body.
async fn limited(response: Response) -> (ErrorBody, u64) {
    let retry_after: u64 = response
        .headers()
        .get(RETRY_AFTER)
        .expect("Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=3600).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    let body = expect_error(
        response,
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
    )
    .await;
    (body, retry_after)
}

/// A server whose limits are all generous except what `configure` sets.
async fn app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_with(configure).await
}

async fn comment_count(app: &TestApp, ticket_id: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM ticket_activity WHERE ticket_id = $1 AND kind = 'comment'",
    )
    .bind(ticket_id)
    .fetch_one(app.db())
    .await
    .unwrap()
}

fn comment(body: &str) -> NewComment {
    NewComment {
        cc: Vec::new(),
        body: body.into(),
        attachment_ids: Vec::new(),
    }
}

/// Creates Acme's valid form without CCs (anyone of Acme may send it) as `session`.
async fn create_ok(session: &Session, app: &TestApp) -> i64 {
    let form = acme_form_with(app, |f| f.cc.clear()).await;
    session.create_ticket(&form).await.id
}

// ---------------------------------------------------------------------------------------------
// Tickets

#[tokio::test]
async fn tickets_past_the_per_user_limit_are_refused_with_429_naming_the_limit() {
    let app = app_with(|c| c.tickets_per_user_hour = 3).await;
    let dev = app.sign_in("dev@acme.example").await;
    for _ in 0..3 {
        create_ok(&dev, &app).await;
    }

    let (body, retry_after) = limited(dev.post_ticket(&acme_form(&app).await).await).await;

    assert_eq!(
        body.message,
        "You have created 3 tickets in the last hour, and the limit is 3 an hour. Try again in 60 minutes."
    );
    assert!(
        retry_after > 3500,
        "the first ticket leaves the hour in {retry_after} s"
    );
    assert_eq!(
        ticket_count(&app).await,
        3,
        "nothing stored for the refused one"
    );
    // Per user: someone else of the organization still can.
    let admin = app.sign_in("admin@acme.example").await;
    create_ok(&admin, &app).await;
}

#[tokio::test]
async fn tickets_past_the_per_organization_limit_are_refused_for_every_member() {
    let app = app_with(|c| c.tickets_per_org_hour = 2).await;
    let dev = app.sign_in("dev@acme.example").await;
    let admin = app.sign_in("admin@acme.example").await;
    create_ok(&dev, &app).await;
    create_ok(&admin, &app).await;

    let (body, _) = limited(dev.post_ticket(&acme_form(&app).await).await).await;

    assert_eq!(
        body.message,
        "Your organization has created 2 tickets in the last hour, and the limit is 2 an hour. Try again in 60 minutes."
    );
    assert_eq!(ticket_count(&app).await, 2);
}

#[tokio::test]
async fn idempotent_retries_do_not_count_twice() {
    let app = app_with(|c| c.tickets_per_user_hour = 2).await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = acme_form(&app).await;

    for _ in 0..3 {
        let response = dev.post_ticket_with_key("key-1", &form).await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let second = dev.post_ticket_with_key("key-2", &form).await;
    assert_eq!(
        second.status(),
        StatusCode::CREATED,
        "the retries did not count"
    );

    limited(dev.post_ticket_with_key("key-3", &form).await).await;
    // A refused request releases its key and counts nothing: once there is room it goes through.
    assert_eq!(ticket_count(&app).await, 2);
}

#[tokio::test]
async fn a_parallel_flood_of_tickets_creates_exactly_the_limit() {
    let app = app_with(|c| c.tickets_per_user_hour = 5).await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = acme_form(&app).await;

    let requests: Vec<_> = (0..24)
        .map(|_| {
            let dev = dev.clone();
            let form = form.clone();
            tokio::spawn(async move { dev.post_ticket(&form).await.status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for request in requests {
        statuses.push(request.await.unwrap());
    }

    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((created, refused), (5, 19), "{statuses:?}");
    assert_eq!(ticket_count(&app).await, 5);
}

// ---------------------------------------------------------------------------------------------
// Comments and uploads

#[tokio::test]
async fn comments_past_the_per_user_limit_are_refused() {
    let app = app_with(|c| c.comments_per_user_hour = 2).await;
    let dev = app.sign_in("dev@acme.example").await;
    let ticket = create_ok(&dev, &app).await;
    dev.comment(ticket, &comment("first")).await;
    dev.comment(ticket, &comment("second")).await;

    let (body, _) = limited(dev.post_comment(ticket, &comment("third")).await).await;

    assert_eq!(
        body.message,
        "You have added 2 comments in the last hour, and the limit is 2 an hour. Try again in 60 minutes."
    );
    assert_eq!(comment_count(&app, ticket).await, 2);
}

#[tokio::test]
async fn uploads_past_the_per_organization_limit_are_refused_and_leave_no_file() {
    let app = app_with(|c| c.uploads_per_org_hour = 2).await;
    let dev = app.sign_in("dev@acme.example").await;
    let admin = app.sign_in("admin@acme.example").await;
    dev.upload_png("one.png").await;
    admin.upload_png("two.png").await;
    let files_before = app.stored_files().await.len();

    let (body, _) = limited(dev.post_attachment("three.png", png(2048)).await).await;

    assert_eq!(
        body.message,
        "Your organization has uploaded 2 files in the last hour, and the limit is 2 an hour. Try again in 60 minutes."
    );
    assert_eq!(app.stored_files().await.len(), files_before, "no file kept");
}

// ---------------------------------------------------------------------------------------------
// Emails outside the organization

#[tokio::test]
async fn emails_outside_the_organization_count_recipients_not_requests() {
    let app = app_with(|c| c.external_emails_per_user_hour = 5).await;
    let dev = app.sign_in("dev@acme.example").await;
    let outside = |n: usize| -> Vec<String> {
        (0..n)
            .map(|i| format!("person{i}@elsewhere.example"))
            .collect()
    };
    // Three outside addresses count three; the member CCed with them counts nothing.
    let first = acme_form_with(&app, |f| {
        f.cc = outside(3);
        f.cc.push("admin@acme.example".into());
    })
    .await;
    let ticket = dev.create_ticket(&first).await.id;
    let emails = app.outbox().await.len();

    let second = acme_form_with(&app, |f| f.cc = outside(3)).await;
    let (body, _) = limited(dev.post_ticket(&second).await).await;
    assert_eq!(
        body.message,
        "You have sent 3 emails to addresses outside your organization in the last hour, and the limit is 5 an hour. This would send 3 more. Remove some CC addresses or try again in 60 minutes."
    );
    assert_eq!(app.outbox().await.len(), emails, "no email recorded");

    // Members only: nothing leaves the organization.
    let members_only = acme_form_with(&app, |f| f.cc = vec!["admin@acme.example".into()]).await;
    dev.create_ticket(&members_only).await;

    // A comment emails the ticket's three outside CCs again.
    limited(dev.post_comment(ticket, &comment("any news?")).await).await;
    assert_eq!(comment_count(&app, ticket).await, 0);

    // Two more outside addresses fit exactly.
    dev.create_ticket(&acme_form_with(&app, |f| f.cc = outside(2)).await)
        .await;
}

#[tokio::test]
async fn one_request_over_the_whole_hourly_limit_says_to_remove_addresses() {
    let app = app_with(|c| c.external_emails_per_org_hour = 2).await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = acme_form_with(&app, |f| {
        f.cc = vec![
            "a@elsewhere.example".into(),
            "b@elsewhere.example".into(),
            "c@elsewhere.example".into(),
        ]
    })
    .await;

    let (body, retry_after) = limited(dev.post_ticket(&form).await).await;

    assert_eq!(retry_after, 3600);
    assert_eq!(
        body.message,
        "Your organization has sent 0 emails to addresses outside its organization in the last hour, and the limit is 2 an hour. This would send 3 at once, more than the limit allows in an hour: remove some CC addresses."
    );
}

#[tokio::test]
async fn status_changes_and_cc_removals_count_their_emails_outside_the_organization() {
    let app = app_with(|c| c.external_emails_per_user_hour = 7).await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = acme_form_with(&app, |f| {
        f.cc = vec![
            "a@elsewhere.example".into(),
            "b@elsewhere.example".into(),
            "admin@acme.example".into(),
        ]
    })
    .await;
    let ticket = dev.create_ticket(&form).await.id; // 2 of 7
    dev.change_status(ticket, TicketStatus::Solved).await; // 4
    dev.change_status(ticket, TicketStatus::Open).await; // 6
    let emails = app.outbox().await.len();

    // Solving again would email both outside CCs: 8 of 7. Toggling cannot email outsiders forever.
    let (body, _) = limited(dev.post_status(ticket, "solved").await).await;
    assert_eq!(
        body.message,
        "You have sent 6 emails to addresses outside your organization in the last hour, and the limit is 7 an hour. This would send 2 more. Remove some CC addresses or try again in 60 minutes."
    );
    assert_eq!(app.outbox().await.len(), emails, "no email recorded");
    assert_eq!(dev.ticket(ticket).await.status, TicketStatus::Open);

    // Removing a CC emails the outside CC left (7 of 7); removing the member then would email it
    // once more: refused, and the member stays on the list.
    let removed = dev.delete_cc(ticket, "a@elsewhere.example").await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let emails = app.outbox().await.len();
    limited(dev.delete_cc(ticket, "admin@acme.example").await).await;
    assert_eq!(app.outbox().await.len(), emails, "no email recorded");
    assert!(
        dev.ticket(ticket)
            .await
            .cc
            .contains(&"admin@acme.example".to_owned())
    );
}

#[tokio::test]
async fn the_wait_is_until_enough_of_the_oldest_emails_leave_the_hour() {
    let app = app_with(|c| c.external_emails_per_user_hour = 10).await;
    let dev = app.sign_in("dev@acme.example").await;
    let key = format!(
        "external-email:user:{}",
        app.user_id("dev@acme.example").await
    );
    let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    // 50, 40 (twice: equal times) and 20 minutes ago: 6 + 1 + 1 + 2 = 10 of 10 in the hour, plus
    // one from before the hour that no longer counts.
    for (minutes_ago, amount) in [(70, 5), (50, 6), (40, 1), (40, 1), (20, 2)] {
        sqlx::query("INSERT INTO rate_events (key, at_ms, amount) VALUES ($1, $2, $3)")
            .bind(&key)
            .bind(now_ms - minutes_ago * 60 * 1000)
            .bind(amount)
            .execute(app.db())
            .await
            .unwrap();
    }
    let outside = |n: usize| -> Vec<String> {
        (0..n)
            .map(|i| format!("person{i}@elsewhere.example"))
            .collect()
    };

    // Three more need 3 of the 10 to leave: the 6 of 50 minutes ago do, in 10 minutes.
    let form = acme_form_with(&app, |f| f.cc = outside(3)).await;
    let (body, retry_after) = limited(dev.post_ticket(&form).await).await;
    assert!((590..=600).contains(&retry_after), "{retry_after}");
    assert!(
        body.message.starts_with("You have sent 10 emails"),
        "{}",
        body.message
    );
    assert!(
        body.message.ends_with("try again in 10 minutes."),
        "{}",
        body.message
    );

    // Eight more need 8 to leave: the 6 and both equal ones of 40 minutes ago, in 20 minutes.
    let form = acme_form_with(&app, |f| f.cc = outside(8)).await;
    let (_, retry_after) = limited(dev.post_ticket(&form).await).await;
    assert!((1190..=1200).contains(&retry_after), "{retry_after}");

    // Ten need everything to leave: 40 minutes.
    let form = acme_form_with(&app, |f| f.cc = outside(10)).await;
    let (_, retry_after) = limited(dev.post_ticket(&form).await).await;
    assert!((2390..=2400).contains(&retry_after), "{retry_after}");
}

// ---------------------------------------------------------------------------------------------
// State in the database

#[tokio::test]
async fn counted_events_older_than_an_hour_are_purged_hourly_not_by_each_count() {
    let app = app_with(|_| {}).await;
    let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    for key in ["ticket:user:1", "ticket:org:1", "comment:user:9"] {
        sqlx::query("INSERT INTO rate_events (key, at_ms, amount) VALUES ($1, $2, 1)")
            .bind(key)
            .bind(now_ms - 2 * 3600 * 1000)
            .execute(app.db())
            .await
            .unwrap();
    }
    let dev = app.sign_in("dev@acme.example").await;

    create_ok(&dev, &app).await;

    // Counting deletes nothing (the old events never count: they are outside the window); the new
    // ticket counts for dev and for Acme (its CC is a member).
    assert_eq!(app.state.store.rate_event_rows().await.unwrap(), 5);
    // The hourly purge forgets the old ones.
    let report = purge(&app.state.store, app.state.config.outbox_retention())
        .await
        .unwrap();
    assert_eq!(report.rate_events, 3);
    assert_eq!(app.state.store.rate_event_rows().await.unwrap(), 2);
}

// ---------------------------------------------------------------------------------------------
// Storage quota

#[tokio::test]
async fn an_upload_past_the_quota_is_refused_naming_the_file_and_the_quota() {
    let app = app_with(|c| c.attachment_quota_mb = 1).await;
    let dev = app.sign_in("dev@acme.example").await;
    let first = dev.upload("first.png", png(600 * 1024)).await;
    let files_before = app.stored_files().await.len();

    let body = invalid(dev.post_attachment("second.png", png(600 * 1024)).await).await;

    assert_eq!(fields(&body), ["attachments"]);
    assert_eq!(
        body.fields[0].message,
        "Files: second.png (600 KB) does not fit in your organization's storage quota for files: 600 KB of 1 MB are used. Ask an admin to remove old tickets' files or to raise the quota."
    );
    assert_eq!(app.stored_files().await.len(), files_before, "nothing kept");

    // A removed upload no longer counts.
    assert_eq!(
        dev.delete_attachment(first.id).await.status(),
        StatusCode::NO_CONTENT
    );
    dev.upload("second.png", png(600 * 1024)).await;
}

#[tokio::test]
async fn the_quota_counts_attached_files_of_the_whole_organization() {
    let app = app_with(|c| c.attachment_quota_mb = 1).await;
    let dev = app.sign_in("dev@acme.example").await;
    let admin = app.sign_in("admin@acme.example").await;
    let file = dev.upload("log.png", png(700 * 1024)).await;
    dev.create_ticket(&acme_form_with(&app, |f| f.attachment_ids = vec![file.id]).await)
        .await;

    let body = invalid(admin.post_attachment("more.png", png(400 * 1024)).await).await;

    assert!(
        body.fields[0]
            .message
            .starts_with("Files: more.png (400 KB)"),
        "{}",
        body.fields[0].message
    );
}

// ---------------------------------------------------------------------------------------------
// Sign-in wording

#[tokio::test]
async fn the_sign_in_429_names_the_per_address_limit() {
    let app = app_with(|c| c.sign_in_per_address = 2).await;
    let browser = app.anonymous();
    // Different accounts, correct passwords: no account has failed, the address limit fires.
    for email in ["dev@acme.example", "admin@acme.example"] {
        let response = browser.post_session(email, crate::helpers::PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK);
    }

    let response = browser
        .post_session("dev@acme.example", crate::helpers::PASSWORD)
        .await;

    let body = expect_error(
        response,
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::TooManyAttempts,
    )
    .await;
    assert!(
        body.message
            .starts_with("Too many sign-in attempts from your network address. Try again in "),
        "{}",
        body.message
    );
    assert!(!body.message.contains("failed"), "{}", body.message);
}

#[tokio::test]
async fn the_sign_in_429_names_the_global_limit() {
    let app = app_with(|c| c.sign_in_global = 1).await;
    let browser = app.anonymous();
    let response = browser
        .post_session("dev@acme.example", crate::helpers::PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let response = browser
        .post_session("admin@acme.example", crate::helpers::PASSWORD)
        .await;

    let body = expect_error(
        response,
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::TooManyAttempts,
    )
    .await;
    assert!(
        body.message
            .starts_with("The service is receiving too many sign-in attempts. Try again in "),
        "{}",
        body.message
    );
}
