//! Signing in and out, sessions and the CSRF header.

use std::time::{Duration, Instant};

use api::{ErrorCode, Me, PlanKind, Role, SESSION_COOKIE, SignInRequest};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, RETRY_AFTER};

use support_server::clock;
use support_server::store::sign_in_limits::SignInCounter;

use crate::helpers::{PASSWORD, TestApp, expect_error, set_cookies, spawn_app, spawn_app_with};

/// A `Set-Cookie` value split into its name, value and attributes.
struct SetCookie {
    name: String,
    value: String,
    attributes: Vec<String>,
}

impl SetCookie {
    fn parse(header: &str) -> Self {
        let mut parts = header.split(';').map(str::trim);
        let (name, value) = parts
            .next()
            .and_then(|pair| pair.split_once('='))
            .expect("name=value first");
        SetCookie {
            name: name.to_owned(),
            value: value.to_owned(),
            attributes: parts.map(str::to_owned).collect(),
        }
    }

    fn has(&self, attribute: &str) -> bool {
        self.attributes
            .iter()
            .any(|a| a.eq_ignore_ascii_case(attribute))
    }

    fn get(&self, attribute: &str) -> Option<&str> {
        self.attributes.iter().find_map(|a| {
            a.split_once('=')
                .filter(|(k, _)| k.eq_ignore_ascii_case(attribute))
                .map(|(_, v)| v)
        })
    }
}

/// The one session cookie `response` sets.
fn session_cookie(response: &reqwest::Response) -> SetCookie {
    let cookies = set_cookies(response);
    assert_eq!(cookies.len(), 1, "exactly one Set-Cookie: {cookies:?}");
    let cookie = SetCookie::parse(&cookies[0]);
    assert_eq!(cookie.name, SESSION_COOKIE);
    cookie
}

/// A request that carries `cookie` as it is, from a client without a cookie jar.
async fn me_with_cookie(url: &str, cookie: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(url)
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn signing_in_returns_the_user_and_a_strict_http_only_cookie() {
    let app = spawn_app().await;
    let browser = app.anonymous();

    let response = browser.post_session("admin@acme.example", PASSWORD).await;

    assert_eq!(response.status(), StatusCode::OK);
    let cookie = session_cookie(&response);
    assert_eq!(cookie.value.len(), 64, "256 random bits, hex-encoded");
    assert!(cookie.value.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(cookie.has("HttpOnly"), "{:?}", cookie.attributes);
    assert_eq!(cookie.get("SameSite"), Some("Strict"));
    assert_eq!(cookie.get("Path"), Some("/"));
    assert_eq!(cookie.get("Max-Age"), Some("43200"), "12 hours by default");
    assert!(
        cookie.has("Secure"),
        "Secure by default, even over plain HTTP"
    );
    assert_eq!(cookie.name, "__Host-support_session");
    assert_eq!(
        cookie.get("Domain"),
        None,
        "the __Host- prefix forbids a Domain"
    );

    let me: Me = response.json().await.unwrap();
    assert_eq!(me.user.email, "admin@acme.example");
    assert_eq!(me.user.name, "Avery Admin");
    assert_eq!(me.organization.name, "Acme Analytics");
    assert_eq!(me.organization.plan, PlanKind::Paid);
    assert_eq!(me.role, Role::Admin);

    // The cookie alone is enough from now on.
    assert_eq!(browser.me().await, me);
}

#[tokio::test]
async fn members_and_other_organizations_sign_in_with_their_own_role() {
    let app = spawn_app().await;

    let dev = app.sign_in("dev@acme.example").await.me().await;
    assert_eq!(dev.role, Role::Member);
    assert_eq!(dev.organization.name, "Acme Analytics");

    let hobby = app.sign_in("owner@hobby.example").await.me().await;
    assert_eq!(hobby.role, Role::Admin);
    assert_eq!(hobby.organization.name, "Hobby Lab");
    assert_eq!(hobby.organization.plan, PlanKind::Free);
    assert_ne!(hobby.organization.id, dev.organization.id);
}

#[tokio::test]
async fn email_is_matched_ignoring_case_and_surrounding_spaces() {
    let app = spawn_app().await;

    let response = app
        .anonymous()
        .post_session("  Admin@ACME.example ", PASSWORD)
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let me: Me = response.json().await.unwrap();
    assert_eq!(me.user.email, "admin@acme.example");
}

#[tokio::test]
async fn cookie_is_secure_behind_an_https_proxy() {
    let app = spawn_app().await;

    let response = app
        .client()
        .post(app.api("/session"))
        .header(api::CSRF_HEADER, api::CSRF_VALUE)
        .header("x-forwarded-proto", "https")
        .json(&serde_json::json!({ "email": "admin@acme.example", "password": PASSWORD }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let cookie = session_cookie(&response);
    assert!(cookie.has("Secure"), "{:?}", cookie.attributes);
    assert!(cookie.has("HttpOnly"));
    assert_eq!(cookie.get("SameSite"), Some("Strict"));
}

#[tokio::test]
async fn cookie_is_secure_when_configured() {
    let app = spawn_app_with(|config| config.secure_cookies = true).await;

    let response = app
        .anonymous()
        .post_session("admin@acme.example", PASSWORD)
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(session_cookie(&response).has("Secure"));
}

#[tokio::test]
async fn insecure_cookies_are_plain_for_plain_http_development() {
    let app = spawn_app_with(|config| config.insecure_cookies = true).await;
    let browser = app.anonymous();

    let response = browser.post_session("admin@acme.example", PASSWORD).await;

    assert_eq!(response.status(), StatusCode::OK);
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let cookie = SetCookie::parse(&cookies[0]);
    assert_eq!(cookie.name, api::INSECURE_SESSION_COOKIE);
    assert!(!cookie.has("Secure"), "{:?}", cookie.attributes);
    assert!(cookie.has("HttpOnly"));
    assert_eq!(browser.me().await.user.email, "admin@acme.example");
    // The __Host- cookie is not this server's session cookie in this mode.
    let other = me_with_cookie(
        &app.api("/me"),
        &format!("{SESSION_COOKIE}={}", cookie.value),
    )
    .await;
    expect_error(other, StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated).await;
}

#[tokio::test]
async fn two_session_cookies_are_refused_not_the_first_taken() {
    let app = spawn_app().await;
    let response = app
        .anonymous()
        .post_session("admin@acme.example", PASSWORD)
        .await;
    let token = session_cookie(&response).value;
    let url = app.api("/me");

    // The real session first, a planted one second, and the other way round: both refused.
    for cookie in [
        format!(
            "{SESSION_COOKIE}={token}; {SESSION_COOKIE}={}",
            "0".repeat(64)
        ),
        format!(
            "{SESSION_COOKIE}={}; {SESSION_COOKIE}={token}",
            "0".repeat(64)
        ),
    ] {
        let body = expect_error(
            me_with_cookie(&url, &cookie).await,
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
        )
        .await;
        assert!(
            body.message.contains("two session cookies"),
            "{}",
            body.message
        );
    }
    // The one cookie alone still works.
    let alone = me_with_cookie(&url, &format!("{SESSION_COOKIE}={token}")).await;
    assert_eq!(alone.status(), StatusCode::OK);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    let browser = app.anonymous();

    let wrong_password = browser
        .post_session("admin@acme.example", "support-dem0")
        .await;
    assert!(set_cookies(&wrong_password).is_empty(), "no session");
    let wrong_password = expect_error(
        wrong_password,
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
    )
    .await;

    let unknown_email = browser.post_session("nobody@acme.example", PASSWORD).await;
    assert!(set_cookies(&unknown_email).is_empty(), "no session");
    let unknown_email = expect_error(
        unknown_email,
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
    )
    .await;

    assert_eq!(wrong_password.message, "Email or password is incorrect.");
    assert_eq!(
        wrong_password, unknown_email,
        "the answer must not reveal which emails have accounts"
    );
    assert_eq!(browser.get_me().await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn empty_fields_are_reported_field_by_field() {
    let app = spawn_app().await;

    let response = app.anonymous().post_session("", "").await;

    let body = expect_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidInput,
    )
    .await;
    let fields: Vec<&str> = body.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["email", "password"], "form order");
    for (field, label) in [("email", "email"), ("password", "password")] {
        let message = body.field(field).unwrap_or_default();
        assert!(
            message.to_lowercase().contains(label),
            "{field}: the message names the field: {message:?}"
        );
    }
    // The server's word is the shared validation the form runs, so both show the same sentences.
    let expected = SignInRequest {
        email: String::new(),
        password: String::new(),
    }
    .validate()
    .unwrap_err();
    assert_eq!(body.fields, expected);
}

#[tokio::test]
async fn a_malformed_email_is_invalid_input_not_a_failed_attempt() {
    let app = spawn_app().await;

    let body = expect_error(
        app.anonymous()
            .post_session("admin-at-acme", PASSWORD)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidInput,
    )
    .await;

    assert_eq!(body.fields.len(), 1, "{:?}", body.fields);
    assert!(
        body.field("email")
            .is_some_and(|m| m.contains("is not a valid email address")),
        "{:?}",
        body.fields
    );
}

/// The per-account counter of `email` (`rules::auth` keys it `account:<email>`): how many
/// failures it holds and when the last attempt was counted.
async fn account_counter(app: &TestApp, email: &str) -> Option<SignInCounter> {
    let mut tx = app.state.store.begin().await.unwrap();
    tx.sign_in_counter(&format!("account:{email}"))
        .await
        .unwrap()
}

/// Three free failures, then a wait of one second (`rules::auth`), counted from the last attempt.
/// The test does not rely on two requests reaching the server within that second: a loaded machine
/// can take longer than that between them (the third failure's Argon2 check alone). It asserts on
/// what was counted and on the configured wait instead: the counter holds the three failures, and
/// its last attempt is dated to now just before the fourth is sent. A fourth attempt let through is
/// then only right if the test itself saw the second pass in between (the round is tried again,
/// a few times); one let through sooner is a failure.
#[tokio::test]
async fn repeated_failures_slow_down_even_the_right_password() {
    const FIRST_WAIT: Duration = Duration::from_secs(1);
    let app = spawn_app().await;
    let browser = app.anonymous();
    let email = "admin@acme.example";

    let mut rounds = 0;
    let response = loop {
        rounds += 1;
        for attempt in 1..=3 {
            let response = browser.post_session(email, "guess").await;
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "attempt {attempt} is free"
            );
        }
        let mut counter = account_counter(&app, email)
            .await
            .expect("the failures are counted");
        assert_eq!(counter.count, 3, "each failure counted once");
        counter.last_ms = clock::now_ms();
        let dated = Instant::now();
        let mut tx = app.state.store.begin_write().await.unwrap();
        tx.put_sign_in_counter(&format!("account:{email}"), counter)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let response = browser.post_session(email, PASSWORD).await;
        if response.status() != StatusCode::OK {
            break response;
        }
        let elapsed = dated.elapsed();
        assert!(
            elapsed >= FIRST_WAIT,
            "signed in {elapsed:?} after the third failure, within the first wait"
        );
        assert!(
            rounds < 5,
            "{rounds} rounds, each let through after the wait: the machine never answered within {FIRST_WAIT:?}"
        );
    };
    let retry_after: u64 = response
        .headers()
        .get(RETRY_AFTER)
        .expect("Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        set_cookies(&response).is_empty(),
        "no session while waiting"
    );
    let body = expect_error(
        response,
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::TooManyAttempts,
    )
    .await;
    assert_eq!(retry_after, 1, "the first wait is one second");
    assert!(body.message.contains("1 second"), "{}", body.message);
    // The refused attempt is not counted as a failure: the wait stays the first one.
    assert_eq!(account_counter(&app, email).await.map(|c| c.count), Some(3));

    // Keyed by email: other accounts are not locked out.
    let other = app
        .anonymous()
        .post_session("dev@acme.example", PASSWORD)
        .await;
    assert_eq!(other.status(), StatusCode::OK);

    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let response = browser.post_session(email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK, "allowed after the wait");

    // Success forgets the failures: the next mistake is free again.
    assert!(account_counter(&app, email).await.is_none(), "forgotten");
    let response = app.anonymous().post_session(email, "guess").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_out_ends_the_session_and_clears_the_cookie() {
    let app = spawn_app().await;
    let browser = app.anonymous();
    let response = browser.post_session("admin@acme.example", PASSWORD).await;
    let token = session_cookie(&response).value;

    let response = browser.delete_session().await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cleared = session_cookie(&response);
    assert_eq!(cleared.value, "");
    assert_eq!(cleared.get("Max-Age"), Some("0"));
    assert_eq!(
        cleared.get("Path"),
        Some("/"),
        "same path, or it clears nothing"
    );

    let me = browser.get_me().await;
    expect_error(me, StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated).await;

    // The server forgot the session too: a copy of the old cookie is worthless.
    let replayed = me_with_cookie(&app.api("/me"), &format!("{SESSION_COOKIE}={token}")).await;
    expect_error(
        replayed,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
    )
    .await;
}

#[tokio::test]
async fn signing_out_without_a_session_still_succeeds() {
    let app = spawn_app().await;

    let response = app.anonymous().delete_session().await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn garbage_and_empty_cookies_are_unauthenticated() {
    let app = spawn_app().await;
    let url = app.api("/me");

    for cookie in [
        format!("{SESSION_COOKIE}=garbage"),
        format!("{SESSION_COOKIE}={}", "0".repeat(64)),
        format!("{SESSION_COOKIE}="),
        "other=1".to_owned(),
    ] {
        let response = me_with_cookie(&url, &cookie).await;
        let body = expect_error(
            response,
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
        )
        .await;
        assert_eq!(body.message, "Sign in to continue.", "cookie {cookie:?}");
    }
}

#[tokio::test]
async fn an_expired_session_is_unauthenticated() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;

    let expired = sqlx::query("UPDATE sessions SET expires_at = $1")
        .bind(time::OffsetDateTime::now_utc().unix_timestamp() - 1)
        .execute(app.db())
        .await
        .unwrap();
    assert_eq!(expired.rows_affected(), 1);

    expect_error(
        admin.get_me().await,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
    )
    .await;
}

#[tokio::test]
async fn every_read_endpoint_requires_a_session() {
    let app = spawn_app().await;
    let browser = app.anonymous();

    for path in [
        "/me",
        "/support/tiers",
        "/organizations/1/support",
        "/organizations/1/projects",
        "/products",
    ] {
        let body = expect_error(
            browser.get(path).await,
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
        )
        .await;
        assert!(body.fields.is_empty(), "{path}");
    }
}

#[tokio::test]
async fn signing_in_without_the_csrf_header_is_refused() {
    let app = spawn_app().await;
    let browser = app.anonymous();

    for forged in [browser.without_csrf(), browser.with_csrf("0")] {
        let response = forged.post_session("admin@acme.example", PASSWORD).await;
        assert!(set_cookies(&response).is_empty(), "no session");
        expect_error(response, StatusCode::FORBIDDEN, ErrorCode::CsrfCheckFailed).await;
    }

    assert_eq!(browser.get_me().await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_out_without_the_csrf_header_is_refused() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin@acme.example").await;

    let response = admin.without_csrf().delete_session().await;

    assert!(set_cookies(&response).is_empty(), "cookie untouched");
    expect_error(response, StatusCode::FORBIDDEN, ErrorCode::CsrfCheckFailed).await;
    // A cross-site page must not be able to sign the user out either.
    assert_eq!(admin.me().await.user.email, "admin@acme.example");
}
