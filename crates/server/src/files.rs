//! Where the bytes of attachments live: a local folder (the default, `<data-dir>/attachments`) or an
//! S3-compatible bucket (`--attachments s3://bucket/prefix`). This is the only code that knows which;
//! `rules::attachments` does the checks and decides when a file is kept, the same way for both.
//!
//! Both keep the same promise: a new file exists, whole and durable, before the row naming it
//! commits, and a file nobody keeps is deleted when dropped (or, if the process dies first, by
//! `jobs::sweeper`, which lists both kinds the same way).

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::Context;
use axum::body::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use tokio::fs::File;
use tokio::io::{AsyncWriteExt, BufWriter};
use tokio_util::io::ReaderStream;
use tokio_util::task::TaskTracker;

use crate::error::Result;

/// Size of each part of a bucket upload (S3's smallest but for the last). With at most one part in
/// flight while the next fills ([`PARTS_IN_FLIGHT`]), an upload holds at most about twice this in
/// memory, whatever the file's size.
const PART_BYTES: usize = 5 * 1024 * 1024;
/// Parts being sent while the next one fills: the upload keeps receiving while a part is sent.
const PARTS_IN_FLIGHT: usize = 1;

/// `--attachments`: a folder, or `s3://bucket[/prefix]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Files under this folder.
    Folder(PathBuf),
    /// Objects under `prefix/` (none when empty) in `bucket`, reached with the AWS_* variables.
    Bucket { bucket: String, prefix: String },
}

impl FromStr for Location {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let Some(rest) = s.strip_prefix("s3://") else {
            if s.trim().is_empty() {
                return Err("expected a folder or s3://bucket/prefix".into());
            }
            if s.contains("://") {
                return Err(format!(
                    "{s:?}: only s3:// buckets and local folders are supported"
                ));
            }
            return Ok(Self::Folder(PathBuf::from(s)));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        // S3's bucket naming rules (3-63 of a-z, 0-9, `.`, `-`), so a typo is reported here rather
        // than as a signature or DNS error at the first upload.
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if !bucket_ok {
            return Err(format!(
                "{s:?}: the bucket name must be 3 to 63 lowercase letters, digits, dots or hyphens"
            ));
        }
        let prefix = prefix.trim_matches('/');
        ObjectPath::parse(prefix).map_err(|e| format!("{s:?}: the prefix is not usable: {e}"))?;
        Ok(Self::Bucket {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
        })
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Folder(dir) => write!(f, "{}", dir.display()),
            Self::Bucket { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

/// The attachments' storage, cheap to clone.
#[derive(Clone)]
pub enum Files {
    /// A local folder, created on the first upload.
    Folder(PathBuf),
    /// An S3-compatible bucket.
    Bucket(Bucket),
}

/// A bucket and the prefix the files are stored under.
#[derive(Clone)]
pub struct Bucket {
    store: Arc<AmazonS3>,
    prefix: ObjectPath,
    /// Deletions and aborted uploads started when a file was dropped (a drop cannot wait for them):
    /// tests and shutdown wait for them with [`Files::settle`].
    cleanups: TaskTracker,
}

impl fmt::Debug for Files {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Folder(dir) => write!(f, "Files::Folder({})", dir.display()),
            Self::Bucket(bucket) => write!(f, "Files::Bucket({}, {})", bucket.store, bucket.prefix),
        }
    }
}

/// A file's bytes as they are read.
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

impl Files {
    /// The storage at `location`. A bucket takes its endpoint, region and credentials from the
    /// AWS_* environment variables (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_ALLOW_HTTP); nothing is sent until the first file.
    pub fn open(location: &Location) -> anyhow::Result<Self> {
        Ok(match location {
            Location::Folder(dir) => Self::Folder(dir.clone()),
            Location::Bucket { bucket, prefix } => {
                let store = AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .build()
                    .with_context(|| format!("--attachments {location}"))?;
                Self::Bucket(Bucket {
                    store: Arc::new(store),
                    prefix: ObjectPath::from(prefix.as_str()),
                    cleanups: TaskTracker::new(),
                })
            }
        })
    }

    /// Starts a new file stored as `stored_name`, which is deleted when dropped unless
    /// [`NewFile::keep`] is called.
    pub async fn create(&self, stored_name: &str) -> Result<NewFile> {
        let target = match self {
            Self::Folder(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .with_context(|| format!("creating {}", dir.display()))?;
                let path = dir.join(stored_name);
                let file = File::create_new(&path)
                    .await
                    .with_context(|| format!("creating {}", path.display()))?;
                Target::Disk {
                    path,
                    writer: BufWriter::with_capacity(64 * 1024, file),
                }
            }
            Self::Bucket(bucket) => {
                let location = bucket.prefix.clone().join(stored_name);
                let upload = bucket
                    .store
                    .put_multipart(&location)
                    .await
                    .with_context(|| format!("starting the upload of {location}"))?;
                Target::Bucket {
                    bucket: bucket.clone(),
                    location,
                    upload: Some(WriteMultipart::new_with_chunk_size(upload, PART_BYTES)),
                }
            }
        };
        Ok(NewFile {
            name: stored_name.to_owned(),
            target,
            keep: false,
        })
    }

    /// Deletes the stored file `stored_name` whose row is gone. A failure only leaves a stray file
    /// for the sweep.
    pub async fn delete(&self, stored_name: &str) {
        match self {
            Self::Folder(dir) => remove_local(&dir.join(stored_name)).await,
            Self::Bucket(bucket) => {
                bucket
                    .delete(&bucket.prefix.clone().join(stored_name))
                    .await
            }
        }
    }

    /// The bytes of `stored_name`, streamed.
    pub async fn read(&self, stored_name: &str) -> Result<ByteStream> {
        Ok(match self {
            Self::Folder(dir) => {
                let path = dir.join(stored_name);
                let file = File::open(&path)
                    .await
                    .with_context(|| format!("opening {}", path.display()))?;
                ReaderStream::new(file).boxed()
            }
            Self::Bucket(bucket) => {
                let location = bucket.prefix.clone().join(stored_name);
                let object = bucket
                    .store
                    .get(&location)
                    .await
                    .with_context(|| format!("reading {location}"))?;
                object
                    .into_stream()
                    .map(|chunk| chunk.map_err(std::io::Error::other))
                    .boxed()
            }
        })
    }

    /// Names of the stored files (those `is_stored_name` accepts) last written at or before
    /// `cutoff`: what the sweep checks against the rows.
    pub async fn stored_before(
        &self,
        cutoff: SystemTime,
        is_stored_name: fn(&str) -> bool,
    ) -> Result<Vec<String>> {
        let mut names = Vec::new();
        match self {
            Self::Folder(dir) => {
                let mut entries = match tokio::fs::read_dir(dir).await {
                    Ok(entries) => entries,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(names),
                    Err(e) => {
                        return Err(anyhow::Error::from(e).context("listing attachments").into());
                    }
                };
                while let Some(entry) = entries.next_entry().await.context("listing attachments")? {
                    let name = entry.file_name();
                    let Some(name) = name.to_str().filter(|n| is_stored_name(n)) else {
                        continue;
                    };
                    let modified = entry.metadata().await.and_then(|m| m.modified());
                    if modified.is_ok_and(|m| m <= cutoff) {
                        names.push(name.to_owned());
                    }
                }
            }
            Self::Bucket(bucket) => {
                let mut listing = bucket.store.list(Some(&bucket.prefix));
                while let Some(meta) = listing.next().await {
                    let meta = meta.context("listing the attachments bucket")?;
                    // Only the prefix's own children: a deeper key is not one of ours.
                    let Some(name) = meta.location.filename().filter(|n| is_stored_name(n)) else {
                        continue;
                    };
                    if meta.location == bucket.prefix.clone().join(name)
                        && SystemTime::from(meta.last_modified) <= cutoff
                    {
                        names.push(name.to_owned());
                    }
                }
            }
        }
        Ok(names)
    }

    /// Waits until the deletions that dropped files started in the background are done (nothing to
    /// wait for with a folder, whose files are deleted on the spot).
    pub async fn settle(&self) {
        if let Self::Bucket(bucket) = self {
            bucket.cleanups.close();
            bucket.cleanups.wait().await;
            bucket.cleanups.reopen();
        }
    }
}

impl Bucket {
    /// Deletes `location`; gone already is fine.
    async fn delete(&self, location: &ObjectPath) {
        match self.store.delete(location).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => tracing::error!(%location, error = %e, "could not delete a file"),
        }
    }
}

/// Removes a local file; gone already is fine.
async fn remove_local(path: &Path) {
    match tokio::fs::remove_file(path).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::error!(path = %path.display(), error = %e, "could not delete a file"),
    }
}

/// A file being written. Deleted when dropped unless [`NewFile::keep`] was called, so every early
/// return, error and cancelled request (the client went away) cleans up after itself.
pub struct NewFile {
    name: String,
    target: Target,
    keep: bool,
}

enum Target {
    Disk {
        path: PathBuf,
        writer: BufWriter<File>,
    },
    Bucket {
        bucket: Bucket,
        location: ObjectPath,
        /// The multipart upload until it completes (`None` after: the object exists).
        upload: Option<WriteMultipart>,
    },
}

impl NewFile {
    /// The name it is stored under.
    pub fn stored_name(&self) -> &str {
        &self.name
    }

    /// Writes the next chunk. A bucket upload sends a part whenever [`PART_BYTES`] have
    /// gathered, and waits for the previous part first: memory stays bounded however large the file.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        match &mut self.target {
            Target::Disk { path, writer } => writer
                .write_all(chunk)
                .await
                .with_context(|| format!("writing {}", path.display()))?,
            Target::Bucket {
                location, upload, ..
            } => {
                let upload = upload
                    .as_mut()
                    .ok_or_else(|| anyhow::anyhow!("{location}: written after it was finished"))?;
                upload
                    .wait_for_capacity(PARTS_IN_FLIGHT)
                    .await
                    .with_context(|| format!("uploading {location}"))?;
                upload.write(chunk);
            }
        }
        Ok(())
    }

    /// Makes the whole file durable: on disk its bytes and its directory entry are synced (see
    /// [`durability`]); in a bucket the upload completes, after which the object exists.
    pub async fn finish(&mut self) -> Result<()> {
        match &mut self.target {
            Target::Disk { path, writer } => {
                writer.flush().await.context("flushing an upload")?;
                writer
                    .get_ref()
                    .sync_all()
                    .await
                    .context("syncing an upload")?;
                durability::note(&self.name, durability::Step::FileSynced);
                sync_dir(path).await?;
                durability::note(&self.name, durability::Step::DirSynced);
            }
            Target::Bucket {
                location, upload, ..
            } => {
                // Taken first: if completing fails, `WriteMultipart::finish` aborts the upload
                // itself, and the drop has nothing left to clean.
                let upload = upload
                    .take()
                    .ok_or_else(|| anyhow::anyhow!("{location}: finished twice"))?;
                upload
                    .finish()
                    .await
                    .with_context(|| format!("completing the upload of {location}"))?;
            }
        }
        Ok(())
    }

    /// The file stays when dropped: called just before the transaction recording it commits.
    pub fn keep(mut self) {
        durability::note(&self.name, durability::Step::Kept);
        self.keep = true;
    }
}

impl Drop for NewFile {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        match &mut self.target {
            Target::Disk { path, .. } => {
                if let Err(e) = std::fs::remove_file(&*path)
                    && e.kind() != std::io::ErrorKind::NotFound
                {
                    tracing::error!(path = %path.display(), error = %e, "could not delete a partial upload");
                }
            }
            Target::Bucket {
                bucket,
                location,
                upload,
            } => {
                // A drop cannot wait: the clean-up runs as a task. Outside a runtime (never in the
                // server) the sweep deletes a completed object; an uncompleted upload is invisible
                // and left to the bucket's lifecycle rule (README).
                let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                    tracing::error!(%location, "dropped outside a runtime: left for the sweep");
                    return;
                };
                let upload = upload.take();
                let owner = bucket.clone();
                let location = location.clone();
                bucket.cleanups.spawn_on(
                    async move {
                        match upload {
                            Some(upload) => {
                                if let Err(e) = upload.abort().await {
                                    tracing::error!(%location, error = %e, "could not abort an upload");
                                }
                            }
                            None => owner.delete(&location).await,
                        }
                    },
                    &runtime,
                );
            }
        }
    }
}

/// Makes a new file's directory entry durable: syncing a file does not sync the directory that
/// names it, and after a power cut a row committed right after could refer to a file the directory
/// lost. Called before the row is recorded.
#[cfg(unix)]
async fn sync_dir(file: &Path) -> Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    File::open(dir)
        .await
        .with_context(|| format!("opening {}", dir.display()))?
        .sync_all()
        .await
        .context("syncing the attachments directory")?;
    Ok(())
}

/// Elsewhere a directory cannot be opened as a file (and NTFS journals its entries).
#[cfg(not(unix))]
async fn sync_dir(_file: &Path) -> Result<()> {
    Ok(())
}

/// What the tests read to check that a new file in a folder is durable before its row commits: a
/// file's content and directory entry must both be synced first, or a power cut could leave a
/// committed row naming a lost file; and it must be marked kept before the commit is issued, or a
/// request dropped inside the commit could delete it (`rules::attachments::commit_keeping`).
/// Nothing is recorded without the `test-support` feature.
pub mod durability {
    /// One step in making a new file durable.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Step {
        /// The file's bytes were synced (`fsync`).
        FileSynced,
        /// The directory naming it was synced.
        DirSynced,
        /// The file was marked to stay on disk, just before its row's transaction commits.
        Kept,
        /// Its row's transaction committed.
        Committed,
    }

    #[cfg(feature = "test-support")]
    static STEPS: std::sync::Mutex<Vec<(String, Step)>> = std::sync::Mutex::new(Vec::new());

    /// Records `step` for the file stored as `stored_name`.
    #[cfg(feature = "test-support")]
    pub(crate) fn note(stored_name: &str, step: Step) {
        STEPS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((stored_name.to_owned(), step));
    }

    /// Without the feature, nothing: product builds carry no recorder.
    #[cfg(not(feature = "test-support"))]
    #[inline(always)]
    pub(crate) fn note(_stored_name: &str, _step: Step) {}

    /// The steps recorded for the file stored as `stored_name`, in order (tests run in parallel in
    /// one process: each asks about its own file).
    #[cfg(feature = "test-support")]
    pub fn steps(stored_name: &str) -> Vec<Step> {
        STEPS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(name, _)| name == stored_name)
            .map(|(_, step)| *step)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_is_a_folder_or_an_s3_bucket_with_a_prefix() {
        assert_eq!(
            "data/files".parse::<Location>(),
            Ok(Location::Folder(PathBuf::from("data/files")))
        );
        assert_eq!(
            "s3://support-files/prod/attachments/".parse::<Location>(),
            Ok(Location::Bucket {
                bucket: "support-files".into(),
                prefix: "prod/attachments".into()
            })
        );
        assert_eq!(
            "s3://support-files".parse::<Location>(),
            Ok(Location::Bucket {
                bucket: "support-files".into(),
                prefix: String::new()
            })
        );
    }

    #[test]
    fn a_bad_location_is_refused_with_a_reason() {
        for (bad, reason) in [
            ("s3://Support_Files/x", "bucket name"),
            ("s3://", "bucket name"),
            ("s3://ok-bucket/a/../b", "prefix"),
            ("gs://bucket/x", "only s3://"),
            ("", "expected a folder"),
        ] {
            let error = bad.parse::<Location>().unwrap_err();
            assert!(error.contains(reason), "{bad:?}: {error}");
        }
    }
}
