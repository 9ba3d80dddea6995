//! The departments' working rules (抽查工作细则): a supervisor publishes
//! numbered versions for their own department, each with one public log
//! entry naming the SHA-256 of its text; anyone reads the current version,
//! the history and every earlier version's source.

use opendraw::protocol::Digest;
use opendraw::protocol::log::LogEntry;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;

const FIRST: &str = "# 抽查工作细则\n\n## 一、总则\n\n1. 随机抽取检查对象\n2. 随机选派执法检查人员\n";
const SECOND: &str = "# 抽查工作细则（修订）\n\n## 一、总则\n\n- 抽查结果**及时**公开\n";

fn rules(title: &str, effective_on: &str, text: &str) -> Value {
    json!({"title": title, "effective_on": effective_on, "text": text})
}

async fn publish(app: &TestApp, token: &str, body: &Value, status: StatusCode) -> Value {
    expect(app.post_json(Some(token), "/api/rules", body).await, status).await
}

/// The rules entries of the log, as (actor, payload).
async fn rules_entries(app: &TestApp) -> Vec<(String, Value)> {
    let page = expect(app.get(None, "/api/public/log?after=0&limit=1000").await, StatusCode::OK).await;
    let entries: Vec<LogEntry> = serde_json::from_value(page["entries"].clone()).unwrap();
    entries
        .into_iter()
        .filter(|entry| entry.kind == "rules.published")
        .map(|entry| {
            assert_eq!(entry.task, None, "a rules entry names no task");
            (entry.actor, serde_json::from_str(&entry.payload).unwrap())
        })
        .collect()
}

async fn public_list(app: &TestApp) -> Value {
    expect(app.get(None, "/api/public/rules").await, StatusCode::OK).await
}

fn sha256(text: &str) -> String {
    Digest::of_file(text.as_bytes()).to_hex()
}

on_both_backends! {
    async fn versions_are_numbered_and_the_list_shows_the_current_with_its_history(app) {
        let first = publish(&app, &app.market, &rules("市场监管随机抽查工作细则", "2027-01-01", FIRST), StatusCode::CREATED).await;
        assert_eq!((first["department"].as_str(), first["version"].as_i64()), (Some("market"), Some(1)));
        assert_eq!(first["text_sha256"].as_str(), Some(sha256(FIRST).as_str()));
        let second = publish(&app, &app.market, &rules("市场监管随机抽查工作细则（修订）", "2027-07-01", SECOND), StatusCode::CREATED).await;
        assert_eq!(second["version"], 2);
        let list = public_list(&app).await;
        let departments = list["departments"].as_array().unwrap();
        assert_eq!(departments.len(), 1, "{list}");
        let market = &departments[0];
        assert_eq!(market["department"], "market");
        assert_eq!((market["current"]["version"].as_i64(), market["current"]["title"].as_str()), (Some(2), Some("市场监管随机抽查工作细则（修订）")));
        assert_eq!(market["current"]["effective_on"], "2027-07-01");
        let earlier = market["earlier"].as_array().unwrap();
        assert_eq!(earlier.len(), 1, "{market}");
        assert_eq!((earlier[0]["version"].as_i64(), earlier[0]["effective_on"].as_str()), (Some(1), Some("2027-01-01")));
        assert_eq!(earlier[0]["published_at"], first["published_at"]);
        assert!(market.get("text").is_none() && market["current"].get("text").is_none(), "the list carries no text: {market}");
    }

    async fn an_earlier_version_stays_readable_with_its_source(app) {
        publish(&app, &app.market, &rules("细则", "2027-01-01", FIRST), StatusCode::CREATED).await;
        publish(&app, &app.market, &rules("细则（修订）", "2027-07-01", SECOND), StatusCode::CREATED).await;
        let old = expect(app.get(None, "/api/public/rules/market/1").await, StatusCode::OK).await;
        assert_eq!((old["version"].as_i64(), old["title"].as_str(), old["text"].as_str()), (Some(1), Some("细则"), Some(FIRST)));
        assert_eq!(old["text_sha256"].as_str(), Some(sha256(FIRST).as_str()));
        let current = expect(app.get(None, "/api/public/rules/market/2").await, StatusCode::OK).await;
        assert_eq!(current["text"].as_str(), Some(SECOND));
        let missing = expect(app.get(None, "/api/public/rules/market/3").await, StatusCode::NOT_FOUND).await;
        assert_eq!(missing["code"], "not_found");
        expect(app.get(None, "/api/public/rules/health/1").await, StatusCode::NOT_FOUND).await;
    }

    async fn each_publication_appends_one_log_entry_naming_its_texts_digest(app) {
        let before = app.log_head().await;
        publish(&app, &app.market, &rules("细则", "2027-01-01", FIRST), StatusCode::CREATED).await;
        let after_one = app.log_head().await;
        assert_eq!(after_one["seq"].as_i64().unwrap(), before["seq"].as_i64().unwrap() + 1, "{after_one}");
        publish(&app, &app.market, &rules("细则（修订）", "2027-07-01", SECOND), StatusCode::CREATED).await;
        let entries = rules_entries(&app).await;
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].0, "market-supervisor");
        assert_eq!(
            entries[0].1,
            json!({"department": "market", "version": 1, "title": "细则", "effective_on": "2027-01-01", "text_sha256": sha256(FIRST)})
        );
        assert_eq!((entries[1].1["version"].as_i64(), entries[1].1["text_sha256"].as_str()), (Some(2), Some(sha256(SECOND).as_str())));
    }

    async fn bad_input_is_refused_with_its_code_and_nothing_is_written(app) {
        let before = app.log_head().await;
        let cases = [
            (rules(" ", "2027-01-01", FIRST), "invalid_title", "title"),
            (rules(&"题".repeat(201), "2027-01-01", FIRST), "invalid_title", "title"),
            (rules("细则", "2027-02-30", FIRST), "invalid_effective_on", "effective_on"),
            (rules("细则", "2027-1-1", FIRST), "invalid_effective_on", "effective_on"),
            (rules("细则", "2027-01-01", " \n "), "empty_text", "text"),
            (rules("细则", "2027-01-01", &"细".repeat(70_000)), "text_too_long", "text"),
            (rules("细则", "2027-01-01", "# 细则\u{0}"), "invalid_text", "text"),
        ];
        for (body, code, field) in cases {
            let refused = publish(&app, &app.market, &body, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some(code), Some(field)), "{refused}");
        }
        let unknown = app.post_json(Some(&app.market), "/api/rules", &json!({"title": "细则", "effective_on": "2027-01-01", "text": FIRST, "department": "health"})).await;
        assert!(unknown.status().is_client_error(), "{}", unknown.status());
        assert_eq!(app.log_head().await, before, "nothing was logged");
        assert_eq!(public_list(&app).await, json!({"departments": []}));
    }

    async fn a_supervisor_publishes_for_their_own_department_only(app) {
        publish(&app, &app.market, &rules("市场监管细则", "2027-01-01", FIRST), StatusCode::CREATED).await;
        let health = publish(&app, &app.health, &rules("卫生健康细则", "2027-03-01", SECOND), StatusCode::CREATED).await;
        assert_eq!((health["department"].as_str(), health["version"].as_i64()), (Some("health"), Some(1)));
        let list = public_list(&app).await;
        let departments: Vec<(&str, i64)> = list["departments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["department"].as_str().unwrap(), d["current"]["version"].as_i64().unwrap()))
            .collect();
        assert_eq!(departments, [("health", 1), ("market", 1)]);
        let market = expect(app.get(None, "/api/public/rules/market/1").await, StatusCode::OK).await;
        assert_eq!(market["title"], "市场监管细则", "the health supervisor's text did not reach market's rules");
    }

    async fn an_inspector_or_the_public_cannot_publish(app) {
        let before = app.log_head().await;
        let body = rules("细则", "2027-01-01", FIRST);
        let inspector = publish(&app, &app.inspector_a, &body, StatusCode::FORBIDDEN).await;
        assert_eq!(inspector["code"], "forbidden");
        let admin = publish(&app, &app.admin, &body, StatusCode::FORBIDDEN).await;
        assert_eq!(admin["code"], "forbidden");
        let anonymous = app.post_json(None, "/api/rules", &body).await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.log_head().await, before);
        assert_eq!(public_list(&app).await, json!({"departments": []}));
    }

    async fn publications_at_once_take_one_number_each(app) {
        let sends = (1..=6).map(|n| {
            let body = rules(&format!("细则第{n}稿"), "2027-01-01", FIRST);
            let app = &app;
            async move { publish(app, &app.market, &body, StatusCode::CREATED).await }
        });
        let published = futures_util::future::join_all(sends).await;
        let mut versions: Vec<i64> = published.iter().map(|p| p["version"].as_i64().unwrap()).collect();
        versions.sort_unstable();
        assert_eq!(versions, [1, 2, 3, 4, 5, 6]);
        let logged: Vec<i64> = rules_entries(&app).await.iter().map(|(_, p)| p["version"].as_i64().unwrap()).collect();
        assert_eq!(logged, [1, 2, 3, 4, 5, 6], "one entry each, in the order of their numbers");
    }
}
