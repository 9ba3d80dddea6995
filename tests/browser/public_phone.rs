//! The public site for someone who knows only a company's name, on a
//! phone: the entity search by part of a name, the task page with its
//! verification near the top and its long tables folded, and the
//! statistics by department, item and plan with a year filter.

use std::time::Duration;

use serde_json::Value;

use super::browser_support::Browser;
use super::site;

const LOADED: Duration = Duration::from_secs(20);

async fn get_json(address: &str, path: &str) -> Value {
    let response = reqwest::get(format!("{address}{path}")).await.unwrap();
    assert!(response.status().is_success(), "{path}: {}", response.status());
    response.json().await.unwrap()
}

async fn no_violations(browser: &Browser, what: &str) {
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "{what}: {violations:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn part_of_a_chinese_name_lists_the_entities_and_leads_to_one() {
    let (address, _service, _dir) = site(None).await;
    // Three characters from inside a drawn entity's name, as someone half
    // remembering it types.
    let selection = get_json(&address, "/api/public/tasks/1/selection").await;
    let name: Vec<char> = selection[0]["name"].as_str().unwrap().chars().collect();
    let part: String = name[1..4.min(name.len())].iter().collect();
    let expected = get_json(&address, &format!("/api/public/entities?q={part}&limit=20")).await;
    let expected = expected.as_array().unwrap().clone();
    assert!(!expected.is_empty(), "{part}");
    let first = &expected[0];
    assert!(first["name"].as_str().unwrap().contains(&part), "{first}");

    let browser = Browser::start("zh-CN").await;
    browser.resize(390, 844).await;
    browser.open(&format!("{address}/index.html")).await;
    browser.element("#entity-id").await.send_keys(&part).await.unwrap();
    browser.element("#entity-search [type=submit]").await.click().await.unwrap();
    browser.attribute_becomes("#entity-result", "data-found", "matches", LOADED).await;
    assert_eq!(browser.count("#entity-matches li").await, expected.len());
    let heading = browser.text("#entity-matches-title").await;
    assert!(heading.contains("找到"), "the list is introduced in Chinese: {heading}");
    no_violations(&browser, "the search's matches").await;
    browser.screenshot("entity-matches-phone-zh").await;

    let link = format!("#entity-matches li[data-entity-id=\"{}\"] a", first["id"].as_str().unwrap());
    browser.element(&link).await.click().await.unwrap();
    browser.attribute_becomes("#entity-result", "data-found", "true", LOADED).await;
    let shown = browser.text("#entity-result .entity-name").await;
    assert!(shown.contains(first["id"].as_str().unwrap()), "{shown}");
    browser.close().await;
}
