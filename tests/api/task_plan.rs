//! The supervisors' views of a task name the approved annual plan it
//! belongs to, as the public task view does: the view of one task, the
//! list, and the answer of each step (create, change, commit, draw,
//! reveal, abandon). A plan named only as free text, or none, gives none.

use chrono::Datelike;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{DICE, TestApp, expect};
use crate::on_both_backends;

/// Approves a market plan of FOOD-01 with two batches; returns its name.
async fn approved_plan(app: &TestApp, code: &str) -> String {
    let year = app.service.today().year();
    let name = format!("{year}年度市场监管双随机抽查工作计划");
    let plan = json!({
        "year": year,
        "code": code,
        "name": name,
        "items": [{"item": "FOOD-01", "ratio": "20%"}],
        "batches": [
            {"number": 1, "name": "上半年", "starts": format!("{year}-01-01"), "ends": format!("{year}-06-30")},
            {"number": 2, "name": "下半年", "starts": format!("{year}-07-01"), "ends": format!("{year}-12-31")}
        ]
    });
    expect(app.post_json(Some(&app.market), "/api/plans", &plan).await, StatusCode::CREATED).await;
    let approve = format!("/api/plans/{code}/approve");
    expect(app.post_json(Some(&app.market), &approve, &json!({})).await, StatusCode::OK).await;
    name
}

async fn staff_task(app: &TestApp, id: i64) -> Value {
    expect(app.get(Some(&app.market), &format!("/api/tasks/{id}")).await, StatusCode::OK).await
}

async fn listed(app: &TestApp, id: i64) -> Value {
    let list = expect(app.get(Some(&app.market), "/api/tasks").await, StatusCode::OK).await;
    list.as_array().unwrap().iter().find(|task| task["id"] == id).cloned().expect("the task is listed")
}

on_both_backends! {
    async fn every_view_of_a_task_names_its_plan_and_batch(app) {
        app.seed_directory().await;
        let name = approved_plan(&app, "food-plan").await;
        let link = |batch: i64| json!({"department": "market", "code": "food-plan", "name": name, "batch": batch});

        let id = app.create_task(json!({"plan_id": "food-plan", "plan_batch": 1})).await;
        assert_eq!(staff_task(&app, id).await["plan"], link(1));
        assert_eq!(listed(&app, id).await["plan"], link(1));
        let mut definition = staff_task(&app, id).await["definition"].clone();
        definition["plan_batch"] = json!(2);
        let changed = expect(app.put_json(Some(&app.market), &format!("/api/tasks/{id}"), &definition).await, StatusCode::OK).await;
        assert_eq!(changed["plan"], link(2), "the answer of a change names the plan and its new batch");

        let committed = app.act(id, "commit", json!({}), StatusCode::OK).await;
        assert_eq!(committed["plan"], link(2));
        app.pass_entropy_event();
        let drawn = app.act(id, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        assert_eq!(drawn["plan"], link(2));
        let again = app.act(id, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        assert_eq!(again["plan"], link(2), "a draw asked again answers the same");
        let revealed = app.act(id, "reveal", json!({"release_early": true}), StatusCode::OK).await;
        assert_eq!(revealed["plan"], link(2));
        let public = expect(app.get(None, &format!("/api/public/tasks/{id}")).await, StatusCode::OK).await;
        assert_eq!(public["plan"], revealed["plan"], "the staff's view and the public's name the same plan");

        let abandoned = app.create_task(json!({"plan_id": "food-plan", "plan_batch": 1})).await;
        let answer = app.act(abandoned, "abandon", json!({"reason": "计划调整"}), StatusCode::OK).await;
        assert_eq!(answer["plan"], link(1));
    }

    async fn a_plan_named_as_free_text_or_none_gives_no_plan(app) {
        app.seed_directory().await;
        approved_plan(&app, "food-plan").await;
        let free = app.create_task(json!({"plan_id": "2026-市局-07"})).await;
        let none = app.create_task(json!({})).await;
        for id in [free, none] {
            let task = staff_task(&app, id).await;
            assert_eq!(task["plan"], Value::Null, "{task}");
            assert_eq!(listed(&app, id).await["plan"], Value::Null);
        }
        assert_eq!(staff_task(&app, free).await["definition"]["plan_id"], "2026-市局-07", "the free text is kept");
    }
}
