//! An import refused whole lists every refused line (up to 100), each
//! with its column and reason, and writes nothing.

use reqwest::StatusCode;

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;

async fn targets(app: &TestApp) -> i64 {
    opendraw::storage::directory::count(app.service.store().pool(), "targets").await.unwrap()
}

on_both_backends! {
    async fn every_bad_line_of_a_refused_import_is_listed(app) {
        let mut csv = String::from("id,name,region,risk_class\n");
        for index in 0..3000 {
            csv.push_str(&format!("G{index:05},单位,R1,A\n"));
        }
        csv.push_str("B1,,R1,A\n"); // line 3002: no name
        csv.push_str("B2,单位,R1\n"); // line 3003: a field short
        csv.push_str("G99999,单位,R1,A\n");
        csv.push_str("B\t3,单位,R1,A\n"); // line 3005: a tab in the id
        let body = expect(app.post_csv(&app.market, "/api/targets/import", &csv).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["code"], "invalid_csv", "{body}");
        assert_eq!(body["field"], "name", "the first refused line's column: {body}");
        let lines = body["lines"].as_array().unwrap();
        let listed: Vec<(u64, Option<&str>)> = lines.iter().map(|l| (l["line"].as_u64().unwrap(), l["column"].as_str())).collect();
        assert_eq!(listed, [(3002, Some("name")), (3003, None), (3005, Some("id"))], "{body}");
        assert!(lines.iter().all(|l| !l["reason"].as_str().unwrap().is_empty()));
        assert!(body["message"].as_str().unwrap().contains("line 3002"), "{body}");
        assert_eq!(targets(&app).await, 0, "nothing of the refused file was written");
    }

    async fn at_most_a_hundred_refused_lines_are_listed(app) {
        let mut csv = String::from("id,name,region,risk_class\n");
        for index in 0..250 {
            csv.push_str(&format!("G{index:05},,R1,A\n"));
        }
        let body = expect(app.post_csv(&app.market, "/api/targets/import", &csv).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        let lines = body["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 100);
        assert_eq!((lines[0]["line"].as_u64(), lines[99]["line"].as_u64()), (Some(2), Some(101)));
        assert!(body["message"].as_str().unwrap().contains("first 100"), "{body}");
        assert_eq!(targets(&app).await, 0);
    }
}

on_both_backends! {
    async fn every_row_naming_what_does_not_exist_is_listed(app) {
        app.seed_directory().await;
        let csv = "inspector_id,target_id,reason\nM001,T0009,亲属\nM001,NOPE1,亲属\nM404,T0010,亲属\nM002,NOPE2,亲属\n";
        let body = expect(app.post_csv(&app.market, "/api/recusals/import", csv).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("unknown_reference"), Some("target_id")), "{body}");
        let listed: Vec<(u64, &str)> = body["lines"].as_array().unwrap().iter().map(|l| (l["line"].as_u64().unwrap(), l["column"].as_str().unwrap())).collect();
        assert_eq!(listed, [(3, "target_id"), (4, "inspector_id"), (5, "target_id")], "{body}");
        let recusals = opendraw::storage::directory::count(app.service.store().pool(), "recusals").await.unwrap();
        assert_eq!(recusals, 2, "nothing of the refused file was written");
    }
}
