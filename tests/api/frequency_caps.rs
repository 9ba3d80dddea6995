//! Frequency caps (PROTOCOL.md §17): a target drawn for a capped item as
//! often as the cap allows in a year is left out of the department's later
//! pools for that item in that year; the cap is in the committed
//! parameters, and a citizen can check it from the published files.

use chrono::{Datelike, NaiveDate};
use opendraw::domain::task_definition::TaskDefinition;
use opendraw::protocol::caps::{EarlierDraw, breaches};
use opendraw::protocol::manifest::TargetManifest;
use opendraw::protocol::result::DrawResult;
use opendraw::protocol::verify::{Pins, verify};
use opendraw::protocol::{Digest, Parameters};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{DICE, TestApp, expect};
use crate::on_both_backends;

async fn set_cap(app: &TestApp, token: &str, code: &str, cap: Value) -> reqwest::Response {
    app.put_json(Some(token), &format!("/api/items/{code}/frequency-cap"), &json!({"frequency_cap": cap}))
        .await
}

async fn file(app: &TestApp, task: i64, name: &str) -> String {
    let response = app.get(None, &format!("/api/public/tasks/{task}/files/{name}")).await;
    assert_eq!(response.status(), StatusCode::OK, "{name} of task {task}");
    response.text().await.unwrap()
}

/// The target ids of a published manifest.
async fn pool(app: &TestApp, task: i64) -> Vec<String> {
    let manifest = file(app, task, "targets.tsv").await;
    manifest.lines().skip(1).map(|line| line.split('\t').next().unwrap().to_owned()).collect()
}

/// The targets a revealed task drew, from its published result.
async fn drawn(app: &TestApp, task: i64) -> Vec<String> {
    let result = file(app, task, "result.tsv").await;
    result
        .lines()
        .filter(|line| line.starts_with("target\t"))
        .map(|line| line.split('\t').nth(3).unwrap().to_owned())
        .collect()
}

/// A task for `item` drawing five targets in each of the three regions.
async fn task_for(app: &TestApp, item: &str) -> i64 {
    app.create_task(json!({"items": [item], "quota": {"count": 5}})).await
}

async fn revealed_task_for(app: &TestApp, item: &str) -> i64 {
    let task = task_for(app, item).await;
    app.act(task, "commit", json!({}), StatusCode::OK).await;
    app.pass_entropy_event();
    app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
    app.act(task, "reveal", json!({}), StatusCode::OK).await;
    task
}

async fn items(app: &TestApp) -> Value {
    expect(app.get(Some(&app.market), "/api/items").await, StatusCode::OK).await
}

async fn bundle(app: &TestApp, task: i64) -> opendraw::protocol::verify::BundleFiles {
    let response = app.get(None, &format!("/api/public/tasks/{task}/bundle.tar")).await;
    assert_eq!(response.status(), StatusCode::OK);
    opendraw::files::bundle::from_tar("bundle.tar", &response.bytes().await.unwrap()).unwrap()
}

on_both_backends! {
    async fn a_target_drawn_once_under_a_cap_of_one_leaves_the_pools_of_the_item_for_the_year(app) {
        app.seed_directory().await;
        let set = expect(set_cap(&app, &app.market, "FOOD-01", json!(1)).await, StatusCode::OK).await;
        assert_eq!(set, json!({"code": "FOOD-01", "frequency_cap": 1}));
        let first = revealed_task_for(&app, "FOOD-01").await;
        let chosen = drawn(&app, first).await;
        assert_eq!(chosen.len(), 15);

        // The next FOOD-01 task of the year: the drawn targets are not in its pool.
        let second = task_for(&app, "FOOD-01").await;
        let committed = app.act(second, "commit", json!({}), StatusCode::OK).await;
        assert_eq!(committed["pool_size"], 45, "60 targets, 15 drawn once already");
        let second_pool = pool(&app, second).await;
        assert!(chosen.iter().all(|id| !second_pool.contains(id)), "a capped target is in the pool");
        let year = app.service.today().year();
        let parameters = file(&app, second, "parameters.tsv").await;
        assert!(parameters.ends_with(&format!("frequency-cap\tFOOD-01\t1\t{year}\n")), "{parameters}");

        // Another item: its pool is the whole directory, its parameters have no cap.
        let other = task_for(&app, "DRUG-01").await;
        let committed = app.act(other, "commit", json!({}), StatusCode::OK).await;
        assert_eq!(committed["pool_size"], 60);
        assert!(!file(&app, other, "parameters.tsv").await.contains("frequency-cap"));

        // The next year counts afresh.
        app.clock.set(NaiveDate::from_ymd_opt(year + 1, 1, 15).unwrap());
        let next_year = task_for(&app, "FOOD-01").await;
        let committed = app.act(next_year, "commit", json!({}), StatusCode::OK).await;
        assert_eq!(committed["pool_size"], 60);
        let next_pool = pool(&app, next_year).await;
        assert!(chosen.iter().all(|id| next_pool.contains(id)), "last year's draws still count");
        let parameters = file(&app, next_year, "parameters.tsv").await;
        assert!(parameters.ends_with(&format!("frequency-cap\tFOOD-01\t1\t{}\n", year + 1)), "{parameters}");
    }

    async fn the_cap_is_committed_and_checkable_from_the_published_files(app) {
        app.seed_directory().await;
        expect(set_cap(&app, &app.market, "FOOD-01", json!(1)).await, StatusCode::OK).await;
        let first = revealed_task_for(&app, "FOOD-01").await;
        let second = revealed_task_for(&app, "FOOD-01").await;

        // The commitment covers the parameters with their cap, and verifies.
        let public = expect(app.get(None, &format!("/api/public/tasks/{second}")).await, StatusCode::OK).await;
        let files = bundle(&app, second).await;
        assert!(String::from_utf8_lossy(&files.parameters).contains("frequency-cap\tFOOD-01\t1\t"));
        let pins = Pins {
            commitment: Some(Digest::parse_hex(public["commitment_digest"].as_str().unwrap()).unwrap()),
            result: Some(Digest::parse_hex(public["result_digest"].as_str().unwrap()).unwrap()),
            replacements: Some(vec![]),
            committed_at: None,
        };
        let report = verify(&files, &pins);
        assert!(report.passed(), "{:?}", report.first_failure());
        assert!(report.checks.iter().any(|c| c.kind.as_str() == "frequency-cap" && c.subject == "FOOD-01" && c.passed));

        // From the two bundles alone: the second pool breaches no cap...
        let earlier = bundle(&app, first).await;
        let draw = |files: &opendraw::protocol::verify::BundleFiles| EarlierDraw {
            parameters: Parameters::parse(&files.parameters).unwrap(),
            result: DrawResult::parse(&files.result).unwrap(),
        };
        let parameters = Parameters::parse(&files.parameters).unwrap();
        let targets = TargetManifest::parse(files.targets.clone()).unwrap();
        assert_eq!(breaches(&parameters, &targets, &[draw(&earlier)]), vec![]);
        // ...while the first task's pool, held against the cap, would have.
        let first_targets = TargetManifest::parse(earlier.targets.clone()).unwrap();
        let found = breaches(&parameters, &first_targets, &[draw(&earlier)]);
        assert_eq!(found.len(), 15, "{found:?}");

        // The command line does the same with the downloaded bundles.
        let dir = tempfile::tempdir().unwrap();
        for (task, name) in [(first, "first.tar"), (second, "second.tar")] {
            let bytes = app.get(None, &format!("/api/public/tasks/{task}/bundle.tar")).await.bytes().await.unwrap();
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let run = |task: &str, earlier: &str| {
            std::process::Command::new(env!("CARGO_BIN_EXE_opendraw"))
                .args(["caps", dir.path().join(task).to_str().unwrap(), dir.path().join(earlier).to_str().unwrap()])
                .output()
                .unwrap()
        };
        let output = run("second.tar", "first.tar");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{text}");
        assert!(text.contains("PASSED") && text.contains("counted over 1 of the 1"), "{text}");
        // The task's own draw does not count against it; a pool holding
        // targets that the bundles given had drawn fails.
        let output = run("second.tar", "second.tar");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
        let output = run("first.tar", "second.tar");
        let text = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{text}");
        assert!(text.contains("FAILED: 15 target(s)"), "{text}");
    }

    async fn a_task_without_caps_commits_the_parameters_it_always_did(app) {
        app.seed_directory().await;
        // A cap on another item of the task's department changes nothing here.
        expect(set_cap(&app, &app.market, "DRUG-01", json!(2)).await, StatusCode::OK).await;
        let task = task_for(&app, "FOOD-01").await;
        app.act(task, "commit", json!({}), StatusCode::OK).await;
        let view = expect(app.get(Some(&app.market), &format!("/api/tasks/{task}")).await, StatusCode::OK).await;
        let definition: TaskDefinition = serde_json::from_value(view["definition"].clone()).unwrap();
        let before_caps = definition.parameters(task, "market").unwrap().to_text();
        assert_eq!(file(&app, task, "parameters.tsv").await.as_bytes(), before_caps.as_slice());
    }

    async fn sealed_and_abandoned_draws_do_not_count(app) {
        app.seed_directory().await;
        expect(set_cap(&app, &app.market, "FOOD-01", json!(1)).await, StatusCode::OK).await;
        // Drawn and sealed: a later pool published now must not give it away.
        let sealed = task_for(&app, "FOOD-01").await;
        app.act(sealed, "commit", json!({}), StatusCode::OK).await;
        app.pass_entropy_event();
        app.act(sealed, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        let later = task_for(&app, "FOOD-01").await;
        let committed = app.act(later, "commit", json!({}), StatusCode::OK).await;
        assert_eq!(committed["pool_size"], 60, "a sealed draw shaped a published pool");

        // Abandoned after its draw: it inspects nobody, so it does not count.
        app.act(sealed, "abandon", json!({"reason": "the meeting was cancelled"}), StatusCode::OK).await;
        let discarded = drawn(&app, sealed).await;
        assert_eq!(discarded.len(), 15, "the abandoned draw is published");
        let after = task_for(&app, "FOOD-01").await;
        let committed = app.act(after, "commit", json!({}), StatusCode::OK).await;
        assert_eq!(committed["pool_size"], 60);
    }

    async fn bad_caps_are_refused_and_change_nothing(app) {
        app.seed_directory().await;
        expect(set_cap(&app, &app.market, "FOOD-01", json!(3)).await, StatusCode::OK).await;
        let before = items(&app).await;
        for bad in [json!(0), json!(251), json!(-1), json!(4294967297_i64)] {
            let error = expect(set_cap(&app, &app.market, "FOOD-01", bad.clone()).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!((error["code"].as_str(), error["field"].as_str()), (Some("invalid_frequency_cap"), Some("frequency_cap")), "{bad}: {error}");
        }
        for bad in ["0", "x", "1.5", "251"] {
            let csv = format!("code,name,department,frequency_cap\nFOOD-01,食品经营检查,market,{bad}\n");
            let error = expect(app.post_csv(&app.market, "/api/items/import", &csv).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(error["code"], "invalid_csv", "{bad}: {error}");
            assert!(error.to_string().contains("frequency_cap"), "{bad}: {error}");
        }
        let empty = app.put_json(Some(&app.market), "/api/items/FOOD-01/frequency-cap", &json!({})).await;
        let error = expect(empty, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(error["message"].as_str().unwrap().contains("frequency_cap"), "{error}");
        let missing = expect(set_cap(&app, &app.market, "NO-SUCH", json!(1)).await, StatusCode::NOT_FOUND).await;
        assert!(missing["message"].as_str().unwrap().contains("NO-SUCH"), "{missing}");
        assert_eq!(items(&app).await, before);

        // The import sets a cap, and clears it when the cell is empty.
        let csv = "code,name,department,frequency_cap\nFOOD-01,食品经营检查,market,2\nDRUG-01,药品经营检查,market,\n";
        expect(app.post_csv(&app.market, "/api/items/import", csv).await, StatusCode::OK).await;
        let caps: Vec<(Value, Value)> = items(&app).await.as_array().unwrap().iter().map(|i| (i["code"].clone(), i["frequency_cap"].clone())).collect();
        assert!(caps.contains(&(json!("FOOD-01"), json!(2))) && caps.contains(&(json!("DRUG-01"), Value::Null)), "{caps:?}");
        expect(set_cap(&app, &app.market, "FOOD-01", Value::Null).await, StatusCode::OK).await;
        let food = items(&app).await.as_array().unwrap().iter().find(|i| i["code"] == "FOOD-01").unwrap().clone();
        assert_eq!(food["frequency_cap"], Value::Null);
    }

    async fn another_department_cannot_cap_an_item_it_does_not_keep(app) {
        app.seed_directory().await;
        let before = items(&app).await;
        let error = expect(set_cap(&app, &app.health, "FOOD-01", json!(1)).await, StatusCode::FORBIDDEN).await;
        assert!(error["message"].as_str().unwrap().contains("kept by market"), "{error}");
        expect(set_cap(&app, &app.inspector_a, "FOOD-01", json!(1)).await, StatusCode::FORBIDDEN).await;
        let csv = "code,name,department,frequency_cap\nFOOD-01,食品经营检查,market,1\n";
        expect(app.post_csv(&app.health, "/api/items/import", csv).await, StatusCode::FORBIDDEN).await;
        assert_eq!(items(&app).await, before);
        expect(set_cap(&app, &app.health, "HEALTH-01", json!(1)).await, StatusCode::OK).await;
    }
}
