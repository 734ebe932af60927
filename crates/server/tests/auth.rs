//! Signing in and out, sessions and the CSRF header.

mod helpers;

use std::time::Duration;

use api::{CSRF_HEADER, CSRF_VALUE, ErrorCode, Me, PlanKind, Role, SESSION_COOKIE, SignInRequest};
use helpers::{PASSWORD, expect_error, set_cookies, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, RETRY_AFTER};

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

#[tokio::test]
async fn signing_in_returns_the_user_and_a_strict_http_only_cookie() {
    let app = spawn_app().await;
    let client = app.client();

    let response = app
        .post_session(&client, "admin@acme.example", PASSWORD)
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let cookie = session_cookie(&response);
    assert_eq!(cookie.value.len(), 64, "256 random bits, hex-encoded");
    assert!(cookie.value.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(cookie.has("HttpOnly"), "{:?}", cookie.attributes);
    assert_eq!(cookie.get("SameSite"), Some("Strict"));
    assert_eq!(cookie.get("Path"), Some("/"));
    assert_eq!(cookie.get("Max-Age"), Some("43200"), "12 hours by default");
    assert!(!cookie.has("Secure"), "plain HTTP in development");

    let me: Me = response.json().await.unwrap();
    assert_eq!(me.user.email, "admin@acme.example");
    assert_eq!(me.user.name, "Avery Admin");
    assert_eq!(me.organization.name, "Acme Analytics");
    assert_eq!(me.organization.plan, PlanKind::Paid);
    assert_eq!(me.role, Role::Admin);

    // The cookie alone is enough from now on.
    assert_eq!(app.me(&client).await, me);
}

#[tokio::test]
async fn members_and_other_organizations_sign_in_with_their_own_role() {
    let app = spawn_app().await;

    let dev = app.me(&app.sign_in("dev@acme.example").await).await;
    assert_eq!(dev.role, Role::Member);
    assert_eq!(dev.organization.name, "Acme Analytics");

    let hobby = app.me(&app.sign_in("owner@hobby.example").await).await;
    assert_eq!(hobby.role, Role::Admin);
    assert_eq!(hobby.organization.name, "Hobby Lab");
    assert_eq!(hobby.organization.plan, PlanKind::Free);
    assert_ne!(hobby.organization.id, dev.organization.id);
}

#[tokio::test]
async fn email_is_matched_ignoring_case_and_surrounding_spaces() {
    let app = spawn_app().await;
    let client = app.client();

    let response = app
        .post_session(&client, "  Admin@ACME.example ", PASSWORD)
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
        .header(CSRF_HEADER, CSRF_VALUE)
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
        .post_session(&app.client(), "admin@acme.example", PASSWORD)
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(session_cookie(&response).has("Secure"));
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    let client = app.client();

    let wrong_password = app
        .post_session(&client, "admin@acme.example", "support-dem0")
        .await;
    assert!(set_cookies(&wrong_password).is_empty(), "no session");
    let wrong_password = expect_error(
        wrong_password,
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
    )
    .await;

    let unknown_email = app
        .post_session(&client, "nobody@acme.example", PASSWORD)
        .await;
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
    let me = client.get(app.api("/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn empty_fields_are_reported_field_by_field() {
    let app = spawn_app().await;

    let response = app.post_session(&app.client(), "", "").await;

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
        app.post_session(&app.client(), "admin-at-acme", PASSWORD)
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

#[tokio::test]
async fn repeated_failures_slow_down_even_the_right_password() {
    let app = spawn_app().await;
    let client = app.client();
    let email = "admin@acme.example";

    for attempt in 1..=3 {
        let response = app.post_session(&client, email, "guess").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt} is free"
        );
    }

    let response = app.post_session(&client, email, PASSWORD).await;
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

    // Keyed by email: other accounts are not locked out.
    let other = app
        .post_session(&app.client(), "dev@acme.example", PASSWORD)
        .await;
    assert_eq!(other.status(), StatusCode::OK);

    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let response = app.post_session(&client, email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK, "allowed after the wait");

    // Success forgets the failures: the next mistake is free again.
    let response = app.post_session(&app.client(), email, "guess").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_out_ends_the_session_and_clears_the_cookie() {
    let app = spawn_app().await;
    let client = app.client();
    let response = app
        .post_session(&client, "admin@acme.example", PASSWORD)
        .await;
    let token = session_cookie(&response).value;

    let response = client
        .delete(app.api("/session"))
        .header(CSRF_HEADER, CSRF_VALUE)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cleared = session_cookie(&response);
    assert_eq!(cleared.value, "");
    assert_eq!(cleared.get("Max-Age"), Some("0"));
    assert_eq!(
        cleared.get("Path"),
        Some("/"),
        "same path, or it clears nothing"
    );

    let me = client.get(app.api("/me")).send().await.unwrap();
    expect_error(me, StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated).await;

    // The server forgot the session too: a copy of the old cookie is worthless.
    let replayed = reqwest::Client::new()
        .get(app.api("/me"))
        .header(COOKIE, format!("{SESSION_COOKIE}={token}"))
        .send()
        .await
        .unwrap();
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

    let response = app
        .client()
        .delete(app.api("/session"))
        .header(CSRF_HEADER, CSRF_VALUE)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn garbage_and_empty_cookies_are_unauthenticated() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();

    for cookie in [
        format!("{SESSION_COOKIE}=garbage"),
        format!("{SESSION_COOKIE}={}", "0".repeat(64)),
        format!("{SESSION_COOKIE}="),
        "other=1".to_owned(),
    ] {
        let response = client
            .get(app.api("/me"))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap();
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
    let client = app.sign_in("admin@acme.example").await;

    let expired =
        sqlx::query("UPDATE sessions SET expires_at = CAST(strftime('%s', 'now') AS INTEGER) - 1")
            .execute(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(expired.rows_affected(), 1);

    let response = client.get(app.api("/me")).send().await.unwrap();
    expect_error(
        response,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
    )
    .await;
}

#[tokio::test]
async fn every_read_endpoint_requires_a_session() {
    let app = spawn_app().await;
    let client = app.client();

    for path in [
        "/me",
        "/support/tiers",
        "/organizations/1/support",
        "/organizations/1/projects",
        "/products",
    ] {
        let response = client.get(app.api(path)).send().await.unwrap();
        let body = expect_error(
            response,
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
    let client = app.client();

    for header in [None, Some("0")] {
        let mut request = client
            .post(app.api("/session"))
            .json(&serde_json::json!({ "email": "admin@acme.example", "password": PASSWORD }));
        if let Some(value) = header {
            request = request.header(CSRF_HEADER, value);
        }
        let response = request.send().await.unwrap();
        assert!(set_cookies(&response).is_empty(), "no session");
        expect_error(response, StatusCode::FORBIDDEN, ErrorCode::CsrfCheckFailed).await;
    }

    let me = client.get(app.api("/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_out_without_the_csrf_header_is_refused() {
    let app = spawn_app().await;
    let client = app.sign_in("admin@acme.example").await;

    let response = client.delete(app.api("/session")).send().await.unwrap();

    assert!(set_cookies(&response).is_empty(), "cookie untouched");
    expect_error(response, StatusCode::FORBIDDEN, ErrorCode::CsrfCheckFailed).await;
    // A cross-site page must not be able to sign the user out either.
    assert_eq!(app.me(&client).await.user.email, "admin@acme.example");
}
