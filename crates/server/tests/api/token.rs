//! Token mode (a console token as `Authorization: Bearer`) and the CORS allowlist.
//!
//! The keys under `token_keys/` are test-only Ed25519 keys generated for these tests
//! (`openssl genpkey -algorithm ed25519`); they sign nothing anywhere else. `console` plays the
//! console's key pair, `other` a key the server does not trust.

use std::path::PathBuf;

use api::{ErrorCode, Role, TicketListQuery, TicketScope};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support_server::config::{CorsOrigin, TokenAlgorithm};
use support_server::{AppState, Config};

use crate::helpers::{TestApp, expect_error, header, spawn_app, spawn_app_with, test_config};

const ISSUER: &str = "https://console.example";
const AUDIENCE: &str = "support";
const CONSOLE_PRIVATE_KEY: &[u8] = include_bytes!("token_keys/console.key.pem");
const CONSOLE_PUBLIC_KEY: &[u8] = include_bytes!("token_keys/console.pub.pem");
pub(crate) const OTHER_PRIVATE_KEY: &[u8] = include_bytes!("token_keys/other.key.pem");
/// `{"alg":"none","typ":"JWT"}`, base64url without padding.
const ALG_NONE_HEADER: &str = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
const LISTED_ORIGIN: &str = "https://console.example";

fn public_key_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/api/token_keys/console.pub.pem")
}

/// Token mode as the README configures it, with the test key.
pub(crate) fn token_mode(config: &mut Config) {
    config.token_public_key = Some(public_key_path());
    config.token_algorithm = Some(TokenAlgorithm::EdDsa);
    config.token_issuer = Some(ISSUER.into());
    config.token_audience = Some(AUDIENCE.into());
}

async fn spawn_token_app() -> TestApp {
    spawn_app_with(token_mode).await
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The claims a console would send for `email` in `org` with `role`, valid for five minutes.
pub(crate) fn claims(email: &str, org: i64, role: &str) -> Value {
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": format!("console-user-{email}"),
        "iat": now(),
        "exp": now() + 300,
        "email": email,
        "name": "Console Person",
        "org": org,
        "role": role,
    })
}

/// `claims` signed by the console's key.
fn sign(claims: &Value) -> String {
    sign_with(claims, CONSOLE_PRIVATE_KEY)
}

/// `claims` signed with EdDSA by `private_key` (PEM).
pub(crate) fn sign_with(claims: &Value, private_key: &[u8]) -> String {
    let key = EncodingKey::from_ed_pem(private_key).expect("test Ed25519 key");
    jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), claims, &key).expect("sign")
}

/// A console token for `email` in `org` with `role`, signed by the trusted key.
pub(crate) fn token(email: &str, org: i64, role: &str) -> String {
    sign(&claims(email, org, role))
}

/// `claims` with `changes` applied (a `null` removes the claim).
fn with(mut claims: Value, changes: Value) -> Value {
    let object = claims.as_object_mut().expect("claims object");
    for (name, value) in changes.as_object().expect("changes object") {
        if value.is_null() {
            object.remove(name);
        } else {
            object.insert(name.clone(), value.clone());
        }
    }
    claims
}

/// The 401 every refused token gets: the usual `unauthenticated` body.
async fn refused(app: &TestApp, token: &str, why: &str) {
    let response = app.anonymous().with_bearer(token).get_me().await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{why}");
    expect_error(
        response,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
    )
    .await;
}

#[tokio::test]
async fn a_valid_token_reads_me_and_the_organizations_data() {
    let app = spawn_token_app().await;
    let acme = app.organization_of("admin@acme.example").await;
    let session = app
        .anonymous()
        .with_bearer(&token("new.person@acme.example", acme, "member"))
        .at(acme);

    let me = session.me().await;
    assert_eq!(me.user.email, "new.person@acme.example");
    assert_eq!(me.user.name, "Console Person");
    assert_eq!(me.organization.id, acme);
    assert_eq!(me.role, Role::Member);
    assert_eq!(
        session.support_status().await.organization,
        me.organization.name
    );
    let mine = session.tickets(&TicketListQuery::default()).await;
    assert_eq!(mine.total, 0, "a new user has no tickets of their own");

    // The user was created without a password: the password sign-in never lets them in.
    let response = app
        .anonymous()
        .post_session("new.person@acme.example", "")
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .anonymous()
        .post_session("new.person@acme.example", "anything")
        .await;
    expect_error(
        response,
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
    )
    .await;
}

#[tokio::test]
async fn the_tokens_role_is_applied_and_a_changed_role_updates_it() {
    let app = spawn_token_app().await;
    let acme = app.organization_of("admin@acme.example").await;
    let organization_scope = TicketListQuery {
        scope: TicketScope::Organization,
        ..TicketListQuery::default()
    };
    // Dana is a member in the demo data; the console now says she is an admin.
    let admin = app
        .anonymous()
        .with_bearer(&token("dev@acme.example", acme, "admin"))
        .at(acme);
    let me = admin.me().await;
    assert_eq!(
        me.user.id,
        app.user_id("dev@acme.example").await,
        "matched by email"
    );
    assert_eq!(me.role, Role::Admin);
    assert_eq!(
        admin.get_tickets(&organization_scope).await.status(),
        StatusCode::OK
    );

    let member = app
        .anonymous()
        .with_bearer(&token("dev@acme.example", acme, "member"))
        .at(acme);
    assert_eq!(member.me().await.role, Role::Member);
    expect_error(
        member.get_tickets(&organization_scope).await,
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    )
    .await;
    // The membership itself changed: her password session sees the console's role too.
    assert_eq!(
        app.sign_in("dev@acme.example").await.me().await.role,
        Role::Member
    );
}

#[tokio::test]
async fn expiry_and_not_before_are_checked_with_the_configured_leeway() {
    let app = spawn_token_app().await;
    let acme = app.organization_of("admin@acme.example").await;
    let base = claims("dev@acme.example", acme, "member");

    let expired = sign(&with(base.clone(), json!({ "exp": now() - 120 })));
    refused(&app, &expired, "expired beyond the 60 s leeway").await;
    let just_expired = sign(&with(base.clone(), json!({ "exp": now() - 20 })));
    let response = app.anonymous().with_bearer(&just_expired).get_me().await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "expired within the leeway"
    );

    let early = sign(&with(base.clone(), json!({ "nbf": now() + 120 })));
    refused(&app, &early, "not valid before two minutes from now").await;
    let almost = sign(&with(base.clone(), json!({ "nbf": now() + 20 })));
    let response = app.anonymous().with_bearer(&almost).get_me().await;
    assert_eq!(response.status(), StatusCode::OK, "nbf within the leeway");

    let no_exp = sign(&with(base, json!({ "exp": null })));
    refused(&app, &no_exp, "no exp").await;
}

#[tokio::test]
async fn a_shorter_leeway_refuses_what_the_default_accepts() {
    let app = spawn_app_with(|config| {
        token_mode(config);
        config.token_leeway_secs = 5;
    })
    .await;
    let acme = app.organization_of("admin@acme.example").await;
    let base = claims("dev@acme.example", acme, "member");
    refused(
        &app,
        &sign(&with(base, json!({ "exp": now() - 20 }))),
        "20 s > 5 s",
    )
    .await;
}

#[tokio::test]
async fn tokens_of_another_issuer_audience_key_or_algorithm_are_refused() {
    let app = spawn_token_app().await;
    let acme = app.organization_of("admin@acme.example").await;
    let base = claims("dev@acme.example", acme, "member");

    for (why, changes) in [
        ("wrong issuer", json!({ "iss": "https://evil.example" })),
        ("wrong audience", json!({ "aud": "billing" })),
        ("no issuer", json!({ "iss": null })),
        ("no audience", json!({ "aud": null })),
        ("no subject", json!({ "sub": null })),
        ("no organization", json!({ "org": null })),
        ("unknown role", json!({ "role": "owner" })),
        ("not an email", json!({ "email": "dana" })),
    ] {
        refused(&app, &sign(&with(base.clone(), changes)), why).await;
    }

    let foreign = sign_with(&base, OTHER_PRIVATE_KEY);
    refused(&app, &foreign, "signed by a key the server does not trust").await;

    let valid = sign(&base);
    let (_, rest) = valid.split_once('.').expect("three parts");
    let (payload, _) = rest.split_once('.').expect("three parts");
    refused(&app, &format!("{ALG_NONE_HEADER}.{payload}."), "alg none").await;

    // The classic key confusion: HS256 keyed with the bytes of the server's public key.
    let confused = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &base,
        &EncodingKey::from_secret(CONSOLE_PUBLIC_KEY).expect("HMAC key"),
    )
    .expect("sign HS256");
    refused(&app, &confused, "HS256 with the public key as secret").await;

    let tampered = format!("{}x", &valid[..valid.len() - 1]);
    refused(&app, &tampered, "tampered signature").await;
    refused(&app, "not-a-jwt", "garbage").await;
    refused(&app, "", "empty bearer").await;
}

#[tokio::test]
async fn an_organization_unknown_here_is_refused_and_nothing_is_created() {
    let app = spawn_token_app().await;
    let response = app
        .anonymous()
        .with_bearer(&token("someone@elsewhere.example", 999_999, "admin"))
        .get_me()
        .await;
    let body = expect_error(response, StatusCode::FORBIDDEN, ErrorCode::Forbidden).await;
    assert!(body.message.contains("organization"), "{}", body.message);
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = $1")
        .bind("someone@elsewhere.example")
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(users, 0, "no user from a refused token");
    let organizations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations WHERE id = $1")
        .bind(999_999)
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(organizations, 0, "never an organization from a token");
}

#[tokio::test]
async fn another_organization_is_not_found_as_for_cookie_users() {
    let app = spawn_token_app().await;
    let acme = app.organization_of("admin@acme.example").await;
    let globex = app.organization_of("admin@globex.example").await;
    let acme_token = token("dev@acme.example", acme, "member");

    let elsewhere = app.anonymous().with_bearer(&acme_token).at(globex);
    expect_error(
        elsewhere.get_support_status().await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    let cookie = app.sign_in("dev@acme.example").await.at(globex);
    expect_error(
        cookie.get_support_status().await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;

    // A token is about one organization: a membership the user also has here (from an earlier
    // token for Globex) does not open Globex to a token for Acme.
    let globex_token = token("dev@acme.example", globex, "member");
    let in_globex = app.anonymous().with_bearer(&globex_token).at(globex);
    assert_eq!(
        in_globex.get_support_status().await.status(),
        StatusCode::OK
    );
    expect_error(
        elsewhere.get_support_status().await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    assert_eq!(
        app.anonymous()
            .with_bearer(&acme_token)
            .me()
            .await
            .organization
            .id,
        acme,
        "/me reports the token's organization"
    );
}

#[tokio::test]
async fn with_a_cookie_and_a_token_the_token_decides() {
    let app = spawn_token_app().await;
    let acme = app.organization_of("admin@acme.example").await;
    let globex_admin = app.sign_in("admin@globex.example").await;

    let both = globex_admin.with_bearer(&token("dev@acme.example", acme, "member"));
    assert_eq!(both.me().await.user.email, "dev@acme.example");

    let expired = sign(&with(
        claims("dev@acme.example", acme, "member"),
        json!({ "exp": now() - 3600 }),
    ));
    let response = globex_admin.with_bearer(&expired).get_me().await;
    expect_error(
        response,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
    )
    .await;
}

#[tokio::test]
async fn bearer_requests_still_need_the_csrf_header() {
    let app = spawn_token_app().await;
    let acme = app.organization_of("admin@acme.example").await;
    let session = app
        .anonymous()
        .with_bearer(&token("dev@acme.example", acme, "member"))
        .at(acme);
    let path = format!("/organizations/{acme}/tickets");
    expect_error(
        session.without_csrf().request(Method::POST, &path).await,
        StatusCode::FORBIDDEN,
        ErrorCode::CsrfCheckFailed,
    )
    .await;
}

#[tokio::test]
async fn without_token_mode_a_bearer_token_is_refused() {
    let app = spawn_app().await;
    let acme = app.organization_of("admin@acme.example").await;
    let signed_in = app.sign_in("dev@acme.example").await;
    let response = signed_in
        .with_bearer(&token("dev@acme.example", acme, "member"))
        .get_me()
        .await;
    expect_error(
        response,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
    )
    .await;
}

/// A change to the token mode configuration.
type ConfigChange = fn(&mut Config);

#[tokio::test]
async fn half_configured_token_mode_stops_the_server_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let configs: [(&str, ConfigChange); 4] = [
        ("no issuer", |c| c.token_issuer = None),
        ("no audience", |c| c.token_audience = None),
        ("no algorithm", |c| c.token_algorithm = None),
        ("an RSA algorithm for an Ed25519 key", |c| {
            c.token_algorithm = Some(TokenAlgorithm::Rs256)
        }),
    ];
    for (why, change) in configs {
        let mut config = test_config(dir.path());
        token_mode(&mut config);
        change(&mut config);
        assert!(AppState::new(config).await.is_err(), "{why}");
    }
    let mut config = test_config(dir.path());
    config.token_issuer = Some(ISSUER.into());
    assert!(
        AppState::new(config).await.is_err(),
        "an issuer without a key"
    );
}

/// A token refused by one of our own limits: 401 `unauthenticated` with a message saying which.
async fn refused_because(app: &TestApp, token: &str, message: &str) {
    let response = app.anonymous().with_bearer(token).get_me().await;
    let body = expect_error(
        response,
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
    )
    .await;
    assert_eq!(body.message, message);
}

#[tokio::test]
async fn a_token_valid_for_longer_than_the_maximum_lifetime_is_refused() {
    let app = spawn_token_app().await;
    let acme = app.organization_of("admin@acme.example").await;
    let base = claims("dev@acme.example", acme, "member");
    let issued = now();

    let an_hour = sign(&with(
        base.clone(),
        json!({ "iat": issued, "exp": issued + 3600 }),
    ));
    let response = app.anonymous().with_bearer(&an_hour).get_me().await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "exactly the default hour"
    );
    let longer = sign(&with(
        base.clone(),
        json!({ "iat": issued, "exp": issued + 3601 }),
    ));
    refused_because(&app, &longer, support_server::rules::token::TOO_LONG_LIVED).await;
    // Without `iat`, the time left until `exp` is bounded instead.
    let no_iat = sign(&with(base.clone(), json!({ "iat": null })));
    let response = app.anonymous().with_bearer(&no_iat).get_me().await;
    assert_eq!(response.status(), StatusCode::OK, "no iat, 5 minutes left");
    let no_iat_long = sign(&with(
        base.clone(),
        json!({ "iat": null, "exp": issued + 3700 }),
    ));
    refused_because(
        &app,
        &no_iat_long,
        support_server::rules::token::TOO_LONG_LIVED,
    )
    .await;
    // Issued in the future beyond the leeway: `exp - iat` would be short, but the token would be
    // usable for longer than it says.
    let future = sign(&with(
        base,
        json!({ "iat": issued + 3000, "exp": issued + 3300 }),
    ));
    refused_because(
        &app,
        &future,
        support_server::rules::token::ISSUED_IN_FUTURE,
    )
    .await;
}

#[tokio::test]
async fn the_maximum_lifetime_is_configurable() {
    let app = spawn_app_with(|config| {
        token_mode(config);
        config.token_max_lifetime_secs = 600;
    })
    .await;
    let acme = app.organization_of("admin@acme.example").await;
    let issued = now();
    let base = claims("dev@acme.example", acme, "member");
    let ten_minutes = sign(&with(
        base.clone(),
        json!({ "iat": issued, "exp": issued + 600 }),
    ));
    let response = app.anonymous().with_bearer(&ten_minutes).get_me().await;
    assert_eq!(response.status(), StatusCode::OK);
    let longer = sign(&with(base, json!({ "iat": issued, "exp": issued + 700 })));
    refused_because(&app, &longer, support_server::rules::token::TOO_LONG_LIVED).await;
}

#[tokio::test]
async fn a_name_claim_over_the_bound_is_refused() {
    let app = spawn_token_app().await;
    let acme = app.organization_of("admin@acme.example").await;
    let base = claims("new.person@acme.example", acme, "member");
    let longest = "é".repeat(support_server::rules::token::NAME_MAX_CHARS);
    let session = app
        .anonymous()
        .with_bearer(&sign(&with(base.clone(), json!({ "name": longest }))))
        .at(acme);
    assert_eq!(
        session.me().await.user.name,
        longest,
        "counted in characters"
    );
    let too_long = format!("{longest}x");
    refused_because(
        &app,
        &sign(&with(base, json!({ "name": too_long }))),
        support_server::rules::token::NAME_TOO_LONG,
    )
    .await;
}

#[tokio::test]
async fn a_name_claim_with_a_control_character_is_refused() {
    let app = spawn_token_app().await;
    let acme = app.organization_of("admin@acme.example").await;
    let base = claims("new.person@acme.example", acme, "member");
    for name in ["Eve\u{1b}[2J", "Eve\nAdmin", "Eve\u{85}"] {
        refused_because(
            &app,
            &sign(&with(base.clone(), json!({ "name": name }))),
            support_server::rules::token::NAME_NOT_ONE_LINE,
        )
        .await;
    }
}

#[tokio::test]
async fn a_membership_a_token_created_does_not_serve_password_sessions() {
    let app = spawn_token_app().await;
    let acme = app.organization_of("admin@acme.example").await;
    let globex = app.organization_of("admin@globex.example").await;
    // Dana has a password and is a member of Acme only; the console puts her in Globex.
    let token_session = app
        .anonymous()
        .with_bearer(&token("dev@acme.example", globex, "admin"))
        .at(globex);
    assert_eq!(token_session.me().await.organization.id, globex);
    assert_eq!(
        token_session.get_support_status().await.status(),
        StatusCode::OK
    );

    // Her password session keeps exactly what it had: Acme, not Globex.
    let password_session = app.sign_in("dev@acme.example").await;
    assert_eq!(password_session.me().await.organization.id, acme);
    expect_error(
        password_session.at(globex).get_support_status().await,
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
    )
    .await;
    // A user the console created has no password session at all; their token still works.
    let created = app
        .anonymous()
        .with_bearer(&token("new.person@acme.example", globex, "member"))
        .at(globex);
    assert_eq!(created.me().await.organization.id, globex);
}

#[tokio::test]
async fn each_request_acts_with_its_own_tokens_role() {
    let app = spawn_token_app().await;
    let acme = app.organization_of("admin@acme.example").await;
    let organization_scope = TicketListQuery {
        scope: TicketScope::Organization,
        ..TicketListQuery::default()
    };
    let admin = app
        .anonymous()
        .with_bearer(&token("dev@acme.example", acme, "admin"))
        .at(acme);
    let member = app
        .anonymous()
        .with_bearer(&token("dev@acme.example", acme, "member"))
        .at(acme);
    // The console changes her role while requests are in flight: each token's request writes its
    // role to the membership, and must act with its own role, not with what the other just wrote.
    for round in 0..20 {
        let (as_admin, as_member) = tokio::join!(
            admin.get_tickets(&organization_scope),
            member.get_tickets(&organization_scope)
        );
        assert_eq!(
            as_admin.status(),
            StatusCode::OK,
            "admin token, round {round}"
        );
        assert_eq!(
            as_member.status(),
            StatusCode::FORBIDDEN,
            "member token, round {round}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// CORS

async fn spawn_cors_app() -> TestApp {
    spawn_app_with(|config| {
        token_mode(config);
        config.cors_origins = vec![LISTED_ORIGIN.parse().unwrap()];
    })
    .await
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(Method::OPTIONS, app.api("/organizations/1/tickets"))
        .header(ORIGIN, origin)
        .header(ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization,content-type,idempotency-key,x-support-csrf",
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_listed_origin_gets_cors_for_preflights_and_requests() {
    let app = spawn_cors_app().await;
    let response = preflight(&app, LISTED_ORIGIN).await;
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(
        header(&response, ACCESS_CONTROL_ALLOW_ORIGIN.as_str()),
        LISTED_ORIGIN
    );
    assert_eq!(
        header(&response, ACCESS_CONTROL_ALLOW_CREDENTIALS.as_str()),
        "true"
    );
    let allowed = header(&response, ACCESS_CONTROL_ALLOW_HEADERS.as_str());
    for name in [
        "authorization",
        "content-type",
        "idempotency-key",
        "x-support-csrf",
        "if-none-match",
    ] {
        assert!(allowed.contains(name), "{name} in {allowed}");
    }
    assert_eq!(header(&response, ACCESS_CONTROL_MAX_AGE.as_str()), "600");

    let acme = app.organization_of("admin@acme.example").await;
    let response = reqwest::Client::new()
        .get(app.api("/me"))
        .header(ORIGIN, LISTED_ORIGIN)
        .bearer_auth(token("dev@acme.example", acme, "member"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, ACCESS_CONTROL_ALLOW_ORIGIN.as_str()),
        LISTED_ORIGIN
    );
    assert_eq!(
        header(&response, ACCESS_CONTROL_ALLOW_CREDENTIALS.as_str()),
        "true"
    );
    let exposed = header(&response, ACCESS_CONTROL_EXPOSE_HEADERS.as_str());
    for name in ["etag", "retry-after", "idempotent-replayed"] {
        assert!(exposed.contains(name), "{name} in {exposed}");
    }
}

#[tokio::test]
async fn an_unlisted_origin_or_an_empty_list_gets_no_cors_headers() {
    let app = spawn_cors_app().await;
    for response in [
        preflight(&app, "https://evil.example").await,
        reqwest::Client::new()
            .get(app.api("/me"))
            .header(ORIGIN, "https://evil.example")
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(header(&response, ACCESS_CONTROL_ALLOW_ORIGIN.as_str()), "");
        assert_eq!(
            header(&response, ACCESS_CONTROL_ALLOW_CREDENTIALS.as_str()),
            ""
        );
    }

    let app = spawn_app().await;
    let response = preflight(&app, LISTED_ORIGIN).await;
    for name in [
        ACCESS_CONTROL_ALLOW_ORIGIN,
        ACCESS_CONTROL_ALLOW_CREDENTIALS,
        ACCESS_CONTROL_ALLOW_HEADERS,
        ACCESS_CONTROL_MAX_AGE,
    ] {
        assert_eq!(
            header(&response, name.as_str()),
            "",
            "{name} without a list"
        );
    }
}

#[test]
fn cors_origins_repeat_and_split_on_commas() {
    use clap::Parser;
    let cli = support_server::Cli::parse_from([
        "support-server",
        "--cors-origin",
        "https://a.example",
        "--cors-origin",
        "https://b.example,http://localhost:5173",
    ]);
    let origins: Vec<&str> = cli
        .config
        .cors_origins
        .iter()
        .map(CorsOrigin::as_str)
        .collect();
    assert_eq!(
        origins,
        [
            "https://a.example",
            "https://b.example",
            "http://localhost:5173"
        ]
    );
    assert!(support_server::Cli::try_parse_from(["support-server", "--cors-origin", "*"]).is_err());
}

#[test]
fn cors_origins_are_exact_origins() {
    for good in ["https://console.example", "http://localhost:5173"] {
        assert!(good.parse::<CorsOrigin>().is_ok(), "{good}");
    }
    for bad in [
        "*",
        "console.example",
        "https://console.example/",
        "https://console.example/app",
        "https://Console.example",
        "ftp://console.example",
        "https://",
        "https://user@console.example",
    ] {
        assert!(bad.parse::<CorsOrigin>().is_err(), "{bad}");
    }
}
