//! The directories: browsing and searching them, and importing a file as
//! a supervisor does it (pick the file, read the preview, send it, read
//! the refused lines or the count written); each department sees its own.
use crate::browser_support::Browser;
use crate::staff_api::get_as;
use crate::support::{HEALTH, MARKET, Server, check_page, heading_is, sign_in, text_contains, type_into};

/// Writes `csv` to a file named `name` in `dir`, as a user's file on disk.
fn file_on_disk(dir: &tempfile::TempDir, name: &str, csv: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, csv).unwrap();
    path.display().to_string()
}

/// Chooses `path` with the import panel's file picker and waits for its preview.
async fn choose_file(browser: &Browser, path: &str, name: &str) {
    browser.element("#import-file").await.send_keys(path).await.unwrap();
    text_contains(browser, "#import-preview-title", name).await;
}

const BAD_TARGETS: &str = "id,name,region,industry,risk_class\n\
    91320102MA0CONSOLE1,南京控制台食府（新街口店）,玄武区,餐饮服务,B\n\
    91320102MA0CONSOLE2,南京控制台生活超市,玄武区,食品销售,E\n";
const GOOD_TARGETS: &str = "id,name,region,industry,risk_class\n\
    91320102MA0CONSOLE1,南京控制台食府（新街口店）,玄武区,餐饮服务,B\n\
    91320102MA0CONSOLE2,南京控制台生活超市,玄武区,食品销售,C\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_line_is_named_and_the_corrected_file_imports_and_is_found_by_search() {
    let server = Server::start().await;
    let files = tempfile::tempdir().unwrap();
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;
    browser.element("#console-nav a[href='#/directories']").await.click().await.unwrap();
    heading_is(&browser, "Target directory").await;
    browser.element("table#targets").await;
    check_page(&browser, "directories-targets", "table#targets").await;

    // A file with one bad line: the preview shows it before anything is sent.
    let bad = file_on_disk(&files, "targets-bad.csv", BAD_TARGETS);
    choose_file(&browser, &bad, "targets-bad.csv").await;
    assert_eq!(browser.count("#import-preview tbody tr").await, 2);
    assert!(browser.text("#import-preview").await.contains("南京控制台生活超市"));
    browser.element("#import-send").await.click().await.unwrap();
    let refused = text_contains(&browser, "#refused-lines", "risk_class").await;
    let row = browser.text("#refused-lines tbody tr").await;
    assert!(
        row.contains('3') && row.contains("risk_class") && row.contains("'E' is not one of A, B, C, D"),
        "{row}"
    );
    assert_eq!(browser.count("#refused-lines tbody tr").await, 1, "{refused}");
    check_page(&browser, "directories-import-refused", "#refused-lines").await;
    // Nothing of it was written.
    let (_, found) =
        get_as(&server, MARKET, "/api/targets?q=%E5%8D%97%E4%BA%AC%E6%8E%A7%E5%88%B6%E5%8F%B0").await;
    assert_eq!(found.as_array().map(Vec::len), Some(0), "{found}");

    // The corrected file: written, counted, and its targets found by search.
    let good = file_on_disk(&files, "targets-good.csv", GOOD_TARGETS);
    choose_file(&browser, &good, "targets-good.csv").await;
    browser.element("#import-send").await.click().await.unwrap();
    text_contains(&browser, "#import-rows", "2 rows").await;
    check_page(&browser, "directories-import-done", "#import-rows").await;
    type_into(&browser, "#target-q", "控制台生活").await;
    browser.element("#target-search").await.click().await.unwrap();
    text_contains(&browser, "#target-count", "1 target").await;
    let row = text_contains(&browser, "table#targets tbody", "南京控制台生活超市").await;
    assert!(row.contains("91320102MA0CONSOLE2") && row.contains('C'), "{row}");
    assert_eq!(browser.count("table#targets tbody tr").await, 1);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_kept_by_another_department_refuses_the_file_and_names_the_line() {
    let server = Server::start().await;
    let (_, targets) = get_as(&server, MARKET, "/api/targets?limit=1").await;
    let market_id = targets[0]["id"].as_str().unwrap().to_owned();
    let files = tempfile::tempdir().unwrap();
    let csv = format!(
        "id,name,region,risk_class\n91320102MA0HEALTH01,南京卫生测试宾馆,玄武区,A\n{market_id},改名,玄武区,A\n"
    );
    let path = file_on_disk(&files, "health-targets.csv", &csv);
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, HEALTH).await;
    browser.open(&server.page("/directories/targets")).await;
    heading_is(&browser, "Target directory").await;
    choose_file(&browser, &path, "health-targets.csv").await;
    browser.element("#import-send").await.click().await.unwrap();
    let refused = text_contains(&browser, "#import-refused", "another department").await;
    assert!(refused.contains('3') && refused.contains("market"), "{refused}");
    // Market's target is unchanged, and the other line was not written either.
    let (_, after) = get_as(&server, MARKET, &format!("/api/targets?q={market_id}")).await;
    assert_ne!(after[0]["name"], "改名");
    let (_, other) = get_as(&server, HEALTH, "/api/targets?q=91320102MA0HEALTH01").await;
    assert_eq!(other.as_array().map(Vec::len), Some(0), "{other}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_supervisor_sees_health_items_and_inspectors_only() {
    let server = Server::start().await;
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, HEALTH).await;
    browser.open(&server.page("/directories/items")).await;
    heading_is(&browser, "Inspection items").await;
    let items = browser.text("table#items tbody").await;
    assert!(items.contains("HEALTH-01"), "{items}");
    for market in ["FOOD-01", "FOOD-02", "DRUG-01", "SE-01"] {
        assert!(!items.contains(market), "health sees market's {market}: {items}");
    }
    check_page(&browser, "directories-items", "table#items").await;
    browser.element(".sub-nav a[href='#/directories/inspectors']").await.click().await.unwrap();
    heading_is(&browser, "Inspector directory").await;
    let inspectors = browser.text("table#inspectors tbody").await;
    assert_eq!(browser.count("table#inspectors tbody tr").await, 12, "{inspectors}");
    assert!(!inspectors.contains("M0"), "health sees market's inspectors: {inspectors}");
    // The server answers the same: the inspector directory is scoped.
    let (_, listed) = get_as(&server, HEALTH, "/api/inspectors").await;
    assert!(listed.as_array().unwrap().iter().all(|row| row["department"] == "health"), "{listed}");
    check_page(&browser, "directories-inspectors", "table#inspectors").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recusals_and_the_calendar_are_listed_and_a_day_is_made_ordinary() {
    let server = Server::start().await;
    let browser = Browser::start("zh-CN").await;
    sign_in(&browser, &server, MARKET).await;
    browser.open(&server.page("/directories/recusals")).await;
    heading_is(&browser, "回避关系").await;
    let (_, recusals) = get_as(&server, MARKET, "/api/recusals").await;
    let shown = if recusals.as_array().unwrap().is_empty() { "p#recusals" } else { "table#recusals" };
    browser.element(shown).await;
    check_page(&browser, "directories-recusals", shown).await;

    browser.open(&server.page("/directories/calendar?year=2026")).await;
    heading_is(&browser, "工作日历").await;
    let before = browser.count("table#calendar tbody tr").await;
    assert!(before > 20, "the demo's 2026 calendar is listed ({before} rows)");
    text_contains(&browser, "table#calendar", "国庆节").await;
    check_page(&browser, "directories-calendar", "table#calendar").await;
    browser.element("table#calendar button[data-date='2026-01-01']").await.click().await.unwrap();
    text_contains(&browser, ".action-status", "2026-01-01").await;
    assert_eq!(browser.count("table#calendar tbody tr").await, before - 1);
    assert_eq!(browser.count("table#calendar button[data-date='2026-01-01']").await, 0);
    let (_, days) = get_as(&server, MARKET, "/api/calendar?year=2026").await;
    assert!(days.as_array().unwrap().iter().all(|day| day["date"] != "2026-01-01"));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_is_retired_with_a_reason_after_reading_what_that_means() {
    let server = Server::start().await;
    let (_, items) = get_as(&server, MARKET, "/api/items").await;
    let item = items
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["department"] == "market" && item["retired_on"].is_null())
        .expect("the demo has a market item in force");
    let code = item["code"].as_str().unwrap().to_owned();
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;
    browser.open(&server.page("/directories/items")).await;
    heading_is(&browser, "Inspection items").await;
    browser.element(&format!("#retire-{code}")).await.click().await.unwrap();
    let meaning = text_contains(&browser, "#retire-meaning", "stays on the public item list").await;
    assert!(meaning.contains("cannot be used in new tasks"), "{meaning}");

    // Without a reason the server refuses, and says so beside the field.
    browser.element("#retire-confirm").await.click().await.unwrap();
    text_contains(&browser, "#retire-reason-error", "reason").await;
    check_page(&browser, "directories-item-retire", "#retire-reason-error").await;
    let (_, still) = get_as(&server, MARKET, "/api/items").await;
    let still = still.as_array().unwrap().iter().find(|row| row["code"] == code.as_str()).unwrap().clone();
    assert!(still["retired_on"].is_null(), "nothing changed: {still}");

    type_into(&browser, "#retire-reason", "依据新的抽查事项清单废止").await;
    browser.element("#retire-confirm").await.click().await.unwrap();
    text_contains(&browser, "#retire-done", "no longer offered for new tasks").await;
    let row = text_contains(&browser, "table#items tbody", "retired on").await;
    assert!(row.contains(&code), "{row}");
    assert_eq!(browser.count(&format!("#retire-{code}")).await, 0, "a retired item has no retire button");
    check_page(&browser, "directories-item-retired", "#retire-done").await;
    let (_, public) = get_as(&server, MARKET, &format!("/api/public/items/{code}")).await;
    assert!(public["retired_on"].is_string(), "{public}");
    browser.close().await;
}

/// On a phone, where each row of a table is a card of labelled lines: the
/// boxes the browser gives each line's label (the column's name) and value,
/// as (cells measured, what is wrong). A label must show, stay inside its
/// own line, and overlap no value and no other label of its card.
const MEASURE_CARDS: &str = r#"
const problems = [];
let cells = 0;
for (const row of document.querySelectorAll('table.stack tbody tr')) {
  const boxes = [];
  for (const cell of row.querySelectorAll(':scope > td, :scope > th')) {
    const label = cell.querySelector(':scope > .cell-label');
    const value = cell.querySelector(':scope > .cell-value');
    if (!label || !value) {
      problems.push(`a cell without a label and a value: ${cell.textContent}`);
      continue;
    }
    cells += 1;
    const [line, l, v] = [cell, label, value].map((el) => el.getBoundingClientRect());
    const name = label.textContent;
    if (!l.width || !l.height) problems.push(`${name}: the label does not show`);
    if (l.top < line.top - 0.5 || l.bottom > line.bottom + 0.5 || l.left < line.left - 0.5 || l.right > line.right + 0.5) {
      problems.push(`${name}: the label (${l.top}–${l.bottom}) leaves its line (${line.top}–${line.bottom})`);
    }
    boxes.push([`the label ${name}`, l, true], [`the value of ${name}`, v, false]);
  }
  for (let i = 0; i < boxes.length; i += 1) {
    for (let j = i + 1; j < boxes.length; j += 1) {
      const [an, a, aLabel] = boxes[i];
      const [bn, b, bLabel] = boxes[j];
      if (!(aLabel || bLabel) || !a.width || !a.height || !b.width || !b.height) continue;
      const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (across > 0.5 && down > 0.5) problems.push(`${an} overlaps ${bn} by ${across.toFixed(1)}×${down.toFixed(1)} px`);
    }
  }
}
return [cells, problems.slice(0, 12)];
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_each_directory_table_label_stays_clear_of_the_values() {
    let server = Server::start().await;
    for language in ["en-US", "zh-CN"] {
        let browser = Browser::start(language).await;
        sign_in(&browser, &server, MARKET).await;
        browser.resize(390, 844).await;
        for (page, table) in [
            ("/directories/items", "table#items"),
            ("/directories/targets", "table#targets"),
            ("/directories/inspectors", "table#inspectors"),
            ("/directories/calendar?year=2026", "table#calendar"),
        ] {
            browser.open(&server.page(page)).await;
            browser.element(table).await;
            let width: f64 = serde_json::from_value(
                browser.client.execute("return window.innerWidth", Vec::new()).await.unwrap(),
            )
            .unwrap();
            assert!(width <= 390.0, "{page}: measured on a phone, the window is {width} px wide");
            let measured = browser.client.execute(MEASURE_CARDS, Vec::new()).await.unwrap();
            let (cells, problems): (u64, Vec<String>) = serde_json::from_value(measured).unwrap();
            assert!(cells > 0, "{page} in {language}: no labelled cell was measured");
            assert!(problems.is_empty(), "{page} in {language} on a phone: {problems:#?}");
        }
        browser.close().await;
    }
}
