//! Abandoning a drawn task publishes its draw at once — secret, entropy,
//! seed, result, selection and bundle — so that no operator can discard a
//! sealed result unseen and draw again. A task abandoned before its draw
//! has nothing drawn to publish.

use opendraw::protocol::log::{LogEntry, verify_log};
use opendraw::protocol::verify::{Pins, verify};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;

async fn public_task(app: &TestApp, task: i64) -> Value {
    expect(app.get(None, &format!("/api/public/tasks/{task}")).await, StatusCode::OK).await
}

/// The payload of the task's `task.abandoned` entry.
fn abandonment(view: &Value) -> Value {
    let entry = view["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "task.abandoned").unwrap();
    serde_json::from_str(entry["payload"].as_str().unwrap()).unwrap()
}

async fn whole_log(app: &TestApp) -> Vec<LogEntry> {
    let page = expect(app.get(None, "/api/public/log?after=0&limit=1000").await, StatusCode::OK).await;
    serde_json::from_value(page["entries"].clone()).unwrap()
}

on_both_backends! {
    async fn an_abandoned_draw_is_published_and_verifies(app) {
        app.seed_directory().await;
        let task = app.drawn_task().await;
        let sealed = public_task(&app, task).await;
        assert_eq!(sealed["secret"], Value::Null, "sealed until the abandonment");
        let result_digest = sealed["result_digest"].as_str().unwrap().to_owned();

        app.act(task, "abandon", json!({"reason": "the meeting was cancelled"}), StatusCode::OK).await;

        let view = public_task(&app, task).await;
        assert_eq!(view["state"], "abandoned");
        assert_eq!(view["draw_published"], true);
        let secret = view["secret"].as_str().expect("the secret is published").to_owned();
        assert!(view["seed"].is_string());
        assert_eq!(view["result_status"], "complete");
        let files: Vec<&str> = view["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
        for name in ["reveal.tsv", "result.tsv", "bundle.tar"] {
            assert!(files.contains(&name), "{name} is listed: {files:?}");
        }
        let selection = expect(app.get(None, &format!("/api/public/tasks/{task}/selection")).await, StatusCode::OK).await;
        assert!(!selection.as_array().unwrap().is_empty(), "the discarded selection is public");

        // The log entry says what was published, and the log checks.
        let logged = abandonment(&view);
        assert_eq!(logged["from"], "drawn");
        assert_eq!(logged["secret"], secret.as_str());
        assert_eq!(logged["result"], result_digest.as_str());
        assert_eq!(logged["entropy"], crate::helpers::DICE);
        assert_eq!(logged["published"], json!(["reveal.tsv", "result.tsv", "bundle.tar"]));
        let report = verify_log(&whole_log(&app).await);
        assert!(report.passed(), "{:?}", report.problems);
        assert!(report.open.is_empty());

        // The bundle verifies against the log's digests, like a revealed one.
        let response = app.get(None, &format!("/api/public/tasks/{task}/bundle.tar")).await;
        assert_eq!(response.status(), StatusCode::OK);
        let files = opendraw::files::bundle::from_tar("bundle.tar", &response.bytes().await.unwrap()).unwrap();
        let pin = |key: &str| opendraw::protocol::Digest::parse_hex(view[key].as_str().unwrap()).unwrap();
        let pins = Pins {
            commitment: Some(pin("commitment_digest")),
            result: Some(pin("result_digest")),
            ..Pins::default()
        };
        let report = verify(&files, &pins);
        assert!(report.passed(), "{:?}", report.first_failure());
    }

    async fn a_committed_task_abandoned_before_its_draw_publishes_its_secret_and_nothing_drawn(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({})).await;
        app.act(task, "commit", json!({}), StatusCode::OK).await;
        app.act(task, "abandon", json!({"reason": "planned twice"}), StatusCode::OK).await;

        let view = public_task(&app, task).await;
        assert_eq!(view["draw_published"], false);
        // Once the public entropy exists, the secret decides the draw; it is
        // published so that nobody can abandon a coming result unseen.
        let secret = view["secret"].as_str().expect("the secret is published").to_owned();
        let files: Vec<&str> = view["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
        assert!(!files.contains(&"reveal.tsv") && !files.contains(&"bundle.tar"), "{files:?}");
        let logged = abandonment(&view);
        assert_eq!(logged["from"], "committed");
        assert_eq!(logged["secret"], secret.as_str());
        assert!(logged.get("published").is_none(), "{logged}");
        let response = app.get(None, &format!("/api/public/tasks/{task}/bundle.tar")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let report = verify_log(&whole_log(&app).await);
        assert!(report.passed(), "{:?}", report.problems);
    }
}
