//! The OpenAPI document as a whole, against the copy kept in
//! `tests/openapi.json`: a change to any route, parameter or schema of the
//! API shows there, in review, before it reaches a client. After a
//! deliberate change, `OPENDRAW_BLESS=1 cargo test --test openapi_document`
//! rewrites the copy.
//!
//! Routes are registered with their documentation (utoipa-axum's
//! `routes!`); the only plain `.route(` calls allowed are the two that are
//! not operations of the API.

use std::path::PathBuf;

use opendraw::service::Service;
use opendraw::storage::Store;

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/openapi.json")
}

fn document_text() -> String {
    serde_json::to_string_pretty(&opendraw::http::api_document()).unwrap() + "\n"
}

#[test]
fn the_document_is_the_one_kept_in_tests() {
    let document = document_text();
    if std::env::var_os("OPENDRAW_BLESS").is_some() {
        std::fs::write(snapshot_path(), &document).unwrap();
    }
    let kept = std::fs::read_to_string(snapshot_path()).expect("tests/openapi.json (bless it to create it)");
    if document != kept {
        let line = document.lines().zip(kept.lines()).position(|(a, b)| a != b).unwrap_or(0) + 1;
        panic!(
            "the OpenAPI document differs from tests/openapi.json from line {line}; if the change is \
             meant, run OPENDRAW_BLESS=1 cargo test --test openapi_document and commit the file"
        );
    }
}

#[tokio::test]
async fn the_server_serves_the_document_its_routes_make() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite:{}", dir.path().join("document.db").display())).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = opendraw::http::router(Service::new(store), None);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let response = reqwest::get(format!("http://{address}/api/openapi.json")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let served: serde_json::Value = response.json().await.unwrap();
    assert_eq!(served, serde_json::to_value(opendraw::http::api_document()).unwrap());
    assert!(served["paths"].as_object().unwrap().len() > 40, "the routes are in the document");
}

#[test]
fn every_route_is_registered_with_its_documentation() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut plain = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        for (start, _) in source.match_indices(".route(\"") {
            let rest = &source[start + ".route(\"".len()..];
            plain.push(rest[..rest.find('"').unwrap()].to_owned());
        }
    }
    plain.sort();
    // The document itself, the answer for any path under /api that is not
    // an operation, and the operator's probes and metrics, which describe
    // the process rather than the API (README, "Running in production");
    // and the log's tiles, whose paths have as many segments as their index
    // needs, which no OpenAPI path can say (C2SP tlog-tiles specifies them).
    assert_eq!(
        plain,
        ["/api/openapi.json", "/api/{*rest}", "/healthz", "/log/tile/{*path}", "/metrics", "/readyz"],
        "routes registered without documentation"
    );
}

/// A parameter the document places in the path is one the path names: a
/// query string's parameters described as path parameters (required, and
/// substituted into the URL by generated clients) make every client built
/// from the document call the wrong address.
#[test]
fn every_path_parameter_is_named_by_its_path() {
    let document = opendraw::http::api_document();
    let document = serde_json::to_value(&document).unwrap();
    let mut misplaced = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                if parameter["in"] == "path" && !path.contains(&format!("{{{name}}}")) {
                    misplaced.push(format!("{method} {path}: {name}"));
                }
            }
        }
    }
    assert!(misplaced.is_empty(), "query parameters described as path parameters: {misplaced:#?}");
}
