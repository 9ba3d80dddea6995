//! The console's dashboard: tasks per state, committed tasks whose entropy
//! has come, and the results to review and overdue; a supervisor's
//! department's, or every department's for an admin.

use chrono::Days;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect};
use crate::inspections::{enter, target_of, task_with_assignments};
use crate::on_both_backends;

async fn dashboard(app: &TestApp, token: &str) -> Value {
    expect(app.get(Some(token), "/api/dashboard").await, StatusCode::OK).await
}

on_both_backends! {
    async fn the_dashboard_counts_a_departments_tasks_and_results(app) {
        let drawn = task_with_assignments(&app, false).await;
        app.create_task(json!({"name": "draft"})).await;
        let committed = app.create_task(json!({"name": "waiting"})).await;
        app.act(committed, "commit", json!({}), StatusCode::OK).await;
        let abandoned = app.create_task(json!({})).await;
        app.act(abandoned, "abandon", json!({"reason": "duplicate"}), StatusCode::OK).await;

        let before = dashboard(&app, &app.market).await;
        assert_eq!(before["tasks_by_state"], json!({"draft": 1, "committed": 1, "drawn": 1, "revealed": 0, "abandoned": 1}));
        assert_eq!(before["awaiting_entropy"], json!([]), "the entropy event has not come: {before}");
        assert_eq!((before["results_to_review"].as_u64(), before["overdue"].as_u64()), (Some(0), Some(0)));

        app.pass_entropy_event();
        let target = target_of(&app, &app.inspector_a, drawn, "").await;
        enter(&app, &app.inspector_a, drawn, &target, "rectify").await;
        let after = dashboard(&app, &app.market).await;
        let waiting = &after["awaiting_entropy"];
        assert_eq!(waiting.as_array().unwrap().len(), 1, "{after}");
        assert_eq!((waiting[0]["id"].as_i64(), waiting[0]["name"].as_str()), (Some(committed), Some("waiting")));
        assert!(waiting[0]["event"].as_str().unwrap().contains('T'));
        assert_eq!(after["results_to_review"], 1);
        assert_eq!(after["overdue"], 0);

        // Forty days later the submitted result is past its deadline.
        app.clock.set(app.service.today() + Days::new(40));
        let late = dashboard(&app, &app.market).await;
        assert_eq!(late["overdue"], 1, "{late}");

        // Health leads none of these tasks and follows none of its items.
        let health = dashboard(&app, &app.health).await;
        assert_eq!(health["tasks_by_state"], json!({"draft": 0, "committed": 0, "drawn": 0, "revealed": 0, "abandoned": 0}));
        assert_eq!((health["results_to_review"].as_u64(), health["awaiting_entropy"].as_array().map(Vec::len)), (Some(0), Some(0)));
    }

    async fn an_admin_sees_every_department_and_an_inspector_nothing(app) {
        app.seed_directory().await;
        app.create_task(json!({})).await;
        let health_task = json!({"name": "health", "items": ["HEALTH-01"], "certificate_date": "2026-12-01", "strata_by": [], "quota": {"count": 1},
            "entropy": {"format": "dice", "source": "dice", "min_length": 20, "event_at": crate::helpers::event_time(app.clock.now(), crate::helpers::EVENT_LEAD)}});
        expect(app.post_json(Some(&app.health), "/api/tasks", &health_task).await, StatusCode::CREATED).await;
        let admin = dashboard(&app, &app.admin).await;
        assert_eq!(admin["tasks_by_state"]["draft"], 2, "{admin}");
        assert_eq!(dashboard(&app, &app.market).await["tasks_by_state"]["draft"], 1);
        expect(app.get(Some(&app.inspector_a), "/api/dashboard").await, StatusCode::FORBIDDEN).await;
        expect(app.get(None, "/api/dashboard").await, StatusCode::UNAUTHORIZED).await;
    }
}
