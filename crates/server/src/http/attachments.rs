//! Files for tickets over HTTP: the multipart upload streamed to storage as it arrives, taking back an
//! upload, and downloading a ticket's file.

use api::Attachment;
use api::ticket::{ATTACHMENT_MAX_BYTES, upload_too_large};
use axum::body::Body;
use axum::extract::multipart::{Field, Multipart, MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::{Error, Result};
use crate::files::Files;
use crate::http::Route;
use crate::http::extract::{Json, Path};
use crate::rules::attachments::{self, IncomingFile, ReceivedFile, invalid};
use crate::rules::auth::Member;
use crate::state::AppState;

/// The upload route's body limit: one file at its largest plus room for the multipart framing. The
/// size check that answers users runs while streaming, well before this.
const UPLOAD_BODY_LIMIT: usize = ATTACHMENT_MAX_BYTES as usize + 1024 * 1024;

/// The operations of this resource, served under `/api/v1` by `http::router`.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::POST, "/organizations/{org_id}/attachments", upload)
            .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))
            .upload(crate::http::deadline::BodyKind::File),
        Route::new(
            Method::DELETE,
            "/organizations/{org_id}/attachments/{attachment_id}",
            remove,
        ),
        Route::new(
            Method::GET,
            "/organizations/{org_id}/tickets/{ticket_id}/attachments/{attachment_id}",
            download,
        ),
    ]
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

/// `POST /organizations/{org}/attachments`: one multipart part named `file`. 201 with the upload.
#[utoipa::path(
    post,
    path = "/organizations/{org_id}/attachments",
    operation_id = "upload_attachment",
    summary = "Uploads one file for a ticket or comment not sent yet.",
    tag = "attachments",
    security(("session" = [], "csrf" = []), ("bearer" = [], "csrf" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member).")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = Attachment),
        (status = 422, description = "`invalid_input` on `attachments`: a refused kind or size, or a file past the organization's storage quota.", body = api::ErrorBody),
        (status = 429, description = "`rate_limited`: the user or the organization uploaded too many files in the last hour; the message says which.",
            body = api::ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the request fits in the limit."))),
    ),
)]
async fn upload(
    State(state): State<AppState>,
    member: Member,
    headers: HeaderMap,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Attachment>)> {
    let mut multipart = match (
        attachments::check_can_upload(&state.store, &member, &state.limits).await,
        multipart,
    ) {
        (Ok(()), Ok(multipart)) => multipart,
        (Err(error), Ok(mut multipart)) => {
            // A refusal before the bytes (a limit, the pending count) must still reach a browser
            // that is sending a large file.
            drain(&mut multipart).await;
            return Err(error);
        }
        (Err(error), Err(_)) => return Err(error),
        (Ok(()), Err(rejection)) => return Err(Error::Malformed(rejection.body_text())),
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let received = match receive(&mut multipart, &state.files, declared).await {
        Ok(received) => received,
        Err(error) => {
            drain(&mut multipart).await;
            return Err(error);
        }
    };
    let attachment =
        attachments::record_upload(&state.store, &member, received, &state.limits).await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// Reads and drops the rest of the body (bounded by the route's limit) before an error answer. hyper
/// only discards what is already buffered and then closes, and a browser still sending a large file
/// may then report a reset connection instead of showing the message.
async fn drain(multipart: &mut Multipart) {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}

/// The upload's multipart body, for the OpenAPI document only (the handler streams the parts).
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "never built: it only describes the request body")]
struct UploadForm {
    /// The file, with its name in the part's `filename`.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    file: Vec<u8>,
}

/// A multipart failure: too large for the route is the user's problem to fix, anything else is a
/// client that did not send proper multipart. The only part there is is `file`, so the message names
/// it: multer's own text ("failed to read headers", for a NUL in the file name) names nothing.
fn multipart_error(error: MultipartError) -> Error {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        invalid(upload_too_large())
    } else {
        Error::Malformed(format!(
            "the multipart `file` part could not be read: {}.",
            error.body_text()
        ))
    }
}

/// The `file` part's file name, or why there is none: multer answers `None` both for a part without
/// a name and for a name that is not UTF-8, and only the first is fixed by sending a name.
fn file_name(field: &Field<'_>) -> Result<String> {
    if let Some(name) = field.file_name() {
        return Ok(name.to_owned());
    }
    let has_name = field
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .is_some_and(|value| value.as_bytes().windows(8).any(|w| w == b"filename"));
    Err(Error::Malformed(if has_name {
        "the `file` part's file name must be UTF-8 text.".into()
    } else {
        "the `file` part needs a file name.".into()
    }))
}

/// Streams the one `file` part to storage through [`IncomingFile`]'s checks. `declared` is the request's
/// Content-Length (0 if unknown), used to tell how large a refused file is.
async fn receive(multipart: &mut Multipart, files: &Files, declared: u64) -> Result<ReceivedFile> {
    let mut received = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() != Some("file") || received.is_some() {
            return Err(Error::Malformed(
                "send exactly one multipart part, named `file`.".into(),
            ));
        }
        let name = file_name(&field)?;
        let mut file = IncomingFile::create(files, &name, declared).await?;
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            file.write(&chunk).await?;
        }
        received = Some(file.finish().await?);
    }
    received
        .ok_or_else(|| Error::Malformed("send the file in a multipart part named `file`.".into()))
}

/// `DELETE /organizations/{org}/attachments/{id}`: the uploader takes back a file not on a ticket.
#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/attachments/{attachment_id}",
    operation_id = "remove_upload",
    summary = "Takes back an upload that is not on a ticket yet.",
    tag = "attachments",
    security(("session" = [], "csrf" = []), ("bearer" = [], "csrf" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member)."), ("attachment_id" = i64, Path, description = "The upload's id.")),
    responses((status = 204, description = "Removed.")),
)]
async fn remove(
    State(state): State<AppState>,
    member: Member,
    Path((_, attachment_id)): Path<(i64, i64)>,
) -> Result<StatusCode> {
    attachments::remove(&state.store, &member, attachment_id, &state.files).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /organizations/{org}/tickets/{ticket}/attachments/{id}`, for whoever may read the ticket.
#[utoipa::path(
    get,
    path = "/organizations/{org_id}/tickets/{ticket_id}/attachments/{attachment_id}",
    operation_id = "download_attachment",
    summary = "Downloads a file of a ticket.",
    tag = "attachments",
    security(("session" = []), ("bearer" = [])),
    params(("org_id" = i64, Path, description = "The organization's id (the signed-in user must be a member)."), ("ticket_id" = i64, Path, description = "The ticket's id."), ("attachment_id" = i64, Path, description = "The attachment's id.")),
    responses((status = 200, description = "The file, as an attachment, with the media type of its `Attachment.content_type`.",
        content_type = "*/*", body = Vec<u8>)),
)]
async fn download(
    State(state): State<AppState>,
    member: Member,
    Path((_, ticket_id, attachment_id)): Path<(i64, i64, i64)>,
) -> Result<Response> {
    let open = attachments::open(
        &state.store,
        &member,
        ticket_id,
        attachment_id,
        &state.files,
    )
    .await?;
    let content_type = HeaderValue::from_str(&open.about.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&content_disposition(&open.about.file_name))
        .map_err(anyhow::Error::from)?;
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_LENGTH, HeaderValue::from(open.about.size)),
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
    ];
    Ok((headers, Body::from_stream(open.body)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
