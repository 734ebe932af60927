//! Uploaded files as rows: who uploaded them, their ticket once attached, and their name on disk.
//! Lists of ids travel as one JSON array (SQLite's `json_each`, PostgreSQL's
//! `json_array_elements_text` read it), so a list of any length is one bound parameter.

use api::Timestamp;
use sqlx::query::QueryScalar;
use sqlx::{Database, Encode, Type};

use super::{Store, Tx, codec};
use crate::error::Result;

/// Binds `upload` to `$1`..`$7` of an insert that lists the columns `organization_id, uploaded_by,
/// file_name, stored_name, size, content_type, created_at` in that order: both inserts below record
/// the same seven, and one place keeps their order and encoding (size as a signed integer, the time
/// as text) the same on both engines.
fn bind_upload<'q, DB, O>(
    query: QueryScalar<'q, DB, O, DB::Arguments>,
    upload: &NewUpload<'q>,
) -> Result<QueryScalar<'q, DB, O, DB::Arguments>>
where
    DB: Database,
    i64: Encode<'q, DB> + Type<DB>,
    &'q str: Encode<'q, DB> + Type<DB>,
    String: Encode<'q, DB> + Type<DB>,
{
    Ok(query
        .bind(upload.organization_id)
        .bind(upload.uploaded_by)
        .bind(upload.file_name)
        .bind(upload.stored_name)
        .bind(i64::try_from(upload.size).map_err(anyhow::Error::from)?)
        .bind(upload.content_type)
        .bind(upload.created_at.to_string()))
}

/// A file that has been received and checked, to record.
#[derive(Debug, Clone)]
pub struct NewUpload<'a> {
    pub organization_id: i64,
    pub uploaded_by: i64,
    /// The uploader's name, cleaned: a label only.
    pub file_name: &'a str,
    /// The random name it is stored under.
    pub stored_name: &'a str,
    pub size: u64,
    pub content_type: &'a str,
    pub created_at: Timestamp,
}

/// One of a user's uploads that no ticket holds yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedFile {
    pub id: i64,
    pub file_name: String,
    pub size: u64,
}

/// What a download needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Download {
    pub file_name: String,
    pub stored_name: String,
    pub content_type: String,
    pub size: i64,
}

impl Store {
    /// How many uploads the user has in the organization that no ticket holds yet.
    pub async fn pending_upload_count(&self, org_id: i64, user_id: i64) -> Result<i64> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT COUNT(*) FROM attachments
             WHERE organization_id = $1 AND uploaded_by = $2 AND ticket_id IS NULL",
            )
            .bind(org_id)
            .bind(user_id)
            .fetch_one(pool)
            .await?)
        })
    }

    /// Deletes the user's upload `id` if no ticket holds it yet; its stored name, or `None`.
    pub async fn delete_upload(
        &self,
        org_id: i64,
        user_id: i64,
        id: i64,
    ) -> Result<Option<String>> {
        on_writer!(self, |pool| {
            Ok(sqlx::query_scalar(
                "DELETE FROM attachments
             WHERE id = $1 AND organization_id = $2 AND uploaded_by = $3 AND ticket_id IS NULL
             RETURNING stored_name",
            )
            .bind(id)
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// The file `id` of ticket `ticket_id`, if the ticket has it.
    pub async fn ticket_file(&self, ticket_id: i64, id: i64) -> Result<Option<Download>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT file_name, stored_name, content_type, size FROM attachments
             WHERE id = $1 AND ticket_id = $2",
            )
            .bind(id)
            .bind(ticket_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Deletes the uploads no ticket holds that were made at or before `cutoff` (whole seconds: an age
    /// of zero takes this second's too); their stored names.
    pub async fn delete_unattached_before(&self, cutoff: Timestamp) -> Result<Vec<String>> {
        on_writer!(self, |pool| {
            Ok(sqlx::query_scalar(
            "DELETE FROM attachments WHERE ticket_id IS NULL AND created_at <= $1 RETURNING stored_name",
        )
        .bind(cutoff.to_string())
        .fetch_all(pool)
        .await?)
        })
    }

    /// Whether a row refers to the stored file `name`.
    pub async fn is_stored_file(&self, name: &str) -> Result<bool> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM attachments WHERE stored_name = $1)",
            )
            .bind(name)
            .fetch_one(pool)
            .await?)
        })
    }
}

impl Tx {
    /// Records an upload and returns its id, or `None` when the uploader already has `max_pending`
    /// unattached uploads in the organization. The count is checked in the insert itself: two uploads
    /// at once must not both squeeze in.
    pub async fn insert_upload(
        &mut self,
        upload: &NewUpload<'_>,
        max_pending: i64,
    ) -> Result<Option<i64>> {
        on_tx!(self, |conn| {
            Ok(bind_upload(
                sqlx::query_scalar(
                    "INSERT INTO attachments
                     (organization_id, uploaded_by, file_name, stored_name, size, content_type,
                      created_at)
                     SELECT $1, $2, $3, $4, $5, $6, $7
                     WHERE (SELECT COUNT(*) FROM attachments
                            WHERE organization_id = $1 AND uploaded_by = $2 AND ticket_id IS NULL) < $8
                     RETURNING id",
                ),
                upload,
            )?
            .bind(max_pending)
            .fetch_optional(&mut *conn)
            .await?)
        })
    }

    /// Bytes of every file the organization has stored: attached and still pending uploads (a
    /// removed or swept upload has no row, a refused one never got one).
    pub async fn organization_files_bytes(&mut self, org_id: i64) -> Result<u64> {
        on_tx!(self, |conn| {
            let total: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM attachments WHERE organization_id = $1",
        )
        .bind(org_id)
        .fetch_one(&mut *conn)
        .await?;
            codec::unsigned(total)
        })
    }

    /// Records a received file directly on ticket `ticket_id` and its comment `activity_id` (files
    /// that arrive in an email reply are never pending uploads); its id.
    pub async fn insert_attached_file(
        &mut self,
        upload: &NewUpload<'_>,
        ticket_id: i64,
        activity_id: i64,
    ) -> Result<i64> {
        on_tx!(self, |conn| {
            Ok(bind_upload(
                sqlx::query_scalar(
                    "INSERT INTO attachments
                     (organization_id, uploaded_by, file_name, stored_name, size, content_type,
                      created_at, ticket_id, activity_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     RETURNING id",
                ),
                upload,
            )?
            .bind(ticket_id)
            .bind(activity_id)
            .fetch_one(&mut *conn)
            .await?)
        })
    }

    /// Those of `ids` that are the user's own uploads in the organization and on no ticket yet.
    pub async fn unattached_uploads(
        &mut self,
        org_id: i64,
        user_id: i64,
        ids: &[i64],
    ) -> Result<Vec<UploadedFile>> {
        on_tx!(self, |conn, pg| {
            let rows: Vec<(i64, String, i64)> = sqlx::query_as(if pg {
                "SELECT id, file_name, size FROM attachments
             WHERE organization_id = $1 AND uploaded_by = $2 AND ticket_id IS NULL
               AND id IN (SELECT value::bigint FROM json_array_elements_text($3::json))"
            } else {
                "SELECT id, file_name, size FROM attachments
             WHERE organization_id = $1 AND uploaded_by = $2 AND ticket_id IS NULL
               AND id IN (SELECT value FROM json_each($3))"
            })
            .bind(org_id)
            .bind(user_id)
            .bind(codec::ids_json(ids)?)
            .fetch_all(&mut *conn)
            .await?;
            rows.into_iter()
                .map(|(id, file_name, size)| {
                    Ok(UploadedFile {
                        id,
                        file_name,
                        size: codec::unsigned(size)?,
                    })
                })
                .collect()
        })
    }

    /// How many files the ticket holds and their bytes, its comments' included.
    pub async fn ticket_files(&mut self, ticket_id: i64) -> Result<(usize, u64)> {
        on_tx!(self, |conn| {
            let (count, total): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM attachments WHERE ticket_id = $1",
        )
        .bind(ticket_id)
        .fetch_one(&mut *conn)
        .await?;
            Ok((
                usize::try_from(count).map_err(anyhow::Error::from)?,
                codec::unsigned(total)?,
            ))
        })
    }

    /// Attaches those of `ids` that are still the user's unattached uploads in the organization to
    /// the ticket (and to the comment `activity_id`, for files sent with a comment). Returns the
    /// names of the files it attached: fewer than `ids` when some were deleted, swept or attached by
    /// a parallel request meanwhile.
    pub async fn attach_uploads(
        &mut self,
        ticket_id: i64,
        activity_id: Option<i64>,
        org_id: i64,
        user_id: i64,
        ids: &[i64],
    ) -> Result<Vec<String>> {
        on_tx!(self, |conn, pg| {
            Ok(sqlx::query_scalar(if pg {
                "UPDATE attachments SET ticket_id = $1, activity_id = $2
             WHERE organization_id = $3 AND uploaded_by = $4 AND ticket_id IS NULL
               AND id IN (SELECT value::bigint FROM json_array_elements_text($5::json))
             RETURNING file_name"
            } else {
                "UPDATE attachments SET ticket_id = $1, activity_id = $2
             WHERE organization_id = $3 AND uploaded_by = $4 AND ticket_id IS NULL
               AND id IN (SELECT value FROM json_each($5))
             RETURNING file_name"
            })
            .bind(ticket_id)
            .bind(activity_id)
            .bind(org_id)
            .bind(user_id)
            .bind(codec::ids_json(ids)?)
            .fetch_all(&mut *conn)
            .await?)
        })
    }
}
