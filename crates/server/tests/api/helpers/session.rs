//! The typed client: one browser session (its own cookie jar) acting in one organization, with a
//! method per endpoint.
//!
//! Names follow one rule. A method named after the HTTP verb (`post_ticket`, `get_ticket`,
//! `delete_cc`) returns the raw [`Response`], for tests that inspect the status, headers or error
//! body; it takes any serializable body, so a test can also send JSON the API would refuse. A method
//! named after what the user does (`create_ticket`, `ticket`, `comment`) takes the API's own type,
//! asserts the success status and returns the typed body.

use api::ticket::IDEMPOTENCY_HEADER;
use api::{
    Attachment, CSRF_HEADER, CSRF_VALUE, Following, Me, NewComment, NewTicket, Product, Project,
    SupportStatus, SupportTier, Ticket, TicketList, TicketListQuery, TicketOptions, TicketStatus,
    UpgradeOptions, UpgradeRequest, UpgradeRequestInput,
};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{CONTENT_TYPE, IF_NONE_MATCH};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::png;

/// A browser talking to the API. Cloning it shares the cookie jar, as two tabs would.
#[derive(Clone)]
pub struct Session {
    client: Client,
    /// `http://127.0.0.1:PORT/api/v1`.
    api: String,
    /// The organization whose paths the organization endpoints use.
    pub org_id: i64,
    /// The CSRF header's value on every request (the SPA's own, unless a test forges another), or
    /// none.
    csrf: Option<&'static str>,
    /// A console token sent as `Authorization: Bearer` on every request (token mode), or none.
    bearer: Option<String>,
}

impl Session {
    pub fn new(client: Client, api: String) -> Self {
        Self {
            client,
            api,
            org_id: 0,
            csrf: Some(CSRF_VALUE),
            bearer: None,
        }
    }

    /// The same browser using the paths of organization `org_id` (its own or, to test isolation,
    /// another's).
    pub fn at(&self, org_id: i64) -> Self {
        Self {
            org_id,
            ..self.clone()
        }
    }

    /// The same browser (cookies and organization) talking to another server instance, whose API is
    /// at `api` (`TestApp::api("")`): a balancer sending the next request elsewhere.
    pub fn via(&self, api: String) -> Self {
        Self {
            api,
            ..self.clone()
        }
    }

    /// The same browser sending requests without the CSRF header, as a cross-site form would.
    pub fn without_csrf(&self) -> Self {
        Self {
            csrf: None,
            ..self.clone()
        }
    }

    /// The same browser sending `value` in the CSRF header instead of the right one.
    pub fn with_csrf(&self, value: &'static str) -> Self {
        Self {
            csrf: Some(value),
            ..self.clone()
        }
    }

    /// The same browser sending `token` as `Authorization: Bearer` on every request, as the app
    /// embedded in token mode does.
    pub fn with_bearer(&self, token: &str) -> Self {
        Self {
            bearer: Some(token.to_owned()),
            ..self.clone()
        }
    }

    /// A request with the bearer token, if this session has one.
    fn build(&self, method: Method, url: String) -> RequestBuilder {
        let request = self.client.request(method, url);
        match &self.bearer {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// The absolute URL of an API path such as `/me`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    /// The absolute URL of a path under this session's organization, such as `tickets`.
    fn org_url(&self, path: &str) -> String {
        self.url(&format!("/organizations/{}/{path}", self.org_id))
    }

    /// A request with the CSRF header (unless [`Session::without_csrf`]), which only mutating
    /// endpoints check.
    fn request_to(&self, method: Method, url: String) -> RequestBuilder {
        let request = self.build(method, url);
        match self.csrf {
            Some(value) => request.header(CSRF_HEADER, value),
            None => request,
        }
    }

    async fn send(request: RequestBuilder) -> Response {
        request.send().await.expect("the server answers")
    }

    // -----------------------------------------------------------------------------------------
    // Any path

    /// `GET` an API path.
    pub async fn get(&self, path: &str) -> Response {
        Self::send(self.build(Method::GET, self.url(path))).await
    }

    /// `GET` an API path the way a poller does: only if it changed since `etag`.
    pub async fn get_if_none_match(&self, path: &str, etag: &str) -> Response {
        let request = self
            .build(Method::GET, self.url(path))
            .header(IF_NONE_MATCH, etag);
        Self::send(request).await
    }

    /// `POST` `body` as JSON to an API path, with the CSRF header.
    pub async fn post_json(&self, path: &str, body: &impl Serialize) -> Response {
        Self::send(self.request_to(Method::POST, self.url(path)).json(body)).await
    }

    /// Any method on an API path, with the CSRF header.
    pub async fn request(&self, method: Method, path: &str) -> Response {
        Self::send(self.request_to(method, self.url(path))).await
    }

    /// Any method on an API path with the CSRF header and a JSON body or a multipart form (or
    /// neither): for tests that walk every route of the router.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        json: Option<&serde_json::Value>,
        form: Option<Form>,
    ) -> Response {
        let mut request = self.request_to(method, self.url(path));
        if let Some(json) = json {
            request = request.json(json);
        }
        if let Some(form) = form {
            request = request.multipart(form);
        }
        Self::send(request).await
    }

    /// A request to an API path with this browser's cookies, bearer token and CSRF header, for a
    /// test that writes the body itself (bytes that are not JSON, a hand-made multipart body).
    pub fn request_builder(&self, method: Method, path: &str) -> RequestBuilder {
        self.request_to(method, self.url(path))
    }

    // -----------------------------------------------------------------------------------------
    // Signing in and out

    /// `POST /session` the way the SPA sends it; a success stores the session cookie in this browser.
    pub async fn post_session(&self, email: &str, password: &str) -> Response {
        let body = json!({ "email": email, "password": password });
        Self::send(
            self.request_to(Method::POST, self.url("/session"))
                .json(&body),
        )
        .await
    }

    /// `POST /session` with `body` as it is and the given `Content-Type` (none when `None`).
    pub async fn post_session_body(&self, content_type: Option<&str>, body: &str) -> Response {
        let mut request = self
            .request_to(Method::POST, self.url("/session"))
            .body(body.to_owned());
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        Self::send(request).await
    }

    /// `DELETE /session`: signing out.
    pub async fn delete_session(&self) -> Response {
        self.request(Method::DELETE, "/session").await
    }

    /// `GET /me`.
    pub async fn get_me(&self) -> Response {
        self.get("/me").await
    }

    /// The signed-in user, their organization and role.
    pub async fn me(&self) -> Me {
        ok(self.get_me().await).await
    }

    // -----------------------------------------------------------------------------------------
    // The Support page

    /// `GET /organizations/{org}/support`.
    pub async fn get_support_status(&self) -> Response {
        Self::send(self.build(Method::GET, self.org_url("support"))).await
    }

    /// The organization's support status.
    pub async fn support_status(&self) -> SupportStatus {
        ok(self.get_support_status().await).await
    }

    /// The tier catalogue.
    pub async fn tiers(&self) -> Vec<SupportTier> {
        ok(self.get("/support/tiers").await).await
    }

    /// `GET /organizations/{org}/projects`.
    pub async fn get_projects(&self) -> Response {
        Self::send(self.build(Method::GET, self.org_url("projects"))).await
    }

    /// The organization's projects with their services.
    pub async fn projects(&self) -> Vec<Project> {
        ok(self.get_projects().await).await
    }

    /// The product catalogue with each product's reasons.
    pub async fn products(&self) -> Vec<Product> {
        ok(self.get("/products").await).await
    }

    // -----------------------------------------------------------------------------------------
    // Upgrade requests

    /// `GET /organizations/{org}/upgrade-options`.
    pub async fn get_upgrade_options(&self) -> Response {
        Self::send(self.build(Method::GET, self.org_url("upgrade-options"))).await
    }

    /// What the upgrade wizard offers.
    pub async fn upgrade_options(&self) -> UpgradeOptions {
        ok(self.get_upgrade_options().await).await
    }

    /// `POST /organizations/{org}/upgrade-requests`.
    pub async fn post_upgrade_request(&self, body: &impl Serialize) -> Response {
        Self::send(
            self.request_to(Method::POST, self.org_url("upgrade-requests"))
                .json(body),
        )
        .await
    }

    /// Requests an upgrade, which must be accepted.
    pub async fn request_upgrade(&self, input: &UpgradeRequestInput) -> UpgradeRequest {
        created(self.post_upgrade_request(input).await).await
    }

    /// `GET /organizations/{org}/upgrade-requests/current`.
    pub async fn get_current_upgrade_request(&self) -> Response {
        Self::send(self.build(Method::GET, self.org_url("upgrade-requests/current"))).await
    }

    /// The request the Support page shows, if any.
    pub async fn current_upgrade_request(&self) -> Option<UpgradeRequest> {
        ok(self.get_current_upgrade_request().await).await
    }

    /// `DELETE /organizations/{org}/upgrade-requests/{id}`: cancelling.
    pub async fn delete_upgrade_request(&self, id: i64) -> Response {
        let url = self.org_url(&format!("upgrade-requests/{id}"));
        Self::send(self.request_to(Method::DELETE, url)).await
    }

    // -----------------------------------------------------------------------------------------
    // Tickets

    /// `GET /organizations/{org}/ticket-options`.
    pub async fn get_ticket_options(&self) -> Response {
        Self::send(self.build(Method::GET, self.org_url("ticket-options"))).await
    }

    /// What the create form offers.
    pub async fn ticket_options(&self) -> TicketOptions {
        ok(self.get_ticket_options().await).await
    }

    /// `POST /organizations/{org}/tickets` without an `Idempotency-Key`.
    pub async fn post_ticket(&self, body: &impl Serialize) -> Response {
        Self::send(
            self.request_to(Method::POST, self.org_url("tickets"))
                .json(body),
        )
        .await
    }

    /// `POST /organizations/{org}/tickets` with an `Idempotency-Key`.
    pub async fn post_ticket_with_key(&self, key: &str, body: &impl Serialize) -> Response {
        let request = self.request_to(Method::POST, self.org_url("tickets"));
        Self::send(request.header(IDEMPOTENCY_HEADER, key).json(body)).await
    }

    /// `POST /organizations/{org}/tickets` with an `Idempotency-Key` and a body written out as it is.
    pub async fn post_ticket_text_with_key(&self, key: &str, json: String) -> Response {
        let request = self.request_to(Method::POST, self.org_url("tickets"));
        let request = request
            .header(IDEMPOTENCY_HEADER, key)
            .header(CONTENT_TYPE, "application/json")
            .body(json);
        Self::send(request).await
    }

    /// Creates a ticket, which must be accepted.
    pub async fn create_ticket(&self, form: &NewTicket) -> Ticket {
        created(self.post_ticket(form).await).await
    }

    /// `GET /organizations/{org}/tickets` with `query`, written as the SPA writes it.
    pub async fn get_tickets(&self, query: &TicketListQuery) -> Response {
        self.get_tickets_query(&query.to_query_string()).await
    }

    /// `GET /organizations/{org}/tickets?<params>` with the parameters as they are (percent-encoded
    /// here), for values the typed query cannot hold.
    pub async fn get_tickets_with(&self, params: &[(&str, &str)]) -> Response {
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
            .collect();
        self.get_tickets_query(&query.join("&")).await
    }

    /// `GET /organizations/{org}/tickets?{query}`, without the `?` when there is no query.
    async fn get_tickets_query(&self, query: &str) -> Response {
        let url = if query.is_empty() {
            self.org_url("tickets")
        } else {
            self.org_url(&format!("tickets?{query}"))
        };
        Self::send(self.build(Method::GET, url)).await
    }

    /// One page of a ticket list.
    pub async fn tickets(&self, query: &TicketListQuery) -> TicketList {
        let response = self.get_tickets(query).await;
        assert_eq!(response.status(), StatusCode::OK, "{query:?}");
        response.json().await.expect("a TicketList")
    }

    /// One page of a ticket list, with the parameters as they are.
    pub async fn tickets_with(&self, params: &[(&str, &str)]) -> TicketList {
        let response = self.get_tickets_with(params).await;
        assert_eq!(response.status(), StatusCode::OK, "{params:?}");
        response.json().await.expect("a TicketList")
    }

    /// The path of a ticket, as the other organization endpoints see it.
    pub fn ticket_path(&self, id: i64) -> String {
        format!("/organizations/{}/tickets/{id}", self.org_id)
    }

    /// `GET /organizations/{org}/tickets/{id}`.
    pub async fn get_ticket(&self, id: i64) -> Response {
        self.get(&self.ticket_path(id)).await
    }

    /// A ticket with its conversation, which the user must be allowed to read.
    pub async fn ticket(&self, id: i64) -> Ticket {
        ok(self.get_ticket(id).await).await
    }

    /// `POST .../tickets/{id}/comments` without an `Idempotency-Key`.
    pub async fn post_comment(&self, id: i64, body: &impl Serialize) -> Response {
        let url = self.url(&format!("{}/comments", self.ticket_path(id)));
        Self::send(self.request_to(Method::POST, url).json(body)).await
    }

    /// `POST .../tickets/{id}/comments` with an `Idempotency-Key`.
    pub async fn post_comment_with_key(
        &self,
        id: i64,
        key: &str,
        body: &impl Serialize,
    ) -> Response {
        let url = self.url(&format!("{}/comments", self.ticket_path(id)));
        let request = self.request_to(Method::POST, url);
        Self::send(request.header(IDEMPOTENCY_HEADER, key).json(body)).await
    }

    /// Comments, adds people to CC, or both; must be accepted. Returns the updated ticket.
    pub async fn comment(&self, id: i64, comment: &NewComment) -> Ticket {
        let response = self.post_comment(id, comment).await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "comment {comment:?}"
        );
        response.json().await.expect("a Ticket")
    }

    /// `POST .../tickets/{id}/status` with `status` as it is (also a value the API does not know).
    pub async fn post_status(&self, id: i64, status: &str) -> Response {
        let url = self.url(&format!("{}/status", self.ticket_path(id)));
        let body = json!({ "status": status });
        Self::send(self.request_to(Method::POST, url).json(&body)).await
    }

    /// Marks the ticket solved or reopens it; must be accepted. Returns the updated ticket.
    pub async fn change_status(&self, id: i64, status: TicketStatus) -> Ticket {
        ok(self.post_status(id, status.as_str()).await).await
    }

    /// `DELETE .../tickets/{id}/cc/{email}` (the address percent-encoded here).
    pub async fn delete_cc(&self, id: i64, email: &str) -> Response {
        let encoded = utf8_percent_encode(email, NON_ALPHANUMERIC);
        self.delete_cc_path(id, &encoded.to_string()).await
    }

    /// `DELETE .../tickets/{id}/cc/{segment}` with the path segment as it is.
    pub async fn delete_cc_path(&self, id: i64, segment: &str) -> Response {
        let url = self.url(&format!("{}/cc/{segment}", self.ticket_path(id)));
        Self::send(self.request_to(Method::DELETE, url)).await
    }

    /// `PUT /organizations/{org}/ticket-following`.
    pub async fn put_following(&self, following: bool) -> Response {
        let body = Following { following };
        let url = self.org_url("ticket-following");
        Self::send(self.request_to(Method::PUT, url).json(&body)).await
    }

    /// An admin follows every ticket of the organization, or stops; must be accepted.
    pub async fn follow(&self, following: bool) -> Following {
        ok(self.put_following(following).await).await
    }

    // -----------------------------------------------------------------------------------------
    // Attachments

    /// `POST /organizations/{org}/attachments` with `form` as it is.
    pub async fn post_attachment_form(&self, form: Form) -> Response {
        let url = self.org_url("attachments");
        Self::send(self.request_to(Method::POST, url).multipart(form)).await
    }

    /// `POST /organizations/{org}/attachments` with `bytes` as the file `name`, the way the form sends it.
    pub async fn post_attachment(&self, name: &str, bytes: Vec<u8>) -> Response {
        let part = Part::bytes(bytes).file_name(name.to_owned());
        self.post_attachment_form(Form::new().part("file", part))
            .await
    }

    /// Uploads `bytes` as `name`, which must be accepted.
    pub async fn upload(&self, name: &str, bytes: Vec<u8>) -> Attachment {
        created(self.post_attachment(name, bytes).await).await
    }

    /// Uploads a small PNG, which must be accepted.
    pub async fn upload_png(&self, name: &str) -> Attachment {
        self.upload(name, png(2048)).await
    }

    /// `DELETE /organizations/{org}/attachments/{id}`: removing an upload.
    pub async fn delete_attachment(&self, id: i64) -> Response {
        let url = self.org_url(&format!("attachments/{id}"));
        Self::send(self.request_to(Method::DELETE, url)).await
    }

    /// `GET .../tickets/{ticket_id}/attachments/{id}`: downloading a file of a ticket.
    pub async fn get_attachment(&self, ticket_id: i64, id: i64) -> Response {
        self.get(&format!("{}/attachments/{id}", self.ticket_path(ticket_id)))
            .await
    }
}

/// The body of a `200 OK`.
async fn ok<T: DeserializeOwned>(response: Response) -> T {
    assert_eq!(response.status(), StatusCode::OK, "{}", response.url());
    response.json().await.expect("the expected body")
}

/// The body of a `201 Created`.
async fn created<T: DeserializeOwned>(response: Response) -> T {
    assert_eq!(response.status(), StatusCode::CREATED, "{}", response.url());
    response.json().await.expect("the expected body")
}
