//! A department acts only for itself: an import writes only rows its
//! department keeps, every row it names exists, a task names only items of
//! the departments that take part in it, and the installation always keeps
//! an active admin.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

use opendraw::domain::records::TargetRecord;

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;

/// One column of the rows of `table` matching `condition`, in order.
async fn column(app: &TestApp, sql: &str) -> Vec<String> {
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).fetch_all(app.service.store().pool()).await.unwrap();
    rows.iter().map(|row| row.try_get::<String, _>(0).unwrap()).collect()
}

async fn count(app: &TestApp, table: &'static str) -> i64 {
    opendraw::storage::directory::count(app.service.store().pool(), table).await.unwrap()
}

/// Posts a CSV file as the health supervisor and expects it refused whole
/// with 403, the message naming `line` and `owner`.
async fn refused_as_theirs(app: &TestApp, path: &str, csv: &str, line: &str, owner: &str) {
    refused(app, &app.health, path, csv, line, owner).await
}

async fn refused(app: &TestApp, token: &str, path: &str, csv: &str, line: &str, owner: &str) {
    let body = expect(app.post_csv(token, path, csv).await, StatusCode::FORBIDDEN).await;
    assert_eq!(body["code"], "forbidden", "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(line), "{line:?} not in {message:?}");
    assert!(message.contains(owner), "{owner:?} not in {message:?}");
}

/// Expects a 422 naming the field and, in the message, `needle`.
async fn unknown(response: reqwest::Response, field: &str, needle: &str) -> Value {
    let body = expect(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["code"], "unknown_reference", "{body}");
    assert_eq!(body["field"], field, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(needle), "{needle:?} not in {message:?}");
    body
}

async fn my_id(app: &TestApp, token: &str) -> i64 {
    expect(app.get(Some(token), "/api/me").await, StatusCode::OK).await["id"].as_i64().unwrap()
}

async fn delete_user(app: &TestApp, token: &str, id: i64) -> reqwest::Response {
    app.client.delete(app.url(&format!("/api/users/{id}"))).bearer_auth(token).send().await.unwrap()
}

on_both_backends! {
    async fn an_inspector_import_cannot_take_over_another_departments_inspector(app) {
        app.seed_directory().await;
        // Many good rows first, so that a write of the batches before the
        // refused row would show.
        let mut csv = String::from("id,name,department,unit,region,items,certificate_expires\n");
        for index in 0..6000 {
            csv.push_str(&format!("HN{index:05},新检查员,health,u,R1,HEALTH-01,2030-01-01\n"));
        }
        csv.push_str("M001,hijacked,health,u,r,HEALTH-01,2030-01-01\n");
        refused_as_theirs(&app, "/api/inspectors/import", &csv, "line 6002", "market").await;
        let m001 = column(&app, "SELECT department FROM inspectors WHERE id = 'M001'").await;
        assert_eq!(m001, ["market"], "M001 still belongs to market");
        assert_eq!(count(&app, "inspectors").await, 14, "nothing of the refused file was written");
    }

    async fn an_item_import_cannot_take_over_another_departments_item(app) {
        app.seed_directory().await;
        let csv = "code,name,department\nHEALTH-02,新事项,health\nFOOD-01,hijacked,health\n";
        refused_as_theirs(&app, "/api/items/import", csv, "line 3", "market").await;
        let food = column(&app, "SELECT department || ' ' || name FROM items WHERE code = 'FOOD-01'").await;
        assert_eq!(food, ["market 食品经营检查"]);
        assert_eq!(count(&app, "items").await, 3, "HEALTH-02 was not written");
        // Its own items a department may still update.
        let own = "code,name,department\nHEALTH-01,公共场所卫生监督检查,health\n";
        expect(app.post_csv(&app.health, "/api/items/import", own).await, StatusCode::OK).await;
    }

    async fn a_recusal_import_cannot_name_another_departments_inspector(app) {
        app.seed_directory().await;
        let csv = "inspector_id,target_id,reason\nH001,T0003,亲属\nM005,T0004,亲属\n";
        refused_as_theirs(&app, "/api/recusals/import", csv, "line 3", "market").await;
        assert_eq!(count(&app, "recusals").await, 2, "nothing of the refused file was written");
        let own = "inspector_id,target_id,reason\nH001,T0003,亲属\n";
        expect(app.post_csv(&app.health, "/api/recusals/import", own).await, StatusCode::OK).await;
        assert_eq!(count(&app, "recusals").await, 3);
    }

    async fn a_target_import_updates_only_targets_its_department_keeps(app) {
        app.seed_directory().await;
        let csv = "id,name,region,risk_class\nH-T1,新单位,R1,B\nT0001,hijacked,R1,D\n";
        refused_as_theirs(&app, "/api/targets/import", csv, "line 3", "market").await;
        let t0001 = column(&app, "SELECT name || ' ' || risk_class FROM targets WHERE id = 'T0001'").await;
        assert_eq!(t0001, ["单位1 B"], "T0001 is unchanged");
        assert_eq!(count(&app, "targets").await, 60, "H-T1 was not written");
        // A department adds targets to the shared directory and keeps them.
        let own = "id,name,region,risk_class\nH-T1,新单位,R1,B\n";
        expect(app.post_csv(&app.health, "/api/targets/import", own).await, StatusCode::OK).await;
        let again = "id,name,region,risk_class\nH-T1,改名,R1,C\n";
        refused(&app, &app.market, "/api/targets/import", again, "line 2", "health").await;
    }

    async fn a_target_no_department_keeps_yet_is_assigned_by_the_operator_only(app) {
        app.seed_directory().await;
        // As a target imported before targets had keepers stands after the upgrade.
        sqlx::query("UPDATE targets SET department = '' WHERE id = 'T0001'")
            .execute(app.service.store().pool())
            .await
            .unwrap();
        let csv = "id,name,region,risk_class\nT0001,hijacked,R1,D\n";
        for token in [&app.health, &app.market] {
            let body = expect(app.post_csv(token, "/api/targets/import", csv).await, StatusCode::FORBIDDEN).await;
            let message = body["message"].as_str().unwrap();
            assert!(message.contains("line 2") && message.contains("no department keeps it yet"), "{message}");
        }
        let t0001 = column(&app, "SELECT name || ' ' || department FROM targets WHERE id = 'T0001'").await;
        assert_eq!(t0001, ["单位1 "], "nobody took it over HTTP");
        // The operator's import on the server assigns it.
        let market = app.service.authenticate(&app.market).await.unwrap().unwrap();
        let reader = std::io::Cursor::new("id,name,region,risk_class\nT0001,单位1,R1,B\n".as_bytes().to_vec());
        app.service.import_on_server::<TargetRecord>(&market, "targets.csv".into(), reader).await.unwrap();
        let t0001 = column(&app, "SELECT department FROM targets WHERE id = 'T0001'").await;
        assert_eq!(t0001, ["market"]);
        refused_as_theirs(&app, "/api/targets/import", csv, "line 2", "market").await;
    }

    async fn imported_rows_name_only_items_inspectors_and_targets_that_exist(app) {
        app.seed_directory().await;
        let header = "id,name,department,unit,region,items,certificate_expires\n";
        let csv = format!("{header}M011,新检查员,market,u,R1,FOOD-01,2030-01-01\nM012,新检查员,market,u,R1,FOOD-01;HYG-01,2030-01-01\n");
        let body = unknown(app.post_csv(&app.market, "/api/inspectors/import", &csv).await, "items", "HYG-01").await;
        assert!(body["message"].as_str().unwrap().contains("line 3"), "{body}");
        assert_eq!(count(&app, "inspectors").await, 14);
        let csv = "inspector_id,target_id\nM005,T0005\nM999,T0006\n";
        let body = unknown(app.post_csv(&app.market, "/api/recusals/import", csv).await, "inspector_id", "M999").await;
        assert!(body["message"].as_str().unwrap().contains("line 3"), "{body}");
        let csv = "inspector_id,target_id\nM005,T0005\nM006,NOWHERE\n";
        let body = unknown(app.post_csv(&app.market, "/api/recusals/import", csv).await, "target_id", "NOWHERE").await;
        assert!(body["message"].as_str().unwrap().contains("line 3"), "{body}");
        assert_eq!(count(&app, "recusals").await, 2, "nothing of the refused files was written");
    }

    async fn an_account_names_a_department_and_an_inspector_that_exist(app) {
        app.seed_directory().await;
        let police = json!({"name": "police-supervisor", "role": "supervisor", "department": "police"});
        unknown(app.post_json(Some(&app.admin), "/api/users", &police).await, "department", "police").await;
        let nobody = json!({"name": "inspector-x", "role": "inspector", "inspector_id": "M999"});
        unknown(app.post_json(Some(&app.admin), "/api/users", &nobody).await, "inspector_id", "M999").await;
        let users = expect(app.get(Some(&app.admin), "/api/users").await, StatusCode::OK).await;
        assert_eq!(users.as_array().unwrap().len(), 5, "no account was created");
        let health = json!({"name": "health-2", "role": "supervisor", "department": "health"});
        expect(app.post_json(Some(&app.admin), "/api/users", &health).await, StatusCode::CREATED).await;
        let m003 = json!({"name": "inspector-c", "role": "inspector", "inspector_id": "M003"});
        expect(app.post_json(Some(&app.admin), "/api/users", &m003).await, StatusCode::CREATED).await;
    }

    async fn the_last_active_admin_cannot_disable_itself(app) {
        let me = my_id(&app, &app.admin).await;
        let body = expect(delete_user(&app, &app.admin, me).await, StatusCode::CONFLICT).await;
        assert_eq!(body["code"], "last_admin", "{body}");
        expect(app.get(Some(&app.admin), "/api/me").await, StatusCode::OK).await;
    }

    async fn two_admins_disabling_themselves_at_once_leave_one(app) {
        let second = json!({"name": "admin-2", "role": "admin"});
        let created = expect(app.post_json(Some(&app.admin), "/api/users", &second).await, StatusCode::CREATED).await;
        let (other, other_id) = (created["token"].as_str().unwrap().to_owned(), created["user"]["id"].as_i64().unwrap());
        let first_id = my_id(&app, &app.admin).await;
        let (a, b) = tokio::join!(delete_user(&app, &app.admin, first_id), delete_user(&app, &other, other_id));
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::NO_CONTENT, StatusCode::CONFLICT]);
        let admins = column(&app, "SELECT name FROM users WHERE role = 'admin' AND disabled = 0").await;
        assert_eq!(admins.len(), 1, "one active admin is left: {admins:?}");
    }

    async fn a_task_names_only_items_of_the_departments_taking_part(app) {
        app.seed_directory().await;
        let mut theirs = crate::helpers::default_definition();
        theirs["items"] = json!(["FOOD-01", "HEALTH-01"]);
        let body = expect(app.post_json(Some(&app.market), "/api/tasks", &theirs).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["field"], "items[1]", "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("HEALTH-01") && message.contains("health"), "{message}");
        let mut unknown_item = crate::helpers::default_definition();
        unknown_item["items"] = json!(["HYG-01"]);
        let body = expect(app.post_json(Some(&app.market), "/api/tasks", &unknown_item).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["field"], "items[0]", "{body}");
        assert_eq!(expect(app.get(Some(&app.market), "/api/tasks").await, StatusCode::OK).await, json!([]), "no task was created");

        let task = app.create_task(json!({})).await;
        let update = app.put_json(Some(&app.market), &format!("/api/tasks/{task}"), &theirs).await;
        assert_eq!(expect(update, StatusCode::UNPROCESSABLE_ENTITY).await["field"], "items[1]");

        // A joint task with health may name health's items.
        let joint = app.create_task(json!({"items": ["FOOD-01", "HEALTH-01"], "departments": ["health", "market"]})).await;
        assert!(joint > task);

        // The item directory changed under a draft: the commit checks again.
        sqlx::query("UPDATE items SET department = 'health' WHERE code = 'FOOD-01'").execute(app.service.store().pool()).await.unwrap();
        let body = app.act(task, "commit", json!({}), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["field"], "items[0]", "{body}");
        let draft = expect(app.get(Some(&app.market), &format!("/api/tasks/{task}")).await, StatusCode::OK).await;
        assert_eq!(draft["state"], "draft");
    }
}
