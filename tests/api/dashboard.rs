//! The console's dashboard: tasks per state, committed tasks whose entropy
//! has come, and the results to review and overdue; a supervisor's
//! department's, or every department's for an admin; reminders per
//! inspector of what is due soon or overdue.

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
        assert_eq!(admin["reminders"], json!([]), "reminders are for the departments");
        // An inspector sees no department's counts, only their own reminder.
        let inspector = dashboard(&app, &app.inspector_a).await;
        assert_eq!(inspector["tasks_by_state"], json!({"draft": 0, "committed": 0, "drawn": 0, "revealed": 0, "abandoned": 0}));
        assert_eq!((inspector["results_to_review"].as_u64(), &inspector["reminders"]), (Some(0), &json!([])));
        expect(app.get(None, "/api/dashboard").await, StatusCode::UNAUTHORIZED).await;
    }

    async fn reminders_count_each_inspectors_lines_due_soon_and_overdue(app) {
        let task = task_with_assignments(&app, false).await;
        let drawn = app.service.today();
        // Inspector A enters one result on the day of the draw, B one
        // twenty days later, not with A.
        let first = target_of(&app, &app.inspector_a, task, "M002").await;
        enter(&app, &app.inspector_a, task, &first, "rectify").await;
        app.clock.set(drawn + Days::new(20));
        let second = target_of(&app, &app.inspector_b, task, "M001").await;
        enter(&app, &app.inspector_b, task, &second, "no_problem").await;
        let quiet = dashboard(&app, &app.market).await;
        assert_eq!(quiet["reminders"], json!([]), "nothing is due within five working days: {quiet}");

        // 26 days after the draw, A's line (inspected day 0) has about two
        // working days left; B's is far off.
        app.clock.set(drawn + Days::new(26));
        let soon = dashboard(&app, &app.market).await;
        let reminders = soon["reminders"].as_array().unwrap();
        let of = |id: &str| reminders.iter().find(|r| r["inspector"] == id).cloned();
        let a = of("M001").expect("A's line is due soon");
        assert_eq!((a["due_soon"].as_u64(), a["overdue"].as_u64(), a["name"].as_str()), (Some(1), Some(0), Some("检查员1")));
        assert!(of("M002").is_none(), "{soon}");
        // Every inspector with a reminder is on the team of A's target.
        let ledger = expect(app.get(Some(&app.market), "/api/ledger?limit=1000").await, StatusCode::OK).await;
        let line = ledger["lines"].as_array().unwrap().iter().find(|l| l["target"] == first.as_str()).unwrap().clone();
        assert_eq!(reminders.len(), line["inspectors"].as_array().unwrap().len(), "{soon} {line}");

        // Forty-five days after the draw A's is overdue and B's due soon; each
        // inspector sees their own line only.
        app.clock.set(drawn + Days::new(45));
        let late = dashboard(&app, &app.market).await;
        let reminders = late["reminders"].as_array().unwrap();
        let a = reminders.iter().find(|r| r["inspector"] == "M001").unwrap();
        let b = reminders.iter().find(|r| r["inspector"] == "M002").unwrap();
        assert_eq!((a["overdue"].as_u64(), b["due_soon"].as_u64(), b["overdue"].as_u64()), (Some(1), Some(1), Some(0)));
        assert_eq!(reminders[0]["overdue"], 1, "the most overdue first: {late}");
        let own = dashboard(&app, &app.inspector_b).await;
        assert_eq!(own["reminders"], json!([b]), "{own}");
        assert_eq!(own["overdue"], 0);
        // Health follows none of these items: no reminders.
        assert_eq!(dashboard(&app, &app.health).await["reminders"], json!([]));
    }
}
