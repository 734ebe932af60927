//! What an upload must be: small enough, of an allowed type with matching content, one part named
//! `file`, and within the per-user cap of unattached uploads.

use api::ErrorCode;
use api::ticket::ATTACHMENT_MAX_BYTES;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::helpers::{expect_error, fields, invalid, png, spawn_app, spawn_app_with};
use crate::tickets::acme_form_with;

#[tokio::test]
async fn an_oversized_upload_is_refused_and_leaves_nothing_on_disk() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let too_big = png(ATTACHMENT_MAX_BYTES as usize + 1);
    let error = invalid(dev.post_attachment("huge.png", too_big).await).await;
    assert_eq!(fields(&error), ["attachments"]);
    assert_eq!(
        error.fields[0].message,
        "Files: huge.png is 25 MB; each file can be at most 25 MB."
    );
    assert!(
        app.stored_files().await.is_empty(),
        "{:?}",
        app.stored_files().await
    );
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachments")
        .fetch_one(app.db())
        .await
        .unwrap();
    assert_eq!(rows, 0);

    // Exactly at the limit is fine.
    let file = dev
        .upload("max.png", png(ATTACHMENT_MAX_BYTES as usize))
        .await;
    assert_eq!(file.size, ATTACHMENT_MAX_BYTES);
}

#[tokio::test]
async fn a_file_far_over_the_limit_is_refused_while_it_streams() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    // Larger than the route's body limit: the size check must stop the upload before that limit does.
    let error = invalid(dev.post_attachment("huge.png", png(40 * 1024 * 1024)).await).await;
    assert_eq!(
        error.fields[0].message,
        "Files: huge.png is 40 MB; each file can be at most 25 MB."
    );
    assert!(
        app.stored_files().await.is_empty(),
        "{:?}",
        app.stored_files().await
    );
}

#[tokio::test]
async fn files_must_be_of_an_allowed_type_with_matching_content_and_not_empty() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;

    let text_as_png = invalid(
        dev.post_attachment("shot.png", b"not a picture".to_vec())
            .await,
    )
    .await;
    assert_eq!(
        text_as_png.fields[0].message,
        "Files: shot.png does not look like a PNG image file; its content does not match its name."
    );
    // Past the first chunk too.
    let mut long_text = vec![b'a'; 200_000];
    long_text[0] = b'x';
    let long = invalid(dev.post_attachment("big.png", long_text).await).await;
    assert!(
        long.fields[0]
            .message
            .contains("big.png does not look like a PNG")
    );

    let binary_log = invalid(
        dev.post_attachment("app.log", b"MZ\x90\0\x03\0".to_vec())
            .await,
    )
    .await;
    assert!(binary_log.fields[0].message.contains("like a text file"));

    let exe = invalid(dev.post_attachment("setup.exe", b"MZ\x90\0".to_vec()).await).await;
    assert_eq!(fields(&exe), ["attachments"]);
    assert!(
        exe.fields[0]
            .message
            .contains("setup.exe is not a file type we accept")
    );

    let empty = invalid(dev.post_attachment("empty.txt", Vec::new()).await).await;
    assert_eq!(empty.fields[0].message, "Files: empty.txt is empty.");

    assert!(
        app.stored_files().await.is_empty(),
        "{:?}",
        app.stored_files().await
    );

    let log = dev
        .upload("server.log", "2026-11-27 ERROR café\n".into())
        .await;
    assert_eq!(log.content_type, "text/plain; charset=utf-8");
    dev.upload("session.har", b"{\"log\": {}}".to_vec()).await;
    assert_eq!(app.stored_files().await.len(), 2);
}

#[tokio::test]
async fn an_upload_must_be_one_part_named_file_with_a_file_name() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let forms = [
        Form::new().part("other", Part::bytes(png(100)).file_name("a.png")),
        Form::new().part("file", Part::bytes(png(100))),
        Form::new()
            .part("file", Part::bytes(png(100)).file_name("a.png"))
            .part("file", Part::bytes(png(100)).file_name("b.png")),
        Form::new(),
    ];
    for form in forms {
        let response = dev.post_attachment_form(form).await;
        expect_error(
            response,
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedRequest,
        )
        .await;
    }
    let path = format!("/organizations/{}/attachments", dev.org_id);
    let response = dev.post_json(&path, &json!({})).await;
    expect_error(
        response,
        StatusCode::BAD_REQUEST,
        ErrorCode::MalformedRequest,
    )
    .await;
    assert!(
        app.stored_files().await.is_empty(),
        "{:?}",
        app.stored_files().await
    );
}

#[tokio::test]
async fn a_user_may_have_at_most_20_unattached_uploads() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(dev.upload_png(&format!("{i}.png")).await.id);
    }
    let error = invalid(dev.post_attachment("21.png", png(100)).await).await;
    assert_eq!(
        error.fields[0].message,
        api::ticket::too_many_pending_uploads().message
    );
    assert_eq!(app.stored_files().await.len(), 20);

    // Other users are not affected; attaching files makes room.
    let admin = app.sign_in("admin@acme.example").await;
    admin.upload_png("admin.png").await;
    let form = acme_form_with(&app, |f| f.attachment_ids = ids[..2].to_vec()).await;
    dev.create_ticket(&form).await;
    dev.upload_png("21.png").await;
}

#[tokio::test]
async fn simultaneous_uploads_do_not_exceed_the_cap() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let uploads: Vec<_> = (0..25)
        .map(|i| {
            let dev = dev.clone();
            tokio::spawn(async move {
                dev.post_attachment(&format!("{i}.png"), png(4096))
                    .await
                    .status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for upload in uploads {
        statuses.push(upload.await.unwrap());
    }
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert_eq!((created, refused), (20, 5), "{statuses:?}");
    assert_eq!(app.stored_files().await.len(), 20);
}

#[tokio::test]
async fn a_new_file_and_its_directory_are_synced_before_its_row_commits() {
    use support_server::rules::attachments::durability::{Step, steps};
    // About the local disk: a bucket has no fsync to order.
    let app = spawn_app_with(crate::helpers::local_files).await;
    let dev = app.sign_in("dev@acme.example").await;

    let upload = dev.upload_png("graph.png").await;

    let stored = app.stored_name(upload.id).await;
    assert_eq!(
        steps(&stored),
        [
            Step::FileSynced,
            Step::DirSynced,
            Step::Kept,
            Step::Committed
        ],
        "a power cut after the commit must not lose the file or its name, nor a request dropped \
         inside the commit (kept before it is issued)"
    );
}
