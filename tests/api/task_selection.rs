//! The selection of a drawn task for the supervisors of its lead
//! department: readable from the draw on, sealed or not, and to anyone else
//! no different from a task that does not exist.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::expect;
use crate::on_both_backends;

/// The error body with the task's id taken out, to compare the answers
/// about two tasks.
fn without_id(mut body: serde_json::Value, id: i64) -> serde_json::Value {
    let message = body["message"].as_str().unwrap().replace(&id.to_string(), "ID");
    body["message"] = json!(message);
    body
}

on_both_backends! {
    async fn a_lead_supervisor_reads_the_sealed_selection_with_the_inspectors_named(app) {
        app.seed_directory().await;
        let id = app.drawn_task().await;
        let task = expect(app.get(Some(&app.market), &format!("/api/tasks/{id}")).await, StatusCode::OK).await;
        let selection =
            expect(app.get(Some(&app.market), &format!("/api/tasks/{id}/selection")).await, StatusCode::OK)
                .await;
        assert_eq!(selection["status"], "complete", "{selection}");
        assert_eq!(selection["failure"], json!(null));
        let targets = selection["targets"].as_array().unwrap();
        assert_eq!(targets.len() as i64, task["drawn_count"].as_i64().unwrap());
        for (index, target) in targets.iter().enumerate() {
            assert_eq!(target["rank"], json!(index + 1), "{target}");
            let id = target["id"].as_str().unwrap();
            let number: u32 = id[1..].parse().unwrap();
            assert_eq!(target["name"], json!(format!("单位{number}")));
            assert_eq!(target["region"], target["stratum"], "strata are by region");
            assert_eq!(target["industry"], "餐饮服务");
            assert!(["A", "B", "C", "D"].contains(&target["risk_class"].as_str().unwrap()));
            let inspectors = target["inspectors"].as_array().unwrap();
            assert_eq!(inspectors.len(), 2, "{target}");
            for inspector in inspectors {
                assert_eq!(inspector["department"], "market");
                assert!(inspector["name"].as_str().unwrap().starts_with("检查员"), "{inspector}");
            }
        }
        // Still sealed to the public.
        let public = app.get(None, &format!("/api/public/tasks/{id}/selection")).await;
        assert_eq!(public.status(), StatusCode::NOT_FOUND);
    }

    async fn another_departments_supervisor_is_answered_as_for_no_task(app) {
        app.seed_directory().await;
        let id = app.drawn_task().await;
        let theirs =
            expect(app.get(Some(&app.health), &format!("/api/tasks/{id}/selection")).await, StatusCode::NOT_FOUND)
                .await;
        let missing = id + 1000;
        let none = expect(
            app.get(Some(&app.health), &format!("/api/tasks/{missing}/selection")).await,
            StatusCode::NOT_FOUND,
        )
        .await;
        assert_eq!(without_id(theirs, id), without_id(none, missing));
        let inspector = app.get(Some(&app.inspector_a), &format!("/api/tasks/{id}/selection")).await;
        assert_eq!(inspector.status(), StatusCode::FORBIDDEN);
    }

    async fn a_task_not_yet_drawn_has_no_selection(app) {
        app.seed_directory().await;
        let id = app.create_task(json!({})).await;
        let path = format!("/api/tasks/{id}/selection");
        let draft = expect(app.get(Some(&app.market), &path).await, StatusCode::CONFLICT).await;
        assert_eq!(draft["code"], "not_drawn", "{draft}");
        app.act(id, "commit", json!({}), StatusCode::OK).await;
        let committed = expect(app.get(Some(&app.market), &path).await, StatusCode::CONFLICT).await;
        assert_eq!(committed["code"], "not_drawn", "{committed}");
    }

    async fn a_failed_draw_says_why_beside_its_selection(app) {
        app.seed_directory().await;
        // Market has 10 inspectors, about 7 of another region than any
        // target: 9 a target cannot be served.
        let id = app.create_task(json!({"inspectors_per_target": 9, "quota": {"count": 2}})).await;
        app.act(id, "commit", json!({}), StatusCode::OK).await;
        app.pass_entropy_event();
        app.act(id, "draw", json!({"entropy": crate::helpers::DICE}), StatusCode::OK).await;
        let selection =
            expect(app.get(Some(&app.market), &format!("/api/tasks/{id}/selection")).await, StatusCode::OK)
                .await;
        assert_eq!(selection["status"], "failed", "{selection}");
        let failure = selection["failure"].as_str().unwrap();
        assert!(failure.contains("needs 9 inspectors"), "{failure}");
    }
}
