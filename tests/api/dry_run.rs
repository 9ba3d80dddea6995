//! The dry run of a draft: the same pool, strata and quotas as its commit
//! and draw then give, a check of the inspectors, and nothing written.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{DICE, TestApp, expect};
use crate::on_both_backends;

async fn dry_run(app: &TestApp, token: &str, id: i64, status: StatusCode) -> Value {
    expect(app.post_json(Some(token), &format!("/api/tasks/{id}/dry-run"), &json!(null)).await, status).await
}

async fn stored_files(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM task_files").fetch_one(app.service.store().pool()).await.unwrap()
}

on_both_backends! {
    async fn a_dry_run_counts_what_commit_and_draw_then_give(app) {
        app.seed_directory().await;
        let id = app.create_task(json!({"quota": {"ratio": "15%"}})).await;
        let dry = dry_run(&app, &app.market, id, StatusCode::OK).await;
        assert_eq!(dry["not_the_draw"], true);
        let strata: BTreeMap<String, (u64, u64)> = dry["strata"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["key"].as_str().unwrap().to_owned(), (s["pool"].as_u64().unwrap(), s["quota"].as_u64().unwrap())))
            .collect();
        assert_eq!(strata.keys().collect::<Vec<_>>(), ["R1", "R2", "R3"], "{dry}");
        assert!(strata.values().all(|&(pool, quota)| pool == 20 && quota == 3), "ceil(15% of 20): {dry}");

        let committed = app.act(id, "commit", json!({}), StatusCode::OK).await;
        assert_eq!(committed["pool_size"], dry["pool_size"]);
        app.pass_entropy_event();
        let drawn = app.act(id, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        assert_eq!(drawn["drawn_count"], dry["drawn"]);
        let selection =
            expect(app.get(Some(&app.market), &format!("/api/tasks/{id}/selection")).await, StatusCode::OK).await;
        let mut drawn_per_stratum: BTreeMap<String, u64> = BTreeMap::new();
        for target in selection["targets"].as_array().unwrap() {
            *drawn_per_stratum.entry(target["stratum"].as_str().unwrap().to_owned()).or_default() += 1;
        }
        let quotas: BTreeMap<String, u64> = strata.iter().map(|(key, &(_, quota))| (key.clone(), quota)).collect();
        assert_eq!(drawn_per_stratum, quotas);

        let inspectors = &dry["inspectors"];
        assert_eq!(inspectors["per_target"], 2);
        assert_eq!(inspectors["targets"], dry["drawn"]);
        assert_eq!(inspectors["targets_short"], 0);
        assert_eq!(inspectors["enough"], true);
        assert_eq!(selection["status"], "complete");
    }

    async fn a_dry_run_writes_nothing_and_logs_nothing(app) {
        app.seed_directory().await;
        let id = app.create_task(json!({})).await;
        let path = format!("/api/tasks/{id}");
        let task_before = expect(app.get(Some(&app.market), &path).await, StatusCode::OK).await;
        let head_before = app.log_head().await;
        let files_before = stored_files(&app).await;
        dry_run(&app, &app.market, id, StatusCode::OK).await;
        assert_eq!(app.log_head().await, head_before, "nothing was logged");
        assert_eq!(stored_files(&app).await, files_before, "no file was stored");
        assert_eq!(expect(app.get(Some(&app.market), &path).await, StatusCode::OK).await, task_before);
        // And the draft commits as if there had been no dry run.
        app.act(id, "commit", json!({}), StatusCode::OK).await;
    }

    async fn a_dry_run_names_the_strata_short_of_inspectors(app) {
        app.seed_directory().await;
        // Ten market inspectors, about a third in each region, the cross
        // rule on: no target has nine candidates.
        let id = app.create_task(json!({"inspectors_per_target": 9})).await;
        let dry = dry_run(&app, &app.market, id, StatusCode::OK).await;
        let inspectors = &dry["inspectors"];
        assert_eq!(inspectors["enough"], false, "{dry}");
        assert_eq!(inspectors["targets_short"], dry["drawn"], "{dry}");
        let worst = inspectors["worst"].as_array().unwrap();
        assert_eq!(worst.len(), 3, "one a stratum and department: {dry}");
        for entry in worst {
            assert_eq!(entry["department"], "market");
            assert_eq!(entry["needed"], 9);
            assert!(entry["fewest_candidates"].as_u64().unwrap() < 9, "{entry}");
        }
        let fewest: Vec<u64> = worst.iter().map(|e| e["fewest_candidates"].as_u64().unwrap()).collect();
        assert!(fewest.is_sorted(), "fewest first: {fewest:?}");
    }

    async fn another_departments_supervisor_cannot_dry_run_a_draft(app) {
        app.seed_directory().await;
        let id = app.create_task(json!({})).await;
        let theirs = dry_run(&app, &app.health, id, StatusCode::NOT_FOUND).await;
        let none = dry_run(&app, &app.health, id + 1000, StatusCode::NOT_FOUND).await;
        assert_eq!(theirs["code"], none["code"]);
        assert_eq!(
            theirs["message"].as_str().unwrap().replace(&id.to_string(), "ID"),
            none["message"].as_str().unwrap().replace(&(id + 1000).to_string(), "ID")
        );
        dry_run(&app, &app.inspector_a, id, StatusCode::FORBIDDEN).await;
    }

    async fn a_committed_task_is_not_dry_run(app) {
        app.seed_directory().await;
        let id = app.create_task(json!({})).await;
        app.act(id, "commit", json!({}), StatusCode::OK).await;
        let body = dry_run(&app, &app.market, id, StatusCode::CONFLICT).await;
        assert_eq!(body["code"], "invalid_state", "{body}");
    }
}
