//! Polling with `If-None-Match`: 304 until something the reader sees changes.

use api::Ticket;
use reqwest::header::ETAG;
use reqwest::{Response, StatusCode};

use super::{form, saying};
use crate::helpers::spawn_app;

fn etag_of(response: &Response) -> String {
    response.headers()[ETAG].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn polling_gets_304_until_something_changes() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    app.add_member("ops@acme.example", "Olive Ops", dev.org_id, "member")
        .await;
    let ops = app.sign_in("ops@acme.example").await;
    let admin = app.sign_in("admin@acme.example").await;
    let ticket = dev.create_ticket(&form(&["ops@acme.example"])).await;
    let path = dev.ticket_path(ticket.id);

    let first = dev.get(&path).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = etag_of(&first);
    assert!(etag.starts_with("W/\""), "{etag}");
    let again = dev.get_if_none_match(&path, &etag).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(etag_of(&again), etag);
    assert!(again.bytes().await.unwrap().is_empty());
    // Another reader has other permissions, so another body and tag.
    let theirs = ops.get_if_none_match(&path, &etag).await;
    assert_eq!(theirs.status(), StatusCode::OK);

    let list_path = format!("/organizations/{}/tickets", dev.org_id);
    let list = dev.get(&list_path).await;
    let list_etag = etag_of(&list);
    let unchanged = dev.get_if_none_match(&list_path, &list_etag).await;
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

    admin.comment(ticket.id, &saying("Looking.")).await;
    let changed = dev.get_if_none_match(&path, &etag).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(etag_of(&changed), etag);
    let body: Ticket = changed.json().await.unwrap();
    assert_eq!(body.activity.len(), 1);
    let changed = dev.get_if_none_match(&list_path, &list_etag).await;
    assert_eq!(
        changed.status(),
        StatusCode::OK,
        "the list shows who replied last"
    );
    assert_ne!(etag_of(&changed), list_etag);
}
