//! An accepted upload: its cleaned-up name, the random name it is stored under, and downloading it
//! from its ticket byte for byte.

use api::{Attachment, ErrorCode};
use reqwest::StatusCode;

use crate::helpers::{Session, TestApp, expect_error, header, png, spawn_app};
use crate::tickets::{acme_form, acme_form_with};

/// Dev uploads a text file under a path-like name and a 300,000-byte PNG with an accent and a space
/// in its name. Returns dev's session, both attachments and the PNG's bytes.
async fn devs_two_uploads(app: &TestApp) -> (Session, Attachment, Attachment, Vec<u8>) {
    let dev = app.sign_in("dev@acme.example").await;
    let text = dev
        .upload("../../etc/passwd.txt", b"root:x:0:0\n".to_vec())
        .await;
    let bytes = png(300_000);
    let file = dev.upload("café shot.png", bytes.clone()).await;
    (dev, text, file, bytes)
}

#[tokio::test]
async fn an_accepted_upload_is_stored_under_a_random_name_and_keeps_a_clean_name() {
    let app = spawn_app().await;
    let (_, text, file, bytes) = devs_two_uploads(&app).await;

    assert_eq!(text.file_name, "passwd.txt");
    assert_eq!(file.file_name, "café shot.png");
    assert_eq!(file.size, 300_000);
    assert_eq!(file.content_type, "image/png");

    let stored = app.stored_name(file.id).await;
    assert_eq!(stored.len(), 32);
    assert!(stored.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(app.stored_bytes(&stored).await.unwrap(), bytes);
    let mut files = app.stored_files().await;
    files.sort();
    assert_eq!(files.len(), 2);
    assert!(
        !files
            .iter()
            .any(|f| f.contains("passwd") || f.contains("shot"))
    );
}

#[tokio::test]
async fn an_attached_file_downloads_byte_for_byte_as_an_attachment() {
    let app = spawn_app().await;
    let (dev, text, file, bytes) = devs_two_uploads(&app).await;
    let form = acme_form_with(&app, |f| f.attachment_ids = vec![file.id, text.id]).await;
    let ticket = dev.create_ticket(&form).await;
    assert_eq!(ticket.attachments, [text, file.clone()]);

    let response = dev.get_attachment(ticket.id, file.id).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), "image/png");
    assert_eq!(
        header(&response, "content-disposition"),
        "attachment; filename=\"caf_ shot.png\"; filename*=UTF-8''caf%C3%A9%20shot.png"
    );
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert_eq!(header(&response, "content-security-policy"), "sandbox");
    // The policy every non-document gets is enforced beside the download's own.
    let policies: Vec<&str> = response
        .headers()
        .get_all("content-security-policy")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(
        policies,
        ["sandbox", "default-src 'none'; frame-ancestors 'none'"]
    );
    assert_eq!(header(&response, "cache-control"), "private, no-store");
    assert_eq!(header(&response, "content-length"), "300000");
    assert_eq!(response.bytes().await.unwrap().as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn a_file_downloads_only_through_its_own_ticket() {
    let app = spawn_app().await;
    let (dev, text, file, _) = devs_two_uploads(&app).await;
    let form = acme_form_with(&app, |f| f.attachment_ids = vec![file.id, text.id]).await;
    dev.create_ticket(&form).await;

    let other = dev.create_ticket(&acme_form(&app).await).await;

    let response = dev.get_attachment(other.id, file.id).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
}
