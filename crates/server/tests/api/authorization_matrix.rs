//! The authorization matrix: every route of the router (read from `http::api_routes()`, the table the
//! router and the OpenAPI document are built from) x every demo role x the objects of another
//! organization. A route added to the router without an entry in [`expectations`] fails the test, so
//! no operation ships without someone deciding who may call it.
//!
//! For every role the matrix checks: signed out, a route that needs a session answers 401; signed in,
//! a path naming another organization's objects (its id, or one's own organization with the other's
//! ticket, attachment, upgrade request or CC address) answers the JSON 404 (403 where a member asks for
//! an admin-only operation, which the API checks first), and the body names nothing of the other
//! organization; a member asking for an admin-only operation gets 403; and every read route answers
//! 200 on the role's own objects, so the 404s above are not a route that always fails.
//!
//! The matrix runs twice: with cookie sessions, and on a server in token mode with every role calling
//! with a console token (`Authorization: Bearer`, see `token.rs`) of its own organization and role.

use std::collections::{BTreeMap, BTreeSet};

use api::{ErrorBody, ErrorCode, NewTicket, Severity, UpgradeRequestInput};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use support_server::http::api_routes;

use crate::helpers::{Session, TestApp, png, spawn_app, spawn_app_with};
use crate::token::{OTHER_PRIVATE_KEY, claims, sign_with, token, token_mode};

/// Who may call a route.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Access {
    /// No session needed; signed out, the route answers this status (it is not called signed in:
    /// `DELETE /session` would end the role's session).
    Public(StatusCode),
    /// Any signed-in user; the route names no organization.
    SignedIn,
    /// A member of the organization in the path.
    Member,
    /// An admin of the organization in the path; a member gets 403.
    Admin,
    /// A member of the organization in the path, then the ticket's submitter or an admin: another
    /// member (CCed on the ticket, so they read it) gets 403.
    SubmitterOrAdmin,
}

/// What a route is sent besides its path.
#[derive(Clone, Copy)]
enum Payload {
    None,
    /// A valid body for the route, so that the request reaches the authorization check instead of
    /// stopping at the body's validation.
    Json(fn(&Objects) -> Value),
    /// A small PNG as the multipart upload.
    Png,
}

/// The matrix's expectations: for every `(method, path)` of the router, who may call it and with
/// what. A new route must be added here.
fn expectations() -> BTreeMap<(Method, &'static str), (Access, Payload)> {
    use Access::*;
    use Payload::{Json, None, Png};
    let org = "/organizations/{org_id}";
    let entries: Vec<(Method, String, Access, Payload)> = vec![
        (
            Method::POST,
            "/session".into(),
            // A wrong password: the route itself is open.
            Public(StatusCode::UNAUTHORIZED),
            Json(|_| json!({ "email": "dev@acme.example", "password": "not-the-password" })),
        ),
        (
            Method::DELETE,
            "/session".into(),
            Public(StatusCode::NO_CONTENT),
            None,
        ),
        (Method::GET, "/me".into(), SignedIn, None),
        (Method::GET, "/products".into(), SignedIn, None),
        (Method::GET, "/support/tiers".into(), SignedIn, None),
        (
            Method::GET,
            "/openapi.json".into(),
            Public(StatusCode::OK),
            None,
        ),
        // Without `--inbound-mail-secret` the webhook does not exist; with it, its own secret (not a
        // session) authenticates it, which `mail` tests.
        (
            Method::POST,
            "/inbound-mail".into(),
            Public(StatusCode::NOT_FOUND),
            None,
        ),
        (Method::GET, format!("{org}/projects"), Member, None),
        (Method::GET, format!("{org}/support"), Member, None),
        // Billing groups' payment methods and the monthly spend: admins only (issue 12 item 5).
        (Method::GET, format!("{org}/upgrade-options"), Admin, None),
        (
            Method::POST,
            format!("{org}/upgrade-requests"),
            Admin,
            Json(|objects| {
                serde_json::to_value(UpgradeRequestInput {
                    tier: "premium".into(),
                    start_month: objects.month.clone(),
                    billing_group_id: Some(objects.billing_group_id),
                })
                .expect("JSON")
            }),
        ),
        (
            Method::GET,
            format!("{org}/upgrade-requests/current"),
            Member,
            None,
        ),
        (
            Method::DELETE,
            format!("{org}/upgrade-requests/{{request_id}}"),
            Admin,
            None,
        ),
        (Method::GET, format!("{org}/ticket-options"), Member, None),
        (Method::GET, format!("{org}/tickets"), Member, None),
        (
            Method::POST,
            format!("{org}/tickets"),
            Member,
            Json(|_| serde_json::to_value(ticket_form("Matrix probe", &[])).expect("JSON")),
        ),
        (
            Method::GET,
            format!("{org}/tickets/{{ticket_id}}"),
            Member,
            None,
        ),
        (
            Method::POST,
            format!("{org}/tickets/{{ticket_id}}/comments"),
            Member,
            Json(|_| json!({ "body": "Matrix probe comment" })),
        ),
        (
            Method::DELETE,
            format!("{org}/tickets/{{ticket_id}}/cc/{{email}}"),
            SubmitterOrAdmin,
            None,
        ),
        (
            Method::POST,
            format!("{org}/tickets/{{ticket_id}}/status"),
            Member,
            Json(|_| json!({ "status": "solved" })),
        ),
        // Following every ticket is for admins; the body asks to start.
        (
            Method::PUT,
            format!("{org}/ticket-following"),
            Admin,
            Json(|_| json!({ "following": true })),
        ),
        (Method::POST, format!("{org}/attachments"), Member, Png),
        (
            Method::DELETE,
            format!("{org}/attachments/{{attachment_id}}"),
            Member,
            None,
        ),
        (
            Method::GET,
            format!("{org}/tickets/{{ticket_id}}/attachments/{{attachment_id}}"),
            Member,
            None,
        ),
    ];
    let count = entries.len();
    let map: BTreeMap<_, _> = entries
        .into_iter()
        .map(|(method, path, access, payload)| {
            let path: &'static str = Box::leak(path.into_boxed_str());
            ((method, path), (access, payload))
        })
        .collect();
    assert_eq!(map.len(), count, "an entry is listed twice");
    map
}

/// A valid ticket with `subject`, CCing `cc`.
fn ticket_form(subject: &str, cc: &[&str]) -> NewTicket {
    NewTicket {
        cc: cc.iter().map(|a| a.to_string()).collect(),
        subject: subject.into(),
        severity: Some(Severity::Low),
        product: "postgresql".into(),
        reason: "performance".into(),
        description: "Queries got slower after the upgrade.".into(),
        ..NewTicket::default()
    }
}

/// One organization's objects the matrix aims at, and the text that must never reach another
/// organization's users.
struct Objects {
    org_id: i64,
    ticket_id: i64,
    /// Attached to `ticket_id`.
    attachment_id: i64,
    /// A pending upgrade request.
    request_id: i64,
    /// On `ticket_id`'s CC list.
    cc_email: String,
    billing_group_id: i64,
    month: String,
    /// The organization's name, its ticket's subject and description, the file's name, the CC
    /// address, its people's names.
    secrets: Vec<String>,
}

impl Objects {
    /// `template` with every parameter replaced by these objects' values.
    fn path(&self, template: &str) -> String {
        self.path_mixed(template, self, usize::MAX)
    }

    /// `template` with its first `own` parameters from `self` and the rest from `other`.
    fn path_mixed(&self, template: &str, other: &Objects, own: usize) -> String {
        let mut path = template.to_owned();
        for (i, name) in parameters(template).iter().enumerate() {
            let objects = if i < own { self } else { other };
            let value = match *name {
                "org_id" => objects.org_id.to_string(),
                "ticket_id" => objects.ticket_id.to_string(),
                "attachment_id" => objects.attachment_id.to_string(),
                "request_id" => objects.request_id.to_string(),
                "email" => objects.cc_email.clone(),
                other => panic!("the matrix has no value for the path parameter {{{other}}}"),
            };
            path = path.replace(&format!("{{{name}}}"), &value);
        }
        path
    }
}

/// The parameters of a path template, in order.
fn parameters(template: &str) -> Vec<&str> {
    template
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

/// Arranges one organization's objects through the API as its admin: a ticket CCing `member` and an
/// outside address, with a file attached, and a pending upgrade request.
async fn arrange(
    app: &TestApp,
    admin: &Session,
    member: &str,
    name: &str,
    tier: &str,
    group: &str,
) -> Objects {
    let tag = name.split_whitespace().next().expect("a name");
    let file = format!("{tag}-architecture-diagram.png");
    let attachment = admin.upload_png(&file).await;
    let cc_email = format!("auditor@{}-partner.example", tag.to_lowercase());
    let subject = format!("{tag} confidential outage in the billing cluster");
    let mut form = ticket_form(&subject, &[member, &cc_email]);
    form.description = format!("{tag} internal hostnames leaked here");
    form.attachment_ids = vec![attachment.id];
    let ticket = admin.create_ticket(&form).await;
    let billing_group_id: i64 = sqlx::query_scalar("SELECT id FROM billing_groups WHERE name = $1")
        .bind(group)
        .fetch_one(app.db())
        .await
        .expect("billing group");
    let now = time::OffsetDateTime::now_utc();
    let month = format!("{:04}-{:02}", now.year(), u8::from(now.month()));
    let request = admin
        .request_upgrade(&UpgradeRequestInput {
            tier: tier.into(),
            start_month: month.clone(),
            billing_group_id: Some(billing_group_id),
        })
        .await;
    let me = admin.me().await;
    Objects {
        org_id: admin.org_id,
        ticket_id: ticket.id,
        attachment_id: attachment.id,
        request_id: request.id,
        cc_email: cc_email.clone(),
        billing_group_id,
        month,
        secrets: vec![
            name.to_owned(),
            subject,
            form.description,
            file,
            cc_email,
            me.user.name,
            me.user.email,
            member.to_owned(),
        ],
    }
}

/// A role of the matrix: a signed-in demo user (or nobody), whose own objects are `own` and whose
/// foreign objects are `other`.
struct Role<'a> {
    name: &'static str,
    session: Session,
    admin: bool,
    signed_in: bool,
    own: Option<&'a Objects>,
    other: &'a Objects,
}

/// Tallies what the matrix checked.
#[derive(Default)]
struct Counts {
    requests: usize,
    /// Per kind of case (`signed out`, `other org`, ...).
    cases: BTreeMap<&'static str, usize>,
}

impl Counts {
    fn add(&mut self, case: &'static str) {
        self.requests += 1;
        *self.cases.entry(case).or_default() += 1;
    }
}

/// Sends `method` on `path` as `session` with the route's payload built from `objects`.
async fn call(
    session: &Session,
    method: &Method,
    path: &str,
    payload: Payload,
    objects: &Objects,
) -> Response {
    match payload {
        Payload::None => session.call(method.clone(), path, None, None).await,
        Payload::Json(body) => {
            session
                .call(method.clone(), path, Some(&body(objects)), None)
                .await
        }
        Payload::Png => {
            let part = Part::bytes(png(256)).file_name("probe.png");
            let form = Form::new().part("file", part);
            session.call(method.clone(), path, None, Some(form)).await
        }
    }
}

/// Asserts `response` is the JSON error with `status` and `code`, naming none of `secrets`.
async fn refused(
    response: Response,
    status: StatusCode,
    code: ErrorCode,
    secrets: &[String],
    what: &str,
) {
    assert_eq!(response.status(), status, "{what}");
    let text = response.text().await.expect("body");
    let body: ErrorBody = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{what}: not the JSON error body ({e}): {text}"));
    assert_eq!(body.code, code, "{what}: {text}");
    assert_eq!(body.status, status.as_u16(), "{what}");
    let lowered = text.to_lowercase();
    for secret in secrets {
        assert!(
            !lowered.contains(&secret.to_lowercase()),
            "{what}: the error body names {secret:?} of the other organization: {text}"
        );
    }
}

/// How the matrix's roles prove who they are.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Credentials {
    /// A session cookie from the password sign-in.
    Cookie,
    /// A console token as `Authorization: Bearer`, on a server in token mode.
    Token,
}

#[tokio::test]
async fn every_route_x_every_role_x_another_organizations_objects() {
    run_matrix(Credentials::Cookie).await;
}

/// The same matrix on a server in token mode, every role calling with a console token of its own
/// organization and role: a token is checked against the path's organization and objects exactly as
/// a session is. One more role carries a token signed by a key the server does not trust, which must
/// be as good as no credentials at all.
#[tokio::test]
async fn every_route_x_every_role_x_another_organizations_objects_with_console_tokens() {
    run_matrix(Credentials::Token).await;
}

/// A signed-in role of the matrix: `email` (an admin when `admin`) acting in `org_id`, by a cookie
/// session or by a console token saying the same.
async fn signed_in(
    app: &TestApp,
    credentials: Credentials,
    email: &str,
    org_id: i64,
    admin: bool,
) -> Session {
    match credentials {
        Credentials::Cookie => {
            let session = app.sign_in(email).await;
            assert_eq!(session.org_id, org_id, "{email} acts in their organization");
            session
        }
        Credentials::Token => {
            let role = if admin { "admin" } else { "member" };
            app.anonymous()
                .with_bearer(&token(email, org_id, role))
                .at(org_id)
        }
    }
}

async fn run_matrix(credentials: Credentials) {
    let routes: BTreeSet<(Method, &'static str)> = api_routes()
        .iter()
        .map(|route| (route.method.clone(), route.path))
        .collect();
    let expectations = expectations();
    let expected: BTreeSet<(Method, &'static str)> = expectations.keys().cloned().collect();
    let unlisted: Vec<_> = routes.difference(&expected).collect();
    let stale: Vec<_> = expected.difference(&routes).collect();
    assert!(
        unlisted.is_empty(),
        "routes without an entry in the authorization matrix (add who may call them to \
         `expectations`): {unlisted:?}"
    );
    assert!(
        stale.is_empty(),
        "the authorization matrix lists routes the router does not serve: {stale:?}"
    );

    let app = match credentials {
        Credentials::Cookie => spawn_app().await,
        Credentials::Token => spawn_app_with(token_mode).await,
    };
    // The objects are arranged through password sessions in both modes: the matrix is about who
    // reaches them, not how they were made.
    let acme_admin = app.sign_in("admin@acme.example").await;
    let globex_admin = app.sign_in("admin@globex.example").await;
    // The demo data has no member at Globex: the matrix adds one.
    app.add_member(
        "member@globex.example",
        "Morgan Globex",
        globex_admin.org_id,
        "member",
    )
    .await;
    let acme = arrange(
        &app,
        &acme_admin,
        "dev@acme.example",
        "Acme Analytics",
        "essential",
        "Acme Default",
    )
    .await;
    let globex = arrange(
        &app,
        &globex_admin,
        "member@globex.example",
        "Globex",
        "premium",
        "Globex Billing",
    )
    .await;

    let hobby_org = app.organization_of("owner@hobby.example").await;
    let app_ref = &app;
    let as_role = move |email: &'static str, org_id: i64, admin: bool| {
        signed_in(app_ref, credentials, email, org_id, admin)
    };
    let mut roles = vec![
        Role {
            name: "signed out",
            session: app.anonymous().at(acme.org_id),
            admin: false,
            signed_in: false,
            own: None,
            other: &acme,
        },
        Role {
            name: "acme member",
            session: as_role("dev@acme.example", acme.org_id, false).await,
            admin: false,
            signed_in: true,
            own: Some(&acme),
            other: &globex,
        },
        Role {
            name: "acme admin",
            session: as_role("admin@acme.example", acme.org_id, true).await,
            admin: true,
            signed_in: true,
            own: Some(&acme),
            other: &globex,
        },
        Role {
            name: "globex admin",
            session: as_role("admin@globex.example", globex.org_id, true).await,
            admin: true,
            signed_in: true,
            own: Some(&globex),
            other: &acme,
        },
        Role {
            name: "globex member",
            session: as_role("member@globex.example", globex.org_id, false).await,
            admin: false,
            signed_in: true,
            own: Some(&globex),
            other: &acme,
        },
        // A free-plan organization's admin: owns no ticket, so only the foreign cases.
        Role {
            name: "hobby admin",
            session: as_role("owner@hobby.example", hobby_org, true).await,
            admin: true,
            signed_in: true,
            own: None,
            other: &globex,
        },
    ];
    if credentials == Credentials::Token {
        // Signed well, by the wrong key, for Acme's admin: nothing is open to it that is closed to
        // no credentials at all.
        let untrusted = sign_with(
            &claims("admin@acme.example", acme.org_id, "admin"),
            OTHER_PRIVATE_KEY,
        );
        roles.push(Role {
            name: "untrusted token",
            session: app.anonymous().with_bearer(&untrusted).at(acme.org_id),
            admin: false,
            signed_in: false,
            own: None,
            other: &acme,
        });
    }

    let mut counts = Counts::default();
    for role in &roles {
        for ((method, template), (access, payload)) in &expectations {
            let (method, template, access, payload) = (method, *template, *access, *payload);
            let what = |case: &str, path: &str| format!("{} {method} {path} ({case})", role.name);

            if !role.signed_in {
                let path = role.other.path(template);
                let response = call(&role.session, method, &path, payload, role.other).await;
                match access {
                    Access::Public(status) => {
                        assert_eq!(response.status(), status, "{}", what("open route", &path));
                    }
                    _ => {
                        refused(
                            response,
                            StatusCode::UNAUTHORIZED,
                            ErrorCode::Unauthenticated,
                            &role.other.secrets,
                            &what("signed out", &path),
                        )
                        .await
                    }
                }
                counts.add("signed out");
                continue;
            }
            if matches!(access, Access::Public(_)) {
                continue;
            }

            // Another organization's objects: all of them, then one's own organization (and ticket)
            // with the other's objects after it.
            let params = parameters(template);
            let own_prefixes: Vec<usize> = match role.own {
                Some(_) => (0..params.len()).collect(),
                None if params.is_empty() => Vec::new(),
                None => vec![0],
            };
            for own in own_prefixes {
                let path = match role.own {
                    Some(mine) => mine.path_mixed(template, role.other, own),
                    None => role.other.path(template),
                };
                let case = if own == 0 {
                    "other org"
                } else {
                    "own org, other's object"
                };
                let response = call(&role.session, method, &path, payload, role.other).await;
                // A member asking for an admin-only operation in their own organization (or on a
                // ticket of their own organization they did not submit) hears that first; everything
                // else about another organization's objects is "not found".
                let refused_first = match access {
                    Access::Admin => own > 0,
                    Access::SubmitterOrAdmin => own > 1,
                    _ => false,
                };
                let (status, code) = if refused_first && !role.admin {
                    (StatusCode::FORBIDDEN, ErrorCode::Forbidden)
                } else {
                    (StatusCode::NOT_FOUND, ErrorCode::NotFound)
                };
                refused(
                    response,
                    status,
                    code,
                    &role.other.secrets,
                    &what(case, &path),
                )
                .await;
                counts.add(case);
            }

            let Some(mine) = role.own else { continue };
            if access == Access::Admin && !role.admin {
                let path = mine.path(template);
                let response = call(&role.session, method, &path, payload, mine).await;
                refused(
                    response,
                    StatusCode::FORBIDDEN,
                    ErrorCode::Forbidden,
                    &[],
                    &what("member on an admin route", &path),
                )
                .await;
                counts.add("member on an admin route");
            } else if *method == Method::GET {
                let path = mine.path(template);
                let response = call(&role.session, method, &path, payload, mine).await;
                assert_eq!(
                    response.status(),
                    StatusCode::OK,
                    "{}",
                    what("own objects", &path)
                );
                counts.add("own objects");
            }
        }
    }

    let breakdown: Vec<String> = counts
        .cases
        .iter()
        .map(|(case, n)| format!("{case}: {n}"))
        .collect();
    println!(
        "authorization matrix ({credentials:?}): {} routes x {} roles, {} requests ({})",
        routes.len(),
        roles.len(),
        counts.requests,
        breakdown.join(", ")
    );
    // Every route is called at least signed out, and every org route by each signed-in role.
    assert!(counts.requests >= routes.len() * 2);
}
