//! The directories page (directories.html) in both languages on a phone,
//! with axe-core's check: the sizes as tables whose counts are the API's,
//! the inspector list with only the published columns, and its filter by
//! department, a page of 20 at a time ("show more" by keyboard).

use std::time::Duration;

use serde_json::Value;

use super::browser_support::Browser;
use super::site;

const LOADED: Duration = Duration::from_secs(20);

async fn get(address: &str, path: &str) -> Value {
    reqwest::get(format!("{address}{path}")).await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_directories_read_in_both_languages_on_a_phone_and_filter_by_department() {
    let (address, _service, _dir) = site(None).await;
    let sizes = get(&address, "/api/public/directories").await;
    let all = get(&address, "/api/public/inspectors?limit=500").await;
    let inspectors = all["inspectors"].as_array().unwrap().len();
    assert!(inspectors > 0, "the demo has inspectors: {all}");
    let health = get(&address, "/api/public/inspectors?limit=500&department=health").await;
    let health = health["inspectors"].as_array().unwrap().len();
    assert!(health > 0 && health < inspectors, "{health} of {inspectors}");
    for (language, heading, total) in
        [("zh-CN", "名录库", "检查对象名录库共有"), ("en-US", "Directories", "inspection targets")]
    {
        let browser = Browser::start(language).await;
        browser.resize(390, 844).await;
        browser.open(&format!("{address}/directories.html")).await;
        browser.attribute_becomes("#inspectors", "data-state", "ready", LOADED).await;
        assert_eq!(browser.text("h1").await, heading);
        let line = browser.text("#targets-total").await;
        assert!(line.contains(total) && line.contains(&sizes["targets_total"].to_string()), "{line}");
        // Each count is in a table cell, as text.
        let classes = sizes["targets_by_risk_class"].as_array().unwrap();
        assert_eq!(browser.count("#sizes-targets-class tbody tr").await, classes.len());
        let table = browser.text("#sizes-targets-class").await;
        for row in classes {
            assert!(table.contains(&row["count"].to_string()), "{table} lacks {row}");
        }
        // A page of 20, then "show more" by keyboard until the whole list is shown.
        assert!(inspectors > 20, "the demo has more than a page: {inspectors}");
        assert_eq!(browser.count("#inspectors-table tbody tr").await, 20);
        let mut shown = 20;
        while shown < inspectors {
            browser
                .client
                .execute("document.querySelector('#inspectors-more').focus();", Vec::new())
                .await
                .unwrap();
            browser.client.active_element().await.unwrap().send_keys("\u{E007}").await.unwrap();
            let deadline = std::time::Instant::now() + LOADED;
            while browser.count("#inspectors-table tbody tr").await == shown {
                assert!(std::time::Instant::now() < deadline, "{language}: the next page follows");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let focused = browser
                .client
                .execute("const a = document.activeElement; return a ? a.tagName + ':' + [...a.parentNode.children].indexOf(a) : '';", Vec::new())
                .await
                .unwrap();
            assert_eq!(
                focused.as_str().unwrap(),
                format!("TR:{shown}"),
                "{language}: the first new row takes focus"
            );
            shown = browser.count("#inspectors-table tbody tr").await;
        }
        assert_eq!(shown, inspectors);
        assert_eq!(browser.count("#inspectors-more[hidden]").await, 1, "{language}: no more to show");
        // The columns published by default: name, department, unit, certificate, items.
        assert_eq!(browser.count("#inspectors-table thead th").await, 5);
        let violations = browser.accessibility_violations().await;
        assert!(violations.is_empty(), "{language}: {violations:#?}");
        let width =
            browser.client.execute("return document.documentElement.scrollWidth;", Vec::new()).await.unwrap();
        assert!(width.as_f64().unwrap() <= 390.0, "{language}: nothing wider than the phone ({width})");
        browser.screenshot(&format!("directories-phone-{language}")).await;

        // By keyboard: the department select takes focus and a key chooses.
        let select = browser.element("#f-department").await;
        select.select_by_value("health").await.unwrap();
        let deadline = std::time::Instant::now() + LOADED;
        while browser.count("#inspectors-table tbody tr").await != health {
            assert!(std::time::Instant::now() < deadline, "{language}: the list follows the department");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let count = browser.text("#inspectors-count").await;
        assert!(count.contains(&health.to_string()), "{count}");
        browser.close().await;
    }
}
