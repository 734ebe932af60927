//! The bad-input corpus (issue 12): a table of hostile requests sent through every write route of the
//! router (the route list is read from `http::api_routes()`, so a new write route without an entry
//! fails the test). The table holds script and HTML payloads in every text field, path segment and
//! file name; invalid UTF-8 in a JSON body and in a multipart file name; deeply nested and oversized
//! JSON; 10,000 CC entries; path-traversal file names.
//!
//! Each entry is either refused or accepted. A refused one gets a 4xx with the one JSON error body,
//! naming the field at fault when one is (in `fields` for a 422, in the message for a body that does
//! not parse), and leaves nothing behind: every table's row count and the data directory's files are
//! the same after it as before. An accepted one comes back and is stored exactly as sent, and stays
//! inert: the outbox's emails carry it as plain text only (no HTML part that could render it), and an
//! uploaded file lands under a name the server chose, inside the attachments folder, with its shown
//! name cleaned. The SPA's side (the same payloads shown as text) is `tests/e2e/hostile-input.spec.ts`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use api::ticket::IDEMPOTENCY_HEADER;
use api::{CSRF_HEADER, CSRF_VALUE, ErrorBody, NewTicket, Severity, Ticket};
use reqwest::header::{CONTENT_TYPE, COOKIE};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use support_server::http::api_routes;
use support_server::jobs::outbox::{Sender, deliver_pending_as};

use crate::helpers::{Session, TestApp, on_postgres, png, spawn_app_with};
use crate::outbox::fake_smtp::{FakeSmtp, Mode};

/// Script and HTML payloads: each would run, restyle the page or forge a link if some layer rendered
/// user text as HTML (or as a template). None holds a control character: refusing those in
/// single-line fields is tested on its own.
const PAYLOADS: [&str; 10] = [
    "<script>window.__pwned = 1</script>",
    "<img src=x onerror=\"window.__pwned = 1\">",
    "\"><svg onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">click me</a>",
    "<iframe srcdoc=\"<script>parent.__pwned = 1</script>\"></iframe>",
    "'; alert(String.fromCharCode(88, 83, 83)); //",
    "{{constructor.constructor('alert(1)')()}} ${alert(1)}",
    "<style>body { display: none }</style><b>bold</b>",
    "&lt;b&gt;already escaped&lt;/b&gt; &amp; &#x3C;script&#x3E;",
    "</textarea><script>alert(1)</script><!--",
];

/// Path-traversal and otherwise hostile file names, as the multipart header carries them.
fn hostile_file_names() -> Vec<(String, Vec<u8>)> {
    let long = format!("{}.png", "a".repeat(5_000));
    vec![
        ("../../etc/passwd".into(), b"../../etc/passwd".to_vec()),
        (
            "../../etc/passwd.png".into(),
            b"../../etc/passwd.png".to_vec(),
        ),
        ("..\\x.png".into(), b"..\\x.png".to_vec()),
        (
            "..\\..\\windows\\win.ini.png".into(),
            b"..\\..\\windows\\win.ini.png".to_vec(),
        ),
        ("/etc/shadow.png".into(), b"/etc/shadow.png".to_vec()),
        ("C:\\boot.png".into(), b"C:\\boot.png".to_vec()),
        ("NUL in the name".into(), b"x\0.png".to_vec()),
        (
            "NUL before the extension".into(),
            b"evil.png\0.exe".to_vec(),
        ),
        ("a 5,000-character name".into(), long.into_bytes()),
        ("only dots".into(), b"...png".to_vec()),
        ("a hidden file".into(), b".htaccess.png".to_vec()),
        (
            "%2e%2e%2f encoded".into(),
            b"%2e%2e%2fetc%2fpasswd.png".to_vec(),
        ),
    ]
}

/// Where an entry goes: one write route of the router, with its path parameters filled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    SignIn,
    SignOut,
    CreateTicket,
    Comment,
    Status,
    RemoveCc,
    Following,
    RequestUpgrade,
    CancelUpgrade,
    Upload,
    RemoveUpload,
    InboundMail,
}

impl Target {
    /// The route as the router lists it.
    fn route(self) -> (Method, &'static str) {
        match self {
            Target::SignIn => (Method::POST, "/session"),
            Target::SignOut => (Method::DELETE, "/session"),
            Target::CreateTicket => (Method::POST, "/organizations/{org_id}/tickets"),
            Target::Comment => (
                Method::POST,
                "/organizations/{org_id}/tickets/{ticket_id}/comments",
            ),
            Target::Status => (
                Method::POST,
                "/organizations/{org_id}/tickets/{ticket_id}/status",
            ),
            Target::RemoveCc => (
                Method::DELETE,
                "/organizations/{org_id}/tickets/{ticket_id}/cc/{email}",
            ),
            Target::Following => (Method::PUT, "/organizations/{org_id}/ticket-following"),
            Target::RequestUpgrade => (Method::POST, "/organizations/{org_id}/upgrade-requests"),
            Target::CancelUpgrade => (
                Method::DELETE,
                "/organizations/{org_id}/upgrade-requests/{request_id}",
            ),
            Target::Upload => (Method::POST, "/organizations/{org_id}/attachments"),
            Target::RemoveUpload => (
                Method::DELETE,
                "/organizations/{org_id}/attachments/{attachment_id}",
            ),
            Target::InboundMail => (Method::POST, "/inbound-mail"),
        }
    }

    /// Admin-only routes are sent as Acme's admin, the rest as Dana, a member.
    fn as_admin(self) -> bool {
        matches!(
            self,
            Target::Following | Target::RequestUpgrade | Target::CancelUpgrade
        )
    }
}

/// What an entry sends besides its path.
enum Body {
    None,
    Json(Value),
    /// Bytes as they are, with this `Content-Type`.
    Raw(&'static str, Vec<u8>),
    /// One multipart part `file` whose file name is these bytes, as they are, holding a small PNG.
    Upload(Vec<u8>),
    /// An email from the CCed outsider replying this text on the corpus's ticket (`message/rfc822`).
    Reply(String),
}

/// What an entry must get back.
enum Expect {
    /// A 4xx JSON error body: with this status (`None`: any 4xx, for the statuses another change
    /// pins), naming `field` when one is at fault.
    Refused {
        status: Option<StatusCode>,
        field: Option<&'static str>,
        /// Words the message must hold, where the field alone does not make it clear.
        says: Option<&'static str>,
    },
    /// Answered with this status and nothing stored (signing out, a webhook that reads and drops).
    Ignored(StatusCode),
    /// Accepted, and this text stored and shown exactly as sent.
    Stored(String),
    /// An upload accepted under a cleaned name (checked by [`check_upload`]).
    Uploaded,
}

/// One request of the corpus.
struct Entry {
    what: String,
    target: Target,
    /// The last path segment when the entry aims at it (the CC address, an upgrade request's or an
    /// upload's id), else the real one.
    segment: Option<String>,
    body: Body,
    expect: Expect,
}

fn refused(status: StatusCode, field: &'static str) -> Expect {
    Expect::Refused {
        status: Some(status),
        field: Some(field),
        says: None,
    }
}

const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
const BAD_REQUEST: StatusCode = StatusCode::BAD_REQUEST;

/// The reply domain and webhook secret the corpus's app runs with, so the inbound-mail route exists.
const DOMAIN: &str = "support.example.com";
const SECRET: &str = "inbound-secret-for-the-corpus";
/// CCed on the ticket the corpus comments on; replies by email come from this address.
const OUTSIDE: &str = "outside@partner.example";

/// A valid ticket, as the create form sends it.
fn ticket_json() -> Value {
    serde_json::to_value(NewTicket {
        cc: vec!["admin@acme.example".into()],
        subject: "Cannot connect to pg-main".into(),
        severity: Some(Severity::High),
        resources: vec!["acme-prod/pg-main".into()],
        product: "postgresql".into(),
        reason: "connectivity".into(),
        description: "Connections time out since 10:00 UTC.".into(),
        ..NewTicket::default()
    })
    .expect("JSON")
}

/// `base` with `field` set to `value`.
fn with(mut base: Value, field: &str, value: Value) -> Value {
    base[field] = value;
    base
}

/// A valid upgrade request for Acme this month.
fn upgrade_json(month: &str, billing_group_id: i64) -> Value {
    json!({ "tier": "premium", "start_month": month, "billing_group_id": billing_group_id })
}

/// `depth` nested arrays: far past serde_json's recursion limit.
fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// A JSON body whose `subject` string holds a byte that is not UTF-8.
fn invalid_utf8_json(field: &str, base: &Value) -> Vec<u8> {
    let marker = "INVALID-UTF8-HERE";
    let text = with(base.clone(), field, json!(marker)).to_string();
    let (before, after) = text.split_once(marker).expect("marker");
    let mut bytes = before.as_bytes().to_vec();
    bytes.extend_from_slice(b"caf\xe9 \xff\xfe");
    bytes.extend_from_slice(after.as_bytes());
    bytes
}

/// The corpus. `month` and `group` make the upgrade request valid but for the field under test.
fn corpus(month: &str, group: i64) -> Vec<Entry> {
    use Target::*;
    let mut entries = Vec::new();
    let mut add = |what: String, target, segment: Option<String>, body, expect| {
        entries.push(Entry {
            what,
            target,
            segment,
            body,
            expect,
        })
    };
    let ticket = ticket_json();
    let upgrade = upgrade_json(month, group);

    for (i, payload) in PAYLOADS.iter().enumerate() {
        let p = || json!(payload);
        let stored = || Expect::Stored((*payload).to_owned());
        // Free text: kept and shown as written.
        add(
            format!("ticket subject {i}"),
            CreateTicket,
            None,
            Body::Json(with(ticket.clone(), "subject", p())),
            stored(),
        );
        add(
            format!("ticket description {i}"),
            CreateTicket,
            None,
            Body::Json(with(ticket.clone(), "description", p())),
            stored(),
        );
        add(
            format!("comment body {i}"),
            Comment,
            None,
            Body::Json(json!({ "body": payload })),
            stored(),
        );
        add(
            format!("reply by email {i}"),
            InboundMail,
            None,
            Body::Reply((*payload).to_owned()),
            stored(),
        );
        // Fields with a fixed set of values, or an address: refused, naming the field.
        for field in ["product", "reason"] {
            add(
                format!("ticket {field} {i}"),
                CreateTicket,
                None,
                Body::Json(with(ticket.clone(), field, p())),
                refused(UNPROCESSABLE, field),
            );
        }
        for field in ["cc", "resources"] {
            add(
                format!("ticket {field} {i}"),
                CreateTicket,
                None,
                Body::Json(with(ticket.clone(), field, json!([payload]))),
                refused(UNPROCESSABLE, field),
            );
        }
        add(
            format!("comment cc {i}"),
            Comment,
            None,
            Body::Json(json!({ "body": "", "cc": [payload] })),
            refused(UNPROCESSABLE, "cc"),
        );
        add(
            format!("status {i}"),
            Status,
            None,
            Body::Json(json!({ "status": payload })),
            refused(BAD_REQUEST, "status"),
        );
        add(
            format!("following {i}"),
            Following,
            None,
            Body::Json(json!({ "following": payload })),
            refused(BAD_REQUEST, "following"),
        );
        for field in ["tier", "start_month"] {
            add(
                format!("upgrade {field} {i}"),
                RequestUpgrade,
                None,
                Body::Json(with(upgrade.clone(), field, p())),
                refused(UNPROCESSABLE, field),
            );
        }
        add(
            format!("sign-in email {i}"),
            SignIn,
            None,
            Body::Json(json!({ "email": payload, "password": "support-demo" })),
            refused(UNPROCESSABLE, "email"),
        );
        // A wrong password is no field's fault: the answer must not say which half was wrong.
        add(
            format!("sign-in password {i}"),
            SignIn,
            None,
            Body::Json(json!({ "email": format!("nobody{i}@acme.example"), "password": payload })),
            Expect::Refused {
                status: Some(StatusCode::UNAUTHORIZED),
                field: None,
                says: None,
            },
        );
        // Path segments: they name nothing that exists.
        for target in [RemoveCc, CancelUpgrade, RemoveUpload] {
            add(
                format!("{target:?} path segment {i}"),
                target,
                Some((*payload).to_owned()),
                Body::None,
                Expect::Refused {
                    status: Some(StatusCode::NOT_FOUND),
                    field: None,
                    says: None,
                },
            );
        }
        add(
            format!("session cookie {i}"),
            SignOut,
            Some((*payload).to_owned()),
            Body::None,
            Expect::Ignored(StatusCode::NO_CONTENT),
        );
        add(
            format!("file name {i}"),
            Upload,
            None,
            Body::Upload(format!("{payload}.png").into_bytes()),
            Expect::Uploaded,
        );
    }

    // File names that try to leave the attachments folder, or hide what they are.
    for (what, name) in hostile_file_names() {
        let expect = if what == "../../etc/passwd" {
            // No extension left: refused as a file kind, naming the files.
            refused(UNPROCESSABLE, "attachments")
        } else if name.contains(&0) {
            // A NUL is not allowed in a multipart header at all: the message says which part.
            Expect::Refused {
                status: Some(BAD_REQUEST),
                field: Some("file"),
                says: Some("could not be read"),
            }
        } else {
            Expect::Uploaded
        };
        add(
            format!("file name {what}"),
            Upload,
            None,
            Body::Upload(name),
            expect,
        );
    }

    // Invalid UTF-8: in a JSON string (for every JSON write route), and in a file name.
    for (target, field, base) in [
        (CreateTicket, "subject", ticket.clone()),
        (CreateTicket, "description", ticket.clone()),
        (Comment, "body", json!({ "body": "" })),
        (Status, "status", json!({ "status": "" })),
        (RequestUpgrade, "tier", upgrade.clone()),
        (SignIn, "email", json!({ "email": "", "password": "x" })),
    ] {
        add(
            format!("invalid UTF-8 in {target:?} {field}"),
            target,
            None,
            Body::Raw("application/json", invalid_utf8_json(field, &base)),
            Expect::Refused {
                status: Some(BAD_REQUEST),
                field: Some(field),
                says: Some("invalid unicode"),
            },
        );
    }
    add(
        "invalid UTF-8 in a file name".into(),
        Upload,
        None,
        Body::Upload(b"caf\xe9-\xff.png".to_vec()),
        Expect::Refused {
            status: Some(BAD_REQUEST),
            field: Some("file"),
            says: Some("must be UTF-8"),
        },
    );
    add(
        "invalid UTF-8 as an email".into(),
        InboundMail,
        None,
        Body::Raw(
            "message/rfc822",
            b"\xff\xfe\x00\x01not an email \xc3\x28".to_vec(),
        ),
        Expect::Ignored(StatusCode::OK),
    );

    // Deeply nested and oversized JSON, and JSON that is no JSON.
    for (target, field, base) in [
        (CreateTicket, "subject", ticket.clone()),
        (Comment, "body", json!({ "body": "" })),
        (Status, "status", json!({ "status": "solved" })),
        (Following, "following", json!({ "following": true })),
        (RequestUpgrade, "tier", upgrade.clone()),
        (SignIn, "email", json!({ "email": "", "password": "x" })),
    ] {
        let text = with(base.clone(), field, json!("NESTED")).to_string();
        let deep = text.replace("\"NESTED\"", &nested(10_000));
        add(
            format!("10,000-deep JSON in {target:?} {field}"),
            target,
            None,
            Body::Raw("application/json", deep.into_bytes()),
            Expect::Refused {
                status: Some(BAD_REQUEST),
                field: Some(field),
                says: None,
            },
        );
        // (In a field no route reads, serde_json skips the value with a loop, not recursion: a
        // 10,000-deep value there is harmless and the request goes through, so it is no entry.)
        // Past the JSON body limit (2 MB).
        let big = with(base.clone(), field, json!("x".repeat(3 * 1024 * 1024)));
        add(
            format!("3 MB JSON in {target:?} {field}"),
            target,
            None,
            Body::Json(big),
            Expect::Refused {
                status: Some(StatusCode::PAYLOAD_TOO_LARGE),
                field: None,
                says: None,
            },
        );
        add(
            format!("JSON sent as text/plain to {target:?}"),
            target,
            None,
            Body::Raw("text/plain", base.to_string().into_bytes()),
            Expect::Refused {
                status: Some(StatusCode::UNSUPPORTED_MEDIA_TYPE),
                field: None,
                says: None,
            },
        );
        add(
            format!("truncated JSON to {target:?}"),
            target,
            None,
            Body::Raw("application/json", b"{\"".to_vec()),
            Expect::Refused {
                status: Some(BAD_REQUEST),
                field: None,
                says: Some("EOF while parsing"),
            },
        );
    }
    // Over the longest text allowed, one character at a time.
    add(
        "a subject one character too long".into(),
        CreateTicket,
        None,
        Body::Json(with(
            ticket.clone(),
            "subject",
            json!("<b>".repeat(85) + "x"),
        )),
        refused(UNPROCESSABLE, "subject"),
    );
    add(
        "a comment of 32,001 characters".into(),
        Comment,
        None,
        Body::Json(json!({ "body": "<".repeat(32_001) })),
        refused(UNPROCESSABLE, "body"),
    );

    // 10,000 CC entries.
    let many: Vec<String> = (0..10_000)
        .map(|i| format!("person{i}@partner.example"))
        .collect();
    add(
        "10,000 CC entries on a new ticket".into(),
        CreateTicket,
        None,
        Body::Json(with(ticket.clone(), "cc", json!(many))),
        refused(UNPROCESSABLE, "cc"),
    );
    add(
        "10,000 CC entries on a comment".into(),
        Comment,
        None,
        Body::Json(json!({ "body": "Adding everyone.", "cc": many })),
        refused(UNPROCESSABLE, "cc"),
    );
    // Wrong types where a list of addresses belongs.
    add(
        "CC as a string".into(),
        CreateTicket,
        None,
        Body::Json(with(
            ticket.clone(),
            "cc",
            json!("<script>a@b.example</script>"),
        )),
        refused(BAD_REQUEST, "cc"),
    );
    add(
        "attachment ids as strings".into(),
        Comment,
        None,
        Body::Json(json!({ "body": "x", "attachment_ids": ["../1"] })),
        refused(BAD_REQUEST, "attachment_ids"),
    );
    entries
}

/// The corpus's app: replies by email on (so the webhook route exists), and a sign-in limit per
/// address high enough for the corpus's failed sign-ins, which the flood test covers instead.
async fn corpus_app() -> TestApp {
    spawn_app_with(|config| {
        config.reply_domain = Some(DOMAIN.into());
        config.inbound_mail_secret = Some(SECRET.into());
        config.sign_in_per_address = 10_000;
    })
    .await
}

/// What the corpus aims at besides the payloads.
struct Fixture {
    dev: Session,
    admin: Session,
    ticket_id: i64,
    /// The reply token Olivia (CCed) got for the ticket.
    reply_token: String,
}

/// A raw email from Olivia replying `text` on the fixture's ticket.
fn reply(fixture: &Fixture, n: usize, text: &str) -> Vec<u8> {
    format!(
        "From: Olivia Outside <{OUTSIDE}>\r\n\
         To: Support <reply+{token}@{DOMAIN}>\r\n\
         Subject: Re: [Support #{id}] Replica lag\r\n\
         Date: Mon, 30 Nov 2026 10:15:00 +0000\r\n\
         Message-ID: <corpus-{n}@partner.example>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\
         \r\n\
         {text}\r\n",
        token = fixture.reply_token,
        id = fixture.ticket_id,
    )
    .into_bytes()
}

/// A multipart body with one part `file` named by `file_name` as it is, and its boundary.
fn multipart(file_name: &[u8]) -> (String, Vec<u8>) {
    let boundary = "corpus-boundary-7d1f0c2b";
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"")
            .into_bytes();
    // A quote inside the quoted name is escaped, as browsers do; everything else goes as it is.
    for &byte in file_name {
        if byte == b'"' {
            body.extend_from_slice(b"\\\"");
        } else {
            body.push(byte);
        }
    }
    body.extend_from_slice(b"\"\r\nContent-Type: image/png\r\n\r\n");
    body.extend_from_slice(&png(512));
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Sends `entry` and returns the answer.
async fn send(app: &TestApp, fixture: &Fixture, n: usize, entry: &Entry) -> Response {
    let (method, template) = entry.target.route();
    let session = if entry.target.as_admin() {
        &fixture.admin
    } else {
        &fixture.dev
    };
    let mut path = template
        .replace("{org_id}", &session.org_id.to_string())
        .replace("{ticket_id}", &fixture.ticket_id.to_string());
    let real = match entry.target {
        Target::RemoveCc => OUTSIDE,
        _ => "1",
    };
    let segment = entry.segment.as_deref().unwrap_or(real);
    let encoded =
        percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    for name in ["{email}", "{request_id}", "{attachment_id}"] {
        path = path.replace(name, &encoded);
    }

    let mut request = match entry.target {
        // Signed out, as a browser that signs in (or out) is.
        Target::SignIn | Target::SignOut | Target::InboundMail => app
            .client()
            .request(method, session.url(&path))
            .header(CSRF_HEADER, CSRF_VALUE),
        _ => session.request_builder(method, &path),
    };
    match entry.target {
        Target::SignOut => {
            let cookie = app.state.config.session_cookie_name();
            request = request.header(COOKIE, format!("{cookie}={encoded}"));
        }
        Target::InboundMail => request = request.bearer_auth(SECRET),
        _ => {}
    }
    // Every ticket and comment carries its own key, as the SPA sends them.
    if matches!(entry.target, Target::CreateTicket | Target::Comment) {
        request = request.header(IDEMPOTENCY_HEADER, format!("corpus-{n}"));
    }
    request = match &entry.body {
        Body::None => request,
        Body::Json(value) => request.json(value),
        Body::Reply(text) => request
            .header(CONTENT_TYPE, "message/rfc822")
            .body(reply(fixture, n, text)),
        Body::Raw(content_type, bytes) => request
            .header(CONTENT_TYPE, *content_type)
            .body(bytes.clone()),
        Body::Upload(name) => {
            let (content_type, body) = multipart(name);
            request.header(CONTENT_TYPE, content_type).body(body)
        }
    };
    request.send().await.expect("the server answers")
}

/// What the database and the data directory hold: every table's row count (but the sign-in
/// limiter's, which counts attempts by design), and every file.
#[derive(Debug, PartialEq)]
struct Snapshot {
    rows: BTreeMap<String, i64>,
    files: BTreeSet<PathBuf>,
}

async fn snapshot(app: &TestApp) -> Snapshot {
    let tables: Vec<String> = sqlx::query_scalar(if on_postgres() {
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
           AND table_name NOT IN ('_sqlx_migrations', 'sign_in_limits')"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table'
           AND name NOT LIKE 'sqlite_%' AND name NOT IN ('_sqlx_migrations', 'sign_in_limits')"
    })
    .fetch_all(app.db())
    .await
    .expect("tables");
    let mut rows = BTreeMap::new();
    for table in tables {
        // The table names come from the catalogue, not from a request.
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM \"{table}\""));
        let count: i64 = sqlx::query_scalar(sql)
            .fetch_one(app.db())
            .await
            .expect("count");
        rows.insert(table, count);
    }
    let mut files = BTreeSet::new();
    walk(app.dir.path(), app.dir.path(), &mut files);
    // The database's own files change size, not number; they are not what a request leaves.
    files.retain(|f| !f.to_string_lossy().contains(".db"));
    Snapshot { rows, files }
}

/// Every file under `dir`, relative to `root`.
fn walk(root: &Path, dir: &Path, files: &mut BTreeSet<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            walk(root, &path, files);
        } else {
            files.insert(path.strip_prefix(root).expect("under root").to_owned());
        }
    }
}

/// Checks a refusal: the status, the one JSON error body, the field named.
async fn check_refused(
    response: Response,
    status: Option<StatusCode>,
    field: Option<&str>,
    says: Option<&str>,
    what: &str,
) {
    let actual = response.status();
    match status {
        Some(status) => assert_eq!(actual, status, "{what}"),
        None => assert!(actual.is_client_error(), "{what}: {actual}"),
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("body");
    assert_eq!(content_type, "application/json", "{what}: {text}");
    let body: ErrorBody = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{what}: not the JSON error body ({e}): {text}"));
    assert_eq!(body.status, actual.as_u16(), "{what}");
    assert!(!body.message.is_empty(), "{what}: a message for people");
    if let Some(words) = says {
        assert!(
            body.message.contains(words),
            "{what}: says {words:?}: {text}"
        );
    }
    let Some(field) = field else { return };
    if actual == StatusCode::UNPROCESSABLE_ENTITY {
        assert!(
            body.fields.iter().any(|f| f.field == field),
            "{what}: the error names {field:?} in its fields: {text}"
        );
        for message in &body.fields {
            assert!(!message.message.is_empty(), "{what}: {text}");
        }
    } else {
        // As serde's path (`subject: invalid type`, `attachment_ids[0]: ...`) or in backticks: a
        // bare word could be any other word of the sentence ("request body").
        let named = [
            format!("{field}:"),
            format!("{field}["),
            format!("`{field}`"),
        ]
        .iter()
        .any(|form| body.message.contains(form.as_str()));
        assert!(named, "{what}: the message names {field:?}: {text}");
    }
}

/// Checks an accepted upload: a cleaned name, and the bytes inside the attachments folder under a
/// name the server chose.
async fn check_upload(app: &TestApp, response: Response, sent: &[u8], what: &str) {
    assert_eq!(response.status(), StatusCode::CREATED, "{what}");
    let attachment: api::Attachment = response.json().await.expect("an Attachment");
    let name = &attachment.file_name;
    assert!(
        !name.contains(['/', '\\', '\0', '<', '>', '"']),
        "{what}: the shown name is cleaned: {name:?}"
    );
    assert!(!name.starts_with('.'), "{what}: not hidden: {name:?}");
    assert!(name.chars().count() <= 200, "{what}: {} chars", name.len());
    assert!(
        name.ends_with(".png"),
        "{what}: the extension kept: {name:?}"
    );
    let sent = String::from_utf8_lossy(sent);
    let last = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    if !last.contains(['<', '>', '"']) && last.len() < 200 && !last.starts_with('.') {
        assert_eq!(name, last, "{what}: the name's last component, as it was");
    }
    let stored = app.stored_name(attachment.id).await;
    assert!(
        !stored.contains(['/', '\\', '.']) && !stored.is_empty(),
        "{what}: stored under a name of the server's: {stored:?}"
    );
    assert_eq!(
        app.stored_bytes(&stored)
            .await
            .expect("the stored file")
            .len(),
        512,
        "{what}"
    );
}

/// Checks an accepted text: the answer and what readers see hold it exactly as sent, and the
/// emails it caused carry it as it was typed.
async fn check_stored(
    app: &TestApp,
    fixture: &Fixture,
    entry: &Entry,
    response: Response,
    text: &str,
    outbox_mark: i64,
) {
    let what = &entry.what;
    let ticket_id = match entry.target {
        Target::CreateTicket => {
            assert_eq!(response.status(), StatusCode::CREATED, "{what}");
            let ticket: Ticket = response.json().await.expect("a Ticket");
            assert!(
                ticket.subject == text || ticket.description == text,
                "{what}: stored as sent: {ticket:?}"
            );
            ticket.id
        }
        Target::Comment => {
            assert_eq!(response.status(), StatusCode::CREATED, "{what}");
            fixture.ticket_id
        }
        Target::InboundMail => {
            assert_eq!(response.status(), StatusCode::OK, "{what}");
            let answer: Value = response.json().await.expect("the webhook's answer");
            assert_eq!(answer["outcome"], "added", "{what}: {answer}");
            fixture.ticket_id
        }
        other => panic!("{what}: nothing stores text through {other:?}"),
    };
    let read = fixture.dev.ticket(ticket_id).await;
    let shown = read.subject == text
        || read.description == text
        || read.activity.last().is_some_and(|a| a.body == text);
    assert!(shown, "{what}: read back exactly as sent");

    let emails = app.emails_since(outbox_mark).await;
    assert!(!emails.is_empty(), "{what}: someone is told");
    for (recipient, subject, body) in &emails {
        assert!(
            subject.contains(text) || body.contains(text),
            "{what}: the email to {recipient} carries the text as typed: {subject} / {body}"
        );
    }
}

/// The ticket the corpus comments on: Dana's, CCing Olivia, whose reply token the webhook entries use.
async fn arrange(app: &TestApp) -> Fixture {
    let dev = app.sign_in("dev@acme.example").await;
    let admin = app.sign_in("admin@acme.example").await;
    let ticket = dev
        .create_ticket(&NewTicket {
            cc: vec![OUTSIDE.into()],
            subject: "Replica lag on pg-main".into(),
            severity: Some(Severity::High),
            product: "postgresql".into(),
            reason: "performance".into(),
            description: "Replication lag grows during the nightly batch.".into(),
            ..NewTicket::default()
        })
        .await;
    let reply_token = sqlx::query_scalar(
        "SELECT token FROM reply_tokens WHERE ticket_id = $1 AND recipient = $2",
    )
    .bind(ticket.id)
    .bind(OUTSIDE)
    .fetch_one(app.db())
    .await
    .expect("Olivia's reply token");
    Fixture {
        dev,
        admin,
        ticket_id: ticket.id,
        reply_token,
    }
}

#[tokio::test]
async fn the_bad_input_corpus_is_refused_cleanly_or_stored_inert() {
    let app = corpus_app().await;
    let fixture = arrange(&app).await;
    let group: i64 =
        sqlx::query_scalar("SELECT id FROM billing_groups WHERE name = 'Acme Default'")
            .fetch_one(app.db())
            .await
            .expect("Acme's billing group");
    let now = time::OffsetDateTime::now_utc();
    let month = format!("{:04}-{:02}", now.year(), u8::from(now.month()));
    let entries = corpus(&month, group);

    // Every write route of the router has entries: a new one without any fails here.
    let writes: BTreeSet<(Method, &str)> = api_routes()
        .iter()
        .filter(|route| route.method != Method::GET)
        .map(|route| (route.method.clone(), route.path))
        .collect();
    let covered: BTreeSet<(Method, &str)> = entries.iter().map(|e| e.target.route()).collect();
    let missing: Vec<_> = writes.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "write routes without corpus entries: {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&writes).collect();
    assert!(
        stale.is_empty(),
        "corpus routes the router lacks: {stale:?}"
    );

    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
    for (n, entry) in entries.iter().enumerate() {
        let before = snapshot(&app).await;
        let mark = app.outbox_mark().await;
        let response = send(&app, &fixture, n, entry).await;
        let what = &entry.what;
        match &entry.expect {
            Expect::Refused {
                status,
                field,
                says,
            } => {
                check_refused(response, *status, *field, *says, what).await;
                assert_eq!(snapshot(&app).await, before, "{what}: nothing stored");
                *tally.entry("refused").or_default() += 1;
            }
            Expect::Ignored(status) => {
                assert_eq!(response.status(), *status, "{what}");
                assert_eq!(snapshot(&app).await, before, "{what}: nothing stored");
                *tally.entry("ignored").or_default() += 1;
            }
            Expect::Stored(text) => {
                check_stored(&app, &fixture, entry, response, text, mark).await;
                *tally.entry("stored inert").or_default() += 1;
            }
            Expect::Uploaded => {
                let Body::Upload(name) = &entry.body else {
                    unreachable!("an upload")
                };
                check_upload(&app, response, name, what).await;
                *tally.entry("uploaded").or_default() += 1;
            }
        }
    }

    // Nothing outside the attachments folder but the database: no traversal landed anywhere.
    let files = snapshot(&app).await.files;
    for file in &files {
        assert!(
            file.starts_with("attachments") && file.components().count() == 2,
            "a file outside the attachments folder: {file:?}"
        );
    }

    // Every email goes out as plain text only: no HTML part a mail client would render.
    let smtp = FakeSmtp::start(Mode::Accept).await;
    let sender = Sender::from_config(&app.state.config);
    let report = deliver_pending_as(&app.state.store, &smtp.url().mailer(), &sender, 10_000)
        .await
        .expect("delivery");
    let received = smtp.received();
    assert!(report.sent > 0 && received.len() == report.sent);
    for email in &received {
        let data = email.data.to_lowercase();
        assert!(
            data.contains("content-type: text/plain"),
            "plain text: {}",
            email.data
        );
        assert!(!data.contains("text/html"), "no HTML part: {}", email.data);
        assert!(!data.contains("multipart/"), "one part: {}", email.data);
    }

    let breakdown: Vec<String> = tally.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    println!(
        "bad-input corpus: {} entries through {} write routes ({}), {} emails delivered as plain text",
        entries.len(),
        writes.len(),
        breakdown.join(", "),
        received.len()
    );
}
