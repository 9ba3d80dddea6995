//! Every role boundary: the public and inspectors change nothing;
//! supervisors act for their own department only; inspectors see their
//! own assignments only; accounts are for admins.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{DICE, expect};
use crate::on_both_backends;

/// Every staff endpoint that changes something, with a body it accepts.
fn writes(task: i64) -> Vec<(String, serde_json::Value)> {
    vec![
        ("/api/tasks".into(), crate::helpers::default_definition()),
        (format!("/api/tasks/{task}/commit"), json!({})),
        (format!("/api/tasks/{task}/draw"), json!({"entropy": DICE})),
        (format!("/api/tasks/{task}/reveal"), json!({"release_early": true})),
        (format!("/api/tasks/{task}/abandon"), json!({"reason": "test"})),
        ("/api/users".into(), json!({"name": "x", "role": "admin"})),
    ]
}

on_both_backends! {
    async fn the_public_and_inspectors_cannot_change_anything(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({})).await;
        let head = app.log_head().await;
        for (path, body) in writes(task) {
            let anonymous = app.post_json(None, &path, &body).await;
            assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{path} without a token");
            let forged = app.post_json(Some("od_not-a-token"), &path, &body).await;
            assert_eq!(forged.status(), StatusCode::UNAUTHORIZED, "{path} with an unknown token");
            let inspector = app.post_json(Some(&app.inspector_a), &path, &body).await;
            assert_eq!(inspector.status(), StatusCode::FORBIDDEN, "{path} as an inspector");
        }
        for (path, csv) in [("/api/targets/import", "id,name,region,risk_class\nX,x,R1,A\n")] {
            let response = app.client.post(app.url(path)).body(csv).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(app.post_csv(&app.inspector_a, path, csv).await.status(), StatusCode::FORBIDDEN);
        }
        let task_now = expect(app.get(Some(&app.market), &format!("/api/tasks/{task}")).await, StatusCode::OK).await;
        assert_eq!(task_now["state"], "draft");
        assert_eq!(app.log_head().await, head, "nothing was logged");
        let targets = expect(app.get(Some(&app.market), "/api/targets?after=X&limit=5").await, StatusCode::OK).await;
        assert_eq!(targets, json!([]), "no target X was imported");
    }

    async fn supervisors_act_for_their_own_department_only(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({})).await;
        let commit = app.post_json(Some(&app.health), &format!("/api/tasks/{task}/commit"), &json!({})).await;
        let body = expect(commit, StatusCode::FORBIDDEN).await;
        assert_eq!(body["code"], "forbidden");
        assert!(body["message"].as_str().unwrap().contains("supervises health, not market"), "{body}");
        let theirs = app.post_csv(&app.health, "/api/inspectors/import", &crate::helpers::inspectors_csv("market", "X", 2)).await;
        let body = expect(theirs, StatusCode::FORBIDDEN).await;
        assert!(body["message"].as_str().unwrap().contains("line 2, column department"), "{body}");
        let listed = expect(app.get(Some(&app.health), "/api/tasks").await, StatusCode::OK).await;
        assert_eq!(listed, json!([]), "health sees no market task");
    }

    async fn inspectors_see_their_own_assignments_only_and_only_from_the_draw(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({"quota": {"ratio": "100%"}})).await;
        app.act(task, "commit", json!({}), StatusCode::OK).await;
        let before = expect(app.get(Some(&app.inspector_a), "/api/me/assignments").await, StatusCode::OK).await;
        assert_eq!(before, json!([]), "nothing is assigned before the draw");
        app.pass_entropy_event();
        app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        for (token, me) in [(&app.inspector_a, "M001"), (&app.inspector_b, "M002")] {
            let mine = expect(app.get(Some(token), "/api/me/assignments").await, StatusCode::OK).await;
            let mine = mine.as_array().unwrap();
            assert!(!mine.is_empty(), "{me} has assignments in a 100 % draw");
            for assignment in mine {
                assert_eq!(assignment["task_state"], "drawn");
                let team: Vec<&str> = assignment["team"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
                assert!(team.contains(&me), "{me} is in the team of every target listed: {assignment}");
            }
        }
        let supervisor = app.get(Some(&app.market), "/api/me/assignments").await;
        assert_eq!(supervisor.status(), StatusCode::FORBIDDEN);
    }

    async fn only_admins_manage_accounts_and_a_revoked_token_stops_working(app) {
        let body = json!({"name": "new-supervisor", "role": "supervisor", "department": "market"});
        assert_eq!(app.post_json(Some(&app.market), "/api/users", &body).await.status(), StatusCode::FORBIDDEN);
        let created = expect(app.post_json(Some(&app.admin), "/api/users", &body).await, StatusCode::CREATED).await;
        let token = created["token"].as_str().unwrap().to_owned();
        let me = expect(app.get(Some(&token), "/api/me").await, StatusCode::OK).await;
        assert_eq!(me["name"], "new-supervisor");
        let again = expect(app.post_json(Some(&app.admin), "/api/users", &body).await, StatusCode::CONFLICT).await;
        assert_eq!(again["code"], "name_taken");
        let id = created["user"]["id"].as_i64().unwrap();
        let rotated = app.client.post(app.url(&format!("/api/users/{id}/token"))).bearer_auth(&app.admin).send().await.unwrap();
        let new_token: String = rotated.json().await.unwrap();
        assert_eq!(app.get(Some(&token), "/api/me").await.status(), StatusCode::UNAUTHORIZED, "the old token is revoked");
        assert_eq!(app.get(Some(&new_token), "/api/me").await.status(), StatusCode::OK);
        let disabled = app.client.delete(app.url(&format!("/api/users/{id}"))).bearer_auth(&app.admin).send().await.unwrap();
        assert_eq!(disabled.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.get(Some(&new_token), "/api/me").await.status(), StatusCode::UNAUTHORIZED);
    }
}
