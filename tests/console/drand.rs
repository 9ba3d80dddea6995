//! A task whose randomness is a drand round, in the console: the form
//! offers the beacon with its margin; the committed task shows its round,
//! the round's time in Beijing and in UTC and a countdown; once due, it is
//! drawn by fetching the round or by pasting the round's JSON, which the
//! page reads first and names what is wrong with, in both languages. The
//! dashboard offers a task whose round has come, and the printable notice
//! names the round.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::json;

use crate::browser_support::Browser;
use crate::staff_api::send_as;
use crate::support::{
    MARKET, Server, check_page, click, heading_is, sign_in, task_id_of_page, text_contains, type_into,
};

const QUICKNET: &str = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971";
/// Quicknet round 1000 exactly as its relays serve it.
const ROUND_1000: &str = r#"{"round":1000,"randomness":"fe290beca10872ef2fb164d2aa4442de4566183ec51c56ff3cd603d930e54fdd","signature":"b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39"}"#;
/// Quicknet round 123: genuine, not the committed one.
const ROUND_123: &str = r#"{"round":123,"randomness":"0000000000000000000000000000000000000000000000000000000000000000","signature":"b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92"}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_plans_a_drand_task_and_sees_its_round_counted_down() {
    let server = Server::start().await;
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;
    // The dashboard has drawn all it shows before the next page is opened.
    browser.element("#awaiting-entropy").await;
    browser.open(&server.page("/tasks/new")).await;
    heading_is(&browser, "New inspection task").await;
    type_into(&browser, "#task-name", "2026年12月食品销售者双随机抽查（信标）").await;
    click(&browser, "input[name=items][value='FOOD-02']").await;
    type_into(&browser, "#quota-value", "10").await;
    type_into(&browser, "#certificate-date", "2026-12-20").await;
    // The ceremony's fields give way to the beacon's margin, 10 minutes at first.
    assert!(browser.element("#drand-fields").await.attr("hidden").await.unwrap().is_some());
    click(&browser, "#entropy-kind-1").await;
    assert!(browser.element("#ceremony-fields").await.attr("hidden").await.unwrap().is_some());
    assert_eq!(browser.element("#drand-margin").await.prop("value").await.unwrap().as_deref(), Some("10"));
    check_page(&browser, "task-form-drand", "#drand-margin").await;
    type_into(&browser, "#drand-margin", "0").await;
    click(&browser, "#save-task").await;
    text_contains(&browser, "#drand-margin-error", "whole minutes").await;
    type_into(&browser, "#drand-margin", "10").await;
    click(&browser, "#save-task").await;
    browser.attribute_becomes("#confirmation", "data-done", "created", Duration::from_secs(20)).await;
    let id = task_id_of_page(&browser).await;
    text_contains(&browser, "#check-answers", "The drand beacon").await;
    text_contains(&browser, "#check-answers", "10 minutes after the commitment").await;

    click(&browser, "#commit-confirm").await;
    click(&browser, "#commit-button").await;
    browser.attribute_becomes("#confirmation", "data-done", "committed", Duration::from_secs(20)).await;
    let (status, round) =
        send_as(&server, MARKET, Method::GET, &format!("/api/tasks/{id}/drand"), json!(null)).await;
    assert_eq!(status, 200);
    let number = round["round"].as_u64().unwrap();
    text_contains(&browser, "#drand-round-number", &number.to_string()).await;
    let at: DateTime<Utc> = round["at"].as_str().unwrap().parse().unwrap();
    let beijing = at.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    text_contains(&browser, "#drand-time", &beijing.format("%Y-%m-%d %H:%M:%S").to_string()).await;
    text_contains(&browser, "#drand-time-utc", &format!("{} UTC", at.format("%Y-%m-%d %H:%M:%S"))).await;
    let countdown = text_contains(&browser, "#drand-countdown", "due in").await;
    assert!(countdown.contains(" min"), "about ten minutes to go: {countdown}");
    // Before the round, nothing offers to draw.
    assert_eq!(browser.count("#drand-fetch-form, #drand-paste-form, #draw-form").await, 0);
    check_page(&browser, "task-drand-waiting", "#drand-countdown").await;
    click(&browser, "#lang-switch").await;
    text_contains(&browser, "#drand-countdown", "后到时").await;
    browser.close().await;
}

/// A relay on a local port serving quicknet's round 1000 and nothing else.
async fn relay() -> String {
    use axum::extract::Path;
    let app = axum::Router::new().route(
        "/{chain}/public/{round}",
        axum::routing::get(|Path((chain, round)): Path<(String, String)>| async move {
            if chain == QUICKNET && round == "1000" {
                (axum::http::StatusCode::OK, ROUND_1000.to_owned())
            } else {
                (axum::http::StatusCode::NOT_FOUND, String::new())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_drand_round_is_fetched_or_pasted_and_a_wrong_paste_is_named() {
    // The demo is loaded today; then the server moves to August 2023, when
    // quicknet's round 1000 came, and the browser, in the present, sees
    // that round long due.
    let clock = opendraw::service::Clock::fixed(opendraw::domain::calendar::today());
    let relays = opendraw::service::drand_relays::DrandRelays::new(&[relay().await]).unwrap();
    let server = Server::start_configured(clock.clone(), |service| service.with_drand_relays(relays)).await;
    let definition = json!({
        "name": "信标抽取", "items": ["FOOD-02"], "quota": {"ratio": "10%"}, "certificate_date": "2023-09-01",
        "entropy": {"format": "drand", "source": "League of Entropy drand quicknet", "min_length": 64, "margin_seconds": 600}
    });
    // A token of the market department: no sign-in to wait for while the
    // clock runs towards the commitment's window.
    let token = server
        .service
        .add_user(None, "drand-supervisor", opendraw::domain::account::Role::Supervisor, Some("market"), None)
        .await
        .unwrap()
        .token;
    let client = reqwest::Client::new();
    let call = |method: Method, path: String, body: serde_json::Value| {
        let request = client.request(method, format!("{}{path}", server.address)).bearer_auth(&token);
        let request = if body.is_null() { request } else { request.json(&body) };
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    let mut tasks = Vec::new();
    for _ in 0..2 {
        let (status, task) = call(Method::POST, "/api/tasks".into(), definition.clone()).await;
        assert_eq!(status, 201, "{task}");
        tasks.push(task["id"].as_i64().unwrap());
    }
    // Committed 600 s and a little before round 1000 (2023-08-23T15:59:24Z).
    clock.move_to("2023-08-23T15:49:21.100Z".parse().unwrap());
    for id in &tasks {
        let (status, body) = call(Method::POST, format!("/api/tasks/{id}/commit"), json!(null)).await;
        assert_eq!(status, 200, "{body}");
    }
    for id in &tasks {
        let (_, round) = call(Method::GET, format!("/api/tasks/{id}/drand"), json!(null)).await;
        assert_eq!(round["round"], 1000, "{round}");
    }
    clock.advance(Duration::from_secs(610));

    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;
    // The dashboard offers both draws: their round has come.
    let [fetched, pasted] = [tasks[0], tasks[1]];
    for id in [fetched, pasted] {
        text_contains(&browser, "#awaiting-entropy", &format!("Task {id}: 信标抽取")).await;
    }
    browser.open(&server.page(&format!("/tasks/{pasted}"))).await;
    text_contains(&browser, "#drand-round-number", "1000").await;
    text_contains(&browser, "#drand-time", "2023-08-23 23:59:24").await;
    text_contains(&browser, "#drand-time-utc", "2023-08-23 15:59:24 UTC").await;
    text_contains(&browser, "#drand-countdown", "due now").await;
    text_contains(&browser, "#drand-due", "Round 1000 has come").await;
    browser.element("#drand-fetch-form").await;
    check_page(&browser, "task-drand-due", "#drand-paste-form").await;

    // What the page reads itself: nothing sent, each named at the field.
    for (paste, says) in [
        ("round 1000 please", "This is not JSON"),
        ("[1000]", "not one round"),
        (ROUND_123, "This is round 123; the task committed to round 1000"),
        (r#"{"round": 1000, "signature": "B4"}"#, "96 lowercase hexadecimal digits"),
    ] {
        type_into(&browser, "#drand-json", paste).await;
        click(&browser, "#drand-paste-confirm").await;
        click(&browser, "#drand-paste-button").await;
        text_contains(&browser, "#drand-json-error", says).await;
        text_contains(&browser, "#drand-paste-form .error-summary", says).await;
        click(&browser, "#drand-paste-confirm").await;
    }
    check_page(&browser, "task-drand-paste-error", "#drand-paste-form .error-summary").await;
    // In Chinese the page's own words are Chinese.
    click(&browser, "#lang-switch").await;
    type_into(&browser, "#drand-json", ROUND_123).await;
    click(&browser, "#drand-paste-button").await;
    text_contains(&browser, "#drand-json-error", "这是第 123 轮；本任务承诺的是第 1000 轮").await;
    // What the server refuses: a signature that is not the round's, by its code.
    let mut flipped: serde_json::Value = serde_json::from_str(ROUND_1000).unwrap();
    let signature = flipped["signature"].as_str().unwrap().to_owned();
    flipped["signature"] = json!(format!("{}c", &signature[..95]));
    flipped.as_object_mut().unwrap().remove("randomness");
    type_into(&browser, "#drand-json", &flipped.to_string()).await;
    click(&browser, "#drand-paste-confirm").await;
    click(&browser, "#drand-paste-button").await;
    text_contains(&browser, "#drand-json-error", "签名").await;
    click(&browser, "#lang-switch").await;
    text_contains(&browser, "#drand-json-error", "not a valid signature").await;
    let (_, task) = send_as(&server, MARKET, Method::GET, &format!("/api/tasks/{pasted}"), json!(null)).await;
    assert_eq!(task["state"], "committed", "nothing was drawn");

    type_into(&browser, "#drand-json", ROUND_1000).await;
    click(&browser, "#drand-paste-button").await;
    browser.attribute_becomes("#confirmation", "data-done", "drawn", Duration::from_secs(20)).await;
    text_contains(
        &browser,
        "#commitment-facts",
        "fe290beca10872ef2fb164d2aa4442de4566183ec51c56ff3cd603d930e54fdd",
    )
    .await;
    // The printable notice names the round and its time.
    browser.open(&server.page(&format!("/tasks/{pasted}/notice"))).await;
    text_contains(&browser, "#notice", "drand round 1000, 2023-08-23 23:59:24 Beijing time").await;
    check_page(&browser, "task-notice-drand", "#notice").await;

    // The other task: the server fetches the round from its relay.
    browser.open(&server.page(&format!("/tasks/{fetched}"))).await;
    heading_is(&browser, "信标抽取").await;
    click(&browser, "#drand-fetch-confirm").await;
    click(&browser, "#drand-fetch-button").await;
    browser.attribute_becomes("#confirmation", "data-done", "drawn", Duration::from_secs(20)).await;
    let (_, task) =
        send_as(&server, MARKET, Method::GET, &format!("/api/tasks/{fetched}"), json!(null)).await;
    assert_eq!(task["entropy"], "fe290beca10872ef2fb164d2aa4442de4566183ec51c56ff3cd603d930e54fdd");
    browser.close().await;
}
