//! Risk classes from the enterprise credit system: a CSV export with its
//! own headers and labels, mapped onto the risk class of the department's
//! own targets by code, all or nothing.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;

const PATH: &str = "/api/targets/risk-classes";

/// The credit system's columns, and its labels for classes A and D.
const MAPPED: &str = "code_column=%E7%BB%9F%E4%B8%80%E7%A4%BE%E4%BC%9A%E4%BF%A1%E7%94%A8%E4%BB%A3%E7%A0%81\
    &class_column=%E4%BF%A1%E7%94%A8%E9%A3%8E%E9%99%A9%E5%88%86%E7%B1%BB%E7%BB%93%E6%9E%9C\
    &map=%E7%94%B2%E7%B1%BB:A&map=%E4%B8%81%E7%B1%BB:D";

/// The same columns, each label taken as the class.
const AS_IS: &str = "code_column=%E7%BB%9F%E4%B8%80%E7%A4%BE%E4%BC%9A%E4%BF%A1%E7%94%A8%E4%BB%A3%E7%A0%81\
    &class_column=%E4%BF%A1%E7%94%A8%E9%A3%8E%E9%99%A9%E5%88%86%E7%B1%BB%E7%BB%93%E6%9E%9C";

const HEADER: &str = "统一社会信用代码,企业名称,信用风险分类结果\n";

async fn send(app: &TestApp, token: &str, query: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
    let request = app.client.post(app.url(&format!("{PATH}?{query}"))).bearer_auth(token);
    request.header("content-type", "text/csv").body(body).send().await.unwrap()
}

/// The risk class of each of these targets, as the directory holds it.
async fn classes(app: &TestApp, ids: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for id in ids {
        let page =
            expect(app.get(Some(&app.market), &format!("/api/targets?q={id}")).await, StatusCode::OK).await;
        let target = page.as_array().unwrap().iter().find(|target| target["id"] == *id).unwrap().clone();
        found.push(target["risk_class"].as_str().unwrap().to_owned());
    }
    found
}

/// The directories' revision the ledger reads, and the audit trail's imports.
async fn imports(app: &TestApp) -> Vec<Value> {
    let page = expect(app.get(Some(&app.admin), "/api/audit?limit=1000").await, StatusCode::OK).await;
    page["entries"].as_array().unwrap().iter().filter(|entry| entry["action"] == "import").cloned().collect()
}

/// The market's targets T0001-T0004 (classes B, C, D, A) and a target of
/// the health department's.
async fn directory(app: &TestApp) {
    app.seed_directory().await;
    let health = "id,name,region,risk_class\nH0001,卫生单位,R1,B\n";
    expect(app.post_csv(&app.health, "/api/targets/import", health).await, StatusCode::OK).await;
    assert_eq!(classes(app, &["T0001", "T0002", "T0003", "T0004"]).await, ["B", "C", "D", "A"]);
}

on_both_backends! {
    async fn the_mapping_sets_the_classes_of_the_departments_targets_and_counts_them(app) {
        directory(&app).await;
        let before = imports(&app).await.len();
        let csv = format!("{HEADER}T0001,单位1,甲类\nT0002,单位2,丁类\nT0003,单位3,丁类\n");
        let summary = expect(send(&app, &app.market, MAPPED, csv).await, StatusCode::OK).await;
        assert_eq!((summary["rows"].as_u64(), summary["changed"].as_u64(), summary["unchanged"].as_u64()), (Some(3), Some(2), Some(1)), "{summary}");
        assert_eq!(classes(&app, &["T0001", "T0002", "T0003", "T0004"]).await, ["A", "D", "D", "A"]);
        let entries = imports(&app).await;
        assert_eq!(entries.len(), before + 1, "the change is an import of the audit trail");
        assert_eq!(entries[0]["subject"], "risk_classes");
        assert_eq!(entries[0]["detail"], "3 rows, 2 changed");

        // Without a map each label is the class itself.
        let csv = format!("{HEADER}T0004,单位4,C\n");
        let summary = expect(send(&app, &app.market, AS_IS, csv).await, StatusCode::OK).await;
        assert_eq!(summary["changed"], 1);
        assert_eq!(classes(&app, &["T0004"]).await, ["C"]);
    }

    async fn an_unmapped_label_refuses_the_file_naming_its_line_and_nothing_changes(app) {
        directory(&app).await;
        let csv = format!("{HEADER}T0001,单位1,甲类\nT0002,单位2,乙类\nT0003,单位3,\n");
        let refused = expect(send(&app, &app.market, MAPPED, csv).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some("unmapped_class"), Some("class_column")), "{refused}");
        let lines = refused["lines"].as_array().unwrap();
        assert_eq!(lines.iter().map(|line| line["line"].as_u64().unwrap()).collect::<Vec<_>>(), [3, 4], "{refused}");
        assert!(lines[0]["reason"].as_str().unwrap().contains("'乙类'"), "{refused}");
        assert_eq!(classes(&app, &["T0001", "T0002", "T0003"]).await, ["B", "C", "D"], "nothing changed");

        // Without a map, an empty class and one the directory does not take.
        let csv = format!("{HEADER}T0001,单位1,\nT0002,单位2,E\n");
        let refused = expect(send(&app, &app.market, AS_IS, csv).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(refused["code"], "empty_class", "{refused}");
        let reasons: Vec<&str> = refused["lines"].as_array().unwrap().iter().map(|line| line["reason"].as_str().unwrap()).collect();
        assert_eq!(reasons, ["the class is empty", "'E' is not one of A, B, C, D"]);
        let long = "A".repeat(5000);
        let refused = expect(send(&app, &app.market, AS_IS, format!("{HEADER}T0001,单位1,{long}\n")).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(refused["code"], "invalid_class", "{refused}");
        assert!(refused["message"].as_str().unwrap().len() < 300, "a long class is not echoed whole: {refused}");
        assert_eq!(classes(&app, &["T0001", "T0002"]).await, ["B", "C"]);
    }

    async fn an_unknown_code_is_refused_with_its_line_and_another_departments_looks_the_same(app) {
        directory(&app).await;
        let before = imports(&app).await.len();
        let csv = format!("{HEADER}T0001,单位1,甲类\nNOPE,无此单位,丁类\nH0001,卫生单位,丁类\nT0002,单位2,丁类\n");
        let refused = expect(send(&app, &app.market, MAPPED, csv).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some("unknown_target"), Some("code_column")), "{refused}");
        let lines = refused["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 2, "{refused}");
        assert_eq!((lines[0]["line"].as_u64(), lines[1]["line"].as_u64()), (Some(3), Some(4)));
        let unknown = lines[0]["reason"].as_str().unwrap();
        let elsewhere = lines[1]["reason"].as_str().unwrap();
        assert_eq!(elsewhere, unknown.replace("NOPE", "H0001"), "another department's target reads as unknown");
        assert!(!refused.to_string().contains("health"), "the answer does not say who keeps it: {refused}");
        assert_eq!(classes(&app, &["T0001", "T0002"]).await, ["B", "C"], "nothing changed");
        assert_eq!(imports(&app).await.len(), before, "a refused file is not recorded as an import");
        let page = expect(app.get(Some(&app.health), "/api/targets?q=H0001").await, StatusCode::OK).await;
        assert_eq!(page[0]["risk_class"], "B", "the health department's target kept its class");
    }

    async fn a_wrong_mapping_or_caller_is_refused_before_anything_changes(app) {
        directory(&app).await;
        let csv = format!("{HEADER}T0001,单位1,甲类\n");
        for (query, code, field) in [
            ("code_column=%E4%BB%A3%E7%A0%81&class_column=%E4%BF%A1%E7%94%A8%E9%A3%8E%E9%99%A9%E5%88%86%E7%B1%BB%E7%BB%93%E6%9E%9C", "unknown_column", "code_column"),
            ("code_column=%E7%BB%9F%E4%B8%80%E7%A4%BE%E4%BC%9A%E4%BF%A1%E7%94%A8%E4%BB%A3%E7%A0%81&class_column=class", "unknown_column", "class_column"),
            ("class_column=x", "invalid_mapping", "code_column"),
            (&format!("{AS_IS}&map=%E7%94%B2%E7%B1%BBA"), "invalid_mapping", "map"),
            (&format!("{AS_IS}&map=%E7%94%B2%E7%B1%BB:low"), "invalid_mapping", "map"),
            (&format!("{AS_IS}&map=x:A&map=x:B"), "invalid_mapping", "map"),
            (&format!("{AS_IS}&maps=x:A"), "invalid_mapping", "maps"),
        ] {
            let refused = expect(send(&app, &app.market, query, csv.clone()).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some(code), Some(field)), "{query}: {refused}");
        }
        let many: String = (0..101).map(|index| format!("&map=L{index}:A")).collect();
        let refused = expect(send(&app, &app.market, &format!("{AS_IS}{many}"), csv.clone()).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(refused["field"], "map", "{refused}");
        // Only a supervisor, for the department's own targets.
        expect(send(&app, &app.admin, MAPPED, csv.clone()).await, StatusCode::FORBIDDEN).await;
        expect(send(&app, &app.inspector_a, MAPPED, csv.clone()).await, StatusCode::FORBIDDEN).await;
        let anonymous = app.client.post(app.url(&format!("{PATH}?{MAPPED}"))).body(csv.clone()).send().await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(classes(&app, &["T0001"]).await, ["B"], "nothing changed");
    }

    async fn a_file_with_a_byte_order_mark_is_read_and_one_not_in_utf8_is_refused(app) {
        directory(&app).await;
        let with_bom = format!("\u{feff}{HEADER}T0001,单位1,甲类\n");
        let summary = expect(send(&app, &app.market, MAPPED, with_bom).await, StatusCode::OK).await;
        assert_eq!(summary["changed"], 1, "{summary}");
        assert_eq!(classes(&app, &["T0001"]).await, ["A"]);
        // "代码,分类\nT0002,丁类\n" in GBK, as a spreadsheet may save it:
        // refused as the target import refuses it.
        let gbk: Vec<u8> = [&b"\xb4\xfa\xc2\xeb,\xb7\xd6\xc0\xe0\nT0002,\xb6\xa1\xc0\xe0\n"[..]].concat();
        let query = "code_column=%E4%BB%A3%E7%A0%81&class_column=%E5%88%86%E7%B1%BB";
        let refused = expect(send(&app, &app.market, query, gbk).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(refused["code"], "invalid_csv", "{refused}");
        assert_eq!(classes(&app, &["T0002"]).await, ["C"], "nothing changed");
    }
}
