//! Imports of many rows: all or nothing whichever row is bad, a repeated
//! id or another department's row named by its line even when it comes
//! last, existing rows replaced, and a bounded number of imports at once.

use std::num::NonZeroUsize;

use opendraw::http::limits::{ImportPermits, Limits};
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::helpers::{Backend, TestApp, expect};
use crate::on_both_backends;

/// More rows than one batch holds, so that a write of the batches before
/// the last row would show.
const ROWS: usize = 12_000;

fn new_targets(rows: usize, name: &str) -> String {
    let mut csv = String::from("id,name,region,risk_class,address\n");
    for index in 0..rows {
        csv.push_str(&format!("NEW{index:06},{name}{index},R1,B,\"路\"\"{index}\"\"号\\\"\n"));
    }
    csv
}

async fn targets(app: &TestApp) -> i64 {
    opendraw::storage::directory::count(app.service.store().pool(), "targets").await.unwrap()
}

async fn name_of(app: &TestApp, id: &str) -> String {
    let target = opendraw::storage::directory::target(app.service.store().pool(), id).await.unwrap();
    target.expect("the target is there").name
}

on_both_backends! {
    async fn a_bad_last_row_of_a_large_import_writes_nothing(app) {
        app.seed_directory().await;
        let mut csv = new_targets(ROWS, "新单位");
        csv.push_str("LAST,新单位,R1,E,\n");
        let body = expect(app.post_csv(&app.market, "/api/targets/import", &csv).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(&format!("line {}, column risk_class", ROWS + 2)), "{message}");
        assert_eq!(targets(&app).await, 60, "no row of the refused file was written");
    }

    async fn an_id_repeated_at_the_end_of_a_large_import_is_named_by_both_lines(app) {
        app.seed_directory().await;
        let mut csv = new_targets(ROWS, "新单位");
        csv.push_str("NEW000003,again,R1,A,\n");
        let body = expect(app.post_csv(&app.market, "/api/targets/import", &csv).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((&body["code"], &body["field"]), (&json!("invalid_csv"), &json!("id")), "{body}");
        let expected = format!("line {}, column id: 'NEW000003' appears twice (first on line 5)", ROWS + 2);
        assert!(body["message"].as_str().unwrap().contains(&expected), "{body}");
        assert_eq!(targets(&app).await, 60, "no row of the refused file was written");
    }

    async fn another_departments_row_at_the_end_of_a_large_import_refuses_it_whole(app) {
        app.seed_directory().await;
        let mut csv = new_targets(ROWS, "新单位");
        csv.push_str("T0001,hijacked,R1,D,\n");
        let body = expect(app.post_csv(&app.health, "/api/targets/import", &csv).await, StatusCode::FORBIDDEN).await;
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(&format!("line {}", ROWS + 2)) && message.contains("kept by market"), "{message}");
        assert_eq!(targets(&app).await, 60, "no row of the refused file was written");
        assert_eq!(name_of(&app, "T0001").await, "单位1");
    }

    async fn a_large_import_again_replaces_the_rows_it_keeps_and_adds_the_new(app) {
        app.seed_directory().await;
        let first = expect(app.post_csv(&app.market, "/api/targets/import", &new_targets(ROWS, "旧")).await, StatusCode::OK).await;
        assert_eq!(first["rows"], ROWS);
        let summary = expect(app.post_csv(&app.market, "/api/targets/import", &new_targets(ROWS + 10, "新")).await, StatusCode::OK).await;
        assert_eq!(summary, json!({"kind": "targets", "rows": ROWS + 10}));
        assert_eq!(targets(&app).await, 60 + ROWS as i64 + 10);
        assert_eq!(name_of(&app, "NEW000007").await, "新7");
        assert_eq!(name_of(&app, &format!("NEW{:06}", ROWS + 9)).await, format!("新{}", ROWS + 9));
        // Quotes and backslashes travel through COPY and JSON unchanged.
        let target = opendraw::storage::directory::target(app.service.store().pool(), "NEW000007").await.unwrap();
        assert_eq!(target.unwrap().address, "路\"7\"号\\");
    }
}

fn one_import_at_a_time() -> Limits {
    Limits { imports: ImportPermits::new(NonZeroUsize::new(1).unwrap()), ..Limits::default() }
}

/// Starts an import whose body never ends, holding the server's permit.
async fn import_left_open(app: &TestApp) -> tokio::net::TcpStream {
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /api/targets/import HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {}\r\n\
         content-type: text/csv\r\ntransfer-encoding: chunked\r\n\r\n",
        app.market
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = "id,name,region,risk_class\nOPEN1,x,R1,A\n";
    stream.write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes()).await.unwrap();
    stream
}

async fn imports_beyond_the_limit_are_answered_503_with_retry_after(backend: Backend) {
    let app = TestApp::spawn_with(backend, one_import_at_a_time(), None).await;
    let csv = "id,name,region,risk_class\nA1,x,R1,A\n";
    let open = import_left_open(&app).await;
    // The open import takes the permit once its headers are read.
    let mut refused = None;
    for _ in 0..300 {
        let response = app.post_csv(&app.market, "/api/targets/import", csv).await;
        if response.status() == StatusCode::SERVICE_UNAVAILABLE {
            refused = Some(response);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let refused = refused.expect("a second import while one runs is refused");
    let retry: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After: {retry}");
    let body = expect(refused, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(body["code"], "too_many_imports", "{body}");
    assert!(body["message"].as_str().unwrap().contains("nothing was changed"), "{body}");
    assert_eq!(targets(&app).await, 0, "the refused import wrote nothing");
    // When the open import ends (its client went away), the next one runs.
    drop(open);
    let mut imported = None;
    for _ in 0..300 {
        let response = app.post_csv(&app.market, "/api/targets/import", csv).await;
        if response.status() == StatusCode::OK {
            imported = Some(response);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        expect(imported.expect("an import runs once the permit is free"), StatusCode::OK).await["rows"],
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_beyond_the_limit_are_answered_503_with_retry_after_sqlite() {
    imports_beyond_the_limit_are_answered_503_with_retry_after(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_beyond_the_limit_are_answered_503_with_retry_after_postgres() {
    imports_beyond_the_limit_are_answered_503_with_retry_after(Backend::Postgres).await
}
