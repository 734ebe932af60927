//! Files for tickets: uploaded before the ticket exists (so the form can show progress and errors per
//! file), attached when it is created (`rules::tickets`), downloaded by the ticket's readers, and
//! swept after a day when never attached (`jobs::sweeper`).
//!
//! The bytes are stored in the attachments folder or bucket ([`Files`]) under a random name the
//! server chose; the uploader's file name is only kept, cleaned, as a label. A file's type is checked
//! by its extension and by its first bytes while it streams to storage ([`IncomingFile`]), so a
//! mislabelled file never lands.

use api::ticket::{
    ATTACHMENT_MAX_BYTES, PENDING_UPLOADS_MAX, check_attachment, check_attachment_content,
    too_many_pending_uploads,
};
use api::{Attachment, AttachmentKind, FieldError};
use rand::RngCore;

use crate::clock;
use crate::error::{Error, Result};
pub use crate::files::durability;
use crate::files::{ByteStream, Files, NewFile};
use crate::rules::auth::Member;
use crate::rules::limits::{self, Action, Limits};
use crate::rules::support;
use crate::rules::tickets::{self, FREE_PLAN};
use crate::store::attachments::{Download, NewUpload};
use crate::store::{Store, Tx};

/// How many leading bytes the content check looks at (more than any signature; enough text to tell
/// UTF-8 from binary).
const HEAD_BYTES: usize = 512;

/// A 422 about the files.
pub fn invalid(error: FieldError) -> Error {
    Error::Invalid(vec![error.into()])
}

/// 422 when the user has [`PENDING_UPLOADS_MAX`] uploads waiting for a ticket.
fn too_many_pending() -> Error {
    invalid(too_many_pending_uploads())
}

/// [`PENDING_UPLOADS_MAX`] as the store counts.
const PENDING_MAX: i64 = PENDING_UPLOADS_MAX as i64;

// ---------------------------------------------------------------------------------------------
// File names

/// Characters that confuse shells, Windows or header quoting, dropped from shown file names.
fn is_unsafe_in_name(c: char) -> bool {
    c.is_control()
        || matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*')
        // Bidirectional overrides make "gnp.exe" display as "exe.png".
        || api::validate::is_bidi_control(c)
}

/// Longest file name kept, in characters.
const FILE_NAME_MAX_CHARS: usize = 200;

/// The uploader's file name made safe to store and show: the last path component only, without
/// control, bidirectional-override and quoting characters, trimmed, without leading dots, at most
/// `FILE_NAME_MAX_CHARS` characters with the extension kept; `file` when nothing is left of the stem.
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

/// 32 hex characters: the name a file is stored under.
fn random_name() -> String {
    let mut raw = [0u8; 16];
    rand::rng().fill_bytes(&mut raw);
    hex::encode(raw)
}

/// Whether `name` is one [`IncomingFile`] could have stored a file under.
pub fn is_stored_name(name: &str) -> bool {
    name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

// ---------------------------------------------------------------------------------------------
// Uploading

/// Commits `tx`, whose rows name `files`, keeping the files stored. They are marked kept just
/// before the commit, not after: a deadline or a shutdown can drop the request's future inside
/// `commit().await` while SQLite still commits, and a file deleted then would leave a committed row
/// naming a lost file. If the commit fails instead, the files stay without rows, and
/// `jobs::sweeper` deletes them once they are a day old.
async fn commit_keeping(tx: Tx, files: Vec<NewFile>) -> Result<()> {
    let names: Vec<String> = files.iter().map(|f| f.stored_name().to_owned()).collect();
    for file in files {
        file.keep();
    }
    tx.commit().await?;
    for name in &names {
        durability::note(name, durability::Step::Committed);
    }
    Ok(())
}

/// [`commit_keeping`] for the files recorded in `tx` by [`record_attached`].
pub async fn commit_keeping_files(tx: Tx, files: Vec<KeptFile>) -> Result<()> {
    commit_keeping(tx, files.into_iter().map(|f| f.file).collect()).await
}

/// A file arriving in chunks, checked on the way: its type by its extension before anything is
/// written, its content by its first bytes, its size at every chunk (so a huge file stops at the first
/// chunk past the limit, not at its end).
pub struct IncomingFile {
    file: NewFile,
    file_name: String,
    kind: AttachmentKind,
    /// The request's Content-Length (0 if unknown), which bounds the file's: the best estimate of a
    /// refused file's size when we stop early.
    declared: u64,
    size: u64,
    head: Vec<u8>,
    head_checked: bool,
}

/// A file that passed every check, stored but not recorded yet.
pub struct ReceivedFile {
    file: NewFile,
    file_name: String,
    kind: AttachmentKind,
    size: u64,
}

impl IncomingFile {
    /// Starts a file the uploader called `raw_name` in `files`, under a random name.
    pub async fn create(files: &Files, raw_name: &str, declared: u64) -> Result<Self> {
        let file_name = sanitize_file_name(raw_name);
        let kind = check_attachment(&file_name, 1).map_err(invalid)?;
        let file = files.create(&random_name()).await?;
        Ok(Self {
            file,
            file_name,
            kind,
            declared,
            size: 0,
            head: Vec::with_capacity(HEAD_BYTES),
            head_checked: false,
        })
    }

    /// Checks and writes the next chunk.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        self.size += chunk.len() as u64;
        if self.size > ATTACHMENT_MAX_BYTES {
            check_attachment(&self.file_name, self.size.max(self.declared)).map_err(invalid)?;
        }
        if !self.head_checked {
            let take = (HEAD_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
            if self.head.len() == HEAD_BYTES {
                check_attachment_content(&self.file_name, self.kind, &self.head)
                    .map_err(invalid)?;
                self.head_checked = true;
            }
        }
        self.file.write(chunk).await
    }

    /// The last checks (a file shorter than the head is checked now, whole; an empty file fails the
    /// size check), then the bytes are made durable.
    pub async fn finish(mut self) -> Result<ReceivedFile> {
        check_attachment(&self.file_name, self.size).map_err(invalid)?;
        if !self.head_checked {
            check_attachment_content(&self.file_name, self.kind, &self.head).map_err(invalid)?;
        }
        self.file.finish().await?;
        Ok(ReceivedFile {
            file: self.file,
            file_name: self.file_name,
            kind: self.kind,
            size: self.size,
        })
    }
}

/// Whether `member` may upload at all: not on free services (403), with room for one more pending
/// upload (422) and within the upload limits (429), checked before the bytes are received.
pub async fn check_can_upload(store: &Store, member: &Member, limits: &Limits) -> Result<()> {
    let org_id = member.organization.id;
    if support::current_tier(store, org_id, member.organization.plan)
        .await?
        .is_none()
    {
        return Err(Error::Forbidden(FREE_PLAN));
    }
    if store.pending_upload_count(org_id, member.user.id).await? >= PENDING_MAX {
        return Err(too_many_pending());
    }
    let mut tx = store.begin().await?;
    limits.check(&mut tx, member, Action::Upload, 1).await
}

/// Records the received file as `member`'s upload and keeps it on disk. The upload limits, the
/// organization's storage quota and the pending count are checked again in the write transaction
/// that inserts it: two uploads at once must not both squeeze in. A refused file is deleted.
pub async fn record_upload(
    store: &Store,
    member: &Member,
    received: ReceivedFile,
    limits: &Limits,
) -> Result<Attachment> {
    let org_id = member.organization.id;
    let upload = NewUpload {
        organization_id: org_id,
        uploaded_by: member.user.id,
        file_name: &received.file_name,
        stored_name: received.file.stored_name(),
        size: received.size,
        content_type: received.kind.content_type(),
        created_at: clock::now_timestamp(),
    };
    let mut tx = store.begin_write().await?;
    limits.take(&mut tx, member, Action::Upload, 1).await?;
    let used = tx.organization_files_bytes(org_id).await?;
    if used.saturating_add(received.size) > limits.quota_bytes {
        return Err(limits::over_quota(
            &received.file_name,
            received.size,
            used,
            limits.quota_bytes,
        ));
    }
    let id = tx
        .insert_upload(&upload, PENDING_MAX)
        .await?
        .ok_or_else(too_many_pending)?;
    commit_keeping(tx, vec![received.file]).await?;
    tracing::info!(
        attachment_id = id,
        org_id,
        size = received.size,
        "file uploaded"
    );
    Ok(Attachment {
        id,
        file_name: received.file_name,
        size: received.size,
        content_type: received.kind.content_type().to_owned(),
    })
}

/// The received file, recorded in `tx` on ticket `ticket_id` and its comment `activity_id` (an
/// email reply's file: checked like an upload, never pending). `uploaded_by` is the console user
/// who sent it, or the ticket's submitter for someone who is not a console user (the comment names
/// the real sender). The file stays stored only if `tx` is committed by [`commit_keeping_files`].
pub async fn record_attached(
    tx: &mut Tx,
    received: ReceivedFile,
    organization_id: i64,
    uploaded_by: i64,
    ticket_id: i64,
    activity_id: i64,
) -> Result<KeptFile> {
    let upload = NewUpload {
        organization_id,
        uploaded_by,
        file_name: &received.file_name,
        stored_name: received.file.stored_name(),
        size: received.size,
        content_type: received.kind.content_type(),
        created_at: clock::now_timestamp(),
    };
    tx.insert_attached_file(&upload, ticket_id, activity_id)
        .await?;
    Ok(KeptFile {
        file: received.file,
        file_name: received.file_name,
    })
}

/// A file recorded in a transaction that has not committed yet: deleted when dropped, unless
/// [`commit_keeping_files`] keeps it.
pub struct KeptFile {
    file: NewFile,
    /// The cleaned name it is shown under.
    pub file_name: String,
}

impl ReceivedFile {
    /// The cleaned name it is shown under.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// Its size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }
}

// ---------------------------------------------------------------------------------------------
// Removing and downloading

/// The uploader takes back a file not attached to a ticket yet. 404 for anything else.
pub async fn remove(store: &Store, member: &Member, id: i64, files: &Files) -> Result<()> {
    let stored = store
        .delete_upload(member.organization.id, member.user.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    files.delete(&stored).await;
    Ok(())
}

/// A file ready to be sent.
pub struct OpenFile {
    /// Its bytes, streamed from the folder or the bucket.
    pub body: ByteStream,
    /// Its row: name, type, size.
    pub about: Download,
}

/// A ticket's file, for whoever may read the ticket ([`tickets::load_readable`]).
pub async fn open(
    store: &Store,
    member: &Member,
    ticket_id: i64,
    attachment_id: i64,
    files: &Files,
) -> Result<OpenFile> {
    tickets::load_readable(store, member, ticket_id).await?;
    let about = store
        .ticket_file(ticket_id, attachment_id)
        .await?
        .ok_or(Error::NotFound)?;
    let body = files.read(&about.stored_name).await?;
    Ok(OpenFile { body, about })
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
    fn stored_names_are_32_hex_characters() {
        let name = random_name();
        assert!(is_stored_name(&name), "{name}");
        assert_ne!(name, random_name());
        assert!(!is_stored_name("support.db"));
    }
}
