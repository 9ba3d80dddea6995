//! Bad input gets a clear error — which row, which field, why — and
//! changes nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{DICE, TestApp, expect};
use crate::on_both_backends;

async fn target_count(app: &TestApp) -> usize {
    let rows = expect(app.get(Some(&app.market), "/api/targets?limit=1000").await, StatusCode::OK).await;
    rows.as_array().unwrap().len()
}

async fn bad_csv(app: &TestApp, path: &str, csv: &str, expected: &str) {
    let body = expect(app.post_csv(&app.market, path, csv).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["code"], "invalid_csv");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(expected), "{expected:?} not in {message:?}");
}

on_both_backends! {
    async fn a_bad_csv_row_names_line_column_and_reason_and_nothing_is_written(app) {
        app.seed_directory().await;
        let before = target_count(&app).await;
        let header = "id,name,region,risk_class\n";
        // The bad row comes after a full batch of good ones, so a partial write would show.
        let mut csv = String::from(header);
        for index in 0..6000 {
            csv.push_str(&format!("NEW{index:05},新单位,R1,A\n"));
        }
        csv.push_str("NEW99999,新单位,R1,E\n");
        bad_csv(&app, "/api/targets/import", &csv, "line 6002, column risk_class: 'E' is not one of A, B, C, D").await;
        bad_csv(&app, "/api/targets/import", &format!("{header}A1,x,R1,A\nA1,y,R1,B\n"), "line 3, column id: 'A1' appears twice (first on line 2)").await;
        bad_csv(&app, "/api/targets/import", "id,name,risk_class\nA1,x,A\n", "line 1, column region: the header has no such column").await;
        bad_csv(&app, "/api/targets/import", &format!("{header}\"A\t1\",x,R1,A\n"), "line 2, column id: contains a tab").await;
        bad_csv(&app, "/api/targets/import", &format!("{header}A1,x,R1\n"), "line 2: has 3 fields; the header has 4").await;
        bad_csv(&app, "/api/inspectors/import", "id,name,department,unit,region,items,certificate_expires\nM1,x,market,U,R1,FOOD-01,2027-02-30\n",
            "line 2, column certificate_expires: '2027-02-30' is not a day of the calendar").await;
        assert_eq!(target_count(&app).await, before, "no row of a refused import was kept");
    }

    async fn an_import_upserts_by_id(app) {
        app.seed_directory().await;
        let updated = "id,name,region,risk_class\nT0001,改名后的单位,R1,D\nNEW1,新单位,R2,B\n";
        let summary = expect(app.post_csv(&app.market, "/api/targets/import", updated).await, StatusCode::OK).await;
        assert_eq!(summary, json!({"kind": "targets", "rows": 2}));
        assert_eq!(target_count(&app).await, 61);
        let rows = expect(app.get(Some(&app.market), "/api/targets?after=T0000&limit=1").await, StatusCode::OK).await;
        assert_eq!(rows[0]["name"], "改名后的单位");
        assert_eq!(rows[0]["risk_class"], "D");
    }

    async fn bad_task_definitions_name_the_field(app) {
        app.seed_directory().await;
        let cases = [
            (json!({"quota_by_stratum": {"R1": {"ratio": "120%"}}}), "quota_by_stratum.R1.ratio"),
            (json!({"inspectors_per_target": 1}), "inspectors_per_target"),
            (json!({"entropy": {"format": "decimal", "source": "x"}}), "entropy.format"),
            (json!({"entropy": {"format": "dice", "source": "x", "min_length": 3}}), "entropy.min_length"),
            (json!({"certificate_date": "2026-13-01"}), "certificate_date"),
            (json!({"filter": {"risk_classes": ["Z"]}}), "filter.risk_classes"),
        ];
        for (changes, field) in cases {
            let mut definition = crate::helpers::default_definition();
            for (key, value) in changes.as_object().unwrap() {
                definition[key] = value.clone();
            }
            let body = expect(app.post_json(Some(&app.market), "/api/tasks", &definition).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(body["code"], "invalid_definition", "{body}");
            assert_eq!(body["field"], field, "{body}");
        }
        let mut unknown = crate::helpers::default_definition();
        unknown["quotas"] = json!({});
        let body = expect(app.post_json(Some(&app.market), "/api/tasks", &unknown).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["code"], "invalid_json");
        assert!(body["message"].as_str().unwrap().contains("unknown field `quotas`"), "{body}");
        let not_json = app.client.post(app.url("/api/tasks")).bearer_auth(&app.market).header("content-type", "application/json").body("{").send().await.unwrap();
        assert_eq!(expect(not_json, StatusCode::UNPROCESSABLE_ENTITY).await["code"], "invalid_json");
        assert_eq!(expect(app.get(Some(&app.market), "/api/tasks").await, StatusCode::OK).await, json!([]), "no task was created");
    }

    async fn a_commit_that_cannot_freeze_a_pool_says_why(app) {
        app.seed_directory().await;
        let empty = app.create_task(json!({"filter": {"regions": ["NOWHERE"]}})).await;
        let error = app.act(empty, "commit", json!({}), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error["code"], "empty_pool");
        let unquoted = app.create_task(json!({"quota": null, "quota_by_stratum": {"R1": {"count": 1}}})).await;
        let error = app.act(unquoted, "commit", json!({}), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(error["message"].as_str().unwrap().contains("stratum 'R2' has no quota"), "{error}");
        let task = expect(app.get(Some(&app.market), &format!("/api/tasks/{unquoted}")).await, StatusCode::OK).await;
        assert_eq!(task["state"], "draft", "a refused commit leaves a draft");
    }

    async fn the_pool_leaves_out_targets_inspected_recently_and_flagged_ones(app) {
        app.seed_directory().await;
        let today = chrono::Utc::now().date_naive();
        let recent = (today - chrono::Duration::days(30)).format("%Y-%m-%d");
        let long_ago = (today - chrono::Duration::days(400)).format("%Y-%m-%d");
        let csv = format!(
            "id,name,region,risk_class,flags,last_inspected\nT0001,甲,R2,A,,{recent}\nT0002,乙,R2,A,,{long_ago}\nT0003,丙,R1,A,abnormal,\n"
        );
        expect(app.post_csv(&app.market, "/api/targets/import", &csv).await, StatusCode::OK).await;
        let task = app.create_task(json!({"filter": {"exclude_inspected_within_days": 365, "exclude_flags": ["abnormal"]}})).await;
        let committed = app.act(task, "commit", json!({}), StatusCode::OK).await;
        assert_eq!(committed["pool_size"], 58, "T0001 (inspected 30 days ago) and T0003 (abnormal) are left out");
        let manifest = app.get(None, &format!("/api/public/tasks/{task}/files/targets.tsv")).await.text().await.unwrap();
        assert!(!manifest.contains("\nT0001\t") && !manifest.contains("\nT0003\t"));
        assert!(manifest.contains("\nT0002\t"), "inspected 400 days ago is back in the pool");
    }

    async fn an_excluded_flag_leaves_out_that_flag_alone(app) {
        app.seed_directory().await;
        // Lookalikes of `a_c`: a wildcard reading of `_`, another case, a
        // flag that holds it; and a flag that is made of `%`.
        let csv = "id,name,region,risk_class,flags\n\
            T0001,甲,R2,A,a_c\nT0002,乙,R2,A,abc\nT0003,丙,R1,A,A_C\nT0004,丁,R1,A,xa_cx;b\nT0005,戊,R1,A,b;%\n";
        expect(app.post_csv(&app.market, "/api/targets/import", csv).await, StatusCode::OK).await;
        let task = app.create_task(json!({"filter": {"exclude_flags": ["a_c", "%"]}})).await;
        let committed = app.act(task, "commit", json!({}), StatusCode::OK).await;
        assert_eq!(committed["pool_size"], 58, "of the 60 targets, only T0001 and T0005 are left out");
        let manifest = app.get(None, &format!("/api/public/tasks/{task}/files/targets.tsv")).await.text().await.unwrap();
        for (target, kept) in [("T0001", false), ("T0002", true), ("T0003", true), ("T0004", true), ("T0005", false)] {
            assert_eq!(manifest.contains(&format!("\n{target}\t")), kept, "{target}");
        }

        let listed = app.post_json(Some(&app.market), "/api/tasks", &{
            let mut definition = crate::helpers::default_definition();
            definition["filter"] = json!({"exclude_flags": ["a,b"]});
            definition
        }).await;
        let error = expect(listed, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error["field"], "filter.exclude_flags[0]", "{error}");
    }

    async fn entropy_must_be_written_as_committed_and_long_enough(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({})).await;
        app.act(task, "commit", json!({}), StatusCode::OK).await;
        app.pass_entropy_event();
        let spaced = app.act(task, "draw", json!({"entropy": "3 1 4 1 5 3 2 6 5 3 5 6 4 1 5 2 6 3 5 4"}), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(spaced["field"], "entropy");
        assert!(spaced["message"].as_str().unwrap().contains("committed entropy format 'dice'"), "{spaced}");
        let short = app.act(task, "draw", json!({"entropy": "3141"}), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(short["code"], "entropy_too_short");
        let task_now = expect(app.get(Some(&app.market), &format!("/api/tasks/{task}")).await, StatusCode::OK).await;
        assert_eq!(task_now["state"], "committed");
        app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
    }
}
