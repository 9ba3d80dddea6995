//! The edges of the service: request bodies are bounded (413 in the error
//! shape, nothing written), exported CSV cannot run as a spreadsheet
//! formula, every answer carries the security headers, the public API is
//! open to other origins and the staff API is not, and an address that
//! keeps presenting bad tokens is made to wait.

use std::num::NonZeroU32;
use std::path::PathBuf;

use opendraw::http::limits::Limits;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Backend, DICE, TestApp, expect, targets_csv};
use crate::inspections::{assignments, review};
use crate::on_both_backends;

/// Runs each test body on SQLite and on PostgreSQL, against a server with
/// small limits, so that tests reach them quickly.
macro_rules! on_both_backends_with_small_limits {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run(TestApp::spawn_with(Backend::Sqlite, small_limits(), None).await).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    run(TestApp::spawn_with(Backend::Postgres, small_limits(), None).await).await
                }
            }
        )*
    };
}

const IMPORT_LIMIT: u64 = 1000;
const JSON_LIMIT: usize = 2000;
const FAILURES: u32 = 3;

fn small_limits() -> Limits {
    Limits {
        import_bytes: IMPORT_LIMIT,
        json_bytes: JSON_LIMIT,
        auth_failures_per_minute: NonZeroU32::new(FAILURES).unwrap(),
        ..Limits::default()
    }
}

/// Posts `body` in chunks without announcing its length, as a client
/// streaming a file does; returns the status and the body of the answer.
async fn post_chunked(app: &TestApp, token: &str, path: &str, body: &str) -> (u16, Value) {
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.as_bytes().chunks(100) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    // The server may answer and close before it has read everything.
    let _ = stream.write_all(&request).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8(answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").map(|(_, body)| body).unwrap_or_default();
    let json = body.find('{').map(|start| &body[start..=body.rfind('}').unwrap()]).unwrap_or("null");
    (status, serde_json::from_str(json).unwrap())
}

fn assert_too_large(body: &Value, limit: &str) {
    assert_eq!(body["code"], "payload_too_large", "{body}");
    assert!(body["message"].as_str().unwrap().contains(limit), "the message names the limit: {body}");
}

on_both_backends_with_small_limits! {
    async fn an_import_over_the_limit_is_refused_with_413_and_writes_nothing(app) {
        let csv = targets_csv(60);
        assert!(csv.len() as u64 > IMPORT_LIMIT);
        let head = app.log_head().await;
        let announced = expect(app.post_csv(&app.market, "/api/targets/import", &csv).await, StatusCode::PAYLOAD_TOO_LARGE).await;
        assert_too_large(&announced, "1000 bytes");
        let (status, streamed) = post_chunked(&app, &app.market, "/api/targets/import", &csv).await;
        assert_eq!(status, 413, "{streamed}");
        assert_too_large(&streamed, "1000 bytes");
        let targets = expect(app.get(Some(&app.market), "/api/targets").await, StatusCode::OK).await;
        assert_eq!(targets, json!([]), "no row of either upload was written");
        assert_eq!(app.log_head().await, head);

        let small = targets_csv(10);
        assert!((small.len() as u64) < IMPORT_LIMIT);
        let (status, imported) = post_chunked(&app, &app.market, "/api/targets/import", &small).await;
        assert_eq!((status, &imported["rows"]), (200, &json!(10)), "an upload under the limit is imported: {imported}");
    }

    async fn a_json_body_over_the_limit_is_refused_with_413_in_the_error_shape(app) {
        let mut definition = crate::helpers::default_definition();
        definition["name"] = json!("x".repeat(JSON_LIMIT));
        let created = expect(app.post_json(Some(&app.market), "/api/tasks", &definition).await, StatusCode::PAYLOAD_TOO_LARGE).await;
        assert_too_large(&created, "2000 bytes");
        let tasks = expect(app.get(Some(&app.market), "/api/tasks").await, StatusCode::OK).await;
        assert_eq!(tasks, json!([]), "no task was created");
        let reveal = json!({"release_early": true, "padding": "x".repeat(JSON_LIMIT)});
        let revealed = expect(app.post_json(Some(&app.market), "/api/tasks/1/reveal", &reveal).await, StatusCode::PAYLOAD_TOO_LARGE).await;
        assert_too_large(&revealed, "2000 bytes");
    }

    async fn an_address_that_keeps_failing_to_authenticate_is_held_whatever_it_presents(app) {
        for attempt in 1..=FAILURES {
            let refused = expect(app.get(Some("od_guess"), "/api/tasks").await, StatusCode::UNAUTHORIZED).await;
            assert_eq!(refused["code"], "unauthorized", "attempt {attempt}");
        }
        let limited = app.get(Some("od_guess"), "/api/tasks").await;
        let retry: u64 = limited.headers().get("retry-after").expect("Retry-After").to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "Retry-After: {retry}");
        let body = expect(limited, StatusCode::TOO_MANY_REQUESTS).await;
        assert_eq!(body["code"], "too_many_failed_attempts");
        let malformed = app.client.get(app.url("/api/tasks")).header("authorization", "Basic eDp5").send().await.unwrap();
        assert_eq!(malformed.status(), StatusCode::TOO_MANY_REQUESTS, "a malformed header is a failure too");
        // While held, even a good token is not looked at: a guesser that
        // ignored the 429s would otherwise still learn which guess was right.
        let good = expect(app.get(Some(&app.market), "/api/tasks").await, StatusCode::TOO_MANY_REQUESTS).await;
        assert_eq!(good["code"], body["code"], "the same answer whatever the token");
        expect(app.get(None, "/api/public/tasks").await, StatusCode::OK).await;
        // Another address is not held.
        let elsewhere = reqwest::Client::builder().local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap()).build().unwrap();
        let answer = elsewhere.get(app.url("/api/tasks")).bearer_auth(&app.market).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
    }
}

on_both_backends! {
    async fn formulas_in_exported_csv_are_neutralised(app) {
        // Every target's name and a published summary begin with a formula.
        app.seed_directory().await;
        let targets = targets_csv(60).replace(",单位", ",=cmd|' /C calc'!A0 单位");
        expect(app.post_csv(&app.market, "/api/targets/import", &targets).await, StatusCode::OK).await;
        let task = app.create_task(json!({"quota": {"ratio": "100%"}, "name": "-2+3 spot check"})).await;
        app.act(task, "commit", json!({}), StatusCode::OK).await;
        app.pass_entropy_event();
        app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        app.act(task, "reveal", json!({}), StatusCode::OK).await;
        let target = assignments(&app, &app.inspector_a, task).await[0]["target"].as_str().unwrap().to_owned();
        let summary = r#"=HYPERLINK("http://example.com/x","details")"#;
        let body = json!({"outcome": "no_problem", "outcome_text": "", "summary": summary,
            "inspection_date": crate::inspections::today(&app), "notes": ""});
        let path = crate::inspections::result_path(task, &target);
        let saved = app.put_json(Some(&app.inspector_a), &path, &body).await;
        assert!(saved.status().is_success(), "{}", saved.text().await.unwrap());
        let entered = expect(app.post_json(Some(&app.inspector_a), &format!("{path}/submit"), &json!({})).await, StatusCode::OK).await;
        review(&app, &entered["id"], "approve", json!({}), StatusCode::OK).await;
        review(&app, &entered["id"], "publish", json!({}), StatusCode::OK).await;
        let json = expect(app.get(None, &format!("/api/public/results?task={task}")).await, StatusCode::OK).await;
        assert_eq!(json["results"][0]["summary"], summary, "JSON answers carry the text as it is");

        let public = csv_rows(app.get(None, &format!("/api/public/results.csv?task={task}&lang=en")).await).await;
        let row = &public[1];
        assert_eq!(cell(&public, row, "summary"), format!("'{summary}"));
        assert!(cell(&public, row, "entity name").starts_with("'=cmd|"), "{row:?}");
        assert_eq!(cell(&public, row, "task name"), "'-2+3 spot check");

        let ledger = csv_rows(app.get(Some(&app.market), &format!("/api/ledger.csv?task={task}")).await).await;
        assert!(ledger.len() > 2);
        for row in &ledger[1..] {
            assert_eq!(&row[1], "'-2+3 spot check");
            assert!(row[6].starts_with("'=cmd|' /C calc'!A0 单位"), "{row:?}");
        }
    }
}

/// A CSV answer's rows, the header first.
async fn csv_rows(response: reqwest::Response) -> Vec<Vec<String>> {
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[3..]);
    reader.records().map(|row| row.unwrap().iter().map(str::to_owned).collect()).collect()
}

fn cell<'a>(rows: &[Vec<String>], row: &'a [String], column: &str) -> &'a str {
    let at = rows[0].iter().position(|name| name == column).unwrap_or_else(|| panic!("no column {column}"));
    &row[at]
}

async fn site() -> TestApp {
    let public = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public");
    TestApp::spawn_with(Backend::Sqlite, Limits::default(), Some(public)).await
}

#[tokio::test]
async fn pages_and_api_answers_carry_the_security_headers() {
    let app = site().await;
    for path in ["/", "/task.html", "/app.js", "/api/public/tasks", "/api/tasks", "/api/nothing"] {
        let response = app.get(None, path).await;
        let headers = response.headers();
        let header =
            |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let policy = header("content-security-policy");
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "worker-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(policy.contains(directive), "{path}: {directive} missing from {policy:?}");
        }
        assert!(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"), "{path}: {policy}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
    }
}

/// The pages pass their own policy: no inline script, handler or style.
#[test]
fn the_pages_have_no_inline_script_or_style() {
    let public = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public");
    for entry in std::fs::read_dir(&public).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|extension| extension != "html") {
            continue;
        }
        let page = std::fs::read_to_string(&path).unwrap().to_lowercase();
        for (at, _) in page.match_indices("<script") {
            let tag = &page[at..at + page[at..].find('>').unwrap()];
            assert!(tag.contains(" src="), "{}: inline script {tag}", path.display());
        }
        assert!(!page.contains("<style"), "{}: a style element", path.display());
        assert!(!page.contains(" style="), "{}: a style attribute", path.display());
        assert!(!page.contains("javascript:"), "{}: a javascript: URL", path.display());
        let handler = page.split(|c: char| c.is_whitespace()).find(|word| {
            word.starts_with("on")
                && word.contains('=')
                && word[2..word.find('=').unwrap()].chars().all(|c| c.is_ascii_lowercase())
        });
        assert_eq!(handler, None, "{}: an inline event handler", path.display());
    }
}

#[tokio::test]
async fn the_public_api_is_open_to_other_origins_and_the_staff_api_is_not() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let origin = "https://citizen-tools.example";
    let get = |path: &str, token: Option<&str>| {
        let mut request = app.client.get(app.url(path)).header("origin", origin);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let preflight = |path: &str, method: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url(path))
            .header("origin", origin)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let public = get("/api/public/tasks", None).await.unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    assert_eq!(public.headers()["access-control-allow-origin"], "*");
    assert!(public.headers().get("access-control-allow-credentials").is_none());
    let asked = preflight("/api/public/tasks", "GET").await.unwrap();
    assert!(asked.status().is_success(), "{}", asked.status());
    assert_eq!(asked.headers()["access-control-allow-origin"], "*");
    let methods = asked.headers()["access-control-allow-methods"].to_str().unwrap().to_owned();
    assert!(methods.contains("GET") && !methods.contains("POST") && !methods.contains("DELETE"), "{methods}");

    let staff = get("/api/tasks", Some(&app.market)).await.unwrap();
    assert_eq!(staff.status(), StatusCode::OK);
    assert!(staff.headers().get("access-control-allow-origin").is_none(), "{:?}", staff.headers());
    for (path, method) in [("/api/tasks", "POST"), ("/api/tasks", "GET"), ("/api/targets/import", "POST")] {
        let asked = preflight(path, method).await.unwrap();
        assert!(
            asked.headers().get("access-control-allow-origin").is_none(),
            "{path}: {:?}",
            asked.headers()
        );
        assert!(asked.headers().get("access-control-allow-methods").is_none(), "{path}");
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let response = app
            .client
            .get(app.url("/api/tasks"))
            .header("authorization", format!("{scheme} {}", app.market))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{scheme}");
    }
}
