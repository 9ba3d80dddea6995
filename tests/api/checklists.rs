//! Checklists (检查表) over HTTP: a supervisor imports them for the
//! department's items, all or nothing, naming the refused lines; staff read
//! them; a result answers their points, and a submission needs every point
//! answered and an outcome the answers do not contradict.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect};
use crate::inspections::{result_path, target_of, task_with_assignments, today};
use crate::on_both_backends;

pub const FOOD_CHECKLIST: &str = "item_code,number,point,legal_basis,method\n\
    FOOD-01,1,是否持有有效的食品经营许可证,《中华人民共和国食品安全法》第三十五条,查验许可证原件\n\
    FOOD-01,2,从业人员是否持有有效健康证明,《中华人民共和国食品安全法》第四十五条,查阅健康证明\n\
    FOOD-01,3,是否建立进货查验记录制度,《中华人民共和国食品安全法》第五十三条,抽查进货记录\n";

pub async fn import_food_checklist(app: &TestApp) {
    expect(app.post_csv(&app.market, "/api/checklists/import", FOOD_CHECKLIST).await, StatusCode::OK).await;
}

async fn checklist(app: &TestApp, token: &str, item: &str) -> Value {
    expect(app.get(Some(token), &format!("/api/items/{item}/checklist")).await, StatusCode::OK).await
}

async fn audit_imports(app: &TestApp) -> usize {
    let audit = expect(app.get(Some(&app.admin), "/api/audit?limit=100").await, StatusCode::OK).await;
    audit.to_string().matches("checklists").count()
}

/// Answers to every point of the food checklist, the second as given.
fn answers(second: &str) -> Value {
    json!([
        {"number": 1, "answer": "compliant", "note": ""},
        {"number": 2, "answer": second, "note": "两名员工健康证过期"},
        {"number": 3, "answer": "not_applicable"},
    ])
}

on_both_backends! {
    async fn a_checklist_import_replaces_the_items_checklist_and_every_staff_role_reads_it(app) {
        app.seed_directory().await;
        let template = app.get(Some(&app.market), "/api/templates/checklists.csv").await;
        let template = template.text().await.unwrap();
        assert!(template.starts_with("item_code,number,point,legal_basis,method\n"), "{template}");
        let with_bom = format!("\u{feff}{FOOD_CHECKLIST}");
        let summary = expect(app.post_csv(&app.market, "/api/checklists/import", &with_bom).await, StatusCode::OK).await;
        assert_eq!(summary, json!({"kind": "checklists", "rows": 3}));
        let points = checklist(&app, &app.inspector_a, "FOOD-01").await;
        assert_eq!(points.as_array().unwrap().len(), 3);
        assert_eq!(points[1], json!({"number": 2, "point": "从业人员是否持有有效健康证明",
            "legal_basis": "《中华人民共和国食品安全法》第四十五条", "method": "查阅健康证明"}));
        assert_eq!(checklist(&app, &app.health, "FOOD-01").await, points, "any department's staff read it");
        assert_eq!(checklist(&app, &app.market, "DRUG-01").await, json!([]), "an item without one has none");
        expect(app.get(Some(&app.market), "/api/items/NOPE-01/checklist").await, StatusCode::NOT_FOUND).await;
        expect(app.get(None, "/api/items/FOOD-01/checklist").await, StatusCode::UNAUTHORIZED).await;

        let shorter = "item_code,number,point\nFOOD-01,1,经营场所是否整洁\n";
        expect(app.post_csv(&app.market, "/api/checklists/import", shorter).await, StatusCode::OK).await;
        let points = checklist(&app, &app.market, "FOOD-01").await;
        assert_eq!(points, json!([{"number": 1, "point": "经营场所是否整洁", "legal_basis": "", "method": ""}]));
        assert_eq!(audit_imports(&app).await, 2, "each import is in the audit trail");
        let inspector = app.post_csv(&app.inspector_a, "/api/checklists/import", FOOD_CHECKLIST).await;
        expect(inspector, StatusCode::FORBIDDEN).await;
    }

    async fn a_checklist_naming_another_departments_item_is_refused_whole_naming_the_line(app) {
        app.seed_directory().await;
        let csv = "item_code,number,point\nHEALTH-01,1,公共场所卫生许可证\nFOOD-01,1,食品经营许可证\n";
        let refused = expect(app.post_csv(&app.health, "/api/checklists/import", csv).await, StatusCode::FORBIDDEN).await;
        let message = refused["message"].as_str().unwrap();
        assert!(message.contains("line 3") && message.contains("FOOD-01") && message.contains("market"), "{refused}");
        assert_eq!(checklist(&app, &app.health, "HEALTH-01").await, json!([]), "nothing of the file was stored");
        assert_eq!(audit_imports(&app).await, 0);
    }

    async fn a_checklist_naming_an_unknown_item_or_a_bad_number_is_refused_with_every_line(app) {
        app.seed_directory().await;
        let unknown = "item_code,number,point\nFOOD-01,1,许可证\nNOPE-01,1,某项\nNOPE-02,1,另一项\n";
        let refused = app.post_csv(&app.market, "/api/checklists/import", unknown).await;
        let refused = expect(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(refused["code"], "unknown_reference", "{refused}");
        let lines: Vec<i64> = refused["lines"].as_array().unwrap().iter().map(|l| l["line"].as_i64().unwrap()).collect();
        assert_eq!(lines, [3, 4], "{refused}");

        let numbers = "item_code,number,point\nFOOD-01,0,许可证\nFOOD-01,x,健康证\nFOOD-01,2,进货\nFOOD-01,2,重复\n";
        let refused = app.post_csv(&app.market, "/api/checklists/import", numbers).await;
        let refused = expect(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some("invalid_csv"), Some("number")), "{refused}");
        let lines: Vec<i64> = refused["lines"].as_array().unwrap().iter().map(|l| l["line"].as_i64().unwrap()).collect();
        assert_eq!(lines, [2, 3, 5], "{refused}");
        let columns = "item,number,point\nFOOD-01,1,许可证\n";
        let refused = app.post_csv(&app.market, "/api/checklists/import", columns).await;
        assert_eq!(expect(refused, StatusCode::UNPROCESSABLE_ENTITY).await["code"], "invalid_csv");
        assert_eq!(checklist(&app, &app.market, "FOOD-01").await, json!([]), "nothing was stored");
    }

    async fn answers_name_checklist_points_and_a_submission_answers_every_point_consistently(app) {
        let task = task_with_assignments(&app, false).await;
        import_food_checklist(&app).await;
        let target = target_of(&app, &app.inspector_a, task, "").await;
        let path = result_path(task, &target);
        let complete = |outcome: &str, answers: Value| json!({
            "outcome": outcome, "inspection_date": today(&app), "summary": "现场检查", "answers": answers,
        });
        let unknown = complete("rectify", json!([{"number": 4, "answer": "compliant"}]));
        let refused = expect(app.put_json(Some(&app.inspector_a), &path, &unknown).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some("unknown_checklist_point"), Some("answers[0].number")));
        let bad_answer = complete("rectify", json!([{"number": 1, "answer": "fine"}]));
        expect(app.put_json(Some(&app.inspector_a), &path, &bad_answer).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        let long_note = complete("rectify", json!([{"number": 1, "answer": "compliant", "note": "长".repeat(1001)}]));
        let refused = expect(app.put_json(Some(&app.inspector_a), &path, &long_note).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(refused["field"], "answers[0].note");
        let contradiction = complete("no_problem", answers("non_compliant"));
        let refused = expect(app.put_json(Some(&app.inspector_a), &path, &contradiction).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(refused["code"], "outcome_contradicts_checklist", "{refused}");
        expect(app.get(Some(&app.inspector_a), &path).await, StatusCode::NOT_FOUND).await;

        let partial = complete("rectify", json!([{"number": 2, "answer": "non_compliant", "note": "健康证过期"}]));
        let saved = expect(app.put_json(Some(&app.inspector_a), &path, &partial).await, StatusCode::CREATED).await;
        assert_eq!(saved["answers"], json!([{"number": 2, "point": "从业人员是否持有有效健康证明",
            "legal_basis": "《中华人民共和国食品安全法》第四十五条", "answer": "non_compliant", "note": "健康证过期"}]));
        let head = app.log_head().await;
        let early = app.post_json(Some(&app.inspector_a), &format!("{path}/submit"), &json!({})).await;
        let early = expect(early, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(early["code"], "checklist_incomplete", "{early}");
        assert!(early["message"].as_str().unwrap().contains("point 1, 3"), "{early}");
        assert_eq!(app.log_head().await, head, "a refused submission logs nothing");

        expect(app.put_json(Some(&app.inspector_a), &path, &complete("rectify", answers("non_compliant"))).await, StatusCode::OK).await;
        // Rewording the checklist does not rewrite what was answered.
        let reworded = FOOD_CHECKLIST.replace("从业人员是否持有有效健康证明", "从业人员健康管理");
        expect(app.post_csv(&app.market, "/api/checklists/import", &reworded).await, StatusCode::OK).await;
        let submitted = expect(app.post_json(Some(&app.inspector_a), &format!("{path}/submit"), &json!({})).await, StatusCode::OK).await;
        assert_eq!(submitted["state"], "submitted");
        assert_eq!(submitted["answers"][1]["point"], "从业人员是否持有有效健康证明");
        assert_eq!(submitted["answers"].as_array().unwrap().len(), 3);
        let reviewed = expect(app.get(Some(&app.market), &format!("/api/results/{}", submitted["id"])).await, StatusCode::OK).await;
        assert_eq!(reviewed["answers"], submitted["answers"], "reviewers see the answers");
        let mine = crate::inspections::assignments(&app, &app.inspector_a, task).await;
        let item = &mine.iter().find(|a| a["target"] == target).unwrap()["items"][0];
        assert_eq!((item["checklist_points"].as_i64(), item["attachments"].as_i64()), (Some(3), Some(0)));
        assert!(mine[0]["risk_class"].is_string(), "{}", mine[0]);
    }
}
