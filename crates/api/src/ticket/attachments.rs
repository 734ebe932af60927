//! Files on tickets and comments: the accepted kinds, their limits, and the checks the SPA runs before
//! an upload and the server runs while receiving it.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::field::Field;
use crate::format::format_bytes;
use crate::validate::FieldError;

/// Most files on one ticket, and on one comment.
pub const ATTACHMENTS_MAX: usize = 10;
/// Largest single file, in bytes (25 MB).
pub const ATTACHMENT_MAX_BYTES: u64 = 25 * 1024 * 1024;
/// Largest total of a ticket's files, in bytes (50 MB).
pub const ATTACHMENTS_TOTAL_MAX_BYTES: u64 = 50 * 1024 * 1024;
/// Most uploads a user may have waiting, not yet on a ticket, in one organization.
pub const PENDING_UPLOADS_MAX: u32 = 20;

/// The file extensions people may attach, as shown in the form.
pub const ALLOWED_EXTENSIONS: &str = "png, jpg, gif, webp, pdf, txt, log, json, har, csv, zip, gz";

/// 422 `attachments` when a listed file is not an unattached upload of this user in this organization.
pub const ATTACHMENT_GONE: &str =
    "Files: one of the files is no longer available. Remove it and upload it again.";

/// A file attached to a ticket (or uploaded for one that is not created yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    /// Stable id, also the download address's last segment.
    pub id: i64,
    /// The uploader's file name, cleaned of paths and control characters. Display only.
    pub file_name: String,
    /// Bytes.
    pub size: u64,
    /// The media type it is served with ([`AttachmentKind::content_type`]).
    pub content_type: String,
}

/// The kinds of file people may attach, each with the bytes its content must start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttachmentKind {
    /// `.png`
    Png,
    /// `.jpg`, `.jpeg`
    Jpeg,
    /// `.gif`
    Gif,
    /// `.webp`
    Webp,
    /// `.pdf`
    Pdf,
    /// Plain text, logs and CSV.
    Text,
    /// JSON and HAR (a HAR file is JSON).
    Json,
    /// `.zip`
    Zip,
    /// `.gz`, `.tgz`
    Gzip,
}

impl AttachmentKind {
    /// The kind a file name claims by its extension, if it is one we accept.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let (_, ext) = name.rsplit_once('.')?;
        Some(match ext.to_ascii_lowercase().as_str() {
            "png" => Self::Png,
            "jpg" | "jpeg" => Self::Jpeg,
            "gif" => Self::Gif,
            "webp" => Self::Webp,
            "pdf" => Self::Pdf,
            "txt" | "log" | "csv" => Self::Text,
            "json" | "har" => Self::Json,
            "zip" => Self::Zip,
            "gz" | "tgz" => Self::Gzip,
            _ => return None,
        })
    }

    /// The media type the file is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Pdf => "application/pdf",
            Self::Text => "text/plain; charset=utf-8",
            Self::Json => "application/json",
            Self::Zip => "application/zip",
            Self::Gzip => "application/gzip",
        }
    }

    /// Whether `head`, the first bytes of the file (at least 16 unless the file is shorter), looks like
    /// this kind. Binary formats must start with their signature; text formats must be UTF-8 without NUL
    /// bytes (a multi-byte character cut off at the end of `head` is fine), and JSON must start with an
    /// object or array.
    pub fn matches_content(self, head: &[u8]) -> bool {
        match self {
            Self::Png => head.starts_with(b"\x89PNG\r\n\x1a\n"),
            Self::Jpeg => head.starts_with(b"\xff\xd8\xff"),
            Self::Gif => head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a"),
            Self::Webp => head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP",
            Self::Pdf => head.starts_with(b"%PDF-"),
            Self::Zip => head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06"),
            Self::Gzip => head.starts_with(b"\x1f\x8b"),
            Self::Text => looks_like_text(head),
            Self::Json => {
                looks_like_text(head)
                    && matches!(
                        head.strip_prefix(b"\xef\xbb\xbf")
                            .unwrap_or(head)
                            .iter()
                            .find(|b| !b.is_ascii_whitespace()),
                        Some(b'{' | b'[')
                    )
            }
        }
    }
}

fn looks_like_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // Only an incomplete character at the very end is acceptable.
        Err(e) => e.error_len().is_none(),
    }
}

/// Checks one file before it is uploaded (the SPA) or while it is received (the server).
pub fn check_attachment(name: &str, size: u64) -> Result<AttachmentKind, FieldError> {
    let Some(kind) = AttachmentKind::from_file_name(name) else {
        return Err(FieldError::new(
            Field::Attachments,
            format!("Files: {name} is not a file type we accept. Use {ALLOWED_EXTENSIONS}."),
        ));
    };
    if size == 0 {
        return Err(FieldError::new(
            Field::Attachments,
            format!("Files: {name} is empty."),
        ));
    }
    if size > ATTACHMENT_MAX_BYTES {
        return Err(FieldError::new(
            Field::Attachments,
            format!(
                "Files: {name} is {}; each file can be at most {}.",
                format_bytes(size),
                format_bytes(ATTACHMENT_MAX_BYTES)
            ),
        ));
    }
    Ok(kind)
}

/// Checks that a file's first bytes (see [`AttachmentKind::matches_content`]) fit the kind its name
/// claims, so a renamed executable is not served as a screenshot.
pub fn check_attachment_content(
    name: &str,
    kind: AttachmentKind,
    head: &[u8],
) -> Result<(), FieldError> {
    if kind.matches_content(head) {
        return Ok(());
    }
    let what = match kind {
        AttachmentKind::Png => "a PNG image",
        AttachmentKind::Jpeg => "a JPEG image",
        AttachmentKind::Gif => "a GIF image",
        AttachmentKind::Webp => "a WebP image",
        AttachmentKind::Pdf => "a PDF",
        AttachmentKind::Text => "a text",
        AttachmentKind::Json => "a JSON",
        AttachmentKind::Zip => "a ZIP",
        AttachmentKind::Gzip => "a gzip",
    };
    Err(FieldError::new(
        Field::Attachments,
        format!(
            "Files: {name} does not look like {what} file; its content does not match its name."
        ),
    ))
}

/// Checks that one more file of `size` bytes fits beside `count` files totalling `total` bytes.
pub fn check_attachment_room(
    name: &str,
    size: u64,
    count: usize,
    total: u64,
) -> Result<(), FieldError> {
    if count >= ATTACHMENTS_MAX {
        return Err(FieldError::new(
            Field::Attachments,
            format!(
                "Files: {name} was not added; a ticket can have at most {ATTACHMENTS_MAX} files."
            ),
        ));
    }
    if total + size > ATTACHMENTS_TOTAL_MAX_BYTES {
        return Err(FieldError::new(
            Field::Attachments,
            format!(
                "Files: {name} was not added; all files together can be at most {} and {} is already attached.",
                format_bytes(ATTACHMENTS_TOTAL_MAX_BYTES),
                format_bytes(total)
            ),
        ));
    }
    Ok(())
}

/// Checks a request's list of uploaded file ids: no id twice, at most [`ATTACHMENTS_MAX`] (the server
/// then checks the files themselves).
pub fn check_attachment_ids(ids: &[i64]) -> Option<FieldError> {
    let unique: HashSet<i64> = ids.iter().copied().collect();
    if unique.len() != ids.len() {
        Some(file_listed_twice())
    } else if ids.len() > ATTACHMENTS_MAX {
        Some(too_many_files())
    } else {
        None
    }
}

/// "Files: a file is listed twice."
pub fn file_listed_twice() -> FieldError {
    FieldError::new(Field::Attachments, "Files: a file is listed twice.")
}

/// "Files: attach at most 10 files."
pub fn too_many_files() -> FieldError {
    FieldError::new(
        Field::Attachments,
        format!("Files: attach at most {ATTACHMENTS_MAX} files."),
    )
}

/// [`ATTACHMENT_GONE`] on the `attachments` field.
pub fn attachment_gone() -> FieldError {
    FieldError::new(Field::Attachments, ATTACHMENT_GONE)
}

/// The answer to an upload when the user already has [`PENDING_UPLOADS_MAX`] files waiting.
pub fn too_many_pending_uploads() -> FieldError {
    FieldError::new(
        Field::Attachments,
        format!(
            "Files: remove some files, or create the ticket they are for, before uploading more. You can have at most {PENDING_UPLOADS_MAX} files that are not on a ticket yet."
        ),
    )
}

/// The answer to an upload request larger than any file may be (refused before it is read).
pub fn upload_too_large() -> FieldError {
    FieldError::new(
        Field::Attachments,
        format!(
            "Files: the upload is too large; each file can be at most {}.",
            format_bytes(ATTACHMENT_MAX_BYTES)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_checks_name_the_file_and_the_limit() {
        assert_eq!(
            check_attachment("shot.PNG", 10).unwrap(),
            AttachmentKind::Png
        );
        assert_eq!(
            check_attachment("trace.har", 10).unwrap(),
            AttachmentKind::Json
        );
        assert!(
            check_attachment("run.exe", 10)
                .unwrap_err()
                .message
                .contains("run.exe is not a file type")
        );
        assert!(check_attachment("noext", 10).is_err());
        assert_eq!(
            check_attachment("empty.txt", 0).unwrap_err().message,
            "Files: empty.txt is empty."
        );
        assert!(check_attachment("big.log", ATTACHMENT_MAX_BYTES).is_ok());
        assert_eq!(
            check_attachment("big.log", ATTACHMENT_MAX_BYTES + 1)
                .unwrap_err()
                .message,
            "Files: big.log is 25 MB; each file can be at most 25 MB."
        );
        assert!(check_attachment_room("a.txt", 1, 9, 0).is_ok());
        assert!(
            check_attachment_room("a.txt", 1, 10, 0)
                .unwrap_err()
                .message
                .contains("at most 10 files")
        );
        assert!(
            check_attachment_room("a.txt", 2, 1, ATTACHMENTS_TOTAL_MAX_BYTES - 1)
                .unwrap_err()
                .message
                .contains("at most 50 MB")
        );
    }

    #[test]
    fn content_must_match_the_claimed_type() {
        use AttachmentKind::*;
        assert!(Png.matches_content(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(!Png.matches_content(b"GIF89a......"));
        assert!(Jpeg.matches_content(b"\xff\xd8\xff\xe0"));
        assert!(Gif.matches_content(b"GIF87a"));
        assert!(Webp.matches_content(b"RIFF\x10\0\0\0WEBPVP8 "));
        assert!(!Webp.matches_content(b"RIFF\x10\0\0\0WAVEfmt "));
        assert!(Pdf.matches_content(b"%PDF-1.7"));
        assert!(Zip.matches_content(b"PK\x03\x04"));
        assert!(Gzip.matches_content(b"\x1f\x8b\x08"));
        assert!(Text.matches_content("2026-11-27 ERROR caf\u{e9}".as_bytes()));
        assert!(
            Text.matches_content(&"é".as_bytes()[..1]),
            "a character cut at the end"
        );
        assert!(
            !Text.matches_content(b"MZ\x90\0\x03"),
            "NUL bytes are binary"
        );
        assert!(!Text.matches_content(b"\xff\xfe\xfa bad"));
        assert!(Json.matches_content(b"\xef\xbb\xbf\n  {\"log\": {}}"));
        assert!(!Json.matches_content(b"hello"));
    }

    #[test]
    fn a_content_mismatch_names_the_file_and_the_claimed_kind() {
        assert!(
            check_attachment_content("a.png", AttachmentKind::Png, b"\x89PNG\r\n\x1a\n").is_ok()
        );
        let error = check_attachment_content("shot.png", AttachmentKind::Png, b"just some text")
            .unwrap_err();
        assert_eq!(error.field, "attachments");
        assert_eq!(
            error.message,
            "Files: shot.png does not look like a PNG image file; its content does not match its name."
        );
        assert!(
            check_attachment_content("notes.txt", AttachmentKind::Text, b"MZ\x90\0")
                .unwrap_err()
                .message
                .contains("like a text file")
        );
    }

    #[test]
    fn limit_messages_read_word_for_word_as_before() {
        assert_eq!(
            too_many_pending_uploads().message,
            "Files: remove some files, or create the ticket they are for, before uploading more. You can have at most 20 files that are not on a ticket yet."
        );
        assert_eq!(
            upload_too_large().message,
            "Files: the upload is too large; each file can be at most 25 MB."
        );
        assert_eq!(too_many_files().message, "Files: attach at most 10 files.");
        assert_eq!(
            file_listed_twice().message,
            "Files: a file is listed twice."
        );
        assert_eq!(attachment_gone().field, Field::Attachments);
        assert_eq!(check_attachment_ids(&[1, 1]), Some(file_listed_twice()));
        assert_eq!(
            check_attachment_ids(&(1..=11).collect::<Vec<_>>()),
            Some(too_many_files())
        );
        assert_eq!(check_attachment_ids(&(1..=10).collect::<Vec<_>>()), None);
    }
}
