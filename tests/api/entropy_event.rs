//! The entropy plan names when the entropy comes into being; the service
//! commits only to entropy still to come, draws only once it has come, and
//! a verifier checks the committed event time against the log's
//! commitment time.

use chrono::{Duration, FixedOffset, Utc};
use opendraw::protocol::verify::{CheckKind, Pins, verify};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{DICE, TestApp, expect};
use crate::on_both_backends;

/// `minutes` from now, at Beijing time, as a committed event time.
fn event_in(minutes: i64) -> String {
    let beijing = FixedOffset::east_opt(8 * 3600).unwrap();
    (Utc::now() + Duration::minutes(minutes))
        .with_timezone(&beijing)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

async fn task_with_event(app: &TestApp, event_at: &str) -> i64 {
    app.create_task(json!({
        "entropy": {"format": "dice", "source": "dice rolled at the test meeting", "min_length": 20, "event_at": event_at}
    }))
    .await
}

async fn public_task(app: &TestApp, task: i64) -> Value {
    expect(app.get(None, &format!("/api/public/tasks/{task}")).await, StatusCode::OK).await
}

on_both_backends! {
    async fn a_commitment_to_entropy_already_past_is_refused(app) {
        app.seed_directory().await;
        let task = task_with_event(&app, &event_in(-1)).await;
        let head = app.log_head().await;
        let error = app.act(task, "commit", json!({}), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error["code"], "entropy_event_past");
        assert_eq!(error["field"], "entropy.event_at");
        assert_eq!(app.log_head().await, head, "nothing was logged");
        let view = expect(app.get(Some(&app.market), &format!("/api/tasks/{task}")).await, StatusCode::OK).await;
        assert_eq!(view["state"], "draft");
    }

    async fn a_plan_without_its_event_time_is_refused_at_creation_and_update(app) {
        let mut definition = crate::helpers::default_definition();
        definition["entropy"].as_object_mut().unwrap().remove("event_at");
        let error = expect(app.post_json(Some(&app.market), "/api/tasks", &definition).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error["code"], "invalid_definition");
        assert_eq!(error["field"], "entropy.event_at");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("YYYY-MM-DDTHH:MM:SS+08:00") && message.contains("after the commitment"), "{message}");
        assert_eq!(expect(app.get(Some(&app.market), "/api/tasks").await, StatusCode::OK).await, json!([]), "no task was created");

        app.seed_directory().await;
        let task = app.create_task(json!({})).await;
        let before = expect(app.get(Some(&app.market), &format!("/api/tasks/{task}")).await, StatusCode::OK).await;
        let update = app.put_json(Some(&app.market), &format!("/api/tasks/{task}"), &definition).await;
        let error = expect(update, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((&error["code"], &error["field"]), (&json!("invalid_definition"), &json!("entropy.event_at")));
        let after = expect(app.get(Some(&app.market), &format!("/api/tasks/{task}")).await, StatusCode::OK).await;
        assert_eq!(after, before, "the refused update changed nothing");
    }

    async fn a_draft_stored_without_an_event_time_is_not_committed(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({})).await;
        // A draft from before the event time was required.
        let mut definition = crate::helpers::default_definition();
        definition["entropy"].as_object_mut().unwrap().remove("event_at");
        let sql = format!("UPDATE tasks SET definition = '{}' WHERE id = {task}", definition.to_string().replace('\'', "''"));
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(app.service.store().pool()).await.unwrap();
        let head = app.log_head().await;
        let error = app.act(task, "commit", json!({}), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((&error["code"], &error["field"]), (&json!("invalid_definition"), &json!("entropy.event_at")));
        assert_eq!(app.log_head().await, head, "nothing was logged");
        let view = expect(app.get(Some(&app.market), &format!("/api/tasks/{task}")).await, StatusCode::OK).await;
        assert_eq!(view["state"], "draft");
    }

    async fn a_malformed_event_time_is_refused_at_creation(app) {
        let mut definition = crate::helpers::default_definition();
        definition["entropy"]["event_at"] = json!("2026-10-08 09:30");
        let error = expect(app.post_json(Some(&app.market), "/api/tasks", &definition).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error["field"], "entropy.event_at");
    }

    async fn the_draw_waits_for_the_entropy_event_and_verifies_after_the_commitment(app) {
        app.seed_directory().await;
        let event = event_in(30);
        let task = task_with_event(&app, &event).await;
        app.act(task, "commit", json!({}), StatusCode::OK).await;
        let text = app.get(None, &format!("/api/public/tasks/{task}/files/commitment.tsv")).await.text().await.unwrap();
        assert!(text.contains(&format!("\nentropy-event\t{event}\ndigest\t")), "{text}");

        let early = app.act(task, "draw", json!({"entropy": DICE}), StatusCode::CONFLICT).await;
        assert_eq!(early["code"], "entropy_not_yet");
        assert_eq!(public_task(&app, task).await["state"], "committed", "nothing was drawn");

        app.clock.set(app.clock.today() + Duration::days(1));
        app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        app.act(task, "reveal", json!({"release_early": true}), StatusCode::OK).await;

        let view = public_task(&app, task).await;
        let committed = view["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "task.committed").unwrap();
        let payload: Value = serde_json::from_str(committed["payload"].as_str().unwrap()).unwrap();
        assert_eq!(payload["entropy_event"], event.as_str());
        let response = app.get(None, &format!("/api/public/tasks/{task}/bundle.tar")).await;
        let files = opendraw::files::bundle::from_tar("bundle.tar", &response.bytes().await.unwrap()).unwrap();
        let pin = |key: &str| opendraw::protocol::Digest::parse_hex(view[key].as_str().unwrap()).unwrap();
        let mut pins = Pins {
            commitment: Some(pin("commitment_digest")),
            result: Some(pin("result_digest")),
            replacements: Some(Vec::new()),
            committed_at: Some(committed["at"].as_str().unwrap().to_owned()),
        };
        let report = verify(&files, &pins);
        assert!(report.passed(), "{:?}", report.first_failure());
        let timing = report.checks.iter().find(|c| c.kind == CheckKind::EntropyTime).expect("an entropy-time check");
        assert!(timing.detail.contains("after the commitment"), "{}", timing.detail);

        // The same bundle against a commitment made after the event: a reversal.
        pins.committed_at = Some("2099-01-01T00:00:00.000Z".into());
        let reversed = verify(&files, &pins);
        assert_eq!(reversed.first_failure().map(|c| c.kind), Some(CheckKind::EntropyTime));
        pins.committed_at = None;
        let unknown = verify(&files, &pins);
        let timing = unknown.checks.iter().find(|c| c.kind == CheckKind::EntropyTime).unwrap();
        assert!(timing.detail.contains("commitment time unknown"), "{}", timing.detail);
    }
}
