//! The directories in public: the inspector list holds exactly the fields
//! the publication settings publish and never a private one, pages join to
//! the whole list, the sizes are the directories' counts, and only an admin
//! changes what is published, which shows at once.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::StatusCode;
use serde_json::{Value, json};

use opendraw::service::Service;
use opendraw::storage::Store;

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;

/// Inspectors of the health department whose import carries contact data
/// the service must never publish; one of them inactive.
const WITH_CONTACTS: &str = "id,name,department,unit,region,items,certificate_expires,certificate_no,phone,email,active\n\
    H101,联系员甲,health,R1-health,R1,HEALTH-01,2028-12-31,ZF-0101,13900000001,a@example.cn,1\n\
    H102,联系员乙,health,R2-health,R2,HEALTH-01,2028-12-31,ZF-0102,13900000002,b@example.cn,0\n";

const SECRETS: [&str; 6] =
    ["13900000001", "13900000002", "a@example.cn", "b@example.cn", "2028-12-31", "H101"];

async fn all_inspectors(app: &TestApp, query: &str, limit: usize) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let cursor = after.as_ref().map(|after| format!("&after={after}")).unwrap_or_default();
        let page = expect(
            app.get(None, &format!("/api/public/inspectors?limit={limit}{query}{cursor}")).await,
            StatusCode::OK,
        )
        .await;
        let inspectors = page["inspectors"].as_array().unwrap();
        assert!(inspectors.len() <= limit, "{page}");
        all.extend(inspectors.iter().cloned());
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => return all,
        }
    }
}

/// A second server on the test's database: its own memory and connections.
async fn second_server(app: &TestApp) -> String {
    let store = Store::open(&app.database_url).await.unwrap();
    let service = Service::with_clock(store, app.clock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let router = opendraw::http::router(service, None);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    address
}

fn keys(inspector: &Value) -> BTreeSet<&str> {
    inspector.as_object().unwrap().keys().map(String::as_str).collect()
}

async fn set(app: &TestApp, token: &str, settings: Value) -> reqwest::Response {
    app.put_json(Some(token), "/api/settings/publication", &settings).await
}

fn settings(names: bool, regions: bool) -> Value {
    json!({
        "inspector_names": names,
        "inspector_certificates": true,
        "inspector_units": true,
        "inspector_items": true,
        "inspector_regions": regions,
        "directory_sizes": true
    })
}

on_both_backends! {
    async fn the_list_holds_exactly_the_public_fields_and_no_private_one(app) {
        app.seed_directory().await;
        expect(app.post_csv(&app.health, "/api/inspectors/import", WITH_CONTACTS).await, StatusCode::OK).await;
        let response = app.get(None, "/api/public/inspectors?limit=500").await;
        let text = response.text().await.unwrap();
        for secret in SECRETS {
            assert!(!text.contains(secret), "{secret} published: {text}");
        }
        let page: Value = serde_json::from_str(&text).unwrap();
        let inspectors = page["inspectors"].as_array().unwrap();
        // 10 market, 4 health and the active one of the two added.
        assert_eq!(inspectors.len(), 15, "{page}");
        let public: BTreeSet<&str> = ["name", "department", "unit", "certificate_no", "items"].into();
        for inspector in inspectors {
            assert_eq!(keys(inspector), public, "{inspector}");
        }
        let added = inspectors.iter().find(|inspector| inspector["name"] == "联系员甲").unwrap();
        assert_eq!(added, &json!({"name": "联系员甲", "department": "health", "unit": "R1-health",
            "certificate_no": "ZF-0101", "items": ["HEALTH-01"]}));
        assert!(!inspectors.iter().any(|inspector| inspector["name"] == "联系员乙"), "an inactive one is left out");
        assert_eq!(page["next"], Value::Null);
    }

    async fn pages_join_to_the_whole_list_of_each_department(app) {
        app.seed_directory().await;
        let whole = all_inspectors(&app, "", 500).await;
        assert_eq!(whole.len(), 14);
        for limit in [1, 3, 7] {
            assert_eq!(all_inspectors(&app, "", limit).await, whole, "pages of {limit}");
        }
        let market = all_inspectors(&app, "&department=market", 4).await;
        assert_eq!(market.len(), 10);
        assert!(market.iter().all(|inspector| inspector["department"] == "market"));
        let health = all_inspectors(&app, "&department=health", 3).await;
        assert_eq!(health.len(), 4);
        expect(app.get(None, "/api/public/inspectors?limit=0").await, StatusCode::UNPROCESSABLE_ENTITY).await;
        expect(app.get(None, "/api/public/inspectors?contact=1").await, StatusCode::UNPROCESSABLE_ENTITY).await;
    }

    async fn a_field_turned_off_leaves_the_answer_at_once_even_a_cached_one(app) {
        app.seed_directory().await;
        let defaults = expect(app.get(Some(&app.admin), "/api/settings/publication").await, StatusCode::OK).await;
        assert_eq!(defaults, settings(true, false));
        // Asked twice: the second answer comes from memory.
        let first = all_inspectors(&app, "", 500).await;
        assert_eq!(all_inspectors(&app, "", 500).await, first);
        assert!(first.iter().all(|inspector| inspector.get("name").is_some()));
        expect(set(&app, &app.admin, settings(false, true)).await, StatusCode::OK).await;
        let changed = all_inspectors(&app, "", 500).await;
        let public: BTreeSet<&str> = ["department", "unit", "certificate_no", "items", "region"].into();
        for inspector in &changed {
            assert_eq!(keys(inspector), public, "{inspector}");
        }
        let stored = expect(app.get(Some(&app.admin), "/api/settings/publication").await, StatusCode::OK).await;
        assert_eq!(stored, settings(false, true));
        // Sizes switched off are not published; back on, they are.
        let mut off = settings(true, false);
        off["directory_sizes"] = json!(false);
        expect(set(&app, &app.admin, off).await, StatusCode::OK).await;
        expect(app.get(None, "/api/public/directories").await, StatusCode::NOT_FOUND).await;
        expect(set(&app, &app.admin, settings(true, false)).await, StatusCode::OK).await;
        expect(app.get(None, "/api/public/directories").await, StatusCode::OK).await;
        // Each change entered the audit trail with its admin.
        let page = expect(app.get(Some(&app.admin), "/api/audit?limit=1000").await, StatusCode::OK).await;
        let changes: Vec<&Value> = page["entries"].as_array().unwrap().iter()
            .filter(|entry| entry["action"] == "publication_changed").collect();
        assert_eq!(changes.len(), 3, "{page}");
        assert!(changes.iter().all(|entry| entry["actor"] == "admin"), "{changes:?}");
    }

    async fn a_change_on_one_server_shows_on_another_at_once(app) {
        app.seed_directory().await;
        let other = second_server(&app).await;
        let ask = |address: String| async move {
            let page: Value = reqwest::get(format!("{address}/api/public/inspectors?limit=500"))
                .await.unwrap().json().await.unwrap();
            page["inspectors"].as_array().unwrap().clone()
        };
        // The other server keeps its answer, with names.
        let before = ask(other.clone()).await;
        assert!(before.iter().all(|inspector| inspector.get("name").is_some()), "{before:?}");
        assert_eq!(ask(other.clone()).await, before);
        expect(set(&app, &app.admin, settings(false, false)).await, StatusCode::OK).await;
        let after = ask(other.clone()).await;
        assert_eq!(after.len(), before.len());
        assert!(after.iter().all(|inspector| inspector.get("name").is_none()), "{after:?}");
    }

    async fn only_an_admin_changes_the_settings_and_a_bad_body_changes_nothing(app) {
        app.seed_directory().await;
        for token in [&app.market, &app.inspector_a] {
            expect(set(&app, token, settings(false, true)).await, StatusCode::FORBIDDEN).await;
            expect(app.get(Some(token), "/api/settings/publication").await, StatusCode::FORBIDDEN).await;
        }
        expect(set(&app, "od_nobody", settings(false, true)).await, StatusCode::UNAUTHORIZED).await;
        let mut unknown = settings(false, true);
        unknown["inspector_phones"] = json!(true);
        let mut not_a_switch = settings(false, true);
        not_a_switch["inspector_names"] = json!("no");
        let mut missing = settings(false, true);
        missing.as_object_mut().unwrap().remove("directory_sizes");
        for bad in [unknown, not_a_switch, missing] {
            let refused = expect(set(&app, &app.admin, bad.clone()).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(refused["code"], "invalid_json", "{bad}: {refused}");
        }
        let stored = expect(app.get(Some(&app.admin), "/api/settings/publication").await, StatusCode::OK).await;
        assert_eq!(stored, settings(true, false), "nothing changed");
        let inspectors = all_inspectors(&app, "", 500).await;
        assert!(inspectors.iter().all(|inspector| inspector.get("name").is_some() && inspector.get("region").is_none()));
        let page = expect(app.get(Some(&app.admin), "/api/audit?limit=1000").await, StatusCode::OK).await;
        assert!(!page["entries"].as_array().unwrap().iter().any(|entry| entry["action"] == "publication_changed"), "{page}");
    }

    async fn sizes_are_the_directories_counts(app) {
        app.seed_directory().await;
        expect(app.post_csv(&app.health, "/api/inspectors/import", WITH_CONTACTS).await, StatusCode::OK).await;
        let sizes = expect(app.get(None, "/api/public/directories").await, StatusCode::OK).await;
        let counted = |name: &str| -> BTreeMap<String, i64> {
            sizes[name].as_array().unwrap().iter()
                .map(|row| (row["value"].as_str().unwrap().to_owned(), row["count"].as_i64().unwrap()))
                .collect()
        };
        assert_eq!(sizes["targets_total"], 60);
        // The seeded targets: T0001..T0060, region by index % 3, class by index % 4.
        let mut regions = BTreeMap::new();
        let mut classes = BTreeMap::new();
        for index in 1..=60u32 {
            *regions.entry(["R1", "R2", "R3"][(index % 3) as usize].to_owned()).or_insert(0) += 1;
            *classes.entry(["A", "B", "C", "D"][(index % 4) as usize].to_owned()).or_insert(0) += 1;
        }
        assert_eq!(counted("targets_by_region"), regions);
        assert_eq!(counted("targets_by_risk_class"), classes);
        assert_eq!(counted("targets_by_department"), BTreeMap::from([("market".to_owned(), 60)]));
        let inspectors = BTreeMap::from([("health".to_owned(), 5), ("market".to_owned(), 10)]);
        assert_eq!(counted("inspectors_by_department"), inspectors);
        // The list and the sizes agree.
        let whole = all_inspectors(&app, "", 500).await;
        assert_eq!(whole.len() as i64, inspectors.values().sum::<i64>());
    }
}
