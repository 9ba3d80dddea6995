//! Imports of many rows: all or nothing whichever row is bad, a repeated
//! id or another department's row named by its line even when it comes
//! last, existing rows replaced, and a bounded number of imports at once.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, expect};
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
