//! Timeouts and limits (issue 12, item 2), on real sockets: a client that trickles its headers or its
//! body, a handler past its deadline, more requests than the server takes at once, bodies over the
//! JSON limit, and a shutdown while a request still trickles. Each limit is set small in the test's
//! configuration, so every test ends within seconds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use api::{CSRF_HEADER, CSRF_VALUE, ErrorBody, ErrorCode, Me};
use reqwest::{Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{Notify, Semaphore};

use support_server::AppState;
use support_server::http::{Route, api_routes};

use crate::helpers::{
    PASSWORD, TestApp, expect_error, fields, header, on_postgres, png, set_cookies, spawn_app,
    spawn_app_serving_with, spawn_app_with, test_config,
};

/// The longest any test here waits for the server to act; a limit that does not work fails the test
/// at this bound instead of hanging it.
const BOUND: Duration = Duration::from_secs(8);

/// A connection to the server at `address` (`http://127.0.0.1:PORT`).
async fn connect(address: &str) -> TcpStream {
    TcpStream::connect(address.trim_start_matches("http://"))
        .await
        .expect("connect to the test server")
}

/// Everything the server sends until it closes the connection, or `None` if it is still open after
/// [`BOUND`]. A reset counts as closed.
async fn read_until_closed(read: &mut (impl AsyncReadExt + Unpin)) -> Option<Vec<u8>> {
    let mut received = Vec::new();
    let mut buffer = [0_u8; 4096];
    let reading = async {
        loop {
            match read.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(BOUND, reading).await.ok()?;
    Some(received)
}

/// The status and the JSON error body of a raw HTTP/1.1 answer.
fn parse_error(answer: &[u8]) -> (u16, ErrorBody) {
    let text = String::from_utf8_lossy(answer);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("an HTTP answer, got {text:?}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a status line, got {head:?}"));
    let body = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}"));
    (status, body)
}

/// Writes `rest` one byte every 50 ms until done or the server closes the connection.
fn drip(mut write: OwnedWriteHalf, rest: Vec<u8>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        for byte in rest {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if write.write_all(&[byte]).await.is_err() {
                return;
            }
        }
    })
}

/// Signs `email` in over the API and returns the `Cookie` header that session sends, and its
/// organization.
async fn session_cookie(app: &TestApp, email: &str) -> (String, i64) {
    let response = app.anonymous().post_session(email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = set_cookies(&response)
        .iter()
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        .collect::<Vec<_>>()
        .join("; ");
    let me: Me = response.json().await.unwrap();
    (cookie, me.organization.id)
}

async fn attachment_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM attachments")
        .fetch_one(app.db())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_connection_that_never_finishes_its_headers_is_closed() {
    let app = spawn_app_with(|config| config.header_read_timeout_secs = 1).await;

    // One connection sends nothing at all; the other starts a request and adds a header line every
    // 200 ms, never the blank line that ends the head (slowloris).
    let mut silent = connect(&app.address).await;
    let trickling = connect(&app.address).await;
    let (mut read, mut write) = trickling.into_split();
    write
        .write_all(b"GET /api/v1/me HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    let trickle = tokio::spawn(async move {
        for i in 0.. {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let line = format!("X-Slow-{i}: x\r\n");
            if write.write_all(line.as_bytes()).await.is_err() {
                return;
            }
        }
    });
    let started = Instant::now();
    let answer = read_until_closed(&mut read).await;
    trickle.abort();
    assert!(
        answer.is_some(),
        "a connection trickling its headers is still open after {BOUND:?}"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(800),
        "closed at the deadline, not before: {:?}",
        started.elapsed()
    );
    assert!(
        read_until_closed(&mut silent).await.is_some(),
        "a connection that sends nothing is still open after {BOUND:?}"
    );

    // Someone quick is still served.
    let me = app.anonymous().get_me().await;
    expect_error(me, StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated).await;
}

#[tokio::test]
async fn a_slow_drip_upload_ends_with_408_naming_the_file_and_nothing_is_stored() {
    let app = spawn_app_with(|config| config.upload_timeout_secs = 1).await;
    let (cookie, org_id) = session_cookie(&app, "dev@acme.example").await;
    let rows_before = attachment_rows(&app).await;
    let files_before = app.stored_files().await;

    let boundary = "limits-test-boundary";
    let part_head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
         filename=\"slow.png\"\r\nContent-Type: image/png\r\n\r\n"
    );
    let file = png(64 * 1024);
    let part_tail = format!("\r\n--{boundary}--\r\n");
    let length = part_head.len() + file.len() + part_tail.len();
    let head = format!(
        "POST /api/v1/organizations/{org_id}/attachments HTTP/1.1\r\nHost: localhost\r\n\
         Cookie: {cookie}\r\n{CSRF_HEADER}: {CSRF_VALUE}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\
         Connection: close\r\n\r\n"
    );
    let stream = connect(&app.address).await;
    let (mut read, mut write) = stream.into_split();
    // The head, the part's head and the file's first 8 KB at once, so the server starts writing
    // the file; then the rest a byte at a time, which would take an hour.
    let mut sent = head.into_bytes();
    sent.extend_from_slice(part_head.as_bytes());
    sent.extend_from_slice(&file[..8192]);
    write.write_all(&sent).await.unwrap();
    let mut rest = file[8192..].to_vec();
    rest.extend_from_slice(part_tail.as_bytes());
    let dripping = drip(write, rest);

    // While it drips, the partial file is on disk: what the deadline must clean up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        app.stored_files().await.len() > files_before.len(),
        "the upload is being written"
    );

    let started = Instant::now();
    let answer = read_until_closed(&mut read).await;
    dripping.abort();
    let answer = answer.expect("the server answers and closes within the bound");
    assert!(started.elapsed() < BOUND);
    let (status, body) = parse_error(&answer);
    assert_eq!(status, 408, "{body:?}");
    assert_eq!(body.code, ErrorCode::Timeout);
    assert_eq!(
        fields(&body),
        ["attachments"],
        "named next to the file input"
    );
    assert!(body.message.contains("file"), "{}", body.message);
    assert!(body.message.contains("1 second"), "{}", body.message);

    assert_eq!(
        attachment_rows(&app).await,
        rows_before,
        "no attachment row"
    );
    assert_eq!(
        app.stored_files().await,
        files_before,
        "no file left behind"
    );
}

#[tokio::test]
async fn a_json_body_that_never_arrives_ends_with_408_naming_the_body() {
    let app = spawn_app_with(|config| config.request_timeout_secs = 1).await;
    let stream = connect(&app.address).await;
    let (mut read, mut write) = stream.into_split();
    let body = br#"{"email": "admin@acme.example", "password": "support-demo"}"#;
    let head = format!(
        "POST /api/v1/session HTTP/1.1\r\nHost: localhost\r\n{CSRF_HEADER}: {CSRF_VALUE}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    write.write_all(head.as_bytes()).await.unwrap();
    write.write_all(&body[..10]).await.unwrap();
    let dripping = drip(write, body[10..].repeat(100));

    let answer = read_until_closed(&mut read).await;
    dripping.abort();
    let (status, error) = parse_error(&answer.expect("answered within the bound"));
    assert_eq!(status, 408, "{error:?}");
    assert_eq!(error.code, ErrorCode::Timeout);
    assert!(error.message.contains("request body"), "{}", error.message);
}

/// A handler slower than any deadline a test sets.
async fn slow_handler() -> &'static str {
    tokio::time::sleep(Duration::from_secs(60)).await;
    "too late"
}

#[tokio::test]
async fn a_handler_past_its_deadline_answers_408() {
    let mut routes = api_routes();
    routes.push(Route::new(Method::GET, "/test-slow", slow_handler));
    let app = spawn_app_serving_with(|config| config.request_timeout_secs = 1, routes).await;

    let started = Instant::now();
    let response = app.anonymous().get("/test-slow").await;
    let elapsed = started.elapsed();
    let body = expect_error(response, StatusCode::REQUEST_TIMEOUT, ErrorCode::Timeout).await;
    assert!(
        body.message.contains("took longer than 1 second"),
        "{}",
        body.message
    );
    assert!(body.fields.is_empty());
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < BOUND,
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn past_the_concurrency_limit_a_request_gets_503_with_retry_after() {
    // A handler that holds its slot until the test opens the gate.
    let gate = Arc::new(Semaphore::new(0));
    let entered = Arc::new(Notify::new());
    let (held_gate, held_entered) = (gate.clone(), entered.clone());
    let mut routes = api_routes();
    routes.push(Route::new(Method::GET, "/test-hold", move || {
        let (gate, entered) = (held_gate.clone(), held_entered.clone());
        async move {
            entered.notify_one();
            let _ = gate.acquire().await;
            "released"
        }
    }));
    let app = spawn_app_serving_with(|config| config.max_concurrent_requests = 1, routes).await;

    let holder = app.anonymous();
    let first = tokio::spawn(async move { holder.get("/test-hold").await.status() });
    tokio::time::timeout(BOUND, entered.notified())
        .await
        .expect("the first request runs");

    let started = Instant::now();
    let response = app.anonymous().get_me().await;
    let waited = started.elapsed();
    assert_eq!(header(&response, "retry-after"), "1");
    expect_error(response, StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Busy).await;
    assert!(
        waited >= Duration::from_millis(900),
        "it waited for a free slot first: {waited:?}"
    );

    gate.add_permits(1);
    assert_eq!(first.await.unwrap(), StatusCode::OK);
    // The slot is free again.
    let me = app.anonymous().get_me().await;
    expect_error(me, StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated).await;
}

/// Opens a connection that sends a JSON sign-in's head and the first bytes of its body, then drips
/// the rest a byte every 50 ms (a minute's worth): a client that holds its connection without
/// ever finishing its request. Returns the dripping task (abort it to stop) and the read half.
async fn trickling_sign_in(app: &TestApp) -> (tokio::task::JoinHandle<()>, impl AsyncReadExt) {
    let stream = connect(&app.address).await;
    let (read, mut write) = stream.into_split();
    let body = br#"{"email": "admin@acme.example", "password": "support-demo"}"#.repeat(20);
    let head = format!(
        "POST /api/v1/session HTTP/1.1\r\nHost: localhost\r\n{CSRF_HEADER}: {CSRF_VALUE}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    write.write_all(head.as_bytes()).await.unwrap();
    write.write_all(&body[..10]).await.unwrap();
    (drip(write, body[10..].to_vec()), read)
}

/// A test route that holds its slot until the test adds a permit to the returned gate; the
/// `Notify` fires when a request has entered it.
fn holding_route(path: &'static str) -> (Route, Arc<Semaphore>, Arc<Notify>) {
    let gate = Arc::new(Semaphore::new(0));
    let entered = Arc::new(Notify::new());
    let (held_gate, held_entered) = (gate.clone(), entered.clone());
    let route = Route::new(Method::POST, path, move || {
        let (gate, entered) = (held_gate.clone(), held_entered.clone());
        async move {
            entered.notify_one();
            let _ = gate.acquire().await;
            "released"
        }
    });
    (route, gate, entered)
}

#[tokio::test]
async fn trickling_json_bodies_hold_no_slot_but_complete_requests_still_queue_for_one() {
    let (route, gate, entered) = holding_route("/test-hold");
    let mut routes = api_routes();
    routes.push(route);
    // Two slots, and three times as many clients trickling sign-in bodies: before the fix each took
    // a slot on arrival and held it for the request timeout (30 s by default).
    let app = spawn_app_serving_with(|config| config.max_concurrent_requests = 2, routes).await;
    let mut tricklers = Vec::new();
    for _ in 0..6 {
        tricklers.push(trickling_sign_in(&app).await);
    }
    // They are all in, reading their bodies.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let started = Instant::now();
    let me = app.anonymous().get_me().await;
    let waited = started.elapsed();
    expect_error(me, StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated).await;
    assert!(
        waited < Duration::from_millis(800),
        "answered without waiting for a slot: {waited:?}"
    );

    // Requests whose bodies are complete do take the slots: with both held, a third waits a second
    // and is told to come back, while the tricklers still trickle.
    let mut holders = Vec::new();
    for _ in 0..2 {
        let holder = app.anonymous();
        holders.push(tokio::spawn(async move {
            holder
                .post_json("/test-hold", &serde_json::json!({"complete": true}))
                .await
                .status()
        }));
        tokio::time::timeout(BOUND, entered.notified())
            .await
            .expect("a complete request takes a free slot");
    }
    let started = Instant::now();
    let busy = app.anonymous().get_me().await;
    let waited = started.elapsed();
    assert_eq!(header(&busy, "retry-after"), "1");
    expect_error(busy, StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Busy).await;
    assert!(waited >= Duration::from_millis(900), "{waited:?}");

    gate.add_permits(2);
    for holder in holders {
        assert_eq!(holder.await.unwrap(), StatusCode::OK);
    }
    for (dripping, _) in tricklers {
        dripping.abort();
    }
}

#[tokio::test]
async fn slow_uploads_have_their_own_slots_and_cannot_starve_the_json_api() {
    let app = spawn_app_with(|config| {
        config.max_concurrent_requests = 1;
        config.max_concurrent_uploads = 1;
    })
    .await;
    let (cookie, org_id) = session_cookie(&app, "dev@acme.example").await;
    let dev = app.sign_in("dev@acme.example").await;

    // An upload that drips its file: streamed to disk as it comes, it holds an upload slot from its
    // first byte.
    let boundary = "pool-test-boundary";
    let part_head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
         filename=\"slow.png\"\r\nContent-Type: image/png\r\n\r\n"
    );
    let file = png(64 * 1024);
    let length = part_head.len() + file.len() + format!("\r\n--{boundary}--\r\n").len();
    let head = format!(
        "POST /api/v1/organizations/{org_id}/attachments HTTP/1.1\r\nHost: localhost\r\n\
         Cookie: {cookie}\r\n{CSRF_HEADER}: {CSRF_VALUE}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\
         Connection: close\r\n\r\n"
    );
    let stream = connect(&app.address).await;
    let (_read, mut write) = stream.into_split();
    let mut sent = head.into_bytes();
    sent.extend_from_slice(part_head.as_bytes());
    sent.extend_from_slice(&file[..8192]);
    write.write_all(&sent).await.unwrap();
    let dripping = drip(write, file[8192..].to_vec());
    tokio::time::sleep(Duration::from_millis(300)).await;

    // The JSON API answers at once: its one slot is free.
    let started = Instant::now();
    let me = dev.get_me().await;
    assert_eq!(me.status(), StatusCode::OK);
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "{:?}",
        started.elapsed()
    );

    // A second upload finds the upload pool full: 503 after its second of waiting.
    let started = Instant::now();
    let busy = dev.post_attachment("second.png", png(2048)).await;
    let waited = started.elapsed();
    assert_eq!(header(&busy, "retry-after"), "1");
    expect_error(busy, StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Busy).await;
    assert!(waited >= Duration::from_millis(900), "{waited:?}");

    // Once the slow one is gone, its slot is free again.
    dripping.abort();
    drop(_read);
    let deadline = Instant::now() + BOUND;
    loop {
        let response = dev.post_attachment("third.png", png(2048)).await;
        if response.status() == StatusCode::CREATED {
            break;
        }
        expect_error(response, StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Busy).await;
        assert!(Instant::now() < deadline, "the upload slot was never freed");
    }
}

/// Sends `body` as a JSON sign-in on a raw connection (writing and reading at once, so an early
/// answer is read even if the server stops reading) and returns the status and error body.
async fn raw_sign_in_body(app: &TestApp, content_type: &str, body: Vec<u8>) -> (u16, ErrorBody) {
    let stream = connect(&app.address).await;
    let (mut read, mut write) = stream.into_split();
    let head = format!(
        "POST /api/v1/session HTTP/1.1\r\nHost: localhost\r\n{CSRF_HEADER}: {CSRF_VALUE}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let writing = tokio::spawn(async move {
        let _ = write.write_all(head.as_bytes()).await;
        let _ = write.write_all(&body).await;
        write
    });
    let answer = read_until_closed(&mut read)
        .await
        .expect("answered within the bound");
    let _ = writing.await;
    parse_error(&answer)
}

#[tokio::test]
async fn a_json_body_over_2_mb_is_413_and_one_under_is_read() {
    let app = spawn_app().await;
    let limit = 2 * 1024 * 1024;
    let body = |len: usize| {
        let padding = "a".repeat(len - r#"{"email": "", "password": "x"}"#.len());
        format!(r#"{{"email": "{padding}", "password": "x"}}"#).into_bytes()
    };

    let (status, error) = raw_sign_in_body(&app, "application/json", body(limit + 1)).await;
    assert_eq!(status, 413, "{error:?}");
    assert_eq!(error.code, ErrorCode::PayloadTooLarge);
    assert!(error.message.contains("2 MB"), "{}", error.message);

    // At the limit the body is read and judged on its content (an email that long is no email).
    let (status, error) = raw_sign_in_body(&app, "application/json", body(limit)).await;
    assert_ne!(status, 413, "{error:?}");
    assert!(
        status == 400 || status == 401 || status == 422,
        "{status} {error:?}"
    );
}

#[tokio::test]
async fn a_json_route_refuses_another_content_type_with_415() {
    let app = spawn_app().await;
    let body = br#"{"email": "admin@acme.example", "password": "support-demo"}"#.to_vec();
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let (status, error) = raw_sign_in_body(&app, content_type, body.clone()).await;
        assert_eq!(status, 415, "{content_type}: {error:?}");
        assert_eq!(error.code, ErrorCode::UnsupportedMediaType);
        assert!(
            error.message.contains("application/json"),
            "{}",
            error.message
        );
    }
}

#[tokio::test]
async fn shutdown_ends_within_its_deadline_while_a_request_trickles() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.shutdown_timeout_secs = 1;
    // Far beyond the test's bound: only the shutdown deadline can end the trickling request.
    config.request_timeout_secs = 600;
    let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(config.clone()).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let app = support_server::app(state);
        support_server::serve_on(listener, app, &config, async {
            let _ = stopped.await;
        })
        .await
    });

    let stream = connect(&address).await;
    let (mut read, mut write) = stream.into_split();
    let head = format!(
        "POST /api/v1/session HTTP/1.1\r\nHost: localhost\r\n{CSRF_HEADER}: {CSRF_VALUE}\r\n\
         Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{"
    );
    write.write_all(head.as_bytes()).await.unwrap();
    let dripping = drip(write, vec![b' '; 100_000]);
    // The request is in its handler, reading the body.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let started = Instant::now();
    stop.send(()).unwrap();
    let served = tokio::time::timeout(BOUND, server).await;
    let elapsed = started.elapsed();
    assert!(served.is_ok(), "shutdown still waiting after {BOUND:?}");
    served.unwrap().unwrap().expect("serve_on ends cleanly");
    assert!(
        elapsed >= Duration::from_millis(900),
        "the running request got its time first: {elapsed:?}"
    );
    // Its connection is closed, and no new one is taken.
    assert!(read_until_closed(&mut read).await.is_some());
    dripping.abort();
    assert!(
        TcpStream::connect(address.trim_start_matches("http://"))
            .await
            .is_err()
    );
}

/// A write that waits past what the database allows (SQLite's busy timeout, PostgreSQL's
/// `statement_timeout` on the write lock) answers 503 `busy` with `Retry-After`, not a 500: the
/// database gave up waiting, nothing was written, and the same request succeeds once the lock is
/// free. (A sign-in flood on a loaded machine met this as 500s.)
#[tokio::test]
async fn a_write_that_outwaits_the_database_is_busy_not_an_internal_error() {
    let app = spawn_app_with(|config| config.statement_timeout_secs = 1).await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = crate::tickets::acme_form(&app).await;

    // Another writer holds the write lock: a raw connection of the test's own. On PostgreSQL that
    // is the advisory lock every write transaction of the server takes.
    let (lock, unlock) = if on_postgres() {
        (
            "SELECT pg_advisory_lock($1)",
            "SELECT pg_advisory_unlock($1)",
        )
    } else {
        ("BEGIN IMMEDIATE", "ROLLBACK")
    };
    let with_key = |sql: &'static str| {
        let query = sqlx::query(sql);
        if on_postgres() {
            query.bind(support_server::store::WRITE_LOCK_KEY)
        } else {
            query
        }
    };
    let mut holder = app.db.acquire().await.expect("a connection");
    with_key(lock)
        .execute(&mut *holder)
        .await
        .expect("take the write lock");

    let response = dev.post_ticket(&form).await;
    assert_eq!(header(&response, "retry-after"), "1");
    expect_error(response, StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Busy).await;

    with_key(unlock)
        .execute(&mut *holder)
        .await
        .expect("free the write lock");
    drop(holder);
    let created = dev.post_ticket(&form).await;
    assert_eq!(created.status(), StatusCode::CREATED, "the retry is taken");
}

/// A TCP relay on loopback to `upstream` (`host:port`) that holds every answer of the server for
/// `delay` before passing it on: a slow database link. Returns the relay's `host:port`.
async fn slow_link(upstream: String, delay: Duration) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the relay");
    let address = listener.local_addr().expect("relay address").to_string();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let server = TcpStream::connect(&upstream)
                .await
                .expect("reach the database");
            let (mut client_read, mut client_write) = client.into_split();
            let (mut server_read, mut server_write) = server.into_split();
            tokio::spawn(async move {
                tokio::io::copy(&mut client_read, &mut server_write)
                    .await
                    .ok();
            });
            tokio::spawn(async move {
                let mut buffer = vec![0; 64 * 1024];
                while let Ok(read) = server_read.read(&mut buffer).await {
                    if read == 0 {
                        break;
                    }
                    tokio::time::sleep(delay).await;
                    if client_write.write_all(&buffer[..read]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    address
}

/// A read transaction whose start is cancelled halfway (its request timed out, its client went
/// away) leaves no transaction open on the pooled connection. sqlx 0.9's PostgreSQL `begin` queues
/// its ROLLBACK on cancellation only once the BEGIN was answered, so a connection dropped between
/// sending `BEGIN ... READ ONLY` and its answer went back to the pool still inside that read-only
/// transaction, and the next write on it failed with "cannot execute ... in a read-only
/// transaction" (a sign-in answered 500 this way in the two-instance run).
///
/// On PostgreSQL the store talks through a link that holds each answer 50 ms (the pool's check of
/// an idle connection answers after one hold, the BEGIN after a second one); the start is
/// cancelled at several moments across both, so some land between the BEGIN and its answer. The pool has one connection,
/// so every write runs on the connection the cancelled start used. On SQLite the same cancellations
/// meet its worker thread's own handling.
#[tokio::test]
async fn a_transaction_start_cancelled_halfway_leaves_its_connection_clean() {
    use support_server::store::{Database, Store, sign_in_limits::SignInCounter};

    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(dir.path());
    config.database_max_connections = 1;
    let mut options = config.database_options();
    if let Database::Postgres(url) = &mut options.database {
        let mut parsed = url::Url::parse(url).expect("a URL");
        let upstream = format!(
            "{}:{}",
            parsed.host_str().expect("a host"),
            parsed.port().unwrap_or(5432)
        );
        let relay = slow_link(upstream, Duration::from_millis(50)).await;
        let port = relay.rsplit(':').next().expect("a port");
        parsed
            .set_port(Some(port.parse().expect("a port number")))
            .expect("set the port");
        *url = parsed.into();
    }
    let store = Store::connect(&options).await.expect("open the store");

    let cancel_after_ms = [10, 40, 70, 100, 120, 140, 170, 200];
    for (attempt, cancel_after) in cancel_after_ms.into_iter().enumerate() {
        let begun = tokio::time::timeout(Duration::from_millis(cancel_after), store.begin()).await;
        drop(begun);
        // The dropped connection goes back to the pool in a task of its own.
        tokio::time::sleep(Duration::from_millis(20)).await;

        let mut tx = tokio::time::timeout(BOUND, store.begin_write())
            .await
            .expect("the connection comes back")
            .expect("a write transaction");
        let counter = SignInCounter {
            count: attempt as i64 + 1,
            window_start_ms: 1,
            last_ms: 1,
        };
        tx.put_sign_in_counter("cancelled-begin", counter)
            .await
            .unwrap_or_else(|e| {
                panic!("the write after a start cancelled at {cancel_after} ms: {e}")
            });
        tx.commit().await.expect("commit");
    }
    let mut tx = store.begin().await.expect("a read");
    let stored = tx.sign_in_counter("cancelled-begin").await.expect("read");
    assert_eq!(
        stored.map(|c| c.count),
        Some(cancel_after_ms.len() as i64),
        "every write was committed"
    );
    drop(tx);
    store.close().await;
}
