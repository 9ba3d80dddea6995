//! The task lifecycle over HTTP: every transition, the invalid ones refused
//! with nothing changed, retries that never draw twice, the embargo, the
//! log, and a revealed bundle that `opendraw verify` accepts.

use opendraw::protocol::log::{LogEntry, verify_log};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{DICE, TestApp, expect};
use crate::on_both_backends;

/// The task as its supervisor sees it, and the log head: what must not
/// move when a request is refused.
async fn snapshot(app: &TestApp, task: i64) -> (Value, Value) {
    let view = expect(app.get(Some(&app.market), &format!("/api/tasks/{task}")).await, StatusCode::OK).await;
    (view, app.log_head().await)
}

async fn refused(app: &TestApp, task: i64, action: &str, body: Value, status: StatusCode, code: &str) {
    let before = snapshot(app, task).await;
    let error = app.act(task, action, body, status).await;
    assert_eq!(error["code"], code, "{action}: {error}");
    assert!(!error["message"].as_str().unwrap().is_empty());
    assert_eq!(snapshot(app, task).await, before, "{action} changed something");
}

async fn all_log_entries(app: &TestApp) -> Vec<LogEntry> {
    let page = expect(app.get(None, "/api/public/log?after=0&limit=1000").await, StatusCode::OK).await;
    serde_json::from_value(page["entries"].clone()).unwrap()
}

on_both_backends! {
    async fn a_task_goes_from_draft_to_revealed_and_every_step_is_logged(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({})).await;
        let committed = app.act(task, "commit", json!({}), StatusCode::OK).await;
        assert_eq!(committed["state"], "committed");
        assert_eq!(committed["pool_size"], 60);
        app.pass_entropy_event();
        let drawn = app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        assert_eq!(drawn["state"], "drawn");
        assert_eq!(drawn["result_status"], "complete");
        assert_eq!(drawn["drawn_count"], 12, "20 % of 20 targets in each of 3 regions");
        let revealed = app.act(task, "reveal", json!({}), StatusCode::OK).await;
        assert_eq!(revealed["state"], "revealed");
        let entries = all_log_entries(&app).await;
        let kinds: Vec<&str> = entries.iter().filter(|e| e.task == Some(task as u64)).map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["task.created", "task.committed", "task.drawn", "task.revealed"]);
        let report = verify_log(&entries);
        assert!(report.passed(), "{:?}", report.problems);
        assert!(report.open.is_empty());
        let state = tempfile::tempdir().unwrap();
        let state = state.path().join("log-state.json");
        for source in [app.address.clone(), app.database_url.clone()] {
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_opendraw"))
                .args(["log", "verify", &source, "--state"])
                .arg(&state)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(output.status.success(), "log verify {source}: {text}");
            // The seed's three items are published first (item.published).
            assert!(text.contains("7 entries, 1 tasks"), "{text}");
        }
    }

    async fn transitions_out_of_order_are_refused_and_change_nothing(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({})).await;
        refused(&app, task, "draw", json!({"entropy": DICE}), StatusCode::CONFLICT, "invalid_state").await;
        refused(&app, task, "reveal", json!({}), StatusCode::CONFLICT, "invalid_state").await;
        app.act(task, "commit", json!({}), StatusCode::OK).await;
        refused(&app, task, "commit", json!({}), StatusCode::CONFLICT, "invalid_state").await;
        refused(&app, task, "reveal", json!({}), StatusCode::CONFLICT, "invalid_state").await;
        let before = snapshot(&app, task).await;
        let edit = app.client.put(app.url(&format!("/api/tasks/{task}"))).bearer_auth(&app.market)
            .json(&crate::helpers::default_definition()).send().await.unwrap();
        let error = expect(edit, StatusCode::CONFLICT).await;
        assert!(error["message"].as_str().unwrap().contains("can be edited only when draft"), "{error}");
        assert_eq!(snapshot(&app, task).await, before, "an edit after the commit changed something");
        app.pass_entropy_event();
        app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        app.act(task, "reveal", json!({}), StatusCode::OK).await;
        refused(&app, task, "abandon", json!({"reason": "too late"}), StatusCode::CONFLICT, "invalid_state").await;
        let other = app.create_task(json!({})).await;
        app.act(other, "abandon", json!({"reason": "planned twice"}), StatusCode::OK).await;
        refused(&app, other, "commit", json!({}), StatusCode::CONFLICT, "task_abandoned").await;
    }

    async fn a_retried_draw_never_draws_twice(app) {
        app.seed_directory().await;
        let task = app.drawn_task().await;
        let first = snapshot(&app, task).await;
        let again = app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        assert_eq!(again["result_digest"], first.0["result_digest"], "the same draw, answered again");
        assert_eq!(app.log_head().await, first.1, "and nothing logged");
        refused(&app, task, "draw", json!({"entropy": "66666666666666666666"}), StatusCode::CONFLICT, "invalid_state").await;
    }

    async fn an_idempotency_key_replays_the_first_answer(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({})).await;
        let path = app.url(&format!("/api/tasks/{task}/commit"));
        let send = |key: &'static str| app.client.post(&path).bearer_auth(&app.market).header("Idempotency-Key", key).json(&json!({})).send();
        let first = expect(send("commit-1").await.unwrap(), StatusCode::OK).await;
        let head = app.log_head().await;
        let retried = expect(send("commit-1").await.unwrap(), StatusCode::OK).await;
        assert_eq!(retried, first, "the retry gets the first answer");
        assert_eq!(app.log_head().await, head, "and commits nothing twice");
        let without_key = app.act(task, "commit", json!({}), StatusCode::CONFLICT).await;
        assert_eq!(without_key["code"], "invalid_state");
        let reused = app.client.post(app.url(&format!("/api/tasks/{task}/abandon"))).bearer_auth(&app.market)
            .header("Idempotency-Key", "commit-1").json(&json!({"reason": "x"})).send().await.unwrap();
        assert_eq!(expect(reused, StatusCode::UNPROCESSABLE_ENTITY).await["code"], "idempotency_key_reused");
    }

    async fn the_result_stays_sealed_until_the_embargo_unless_released(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({"embargo_until": "2999-01-01"})).await;
        app.act(task, "commit", json!({}), StatusCode::OK).await;
        app.pass_entropy_event();
        app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        refused(&app, task, "reveal", json!({}), StatusCode::CONFLICT, "embargoed").await;
        let revealed = app.act(task, "reveal", json!({"release_early": true}), StatusCode::OK).await;
        assert_eq!(revealed["state"], "revealed");
    }

    async fn an_infeasible_draw_is_recorded_and_published_like_any_result(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({"inspectors_per_target": 9, "quota": {"count": 2}})).await;
        app.act(task, "commit", json!({}), StatusCode::OK).await;
        app.pass_entropy_event();
        let drawn = app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        assert_eq!(drawn["result_status"], "failed");
        app.act(task, "reveal", json!({}), StatusCode::OK).await;
        let result = app.get(None, &format!("/api/public/tasks/{task}/files/result.tsv")).await.text().await.unwrap();
        assert!(result.contains("status\tfailed") && result.contains("\nfailure\t"), "{result}");
    }

    async fn a_revealed_bundle_downloaded_over_http_passes_opendraw_verify(app) {
        app.seed_directory().await;
        let task = app.drawn_task().await;
        app.act(task, "reveal", json!({}), StatusCode::OK).await;
        let public = expect(app.get(None, &format!("/api/public/tasks/{task}")).await, StatusCode::OK).await;
        let bundle = app.get(None, &format!("/api/public/tasks/{task}/bundle.tar")).await;
        assert_eq!(bundle.status(), StatusCode::OK);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bundle.tar");
        std::fs::write(&path, bundle.bytes().await.unwrap()).unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_opendraw"))
            .args(["verify", path.to_str().unwrap()])
            .args(["--commitment", public["commitment_digest"].as_str().unwrap()])
            .args(["--result-digest", public["result_digest"].as_str().unwrap()])
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{report}");
        assert!(report.contains("matches the public log"), "{report}");
    }
}
