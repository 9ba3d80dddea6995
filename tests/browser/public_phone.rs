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

/// The page's height and the verification button's distance from its top.
async fn task_page_layout(browser: &Browser) -> (f64, f64) {
    let measured = browser
        .client
        .execute(
            "return [document.documentElement.scrollHeight, \
             document.getElementById('verify-button').getBoundingClientRect().top + window.scrollY];",
            Vec::new(),
        )
        .await
        .unwrap();
    (measured[0].as_f64().unwrap(), measured[1].as_f64().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_task_page_puts_the_verification_first_and_folds_its_long_lists() {
    let (address, _service, _dir) = site(None).await;
    let selection = get_json(&address, "/api/public/tasks/1/selection").await;
    let drawn = selection.as_array().unwrap().len();
    assert!(drawn > 10, "the demo's task 1 draws more than a folded table shows: {drawn}");

    let browser = Browser::start("zh-CN").await;
    browser.resize(390, 844).await;
    browser.open(&format!("{address}/task.html?id=1")).await;
    browser.element("#selection tbody tr").await;
    browser.element("#task-results").await;
    let (height, button_top) = task_page_layout(&browser).await;
    eprintln!("task 1 on a 390×844 phone: {height} px tall, the verification button at {button_top} px");
    // Before, the page was about 23 000 px tall with the button at its bottom;
    // folded, it measured about 8 000 px with this release's demo (whose
    // published records now also list their evidence digests).
    assert!(button_top < 2.0 * 844.0, "the button is within the first two screens: {button_top} px");
    assert!(height < 9000.0, "the page is a fraction of its old height: {height} px");
    let visible = browser
        .client
        .execute(
            "return [...document.querySelectorAll('#selection tbody tr')].filter((r) => !r.hidden).length;",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(visible.as_u64(), Some(5), "the selection shows its first rows");
    no_violations(&browser, "the folded task page").await;
    browser.screenshot("task-phone-zh").await;

    // Showing all the selection unfolds it; the filter still finds any row.
    browser.element("#selection-section .show-all").await.click().await.unwrap();
    assert_eq!(browser.count("#selection tbody tr[hidden]").await, 0);

    // The verification, its checks in Chinese.
    browser.element("#verify-button").await.click().await.unwrap();
    browser.attribute_becomes("#verify-verdict", "data-verified", "true", Duration::from_secs(60)).await;
    browser.element("#verify-details summary").await.click().await.unwrap();
    let details = browser.text("#verify-report").await;
    assert!(details.contains("与承诺一致"), "the checks speak Chinese: {details}");
    assert_eq!(
        browser.count("#verify-report .check-detail[lang=en]").await,
        0,
        "no check detail is left in English: {details}"
    );
    no_violations(&browser, "the verified task page").await;
    browser.screenshot("task-phone-verified-zh").await;
    browser.close().await;
}

/// The number in the statistics table of `chart` for `key`.
async fn table_count(browser: &Browser, chart: &str, key: &str) -> String {
    browser
        .attribute(&format!("#chart-{chart} tr[data-key=\"{key}\"] td[data-count]"), "data-count", LOADED)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statistics_show_departments_items_plans_and_coverage_and_filter_by_year() {
    let (address, _service, _dir) = site(None).await;
    let statistics = get_json(&address, "/api/public/statistics").await;
    let browser = Browser::start("zh-CN").await;
    browser.resize(390, 844).await;
    browser.open(&format!("{address}/stats.html")).await;
    browser.attribute_becomes("#stats", "data-loaded", "true", LOADED).await;
    for (chart, list) in [("department", "by_department"), ("item", "by_item"), ("plan", "by_plan")] {
        let entries = statistics[list].as_array().unwrap();
        assert!(!entries.is_empty(), "the demo has results to count by {chart}");
        for entry in entries {
            let key = entry["key"].as_str().unwrap();
            assert_eq!(table_count(&browser, chart, key).await, entry["count"].to_string(), "{list} {key}");
        }
    }
    let all = browser.attribute("#coverage tr[data-key=\"all\"]", "data-rate", LOADED).await;
    let expected = statistics["coverage"]["rate"].as_f64().expect("the demo has drawn tasks");
    assert!((all.parse::<f64>().unwrap() - expected).abs() < 1e-9, "coverage {all}, API {expected}");
    assert_eq!(
        browser.count("#coverage tr[data-key^=\"department:\"]").await,
        statistics["coverage_by_department"].as_array().unwrap().len()
    );
    no_violations(&browser, "the statistics in Chinese on a phone").await;
    browser.screenshot("statistics-phone-zh").await;

    // One year: the page asks for it and shows its numbers.
    let year = statistics["years"].as_array().unwrap().last().expect("a year with data").to_string();
    let of_year = get_json(&address, &format!("/api/public/statistics?year={year}")).await;
    let select = browser.element("#stats-year").await;
    select.select_by_value(&year).await.unwrap();
    browser.attribute_becomes("#stats", "data-year", &year, LOADED).await;
    browser.attribute_becomes("#stats", "data-loaded", "true", LOADED).await;
    assert_eq!(
        browser.attribute("#stat-published", "data-count", LOADED).await,
        of_year["published"].to_string()
    );
    let address_now = browser.client.current_url().await.unwrap();
    assert!(address_now.as_str().ends_with(&format!("?year={year}")), "{address_now}");
    no_violations(&browser, "the statistics of one year").await;
    browser.close().await;
}
