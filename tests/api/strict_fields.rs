//! Texts that would make two different things look or count as one are
//! refused where they enter: invisible format characters in directory rows
//! and task definitions, and values that would merge two strata.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;

async fn target_ids(app: &TestApp) -> Vec<String> {
    let rows = expect(app.get(Some(&app.market), "/api/targets?limit=1000").await, StatusCode::OK).await;
    rows.as_array().unwrap().iter().map(|row| row["id"].as_str().unwrap().to_owned()).collect()
}

async fn task_state(app: &TestApp, id: i64) -> String {
    let task = expect(app.get(Some(&app.market), &format!("/api/tasks/{id}")).await, StatusCode::OK).await;
    task["state"].as_str().unwrap().to_owned()
}

on_both_backends! {
    async fn an_id_with_a_bidirectional_override_refuses_the_whole_import(app) {
        app.seed_directory().await;
        let before = target_ids(&app).await;
        // "T0001" with its last two characters shown reversed: looks like "T0010".
        let csv = "id,name,region,risk_class\nNEW1,新单位,R1,A\nT00\u{202e}10,伪装单位,R1,A\n";
        let body = expect(app.post_csv(&app.market, "/api/targets/import", csv).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["code"], "invalid_csv", "{body}");
        assert_eq!(body["field"], "id", "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("line 3, column id"), "{message}");
        assert!(message.contains("U+202E RIGHT-TO-LEFT OVERRIDE"), "{message}");
        assert!(message.contains("not allowed"), "{message}");
        assert_eq!(target_ids(&app).await, before, "neither the good line nor the bad one was written");
    }

    async fn invisible_characters_are_refused_in_every_directory_and_field(app) {
        app.seed_directory().await;
        let cases = [
            ("/api/targets/import", "id,name,region,risk_class\nNEW1,单位,R1\u{200b},A\n", "line 2, column region", "U+200B ZERO WIDTH SPACE"),
            ("/api/targets/import", "id,name,region,risk_class,unit\nNEW1,单位,R1,A,U\u{2066}1\n", "line 2, column unit", "U+2066 LEFT-TO-RIGHT ISOLATE"),
            ("/api/targets/import", "id,name,region,risk_class\nNEW1,单\u{feff}位,R1,A\n", "line 2, column name", "U+FEFF"),
            ("/api/inspectors/import", "id,name,department,unit,region,items,certificate_expires\nM\u{2060}001,张,market,U,R1,FOOD-01,2028-01-01\n", "line 2, column id", "U+2060 WORD JOINER"),
            ("/api/inspectors/import", "id,name,department,unit,region,items,certificate_expires\nM099,张,market,U,R1,FOOD\u{61c}-01,2028-01-01\n", "line 2, column items", "U+061C ARABIC LETTER MARK"),
            ("/api/recusals/import", "inspector_id,target_id\nM001,T0001\u{180e}\n", "line 2, column target_id", "U+180E MONGOLIAN VOWEL SEPARATOR"),
            ("/api/items/import", "code,name,department\nFOOD\u{ad}-09,检查,market\n", "line 2, column code", "U+00AD SOFT HYPHEN"),
        ];
        for (path, csv, place, character) in cases {
            let body = expect(app.post_csv(&app.market, path, csv).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            let message = body["message"].as_str().unwrap();
            assert!(message.contains(place) && message.contains(character), "{path}: {message}");
        }
        let before = target_ids(&app).await;
        assert!(!before.iter().any(|id| id.starts_with("NEW")), "no refused row was written");

        let definitions = [
            (json!({"departments": ["market\u{200d}"]}), "departments"),
            (json!({"items": ["FOOD-01\u{202c}"]}), "items[0]"),
            (json!({"quota_by_stratum": {"R1\u{200e}": {"count": 1}}}), "quota_by_stratum.R1\u{200e}"),
            (json!({"filter": {"regions": ["R1\u{2067}"]}}), "filter.regions[0]"),
            (json!({"plan_name": "计划\u{202b}"}), "plan_name"),
            (json!({"entropy": {"format": "dice", "source": "dice\u{2069}", "min_length": 20}}), "entropy.source"),
        ];
        for (changes, field) in definitions {
            let mut definition = crate::helpers::default_definition();
            for (key, value) in changes.as_object().unwrap() {
                definition[key] = value.clone();
            }
            let body = expect(app.post_json(Some(&app.market), "/api/tasks", &definition).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(body["field"], field, "{body}");
            assert!(body["message"].as_str().unwrap().contains("not allowed"), "{body}");
        }
        assert_eq!(expect(app.get(Some(&app.market), "/api/tasks").await, StatusCode::OK).await, json!([]), "no task was created");
    }

    async fn values_that_would_merge_two_strata_refuse_the_commit(app) {
        app.seed_directory().await;
        // (A/B, C) and (A, B/C) would both be stratum "A/B/C" and share one quota.
        let csv = "id,name,region,industry,risk_class,unit\nX1,甲,R1,A/B,A,C\nX2,乙,R1,A,A,B/C\n";
        expect(app.post_csv(&app.market, "/api/targets/import", csv).await, StatusCode::OK).await;
        let id = app.create_task(json!({"strata_by": ["industry", "unit"], "quota": {"count": 1}})).await;
        let error = app.act(id, "commit", json!({}), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error["code"], "invalid_pool", "{error}");
        assert_eq!(error["field"], "strata_by", "{error}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("target X1") && message.contains("industry 'A/B'"), "{message}");
        assert_eq!(task_state(&app, id).await, "draft", "a refused commit leaves a draft");

        // One column cannot merge two values: its values are the keys themselves.
        let single = app.create_task(json!({"strata_by": ["industry"], "quota": {"count": 1}})).await;
        app.act(single, "commit", json!({}), StatusCode::OK).await;
    }

    async fn an_empty_pool_is_not_committed_and_the_answer_says_why(app) {
        app.seed_directory().await;
        let empty = app.create_task(json!({"filter": {"regions": ["NOWHERE"]}})).await;
        let error = app.act(empty, "commit", json!({}), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error["code"], "empty_pool");
        assert_eq!(error["field"], "filter");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("would select no target"), "{message}");
        assert_eq!(task_state(&app, empty).await, "draft");
    }
}
