//! The dashboard: tasks by state (each a way into the task list), the
//! draws waiting for the supervisor, the results to review; every
//! department's for an admin; an inspector's assignments.

use std::time::Duration;

use crate::browser_support::Browser;
use crate::staff_api::get_as;
use crate::support::{ADMIN, HEALTH, MARKET, Server, check_page, heading_is, sign_in};

/// The demo's inspector account (M001 of the market inspectors).
const INSPECTOR: (&str, &str) = ("inspector-M001", "demo-inspector-pass");

/// The count a state's tile shows.
async fn tile_count(browser: &Browser, state: &str) -> u64 {
    browser.text(&format!("#tasks-by-state li[data-state={state}] .count")).await.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_sees_the_department_tasks_by_state_and_opens_the_drawn_ones() {
    let server = Server::start().await;
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;
    heading_is(&browser, "Dashboard").await;
    let (status, board) = get_as(&server, MARKET, "/api/dashboard").await;
    assert_eq!(status, 200);
    for state in ["draft", "committed", "drawn", "revealed", "abandoned"] {
        assert_eq!(
            tile_count(&browser, state).await,
            board["tasks_by_state"][state].as_u64().unwrap(),
            "{state}"
        );
    }
    assert_eq!(
        browser.text("#results-to-review").await,
        board["results_to_review"].as_u64().unwrap().to_string()
    );
    assert_eq!(browser.text("#results-overdue").await, board["overdue"].as_u64().unwrap().to_string());
    // Every draw waiting is listed with a link to its task.
    let waiting = board["awaiting_entropy"].as_array().unwrap();
    assert_eq!(browser.count("#awaiting-entropy a").await, waiting.len());
    check_page(&browser, "dashboard-supervisor", "#tasks-by-state").await;
    // A count is a way into the task list, filtered by its state.
    browser.element("#tasks-by-state li[data-state=drawn] a").await.click().await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !browser.client.current_url().await.unwrap().as_str().ends_with("#/tasks?state=drawn") {
        assert!(std::time::Instant::now() < deadline, "the drawn tile leads to the drawn tasks");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sees_every_department_and_a_department_sees_its_own() {
    let server = Server::start().await;
    let (_, market) = get_as(&server, MARKET, "/api/dashboard").await;
    let (_, health) = get_as(&server, HEALTH, "/api/dashboard").await;
    let (_, all) = get_as(&server, ADMIN, "/api/dashboard").await;
    let browser = Browser::start("zh-CN").await;
    sign_in(&browser, &server, ADMIN).await;
    heading_is(&browser, "首页").await;
    assert!(browser.text("#main .lead").await.contains("全部部门"));
    for state in ["draft", "committed", "drawn", "revealed", "abandoned"] {
        let shown = tile_count(&browser, state).await;
        assert_eq!(shown, all["tasks_by_state"][state].as_u64().unwrap(), "{state}");
        let departments = market["tasks_by_state"][state].as_u64().unwrap()
            + health["tasks_by_state"][state].as_u64().unwrap();
        assert_eq!(shown, departments, "the admin's {state} is every department's");
    }
    check_page(&browser, "dashboard-admin", "#tasks-by-state").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspector_sees_their_assignments() {
    let server = Server::start().await;
    let (status, assignments) = get_as(&server, INSPECTOR, "/api/me/assignments").await;
    assert_eq!(status, 200);
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, INSPECTOR).await;
    heading_is(&browser, "Dashboard").await;
    let rows = assignments.as_array().unwrap();
    if rows.is_empty() {
        browser.element("p#assignments").await;
    } else {
        browser.element("table#assignments").await;
        assert_eq!(browser.count("table#assignments tbody tr").await, rows.len());
    }
    // No supervisor's counts for an inspector.
    assert_eq!(browser.count("#tasks-by-state").await, 0);
    check_page(&browser, "dashboard-inspector", "#assignments").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_opened_while_the_dashboard_loads_stays_as_it_is() {
    let server = Server::start().await;
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;
    heading_is(&browser, "Dashboard").await;
    browser.open(&server.page("/tasks")).await;
    heading_is(&browser, "Inspection tasks").await;
    // The dashboard's figures are held back a second, as on a slow
    // network; the task list is opened again before they come.
    browser
        .client
        .execute(
            r#"const fetchNow = window.fetch;
            window.fetch = (input, init) => String(input).startsWith('/api/dashboard')
              ? new Promise((resolve) => setTimeout(resolve, 1000)).then(() => fetchNow(input, init))
              : fetchNow(input, init);
            window.location.hash = '#/';"#,
            vec![],
        )
        .await
        .unwrap();
    heading_is(&browser, "Dashboard").await;
    browser.client.execute("window.location.hash = '#/tasks';", vec![]).await.unwrap();
    heading_is(&browser, "Inspection tasks").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(browser.count("#main h1").await, 1, "{}", browser.text("#main").await);
    assert_eq!(browser.count("#tasks-by-state, #awaiting-entropy").await, 0, "the dashboard came late");
    browser.close().await;
}
