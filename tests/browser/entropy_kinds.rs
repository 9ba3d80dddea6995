//! The public task page says which kind of randomness a draw used and what
//! it proves: a drand round fixed at the commitment (its number and time),
//! or a value typed in at a public ceremony, which relies on witnesses.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use super::browser_support::Browser;

const LOADED: Duration = Duration::from_secs(20);
/// Quicknet round 1000 exactly as its relays serve it.
const ROUND_1000: &str = r#"{"round":1000,"randomness":"fe290beca10872ef2fb164d2aa4442de4566183ec51c56ff3cd603d930e54fdd","signature":"b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39"}"#;

async fn no_violations(browser: &Browser, what: &str) {
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "{what}: {violations:#?}");
}

/// The demo site, moved to August 2023 after the demo is loaded, with one more task drawn with
/// quicknet's round 1000 and revealed; its address, the task, and the
/// directory its database lives in.
async fn site_with_a_drand_task() -> (String, i64, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = opendraw::storage::Store::open(&format!("sqlite:{}", dir.path().join("site.db").display()))
        .await
        .unwrap();
    let clock = opendraw::service::Clock::fixed(opendraw::domain::calendar::today());
    let service = opendraw::service::Service::with_clock(store, clock.clone());
    assert!(opendraw::demo::load_if_empty(&service).await.unwrap());
    let token = service
        .add_user(None, "drand-supervisor", opendraw::domain::account::Role::Supervisor, Some("market"), None)
        .await
        .unwrap()
        .token;
    let public = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public");
    let app = opendraw::http::router(service.clone(), Some(public));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let client = reqwest::Client::new();
    let call = async |method: Method, path: String, body: Value| -> Value {
        let response = client
            .request(method, format!("{address}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.unwrap()
    };
    let definition = json!({
        "name": "信标抽取", "items": ["FOOD-02"], "quota": {"ratio": "10%"}, "certificate_date": "2023-09-01",
        "entropy": {"format": "drand", "source": "League of Entropy drand quicknet", "min_length": 64, "margin_seconds": 600}
    });
    let task = call(Method::POST, "/api/tasks".into(), definition).await["id"].as_i64().unwrap();
    // Committed 600 s and a little before round 1000 (2023-08-23T15:59:24Z).
    clock.move_to("2023-08-23T15:49:21.100Z".parse().unwrap());
    call(Method::POST, format!("/api/tasks/{task}/commit"), json!({})).await;
    clock.advance(Duration::from_secs(610));
    let round: Value = serde_json::from_str(ROUND_1000).unwrap();
    call(Method::POST, format!("/api/tasks/{task}/draw"), json!({"drand": round})).await;
    call(Method::POST, format!("/api/tasks/{task}/reveal"), json!({"release_early": true})).await;
    (address, task, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_task_page_says_which_randomness_a_draw_used_and_what_it_proves() {
    let (address, task, _dir) = site_with_a_drand_task().await;
    let browser = Browser::start("en-US").await;
    browser.open(&format!("{address}/task.html?id={task}")).await;
    browser.attribute_becomes("#entropy-kind", "data-kind", "drand", LOADED).await;
    let said = browser.text("#entropy-kind").await;
    for words in
        ["round 1000", "League of Entropy", "2023-08-23 15:59:24 UTC", "the operator included", "signature"]
    {
        assert!(said.contains(words), "{words:?} in {said:?}");
    }
    no_violations(&browser, "a drand task's page").await;
    browser.element("#lang-switch").await.click().await.unwrap();
    browser.attribute_becomes("html", "lang", "zh-CN", LOADED).await;
    let said = browser.text("#entropy-kind").await;
    assert!(said.contains("第 1000 轮") && said.contains("包括运营方"), "{said}");
    browser.resize(390, 844).await;
    no_violations(&browser, "a drand task's page on a phone, in Chinese").await;
    browser.screenshot("task-entropy-drand-phone-zh").await;

    // The demo's revealed task took its randomness from a ceremony.
    browser.resize(1280, 1000).await;
    browser.open(&format!("{address}/task.html?id=1")).await;
    browser.attribute_becomes("#entropy-kind", "data-kind", "ceremony", LOADED).await;
    let said = browser.text("#entropy-kind").await;
    assert!(said.contains("见证"), "{said}");
    browser.element("#lang-switch").await.click().await.unwrap();
    browser.attribute_becomes("html", "lang", "en", LOADED).await;
    let said = browser.text("#entropy-kind").await;
    assert!(said.contains("typed in by a person") && said.contains("witnessed"), "{said}");
    no_violations(&browser, "a ceremony task's page").await;
    browser.close().await;
}
