//! The public list of inspection items: each item's public fields, its
//! checklist and the history of its versions; retirement by the item's
//! department; one public log entry for each change, none for an import
//! that changes nothing.

use opendraw::protocol::log::{LogEntry, verify_log};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;

const ITEMS: &str = "code,name,department,legal_basis,target_category,sampling_ratio,frequency,method\n\
    FOOD-01,食品经营检查,market,《食品安全法》第八十七条,食品经营者,5%,每年一次,现场检查\n\
    DRUG-01,药品经营检查,market,《药品管理法》第九十九条,药品零售企业,3%,每年一次,书面检查\n";

const HEALTH_ITEMS: &str = "code,name,department\nHEALTH-01,公共场所卫生检查,health\n";

const CHECKLIST: &str = "item_code,number,point,legal_basis,method\n\
    FOOD-01,1,是否持有有效的食品经营许可证,《食品安全法》第三十五条,查验许可证原件\n";

async fn import(app: &TestApp, token: &str, csv: &str, status: StatusCode) -> Value {
    expect(app.post_csv(token, "/api/items/import", csv).await, status).await
}

async fn item(app: &TestApp, code: &str) -> Value {
    expect(app.get(None, &format!("/api/public/items/{code}")).await, StatusCode::OK).await
}

async fn retire(app: &TestApp, token: &str, code: &str, reason: &str, status: StatusCode) -> Value {
    let body = json!({"reason": reason});
    expect(app.post_json(Some(token), &format!("/api/items/{code}/retire"), &body).await, status).await
}

async fn whole_log(app: &TestApp) -> Vec<LogEntry> {
    let page = expect(app.get(None, "/api/public/log?after=0&limit=1000").await, StatusCode::OK).await;
    serde_json::from_value(page["entries"].clone()).unwrap()
}

/// The item entries of the log, as (kind, payload).
async fn item_entries(app: &TestApp) -> Vec<(String, Value)> {
    whole_log(app)
        .await
        .into_iter()
        .filter(|entry| entry.kind.starts_with("item."))
        .map(|entry| {
            assert_eq!(entry.task, None, "an item's entry names no task");
            (entry.kind, serde_json::from_str(&entry.payload).unwrap())
        })
        .collect()
}

fn today(app: &TestApp) -> String {
    app.service.today().to_string()
}

on_both_backends! {
    async fn the_item_list_shows_each_items_public_fields_and_checklist(app) {
        import(&app, &app.market, ITEMS, StatusCode::OK).await;
        import(&app, &app.health, HEALTH_ITEMS, StatusCode::OK).await;
        expect(app.post_csv(&app.market, "/api/checklists/import", CHECKLIST).await, StatusCode::OK).await;
        let list = expect(app.get(None, "/api/public/items").await, StatusCode::OK).await;
        let codes: Vec<&str> = list["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["DRUG-01", "FOOD-01", "HEALTH-01"]);
        let food = item(&app, "FOOD-01").await;
        let today = today(&app);
        assert_eq!(
            food,
            json!({
                "code": "FOOD-01",
                "name": "食品经营检查",
                "department": "market",
                "legal_basis": "《食品安全法》第八十七条",
                "target_category": "食品经营者",
                "method": "现场检查",
                "sampling_ratio_bp": 500,
                "frequency": "每年一次",
                "retired_on": null,
                "checklist": [{"number": 1, "point": "是否持有有效的食品经营许可证", "legal_basis": "《食品安全法》第三十五条", "method": "查验许可证原件"}],
                "history": [{
                    "version": 1, "name": "食品经营检查", "department": "market",
                    "legal_basis": "《食品安全法》第八十七条", "target_category": "食品经营者", "method": "现场检查",
                    "sampling_ratio_bp": 500, "frequency": "每年一次",
                    "effective_from": today, "effective_until": null, "ended": null, "reason": null
                }]
            })
        );
        let health = expect(app.get(None, "/api/public/items?department=health").await, StatusCode::OK).await;
        let codes: Vec<&str> = health["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["HEALTH-01"]);
        let unknown = expect(app.get(None, "/api/public/items/NOPE-01").await, StatusCode::NOT_FOUND).await;
        assert_eq!(unknown["code"], "not_found", "{unknown}");
    }

    async fn no_private_field_of_an_item_appears_on_the_list(app) {
        import(&app, &app.market, ITEMS, StatusCode::OK).await;
        let list = expect(app.get(None, "/api/public/items").await, StatusCode::OK).await;
        let public = ["checklist", "code", "department", "frequency", "history", "legal_basis", "method", "name", "retired_on", "sampling_ratio_bp", "target_category"];
        for item in list["items"].as_array().unwrap() {
            let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
            assert_eq!(keys, public, "{item}");
        }
        let text = list.to_string();
        assert!(!text.contains("market-supervisor"), "no account is named: {text}");
    }

    async fn a_changed_item_keeps_its_earlier_version_with_its_dates(app) {
        import(&app, &app.market, ITEMS, StatusCode::OK).await;
        let changed = ITEMS.replace("食品经营检查,market,《食品安全法》第八十七条,食品经营者,5%", "食品经营许可检查,market,《食品安全法》第八十七条,食品经营者,10%");
        import(&app, &app.market, &changed, StatusCode::OK).await;
        let food = item(&app, "FOOD-01").await;
        let today = today(&app);
        assert_eq!((food["name"].as_str(), food["sampling_ratio_bp"].as_i64()), (Some("食品经营许可检查"), Some(1000)));
        let history = food["history"].as_array().unwrap();
        assert_eq!(history.len(), 2, "{food}");
        assert_eq!((history[0]["version"].as_i64(), history[0]["name"].as_str()), (Some(1), Some("食品经营检查")));
        assert_eq!(history[0]["sampling_ratio_bp"], 500);
        assert_eq!((history[0]["effective_from"].as_str(), history[0]["effective_until"].as_str()), (Some(today.as_str()), Some(today.as_str())));
        assert_eq!(history[0]["ended"], "changed");
        assert_eq!((history[1]["version"].as_i64(), history[1]["effective_until"].clone()), (Some(2), Value::Null));
        assert_eq!(item(&app, "DRUG-01").await["history"].as_array().unwrap().len(), 1, "an unchanged item keeps its one version");
    }

    async fn each_change_appends_one_log_entry_and_an_import_that_changes_nothing_none(app) {
        import(&app, &app.market, ITEMS, StatusCode::OK).await;
        let entries = item_entries(&app).await;
        assert_eq!(entries.iter().map(|(kind, _)| kind.as_str()).collect::<Vec<_>>(), ["item.published", "item.published"]);
        let (_, drug) = &entries[0];
        assert_eq!((drug["code"].as_str(), drug["version"].as_i64(), drug["method"].as_str()), (Some("DRUG-01"), Some(1), Some("书面检查")));
        assert_eq!(drug["effective_from"], today(&app));
        import(&app, &app.market, ITEMS, StatusCode::OK).await;
        assert_eq!(item_entries(&app).await.len(), 2, "the same file again changes nothing");
        let changed = ITEMS.replace("书面检查", "现场检查");
        import(&app, &app.market, &changed, StatusCode::OK).await;
        let entries = item_entries(&app).await;
        assert_eq!(entries.len(), 3, "one entry for the one changed item");
        assert_eq!((entries[2].1["code"].as_str(), entries[2].1["version"].as_i64()), (Some("DRUG-01"), Some(2)));
        retire(&app, &app.market, "DRUG-01", "并入FOOD-01", StatusCode::OK).await;
        let entries = item_entries(&app).await;
        assert_eq!(entries.len(), 4);
        let (kind, retired) = &entries[3];
        assert_eq!(kind, "item.retired");
        assert_eq!((retired["version"].as_i64(), retired["effective_until"].as_str(), retired["reason"].as_str()), (Some(2), Some(today(&app).as_str()), Some("并入FOOD-01")));
        let report = verify_log(&whole_log(&app).await);
        assert!(report.passed(), "{:?}", report.problems);
    }

    async fn a_retired_item_stays_listed_with_its_end_and_is_refused_for_a_new_task(app) {
        app.seed_directory().await;
        let earlier = app.create_task(json!({})).await;
        let retired = retire(&app, &app.market, "FOOD-01", "事项已调整", StatusCode::OK).await;
        let today = today(&app);
        assert_eq!(retired["retired_on"], today.as_str());
        let food = item(&app, "FOOD-01").await;
        assert_eq!(food["retired_on"], today.as_str());
        let last = food["history"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["effective_until"].as_str(), last["ended"].as_str(), last["reason"].as_str()), (Some(today.as_str()), Some("retired"), Some("事项已调整")));
        let list = expect(app.get(None, "/api/public/items").await, StatusCode::OK).await;
        assert!(list["items"].as_array().unwrap().iter().any(|i| i["code"] == "FOOD-01"), "still on the list");
        let mut definition = crate::helpers::definition_with_event(&crate::helpers::event_time(app.clock.now(), crate::helpers::EVENT_LEAD));
        definition["items"] = json!(["DRUG-01", "FOOD-01"]);
        let refused = expect(app.post_json(Some(&app.market), "/api/tasks", &definition).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some("item_retired"), Some("items[1]")), "{refused}");
        let task = expect(app.get(Some(&app.market), &format!("/api/tasks/{earlier}")).await, StatusCode::OK).await;
        assert_eq!(task["definition"]["items"], json!(["FOOD-01"]), "a task that used it still names it");
        let again = retire(&app, &app.market, "FOOD-01", "再次", StatusCode::CONFLICT).await;
        assert_eq!(again["code"], "item_retired");
        let seed = "code,name,department\nFOOD-01,食品经营检查,market\nDRUG-01,药品经营检查,market\n";
        import(&app, &app.market, seed, StatusCode::OK).await;
        let changed = seed.replace("食品经营检查", "食品经营新检查");
        let refused = import(&app, &app.market, &changed, StatusCode::CONFLICT).await;
        assert_eq!(refused["code"], "item_retired", "{refused}");
        assert_eq!(item(&app, "FOOD-01").await["name"], "食品经营检查", "the refused file changed nothing");
    }

    async fn another_department_cannot_retire_or_change_an_item(app) {
        app.seed_directory().await;
        let before = item_entries(&app).await.len();
        let retired = retire(&app, &app.health, "FOOD-01", "not ours", StatusCode::FORBIDDEN).await;
        let imported = import(&app, &app.health, "code,name,department\nFOOD-01,改名,health\n", StatusCode::FORBIDDEN).await;
        assert_eq!(retired["code"], imported["code"], "{retired} {imported}");
        let reason = "item FOOD-01 is kept by market; health may add rows and change its own only";
        assert!(retired["message"].as_str().unwrap().contains(reason), "{retired}");
        assert!(imported["message"].as_str().unwrap().contains(reason), "{imported}");
        let empty = retire(&app, &app.market, "FOOD-01", " ", StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((empty["code"].as_str(), empty["field"].as_str()), (Some("invalid_reason"), Some("reason")));
        retire(&app, &app.market, "NOPE-01", "gone", StatusCode::NOT_FOUND).await;
        let inspector = retire(&app, &app.inspector_a, "FOOD-01", "gone", StatusCode::FORBIDDEN).await;
        assert_eq!(inspector["code"], "forbidden");
        assert_eq!(item_entries(&app).await.len(), before, "no refusal wrote to the log");
        assert_eq!(item(&app, "FOOD-01").await["retired_on"], Value::Null);
    }

    async fn two_retirements_at_once_retire_the_item_once(app) {
        import(&app, &app.market, ITEMS, StatusCode::OK).await;
        let body = json!({"reason": "合并"});
        let (first, second) = tokio::join!(
            app.post_json(Some(&app.market), "/api/items/FOOD-01/retire", &body),
            app.post_json(Some(&app.market), "/api/items/FOOD-01/retire", &body),
        );
        let mut statuses = [first.status().as_u16(), second.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409]);
        let retired = item_entries(&app).await.into_iter().filter(|(kind, _)| kind == "item.retired").count();
        assert_eq!(retired, 1, "one retirement is logged");
        assert_eq!(item(&app, "FOOD-01").await["history"].as_array().unwrap().len(), 1);
    }
}
