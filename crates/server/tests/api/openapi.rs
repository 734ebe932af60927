//! The API contract: the committed `docs/openapi.json` is the document the code generates, the
//! server serves that same document, and it documents every operation the router serves.

use std::collections::BTreeSet;
use std::path::PathBuf;

use reqwest::StatusCode;
use support_server::http::{api_routes, openapi};

use crate::helpers::spawn_app;

/// Set to `1` to write the generated document to `docs/openapi.json` instead of comparing.
const UPDATE_ENV: &str = "SUPPORT_UPDATE_OPENAPI";

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}

#[test]
fn committed_document_is_the_generated_one() {
    let generated = openapi::document_json();
    let path = committed_path();
    if std::env::var(UPDATE_ENV).is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write docs/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is not the document the code generates. Regenerate it with \
         `{UPDATE_ENV}=1 cargo test -p support-server --test api openapi` (or \
         `support-server openapi > docs/openapi.json`), review the diff, and commit it."
    );
}

#[test]
fn every_route_of_the_router_is_documented_and_nothing_else() {
    let served: BTreeSet<(String, String)> = api_routes()
        .iter()
        .map(|route| {
            (
                format!("{}{}", api::API_PREFIX, route.path),
                route.method.as_str().to_owned(),
            )
        })
        .collect();
    let document = serde_json::to_value(openapi::document()).expect("the document is JSON");
    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in [
            "get", "put", "post", "delete", "patch", "head", "options", "trace",
        ] {
            if item.get(method).is_some() {
                documented.insert((path.clone(), method.to_ascii_uppercase()));
            }
        }
    }
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let not_served: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document (add a #[utoipa::path] to the handler and list it \
         in http/openapi.rs): {undocumented:?}"
    );
    assert!(
        not_served.is_empty(),
        "the OpenAPI document has operations the router does not serve: {not_served:?}"
    );
    assert!(
        served.len() >= 20,
        "the route table has {} routes",
        served.len()
    );
}

#[test]
fn document_is_openapi_3_1_with_the_security_schemes() {
    let document = serde_json::to_value(openapi::document()).expect("the document is JSON");
    assert_eq!(document["openapi"], "3.1.0");
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], api::SESSION_COOKIE);
    assert_eq!(schemes["csrf"]["in"], "header");
    assert_eq!(
        schemes["csrf"]["name"]
            .as_str()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some(api::CSRF_HEADER)
    );
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    // Timestamps travel as RFC 3339 text, not as numbers.
    let timestamp = &document["components"]["schemas"]["Timestamp"];
    assert_eq!(timestamp["type"], "string");
    assert_eq!(timestamp["format"], "date-time");
}

#[test]
fn operation_ids_are_unique_and_every_operation_has_a_summary() {
    let document = serde_json::to_value(openapi::document()).expect("the document is JSON");
    let mut ids = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let id = operation["operationId"].as_str().unwrap_or_default();
            assert!(
                ids.insert(id.to_owned()),
                "{method} {path}: operationId `{id}` is used twice (client generators name methods after it)"
            );
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path} has no summary"
            );
        }
    }
}

/// Every `"$ref"` string under `value`.
fn references(value: &serde_json::Value, found: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", serde_json::Value::String(target)) => found.push(target.clone()),
                    _ => references(value, found),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| references(v, found)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let document = serde_json::to_value(openapi::document()).expect("the document is JSON");
    let mut found = Vec::new();
    references(&document, &mut found);
    let dangling: Vec<_> = found
        .iter()
        .filter(|target| {
            let pointer = target.strip_prefix('#').unwrap_or(target);
            document.pointer(pointer).is_none()
        })
        .collect();
    assert!(!found.is_empty());
    assert!(dangling.is_empty(), "references to nothing: {dangling:?}");
}

#[tokio::test]
async fn server_serves_the_document_without_a_session() {
    let app = spawn_app().await;
    let response = app
        .client()
        .get(app.api("/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    assert_eq!(response.text().await.unwrap(), openapi::document_json());
}
