//! Nothing sealed leaks through a staff endpoint. A caller without the
//! right gets the same answer, byte for byte, whatever a sealed selection
//! holds and whether the thing asked about exists; and a department that
//! takes no part in a task sees nothing of it while it is sealed.

use opendraw::domain::account::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{DICE, TestApp, expect};
use crate::on_both_backends;

/// Requests to one endpoint that differ only in what they ask about: each
/// caller without the right must get one answer for all of them.
struct Probe {
    what: &'static str,
    method: Method,
    variants: Vec<(String, Option<Value>)>,
}

fn probe(what: &'static str, method: Method, variants: Vec<(String, Option<Value>)>) -> Probe {
    Probe { what, method, variants }
}

async fn answer(
    app: &TestApp,
    token: &str,
    method: &Method,
    path: &str,
    body: &Option<Value>,
) -> (u16, String) {
    let mut request = app.client.request(method.clone(), app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// A drawn (sealed) task of the market department; `changes` are merged
/// over the default definition.
async fn sealed_task(app: &TestApp, changes: Value) -> i64 {
    let id = app.create_task(changes).await;
    app.act(id, "commit", json!({}), StatusCode::OK).await;
    app.pass_entropy_event();
    app.act(id, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
    id
}

/// The sealed selection, read from storage: (target, department, inspector).
async fn selection(app: &TestApp, task: i64) -> Vec<(String, String, String)> {
    opendraw::storage::tasks::selection(app.service.store().pool(), task)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|row| Some((row.target, row.department?, row.inspector?)))
        .collect()
}

fn team<'a>(selection: &'a [(String, String, String)], target: &str) -> Vec<&'a str> {
    selection.iter().filter(|(t, _, _)| t == target).map(|(_, _, i)| i.as_str()).collect()
}

/// A target of the directory that the task did not draw.
fn undrawn(selection: &[(String, String, String)]) -> String {
    (1..=60).map(|n| format!("T{n:04}")).find(|t| team(selection, t).is_empty()).expect("an undrawn target")
}

/// Where a caller without the right got different answers to one probe's
/// variants: the other department's supervisor, an admin, and an
/// inspector on none of the teams asked about.
async fn differences(app: &TestApp, probes: &[Probe]) -> Vec<String> {
    let callers = [("health", &app.health), ("admin", &app.admin), ("inspector-b", &app.inspector_b)];
    let mut found = Vec::new();
    for (caller, token) in callers {
        for probe in probes {
            let (first_path, first_body) = &probe.variants[0];
            let first = answer(app, token, &probe.method, first_path, first_body).await;
            for (path, body) in &probe.variants[1..] {
                let other = answer(app, token, &probe.method, path, body).await;
                if other != first {
                    found.push(format!(
                        "{caller}, {}: {} {first_path} gave {first:?} but {path} gave {other:?}",
                        probe.what, probe.method
                    ));
                }
            }
        }
    }
    found
}

/// A token for an inspector account linked to `inspector`.
async fn account_of(app: &TestApp, name: &str, inspector: &str) -> String {
    app.service.add_user(None, name, Role::Inspector, None, Some(inspector)).await.unwrap().token
}

/// Stored data an earlier version let in: a task naming an item of a
/// department that takes no part in it.
async fn add_item_behind_the_service(app: &TestApp, task: i64, item: &str) {
    let view = expect(app.get(Some(&app.market), &format!("/api/tasks/{task}")).await, StatusCode::OK).await;
    let mut definition = view["definition"].clone();
    definition["items"].as_array_mut().unwrap().push(json!(item));
    sqlx::query("UPDATE tasks SET definition = $1 WHERE id = $2")
        .bind(definition.to_string())
        .bind(task)
        .execute(app.service.store().pool())
        .await
        .unwrap();
}

on_both_backends! {
    async fn no_staff_answer_to_a_caller_without_the_right_depends_on_a_sealed_selection(app) {
        app.seed_directory().await;
        // A: a sealed market task with a result, a declared conflict, a
        // replacement, and a health item it should not have (data an
        // earlier version let in); B: another, freshly drawn.
        let a = sealed_task(&app, json!({})).await;
        add_item_behind_the_service(&app, a, "HEALTH-01").await;
        let b = sealed_task(&app, json!({})).await;
        let in_a = selection(&app, a).await;
        // T1 is drawn in A, and inspector-b (M002) is not on its team.
        let t1 = in_a.iter().map(|(t, _, _)| t.clone()).find(|t| !team(&in_a, t).contains(&"M002")).unwrap();
        let member = team(&in_a, &t1)[0].to_owned();
        let t2 = undrawn(&in_a);
        let member_token = account_of(&app, "member", &member).await;
        let saved = app.put_json(Some(&member_token), &format!("/api/me/results/{a}/{t1}/FOOD-01"), &json!({"outcome": "no_problem"})).await;
        let result = expect(saved, StatusCode::CREATED).await["id"].as_i64().unwrap();
        let missing = result + 1000;
        let declared = json!({"task": a, "target": t1, "reason": "本人亲属在该单位任职"});
        expect(app.post_json(Some(&member_token), "/api/me/conflicts", &declared).await, StatusCode::CREATED).await;
        let (t3, _, out) = in_a.iter().find(|(t, _, _)| *t != t1).unwrap().clone();
        let replaced = json!({"target": t3, "inspector": out, "reason": "因病无法参加检查"});
        expect(app.post_json(Some(&app.market), &format!("/api/tasks/{a}/replacements"), &replaced).await, StatusCode::CREATED).await;
        let unit_of_t1 = format!("{}-bureau", ["R1", "R2", "R3"][(t1[1..].parse::<usize>().unwrap()) % 3]);

        let reason = |target: &str, inspector: &str| Some(json!({"target": target, "inspector": inspector, "reason": "回避"}));
        let result_ids = |step: &str, body: Option<Value>| -> Vec<(String, Option<Value>)> {
            [result, missing].iter().map(|id| (format!("/api/results/{id}{step}"), body.clone())).collect()
        };
        let tasks_ab = |action: &str, body: Option<Value>| -> Vec<(String, Option<Value>)> {
            [a, b].iter().map(|id| (format!("/api/tasks/{id}{action}"), body.clone())).collect()
        };
        let mine = |suffix: &str, body: Option<Value>| -> Vec<(String, Option<Value>)> {
            [(a, t1.as_str()), (a, t2.as_str()), (9999, t1.as_str())]
                .iter()
                .map(|(task, target)| (format!("/api/me/results/{task}/{target}/FOOD-01{suffix}"), body.clone()))
                .collect()
        };
        let today = app.service.today().to_string();
        let probes = [
            probe("replace an assigned vs an unassigned pair", Method::POST, vec![
                (format!("/api/tasks/{a}/replacements"), reason(&t1, &member)),
                (format!("/api/tasks/{a}/replacements"), reason(&t2, &member)),
                (format!("/api/tasks/{a}/replacements"), reason(&t1, "M002")),
                (format!("/api/tasks/{b}/replacements"), reason(&t1, &member)),
            ]),
            probe("list replacements", Method::GET, tasks_ab("/replacements", None)),
            probe("list conflicts", Method::GET, tasks_ab("/conflicts", None)),
            probe("publish a task's results", Method::POST, tasks_ab("/results/publish", Some(json!({})))),
            probe("show a task", Method::GET, tasks_ab("", None)),
            probe("update a task", Method::PUT, tasks_ab("", Some(crate::helpers::default_definition()))),
            probe("commit a task", Method::POST, tasks_ab("/commit", Some(json!({})))),
            probe("draw a task", Method::POST, tasks_ab("/draw", Some(json!({"entropy": DICE})))),
            probe("reveal a task", Method::POST, tasks_ab("/reveal", Some(json!({"release_early": true})))),
            probe("abandon a task", Method::POST, tasks_ab("/abandon", Some(json!({"reason": "试探"})))),
            probe("show a result", Method::GET, result_ids("", None)),
            probe("return a result", Method::POST, result_ids("/return", Some(json!({"reason": "补充材料"})))),
            probe("approve a result", Method::POST, result_ids("/approve", Some(json!({})))),
            probe("publish a result", Method::POST, result_ids("/publish", Some(json!({})))),
            probe("correct a result", Method::POST, result_ids("/correct", Some(json!({"outcome": "no_problem", "inspection_date": today, "reason": "更正"})))),
            probe("list results of a task", Method::GET, vec![
                (format!("/api/results?task={a}"), None),
                (format!("/api/results?task={b}"), None),
                ("/api/results?task=9999".into(), None),
            ]),
            probe("the ledger of a task", Method::GET, vec![
                (format!("/api/ledger?task={a}"), None),
                (format!("/api/ledger?task={b}"), None),
                ("/api/ledger?task=9999".into(), None),
            ]),
            probe("the ledger of a unit", Method::GET, vec![
                (format!("/api/ledger?unit={unit_of_t1}"), None),
                ("/api/ledger?unit=no-such-bureau".into(), None),
            ]),
            probe("the overdue lines of a unit", Method::GET, vec![
                (format!("/api/ledger?unit={unit_of_t1}&overdue=true"), None),
                ("/api/ledger?unit=no-such-bureau&overdue=true".into(), None),
            ]),
            probe("the ledger of a task as CSV", Method::GET, vec![
                (format!("/api/ledger.csv?task={a}"), None),
                (format!("/api/ledger.csv?task={b}"), None),
                ("/api/ledger.csv?task=9999".into(), None),
            ]),
            probe("the ledger of a unit as CSV", Method::GET, vec![
                (format!("/api/ledger.csv?unit={unit_of_t1}"), None),
                ("/api/ledger.csv?unit=no-such-bureau".into(), None),
            ]),
            probe("read a result as an inspector", Method::GET, mine("", None)),
            probe("save a result as an inspector", Method::PUT, mine("", Some(json!({"outcome": "case_filed"})))),
            probe("submit a result as an inspector", Method::POST, mine("/submit", Some(json!({})))),
            probe("declare a conflict", Method::POST, vec![
                ("/api/me/conflicts".into(), Some(json!({"task": a, "target": t1, "reason": "回避"}))),
                ("/api/me/conflicts".into(), Some(json!({"task": a, "target": t2, "reason": "回避"}))),
                ("/api/me/conflicts".into(), Some(json!({"task": 9999, "target": t1, "reason": "回避"}))),
            ]),
        ];

        let head = app.log_head().await;
        let mut differences = differences(&app, &probes).await;
        // C: a joint task in which health draws its own inspectors; it may
        // not learn market's teams from a replacement it asks for.
        let c = sealed_task(&app, json!({"items": ["FOOD-01", "HEALTH-01"], "departments": ["market", "health"]})).await;
        let head_after_c = app.log_head().await;
        let in_c = selection(&app, c).await;
        let (c1, _, market_in_c) = in_c.iter().find(|(_, d, _)| d == "market").unwrap().clone();
        let c2 = in_c.iter().map(|(t, _, _)| t.clone()).find(|t| !team(&in_c, t).contains(&market_in_c.as_str())).unwrap_or_else(|| undrawn(&in_c));
        let joint = [probe("replace another department's pair in a joint task", Method::POST, vec![
            (format!("/api/tasks/{c}/replacements"), reason(&c1, &market_in_c)),
            (format!("/api/tasks/{c}/replacements"), reason(&c2, &market_in_c)),
        ])];
        differences.extend(self::differences(&app, &joint).await);
        assert!(differences.is_empty(), "answers that depend on sealed data:\n{}", differences.join("\n"));
        assert_ne!(head, head_after_c);
        assert_eq!(app.log_head().await, head_after_c, "no refused request was logged");
        let now = expect(app.get(Some(&member_token), &format!("/api/me/results/{a}/{t1}/FOOD-01")).await, StatusCode::OK).await;
        assert_eq!((now["outcome"].as_str(), now["state"].as_str()), (Some("no_problem"), Some("draft")), "nothing changed");
    }

    async fn a_department_that_takes_no_part_sees_nothing_of_a_sealed_task(app) {
        app.seed_directory().await;
        // A market task that names a health item although health takes no
        // part in it (data an earlier version let in), and a joint task in
        // which health draws its own inspectors.
        let market_only = sealed_task(&app, json!({})).await;
        add_item_behind_the_service(&app, market_only, "HEALTH-01").await;
        let joint = sealed_task(&app, json!({"items": ["FOOD-01", "HEALTH-01"], "departments": ["market", "health"]})).await;
        let mut results = Vec::new();
        for task in [market_only, joint] {
            let drawn = selection(&app, task).await;
            let (target, _, inspector) = drawn.iter().find(|(_, d, _)| d == "market").unwrap().clone();
            let token = account_of(&app, &format!("member-{task}"), &inspector).await;
            let path = format!("/api/me/results/{task}/{target}/HEALTH-01");
            let saved = expect(app.put_json(Some(&token), &path, &json!({"outcome": "rectify", "notes": "内部备注"})).await, StatusCode::CREATED).await;
            assert_eq!(saved["department"], "health", "the item's department reviews it");
            results.push((task, target, saved["id"].as_i64().unwrap()));
        }
        let (_, sealed_target, hidden) = results[0].clone();
        let (_, _, reviewed) = results[1].clone();

        let ledger = expect(app.get(Some(&app.health), "/api/ledger").await, StatusCode::OK).await;
        let lines = ledger["lines"].as_array().unwrap();
        assert!(lines.iter().any(|l| l["task"] == joint && l["item"] == "HEALTH-01"), "health follows its items in the joint task: {ledger}");
        assert!(lines.iter().all(|l| l["task"] == joint), "health sees nothing of the market task: {ledger}");
        assert!(ledger["by_task"].as_array().unwrap().iter().all(|s| s["key"].as_str() == Some(joint.to_string().as_str())), "{ledger}");
        // Asked for by number, a task it takes no part in is refused, in
        // the words used for a task that does not exist.
        let filtered = expect(app.get(Some(&app.health), &format!("/api/ledger?task={market_only}")).await, StatusCode::FORBIDDEN).await;
        let missing = expect(app.get(Some(&app.health), "/api/ledger?task=9999").await, StatusCode::FORBIDDEN).await;
        assert_eq!(filtered, missing);
        let csv = app.get(Some(&app.health), "/api/ledger.csv?lang=en").await.text().await.unwrap();
        let rows: Vec<&str> = csv.lines().skip(1).collect();
        assert!(!rows.is_empty() && rows.iter().all(|row| row.starts_with(&format!("{joint},"))), "{csv}");

        let listed = expect(app.get(Some(&app.health), "/api/results").await, StatusCode::OK).await;
        let ids: Vec<i64> = listed.as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![reviewed], "health reviews its item in the joint task only");
        let of_task = expect(app.get(Some(&app.health), &format!("/api/results?task={market_only}")).await, StatusCode::FORBIDDEN).await;
        assert!(!of_task.to_string().contains(&sealed_target), "{of_task}");
        let shown = app.get(Some(&app.health), &format!("/api/results/{hidden}")).await;
        let (status, body) = (shown.status(), shown.text().await.unwrap());
        let absent = app.get(Some(&app.health), &format!("/api/results/{}", hidden + 1000)).await;
        assert_eq!((status, body.clone()), (absent.status(), absent.text().await.unwrap()), "as if it did not exist");
        assert!(!body.contains(&sealed_target), "{body}");
        let approve = app.post_json(Some(&app.health), &format!("/api/results/{hidden}/approve"), &json!({})).await;
        assert_eq!(approve.status(), StatusCode::NOT_FOUND);
        expect(app.get(Some(&app.health), &format!("/api/results/{reviewed}")).await, StatusCode::OK).await;

        // In the joint task, health sees its own inspectors' conflicts and
        // replacements, not market's; market, the lead, sees every team.
        let (_, joint_target, _) = results[1].clone();
        let in_joint = selection(&app, joint).await;
        let (_, _, market_inspector) = in_joint.iter().find(|(t, d, _)| *t == joint_target && d == "market").unwrap().clone();
        let token = account_of(&app, "declarer", &market_inspector).await;
        let declared = json!({"task": joint, "target": joint_target, "reason": "本人亲属在该单位任职"});
        expect(app.post_json(Some(&token), "/api/me/conflicts", &declared).await, StatusCode::CREATED).await;
        let other_target = in_joint.iter().find(|(t, d, _)| *t != joint_target && d == "market").unwrap().clone();
        let replaced = json!({"target": other_target.0, "inspector": other_target.2, "reason": "因病无法参加检查"});
        expect(app.post_json(Some(&app.market), &format!("/api/tasks/{joint}/replacements"), &replaced).await, StatusCode::CREATED).await;
        for (list, market_sees) in [("conflicts", 1), ("replacements", 1)] {
            let path = format!("/api/tasks/{joint}/{list}");
            let seen = expect(app.get(Some(&app.market), &path).await, StatusCode::OK).await;
            assert_eq!(seen.as_array().unwrap().len(), market_sees, "{list}: {seen}");
            let seen = expect(app.get(Some(&app.health), &path).await, StatusCode::OK).await;
            assert_eq!(seen, json!([]), "{list}: {seen}");
        }

        // The lead department follows its own items in both tasks.
        let market = expect(app.get(Some(&app.market), "/api/ledger").await, StatusCode::OK).await;
        for task in [market_only, joint] {
            assert!(market["lines"].as_array().unwrap().iter().any(|l| l["task"] == task && l["item"] == "FOOD-01"), "{market}");
        }
        assert!(market["lines"].as_array().unwrap().iter().all(|l| l["item"] == "FOOD-01"), "{market}");
    }
}
