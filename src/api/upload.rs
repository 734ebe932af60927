//! File uploads with progress. XMLHttpRequest, not fetch: only it reports upload progress.

use api::Attachment;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::json::error_from;
use super::{ApiClient, ApiResult, ClientError};
use crate::json;

impl ApiClient {
    /// Starts uploading `file` as `name`; `on_progress` gets the fraction sent (0.0 to 1.0).
    pub fn upload(
        &self,
        org_id: i64,
        file: &web_sys::File,
        name: &str,
        on_progress: impl Fn(f64) + 'static,
    ) -> ApiResult<Upload> {
        let url = self.url(&format!("/organizations/{org_id}/attachments"));
        let xhr = web_sys::XmlHttpRequest::new().map_err(|_| ClientError::Network)?;
        xhr.open_with_async("POST", &url, true)
            .map_err(|_| ClientError::Network)?;
        xhr.set_with_credentials(true);
        let _ = xhr.set_request_header("accept", "application/json");
        let _ = xhr.set_request_header(api::CSRF_HEADER, api::CSRF_VALUE);
        let progress =
            Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |ev: web_sys::ProgressEvent| {
                if ev.length_computable() && ev.total() > 0.0 {
                    on_progress(ev.loaded() / ev.total());
                }
            });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        }
        let form = web_sys::FormData::new().map_err(|_| ClientError::Network)?;
        form.append_with_blob_and_filename("file", file, name)
            .map_err(|_| ClientError::Network)?;
        // `loadend` follows success, error and abort alike: one place to settle the promise.
        let done = js_sys::Promise::new(&mut |resolve, _reject| {
            let _ = xhr.add_event_listener_with_callback("loadend", &resolve);
        });
        xhr.send_with_opt_form_data(Some(&form))
            .map_err(|_| ClientError::Network)?;
        Ok(Upload {
            xhr: SendWrapper::new(xhr),
            done: SendWrapper::new(done),
            _progress: SendWrapper::new(progress),
            on_unauthenticated: self.on_unauthenticated,
        })
    }
}

/// An upload in flight: await [`Upload::finish`], or abort it through [`Upload::aborter`].
pub struct Upload {
    xhr: SendWrapper<web_sys::XmlHttpRequest>,
    done: SendWrapper<js_sys::Promise>,
    // Kept alive until the upload settles: the browser calls it while bytes go out.
    _progress: SendWrapper<Closure<dyn Fn(web_sys::ProgressEvent)>>,
    on_unauthenticated: Callback<()>,
}

impl Upload {
    /// A handle that can cancel this upload.
    pub fn aborter(&self) -> SendWrapper<web_sys::XmlHttpRequest> {
        self.xhr.clone()
    }

    /// Waits for the server's answer.
    pub async fn finish(self) -> ApiResult<Attachment> {
        let _ = wasm_bindgen_futures::JsFuture::from((*self.done).clone()).await;
        let status = self.xhr.status().unwrap_or(0);
        let text = self.xhr.response_text().ok().flatten();
        match status {
            // No HTTP answer: offline, refused, or aborted by us.
            0 => Err(ClientError::Network),
            200..=299 => text
                .as_deref()
                .and_then(json::parse)
                .ok_or(ClientError::Unexpected(status)),
            _ => {
                let error = error_from(status, text.as_deref());
                if error == ClientError::Unauthenticated {
                    self.on_unauthenticated.try_run(());
                }
                Err(error)
            }
        }
    }
}
