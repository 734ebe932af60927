//! Sign-in under a parallel flood: the limits are reserved before the password is checked, so the
//! number of password checks actually run stays within them however many requests arrive at once.

use api::ErrorCode;
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

use crate::helpers::{PASSWORD, TestApp, expect_error, spawn_app_with};

/// One sign-in of a flood: the email and, when given, the `X-Forwarded-For` it claims.
struct Attempt {
    email: String,
    forwarded_for: Option<String>,
}

impl Attempt {
    fn from_socket(email: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            forwarded_for: None,
        }
    }
}

/// Sends every attempt at once, each on its own connection, and returns the responses.
async fn flood(app: &TestApp, attempts: Vec<Attempt>, password: &str) -> Vec<reqwest::Response> {
    let mut set = JoinSet::new();
    for attempt in attempts {
        let url = app.api("/session");
        let body = serde_json::json!({ "email": attempt.email, "password": password });
        set.spawn(async move {
            let mut request = reqwest::Client::new()
                .post(url)
                .header(api::CSRF_HEADER, api::CSRF_VALUE)
                .json(&body);
            if let Some(address) = attempt.forwarded_for {
                request = request.header("x-forwarded-for", address);
            }
            request.send().await.expect("sign-in request")
        });
    }
    set.join_all().await
}

fn statuses(responses: &[reqwest::Response]) -> Vec<u16> {
    responses.iter().map(|r| r.status().as_u16()).collect()
}

/// How many attempts the per-account backoff lets through in `elapsed`: 3 free, then one after
/// each wait of 1, 2, 4 ... seconds that fits. A loaded machine may take seconds to deliver the
/// flood, and the limit is about time.
fn account_allowance(elapsed: Duration) -> u64 {
    let (mut allowed, mut spent, mut wait) = (3, 0, 1);
    while spent + wait <= elapsed.as_secs() + 1 {
        spent += wait;
        wait *= 2;
        allowed += 1;
    }
    allowed
}

#[tokio::test]
async fn a_parallel_flood_on_one_account_runs_only_the_free_password_checks() {
    let app = spawn_app_with(|config| config.password_check_wait_ms = 60_000).await;

    let attempts = (0..40)
        .map(|_| Attempt::from_socket("admin@acme.example"))
        .collect();
    let started = Instant::now();
    let responses = flood(&app, attempts, "guess").await;
    let allowance = account_allowance(started.elapsed());

    let checks = app.state.limiter.password_checks_run();
    assert!(
        checks <= allowance,
        "{allowance} attempts allowed for one account in {:?}, but {checks} password checks ran",
        started.elapsed()
    );
    let statuses = statuses(&responses);
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count() as u64,
        checks,
        "every check that ran was a refused password"
    );
    assert!(
        app.state.limiter.password_checks_run() < 40,
        "the flood was limited at all"
    );
}

#[tokio::test]
async fn one_password_across_many_accounts_from_one_address_is_limited_per_address() {
    // A patient password check, so that every attempt the limits let through is checked.
    let app = spawn_app_with(|config| {
        config.sign_in_per_address = 10;
        config.password_check_wait_ms = 60_000;
    })
    .await;

    // A different X-Forwarded-For on each request: without --trusted-proxy-header it is ignored.
    let attempts = (0..60)
        .map(|i| Attempt {
            email: format!("user{i}@acme.example"),
            forwarded_for: Some(format!("198.51.100.{i}")),
        })
        .collect();
    let responses = flood(&app, attempts, "Summer2026!").await;

    let checks = app.state.limiter.password_checks_run();
    assert_eq!(
        checks, 10,
        "10 attempts per address per minute, but {checks} password checks ran"
    );
    let statuses = statuses(&responses);
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        50,
        "{statuses:?}"
    );
    let refused = responses
        .into_iter()
        .find(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .unwrap();
    assert!(refused.headers().get(RETRY_AFTER).is_some());
}

/// The global window of `rules::auth` (one minute).
const GLOBAL_WINDOW: Duration = Duration::from_secs(60);

/// Whether `status` is the server shedding load (503 `busy`, also when the database did not answer
/// in time, or 408 `timeout`) rather than answering the sign-in itself. Never a 500.
fn is_shed(status: u16) -> bool {
    matches!(status, 503 | 408)
}

/// The limit is what this guards: never more password checks than the global limit, each of them
/// a counted attempt. It asserts on what the server counted and answered, not on how fast: on a
/// loaded machine a few of the 60 requests may be shed (a database or deadline that did not answer
/// in time) without counting, and a flood that outlasts the one-minute window starts a second one.
#[tokio::test]
async fn one_password_across_many_accounts_and_addresses_is_limited_globally() {
    const GLOBAL: u64 = 15;
    let app = spawn_app_with(|config| {
        config.trusted_proxy_header = Some("x-forwarded-for".parse().unwrap());
        config.sign_in_per_address = 2;
        config.sign_in_global = GLOBAL as u32;
        // Every attempt the limits let through is checked and answered, however slowly.
        config.password_check_wait_ms = 600_000;
        config.request_timeout_secs = 600;
    })
    .await;

    // 60 accounts from 30 addresses (two each, the per-address limit): only the global one bites.
    let attempts = (0..60)
        .map(|i| Attempt {
            email: format!("user{i}@acme.example"),
            forwarded_for: Some(format!("10.0.0.9, 198.51.100.{}", i / 2)),
        })
        .collect();
    let started = Instant::now();
    let responses = flood(&app, attempts, "Summer2026!").await;
    let windows = 1 + (started.elapsed().as_secs() / GLOBAL_WINDOW.as_secs());

    let checks = app.state.limiter.password_checks_run();
    let answered = statuses(&responses);
    let count = |wanted: fn(u16) -> bool| answered.iter().filter(|s| wanted(**s)).count() as u64;
    let (refused, limited, shed) = (count(|s| s == 401), count(|s| s == 429), count(is_shed));
    assert_eq!(
        refused + limited + shed,
        60,
        "each attempt refused, limited or shed: {answered:?}"
    );
    assert_eq!(checks, refused, "each check that ran answered 401");
    assert!(
        checks <= GLOBAL * windows,
        "{checks} password checks ran, over the global limit of {GLOBAL} in {windows} window(s)"
    );
    let mut tx = app.state.store.begin().await.unwrap();
    let global = tx
        .sign_in_counter("global")
        .await
        .unwrap()
        .expect("counted");
    drop(tx);
    if windows == 1 {
        assert_eq!(
            global.count as u64, GLOBAL,
            "the flood reached the limit: exactly {GLOBAL} attempts counted"
        );
    }
    if shed == 0 && windows == 1 {
        assert_eq!(
            checks, GLOBAL,
            "exactly the global limit of password checks ran"
        );
        assert_eq!(limited, 60 - GLOBAL);
    }

    // The trusted header's last address is the one counted: a third try from one of them is refused.
    let more = flood(
        &app,
        vec![Attempt {
            email: "dev@acme.example".into(),
            forwarded_for: Some("198.51.100.0".into()),
        }],
        PASSWORD,
    )
    .await;
    assert_eq!(statuses(&more), [429]);
    // Bounded state: one row per account, address and the global counter, nothing more.
    let rows = app.state.store.sign_in_counter_rows().await.unwrap();
    assert!(rows <= 15 + 30 + 1, "{rows} limiter rows");
}

#[tokio::test]
async fn password_checks_beyond_the_concurrency_limit_wait_then_get_503() {
    let app = spawn_app_with(|config| {
        config.trusted_proxy_header = Some("x-forwarded-for".parse().unwrap());
        config.password_checks = 1;
        config.password_check_wait_ms = 0;
    })
    .await;

    let attempts = (0..12)
        .map(|i| Attempt {
            email: format!("user{i}@acme.example"),
            forwarded_for: Some(format!("198.51.100.{i}")),
        })
        .collect();
    let responses = flood(&app, attempts, "guess").await;

    let statuses = statuses(&responses);
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 503),
        "{statuses:?}"
    );
    assert!(statuses.contains(&503), "{statuses:?}");
    let busy = responses
        .into_iter()
        .find(|r| r.status() == StatusCode::SERVICE_UNAVAILABLE)
        .unwrap();
    assert_eq!(busy.headers()[RETRY_AFTER], "2");
    let body = expect_error(busy, StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Busy).await;
    assert!(body.message.contains("busy"), "{}", body.message);
}
