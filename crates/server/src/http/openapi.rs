//! The API contract as an OpenAPI 3.1 document, generated from the code: the operations from the
//! handlers' `#[utoipa::path]` annotations, the schemas from the `api` crate's wire types (their
//! `openapi` feature). Served at `GET /api/v1/openapi.json`, committed as `docs/openapi.json` (a test
//! fails when the two differ, and another when an operation of [`super::api_routes`] is missing from
//! it), and printed by `support-server openapi`.

use std::sync::OnceLock;

use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as Document, Ref, RefOr};
use utoipa::{Modify, OpenApi};

use crate::http::Route;
use crate::http::{
    attachments, auth, conversation, inbound_mail, organizations, support, tickets, upgrades,
};

/// Security scheme: the session cookie that `POST /session` sets.
pub const SESSION: &str = "session";
/// Security scheme: the `X-Support-CSRF: 1` header every state-changing request must carry.
pub const CSRF: &str = "csrf";
/// Security scheme: a console token (`Authorization: Bearer <JWT>`), when the server runs in token mode.
pub const BEARER: &str = "bearer";
/// Security scheme: the inbound-mail webhook's shared secret (`Authorization: Bearer <secret>`).
pub const INBOUND_MAIL_SECRET: &str = "inbound_mail_secret";

/// The name of the shared error response in `components.responses`.
const ERROR_RESPONSE: &str = "Error";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Support API",
        description = "The JSON API of the Support section: support tiers and upgrades, tickets, \
            their conversation and attachments. Every non-2xx answer has the `ErrorBody` shape. \
            State-changing requests need the `X-Support-CSRF: 1` header, whichever way the caller \
            is signed in (session cookie, or a console token in token mode).",
    ),
    paths(
        auth::sign_in,
        auth::sign_out,
        auth::me,
        support::tiers,
        support::status,
        organizations::projects,
        organizations::products,
        upgrades::options,
        upgrades::create,
        upgrades::current,
        upgrades::cancel,
        tickets::options,
        tickets::list,
        tickets::create,
        tickets::show,
        conversation::comment,
        conversation::remove_cc,
        conversation::change_status,
        conversation::follow,
        attachments::upload,
        attachments::remove,
        attachments::download,
        inbound_mail::inbound,
        openapi_json,
    ),
    // What only parameters refer to (`TicketListQuery`'s), which the operations do not collect.
    components(schemas(api::ErrorBody, api::TicketScope, api::TicketSort)),
    modifiers(&Contract),
)]
struct ApiDoc;

/// What the annotations cannot say once for all operations: the `/api/v1` prefix, the security
/// schemes, and the error answers every operation may give.
struct Contract;

impl Modify for Contract {
    fn modify(&self, doc: &mut Document) {
        let paths = std::mem::take(&mut doc.paths.paths);
        doc.paths.paths = paths
            .into_iter()
            .map(|(path, item)| (format!("{}{path}", api::API_PREFIX), item))
            .collect();

        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                api::SESSION_COOKIE,
                "The session `POST /api/v1/session` sets (HttpOnly, SameSite=Strict).",
            ))),
        );
        components.add_security_scheme(
            CSRF,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Support-CSRF",
                "Must be `1` on every POST, PUT and DELETE (403 `csrf_check_failed` without it).",
            ))),
        );
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "Token mode: a short-lived JWT signed by the console (see the README's \
                         \"Token mode\").",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            INBOUND_MAIL_SECRET,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The inbound-mail webhook's shared secret, `--inbound-mail-secret`.",
                    ))
                    .build(),
            ),
        );
        components.responses.insert(
            ERROR_RESPONSE.to_owned(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(
                        "An error; `code` says which, `fields` names each invalid field (422). \
                         Any operation may also answer 408 `timeout` past its deadline, 413 \
                         `payload_too_large` over its body limit, 415 `unsupported_media_type` for \
                         a body that is not JSON, and 503 `busy` with `Retry-After`.",
                    )
                    .content(
                        "application/json",
                        Content::new(Some(Ref::from_schema_name("ErrorBody"))),
                    )
                    .build(),
            ),
        );

        for item in doc.paths.paths.values_mut() {
            let operations = [
                item.get.as_mut(),
                item.put.as_mut(),
                item.post.as_mut(),
                item.delete.as_mut(),
            ];
            for operation in operations.into_iter().flatten() {
                add_error_responses(operation);
            }
        }
    }
}

/// Any operation may answer a client error (bad input, not signed in, not allowed, not found,
/// conflicts, too many attempts, a body too large, too slow or not JSON) or a server error, always as
/// an `ErrorBody`.
fn add_error_responses(operation: &mut Operation) {
    for range in ["4XX", "5XX"] {
        operation
            .responses
            .responses
            .entry(range.to_owned())
            .or_insert_with(|| {
                RefOr::Ref(Ref::new(format!("#/components/responses/{ERROR_RESPONSE}")))
            });
    }
}

/// The document.
pub fn document() -> Document {
    ApiDoc::openapi()
}

/// The document as the pretty JSON that is served and committed, with a final newline.
pub fn document_json() -> String {
    let mut json = document()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    json.push('\n');
    json
}

/// The operations of this module: the document itself.
pub fn routes() -> Vec<Route> {
    vec![Route::new(Method::GET, "/openapi.json", openapi_json)]
}

/// The API contract (this document), for generating clients and testing against the server.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "get_openapi_document",
    tag = "contract",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document.", content_type = "application/json", body = Object)),
)]
async fn openapi_json() -> Response {
    // Built once: it only changes with the code.
    static JSON: OnceLock<String> = OnceLock::new();
    let json = JSON.get_or_init(document_json);
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json.as_str(),
    )
        .into_response()
}
