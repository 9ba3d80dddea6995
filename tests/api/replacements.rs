//! Replacing an inspector: drawn, not chosen; verifiable like the draw;
//! logged; refused once the result is entered; and the conflicts of
//! interest that lead to it.

use opendraw::protocol::log::{LogEntry, pins_of_task};
use opendraw::protocol::replace::line_key;
use opendraw::protocol::verify::{CheckKind, verify};
use opendraw::protocol::{Digest, Seed};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect};
use crate::inspections::{assignments, enter, target_of, task_with_assignments};
use crate::on_both_backends;

async fn replace(app: &TestApp, task: i64, body: Value, status: StatusCode) -> Value {
    expect(app.post_json(Some(&app.market), &format!("/api/tasks/{task}/replacements"), &body).await, status)
        .await
}

async fn team(app: &TestApp, task: i64, target: &str) -> Vec<String> {
    let selection =
        expect(app.get(None, &format!("/api/public/tasks/{task}/selection")).await, StatusCode::OK).await;
    let drawn = selection.as_array().unwrap().iter().find(|t| t["target"] == target).unwrap();
    drawn["inspectors"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

/// The task's bundle, checked as `opendraw verify` checks it, against the
/// digests of the public log.
async fn verify_bundle(app: &TestApp, task: i64) -> opendraw::protocol::verify::Report {
    let response = app.get(None, &format!("/api/public/tasks/{task}/bundle.tar")).await;
    let tar = response.bytes().await.unwrap();
    let files = opendraw::files::bundle::from_tar("bundle.tar", &tar).unwrap();
    let page = expect(app.get(None, "/api/public/log?after=0&limit=1000").await, StatusCode::OK).await;
    let entries: Vec<LogEntry> = serde_json::from_value(page["entries"].clone()).unwrap();
    let pins = pins_of_task(&entries, task as u64).unwrap();
    assert!(pins.missing().is_empty(), "the log pins everything: {pins:?}");
    verify(&files, &pins)
}

/// `opendraw verify BUNDLE [--log SERVER]`, off the server's threads.
async fn verify_cli(bundle: &std::path::Path, log: Option<&str>) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_opendraw"));
    command.arg("verify").arg(bundle);
    if let Some(log) = log {
        command.args(["--log", log]);
    }
    tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap()
}

on_both_backends! {
    async fn a_replacement_is_drawn_logged_and_verifies_like_the_draw(app) {
        let task = task_with_assignments(&app, false).await;
        let target = target_of(&app, &app.inspector_a, task, "").await;
        let declared = json!({"task": task, "target": target, "reason": "本人亲属在该单位任职"});
        let conflict = expect(app.post_json(Some(&app.inspector_a), "/api/me/conflicts", &declared).await, StatusCode::CREATED).await;
        assert_eq!(conflict["replacement"], Value::Null);
        let listed = expect(app.get(Some(&app.market), &format!("/api/tasks/{task}/conflicts")).await, StatusCode::OK).await;
        assert_eq!(listed.as_array().unwrap().len(), 1);

        let made = replace(&app, task, json!({"target": target, "inspector": "M001", "reason": "申报利害关系，依法回避"}), StatusCode::CREATED).await;
        assert_eq!((made["number"].as_i64(), made["out"].as_str()), (Some(1), Some("M001")));
        let drawn_in = made["in"].as_str().unwrap().to_owned();
        assert_ne!(drawn_in, "M001");
        assert!(!assignments(&app, &app.inspector_a, task).await.iter().any(|a| a["target"] == target), "M001 no longer has it");
        let conflicts = expect(app.get(Some(&app.market), &format!("/api/tasks/{task}/conflicts")).await, StatusCode::OK).await;
        assert_eq!(conflicts[0]["replacement"], 1);

        let entries = expect(app.get(None, "/api/public/log?after=0&limit=1000").await, StatusCode::OK).await;
        let logged = entries["entries"].as_array().unwrap().iter().find(|e| e["kind"] == "task.replaced").unwrap().clone();
        let payload: Value = serde_json::from_str(logged["payload"].as_str().unwrap()).unwrap();
        assert_eq!(payload["replacement"], 1);
        assert!(!logged["payload"].as_str().unwrap().contains(&target), "the sealed selection stays sealed");
        let sealed = app.get(None, &format!("/api/public/tasks/{task}/files/replacements.tsv")).await;
        assert_eq!(sealed.status(), StatusCode::NOT_FOUND, "published at the reveal");
        expect(app.get(None, &format!("/api/public/tasks/{task}/replacements")).await, StatusCode::NOT_FOUND).await;

        app.act(task, "reveal", json!({}), StatusCode::OK).await;
        assert!(team(&app, task, &target).await.contains(&drawn_in));
        let report = verify_bundle(&app, task).await;
        assert!(report.passed(), "{:?}", report.first_failure());
        let replaced: Vec<_> = report.checks.iter().filter(|c| c.kind == CheckKind::Replacement).collect();
        assert_eq!(replaced.len(), 1);
        let line = format!("replace\t1\t{target}\tmarket\tM001\t{drawn_in}\t申报利害关系，依法回避");
        let plain = Digest::of_file(line.as_bytes()).to_hex();
        assert!(!logged["payload"].as_str().unwrap().contains(&plain), "no plain digest to test guesses against");
        let view = expect(app.get(None, &format!("/api/public/tasks/{task}")).await, StatusCode::OK).await;
        let seed = Seed(Digest::parse_hex(view["seed"].as_str().unwrap()).unwrap());
        let keyed = Digest::tagged("opendraw/v1/replacement-line", &[line_key(&seed, 1).as_bytes(), line.as_bytes()]);
        assert_eq!(payload["keyed_line"], keyed.to_hex(), "the log pins the line, keyed by the seed");

        // After the reveal, a second replacement is published at once, and the
        // whole file still verifies, with the command line too.
        let other = target_of(&app, &app.inspector_b, task, "").await;
        replace(&app, task, json!({"target": other, "inspector": "M002", "reason": "因病无法参加检查"}), StatusCode::CREATED).await;
        let published = expect(app.get(None, &format!("/api/public/tasks/{task}/replacements")).await, StatusCode::OK).await;
        assert_eq!(published.as_array().unwrap().len(), 2);
        let report = verify_bundle(&app, task).await;
        assert!(report.passed(), "{:?}", report.first_failure());
        let tar = app.get(None, &format!("/api/public/tasks/{task}/bundle.tar")).await.bytes().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bundle.tar");
        std::fs::write(&path, &tar).unwrap();
        let output = verify_cli(&path, None).await;
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success() && text.contains("replacement 2"), "{text}");
        // The bundle's own log.tsv proves the task's entries in the signed log.
        assert!(text.contains(&format!("public log: task {task},")) && text.contains("verified: all"), "{text}");

        // Against the server's log: verified; without replacements.tsv, not.
        let output = verify_cli(&path, Some(&app.address)).await;
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success() && text.contains(&format!("public log: task {task},")), "{text}");
        assert!(text.contains("2 replacements, each line as the public log holds it") && text.contains("verified: all"), "{text}");
        let mut files = opendraw::files::bundle::from_tar("bundle.tar", &tar).unwrap();
        files.replacements = None;
        std::fs::write(&path, opendraw::files::bundle::to_tar(&files)).unwrap();
        let output = verify_cli(&path, Some(&app.address)).await;
        let text = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{text}");
        assert!(text.contains("the public log holds 2 replacements; the bundle has no replacements.tsv"), "{text}");
    }

    async fn a_replacement_is_refused_once_a_result_is_entered_and_for_bad_requests(app) {
        let task = task_with_assignments(&app, false).await;
        let target = target_of(&app, &app.inspector_a, task, "").await;
        enter(&app, &app.inspector_a, task, &target, "no_problem").await;
        let head = app.log_head().await;
        let before = assignments(&app, &app.inspector_a, task).await;
        let entered = replace(&app, task, json!({"target": target, "inspector": "M001", "reason": "回避"}), StatusCode::CONFLICT).await;
        assert_eq!(entered["code"], "result_entered", "{entered}");

        let free = assignments(&app, &app.inspector_a, task).await.into_iter()
            .find(|a| a["target"] != target).unwrap()["target"].as_str().unwrap().to_owned();
        let cases = [
            (json!({"target": free, "inspector": "M001", "reason": ""}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_reason"),
            (json!({"target": free, "inspector": "M001", "reason": "两行\n理由"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_reason"),
            (json!({"target": free, "inspector": "M999", "reason": "回避"}), StatusCode::UNPROCESSABLE_ENTITY, "not_assigned"),
            (json!({"target": "NO-SUCH", "inspector": "M001", "reason": "回避"}), StatusCode::UNPROCESSABLE_ENTITY, "not_assigned"),
        ];
        for (body, status, code) in cases {
            assert_eq!(replace(&app, task, body.clone(), status).await["code"], code, "{body}");
        }
        let health = app.post_json(Some(&app.health), &format!("/api/tasks/{task}/replacements"),
            &json!({"target": free, "inspector": "M001", "reason": "回避"})).await;
        expect(health, StatusCode::FORBIDDEN).await;
        let inspector = app.post_json(Some(&app.inspector_a), &format!("/api/tasks/{task}/replacements"),
            &json!({"target": free, "inspector": "M001", "reason": "回避"})).await;
        expect(inspector, StatusCode::FORBIDDEN).await;
        assert_eq!(assignments(&app, &app.inspector_a, task).await, before, "nothing moved");
        assert_eq!(app.log_head().await, head, "nothing was logged");

        let stranger = json!({"task": task, "target": target_of(&app, &app.inspector_b, task, "M001").await, "reason": "x"});
        expect(app.post_json(Some(&app.inspector_a), "/api/me/conflicts", &stranger).await, StatusCode::FORBIDDEN).await;
    }
}
