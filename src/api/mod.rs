//! The only code that talks HTTP: typed calls to the backend with one client error type.
//!
//! The client knows nothing of the app's session: it reports a 401 through the callback it was made
//! with, and the app decides what that means (the sign-in form). In token mode (see [`Auth`]) it first
//! asks the host for a new token and retries once.

mod auth;
mod error;
mod json;
mod upload;

use api::{
    Following, Me, NewComment, NewTicket, SignInRequest, StatusChange, SupportStatus, Ticket,
    TicketList, TicketListQuery, TicketOptions, UpgradeOptions, UpgradeRequest,
    UpgradeRequestInput,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, RequestCredentials};

pub use auth::Auth;
pub use error::{ApiResult, ClientError};
use json::{error_from, json_text, read_json};
pub use upload::{Upload, UploadAborter};

/// Cancels a request when the reactive scope that started it is cleaned up (navigation, refetch).
/// Call inside a resource's fetcher, before the first `.await`.
pub fn abort_on_cleanup() -> Option<AbortSignal> {
    let controller = AbortController::new().ok()?;
    let signal = controller.signal();
    let controller = SendWrapper::new(controller);
    on_cleanup(move || controller.abort());
    Some(signal)
}

/// Typed access to the backend. Cheap to copy; provided as context.
#[derive(Clone, Copy)]
pub struct ApiClient {
    base: StoredValue<String>,
    on_unauthenticated: Callback<()>,
    auth: StoredValue<Auth>,
    /// Aborted when the app is unmounted: a request no scope of its own cancels still stops then.
    lifetime: StoredValue<Option<SendWrapper<AbortSignal>>>,
    /// Answers the page started before the wasm had loaded (`mount`'s `early` option): URL, as
    /// [`Self::url`] writes it, -> `Promise<Response>`. Each is used once, by the first GET of its URL.
    early: StoredValue<Option<SendWrapper<js_sys::Object>>>,
}

impl ApiClient {
    /// A client for the API at `base` (empty for same origin) that calls `on_unauthenticated` whenever
    /// the server says the session is missing or has ended.
    pub fn new(base: &str, on_unauthenticated: Callback<()>) -> Self {
        Self {
            base: StoredValue::new(base.trim_end_matches('/').to_owned()),
            on_unauthenticated,
            auth: StoredValue::new(Auth::cookie()),
            lifetime: StoredValue::new(None),
            early: StoredValue::new(None),
        }
    }

    /// The same client answering its first GET of each URL in `early` (URL -> `Promise<Response>`)
    /// with that response instead of asking again. The standalone page starts the first screen's
    /// requests while the wasm downloads, which takes their round trips off the first paint.
    pub fn with_early(self, early: js_sys::Object) -> Self {
        self.early.set_value(Some(SendWrapper::new(early)));
        self
    }

    /// The same client authenticating with `auth` (token mode when the host hands over tokens).
    pub fn with_auth(self, auth: Auth) -> Self {
        self.auth.set_value(auth);
        self
    }

    /// The same client cancelling every request without a signal of its own when `signal` aborts.
    pub fn with_lifetime(self, signal: AbortSignal) -> Self {
        self.lifetime.set_value(Some(SendWrapper::new(signal)));
        self
    }

    /// How requests authenticate (shared with the host's mount handle).
    pub fn auth(&self) -> Auth {
        self.auth.get_value()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}{path}", self.base.get_value(), api::API_PREFIX)
    }

    fn prepare(&self, builder: RequestBuilder, signal: Option<&AbortSignal>) -> RequestBuilder {
        let lifetime = self.lifetime.get_value();
        let signal = signal.or(lifetime.as_deref());
        let auth = self.auth.get_value();
        let builder = match auth.current() {
            Some(token) => builder.header("authorization", &format!("Bearer {token}")),
            None => builder,
        };
        builder
            .credentials(if auth.is_token_mode() {
                // The token says who the user is; no cookie may (not even ours, on the same origin:
                // with no token yet the request must not pass as whoever the cookie names).
                RequestCredentials::Omit
            } else {
                RequestCredentials::Include
            })
            .header("accept", "application/json")
            .header(api::CSRF_HEADER, api::CSRF_VALUE)
            .abort_signal(signal)
    }

    /// Sends the request `make` builds; a successful answer is returned for the caller to read, any
    /// other becomes the one client error (a 401 is also reported to `on_unauthenticated`). In token
    /// mode a 401 first waits for the host's next token and sends the request once more: `make` runs
    /// again, so the retry carries the new token and the same body and idempotency key.
    async fn send(
        &self,
        make: &dyn Fn() -> Result<Request, gloo_net::Error>,
    ) -> ApiResult<Response> {
        self.send_or_take(None, make).await
    }

    /// [`Self::send`], whose first answer is `early`'s (a request the page already made) when there is
    /// one and it arrived.
    async fn send_or_take(
        &self,
        early: Option<js_sys::Promise>,
        make: &dyn Fn() -> Result<Request, gloo_net::Error>,
    ) -> ApiResult<Response> {
        let auth = self.auth.get_value();
        let used = auth.current();
        let early = match early {
            Some(promise) => JsFuture::from(promise)
                .await
                .ok()
                .and_then(|answer| answer.dyn_into::<web_sys::Response>().ok()),
            None => None,
        };
        // An early request that failed on the way is asked again the usual way.
        let first = match early {
            Some(response) => Self::answer(Response::from(response)).await,
            None => self.attempt(make()).await,
        };
        if first.as_ref().err() != Some(&ClientError::Unauthenticated) || !auth.is_token_mode() {
            return self.settle(first);
        }
        if !auth.new_token_since(used.as_deref()).await {
            return Err(ClientError::Aborted);
        }
        let second = self.attempt(make()).await;
        self.settle(second)
    }

    fn settle(&self, result: ApiResult<Response>) -> ApiResult<Response> {
        if result.as_ref().err() == Some(&ClientError::Unauthenticated) {
            self.on_unauthenticated.try_run(());
        }
        result
    }

    async fn attempt(&self, request: Result<Request, gloo_net::Error>) -> ApiResult<Response> {
        let request = request.map_err(|_| ClientError::Network)?;
        let response = request.send().await.map_err(|e| match e {
            gloo_net::Error::JsError(js) if js.name == "AbortError" => ClientError::Aborted,
            _ => ClientError::Network,
        })?;
        Self::answer(response).await
    }

    /// The page's own request for `url` (see [`Self::with_early`]), taken out of `early`: used once.
    /// Cookie mode only: in token mode every request must carry the host's token.
    fn take_early(&self, url: &str) -> Option<js_sys::Promise> {
        if self.auth.get_value().is_token_mode() {
            return None;
        }
        let early = self.early.get_value()?;
        let key = JsValue::from_str(url);
        let promise = js_sys::Reflect::get(&early, &key).ok()?;
        let _ = js_sys::Reflect::delete_property(&early, &key);
        promise.dyn_into::<js_sys::Promise>().ok()
    }

    /// A successful answer as it is; any other as the one client error.
    async fn answer(response: Response) -> ApiResult<Response> {
        if response.ok() {
            return Ok(response);
        }
        let text = response.text().await.ok();
        Err(error_from(response.status(), text.as_deref()))
    }

    /// Sends the request `make` builds and reads the JSON answer.
    async fn fetch<T: DeserializeOwned>(
        &self,
        early: Option<js_sys::Promise>,
        make: &dyn Fn() -> Result<Request, gloo_net::Error>,
    ) -> ApiResult<T> {
        let response = self.send_or_take(early, make).await?;
        read_json(&response)
            .await
            .ok_or(ClientError::Unexpected(response.status()))
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        signal: Option<AbortSignal>,
    ) -> ApiResult<T> {
        let url = self.url(path);
        let early = self.take_early(&url);
        self.fetch(early, &|| {
            self.prepare(Request::get(&url), signal.as_ref()).build()
        })
        .await
    }

    /// Sends `body` as JSON with the request `builder` starts (called again for a retry).
    async fn send_json<B: Serialize, T: DeserializeOwned>(
        &self,
        builder: impl Fn() -> RequestBuilder,
        body: &B,
    ) -> ApiResult<T> {
        let text = json_text(body)?;
        self.fetch(None, &|| {
            self.prepare(builder(), None)
                .header("content-type", "application/json")
                .body(text.as_str())
        })
        .await
    }

    /// Who is signed in, or `Unauthenticated`.
    pub async fn me(&self) -> ApiResult<Me> {
        self.get("/me", None).await
    }

    /// Signs in; the server sets the session cookie. Wrong credentials come back as the server's
    /// `invalid_credentials` error, which does not touch the session state.
    pub async fn sign_in(&self, request: &SignInRequest) -> ApiResult<Me> {
        let url = self.url("/session");
        self.send_json(|| Request::post(&url), request).await
    }

    /// Ends the session on the server. A session that had already ended counts as signed out.
    pub async fn sign_out(&self) -> ApiResult<()> {
        let url = self.url("/session");
        match self
            .send(&|| self.prepare(Request::delete(&url), None).build())
            .await
        {
            Ok(_) | Err(ClientError::Unauthenticated) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Everything the Support page shows for `org_id`.
    pub async fn support_status(
        &self,
        org_id: i64,
        signal: Option<AbortSignal>,
    ) -> ApiResult<SupportStatus> {
        self.get(&format!("/organizations/{org_id}/support"), signal)
            .await
    }

    /// Billing groups, spend and the current month, for the upgrade wizard.
    pub async fn upgrade_options(
        &self,
        org_id: i64,
        signal: Option<AbortSignal>,
    ) -> ApiResult<UpgradeOptions> {
        self.get(&format!("/organizations/{org_id}/upgrade-options"), signal)
            .await
    }

    /// Asks for a higher support tier.
    pub async fn request_upgrade(
        &self,
        org_id: i64,
        input: &UpgradeRequestInput,
    ) -> ApiResult<UpgradeRequest> {
        let url = self.url(&format!("/organizations/{org_id}/upgrade-requests"));
        self.send_json(|| Request::post(&url), input).await
    }

    /// Withdraws a pending upgrade request.
    pub async fn cancel_upgrade(&self, org_id: i64, request_id: i64) -> ApiResult<()> {
        let url = self.url(&format!(
            "/organizations/{org_id}/upgrade-requests/{request_id}"
        ));
        self.send(&|| self.prepare(Request::delete(&url), None).build())
            .await?;
        Ok(())
    }

    /// What the create-ticket form offers this organization.
    pub async fn ticket_options(
        &self,
        org_id: i64,
        signal: Option<AbortSignal>,
    ) -> ApiResult<TicketOptions> {
        self.get(&format!("/organizations/{org_id}/ticket-options"), signal)
            .await
    }

    /// Creates a ticket. `idempotency_key` makes a retry (after a network failure, say) replay the
    /// first answer instead of creating a second ticket.
    pub async fn create_ticket(
        &self,
        org_id: i64,
        ticket: &NewTicket,
        idempotency_key: &str,
    ) -> ApiResult<Ticket> {
        let url = self.url(&format!("/organizations/{org_id}/tickets"));
        // The retry after a new token sends the same key: the server never makes two.
        let builder =
            || Request::post(&url).header(api::idempotency::IDEMPOTENCY_HEADER, idempotency_key);
        self.send_json(builder, ticket).await
    }

    /// One page of a ticket list. With the `etag` of the page on screen, `Ok(None)` means nothing
    /// changed (the server answered 304), so polling costs next to nothing.
    pub async fn tickets(
        &self,
        org_id: i64,
        query: &TicketListQuery,
        etag: Option<&str>,
        signal: Option<AbortSignal>,
    ) -> ApiResult<Option<(TicketList, Option<String>)>> {
        let path = format!(
            "/organizations/{org_id}/tickets?{}",
            query.to_query_string()
        );
        self.get_fresh(&path, etag, signal).await
    }

    /// A ticket if it changed since `etag` (`Ok(None)` when it did not), with its new ETag.
    pub async fn ticket_if_changed(
        &self,
        org_id: i64,
        ticket_id: i64,
        etag: Option<&str>,
        signal: Option<AbortSignal>,
    ) -> ApiResult<Option<(Ticket, Option<String>)>> {
        self.get_fresh(
            &format!("/organizations/{org_id}/tickets/{ticket_id}"),
            etag,
            signal,
        )
        .await
    }

    async fn get_fresh<T: DeserializeOwned>(
        &self,
        path: &str,
        etag: Option<&str>,
        signal: Option<AbortSignal>,
    ) -> ApiResult<Option<(T, Option<String>)>> {
        let url = self.url(path);
        let make = || {
            let builder = self.prepare(Request::get(&url), signal.as_ref());
            match etag {
                Some(etag) => builder.header("if-none-match", etag),
                None => builder,
            }
            .build()
        };
        // The page's own request (a whole copy, as it asks without an ETag) answers the first one.
        let early = etag.is_none().then(|| self.take_early(&url)).flatten();
        let response = self.send_or_take(early, &make).await?;
        if response.status() == 304 {
            return Ok(None);
        }
        let etag = response.headers().get("etag");
        let body = read_json(&response)
            .await
            .ok_or(ClientError::Unexpected(response.status()))?;
        Ok(Some((body, etag)))
    }

    /// Adds to a ticket's conversation (a comment, people to CC, or both). Safe to retry with the same
    /// `idempotency_key`.
    pub async fn add_comment(
        &self,
        org_id: i64,
        ticket_id: i64,
        comment: &NewComment,
        idempotency_key: &str,
    ) -> ApiResult<Ticket> {
        let url = self.url(&format!(
            "/organizations/{org_id}/tickets/{ticket_id}/comments"
        ));
        // The retry after a new token sends the same key: the server never makes two.
        let builder =
            || Request::post(&url).header(api::idempotency::IDEMPOTENCY_HEADER, idempotency_key);
        self.send_json(builder, comment).await
    }

    /// Takes an address off a ticket's CC list.
    pub async fn remove_cc(&self, org_id: i64, ticket_id: i64, email: &str) -> ApiResult<()> {
        let email = String::from(js_sys::encode_uri_component(email));
        let url = self.url(&format!(
            "/organizations/{org_id}/tickets/{ticket_id}/cc/{email}"
        ));
        self.send(&|| self.prepare(Request::delete(&url), None).build())
            .await?;
        Ok(())
    }

    /// Marks a ticket solved or reopens it.
    pub async fn change_status(
        &self,
        org_id: i64,
        ticket_id: i64,
        change: StatusChange,
    ) -> ApiResult<Ticket> {
        let url = self.url(&format!(
            "/organizations/{org_id}/tickets/{ticket_id}/status"
        ));
        self.send_json(|| Request::post(&url), &change).await
    }

    /// Follows (or stops following) every ticket of the organization.
    pub async fn set_following(&self, org_id: i64, following: bool) -> ApiResult<Following> {
        let url = self.url(&format!("/organizations/{org_id}/ticket-following"));
        self.send_json(|| Request::put(&url), &Following { following })
            .await
    }

    /// One ticket, with its ETag for [`Self::ticket_if_changed`].
    pub async fn ticket(
        &self,
        org_id: i64,
        ticket_id: i64,
        signal: Option<AbortSignal>,
    ) -> ApiResult<(Ticket, Option<String>)> {
        self.get_fresh(
            &format!("/organizations/{org_id}/tickets/{ticket_id}"),
            None,
            signal,
        )
        .await?
        .ok_or(ClientError::Unexpected(304))
    }

    /// Where a ticket's file downloads from (the session cookie authorises it; token mode uses
    /// [`ApiClient::attachment_blob_url`]).
    pub fn attachment_url(&self, org_id: i64, ticket_id: i64, attachment_id: i64) -> String {
        self.url(&format!(
            "/organizations/{org_id}/tickets/{ticket_id}/attachments/{attachment_id}"
        ))
    }

    /// A ticket's file, fetched with the token (token mode: a plain link would carry neither the
    /// token nor, by design, a cookie), as a `blob:` URL of this page; revoke it once used.
    pub async fn attachment_blob_url(
        &self,
        org_id: i64,
        ticket_id: i64,
        attachment_id: i64,
    ) -> ApiResult<String> {
        let url = self.attachment_url(org_id, ticket_id, attachment_id);
        let response = self
            .send(&|| self.prepare(Request::get(&url), None).build())
            .await?;
        let blob = web_sys::Response::from(response)
            .blob()
            .map_err(|_| ClientError::Network)?;
        let blob = wasm_bindgen_futures::JsFuture::from(blob)
            .await
            .map_err(|_| ClientError::Network)?;
        web_sys::Url::create_object_url_with_blob(&blob.unchecked_into())
            .map_err(|_| ClientError::Network)
    }

    /// Removes an upload that is not attached to a ticket yet.
    pub async fn delete_upload(&self, org_id: i64, attachment_id: i64) -> ApiResult<()> {
        let url = self.url(&format!(
            "/organizations/{org_id}/attachments/{attachment_id}"
        ));
        self.send(&|| self.prepare(Request::delete(&url), None).build())
            .await?;
        Ok(())
    }
}
