//! Acting once under concurrency, and across servers: requests that share
//! an Idempotency-Key act once and all get the first answer, however many
//! arrive together and on whichever server; and a public view served from
//! one server's memory follows what another server wrote.

use opendraw::service::Service;
use opendraw::storage::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{DICE, TestApp, default_definition, expect};
use crate::inspections::{enter, review, target_of, task_with_assignments};
use crate::on_both_backends;

const PARALLEL: usize = 20;

/// A second server on the test's database: its own connections, its own
/// memory, nothing shared with the first but the database.
async fn second_server(app: &TestApp) -> String {
    let store = Store::open(&app.database_url).await.unwrap();
    let service = Service::with_clock(store, app.clock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let router = opendraw::http::router(service, None);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    address
}

/// Sends POSTs with one key from `PARALLEL` clients at once, the bodies
/// taken in turn, spread over `servers`; returns each answer's status and
/// body, in the order of `bodies` taken in turn.
async fn post_together(
    app: &TestApp,
    servers: &[String],
    path: &str,
    key: &str,
    bodies: &[Value],
) -> Vec<(StatusCode, String)> {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(PARALLEL));
    let requests: Vec<_> = (0..PARALLEL)
        .map(|index| {
            let request = app
                .client
                .post(format!("{}{path}", servers[index / bodies.len() % servers.len()]))
                .bearer_auth(&app.market)
                .header("Idempotency-Key", key)
                .json(&bodies[index % bodies.len()]);
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                let response = request.send().await.unwrap();
                (response.status(), response.text().await.unwrap())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for request in requests {
        answers.push(request.await.unwrap());
    }
    answers
}

/// Every answer is the one first given (same status, same body) or a 409
/// `in_progress`; returns the first answer's body.
fn one_answer(answers: &[(StatusCode, String)], status: StatusCode) -> Value {
    let first =
        answers.iter().find(|(s, _)| *s == status).unwrap_or_else(|| panic!("no {status}: {answers:?}"));
    for answer in answers {
        if answer.0 == StatusCode::CONFLICT {
            let body: Value = serde_json::from_str(&answer.1).unwrap();
            assert_eq!(body["code"], "in_progress", "{}", answer.1);
        } else {
            assert_eq!(answer, first, "every answer is the first one");
        }
    }
    serde_json::from_str(&first.1).unwrap()
}

/// How many entries of this kind the public log holds.
async fn logged(app: &TestApp, kind: &str) -> usize {
    let page = expect(app.get(None, "/api/public/log?after=0&limit=1000").await, StatusCode::OK).await;
    page["entries"].as_array().unwrap().iter().filter(|entry| entry["kind"] == kind).count()
}

async fn task_count(app: &TestApp) -> usize {
    expect(app.get(Some(&app.market), "/api/tasks").await, StatusCode::OK).await.as_array().unwrap().len()
}

on_both_backends! {
    async fn parallel_creates_with_one_key_make_one_task(app) {
        app.seed_directory().await;
        let servers = [app.address.clone()];
        // One body for both rounds: a definition made later names a later
        // entropy event, and is another request.
        let definition = [default_definition()];
        let answers = post_together(&app, &servers, "/api/tasks", "create-1", &definition).await;
        let created = one_answer(&answers, StatusCode::CREATED);
        assert_eq!(task_count(&app).await, 1, "one task for one key");
        assert_eq!(logged(&app, "task.created").await, 1, "one task.created entry");
        let again = post_together(&app, &servers, "/api/tasks", "create-1", &definition).await;
        assert_eq!(one_answer(&again, StatusCode::CREATED), created, "a later retry gets the same answer");
        assert_eq!(task_count(&app).await, 1);
    }

    async fn parallel_commits_and_draws_with_one_key_act_once(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({})).await;
        let servers = [app.address.clone()];
        let commit = format!("/api/tasks/{task}/commit");
        let answers = post_together(&app, &servers, &commit, "commit-1", &[json!({})]).await;
        assert_eq!(one_answer(&answers, StatusCode::OK)["state"], "committed");
        assert_eq!(logged(&app, "task.committed").await, 1, "one commitment");
        app.pass_entropy_event();
        let draw = format!("/api/tasks/{task}/draw");
        let answers = post_together(&app, &servers, &draw, "draw-1", &[json!({"entropy": DICE})]).await;
        assert_eq!(one_answer(&answers, StatusCode::OK)["state"], "drawn");
        assert_eq!(logged(&app, "task.drawn").await, 1, "one draw");
    }

    async fn one_key_across_two_servers_acts_once(app) {
        app.seed_directory().await;
        let servers = [app.address.clone(), second_server(&app).await];
        let answers = post_together(&app, &servers, "/api/tasks", "create-1", &[default_definition()]).await;
        let created = one_answer(&answers, StatusCode::CREATED);
        assert_eq!(task_count(&app).await, 1, "one task for one key on two servers");
        assert_eq!(logged(&app, "task.created").await, 1);
        let task = created["id"].as_i64().unwrap();
        let commit = format!("/api/tasks/{task}/commit");
        let answers = post_together(&app, &servers, &commit, "commit-1", &[json!({})]).await;
        one_answer(&answers, StatusCode::OK);
        assert_eq!(logged(&app, "task.committed").await, 1, "one commitment on two servers");
    }

    async fn one_key_for_two_requests_at_once_acts_for_one_and_refuses_the_other(app) {
        app.seed_directory().await;
        let mut other = default_definition();
        other["name"] = json!("Another inspection");
        let servers = [app.address.clone()];
        let answers = post_together(&app, &servers, "/api/tasks", "create-1", &[default_definition(), other]).await;
        assert_eq!(task_count(&app).await, 1, "one task for one key");
        let winner = answers.iter().position(|(status, _)| *status == StatusCode::CREATED).expect("one acted");
        let (won, lost): (Vec<_>, Vec<_>) = answers.iter().enumerate().partition(|(index, _)| index % 2 == winner % 2);
        one_answer(&won.into_iter().map(|(_, answer)| answer.clone()).collect::<Vec<_>>(), StatusCode::CREATED);
        for (_, (status, body)) in lost {
            let code = serde_json::from_str::<Value>(body).unwrap()["code"].clone();
            assert!(
                (*status, code.as_str()) == (StatusCode::UNPROCESSABLE_ENTITY, Some("idempotency_key_reused"))
                    || (*status, code.as_str()) == (StatusCode::CONFLICT, Some("in_progress")),
                "{status} {body}"
            );
        }
    }
}

on_both_backends! {
    async fn a_result_published_through_one_server_shows_on_the_other_at_once(app) {
        let task = task_with_assignments(&app, true).await;
        let target = target_of(&app, &app.inspector_a, task, "").await;
        let entered = enter(&app, &app.inspector_a, task, &target, "rectify").await;
        review(&app, &entered["id"], "approve", json!({}), StatusCode::OK).await;
        let path = format!("/api/public/tasks/{task}");
        let before = expect(app.get(None, &path).await, StatusCode::OK).await;
        assert_eq!(before["results_published"], 0);
        // Read twice: the second answer comes from the first server's memory.
        assert_eq!(expect(app.get(None, &path).await, StatusCode::OK).await, before);

        let other = second_server(&app).await;
        let publish = app.client.post(format!("{other}/api/results/{}/publish", entered["id"]))
            .bearer_auth(&app.market).json(&json!({})).send().await.unwrap();
        expect(publish, StatusCode::OK).await;

        let after = expect(app.get(None, &path).await, StatusCode::OK).await;
        assert_eq!(after["results_published"], 1, "the first server sees the result published by the second");
        let kinds: Vec<&str> = after["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds.last(), Some(&"result.published"), "{kinds:?}");
    }
}
