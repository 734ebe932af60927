//! Files for tickets: uploaded before the ticket exists (so the form can show progress and errors per
//! file), attached when it is created, downloaded by the ticket's readers, and swept after a day when
//! never attached.
//!
//! The bytes are stored under `<data-dir>/attachments/` with a random name the server chose; the
//! uploader's file name is only kept, cleaned, as a label. A file's type is checked by its extension and
//! by its first bytes while it streams to disk, so a mislabelled file never lands.

use std::path::{Path as FsPath, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Context;
use api::ticket::{ATTACHMENT_MAX_BYTES, check_attachment, check_attachment_content};
use api::{Attachment, AttachmentKind, FieldError};
use axum::Router;
use axum::body::Body;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rand::RngCore;
use sqlx::SqlitePool;
use tokio::io::{AsyncWriteExt, BufWriter};
use tokio::task::JoinHandle;
use tokio_util::io::ReaderStream;

use crate::auth::{CurrentUser, Member};
use crate::error::{Error, Json, Path, Result};
use crate::tickets::{self, FREE_PLAN};
use crate::{AppState, clock, support};

/// Most uploads a user may have waiting, unattached, in one organization.
pub const MAX_PENDING_UPLOADS: i64 = 20;
/// 422 `attachments` when a user has [`MAX_PENDING_UPLOADS`] waiting.
pub const TOO_MANY_PENDING: &str = "Files: remove some files, or create the ticket they are for, before uploading more. You can have at most 20 files that are not on a ticket yet.";
/// 422 `attachments` when the request as a whole is larger than an upload can be.
pub const UPLOAD_TOO_LARGE: &str =
    "Files: the upload is too large; each file can be at most 25 MB.";
/// Uploads never attached to a ticket are deleted after this long.
pub const ORPHAN_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);
/// How often the server looks for such uploads.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// The upload route's body limit: one file at its largest plus room for the multipart framing. The
/// size check that answers users runs while streaming, well before this.
const UPLOAD_BODY_LIMIT: usize = ATTACHMENT_MAX_BYTES as usize + 1024 * 1024;
/// How many leading bytes the content check looks at (more than any signature; enough text to tell
/// UTF-8 from binary).
const HEAD_BYTES: usize = 512;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organizations/{org_id}/attachments",
            post(upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route(
            "/organizations/{org_id}/attachments/{attachment_id}",
            delete(remove),
        )
        .route(
            "/organizations/{org_id}/tickets/{ticket_id}/attachments/{attachment_id}",
            get(download),
        )
}

fn invalid(error: FieldError) -> Error {
    Error::Invalid(vec![error.into()])
}

fn too_many_pending() -> Error {
    invalid(FieldError::new("attachments", TOO_MANY_PENDING))
}

// ---------------------------------------------------------------------------------------------
// File names

/// Characters that confuse shells, Windows or header quoting, dropped from shown file names.
fn is_unsafe_in_name(c: char) -> bool {
    c.is_control()
        || matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*')
        // Bidirectional overrides make "gnp.exe" display as "exe.png".
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Longest file name kept, in characters.
const FILE_NAME_MAX_CHARS: usize = 200;

/// The uploader's file name made safe to store and show: the last path component only, without
/// control, bidirectional-override and quoting characters, trimmed, without leading dots, at most
/// [`FILE_NAME_MAX_CHARS`] characters with the extension kept; `file` when nothing is left of the stem.
pub fn sanitize_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !is_unsafe_in_name(*c)).collect();
    let cleaned = cleaned.trim();
    let (stem, extension) = match cleaned.rsplit_once('.') {
        Some((stem, ext))
            if !ext.is_empty() && ext.len() <= 16 && ext.chars().all(char::is_alphanumeric) =>
        {
            (stem, Some(ext))
        }
        _ => (cleaned, None),
    };
    let stem = stem.trim_start_matches('.').trim();
    let stem = if stem.is_empty() { "file" } else { stem };
    let room = FILE_NAME_MAX_CHARS - extension.map_or(0, |e| e.chars().count() + 1);
    let stem: String = stem.chars().take(room).collect();
    let stem = stem.trim_end();
    match extension {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem.to_owned(),
    }
}

/// RFC 8187 `attr-char`s stay as they are; everything else is percent-encoded.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment` with an ASCII `filename` for old clients and the exact name in `filename*`.
fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| match c {
            ' ' => ' ',
            '"' | '\\' | '%' => '_',
            c if c.is_ascii_graphic() => c,
            _ => '_',
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(file_name, ATTR_CHAR)
    )
}

// ---------------------------------------------------------------------------------------------
// Uploading

/// A file being written. Deleted when dropped unless [`PartialFile::keep`] was called, so every early
/// return, error and cancelled request (the client went away) cleans up after itself.
struct PartialFile {
    path: PathBuf,
    keep: bool,
}

impl PartialFile {
    fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.keep
            && let Err(e) = std::fs::remove_file(&self.path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::error!(path = %self.path.display(), error = %e, "could not delete a partial upload");
        }
    }
}

/// 32 hex characters: the name a file is stored under.
fn random_name() -> String {
    let mut raw = [0u8; 16];
    rand::rng().fill_bytes(&mut raw);
    hex::encode(raw)
}

fn is_stored_name(name: &str) -> bool {
    name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

struct Received {
    file: PartialFile,
    stored_name: String,
    file_name: String,
    kind: AttachmentKind,
    size: u64,
}

async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
    headers: HeaderMap,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Attachment>)> {
    let member = Member::load(&state, user, org_id).await?;
    if support::current_tier(&state.db, org_id, member.organization.plan)
        .await?
        .is_none()
    {
        return Err(Error::Forbidden(FREE_PLAN));
    }
    if pending_uploads(&state.db, &member).await? >= MAX_PENDING_UPLOADS {
        return Err(too_many_pending());
    }
    let mut multipart = multipart.map_err(|e| Error::Malformed(e.body_text()))?;
    let dir = state.config.attachments_dir();
    tokio::fs::create_dir_all(&dir)
        .await
        .with_context(|| format!("creating {}", dir.display()))?;

    // The whole request's size bounds the file's: the best estimate for the message when we stop early.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let received = match receive(&mut multipart, &dir, declared).await {
        Ok(received) => received,
        Err(error) => {
            // Read the rest of the body (bounded by the route's limit) before answering. hyper only
            // discards what is already buffered and then closes, and a browser still sending a large
            // file may then report a reset connection instead of showing the message.
            while let Ok(Some(mut field)) = multipart.next_field().await {
                while let Ok(Some(_)) = field.chunk().await {}
            }
            return Err(error);
        }
    };

    // The count is checked again in the insert itself: two uploads at once must not both squeeze in.
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO attachments
             (organization_id, uploaded_by, file_name, stored_name, size, content_type, created_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
         WHERE (SELECT COUNT(*) FROM attachments
                WHERE organization_id = ?1 AND uploaded_by = ?2 AND ticket_id IS NULL) < ?8
         RETURNING id",
    )
    .bind(org_id)
    .bind(member.user.id)
    .bind(&received.file_name)
    .bind(&received.stored_name)
    .bind(i64::try_from(received.size).map_err(anyhow::Error::from)?)
    .bind(received.kind.content_type())
    .bind(clock::now_rfc3339())
    .bind(MAX_PENDING_UPLOADS)
    .fetch_optional(&state.db)
    .await?;
    let id = id.ok_or_else(too_many_pending)?;
    received.file.keep();
    tracing::info!(
        attachment_id = id,
        org_id,
        size = received.size,
        "file uploaded"
    );
    Ok((
        StatusCode::CREATED,
        Json(Attachment {
            id,
            file_name: received.file_name,
            size: received.size,
            content_type: received.kind.content_type().to_owned(),
        }),
    ))
}

async fn pending_uploads(db: &SqlitePool, member: &Member) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM attachments
         WHERE organization_id = ? AND uploaded_by = ? AND ticket_id IS NULL",
    )
    .bind(member.organization.id)
    .bind(member.user.id)
    .fetch_one(db)
    .await?)
}

/// A multipart failure: too large for the route is the user's problem to fix, anything else is a
/// client that did not send proper multipart.
fn multipart_error(error: MultipartError) -> Error {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        invalid(FieldError::new("attachments", UPLOAD_TOO_LARGE))
    } else {
        Error::Malformed(error.body_text())
    }
}

/// Streams the one `file` part to disk, checking its type, content and size on the way. `declared` is
/// the request's Content-Length (0 if unknown), used to tell how large a refused file is.
async fn receive(multipart: &mut Multipart, dir: &FsPath, declared: u64) -> Result<Received> {
    let mut received: Option<Received> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() != Some("file") || received.is_some() {
            return Err(Error::Malformed(
                "send exactly one multipart part, named `file`.".into(),
            ));
        }
        let file_name = sanitize_file_name(
            field
                .file_name()
                .ok_or_else(|| Error::Malformed("the `file` part needs a file name.".into()))?,
        );
        // Type by extension first: nothing is written for a file we would refuse anyway.
        let kind = check_attachment(&file_name, 1).map_err(invalid)?;
        let stored_name = random_name();
        let path = dir.join(&stored_name);
        let partial = PartialFile {
            path: path.clone(),
            keep: false,
        };
        let file = tokio::fs::File::create_new(&path)
            .await
            .with_context(|| format!("creating {}", path.display()))?;
        let mut writer = BufWriter::with_capacity(64 * 1024, file);
        let mut size = 0u64;
        let mut head = Vec::with_capacity(HEAD_BYTES);
        let mut head_checked = false;
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            size += chunk.len() as u64;
            // Stops at the first chunk past the limit, not at the end of a huge body.
            if size > ATTACHMENT_MAX_BYTES {
                check_attachment(&file_name, size.max(declared)).map_err(invalid)?;
            }
            if !head_checked {
                let take = (HEAD_BYTES - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
                if head.len() == HEAD_BYTES {
                    check_attachment_content(&file_name, kind, &head).map_err(invalid)?;
                    head_checked = true;
                }
            }
            writer
                .write_all(&chunk)
                .await
                .with_context(|| format!("writing {}", path.display()))?;
        }
        // Shorter than the head: checked now, whole. An empty file fails the size check.
        check_attachment(&file_name, size).map_err(invalid)?;
        if !head_checked {
            check_attachment_content(&file_name, kind, &head).map_err(invalid)?;
        }
        writer.flush().await.context("flushing an upload")?;
        writer
            .into_inner()
            .sync_all()
            .await
            .context("syncing an upload")?;
        received = Some(Received {
            file: partial,
            stored_name,
            file_name,
            kind,
            size,
        });
    }
    received
        .ok_or_else(|| Error::Malformed("send the file in a multipart part named `file`.".into()))
}

// ---------------------------------------------------------------------------------------------
// Removing and downloading

/// The uploader takes back a file not attached to a ticket yet.
async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((org_id, attachment_id)): Path<(i64, i64)>,
) -> Result<StatusCode> {
    let member = Member::load(&state, user, org_id).await?;
    let stored: Option<String> = sqlx::query_scalar(
        "DELETE FROM attachments
         WHERE id = ? AND organization_id = ? AND uploaded_by = ? AND ticket_id IS NULL
         RETURNING stored_name",
    )
    .bind(attachment_id)
    .bind(org_id)
    .bind(member.user.id)
    .fetch_optional(&state.db)
    .await?;
    let stored = stored.ok_or(Error::NotFound)?;
    delete_stored(&state.config.attachments_dir(), &stored).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a stored file whose row is gone. A failure only leaves a stray file for the sweep.
async fn delete_stored(dir: &FsPath, stored_name: &str) {
    let path = dir.join(stored_name);
    match tokio::fs::remove_file(&path).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::error!(path = %path.display(), error = %e, "could not delete a file"),
    }
}

#[derive(sqlx::FromRow)]
struct DownloadRow {
    file_name: String,
    stored_name: String,
    content_type: String,
    size: i64,
}

/// A ticket's file, for whoever may read the ticket ([`tickets::load_readable`]).
async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((org_id, ticket_id, attachment_id)): Path<(i64, i64, i64)>,
) -> Result<Response> {
    let member = Member::load(&state, user, org_id).await?;
    tickets::load_readable(&state, &member, ticket_id).await?;
    let row: Option<DownloadRow> = sqlx::query_as(
        "SELECT file_name, stored_name, content_type, size FROM attachments
         WHERE id = ? AND ticket_id = ?",
    )
    .bind(attachment_id)
    .bind(ticket_id)
    .fetch_optional(&state.db)
    .await?;
    let row = row.ok_or(Error::NotFound)?;
    let path = state.config.attachments_dir().join(&row.stored_name);
    let file = tokio::fs::File::open(&path)
        .await
        .with_context(|| format!("opening attachment {attachment_id} at {}", path.display()))?;
    let content_type = HeaderValue::from_str(&row.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition =
        HeaderValue::from_str(&content_disposition(&row.file_name)).map_err(anyhow::Error::from)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_LENGTH, HeaderValue::from(row.size)),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            // Should a browser render it anyway (an old one, a PDF viewer), no script runs with our
            // origin.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        Body::from_stream(ReaderStream::new(file)),
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// Sweeping

/// What one [`sweep_orphans`] call deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    /// Uploads (row and file) never attached to a ticket within [`ORPHAN_MAX_AGE`].
    pub uploads: usize,
    /// Files older than that without a row (the server stopped between writing one and recording it).
    pub stray_files: usize,
}

/// Deletes uploads that were never attached within [`ORPHAN_MAX_AGE`], and files in `dir` older than
/// that which no row refers to.
pub async fn sweep_orphans(db: &SqlitePool, dir: &FsPath) -> Result<SweepReport> {
    let cutoff = clock::now() - ORPHAN_MAX_AGE;
    let stored: Vec<String> = sqlx::query_scalar(
        "DELETE FROM attachments WHERE ticket_id IS NULL AND created_at < ? RETURNING stored_name",
    )
    .bind(clock::rfc3339(cutoff))
    .fetch_all(db)
    .await?;
    for name in &stored {
        delete_stored(dir, name).await;
    }
    let mut report = SweepReport {
        uploads: stored.len(),
        stray_files: 0,
    };
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(report),
        Err(e) => return Err(anyhow::Error::from(e).context("listing attachments").into()),
    };
    let cutoff = SystemTime::now() - ORPHAN_MAX_AGE;
    while let Some(entry) = entries.next_entry().await.context("listing attachments")? {
        let name = entry.file_name();
        let Some(name) = name.to_str().filter(|n| is_stored_name(n)) else {
            continue;
        };
        let modified = entry.metadata().await.and_then(|m| m.modified());
        if !modified.is_ok_and(|m| m < cutoff) {
            continue;
        }
        let known: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM attachments WHERE stored_name = ?)")
                .bind(name)
                .fetch_one(db)
                .await?;
        if !known {
            delete_stored(dir, name).await;
            report.stray_files += 1;
        }
    }
    Ok(report)
}

/// Runs [`sweep_orphans`] now and then every [`SWEEP_INTERVAL`] until the task is aborted.
pub fn spawn_sweeper(db: SqlitePool, dir: PathBuf) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(SWEEP_INTERVAL);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match sweep_orphans(&db, &dir).await {
                Ok(report) if report != SweepReport::default() => tracing::info!(
                    uploads = report.uploads,
                    stray_files = report.stray_files,
                    "deleted files never attached to a ticket"
                ),
                Ok(_) => {}
                Err(error) => tracing::error!(error = ?error, "attachment sweep failed"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_controls_and_quotes() {
        assert_eq!(sanitize_file_name("../../etc/passwd.txt"), "passwd.txt");
        assert_eq!(sanitize_file_name("C:\\Users\\me\\shot.png"), "shot.png");
        assert_eq!(
            sanitize_file_name("  my \"best\"\tlog.log "),
            "my bestlog.log"
        );
        assert_eq!(sanitize_file_name("re\u{202e}gnp.exe"), "regnp.exe");
        assert_eq!(sanitize_file_name("a<b>c:d|e?f*.csv"), "abcdef.csv");
        assert_eq!(
            sanitize_file_name("caf\u{e9} r\u{e9}sum\u{e9}.pdf"),
            "caf\u{e9} r\u{e9}sum\u{e9}.pdf"
        );
    }

    #[test]
    fn file_names_lose_leading_dots_and_fall_back_to_file() {
        assert_eq!(sanitize_file_name(".hidden.txt"), "hidden.txt");
        assert_eq!(sanitize_file_name(".env"), "file.env");
        assert_eq!(sanitize_file_name(".png"), "file.png");
        assert_eq!(sanitize_file_name("../"), "file");
        assert_eq!(sanitize_file_name(""), "file");
        assert_eq!(sanitize_file_name("\u{1}\u{2}.har"), "file.har");
        assert_eq!(sanitize_file_name("archive.tar.gz"), "archive.tar.gz");
    }

    #[test]
    fn long_file_names_keep_their_extension() {
        let long = format!("{}.log", "é".repeat(300));
        let short = sanitize_file_name(&long);
        assert_eq!(short.chars().count(), 200);
        assert!(short.ends_with("é.log"));
        let no_extension = sanitize_file_name(&"x".repeat(300));
        assert_eq!(no_extension.chars().count(), 200);
    }

    #[test]
    fn content_disposition_has_an_ascii_fallback_and_the_exact_name() {
        assert_eq!(
            content_disposition("shot.png"),
            "attachment; filename=\"shot.png\"; filename*=UTF-8''shot.png"
        );
        assert_eq!(
            content_disposition("café 100%.txt"),
            "attachment; filename=\"caf_ 100_.txt\"; filename*=UTF-8''caf%C3%A9%20100%25.txt"
        );
    }

    #[test]
    fn stored_names_are_32_hex_characters() {
        let name = random_name();
        assert!(is_stored_name(&name), "{name}");
        assert_ne!(name, random_name());
        assert!(!is_stored_name("support.db"));
    }
}
