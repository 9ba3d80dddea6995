//! The directory reads of the staff console: the target search, a
//! department's recusals, the facets, and import templates that import.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;

async fn ids(app: &TestApp, query: &str) -> Vec<String> {
    let body =
        expect(app.get(Some(&app.market), &format!("/api/targets?{query}")).await, StatusCode::OK).await;
    body.as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

fn counts(facet: &Value) -> Vec<(String, i64)> {
    facet
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["value"].as_str().unwrap().to_owned(), v["count"].as_i64().unwrap()))
        .collect()
}

on_both_backends! {
    async fn targets_are_found_by_id_prefix_or_name_part_and_filtered(app) {
        app.seed_directory().await;
        assert_eq!(ids(&app, "q=T000").await, (1..=9).map(|i| format!("T{i:04}")).collect::<Vec<_>>());
        let by_name = ids(&app, "q=%E5%8D%95%E4%BD%8D5").await; // 单位5
        assert_eq!(by_name, ["T0005", "T0050", "T0051", "T0052", "T0053", "T0054", "T0055", "T0056", "T0057", "T0058", "T0059"]);
        let filtered = ids(&app, "region=R1&risk_class=A").await;
        assert_eq!(filtered, ["T0012", "T0024", "T0036", "T0048", "T0060"]);
        // Keyset paging, as without a search.
        assert_eq!(ids(&app, "region=R1&risk_class=A&limit=2").await, ["T0012", "T0024"]);
        assert_eq!(ids(&app, "region=R1&risk_class=A&limit=2&after=T0024").await, ["T0036", "T0048"]);
        // LIKE's wildcards are searched for as themselves.
        assert!(ids(&app, "q=%25").await.is_empty());
        assert!(ids(&app, "q=_").await.is_empty());
    }

    async fn a_bad_search_is_refused_naming_its_parameter(app) {
        let long = "x".repeat(201);
        let body = expect(app.get(Some(&app.market), &format!("/api/targets?q={long}")).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("invalid_query"), Some("q")), "{body}");
        let body = expect(app.get(Some(&app.market), "/api/targets?region=a%07b").await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["field"], "region", "{body}");
        expect(app.get(Some(&app.inspector_a), "/api/targets?q=T").await, StatusCode::FORBIDDEN).await;
    }

    async fn a_department_lists_its_own_recusals(app) {
        app.seed_directory().await;
        let market = expect(app.get(Some(&app.market), "/api/recusals").await, StatusCode::OK).await;
        let pairs: Vec<(&str, &str, &str)> = market.as_array().unwrap().iter().map(|r| (r["inspector_id"].as_str().unwrap(), r["target_id"].as_str().unwrap(), r["reason"].as_str().unwrap())).collect();
        assert_eq!(pairs, [("M003", "T0001", "relative"), ("M004", "T0002", "former employee")]);
        assert_eq!(market[0]["inspector_name"], "检查员3");
        assert_eq!(market[0]["target_name"], "单位1");
        let health = expect(app.get(Some(&app.health), "/api/recusals").await, StatusCode::OK).await;
        assert_eq!(health, serde_json::json!([]), "another department's recusals are not listed");
    }

    async fn facets_count_the_targets_taking_each_value(app) {
        app.seed_directory().await;
        let flagged = "id,name,region,risk_class,flags\nF1,甲,R9,D,abnormal;key\nF2,乙,R9,D,abnormal\n";
        expect(app.post_csv(&app.market, "/api/targets/import", flagged).await, StatusCode::OK).await;
        let facets = expect(app.get(Some(&app.market), "/api/directories/facets").await, StatusCode::OK).await;
        assert_eq!(counts(&facets["regions"]), [("R1".into(), 20), ("R2".into(), 20), ("R3".into(), 20), ("R9".into(), 2)]);
        assert_eq!(counts(&facets["risk_classes"]), [("D".into(), 17), ("A".into(), 15), ("B".into(), 15), ("C".into(), 15)]);
        assert_eq!(counts(&facets["industries"]), [("餐饮服务".into(), 60), ("".into(), 2)]);
        assert_eq!(counts(&facets["flags"]), [("abnormal".into(), 2), ("key".into(), 1)]);
    }

    async fn every_import_template_imports(app) {
        app.seed_directory().await;
        for kind in ["items", "targets", "inspectors", "recusals", "calendar"] {
            let response = app.get(Some(&app.market), &format!("/api/templates/{kind}.csv")).await;
            assert_eq!(response.status(), StatusCode::OK, "{kind}");
            assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
            let csv = response.text().await.unwrap();
            assert_eq!(csv.lines().count(), 2, "a header and an example: {csv}");
            let summary = expect(app.post_csv(&app.market, &format!("/api/{kind}/import"), &csv).await, StatusCode::OK).await;
            assert_eq!(summary["rows"], 1, "{kind}: {summary}");
        }
        expect(app.get(Some(&app.market), "/api/templates/users.csv").await, StatusCode::NOT_FOUND).await;
        expect(app.get(None, "/api/templates/items.csv").await, StatusCode::UNAUTHORIZED).await;
    }
}
