//! What the public sees: nothing sealed before the reveal, on any public
//! endpoint; everything needed to check a draw after it; where an entity
//! was; the OpenAPI document.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;

/// Every public endpoint for a task, with the text of its answer.
async fn every_public_answer(app: &TestApp, task: i64, entity: &str) -> Vec<(String, StatusCode, String)> {
    let mut paths = vec![
        "/api/public/tasks".to_owned(),
        format!("/api/public/tasks/{task}"),
        format!("/api/public/tasks/{task}/selection"),
        format!("/api/public/tasks/{task}/bundle.tar"),
        "/api/public/log?after=0&limit=1000".to_owned(),
        "/api/public/log/head".to_owned(),
        format!("/api/public/entities/{entity}"),
        format!("/api/public/tasks/{task}/replacements"),
        format!("/api/public/results?task={task}"),
        format!("/api/public/results.csv?target={entity}"),
        "/api/public/statistics".to_owned(),
        format!("/api/public/entities?q={entity}"),
        format!("/api/public/entities?q={}", &entity[..2]),
        format!("/api/public/statistics?year={}", app.clock.today().format("%Y")),
    ];
    for name in [
        "parameters.tsv",
        "targets.tsv",
        "inspectors.tsv",
        "recusals.tsv",
        "commitment.tsv",
        "reveal.tsv",
        "result.tsv",
    ] {
        paths.push(format!("/api/public/tasks/{task}/files/{name}"));
    }
    let mut out = Vec::new();
    for path in paths {
        let response = app.get(None, &path).await;
        let status = response.status();
        out.push((path, status, String::from_utf8_lossy(&response.bytes().await.unwrap()).into_owned()));
    }
    out
}

on_both_backends! {
    async fn nothing_sealed_appears_in_any_public_answer_before_the_reveal(app) {
        app.seed_directory().await;
        let task = app.drawn_task().await;
        let row = opendraw::storage::tasks::get(app.service.store().pool(), task).await.unwrap().unwrap();
        let secret = row.secret.clone().unwrap();
        let seed = row.seed.clone().unwrap();
        let selection = opendraw::storage::tasks::selection(app.service.store().pool(), task).await.unwrap();
        let drawn = selection[0].target.clone();
        let inspector = selection[0].inspector.clone().unwrap();
        for (path, status, body) in every_public_answer(&app, task, &drawn).await {
            assert!(!body.contains(&secret), "{path} shows the secret");
            assert!(!body.contains(&seed), "{path} shows the seed");
            assert!(!body.contains("drawn_position\":1"), "{path} shows a draw position");
            assert!(!body.contains(&format!("\"target\":\"{drawn}\"")), "{path} names a drawn target");
            if path.ends_with("/selection") || path.ends_with("bundle.tar") || path.ends_with("reveal.tsv") || path.ends_with("result.tsv") || path.ends_with("/replacements") {
                assert_eq!(status, StatusCode::NOT_FOUND, "{path} is sealed: {body}");
                assert!(!body.contains(&inspector), "{path}: {body}");
            }
        }
        let public = expect(app.get(None, &format!("/api/public/tasks/{task}")).await, StatusCode::OK).await;
        assert_eq!(public["state"], "drawn");
        assert!(public["secret"].is_null() && public["seed"].is_null() && public["result_status"].is_null());
        assert!(public["result_digest"].is_string(), "the result's digest is logged and shown at the draw");

        app.act(task, "reveal", json!({}), StatusCode::OK).await;
        let answers = every_public_answer(&app, task, &drawn).await;
        let shown = |suffix: &str| answers.iter().find(|(path, _, _)| path.ends_with(suffix)).unwrap();
        assert!(shown(&format!("/tasks/{task}")).2.contains(&secret), "the secret is published at the reveal");
        let (_, status, selection) = shown("/selection");
        assert_eq!(*status, StatusCode::OK);
        assert!(selection.contains(&drawn) && selection.contains(&inspector));
        assert!(shown(&format!("/entities/{drawn}")).2.contains("\"drawn_position\":1"));
    }

    async fn drafts_are_not_published(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({})).await;
        let answer = expect(app.get(None, &format!("/api/public/tasks/{task}")).await, StatusCode::NOT_FOUND).await;
        assert_eq!(answer["code"], "not_found");
        let files = app.get(None, &format!("/api/public/tasks/{task}/files/targets.tsv")).await;
        assert_eq!(files.status(), StatusCode::NOT_FOUND);
        assert_eq!(expect(app.get(None, "/api/public/tasks").await, StatusCode::OK).await, json!([]));
    }

    async fn an_entity_lookup_names_the_committed_pools_that_held_it(app) {
        app.seed_directory().await;
        let in_pool = app.create_task(json!({"filter": {"regions": ["R1"]}})).await;
        app.act(in_pool, "commit", json!({}), StatusCode::OK).await;
        let elsewhere = app.create_task(json!({"filter": {"regions": ["R2"]}})).await;
        app.act(elsewhere, "commit", json!({}), StatusCode::OK).await;
        // T0001 is in region R2 (1 % 3 = 1), T0003 in R1.
        let view = expect(app.get(None, "/api/public/entities/T0003").await, StatusCode::OK).await;
        let tasks: Vec<i64> = view["pools"].as_array().unwrap().iter().map(|p| p["task"].as_i64().unwrap()).collect();
        assert_eq!(tasks, vec![in_pool]);
        assert_eq!(view["name"], "单位3");
        let nowhere = app.get(None, "/api/public/entities/NOBODY").await;
        assert_eq!(nowhere.status(), StatusCode::NOT_FOUND);

        // The pools are written into the index after their commits.
        app.service.index_pools().await.unwrap();
        let pool = app.service.store().pool();
        let indexed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pool_targets WHERE task_id = $1")
            .bind(in_pool).fetch_one(pool).await.unwrap();
        let task = expect(app.get(None, &format!("/api/public/tasks/{in_pool}")).await, StatusCode::OK).await;
        assert_eq!(json!(indexed), task["pool_size"]);
        // A task whose index is being written (its rows there, not yet its
        // mark), then a task committed before the index existed: both are
        // found in their manifests, once.
        for table in ["pool_targets_indexed", "pool_targets"] {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE task_id = $1")))
                .bind(in_pool).execute(pool).await.unwrap();
            // A service of its own: the server's keeps the answers it built.
            let fresh = opendraw::service::Service::new(app.service.store().clone());
            for (entity, holder) in [("T0006", in_pool), ("T0001", elsewhere)] {
                let view: Value = serde_json::from_slice(&fresh.entity(entity).await.unwrap().body).unwrap();
                let tasks: Vec<i64> = view["pools"].as_array().unwrap().iter().map(|p| p["task"].as_i64().unwrap()).collect();
                assert_eq!(tasks, vec![holder], "{entity} without {table}");
            }
        }
        // Indexing again writes it all back.
        app.service.index_pools().await.unwrap();
        let again: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pool_targets WHERE task_id = $1")
            .bind(in_pool).fetch_one(pool).await.unwrap();
        assert_eq!(again, indexed);
    }

    async fn the_committed_manifest_is_the_one_the_commitment_names(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({})).await;
        app.act(task, "commit", json!({}), StatusCode::OK).await;
        let targets = app.get(None, &format!("/api/public/tasks/{task}/files/targets.tsv")).await.bytes().await.unwrap();
        let commitment = app.get(None, &format!("/api/public/tasks/{task}/files/commitment.tsv")).await.text().await.unwrap();
        let digest = opendraw::protocol::Digest::of_file(&targets).to_hex();
        assert!(commitment.contains(&format!("targets\t{digest}\n")), "{commitment}");
        assert_eq!(String::from_utf8_lossy(&targets).lines().count(), 61, "the header and 60 targets");
    }

    async fn a_joint_inspection_lists_inspectors_as_the_result_does(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({"departments": ["market", "health"], "cross": [], "quota": {"count": 2}})).await;
        app.act(task, "commit", json!({}), StatusCode::OK).await;
        app.pass_entropy_event();
        app.act(task, "draw", json!({"entropy": crate::helpers::DICE}), StatusCode::OK).await;
        app.act(task, "reveal", json!({"release_early": true}), StatusCode::OK).await;
        let result = app.get(None, &format!("/api/public/tasks/{task}/files/result.tsv")).await.text().await.unwrap();
        let selection = expect(app.get(None, &format!("/api/public/tasks/{task}/selection")).await, StatusCode::OK).await;
        for target in selection.as_array().unwrap() {
            let listed: Vec<String> = target["inspectors"].as_array().unwrap().iter()
                .map(|i| format!("{}\t{}", i["department"].as_str().unwrap(), i["id"].as_str().unwrap())).collect();
            let published: Vec<String> = result.lines()
                .filter(|line| line.starts_with(&format!("assign\t{}\t", target["target"].as_str().unwrap())))
                .flat_map(|line| {
                    let fields: Vec<&str> = line.split('\t').collect();
                    fields[3..].iter().map(|id| format!("{}\t{id}", fields[2])).collect::<Vec<_>>()
                })
                .collect();
            assert_eq!(listed, published, "health first, then market, each in draw order");
        }
        let bundle = app.get(None, &format!("/api/public/tasks/{task}/files/bundle.tar")).await;
        assert_eq!(bundle.status(), StatusCode::OK, "the bundle is also one of the task's files");
    }

    async fn the_openapi_document_lists_the_routes(app) {
        let document = expect(app.get(None, "/api/openapi.json").await, StatusCode::OK).await;
        for path in ["/api/tasks/{id}/draw", "/api/public/log", "/api/targets/import", "/api/me/assignments"] {
            assert!(document["paths"][path].is_object(), "{path} is missing from the OpenAPI document");
        }
        assert!(document["components"]["securitySchemes"]["token"].is_object());
    }
}
