//! Annual spot-check plans (年度抽查工作计划): a supervisor writes a draft
//! for their department, edits it, approves it once (final, public, one
//! log entry), derives each batch's quotas from what the year still needs,
//! and tasks of the plan are checked against it. The public sees approved
//! plans only, with progress counted over revealed tasks only.

use chrono::Datelike;
use opendraw::protocol::log::LogEntry;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{DICE, TestApp, expect};
use crate::on_both_backends;

/// This year, as the service counts it.
fn year(app: &TestApp) -> i32 {
    app.service.today().year()
}

/// A plan of the market department with FOOD-01 at 20 % (class D at 40 %)
/// and three batches over the year.
fn plan(app: &TestApp, code: &str) -> Value {
    let year = year(app);
    json!({
        "year": year,
        "code": code,
        "name": format!("{year}年度市场监管双随机抽查工作计划"),
        "items": [{"item": "FOOD-01", "ratio": "20%", "risk_ratios": {"D": "40%"}}],
        "batches": [
            {"number": 1, "name": "第一批", "starts": format!("{year}-01-01"), "ends": format!("{year}-04-30")},
            {"number": 2, "name": "第二批", "starts": format!("{year}-05-01"), "ends": format!("{year}-08-31")},
            {"number": 3, "name": "第三批", "starts": format!("{year}-09-01"), "ends": format!("{year}-12-31")}
        ]
    })
}

async fn create(app: &TestApp, token: &str, body: &Value, status: StatusCode) -> Value {
    expect(app.post_json(Some(token), "/api/plans", body).await, status).await
}

async fn approve(app: &TestApp, token: &str, code: &str, status: StatusCode) -> Value {
    expect(app.post_json(Some(token), &format!("/api/plans/{code}/approve"), &json!({})).await, status).await
}

async fn approved_plan(app: &TestApp, code: &str) -> Value {
    create(app, &app.market, &plan(app, code), StatusCode::CREATED).await;
    approve(app, &app.market, code, StatusCode::OK).await
}

async fn derivation(app: &TestApp, code: &str, batch: i64) -> Value {
    let path = format!("/api/plans/{code}/derivation?batch={batch}");
    expect(app.get(Some(&app.market), &path).await, StatusCode::OK).await
}

/// The plan's body for a PUT: the POST's without the code.
fn edit_of(body: &Value) -> Value {
    let mut edit = body.clone();
    edit.as_object_mut().unwrap().remove("code");
    edit
}

/// A derivation's row: (item, class, pool, ratio, annual target, drawn, remaining, quota).
type Row = (String, String, i64, String, i64, i64, i64, i64);

/// The derivation's rows.
fn strata(derived: &Value) -> Vec<Row> {
    let mut rows = Vec::new();
    for item in derived["items"].as_array().unwrap() {
        for stratum in item["strata"].as_array().unwrap() {
            let number = |key: &str| stratum[key].as_i64().unwrap();
            rows.push((
                item["item"].as_str().unwrap().to_owned(),
                stratum["risk_class"].as_str().unwrap().to_owned(),
                number("pool"),
                stratum["ratio"].as_str().unwrap().to_owned(),
                number("annual_target"),
                number("drawn"),
                number("remaining"),
                number("quota"),
            ));
        }
    }
    rows
}

/// Per risk class, (drawn, quota) of FOOD-01 in a derivation.
fn drawn_and_quota(derived: &Value) -> Vec<(String, i64, i64)> {
    strata(derived).into_iter().map(|row| (row.1, row.5, row.7)).collect()
}

/// A task of the plan's batch with the derivation's fragment, drawn.
async fn drawn_task_of(app: &TestApp, derived: &Value) -> i64 {
    let mut changes = derived["task"].clone();
    changes["quota"] = Value::Null;
    changes["name"] = json!(format!("第{}批食品经营抽查", derived["batch"]));
    let task = app.create_task(changes).await;
    app.act(task, "commit", json!({}), StatusCode::OK).await;
    app.pass_entropy_event();
    app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
    task
}

async fn plan_entries(app: &TestApp) -> Vec<(String, Value)> {
    let page = expect(app.get(None, "/api/public/log?after=0&limit=1000").await, StatusCode::OK).await;
    let entries: Vec<LogEntry> = serde_json::from_value(page["entries"].clone()).unwrap();
    entries
        .into_iter()
        .filter(|entry| entry.kind == "plan.approved")
        .map(|entry| {
            assert_eq!(entry.task, None, "a plan's entry names no task");
            (entry.actor, serde_json::from_str(&entry.payload).unwrap())
        })
        .collect()
}

async fn staff_plans(app: &TestApp, token: &str) -> Value {
    expect(app.get(Some(token), "/api/plans").await, StatusCode::OK).await
}

on_both_backends! {
    async fn a_draft_is_edited_then_approved_and_approval_is_final(app) {
        app.seed_directory().await;
        let body = plan(&app, "food-plan");
        let draft = create(&app, &app.market, &body, StatusCode::CREATED).await;
        assert_eq!((draft["department"].as_str(), draft["code"].as_str(), draft["state"].as_str()), (Some("market"), Some("food-plan"), Some("draft")));
        assert_eq!((draft["approved_at"].clone(), draft["sha256"].clone()), (Value::Null, Value::Null));
        assert_eq!(draft["items"], json!([{"item": "FOOD-01", "ratio": "20%", "risk_ratios": {"D": "40%"}, "regions": [], "industries": []}]));
        assert_eq!(draft["batches"].as_array().unwrap().len(), 3);

        let mut edit = edit_of(&body);
        edit["name"] = json!("市场监管抽查计划（修订稿）");
        edit["items"][0]["ratio"] = json!("12.50%");
        let edited = expect(app.put_json(Some(&app.market), "/api/plans/food-plan", &edit).await, StatusCode::OK).await;
        assert_eq!((edited["name"].as_str(), edited["items"][0]["ratio"].as_str()), (Some("市场监管抽查计划（修订稿）"), Some("12.5%")));
        let read = expect(app.get(Some(&app.market), "/api/plans/food-plan").await, StatusCode::OK).await;
        assert_eq!(read, edited);

        let approved = approve(&app, &app.market, "food-plan", StatusCode::OK).await;
        assert_eq!(approved["state"], "approved");
        assert!(approved["approved_at"].is_string(), "{approved}");
        let sha256 = approved["sha256"].as_str().unwrap();
        assert!(sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()), "{sha256}");

        edit["name"] = json!("再改一次");
        let refused = expect(app.put_json(Some(&app.market), "/api/plans/food-plan", &edit).await, StatusCode::CONFLICT).await;
        assert_eq!(refused["code"], "plan_approved");
        let again = approve(&app, &app.market, "food-plan", StatusCode::CONFLICT).await;
        assert_eq!(again["code"], "plan_approved");
        let read = expect(app.get(Some(&app.market), "/api/plans/food-plan").await, StatusCode::OK).await;
        assert_eq!(read, approved, "an approved plan stays as approved");
        let list = staff_plans(&app, &app.market).await;
        assert_eq!(list, json!([approved]));
    }

    async fn approval_writes_exactly_one_log_entry(app) {
        app.seed_directory().await;
        let before = app.log_head().await;
        create(&app, &app.market, &plan(&app, "food-plan"), StatusCode::CREATED).await;
        expect(app.put_json(Some(&app.market), "/api/plans/food-plan", &edit_of(&plan(&app, "food-plan"))).await, StatusCode::OK).await;
        assert_eq!(app.log_head().await, before, "a draft is not logged");
        let approved = approve(&app, &app.market, "food-plan", StatusCode::OK).await;
        let after = app.log_head().await;
        assert_eq!(after["seq"].as_i64().unwrap(), before["seq"].as_i64().unwrap() + 1, "{after}");
        approve(&app, &app.market, "food-plan", StatusCode::CONFLICT).await;
        assert_eq!(app.log_head().await, after, "a refused approval logs nothing");
        let entries = plan_entries(&app).await;
        assert_eq!(entries, [("market-supervisor".to_owned(), json!({"department": "market", "code": "food-plan", "sha256": approved["sha256"]}))]);
    }

    async fn approvals_at_once_approve_once_with_one_entry(app) {
        app.seed_directory().await;
        create(&app, &app.market, &plan(&app, "food-plan"), StatusCode::CREATED).await;
        let before = app.log_head().await;
        let sends = (0..4).map(|_| {
            let app = &app;
            async move { app.post_json(Some(&app.market), "/api/plans/food-plan/approve", &json!({})).await.status() }
        });
        let mut statuses = futures_util::future::join_all(sends).await;
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT, StatusCode::CONFLICT, StatusCode::CONFLICT]);
        let after = app.log_head().await;
        assert_eq!(after["seq"].as_i64().unwrap(), before["seq"].as_i64().unwrap() + 1, "{after}");
        assert_eq!(plan_entries(&app).await.len(), 1);
    }

    async fn another_department_cannot_read_or_write_a_plan(app) {
        app.seed_directory().await;
        let body = plan(&app, "food-plan");
        let draft = create(&app, &app.market, &body, StatusCode::CREATED).await;
        let before = app.log_head().await;
        expect(app.get(Some(&app.health), "/api/plans/food-plan").await, StatusCode::NOT_FOUND).await;
        expect(app.put_json(Some(&app.health), "/api/plans/food-plan", &edit_of(&body)).await, StatusCode::NOT_FOUND).await;
        approve(&app, &app.health, "food-plan", StatusCode::NOT_FOUND).await;
        expect(app.get(Some(&app.health), "/api/plans/food-plan/derivation?batch=1").await, StatusCode::NOT_FOUND).await;
        assert_eq!(staff_plans(&app, &app.health).await, json!([]));
        for token in [&app.inspector_a, &app.admin] {
            let refused = expect(app.get(Some(token), "/api/plans").await, StatusCode::FORBIDDEN).await;
            assert_eq!(refused["code"], "forbidden");
            create(&app, token, &plan(&app, "other"), StatusCode::FORBIDDEN).await;
            approve(&app, token, "food-plan", StatusCode::FORBIDDEN).await;
        }
        assert_eq!(app.get(None, "/api/plans").await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.post_json(None, "/api/plans/food-plan/approve", &json!({})).await.status(), StatusCode::UNAUTHORIZED);
        // The health department's plan of the same code is its own.
        let mut health = plan(&app, "food-plan");
        health["items"][0]["item"] = json!("HEALTH-01");
        let theirs = create(&app, &app.health, &health, StatusCode::CREATED).await;
        assert_eq!(theirs["department"], "health");
        let mine = expect(app.get(Some(&app.market), "/api/plans/food-plan").await, StatusCode::OK).await;
        assert_eq!(mine, draft, "nothing of market's plan changed");
        assert_eq!(app.log_head().await, before);
    }

    async fn bad_input_is_refused_with_its_code_and_nothing_changes(app) {
        app.seed_directory().await;
        let year = year(&app);
        let good = plan(&app, "food-plan");
        let draft = create(&app, &app.market, &good, StatusCode::CREATED).await;
        let before = app.log_head().await;
        let with = |pointer: &str, value: Value| {
            let mut body = good.clone();
            *body.pointer_mut(pointer).unwrap() = value;
            body
        };
        let cases = [
            (with("/batches/1/starts", json!(format!("{year}-04-15"))), "overlapping_batches", "batches[1].starts"),
            (with("/items/0/ratio", json!("100.5%")), "invalid_ratio", "items[0].ratio"),
            (with("/items/0/ratio", json!("5")), "invalid_ratio", "items[0].ratio"),
            (with("/items/0/risk_ratios", json!({"C": "10%"})), "risk_ratio_below_item", "items[0].risk_ratios.C"),
            (with("/items/0/risk_ratios", json!({"E": "50%"})), "invalid_risk_class", "items[0].risk_ratios.E"),
            (with("/items/0/item", json!("NOPE-01")), "unknown_item", "items[0].item"),
            (with("/items/0/item", json!("HEALTH-01")), "unknown_item", "items[0].item"),
            (with("/items", json!([{"item": "FOOD-01", "ratio": "5%"}, {"item": "FOOD-01", "ratio": "6%"}])), "duplicate_item", "items[1].item"),
            (with("/items", json!([])), "invalid_items", "items"),
            (with("/batches/2/number", json!(4)), "invalid_batch_number", "batches[2].number"),
            (with("/batches/0/ends", json!(format!("{}-01-31", year + 1))), "invalid_batch_date", "batches[0].ends"),
            (with("/batches/0/ends", json!(format!("{year}-02-30"))), "invalid_batch_date", "batches[0].ends"),
            (with("/batches/2/ends", json!(format!("{year}-08-31"))), "invalid_batch_date", "batches[2].ends"),
            (with("/name", json!(" ")), "invalid_name", "name"),
            (with("/year", json!(1999)), "invalid_year", "year"),
            (with("/items/0", json!({"item": "FOOD-01", "ratio": "5%", "regions": ["R1", "\u{7}"]})), "invalid_categories", "items[0].regions[1]"),
            (with("/items/0", json!({"item": "FOOD-01", "ratio": "5%", "draws_per_year": 4})), "invalid_frequency", "items[0].draws_per_year"),
            (with("/items/0", json!({"item": "FOOD-01", "ratio": "5%", "draws_per_year": 0})), "invalid_frequency", "items[0].draws_per_year"),
        ];
        for (body, code, field) in &cases {
            let mut fresh = body.clone();
            fresh["code"] = json!("another-plan");
            let refused = create(&app, &app.market, &fresh, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some(*code), Some(*field)), "{refused}");
            let refused = expect(app.put_json(Some(&app.market), "/api/plans/food-plan", &edit_of(body)).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some(*code), Some(*field)), "{refused}");
        }
        let duplicate = create(&app, &app.market, &good, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((duplicate["code"].as_str(), duplicate["field"].as_str()), (Some("duplicate_code"), Some("code")));
        let bad_code = create(&app, &app.market, &with("/code", json!("计划 2026")), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(bad_code["code"], "invalid_code");
        let mut extra = with("/code", json!("extra-field"));
        extra["department"] = json!("health");
        let unknown_field = app.post_json(Some(&app.market), "/api/plans", &extra).await;
        assert!(unknown_field.status().is_client_error(), "{}", unknown_field.status());
        let no_batch = expect(app.get(Some(&app.market), "/api/plans/food-plan/derivation?batch=4").await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(no_batch["code"], "invalid_plan_batch");
        assert_eq!(staff_plans(&app, &app.market).await, json!([draft]), "nothing was written");
        assert_eq!(app.log_head().await, before, "nothing was logged");
    }

    async fn derivation_counts_earlier_batches_and_the_last_batch_takes_the_remainder(app) {
        app.seed_directory().await;
        approved_plan(&app, "food-plan").await;
        // 60 targets, 15 of each class: 20 % of 15 is 3; class D's 40 % is 6.
        let first = derivation(&app, "food-plan", 1).await;
        assert_eq!((first["batch"].as_i64(), first["remaining_batches"].as_i64()), (Some(1), Some(3)));
        assert_eq!(strata(&first), [
            ("FOOD-01".to_owned(), "A".to_owned(), 15, "20%".to_owned(), 3, 0, 3, 1),
            ("FOOD-01".to_owned(), "B".to_owned(), 15, "20%".to_owned(), 3, 0, 3, 1),
            ("FOOD-01".to_owned(), "C".to_owned(), 15, "20%".to_owned(), 3, 0, 3, 1),
            ("FOOD-01".to_owned(), "D".to_owned(), 15, "40%".to_owned(), 6, 0, 6, 2),
        ]);
        let task = &first["task"];
        assert_eq!(task["items"], json!(["FOOD-01"]));
        assert_eq!(task["strata_by"], json!(["risk_class"]));
        assert_eq!(task["quota_by_stratum"], json!({"A": {"count": 1}, "B": {"count": 1}, "C": {"count": 1}, "D": {"count": 2}}));
        assert_eq!((task["plan_id"].as_str(), task["plan_batch"].as_i64()), (Some("food-plan"), Some(1)));
        assert_eq!(task["plan_name"].as_str(), Some(format!("{}年度市场监管双随机抽查工作计划", year(&app)).as_str()));

        let drawn = drawn_task_of(&app, &first).await;
        let second = derivation(&app, "food-plan", 2).await;
        assert_eq!(second["remaining_batches"], 2);
        assert_eq!(drawn_and_quota(&second), [
            ("A".to_owned(), 1, 1), ("B".to_owned(), 1, 1), ("C".to_owned(), 1, 1), ("D".to_owned(), 2, 2),
        ], "batch 1's draw counts: what remains is shared by the two batches left");
        let last = derivation(&app, "food-plan", 3).await;
        assert_eq!(last["remaining_batches"], 1);
        assert_eq!(drawn_and_quota(&last), [
            ("A".to_owned(), 1, 2), ("B".to_owned(), 1, 2), ("C".to_owned(), 1, 2), ("D".to_owned(), 2, 4),
        ], "the last batch takes the whole remainder");

        // An abandoned task's draw does not count.
        app.act(drawn, "abandon", json!({"reason": "抽取会延期"}), StatusCode::OK).await;
        let after = derivation(&app, "food-plan", 2).await;
        assert_eq!(drawn_and_quota(&after), [
            ("A".to_owned(), 0, 2), ("B".to_owned(), 0, 2), ("C".to_owned(), 0, 2), ("D".to_owned(), 0, 3),
        ]);
    }

    async fn a_risk_class_ratio_raises_that_class_quota(app) {
        app.seed_directory().await;
        let mut body = plan(&app, "food-plan");
        body["items"] = json!([
            {"item": "FOOD-01", "ratio": "10%", "risk_ratios": {"D": "60%", "C": "10%"}, "regions": ["R1"]},
            {"item": "DRUG-01", "ratio": "10%"}
        ]);
        create(&app, &app.market, &body, StatusCode::CREATED).await;
        let derived = derivation(&app, "food-plan", 1).await;
        let rows = strata(&derived);
        // FOOD-01 is narrowed to R1: 20 targets, 5 of each class.
        let food: Vec<(String, i64, i64, i64)> = rows.iter().filter(|r| r.0 == "FOOD-01").map(|r| (r.1.clone(), r.2, r.4, r.7)).collect();
        assert_eq!(food, [
            ("A".to_owned(), 5, 1, 1), ("B".to_owned(), 5, 1, 1), ("C".to_owned(), 5, 1, 1), ("D".to_owned(), 5, 3, 1),
        ]);
        let drug: Vec<(String, i64, i64)> = rows.iter().filter(|r| r.0 == "DRUG-01").map(|r| (r.1.clone(), r.2, r.4)).collect();
        assert_eq!(drug, [("A".to_owned(), 15, 2), ("B".to_owned(), 15, 2), ("C".to_owned(), 15, 2), ("D".to_owned(), 15, 2)]);
        let last = derivation(&app, "food-plan", 3).await;
        let quotas: Vec<(String, i64)> = strata(&last).into_iter().filter(|r| r.0 == "FOOD-01").map(|r| (r.1, r.7)).collect();
        assert_eq!(quotas, [("A".to_owned(), 1), ("B".to_owned(), 1), ("C".to_owned(), 1), ("D".to_owned(), 3)]);
        // The items are narrowed differently: the fragment names no filter,
        // and each class's quota is the largest any item needs.
        assert!(last["task"].get("filter").is_none(), "{}", last["task"]);
        assert_eq!(last["task"]["quota_by_stratum"], json!({"A": {"count": 2}, "B": {"count": 2}, "C": {"count": 2}, "D": {"count": 3}}));

        // A task of the last batch for FOOD-01 alone is held to FOOD-01's
        // quotas, not to DRUG-01's larger ones.
        approve(&app, &app.market, "food-plan", StatusCode::OK).await;
        let food_only = app.create_task(json!({
            "name": "第三批食品经营抽查", "items": ["FOOD-01"], "filter": {"regions": ["R1"]},
            "strata_by": ["risk_class"], "quota": null,
            "quota_by_stratum": {"A": {"count": 1}, "B": {"count": 1}, "C": {"count": 1}, "D": {"count": 3}},
            "plan_id": "food-plan", "plan_batch": 3
        })).await;
        app.act(food_only, "commit", json!({}), StatusCode::OK).await;
        let recorded = committed_plan(&app, food_only).await;
        assert_eq!(recorded["quotas"], json!({"A": 1, "B": 1, "C": 1, "D": 3}), "{recorded}");
        assert_eq!(recorded["kept"], true, "{recorded}");
    }

    async fn a_plan_that_will_miss_its_ratio_is_behind_on_the_dashboard(app) {
        app.seed_directory().await;
        let year = year(&app);
        app.clock.set(chrono::NaiveDate::from_ymd_opt(year, 12, 15).unwrap());
        let mut late = plan(&app, "late-plan");
        late["batches"] = json!([
            {"number": 1, "name": "上半年", "starts": format!("{year}-01-01"), "ends": format!("{year}-06-30")},
            {"number": 2, "name": "下半年", "starts": format!("{year}-07-01"), "ends": format!("{year}-11-30")}
        ]);
        create(&app, &app.market, &late, StatusCode::CREATED).await;
        let dashboard = expect(app.get(Some(&app.market), "/api/dashboard").await, StatusCode::OK).await;
        assert_eq!(dashboard["warnings"], json!([]), "a draft warns of nothing");
        approve(&app, &app.market, "late-plan", StatusCode::OK).await;
        // A plan whose last batch is still open is on time.
        approved_plan(&app, "on-time").await;
        let dashboard = expect(app.get(Some(&app.market), "/api/dashboard").await, StatusCode::OK).await;
        assert_eq!(dashboard["warnings"], json!([{
            "kind": "plan_behind", "plan": "late-plan", "plan_name": late["name"], "item": "FOOD-01",
            "annual_target": 15, "drawn": 0, "pool": 60, "batches_left": 0
        }]));
        let health = expect(app.get(Some(&app.health), "/api/dashboard").await, StatusCode::OK).await;
        assert_eq!(health["warnings"], json!([]), "another department's plan is not theirs to see");
        let public = expect(app.get(None, "/api/public/plans/market/late-plan").await, StatusCode::OK).await;
        assert_eq!(public["warnings"][0]["kind"], "plan_behind");
        assert!(public["batches"].as_array().unwrap().iter().all(|b| b["done"] == true), "{public}");
    }

    async fn an_item_drawn_in_too_few_batches_is_behind_its_frequency(app) {
        app.seed_directory().await;
        let year = year(&app);
        // Batch 1 (January to April) is over; batches 2 and 3 are open.
        app.clock.set(chrono::NaiveDate::from_ymd_opt(year, 6, 15).unwrap());
        let mut thrice = plan(&app, "thrice");
        thrice["items"][0]["draws_per_year"] = json!(3);
        create(&app, &app.market, &thrice, StatusCode::CREATED).await;
        approve(&app, &app.market, "thrice", StatusCode::OK).await;
        let dashboard = expect(app.get(Some(&app.market), "/api/dashboard").await, StatusCode::OK).await;
        assert_eq!(dashboard["warnings"], json!([{
            "kind": "frequency_behind", "plan": "thrice", "plan_name": thrice["name"], "item": "FOOD-01",
            "annual_target": 15, "drawn": 0, "pool": 60, "batches_left": 2,
            "draws_per_year": 3, "batches_drawn": 0
        }]), "batch 1 drew nothing: two open batches cannot make three");
        let public = expect(app.get(None, "/api/public/plans/market/thrice").await, StatusCode::OK).await;
        assert_eq!(public["items"][0]["draws_per_year"], 3);
        assert_eq!(public["warnings"][0]["kind"], "frequency_behind");

        // A draw for batch 1 puts the item back on course.
        let task = drawn_task_of(&app, &derivation(&app, "thrice", 1).await).await;
        let dashboard = expect(app.get(Some(&app.market), "/api/dashboard").await, StatusCode::OK).await;
        assert_eq!(dashboard["warnings"], json!([]), "one batch drawn and two open make three");
        let sealed = expect(app.get(None, "/api/public/plans/market/thrice").await, StatusCode::OK).await;
        assert_eq!(sealed["items"][0]["progress"]["batches_drawn"], 0, "a sealed draw counts in public only once revealed");
        app.act(task, "reveal", json!({}), StatusCode::OK).await;
        let revealed = expect(app.get(None, "/api/public/plans/market/thrice").await, StatusCode::OK).await;
        assert_eq!(revealed["items"][0]["progress"]["batches_drawn"], 1);
        assert_eq!(revealed["warnings"], json!([]));

        // A plan without a frequency keeps its published form: no key at all.
        let plain = approved_plan(&app, "plain").await;
        assert!(plain["items"][0].get("draws_per_year").is_none(), "{plain}");
    }

    async fn each_commitment_records_whether_the_draw_kept_to_its_plan(app) {
        app.seed_directory().await;
        let approved = approved_plan(&app, "food-plan").await;
        let first = derivation(&app, "food-plan", 1).await;
        let kept = drawn_task_of(&app, &first).await;
        assert_eq!(committed_plan(&app, kept).await, json!({
            "code": "food-plan", "batch": 1, "sha256": approved["sha256"],
            "quotas": {"A": 1, "B": 1, "C": 1, "D": 2},
            "draws": {"A": 1, "B": 1, "C": 1, "D": 2},
            "kept": true
        }));

        // Batch 2 asks for 1, 1, 1, 2 again; a task drawing one of class D falls short.
        let second = derivation(&app, "food-plan", 2).await;
        let mut short = second["task"].clone();
        short["quota"] = Value::Null;
        short["quota_by_stratum"]["D"] = json!({"count": 1});
        short["name"] = json!("第2批（少抽）");
        let short_task = app.create_task(short).await;
        app.act(short_task, "commit", json!({}), StatusCode::OK).await;
        let recorded = committed_plan(&app, short_task).await;
        assert_eq!((recorded["quotas"]["D"].as_i64(), recorded["draws"]["D"].as_i64()), (Some(2), Some(1)));
        assert_eq!(recorded["kept"], false, "{recorded}");

        // Strata other than the risk classes cannot be set beside the plan's.
        let mut by_region = second["task"].clone();
        by_region["strata_by"] = json!([]);
        by_region["quota_by_stratum"] = json!({});
        by_region["quota"] = json!({"count": 5});
        by_region["name"] = json!("第2批（不分层）");
        let unstratified = app.create_task(by_region).await;
        app.act(unstratified, "commit", json!({}), StatusCode::OK).await;
        let recorded = committed_plan(&app, unstratified).await;
        assert!(recorded.get("draws").is_none() && recorded.get("kept").is_none(), "{recorded}");
        assert_eq!(recorded["quotas"]["D"], 2);

        // A task naming no plan records none.
        let free = app.create_task(json!({"name": "计划外任务"})).await;
        app.act(free, "commit", json!({}), StatusCode::OK).await;
        assert_eq!(committed_plan(&app, free).await, Value::Null);

        let public = expect(app.get(None, "/api/public/plans/market/food-plan").await, StatusCode::OK).await;
        let kept_of = |batch: usize| -> Vec<(i64, Option<bool>)> {
            public["batches"][batch]["tasks"].as_array().unwrap().iter()
                .map(|t| (t["id"].as_i64().unwrap(), t["kept"].as_bool())).collect()
        };
        assert_eq!(kept_of(0), [(kept, Some(true))]);
        let mut second_batch = kept_of(1);
        second_batch.sort();
        assert_eq!(second_batch, [(short_task, Some(false)), (unstratified, None)]);
    }

    async fn drafts_are_never_public(app) {
        app.seed_directory().await;
        create(&app, &app.market, &plan(&app, "food-plan"), StatusCode::CREATED).await;
        assert_eq!(expect(app.get(None, "/api/public/plans").await, StatusCode::OK).await, json!([]));
        let hidden = expect(app.get(None, "/api/public/plans/market/food-plan").await, StatusCode::NOT_FOUND).await;
        assert_eq!(hidden["code"], "not_found");
        let approved = approve(&app, &app.market, "food-plan", StatusCode::OK).await;
        create(&app, &app.market, &plan(&app, "next-draft"), StatusCode::CREATED).await;
        let list = expect(app.get(None, "/api/public/plans").await, StatusCode::OK).await;
        assert_eq!(list, json!([{
            "department": "market", "code": "food-plan", "year": year(&app), "name": approved["name"],
            "approved_at": approved["approved_at"], "items": 1, "batches": 3
        }]));
        expect(app.get(None, "/api/public/plans/market/next-draft").await, StatusCode::NOT_FOUND).await;
        let one = expect(app.get(None, "/api/public/plans/market/food-plan").await, StatusCode::OK).await;
        assert_eq!((one["sha256"].clone(), one["approved_at"].clone()), (approved["sha256"].clone(), approved["approved_at"].clone()));
        assert_eq!(one["items"][0]["item_name"], "食品经营检查");
        assert_eq!(one["items"][0]["progress"], json!({"pool": 60, "annual_target": 15, "drawn": 0, "drawn_ratio": "0%", "results_published": 0, "batches_drawn": 0}));
    }

    async fn public_progress_ignores_a_sealed_task(app) {
        app.seed_directory().await;
        approved_plan(&app, "food-plan").await;
        let first = derivation(&app, "food-plan", 1).await;
        let task = drawn_task_of(&app, &first).await;
        let staff = derivation(&app, "food-plan", 2).await;
        assert_eq!(drawn_and_quota(&staff).iter().map(|r| r.1).sum::<i64>(), 5, "the supervisor's derivation counts the sealed draw");
        let sealed = expect(app.get(None, "/api/public/plans/market/food-plan").await, StatusCode::OK).await;
        assert_eq!(sealed["items"][0]["progress"]["drawn"], 0, "a sealed draw shows in no count: {sealed}");
        assert_eq!(sealed["batches"][0]["tasks"], json!([{"id": task, "name": "第1批食品经营抽查", "state": "drawn", "kept": true}]));
        assert_eq!(sealed["batches"][1]["tasks"], json!([]));
        app.act(task, "reveal", json!({}), StatusCode::OK).await;
        let revealed = expect(app.get(None, "/api/public/plans/market/food-plan").await, StatusCode::OK).await;
        assert_eq!(revealed["items"][0]["progress"]["drawn"], 5);
        assert_eq!(revealed["items"][0]["progress"]["drawn_ratio"], "8.33%");
        assert_eq!(revealed["batches"][0]["tasks"][0]["state"], "revealed");
        let public_task = expect(app.get(None, &format!("/api/public/tasks/{task}")).await, StatusCode::OK).await;
        assert_eq!(public_task["plan"], json!({"department": "market", "code": "food-plan", "name": revealed["name"], "batch": 1}));
        let list = expect(app.get(None, "/api/public/tasks").await, StatusCode::OK).await;
        let listed = list.as_array().unwrap().iter().find(|t| t["id"] == task).expect("the task is listed");
        assert_eq!(listed["plan"], public_task["plan"], "the list links the task to its plan too");
        let free = app.create_task(json!({"plan_id": "P-2026", "plan_name": "自由文本计划"})).await;
        app.act(free, "commit", json!({}), StatusCode::OK).await;
        let list = expect(app.get(None, "/api/public/tasks").await, StatusCode::OK).await;
        let listed = list.as_array().unwrap().iter().find(|t| t["id"] == free).expect("the free task is listed");
        assert!(listed.get("plan").is_none_or(Value::is_null), "a plan named as free text links nowhere: {listed}");
    }

    async fn a_task_naming_a_draft_plan_or_a_bad_batch_is_refused(app) {
        app.seed_directory().await;
        create(&app, &app.market, &plan(&app, "food-plan"), StatusCode::CREATED).await;
        let before = staff_tasks(&app).await;
        let attempt = |changes: Value| {
            let app = &app;
            async move {
                let mut definition = crate::helpers::default_definition();
                for (key, value) in changes.as_object().unwrap() {
                    definition[key] = value.clone();
                }
                let response = app.post_json(Some(&app.market), "/api/tasks", &definition).await;
                expect(response, StatusCode::UNPROCESSABLE_ENTITY).await
            }
        };
        let refused = attempt(json!({"plan_id": "food-plan", "plan_batch": 1})).await;
        assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some("plan_not_approved"), Some("plan_id")));
        approve(&app, &app.market, "food-plan", StatusCode::OK).await;
        for (changes, code, field) in [
            (json!({"plan_id": "food-plan", "plan_batch": 4}), "invalid_plan_batch", "plan_batch"),
            (json!({"plan_id": "food-plan"}), "invalid_plan_batch", "plan_batch"),
            (json!({"plan_batch": 1}), "invalid_plan_batch", "plan_batch"),
            (json!({"plan_id": "food-plan", "plan_batch": 1, "items": ["FOOD-01", "DRUG-01"]}), "item_not_in_plan", "items[1]"),
        ] {
            let refused = attempt(changes).await;
            assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some(code), Some(field)), "{refused}");
        }
        assert_eq!(staff_tasks(&app).await, before, "no task was written");
        let task = app.create_task(json!({"plan_id": "food-plan", "plan_batch": 2, "plan_name": "别的名字"})).await;
        let view = expect(app.get(Some(&app.market), &format!("/api/tasks/{task}")).await, StatusCode::OK).await;
        assert_eq!(view["definition"]["plan_name"].as_str(), Some(format!("{}年度市场监管双随机抽查工作计划", year(&app)).as_str()), "the plan's own name");
        assert_eq!(view["definition"]["plan_batch"], 2);
        // A plan_id naming no plan of the department stays free text.
        let free = app.create_task(json!({"plan_id": "P-2026", "plan_name": "2026年度抽查计划"})).await;
        let view = expect(app.get(Some(&app.market), &format!("/api/tasks/{free}")).await, StatusCode::OK).await;
        assert_eq!(view["definition"]["plan_name"], "2026年度抽查计划");
        // An edit is checked the same way.
        let mut definition = view["definition"].clone();
        definition["plan_id"] = json!("food-plan");
        definition["plan_batch"] = json!(9);
        let refused = expect(app.put_json(Some(&app.market), &format!("/api/tasks/{free}"), &definition).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(refused["code"], "invalid_plan_batch");
    }
}

async fn staff_tasks(app: &TestApp) -> Value {
    expect(app.get(Some(&app.market), "/api/tasks").await, StatusCode::OK).await
}

/// What the task's `task.committed` entry records of its plan (null: nothing).
async fn committed_plan(app: &TestApp, task: i64) -> Value {
    let page = expect(app.get(None, "/api/public/log?after=0&limit=1000").await, StatusCode::OK).await;
    let entries: Vec<LogEntry> = serde_json::from_value(page["entries"].clone()).unwrap();
    let entry = entries
        .into_iter()
        .find(|entry| entry.kind == "task.committed" && entry.task == Some(task as u64))
        .unwrap_or_else(|| panic!("task {task} has a commitment entry"));
    let payload: Value = serde_json::from_str(&entry.payload).unwrap();
    payload.get("plan").cloned().unwrap_or(Value::Null)
}
