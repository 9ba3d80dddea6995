//! Results over HTTP: inspectors record them for their own targets only,
//! supervisors review and publish them, corrections keep the original,
//! invalid steps are refused with nothing changed, and the public never
//! sees an unpublished result or an internal note.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;

/// A drawn task with every target selected (so that every inspector has
/// several), and, optionally, revealed.
pub async fn task_with_assignments(app: &TestApp, revealed: bool) -> i64 {
    app.seed_directory().await;
    let task = app.create_task(json!({"quota": {"ratio": "100%"}})).await;
    app.act(task, "commit", json!({}), StatusCode::OK).await;
    app.pass_entropy_event();
    app.act(task, "draw", json!({"entropy": crate::helpers::DICE}), StatusCode::OK).await;
    if revealed {
        app.act(task, "reveal", json!({}), StatusCode::OK).await;
    }
    task
}

/// The caller's assignments in a task.
pub async fn assignments(app: &TestApp, token: &str, task: i64) -> Vec<Value> {
    let all = expect(app.get(Some(token), "/api/me/assignments").await, StatusCode::OK).await;
    all.as_array().unwrap().iter().filter(|a| a["task"] == task).cloned().collect()
}

/// A target the caller inspects in a task, whose team does not include `not_with`.
pub async fn target_of(app: &TestApp, token: &str, task: i64, not_with: &str) -> String {
    assignments(app, token, task)
        .await
        .into_iter()
        .find(|a| a["team"].as_array().unwrap().iter().all(|m| m["id"] != not_with))
        .map(|a| a["target"].as_str().unwrap().to_owned())
        .expect("an assignment without that inspector")
}

pub fn result_path(task: i64, target: &str) -> String {
    format!("/api/me/results/{task}/{target}/FOOD-01")
}

pub fn today(app: &TestApp) -> String {
    app.service.today().to_string()
}

/// A complete result, entered for review; returns its view.
pub async fn enter(app: &TestApp, token: &str, task: i64, target: &str, outcome: &str) -> Value {
    let body = json!({
        "outcome": outcome,
        "outcome_text": if outcome == "other" { "停业装修" } else { "" },
        "inspection_date": today(app),
        "summary": "现场检查情况良好",
        "notes": format!("内部备注 {target}"),
    });
    let saved = app.put_json(Some(token), &result_path(task, target), &body).await;
    assert!(saved.status().is_success(), "{}", saved.text().await.unwrap());
    let path = format!("{}/submit", result_path(task, target));
    expect(app.post_json(Some(token), &path, &json!({})).await, StatusCode::OK).await
}

/// A supervisor's step on a result.
pub async fn review(app: &TestApp, id: &Value, step: &str, body: Value, status: StatusCode) -> Value {
    expect(app.post_json(Some(&app.market), &format!("/api/results/{id}/{step}"), &body).await, status).await
}

async fn public_log(app: &TestApp) -> Vec<Value> {
    let page = expect(app.get(None, "/api/public/log?after=0&limit=1000").await, StatusCode::OK).await;
    page["entries"].as_array().unwrap().clone()
}

/// Everything the public can read about a task and a target, as text.
async fn public_text(app: &TestApp, task: i64, target: &str) -> String {
    let mut text = String::new();
    for path in [
        "/api/public/tasks".to_owned(),
        format!("/api/public/tasks/{task}"),
        format!("/api/public/tasks/{task}/selection"),
        format!("/api/public/results?task={task}"),
        format!("/api/public/results.csv?task={task}"),
        format!("/api/public/entities/{target}"),
        "/api/public/statistics".to_owned(),
        "/api/public/log?after=0&limit=1000".to_owned(),
    ] {
        text.push_str(&app.get(None, &path).await.text().await.unwrap());
    }
    text
}

on_both_backends! {
    async fn an_inspector_saves_drafts_submits_and_cannot_edit_afterwards(app) {
        let task = task_with_assignments(&app, false).await;
        let target = target_of(&app, &app.inspector_a, task, "").await;
        let path = result_path(task, &target);
        let draft = app.put_json(Some(&app.inspector_a), &path, &json!({"outcome": "rectify", "notes": "门口有积水"})).await;
        let draft = expect(draft, StatusCode::CREATED).await;
        assert_eq!(draft["state"], "draft");
        let mine = assignments(&app, &app.inspector_a, task).await;
        let item = &mine.iter().find(|a| a["target"] == target).unwrap()["items"][0];
        assert_eq!((item["item"].as_str(), item["to_do"].as_str()), (Some("FOOD-01"), Some("finish")));
        assert!(mine[0]["address"].is_string(), "{}", mine[0]);

        let early = app.post_json(Some(&app.inspector_a), &format!("{path}/submit"), &json!({})).await;
        let early = expect(early, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((early["code"].as_str(), early["field"].as_str()), (Some("result_incomplete"), Some("inspection_date")));

        let complete = json!({"outcome": "rectify", "inspection_date": today(&app), "summary": "责令改正", "notes": "门口有积水"});
        let edited = expect(app.put_json(Some(&app.inspector_a), &path, &complete).await, StatusCode::OK).await;
        assert_eq!(edited["id"], draft["id"], "the same result, edited");
        let submitted = expect(app.post_json(Some(&app.inspector_a), &format!("{path}/submit"), &json!({})).await, StatusCode::OK).await;
        assert_eq!(submitted["state"], "submitted");
        assert_eq!(submitted["deadline"]["overdue"], false);

        let head = app.log_head().await;
        let late = app.put_json(Some(&app.inspector_a), &path, &json!({"outcome": "no_problem"})).await;
        assert_eq!(expect(late, StatusCode::CONFLICT).await["code"], "result_entered");
        let again = app.post_json(Some(&app.inspector_a), &format!("{path}/submit"), &json!({})).await;
        assert_eq!(expect(again, StatusCode::CONFLICT).await["code"], "result_entered");
        let now = expect(app.get(Some(&app.inspector_a), &path).await, StatusCode::OK).await;
        assert_eq!((now["outcome"].as_str(), now["state"].as_str()), (Some("rectify"), Some("submitted")));
        assert_eq!(app.log_head().await, head, "a refused edit logs nothing");

        let entry = public_log(&app).await.into_iter().find(|e| e["kind"] == "result.submitted").unwrap();
        assert_eq!(entry["actor"], "inspector", "who inspects a sealed task is not published");
        let payload: Value = serde_json::from_str(entry["payload"].as_str().unwrap()).unwrap();
        assert_eq!(payload, json!({"task": task, "result": submitted["reference"]}));
    }

    async fn an_inspector_cannot_record_for_a_target_not_assigned_or_read_another_teams_notes(app) {
        let task = task_with_assignments(&app, true).await;
        let target = target_of(&app, &app.inspector_a, task, "M002").await;
        let path = result_path(task, &target);
        let body = json!({"outcome": "no_problem", "notes": "内部备注：负责人电话 139xxxx"});
        expect(app.put_json(Some(&app.inspector_a), &path, &body).await, StatusCode::CREATED).await;

        let theirs = app.put_json(Some(&app.inspector_b), &path, &json!({"outcome": "case_filed"})).await;
        let theirs = expect(theirs, StatusCode::FORBIDDEN).await;
        assert!(theirs["message"].as_str().unwrap().contains("not assigned"), "{theirs}");
        expect(app.get(Some(&app.inspector_b), &path).await, StatusCode::FORBIDDEN).await;
        let submit = app.post_json(Some(&app.inspector_b), &format!("{path}/submit"), &json!({})).await;
        expect(submit, StatusCode::FORBIDDEN).await;
        let listed = app.get(Some(&app.inspector_b), "/api/me/assignments").await.text().await.unwrap();
        assert!(!listed.contains("负责人电话") && !listed.contains(&target), "B sees nothing of A's target");
        let forbidden = app.get(Some(&app.inspector_b), "/api/results").await;
        expect(forbidden, StatusCode::FORBIDDEN).await;
        let mine = expect(app.get(Some(&app.inspector_a), &path).await, StatusCode::OK).await;
        assert_eq!(mine["outcome"], "no_problem", "B's attempt changed nothing");

        let other_department = app.get(Some(&app.health), &format!("/api/results/{}", mine["id"])).await;
        expect(other_department, StatusCode::NOT_FOUND).await;
        let seen = public_text(&app, task, &target).await;
        assert!(!seen.contains("负责人电话"), "an internal note is public");
        assert!(!seen.contains(mine["reference"].as_str().unwrap()), "an unpublished result is public");
        let page = expect(app.get(None, &format!("/api/public/results?task={task}")).await, StatusCode::OK).await;
        assert_eq!(page["total"], 0);
    }

    async fn bad_result_input_names_the_field_and_changes_nothing(app) {
        let task = task_with_assignments(&app, false).await;
        let target = target_of(&app, &app.inspector_a, task, "").await;
        let path = result_path(task, &target);
        let tomorrow = (app.service.today() + chrono::Days::new(1)).to_string();
        let cases = [
            (json!({"outcome": "fine"}), "outcome", "'fine' is not one of"),
            (json!({"inspection_date": tomorrow}), "inspection_date", "in the future"),
            (json!({"inspection_date": "2020-01-01"}), "inspection_date", "before task"),
            (json!({"inspection_date": "2026-02-30"}), "inspection_date", "not a date"),
            (json!({"notes": "bell \u{7}"}), "notes", "control character"),
            (json!({"summary": "长".repeat(2000)}), "summary", "at most 4000"),
        ];
        let head = app.log_head().await;
        for (body, field, words) in cases {
            let error = expect(app.put_json(Some(&app.inspector_a), &path, &body).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(error["field"], field, "{body}: {error}");
            assert!(error["message"].as_str().unwrap().contains(words), "{body}: {error}");
            expect(app.get(Some(&app.inspector_a), &path).await, StatusCode::NOT_FOUND).await;
        }
        let unknown = app.put_json(Some(&app.inspector_a), &path, &json!({"result": "ok"})).await;
        assert_eq!(expect(unknown, StatusCode::UNPROCESSABLE_ENTITY).await["code"], "invalid_json");
        let other = json!({"outcome": "other", "inspection_date": today(&app)});
        expect(app.put_json(Some(&app.inspector_a), &path, &other).await, StatusCode::CREATED).await;
        let submit = app.post_json(Some(&app.inspector_a), &format!("{path}/submit"), &json!({})).await;
        let error = expect(submit, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error["field"], "outcome_text", "{error}");
        let still = expect(app.get(Some(&app.inspector_a), &path).await, StatusCode::OK).await;
        assert_eq!(still["state"], "draft");
        assert_eq!(app.log_head().await, head, "drafts and refusals are not logged");
        let wrong_item = app.put_json(Some(&app.inspector_a), &format!("/api/me/results/{task}/{target}/DRUG-01"), &json!({})).await;
        expect(wrong_item, StatusCode::NOT_FOUND).await;
    }

    async fn a_result_is_returned_approved_and_published_and_invalid_steps_change_nothing(app) {
        let task = task_with_assignments(&app, false).await;
        let target = target_of(&app, &app.inspector_a, task, "").await;
        let entered = enter(&app, &app.inspector_a, task, &target, "rectify").await;
        let id = &entered["id"];
        let publish = review(&app, id, "publish", json!({}), StatusCode::CONFLICT).await;
        assert_eq!(publish["code"], "invalid_result_state", "publish before approval");
        let no_reason = review(&app, id, "return", json!({"reason": "  "}), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(no_reason["field"], "reason");
        let returned = review(&app, id, "return", json!({"reason": "请补充检查日期依据"}), StatusCode::OK).await;
        assert_eq!((returned["state"].as_str(), returned["return_reason"].as_str()), (Some("returned"), Some("请补充检查日期依据")));
        let mine = assignments(&app, &app.inspector_a, task).await;
        let item = &mine.iter().find(|a| a["target"] == target).unwrap()["items"][0];
        assert_eq!(item["to_do"], "fix");
        let approve_returned = review(&app, id, "approve", json!({}), StatusCode::CONFLICT).await;
        assert_eq!(approve_returned["code"], "invalid_result_state");

        let entered = enter(&app, &app.inspector_a, task, &target, "case_filed").await;
        assert_eq!(&entered["id"], id, "the returned result, entered again");
        let approved = review(&app, id, "approve", json!({}), StatusCode::OK).await;
        assert_eq!(approved["state"], "approved");
        let sealed = review(&app, id, "publish", json!({}), StatusCode::CONFLICT).await;
        assert_eq!(sealed["code"], "task_sealed", "publishing would unseal the selection");
        app.act(task, "reveal", json!({}), StatusCode::OK).await;
        let published = review(&app, id, "publish", json!({}), StatusCode::OK).await;
        assert_eq!(published["state"], "published");
        let twice = review(&app, id, "publish", json!({}), StatusCode::CONFLICT).await;
        assert_eq!(twice["code"], "invalid_result_state");

        let steps: Vec<&str> = published["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
        assert_eq!(steps, ["saved", "submitted", "returned", "saved", "submitted", "approved", "published"]);
        let reference = published["reference"].as_str().unwrap();
        let kinds: Vec<String> = public_log(&app).await.iter()
            .filter(|e| e["payload"].as_str().unwrap().contains(reference))
            .map(|e| e["kind"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(kinds, ["result.submitted", "result.returned", "result.submitted", "result.approved", "result.published"]);
        let public = expect(app.get(None, &format!("/api/public/results?task={task}")).await, StatusCode::OK).await;
        assert_eq!(public["total"], 1);
        let record = &public["results"][0];
        assert_eq!((record["outcome"].as_str(), record["status"].as_str()), (Some("case_filed"), Some("current")));
        assert_eq!(record["outcome_label"], "发现问题，已立案查处");
        assert_eq!(record["on_time"], true);
        assert!(record.get("notes").is_none(), "{record}");
    }

    async fn a_correction_is_a_new_logged_result_and_the_original_stays_public(app) {
        let task = task_with_assignments(&app, true).await;
        let target = target_of(&app, &app.inspector_a, task, "").await;
        let before = app.get(None, &format!("/api/public/tasks/{task}")).await.text().await.unwrap();
        assert!(!before.contains("result.submitted"));
        let entered = enter(&app, &app.inspector_a, task, &target, "no_problem").await;
        let after = app.get(None, &format!("/api/public/tasks/{task}")).await.text().await.unwrap();
        assert!(after.contains("result.submitted"), "the revealed task's timeline is not stale");
        let id = &entered["id"];
        let early = json!({"outcome": "rectify", "inspection_date": today(&app), "reason": "复核更正"});
        let not_published = review(&app, id, "correct", early.clone(), StatusCode::CONFLICT).await;
        assert_eq!(not_published["code"], "invalid_result_state");
        review(&app, id, "approve", json!({}), StatusCode::OK).await;
        let original = review(&app, id, "publish", json!({}), StatusCode::OK).await;
        let no_reason = json!({"outcome": "rectify", "inspection_date": today(&app), "reason": ""});
        assert_eq!(review(&app, id, "correct", no_reason, StatusCode::UNPROCESSABLE_ENTITY).await["field"], "reason");

        let corrected = review(&app, id, "correct", early.clone(), StatusCode::OK).await;
        assert_ne!(&corrected["id"], id);
        assert_eq!((corrected["state"].as_str(), corrected["corrects"].as_str()), (Some("published"), original["reference"].as_str()));
        let again = review(&app, id, "correct", early, StatusCode::CONFLICT).await;
        assert_eq!(again["code"], "invalid_result_state", "the original is superseded");

        let page = expect(app.get(None, &format!("/api/public/results?task={task}")).await, StatusCode::OK).await;
        assert_eq!(page["total"], 2, "{page}");
        let by_status = |status: &str| page["results"].as_array().unwrap().iter().find(|r| r["status"] == status).unwrap().clone();
        let old = by_status("corrected");
        let new = by_status("current");
        assert_eq!((old["outcome"].as_str(), old["corrected_by"].as_str()), (Some("no_problem"), new["reference"].as_str()));
        assert_eq!((new["outcome"].as_str(), new["correction_reason"].as_str()), (Some("rectify"), Some("复核更正")));
        let current = expect(app.get(None, &format!("/api/public/results?task={task}&include_corrected=false")).await, StatusCode::OK).await;
        assert_eq!(current["total"], 1);
        let entry = public_log(&app).await.into_iter().find(|e| e["kind"] == "result.corrected").unwrap();
        let payload: Value = serde_json::from_str(entry["payload"].as_str().unwrap()).unwrap();
        assert_eq!(payload["corrects"], original["reference"]);
        assert_eq!(payload["record"]["outcome"], "rectify");
        let statistics = expect(app.get(None, "/api/public/statistics").await, StatusCode::OK).await;
        assert_eq!(statistics["published"], 1, "the correction replaces the original in the counts");
    }

    async fn published_results_filter_and_export_as_csv_with_chinese_text_intact(app) {
        let task = task_with_assignments(&app, true).await;
        let mine = assignments(&app, &app.inspector_a, task).await;
        for (assignment, outcome) in mine.iter().zip(["rectify", "no_problem", "rectify"]) {
            let entered = enter(&app, &app.inspector_a, task, assignment["target"].as_str().unwrap(), outcome).await;
            review(&app, &entered["id"], "approve", json!({}), StatusCode::OK).await;
        }
        let published = expect(app.post_json(Some(&app.market), &format!("/api/tasks/{task}/results/publish"), &json!({})).await, StatusCode::OK).await;
        assert_eq!(published.as_array().unwrap().len(), 3);

        let rectify = expect(app.get(None, "/api/public/results?outcome=rectify").await, StatusCode::OK).await;
        assert_eq!(rectify["total"], 2);
        let region = rectify["results"][0]["region"].as_str().unwrap().to_owned();
        let in_region = expect(app.get(None, &format!("/api/public/results?region={region}")).await, StatusCode::OK).await;
        assert!(in_region["results"].as_array().unwrap().iter().all(|r| r["region"] == region.as_str()));
        let future = expect(app.get(None, "/api/public/results?from=2999-01-01").await, StatusCode::OK).await;
        assert_eq!(future["total"], 0);
        for (query, field) in [("outcome=fine", "outcome"), ("from=2026-13-01", "from"), ("limit=0", "limit"), ("lang=fr", "lang"), ("colour=red", "")] {
            let error = expect(app.get(None, &format!("/api/public/results?{query}")).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            if !field.is_empty() {
                assert_eq!(error["field"], field, "{query}: {error}");
            }
        }

        let response = app.get(None, "/api/public/results.csv?outcome=rectify").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
        let bytes = response.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a byte-order mark");
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        for column in ["抽查计划编号", "抽查任务名称", "检查类型", "检查机关", "检查对象名称", "检查事项", "检查结果", "检查完成日期"] {
            assert!(headers.iter().any(|h| h == column), "{column} missing from {headers:?}");
        }
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
        assert_eq!(&rows[0][at("检查结果")], "发现问题，已责令改正");
        assert_eq!(&rows[0][at("检查事项")], "食品经营检查");
        assert_eq!(&rows[0][at("检查类型")], "双随机抽查");
        assert!(rows[0][at("检查对象名称")].starts_with("单位"));
        let english = app.get(None, "/api/public/results.csv?lang=en").await.text().await.unwrap();
        assert!(english.trim_start_matches('\u{feff}').starts_with("plan id,plan name,task id"), "{english}");
        assert_eq!(english.lines().count(), 4, "the header and three results");
    }
}
