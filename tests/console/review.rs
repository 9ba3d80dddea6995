//! The supervisor's review and ledger: the queue of submitted results, a
//! result returned with a reason (refused without one), another approved,
//! approved results of a revealed task published together after a check;
//! the ledger's open count and its inspector filter; the dashboard's
//! reminders leading to the ledger of an inspector.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::Value;

use crate::browser_support::Browser;
use crate::staff_api::get_as;
use crate::support::{MARKET, Server, check_page, click, heading_is, sign_in, text_contains, type_into};

/// The demo's inspector account (M001 of the market inspectors).
const INSPECTOR: (&str, &str) = ("inspector-M001", "demo-inspector-pass");

/// Waits until the address's fragment is `fragment`.
async fn fragment_is(browser: &Browser, fragment: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let url = browser.client.current_url().await.unwrap();
        if url.fragment() == Some(fragment.trim_start_matches('#')) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the page never went to {fragment}; it is at {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A result's state as the server has it.
async fn state_of(server: &Server, id: i64) -> String {
    let (status, result) = get_as(server, MARKET, &format!("/api/results/{id}")).await;
    assert_eq!(status, 200);
    result["state"].as_str().unwrap().to_owned()
}

/// The demo's submitted results: (one of a sealed task, one of a revealed task).
async fn submitted_results(server: &Server) -> (Value, Value) {
    let (_, submitted) = get_as(server, MARKET, "/api/results?state=submitted").await;
    let mut sealed = None;
    let mut revealed = None;
    for result in submitted.as_array().unwrap() {
        let (_, task) = get_as(server, MARKET, &format!("/api/tasks/{}", result["task"])).await;
        match task["state"].as_str() {
            Some("revealed") => revealed = revealed.or(Some(result.clone())),
            _ => sealed = sealed.or(Some(result.clone())),
        }
    }
    (
        sealed.expect("a submitted result of a sealed task"),
        revealed.expect("a submitted result of a revealed task"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_returns_a_result_with_a_reason_approves_another_and_publishes_in_bulk() {
    let server = Server::start().await;
    let (sealed, revealed) = submitted_results(&server).await;
    let (returned_id, approved_id) = (sealed["id"].as_i64().unwrap(), revealed["id"].as_i64().unwrap());
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;

    // The queue lists the submitted results, each opening its page.
    click(&browser, "#console-nav a[href='#/review']").await;
    heading_is(&browser, "Review results").await;
    browser.element(&format!("#results a[href='#/review/{returned_id}']")).await;
    browser.element(&format!("#select-{approved_id}")).await;
    check_page(&browser, "review-queue", "#results").await;

    // Returning needs a reason: without one the error summary says so and
    // nothing changes.
    click(&browser, &format!("#results a[href='#/review/{returned_id}']")).await;
    browser.element("#return-form").await;
    check_page(&browser, "review-result", "#result-facts").await;
    click(&browser, "#return-button").await;
    text_contains(&browser, ".error-summary", "Enter the reason for returning the result").await;
    assert_eq!(browser.attribute("#return-reason", "aria-invalid", Duration::from_secs(5)).await, "true");
    assert_eq!(state_of(&server, returned_id).await, "submitted", "nothing is sent without a reason");
    type_into(&browser, "#return-reason", "请补充现场检查照片").await;
    click(&browser, "#return-button").await;
    text_contains(&browser, "#result-done", "returned to the team").await;
    assert_eq!(state_of(&server, returned_id).await, "returned");
    text_contains(&browser, "#result-facts", "请补充现场检查照片").await;

    // Another, of a revealed task, is approved; its page then offers to publish it.
    browser.open(&server.page(&format!("/review/{approved_id}"))).await;
    click(&browser, "#approve-button").await;
    text_contains(&browser, "#result-done", "approved").await;
    assert_eq!(state_of(&server, approved_id).await, "approved");
    browser.element("#publish-form").await;

    // The approved tab: chosen, checked, confirmed, published.
    browser.open(&server.page("/review?state=approved")).await;
    click(&browser, "#bulk-button").await;
    text_contains(&browser, ".error-summary", "Select at least one result").await;
    click(&browser, &format!("#select-{approved_id}")).await;
    click(&browser, "#bulk-button").await;
    text_contains(&browser, "#bulk-check", "cannot be undone").await;
    let chosen = browser.text("#bulk-chosen").await;
    assert!(chosen.contains(revealed["target_name"].as_str().unwrap()), "{chosen}");
    assert_eq!(
        state_of(&server, approved_id).await,
        "approved",
        "nothing is published before the confirmation"
    );
    check_page(&browser, "review-bulk-check", "#bulk-check").await;
    click(&browser, "#bulk-confirm").await;
    text_contains(&browser, "#bulk-done", "1 result(s) published").await;
    assert_eq!(state_of(&server, approved_id).await, "published");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ledger_shows_how_many_lines_are_open_and_filters_by_inspector() {
    let server = Server::start().await;
    let (_, whole) = get_as(&server, MARKET, "/api/ledger?limit=1").await;
    let open = whole["total"]["open"].as_u64().unwrap();
    assert!(open > 0, "the demo has open lines");
    let inspector = whole["by_inspector"][0]["key"].as_str().unwrap().to_owned();
    let (_, theirs) = get_as(&server, MARKET, &format!("/api/ledger?limit=1&inspector={inspector}")).await;
    let their_open = theirs["total"]["open"].as_u64().unwrap();
    assert!(their_open < open, "the inspector has some of the lines: {their_open} of {open}");

    let browser = Browser::start("zh-CN").await;
    sign_in(&browser, &server, MARKET).await;
    click(&browser, "#console-nav a[href='#/ledger']").await;
    heading_is(&browser, "台账").await;
    text_contains(&browser, "#ledger-open", &format!("还有 {open} 条未销号")).await;
    check_page(&browser, "ledger", "#ledger-lines").await;

    let select = browser.element("#ledger-inspector").await;
    select.select_by_value(&inspector).await.unwrap();
    click(&browser, "#ledger-apply").await;
    fragment_is(&browser, &format!("/ledger?inspector={inspector}")).await;
    text_contains(&browser, "#ledger-open", &format!("还有 {their_open} 条未销号")).await;
    let csv = browser.attribute("#ledger-csv", "href", Duration::from_secs(5)).await;
    assert!(csv.contains(&format!("inspector={inspector}")), "the CSV takes the same filter: {csv}");
    let rows = browser.client.find_all(Locator::Css("#ledger-lines tbody tr")).await.unwrap().len();
    assert_eq!(rows as u64, their_open.min(50));
    check_page(&browser, "ledger-inspector", "#ledger-lines").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_reminds_of_deadlines_per_inspector_and_leads_to_their_ledger() {
    let clock = opendraw::service::Clock::fixed(opendraw::domain::calendar::today());
    let server = Server::start_on(clock.clone()).await;
    // Forty days on, the demo's unpublished results are past their deadline.
    clock.set(opendraw::domain::calendar::today() + chrono::Days::new(40));
    let (_, board) = get_as(&server, MARKET, "/api/dashboard").await;
    let reminders = board["reminders"].as_array().unwrap().clone();
    assert!(!reminders.is_empty(), "{board}");
    let first = reminders[0]["inspector"].as_str().unwrap().to_owned();

    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;
    heading_is(&browser, "Dashboard").await;
    browser.element("#reminders").await;
    assert_eq!(browser.count("#reminders tbody tr").await, reminders.len());
    text_contains(&browser, "#reminders", &format!("{} overdue", reminders[0]["overdue"])).await;
    check_page(&browser, "dashboard-reminders", "#reminders").await;
    click(&browser, &format!("#reminders a[href='#/ledger?inspector={first}']")).await;
    heading_is(&browser, "Ledger").await;
    let (_, theirs) = get_as(&server, MARKET, &format!("/api/ledger?limit=1&inspector={first}")).await;
    text_contains(&browser, "#ledger-open", &format!("{} line(s) open", theirs["total"]["open"])).await;
    text_contains(&browser, "#ledger-lines", "Overdue — not closed").await;
    browser.close().await;

    // An inspector sees their own reminder, without the ledger's link.
    let (_, own) = get_as(&server, INSPECTOR, "/api/dashboard").await;
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, INSPECTOR).await;
    heading_is(&browser, "Dashboard").await;
    browser.element("#dashboard-reminders").await;
    let mine = own["reminders"].as_array().unwrap();
    assert!(mine.len() <= 1 && mine.iter().all(|r| r["inspector"] == "M001"), "{own}");
    assert_eq!(browser.count("#reminders tbody tr").await, mine.len());
    assert_eq!(browser.count("#reminders a").await, 0);
    browser.close().await;
}
