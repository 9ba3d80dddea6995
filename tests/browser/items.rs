//! The public item list (items.html) in both languages on a phone, with
//! axe-core's check, its filter, and the link from a task's item code to
//! the item's entry, the item's name beside the code.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::browser_support::Browser;
use super::site;

const LOADED: Duration = Duration::from_secs(20);

async fn public_items(address: &str) -> Vec<Value> {
    let list: Value =
        reqwest::get(format!("{address}/api/public/items")).await.unwrap().json().await.unwrap();
    list["items"].as_array().unwrap().clone()
}

/// Runs `script` until it returns a non-empty string, and returns that.
async fn eventually(browser: &Browser, script: &str) -> String {
    let deadline = Instant::now() + LOADED;
    loop {
        let value = browser.client.execute(script, Vec::new()).await.unwrap();
        if let Some(text) = value.as_str().filter(|text| !text.is_empty()) {
            return text.to_owned();
        }
        assert!(Instant::now() < deadline, "{script} gave nothing");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_item_list_reads_in_both_languages_on_a_phone_and_filters_by_text() {
    let (address, _service, _dir) = site(None).await;
    let items = public_items(&address).await;
    assert!(items.len() >= 2, "the demo publishes its items: {items:?}");
    let food = items.iter().find(|item| item["code"] == "FOOD-01").expect("the demo has FOOD-01");
    assert_eq!(food["method"], "现场检查");
    for (language, heading) in [("zh-CN", "随机抽查事项清单"), ("en-US", "Inspection items")] {
        let browser = Browser::start(language).await;
        browser.resize(390, 844).await;
        browser.open(&format!("{address}/items.html")).await;
        browser.attribute_becomes("#items", "data-state", "ready", LOADED).await;
        assert_eq!(browser.text("h1").await, heading);
        assert_eq!(browser.count("article.item-entry").await, items.len());
        let entry = browser.text("#item-FOOD-01").await;
        assert!(entry.contains("现场检查") && entry.contains(food["name"].as_str().unwrap()), "{entry}");
        let violations = browser.accessibility_violations().await;
        assert!(violations.is_empty(), "{language}: {violations:#?}");
        let width =
            browser.client.execute("return document.documentElement.scrollWidth;", Vec::new()).await.unwrap();
        assert!(width.as_f64().unwrap() <= 390.0, "{language}: nothing wider than the phone ({width})");
        browser.screenshot(&format!("items-phone-{language}")).await;

        browser.element("#f-text").await.send_keys("food-01").await.unwrap();
        let shown = eventually(&browser, "const n = document.querySelectorAll('article.item-entry:not([hidden])').length; return n === 1 ? document.querySelector('article.item-entry:not([hidden])').id : '';").await;
        assert_eq!(shown, "item-FOOD-01");
        let count = browser.text("#items-count").await;
        assert!(count.contains('1'), "{count}");
        browser.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_code_on_the_task_page_links_to_its_entry_with_its_name() {
    let (address, _service, _dir) = site(None).await;
    let task: Value =
        reqwest::get(format!("{address}/api/public/tasks/1")).await.unwrap().json().await.unwrap();
    let code = task["definition"]["items"][0].as_str().unwrap().to_owned();
    let items = public_items(&address).await;
    let name =
        items.iter().find(|item| item["code"] == code.as_str()).unwrap()["name"].as_str().unwrap().to_owned();
    let browser = Browser::start("en-US").await;
    browser.resize(390, 844).await;
    browser.open(&format!("{address}/task.html?id=1")).await;
    let link = format!(".facts a.item-link[href=\"items.html#item-{code}\"]");
    browser.element(&link).await;
    let wanted = serde_json::to_string(&name).unwrap();
    let script = format!(
        "const a = document.querySelector('{link}'); return a && a.textContent.includes({wanted}) ? a.textContent : '';"
    );
    let shown = eventually(&browser, &script).await;
    assert!(shown.contains(&code) && shown.contains(&name), "the code with the item's name: {shown}");
    // Reached by keyboard: the link takes focus and Enter follows it.
    browser.client.execute(&format!("document.querySelector('{link}').focus();"), Vec::new()).await.unwrap();
    browser.client.active_element().await.unwrap().send_keys("\u{E007}").await.unwrap();
    browser.attribute_becomes("#items", "data-state", "ready", LOADED).await;
    let focused =
        eventually(&browser, "return document.activeElement ? document.activeElement.id : '';").await;
    assert_eq!(focused, format!("item-{code}"), "the item's entry is shown and focused");
    let open = browser
        .client
        .execute(&format!("return document.querySelector('#item-{code} details').open;"), Vec::new())
        .await
        .unwrap();
    assert_eq!(open, Value::Bool(true), "its history is open");
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");
    browser.close().await;
}
