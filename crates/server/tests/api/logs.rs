//! What the server logs at info level: ids, counts, routes and statuses, no personal data (the
//! addresses people sign in with or CC, what they search for).
//!
//! The real binary with its default log filter, in its own process: tracing's per-callsite cache is
//! process-wide, so a subscriber scoped to one test thread misses events that other tests' threads
//! registered first.

use std::process::{Command, Stdio};
use std::time::Duration;

use api::{Me, NewComment, NewTicket, Severity, TicketListQuery};
use reqwest::{Client, StatusCode};

use crate::helpers::{PASSWORD, Session};

#[tokio::test]
async fn info_logs_name_routes_and_ids_but_no_addresses_or_search_text() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log_path = dir.path().join("server.log");
    let mut server = Command::new(env!("CARGO_BIN_EXE_support-server"))
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--demo",
            "--data-dir",
        ])
        .arg(dir.path())
        .env_remove("RUST_LOG")
        .env_remove("SUPPORT_LOG_FORMAT")
        .stdout(Stdio::from(std::fs::File::create(&log_path).unwrap()))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = Client::builder().cookie_store(true).build().unwrap();
    let api = format!("http://127.0.0.1:{port}/api/v1");
    let anonymous = Session::new(client, api.clone());
    let mut waited = Duration::ZERO;
    while reqwest::get(format!("{api}/products")).await.is_err() {
        assert!(waited < Duration::from_secs(30), "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }

    let failed = anonymous
        .post_session("someone.private@acme.example", "wrong password")
        .await;
    assert_eq!(failed.status(), StatusCode::UNAUTHORIZED);
    let signed_in = anonymous.post_session("dev@acme.example", PASSWORD).await;
    let me: Me = signed_in.json().await.unwrap();
    let dev = anonymous.at(me.organization.id);
    let ticket = dev
        .create_ticket(&NewTicket {
            cc: vec!["cc.private@partner.example".into()],
            subject: "Replica lag".into(),
            severity: Some(Severity::High),
            product: "postgresql".into(),
            reason: "performance".into(),
            description: "Lag grows during the nightly batch.".into(),
            ..NewTicket::default()
        })
        .await;
    dev.comment(
        ticket.id,
        &NewComment {
            cc: vec!["later.private@partner.example".into()],
            ..NewComment::default()
        },
    )
    .await;
    let removed = dev.delete_cc(ticket.id, "cc.private@partner.example").await;
    assert!(removed.status().is_success(), "{}", removed.status());
    dev.tickets(&TicketListQuery {
        q: Some("confidential merger".into()),
        ..TicketListQuery::default()
    })
    .await;
    server.kill().unwrap();
    server.wait().unwrap();

    let log = without_colours(&std::fs::read_to_string(&log_path).unwrap());
    for private in ["private", "confidential", "merger", "dev@acme.example"] {
        assert!(!log.contains(private), "{private:?} in the log:\n{log}");
    }
    // Still useful: the route's template, the status, and the ids of what changed.
    assert!(
        log.contains(r#"route="/api/v1/organizations/{org_id}/tickets/{ticket_id}/cc/{email}""#),
        "{log}"
    );
    assert!(log.contains("status=204"), "{log}");
    assert!(log.contains(&format!("ticket_id={}", ticket.id)), "{log}");
    assert!(log.contains("sign-in failed"), "{log}");
}

/// The log without its ANSI colour sequences (`ESC [ ... m`), which split `key=value` apart.
fn without_colours(log: &str) -> String {
    let mut out = String::with_capacity(log.len());
    let mut chars = log.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|&c| c == 'm');
        } else {
            out.push(c);
        }
    }
    out
}
