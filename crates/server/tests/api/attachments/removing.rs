//! Removing an upload before it is attached, and the sweep of uploads and files nobody claimed.

use std::time::{Duration, SystemTime};

use api::ErrorCode;
use reqwest::StatusCode;
use support_server::jobs::sweeper::{self, SweepReport};

use crate::helpers::{expect_error, local_files, spawn_app, spawn_app_with};
use crate::tickets::acme_form_with;

#[tokio::test]
async fn the_uploader_removes_an_unattached_file_and_nobody_else_can() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let admin = app.sign_in("admin@acme.example").await;
    let globex = app.sign_in("admin@globex.example").await;
    let file = dev.upload_png("shot.png").await;
    let stored = app.stored_name(file.id).await;

    for response in [
        admin.delete_attachment(file.id).await,
        globex.delete_attachment(file.id).await,
        globex.at(dev.org_id).delete_attachment(file.id).await,
        dev.delete_attachment(999_999).await,
    ] {
        expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    }
    assert!(app.stored_bytes(&stored).await.is_some());

    let response = dev.delete_attachment(file.id).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(app.stored_bytes(&stored).await.is_none());
    let response = dev.delete_attachment(file.id).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;

    // Once attached, a file stays with its ticket.
    let attached = dev.upload_png("kept.png").await;
    let form = acme_form_with(&app, |f| f.attachment_ids = vec![attached.id]).await;
    dev.create_ticket(&form).await;
    let response = dev.delete_attachment(attached.id).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    assert!(
        app.stored_bytes(&app.stored_name(attached.id).await)
            .await
            .is_some()
    );
}

/// Local-only: it backdates a file's modification time, which a bucket sets itself
/// ([`a_sweep_spares_stray_files_younger_than_its_age`] checks the age on both).
#[tokio::test]
async fn the_sweep_deletes_old_unattached_uploads_and_stray_files_only() {
    let app = spawn_app_with(local_files).await;
    let dev = app.sign_in("dev@acme.example").await;
    let old = dev.upload_png("old.png").await;
    let attached = dev.upload_png("attached.png").await;
    let recent = dev.upload_png("recent.png").await;
    let form = acme_form_with(&app, |f| f.attachment_ids = vec![attached.id]).await;
    dev.create_ticket(&form).await;
    sqlx::query("UPDATE attachments SET created_at = '2026-01-01T00:00:00Z' WHERE id IN ($1, $2)")
        .bind(old.id)
        .bind(attached.id)
        .execute(app.db())
        .await
        .unwrap();
    let dir = app.attachments_dir();
    let old_file = dir.join(app.stored_name(old.id).await);
    // A file whose row was never written (the server stopped mid-upload), and a young one.
    let stray = dir.join("0123456789abcdef0123456789abcdef");
    let young_stray = dir.join("fedcba9876543210fedcba9876543210");
    for path in [&stray, &young_stray] {
        std::fs::write(path, b"partial").unwrap();
    }
    std::fs::File::options()
        .write(true)
        .open(&stray)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(25 * 60 * 60))
        .unwrap();

    let report = sweeper::sweep_orphans(&app.state.store, &app.state.files)
        .await
        .unwrap();

    assert_eq!(
        report,
        SweepReport {
            uploads: 1,
            stray_files: 1
        }
    );
    assert!(!old_file.exists());
    assert!(!stray.exists());
    assert!(young_stray.exists());
    let left: Vec<i64> = sqlx::query_scalar("SELECT id FROM attachments ORDER BY id")
        .fetch_all(app.db())
        .await
        .unwrap();
    assert_eq!(left, [attached.id, recent.id]);
    for id in [attached.id, recent.id] {
        assert!(dir.join(app.stored_name(id).await).exists());
    }
    let again = sweeper::sweep_orphans(&app.state.store, &app.state.files)
        .await
        .unwrap();
    assert_eq!(again, SweepReport::default());
}

/// `support-server attachments sweep --min-age-secs 0` (what the crash test runs with the server
/// stopped): every unclaimed upload and every file without a row goes, however young; attached files
/// stay.
#[tokio::test]
async fn a_sweep_with_no_minimum_age_leaves_only_attached_files() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let attached = dev.upload_png("attached.png").await;
    let unclaimed = dev.upload_png("unclaimed.png").await;
    let form = acme_form_with(&app, |f| f.attachment_ids = vec![attached.id]).await;
    dev.create_ticket(&form).await;
    let unclaimed_file = app.stored_name(unclaimed.id).await;
    let stray = "0123456789abcdef0123456789abcdef";
    app.put_stray(stray, b"partial").await;

    let report = sweeper::sweep_older_than(&app.state.store, &app.state.files, Duration::ZERO)
        .await
        .unwrap();

    assert_eq!(
        report,
        SweepReport {
            uploads: 1,
            stray_files: 1
        }
    );
    assert!(app.stored_bytes(&unclaimed_file).await.is_none());
    assert!(app.stored_bytes(stray).await.is_none());
    let kept = app.stored_name(attached.id).await;
    assert_eq!(app.stored_files().await, [kept]);
}

/// The sweep's age, on a folder and on a bucket alike: a file without a row that is younger than
/// the age stays (its upload may be about to commit), and goes once the age is reached.
#[tokio::test]
async fn a_sweep_spares_stray_files_younger_than_its_age() {
    let app = spawn_app().await;
    let stray = "0123456789abcdef0123456789abcdef";
    app.put_stray(stray, b"partial").await;
    // Not one of ours: a name the server never chooses is never swept.
    app.put_stray("notes.txt", b"the operator's").await;

    let young = sweeper::sweep_older_than(
        &app.state.store,
        &app.state.files,
        Duration::from_secs(60 * 60),
    )
    .await
    .unwrap();
    assert_eq!(young, SweepReport::default());
    assert_eq!(
        app.stored_bytes(stray).await.as_deref(),
        Some(&b"partial"[..])
    );

    let old = sweeper::sweep_older_than(&app.state.store, &app.state.files, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(
        old,
        SweepReport {
            uploads: 0,
            stray_files: 1
        }
    );
    assert_eq!(app.stored_files().await, ["notes.txt"]);
}
