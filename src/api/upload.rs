//! File uploads with progress. XMLHttpRequest, not fetch: only it reports upload progress.

use std::cell::RefCell;
use std::rc::Rc;

use api::Attachment;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::json::error_from;
use super::{ApiClient, ApiResult, ClientError};
use crate::json;

/// The XMLHttpRequest under way for one file, and what the browser calls while bytes go out.
struct Sending {
    xhr: web_sys::XmlHttpRequest,
    done: js_sys::Promise,
    // Kept alive until the upload settles: the browser calls it while bytes go out.
    _progress: Closure<dyn Fn(web_sys::ProgressEvent)>,
}

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
        let on_progress: Rc<dyn Fn(f64)> = Rc::new(on_progress);
        let sending = self.send_file(&url, file, name, on_progress.clone())?;
        Ok(Upload {
            client: *self,
            url,
            file: SendWrapper::new(file.clone()),
            name: name.to_owned(),
            on_progress: SendWrapper::new(on_progress),
            current: SendWrapper::new(Rc::new(RefCell::new(sending))),
        })
    }

    fn send_file(
        &self,
        url: &str,
        file: &web_sys::File,
        name: &str,
        on_progress: Rc<dyn Fn(f64)>,
    ) -> ApiResult<Sending> {
        let xhr = web_sys::XmlHttpRequest::new().map_err(|_| ClientError::Network)?;
        xhr.open_with_async("POST", url, true)
            .map_err(|_| ClientError::Network)?;
        let auth = self.auth();
        // As `prepare` does for fetch: the cookie unless the host hands over tokens.
        xhr.set_with_credentials(!auth.is_token_mode());
        if let Some(token) = auth.current() {
            let _ = xhr.set_request_header("authorization", &format!("Bearer {token}"));
        }
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
        Ok(Sending {
            xhr,
            done,
            _progress: progress,
        })
    }
}

/// An upload in flight: await [`Upload::finish`], or abort it through [`Upload::aborter`].
pub struct Upload {
    client: ApiClient,
    url: String,
    file: SendWrapper<web_sys::File>,
    name: String,
    on_progress: SendWrapper<Rc<dyn Fn(f64)>>,
    /// The request now under way (a new one after a token-mode retry).
    current: SendWrapper<Rc<RefCell<Sending>>>,
}

/// Cancels an upload, whichever of its requests is under way.
#[derive(Clone)]
pub struct UploadAborter(SendWrapper<Rc<RefCell<Sending>>>);

impl UploadAborter {
    /// Aborts the request under way.
    pub fn abort(&self) -> Result<(), wasm_bindgen::JsValue> {
        self.0.borrow().xhr.abort()
    }
}

impl Upload {
    /// A handle that can cancel this upload.
    pub fn aborter(&self) -> UploadAborter {
        UploadAborter(self.current.clone())
    }

    /// Waits for the server's answer. In token mode a 401 waits for the host's next token and sends
    /// the file once more.
    pub async fn finish(self) -> ApiResult<Attachment> {
        let auth = self.client.auth();
        let used = auth.current();
        let first = self.settled().await;
        if first.as_ref().err() != Some(&ClientError::Unauthenticated) || !auth.is_token_mode() {
            return self.report(first);
        }
        if !auth.new_token_since(used.as_deref()).await {
            return Err(ClientError::Aborted);
        }
        let again = self.client.send_file(
            &self.url,
            &self.file,
            &self.name,
            (*self.on_progress).clone(),
        )?;
        *self.current.borrow_mut() = again;
        let second = self.settled().await;
        self.report(second)
    }

    fn report(&self, result: ApiResult<Attachment>) -> ApiResult<Attachment> {
        if result.as_ref().err() == Some(&ClientError::Unauthenticated) {
            self.client.on_unauthenticated.try_run(());
        }
        result
    }

    /// The answer to the request under way.
    async fn settled(&self) -> ApiResult<Attachment> {
        let done = self.current.borrow().done.clone();
        let _ = wasm_bindgen_futures::JsFuture::from(done).await;
        let xhr = self.current.borrow().xhr.clone();
        let status = xhr.status().unwrap_or(0);
        let text = xhr.response_text().ok().flatten();
        match status {
            // No HTTP answer: offline, refused, or aborted by us.
            0 => Err(ClientError::Network),
            200..=299 => text
                .as_deref()
                .and_then(json::parse)
                .ok_or(ClientError::Unexpected(status)),
            _ => Err(error_from(status, text.as_deref())),
        }
    }
}
