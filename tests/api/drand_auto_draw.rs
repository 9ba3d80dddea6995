//! A server with drand relays draws a task committed to a drand round by
//! itself once the round is due: as `system`, with no request, exactly once
//! even with two servers on one database, waiting out relays that are down;
//! and the staff view of the round says what the server will do.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use opendraw::service::Service;
use opendraw::service::drand_relays::DrandRelays;
use opendraw::storage::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, expect};

/// Quicknet round 1000 exactly as its relays serve it.
const ROUND_1000: &str = r#"{"round":1000,"randomness":"fe290beca10872ef2fb164d2aa4442de4566183ec51c56ff3cd603d930e54fdd","signature":"b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39"}"#;
const RANDOMNESS_1000: &str = "fe290beca10872ef2fb164d2aa4442de4566183ec51c56ff3cd603d930e54fdd";
/// How often the test servers look for due rounds.
const LOOK_EVERY: Duration = Duration::from_millis(100);

/// A relay on a local port that answers 503 to its first `down_for`
/// requests, then serves round 1000 of quicknet; its address and the count
/// of requests it had.
async fn relay(down_for: usize) -> (String, Arc<AtomicUsize>) {
    use axum::extract::Path;
    let quicknet = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971";
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&asked);
    let app = axum::Router::new().route(
        "/{chain}/public/{round}",
        axum::routing::get(move |Path((chain, round)): Path<(String, String)>| {
            let counter = Arc::clone(&counter);
            async move {
                if counter.fetch_add(1, Ordering::SeqCst) < down_for {
                    return (axum::http::StatusCode::SERVICE_UNAVAILABLE, String::new());
                }
                if chain == quicknet && round == "1000" {
                    (axum::http::StatusCode::OK, ROUND_1000.to_owned())
                } else {
                    (axum::http::StatusCode::NOT_FOUND, String::new())
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}"), asked)
}

fn drand_task() -> Value {
    json!({"entropy": {"format": "drand", "source": "League of Entropy drand quicknet", "min_length": 64, "margin_seconds": 600}})
}

async fn state(app: &TestApp, task: i64) -> String {
    let view = expect(app.get(Some(&app.market), &format!("/api/tasks/{task}")).await, StatusCode::OK).await;
    view["state"].as_str().unwrap().to_owned()
}

/// The public log's `task.drawn` entries of `task`.
async fn draws_logged(app: &TestApp, task: i64) -> Vec<Value> {
    let page = expect(app.get(None, "/api/public/log?after=0&limit=1000").await, StatusCode::OK).await;
    page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["kind"] == "task.drawn" && entry["task"] == task)
        .cloned()
        .collect()
}

async fn drawn_by_itself(backend: Backend) {
    let (address, asked) = relay(3).await;
    let relays = DrandRelays::new(std::slice::from_ref(&address)).unwrap();
    let app =
        TestApp::spawn_configured(backend, Default::default(), None, |s| s.with_drand_relays(relays)).await;
    app.seed_directory().await;
    let task = app.create_task(drand_task()).await;
    // Committed 600 s and a little before round 1000 (2023-08-23T15:59:24Z).
    app.clock.move_to("2023-08-23T15:49:21.100Z".parse().unwrap());
    app.act(task, "commit", json!({}), StatusCode::OK).await;

    let round =
        expect(app.get(Some(&app.market), &format!("/api/tasks/{task}/drand")).await, StatusCode::OK).await;
    assert_eq!(
        round,
        json!({"chain": "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971", "round": 1000,
               "at": "2023-08-23T15:59:24Z", "fetch_available": true, "auto_draw": true})
    );

    // A second server on the same database, with the same relay.
    let store = Store::open(&app.database_url).await.unwrap();
    let other = Service::with_clock(store, app.clock.clone())
        .with_drand_relays(DrandRelays::new(std::slice::from_ref(&address)).unwrap());
    let loops = [
        tokio::spawn(app.service.clone().run_drand_draws(LOOK_EVERY)),
        tokio::spawn(other.run_drand_draws(LOOK_EVERY)),
    ];

    tokio::time::sleep(LOOK_EVERY * 10).await;
    assert_eq!(state(&app, task).await, "committed", "nothing is drawn before the round's time");
    assert_eq!(asked.load(Ordering::SeqCst), 0, "no relay is asked before the round's time");

    app.clock.advance(Duration::from_secs(610));
    let mut waited = Duration::ZERO;
    while state(&app, task).await != "drawn" {
        assert!(waited < Duration::from_secs(60), "the task was not drawn by itself");
        tokio::time::sleep(LOOK_EVERY).await;
        waited += LOOK_EVERY;
    }
    // Both servers keep looking a while longer: nothing more is drawn.
    tokio::time::sleep(LOOK_EVERY * 10).await;
    for running in loops {
        running.abort();
    }
    assert!(asked.load(Ordering::SeqCst) > 3, "the relay that was down was asked again");
    let logged = draws_logged(&app, task).await;
    assert_eq!(logged.len(), 1, "drawn once: {logged:?}");
    assert_eq!(logged[0]["actor"], "system");
    let payload: Value = serde_json::from_str(logged[0]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["entropy"], RANDOMNESS_1000);
    assert_eq!(payload["drand_round"], 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_drand_task_is_drawn_by_itself_once_across_two_servers_sqlite() {
    drawn_by_itself(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_drand_task_is_drawn_by_itself_once_across_two_servers_postgres() {
    drawn_by_itself(Backend::Postgres).await;
}

async fn round_view(backend: Backend) {
    let relays = DrandRelays::new(&["http://127.0.0.1:9".to_owned()]).unwrap().drawing_automatically(false);
    let app =
        TestApp::spawn_configured(backend, Default::default(), None, |s| s.with_drand_relays(relays)).await;
    app.seed_directory().await;
    let task = app.create_task(drand_task()).await;
    let path = format!("/api/tasks/{task}/drand");
    let draft = expect(app.get(Some(&app.market), &path).await, StatusCode::CONFLICT).await;
    assert_eq!(draft["code"], "invalid_state");
    expect(app.get(Some(&app.health), &path).await, StatusCode::FORBIDDEN).await;
    expect(app.get(None, &path).await, StatusCode::UNAUTHORIZED).await;
    app.act(task, "commit", json!({}), StatusCode::OK).await;
    let round = expect(app.get(Some(&app.market), &path).await, StatusCode::OK).await;
    assert_eq!((round["fetch_available"].as_bool(), round["auto_draw"].as_bool()), (Some(true), Some(false)));

    // A due task whose only relay is down stays committed.
    app.clock.advance(Duration::from_secs(3600));
    let mut waits = opendraw::service::drand_draws::RetryWaits::new(LOOK_EVERY);
    assert_eq!(app.service.draw_due_drand_tasks(&mut waits).await.unwrap(), Vec::<i64>::new());
    assert_eq!(state(&app, task).await, "committed", "a relay that is down draws nothing");

    let ceremony = app.create_task(json!({})).await;
    app.act(ceremony, "commit", json!({}), StatusCode::OK).await;
    let other = expect(
        app.get(Some(&app.market), &format!("/api/tasks/{ceremony}/drand")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(other["code"], "drand_not_committed");

    let plain = TestApp::spawn(backend).await;
    plain.seed_directory().await;
    let task = plain.create_task(drand_task()).await;
    plain.act(task, "commit", json!({}), StatusCode::OK).await;
    let round =
        expect(plain.get(Some(&plain.market), &format!("/api/tasks/{task}/drand")).await, StatusCode::OK)
            .await;
    assert_eq!(
        (round["fetch_available"].as_bool(), round["auto_draw"].as_bool()),
        (Some(false), Some(false))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drand_round_view_says_what_the_server_can_do_sqlite() {
    round_view(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drand_round_view_says_what_the_server_can_do_postgres() {
    round_view(Backend::Postgres).await;
}
