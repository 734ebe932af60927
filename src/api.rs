//! The only code that talks HTTP. Typed calls to the backend with one client error type.

use api::{
    ErrorBody, ErrorCode, Me, SignInRequest, SupportStatus, UpgradeOptions, UpgradeRequest,
    UpgradeRequestInput,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use serde::Serialize;
use serde::de::DeserializeOwned;
use web_sys::{AbortController, AbortSignal, RequestCredentials};

use crate::session::Session;

/// Everything a call can fail with, in terms the UI can explain.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientError {
    /// The request never got an HTTP answer (offline, DNS, server down).
    Network,
    /// The session is missing or expired. The client has already switched the app to sign-in.
    Unauthenticated,
    /// The server answered with its JSON error body.
    Api(ErrorBody),
    /// The server answered with something we could not read (a proxy's HTML error page, say).
    Unexpected(u16),
    /// We cancelled the request (the page went away).
    Aborted,
}

impl ClientError {
    /// A sentence for people.
    pub fn message(&self) -> String {
        match self {
            ClientError::Network => {
                "We could not reach the server. Check your connection and try again.".into()
            }
            ClientError::Unauthenticated => "Your session has ended. Sign in again.".into(),
            ClientError::Api(body) => body.message.clone(),
            ClientError::Unexpected(status) => {
                format!(
                    "The server gave an unexpected answer (HTTP {status}). Try again in a moment."
                )
            }
            ClientError::Aborted => "The request was cancelled.".into(),
        }
    }

    /// The server's message for one field, if any.
    pub fn field(&self, field: &str) -> Option<String> {
        match self {
            ClientError::Api(body) => body.field(field).map(str::to_owned),
            _ => None,
        }
    }
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ClientError {}

/// Reads a JSON response body with the browser's own parser; serde only maps the parsed value.
/// (serde_json's parser would add tens of kilobytes to the bundle for the same work.)
async fn read_json<T: DeserializeOwned>(response: &Response) -> Option<T> {
    let text = response.text().await.ok()?;
    let value = js_sys::JSON::parse(&text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// Writes a JSON request body with the browser's own serializer.
fn to_json<B: Serialize>(body: &B) -> Option<String> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let value = body.serialize(&serializer).ok()?;
    js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|s| s.as_string())
}

/// Attaches `body` as a JSON request body.
fn with_json<B: Serialize>(
    builder: RequestBuilder,
    body: &B,
) -> ApiResult<gloo_net::http::Request> {
    let text = to_json(body).ok_or(ClientError::Network)?;
    builder
        .header("content-type", "application/json")
        .body(text)
        .map_err(|_| ClientError::Network)
}

/// Shorthand for call results.
pub type ApiResult<T> = Result<T, ClientError>;

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
    session: Session,
}

impl ApiClient {
    /// A client for the API at `base` (empty for same origin), reporting 401s to `session`.
    pub fn new(base: &str, session: Session) -> Self {
        Self {
            base: StoredValue::new(base.trim_end_matches('/').to_owned()),
            session,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}{path}", self.base.get_value(), api::API_PREFIX)
    }

    fn prepare(&self, builder: RequestBuilder, signal: Option<&AbortSignal>) -> RequestBuilder {
        builder
            .credentials(RequestCredentials::Include)
            .header("accept", "application/json")
            .header(api::CSRF_HEADER, api::CSRF_VALUE)
            .abort_signal(signal)
    }

    /// Sends `request`; a successful answer is returned for the caller to read, any other becomes the
    /// one client error (a 401 also ends the app's session).
    async fn send(&self, request: Result<Request, gloo_net::Error>) -> ApiResult<Response> {
        let request = request.map_err(|_| ClientError::Network)?;
        let response = request.send().await.map_err(|e| match e {
            gloo_net::Error::JsError(js) if js.name == "AbortError" => ClientError::Aborted,
            _ => ClientError::Network,
        })?;
        if response.ok() {
            return Ok(response);
        }
        let error = match read_json::<ErrorBody>(&response).await {
            Some(body) if body.code == ErrorCode::Unauthenticated => ClientError::Unauthenticated,
            Some(body) => ClientError::Api(body),
            None => ClientError::Unexpected(response.status()),
        };
        if error == ClientError::Unauthenticated {
            self.session.expire();
        }
        Err(error)
    }

    /// Sends `request` and reads the JSON answer.
    async fn fetch<T: DeserializeOwned>(
        &self,
        request: Result<Request, gloo_net::Error>,
    ) -> ApiResult<T> {
        let response = self.send(request).await?;
        read_json(&response)
            .await
            .ok_or(ClientError::Unexpected(response.status()))
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        signal: Option<AbortSignal>,
    ) -> ApiResult<T> {
        self.fetch(
            self.prepare(Request::get(&self.url(path)), signal.as_ref())
                .build(),
        )
        .await
    }

    async fn send_json<B: Serialize, T: DeserializeOwned>(
        &self,
        builder: RequestBuilder,
        body: &B,
    ) -> ApiResult<T> {
        let request = with_json(self.prepare(builder, None), body)?;
        self.fetch(Ok(request)).await
    }

    /// Who is signed in, or `Unauthenticated`.
    pub async fn me(&self) -> ApiResult<Me> {
        self.get("/me", None).await
    }

    /// Signs in; the server sets the session cookie. Wrong credentials come back as the server's
    /// `invalid_credentials` error, which does not touch the session state.
    pub async fn sign_in(&self, request: &SignInRequest) -> ApiResult<Me> {
        self.send_json(Request::post(&self.url("/session")), request)
            .await
    }

    /// Ends the session on the server. A session that had already ended counts as signed out.
    pub async fn sign_out(&self) -> ApiResult<()> {
        let request = self
            .prepare(Request::delete(&self.url("/session")), None)
            .build();
        match self.send(request).await {
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
        self.send_json(Request::post(&url), input).await
    }

    /// Withdraws a pending upgrade request.
    pub async fn cancel_upgrade(&self, org_id: i64, request_id: i64) -> ApiResult<()> {
        let url = self.url(&format!(
            "/organizations/{org_id}/upgrade-requests/{request_id}"
        ));
        self.send(self.prepare(Request::delete(&url), None).build())
            .await?;
        Ok(())
    }
}
