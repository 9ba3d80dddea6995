//! A draw whose entropy is a drand quicknet round (PROTOCOL.md §3.6) verifies
//! on the public task page, in Chromium's Web Worker, the round's BLS
//! signature included: the task is committed, drawn with the recorded round
//! 1000 and revealed through the real API, as a department does it.

use std::path::PathBuf;
use std::time::Duration;

use opendraw::http::limits::Limits;
use reqwest::StatusCode;
use serde_json::json;

use super::browser_support::Browser;
use super::helpers::{Backend, TestApp};

/// Quicknet round 1000 as its relays serve it.
const ROUND_1000: &str =
    "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39";
const RANDOMNESS_1000: &str = "fe290beca10872ef2fb164d2aa4442de4566183ec51c56ff3cd603d930e54fdd";

/// The site with one revealed task committed to quicknet round 1000; its id.
async fn revealed_drand_task() -> (TestApp, i64) {
    let public = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public");
    let app = TestApp::spawn_with(Backend::Sqlite, Limits::default(), Some(public)).await;
    app.seed_directory().await;
    let plan = json!({"format": "drand", "source": "League of Entropy drand quicknet", "min_length": 64, "margin_seconds": 600});
    let task = app.create_task(json!({"entropy": plan})).await;
    // Committed 600 s (and a little) before round 1000's time, 2023-08-23T15:59:24Z.
    app.clock.move_to("2023-08-23T15:49:21.100Z".parse().unwrap());
    app.act(task, "commit", json!({}), StatusCode::OK).await;
    app.clock.advance(Duration::from_secs(610));
    let round = json!({"drand": {"round": 1000, "randomness": RANDOMNESS_1000, "signature": ROUND_1000}});
    app.act(task, "draw", round, StatusCode::OK).await;
    app.act(task, "reveal", json!({"release_early": true}), StatusCode::OK).await;
    (app, task)
}

/// The page's verdict and the beacon checks it lists, as (subject, passed).
async fn verify_on_the_page(browser: &Browser, address: &str, task: i64) -> (String, Vec<(String, bool)>) {
    browser.open(&format!("{address}/task.html?id={task}")).await;
    browser.element("#verify-button").await.click().await.unwrap();
    let verified = browser.attribute("#verify-verdict", "data-verified", Duration::from_secs(60)).await;
    let mut beacon = Vec::new();
    let checks =
        browser.client.find_all(fantoccini::Locator::Css("#verify-report li.check[data-kind='beacon']"));
    for check in checks.await.unwrap() {
        let subject = check.attr("data-subject").await.unwrap().unwrap_or_default();
        let class = check.attr("class").await.unwrap().unwrap_or_default();
        beacon.push((subject, class.split(' ').any(|c| c == "pass")));
    }
    (verified, beacon)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drand_draw_verifies_on_the_task_page_with_its_bls_signature_checked() {
    let (app, task) = revealed_drand_task().await;
    let browser = Browser::start("en-US").await;
    let (verified, beacon) = verify_on_the_page(&browser, &app.address, task).await;
    let failure =
        if verified == "true" { String::new() } else { browser.text("#verify-first-failure").await };
    assert_eq!(verified, "true", "{failure}");
    let subjects: Vec<(&str, bool)> = beacon.iter().map(|(s, p)| (s.as_str(), *p)).collect();
    assert_eq!(subjects, [("chain", true), ("round", true), ("signature", true), ("entropy", true)]);
    assert_eq!(browser.count("#verify-report li.check.fail").await, 0);
    browser.element("#verify-details summary").await.click().await.unwrap();
    let signature = browser
        .text("#verify-report li.check[data-kind='beacon'][data-subject='signature'] .check-detail")
        .await;
    assert!(signature.contains("round 1000") && signature.contains("valid"), "{signature}");
    let entropy = browser
        .text("#verify-report li.check[data-kind='beacon'][data-subject='entropy'] .check-detail")
        .await;
    assert!(entropy.contains(RANDOMNESS_1000), "{entropy}");
    browser.screenshot("task-drand-verified").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drand_checks_read_in_chinese_and_pass_the_wcag_checks() {
    let (app, task) = revealed_drand_task().await;
    let browser = Browser::start("zh-CN").await;
    let (verified, beacon) = verify_on_the_page(&browser, &app.address, task).await;
    assert_eq!(verified, "true");
    assert_eq!(beacon.len(), 4);
    browser.element("#verify-details summary").await.click().await.unwrap();
    let signature =
        browser.text("#verify-report li.check[data-kind='beacon'][data-subject='signature']").await;
    assert!(signature.contains("BLS 签名") && signature.contains("1000"), "{signature}");
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "task page with the drand checks, in Chinese: {violations:#?}");
    browser.close().await;
}
