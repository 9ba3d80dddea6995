//! "One public" in the browser: the results page, its downloads, the
//! statistics, the entity search and the task page's results and
//! replacements — against the demo's published results, compared with what
//! the public API says, never with hard-coded counts.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;

use super::browser_support::Browser;
use super::{site, verify_task_one};

/// Rows the results page shows at once.
const RESULTS_PAGE: u64 = 50;
/// What the demo writes into every internal note, and nothing public says.
const INTERNAL_MARKER: &str = "内部备注";

const LOADED: Duration = Duration::from_secs(20);

async fn get_json(address: &str, path: &str) -> Value {
    let response = reqwest::get(format!("{address}{path}")).await.unwrap();
    assert!(response.status().is_success(), "{path}: {}", response.status());
    response.json().await.unwrap()
}

fn total(page: &Value) -> u64 {
    page["total"].as_u64().expect("a results page has a total")
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// An outcome some published results have but not all: (code, its total, the total of all).
async fn a_narrowing_outcome(address: &str) -> (String, u64, u64) {
    let all = total(&get_json(address, "/api/public/results").await);
    for outcome in get_json(address, "/api/public/outcomes").await.as_array().unwrap() {
        let code = text(&outcome["code"]).to_owned();
        let count = total(&get_json(address, &format!("/api/public/results?outcome={code}")).await);
        if count > 0 && count < all {
            return (code, count, all);
        }
    }
    panic!("the demo's results all have one outcome");
}

async fn attribute_of_each(browser: &Browser, css: &str, name: &str) -> Vec<String> {
    let mut values = Vec::new();
    for element in browser.client.find_all(fantoccini::Locator::Css(css)).await.unwrap() {
        values.push(element.attr(name).await.unwrap().unwrap_or_default());
    }
    values
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_results_page_lists_published_results_and_filters_by_outcome() {
    let (address, _service, _dir) = site(None).await;
    let everything = get_json(&address, "/api/public/results?limit=500").await;
    let all = total(&everything);
    assert!(all > 0, "the demo has published results");
    let browser = Browser::start("en-US").await;
    browser.open(&format!("{address}/results.html")).await;
    browser.attribute_becomes("#results", "data-total", &all.to_string(), LOADED).await;
    assert_eq!(browser.count("#results-table tbody tr.record").await as u64, all.min(RESULTS_PAGE));
    let shown = browser.text("#results").await;
    for record in everything["results"].as_array().unwrap().iter().take(RESULTS_PAGE as usize) {
        for field in ["target_name", "item_name", "summary", "task_name"] {
            assert!(
                shown.contains(text(&record[field])),
                "{field} {} is shown intact:\n{shown}",
                record[field]
            );
        }
    }
    browser.screenshot("results").await;

    let (code, count, _) = a_narrowing_outcome(&address).await;
    browser.element("#f-outcome").await.select_by_value(&code).await.unwrap();
    browser.element("#results-filter button[type=submit]").await.click().await.unwrap();
    browser.attribute_becomes("#results", "data-query", &format!("outcome={code}"), LOADED).await;
    browser.attribute_becomes("#results", "data-total", &count.to_string(), LOADED).await;
    let outcomes = attribute_of_each(&browser, "#results-table tr.record", "data-outcome").await;
    assert_eq!(outcomes.len() as u64, count.min(RESULTS_PAGE), "the list narrowed to the API's total");
    assert!(outcomes.iter().all(|o| *o == code), "only {code} is listed: {outcomes:?}");
    let url = browser.client.current_url().await.unwrap();
    assert!(url.as_str().contains(&format!("outcome={code}")), "the filter is in the address: {url}");
    browser.client.execute("document.getElementById('list-section').scrollIntoView()", vec![]).await.unwrap();
    browser.screenshot("results-filtered").await;

    browser.open(url.as_str()).await;
    browser.attribute_becomes("#results", "data-total", &count.to_string(), LOADED).await;
    let selected = browser.element("#f-outcome").await.prop("value").await.unwrap();
    assert_eq!(selected.as_deref(), Some(code.as_str()), "a link reproduces the view, filters included");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_records_show_their_evidence_digests_and_never_the_notes() {
    let (address, _service, _dir) = site(None).await;
    let everything = get_json(&address, "/api/public/results?limit=500").await;
    let with_evidence: Vec<&Value> = everything["results"]
        .as_array()
        .unwrap()
        .iter()
        .take(RESULTS_PAGE as usize)
        .filter(|r| r["attachments"].as_array().is_some_and(|a| !a.is_empty()))
        .collect();
    assert!(!with_evidence.is_empty(), "the demo publishes results with photos");
    let browser = Browser::start("zh-CN").await;
    browser.open(&format!("{address}/results.html")).await;
    browser.attribute_becomes("#results", "data-total", &total(&everything).to_string(), LOADED).await;
    for record in &with_evidence {
        let row = format!("tr[data-reference='{}']", text(&record["reference"]));
        browser.element(&format!("{row} .evidence-digests summary")).await.click().await.unwrap();
        for file in record["attachments"].as_array().unwrap() {
            let digest = text(&file["sha256"]);
            let shown =
                browser.text(&format!("{row} .evidence-digests li[data-sha256='{digest}'] code")).await;
            assert_eq!(shown, digest, "the record's evidence digest is shown whole");
        }
    }
    let page = browser.text("#results").await;
    assert!(page.contains("证据文件"), "the evidence line is in Chinese on the Chinese page");
    assert!(!page.contains(INTERNAL_MARKER), "no internal note reaches the page");
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "results page with evidence opened: {violations:#?}");
    browser.screenshot("results-evidence").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_download_keeps_the_filters_the_bom_and_the_chinese_text() {
    let (address, _service, _dir) = site(None).await;
    let (code, count, all) = a_narrowing_outcome(&address).await;
    let expected = get_json(&address, &format!("/api/public/results?outcome={code}&limit=500")).await;
    let browser = Browser::start("en-US").await;
    browser.open(&format!("{address}/results.html?outcome={code}")).await;
    browser.attribute_becomes("#results", "data-total", &count.to_string(), LOADED).await;
    let href = browser.element("#download-csv-zh").await.prop("href").await.unwrap().unwrap();
    assert!(href.contains(&format!("outcome={code}")), "the download carries the filter: {href}");

    let bytes = reqwest::get(&href).await.unwrap().bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a BOM, for spreadsheet programs");
    let mut csv = csv::Reader::from_reader(&bytes[3..]);
    let header = csv.headers().unwrap().clone();
    let column = |name: &str| {
        header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    };
    for name in [
        "抽查计划名称",
        "抽查任务名称",
        "检查类型",
        "检查机关",
        "检查对象名称",
        "检查事项",
        "检查结果",
        "检查完成日期",
        "公示日期",
    ] {
        column(name);
    }
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len() as u64, count, "every matching row, and only those ({all} in all)");
    let code_column = column("检查结果代码");
    assert!(rows.iter().all(|row| row[code_column] == *code), "only {code} rows");
    let names: HashSet<&str> = rows.iter().map(|row| &row[column("检查对象名称")]).collect();
    for record in expected["results"].as_array().unwrap() {
        assert!(
            names.contains(text(&record["target_name"])),
            "{} is in the CSV intact",
            record["target_name"]
        );
    }

    let english = browser.element("#download-csv-en").await.prop("href").await.unwrap().unwrap();
    let english = reqwest::get(&english).await.unwrap().text().await.unwrap();
    let header = english.trim_start_matches('\u{feff}').lines().next().unwrap_or_default().to_owned();
    assert!(header.contains("inspecting authority") && header.contains("completion date"), "{header}");

    let json = browser.element("#download-json").await.prop("href").await.unwrap().unwrap();
    assert!(json.contains(&format!("outcome={code}")), "{json}");
    let page: Value = reqwest::get(&json).await.unwrap().json().await.unwrap();
    assert_eq!(total(&page), count);
    browser.close().await;
}

/// The value the chart's bar `key` shows, and the one its table shows.
async fn chart_numbers(browser: &Browser, chart: &str, key: &str) -> (String, String) {
    let bar = browser
        .attribute(&format!("#chart-{chart} svg g.bar[data-key=\"{key}\"]"), "data-value", LOADED)
        .await;
    let cell = browser
        .attribute(
            &format!("#chart-{chart} table tr[data-key=\"{key}\"] td[data-count]"),
            "data-count",
            LOADED,
        )
        .await;
    (bar, cell)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statistics_page_charts_every_statistic_with_the_api_numbers() {
    let (address, _service, _dir) = site(None).await;
    let statistics = get_json(&address, "/api/public/statistics").await;
    assert!(statistics["published"].as_u64().unwrap() > 0, "the demo has published results");
    let browser = Browser::start("en-US").await;
    browser.open(&format!("{address}/stats.html")).await;
    browser.attribute("#stats", "data-loaded", LOADED).await;
    for chart in ["outcome", "region", "risk", "month", "ontime"] {
        assert_eq!(
            browser.count(&format!("#chart-{chart} svg[role=img]")).await,
            1,
            "one SVG chart for {chart}"
        );
        assert_eq!(browser.count(&format!("#chart-{chart} svg title")).await, 1, "{chart} has a title");
        assert_eq!(browser.count(&format!("#chart-{chart} table")).await, 1, "{chart} has its table");
    }
    let published = statistics["published"].to_string();
    assert_eq!(browser.attribute("#stat-published", "data-count", LOADED).await, published);
    assert_eq!(browser.text("#stat-published").await, published);

    for (chart, list) in [("outcome", "by_outcome"), ("region", "by_region"), ("risk", "by_risk_class")] {
        for entry in statistics[list].as_array().unwrap() {
            let (bar, cell) = chart_numbers(&browser, chart, text(&entry["key"])).await;
            assert_eq!(bar, entry["count"].to_string(), "{list} {}: bar", entry["key"]);
            assert_eq!(cell, entry["count"].to_string(), "{list} {}: table", entry["key"]);
        }
    }
    for month in statistics["by_month"].as_array().unwrap() {
        for series in ["draws", "publications"] {
            let key = format!("{}/{series}", text(&month["month"]));
            let bar = browser
                .attribute(&format!("#chart-month g.bar[data-key=\"{key}\"]"), "data-value", LOADED)
                .await;
            assert_eq!(bar, month[series].to_string(), "{key}");
        }
    }
    let on_time = &statistics["on_time"];
    for key in ["on_time", "late", "overdue_unpublished"] {
        let (bar, cell) = chart_numbers(&browser, "ontime", key).await;
        assert_eq!((bar, cell), (on_time[key].to_string(), on_time[key].to_string()), "{key}");
    }
    let rate = browser.attribute("#stat-rate", "data-rate", LOADED).await;
    match on_time["rate"].as_f64() {
        Some(expected) => {
            assert!((rate.parse::<f64>().unwrap() - expected).abs() < 1e-9, "rate {rate}, API {expected}");
            let percent = format!("{:.1}", expected * 100.0);
            let percent = percent.trim_end_matches(".0");
            assert!(browser.text("#stat-rate").await.starts_with(percent), "the rate reads {percent} %");
        }
        None => assert_eq!(rate, ""),
    }
    browser.screenshot("statistics").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_entity_search_shows_the_selection_and_the_published_results_with_corrections() {
    let (address, _service, _dir) = site(None).await;
    let everything = get_json(&address, "/api/public/results?limit=500").await;
    let original = everything["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "corrected")
        .expect("the demo has a corrected result")
        .clone();
    let target = text(&original["target"]);
    let correction_reference = text(&original["corrected_by"]);
    let correction = everything["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reference"] == correction_reference)
        .expect("the correction is listed too");
    let view = get_json(&address, &format!("/api/public/entities/{target}")).await;
    let pool = view["pools"].as_array().unwrap().iter().find(|p| p["task"] == original["task"]).unwrap();
    assert_eq!(pool["selected"], true);

    let browser = Browser::start("zh-CN").await;
    browser.open(&format!("{address}/index.html?entity={target}")).await;
    let row = format!("#entity-results tr[data-reference=\"{correction_reference}\"]");
    browser.element(&row).await;
    assert_eq!(
        browser.count("#entity-results tr.record").await,
        view["results"].as_array().unwrap().len(),
        "every published record of the entity, corrected originals included"
    );
    let selected =
        format!("#entity-result tr[data-task-id=\"{}\"] [data-selected=\"true\"]", original["task"]);
    assert_eq!(browser.count(&selected).await, 1, "the pool says it was drawn");
    let shown = browser.text(&row).await;
    assert!(shown.contains(text(&correction["outcome_label"])), "the national wording: {shown}");
    assert!(shown.contains(text(&correction["correction_reason"])), "the reason: {shown}");
    let original_row = format!("#entity-results tr[data-reference=\"{}\"]", text(&original["reference"]));
    assert_eq!(browser.attribute(&original_row, "data-status", LOADED).await, "corrected");
    let link = browser.element(&format!("{original_row} a[data-ref=\"{correction_reference}\"]")).await;
    assert_eq!(
        link.attr("href").await.unwrap().as_deref(),
        Some(format!("#{correction_reference}").as_str())
    );
    browser.screenshot("entity-results-zh").await;
    browser.close().await;
}

/// Opens `page`, waits for `ready`, and checks that neither the internal
/// marker nor any of `secret` ids is anywhere in it.
async fn assert_nothing_internal(
    browser: &Browser,
    address: &str,
    page: &str,
    ready: &str,
    secret: &[String],
) {
    browser.open(&format!("{address}/{page}")).await;
    browser.element(ready).await;
    let source = browser.source().await;
    assert!(!source.contains(INTERNAL_MARKER), "{page} shows an internal note");
    for id in secret {
        assert!(!source.contains(id.as_str()), "{page} shows {id}, drawn in the sealed task");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_unpublished_result_or_internal_note_reaches_a_public_page() {
    let (address, service, _dir) = site(None).await;
    let pool = service.store().pool();
    let kept = opendraw::storage::results::of_tasks(pool, &[1, 2, 3, 5, 6]).await.unwrap();
    assert!(kept.iter().any(|r| r.notes.contains(INTERNAL_MARKER)), "the demo's notes carry the marker");
    let unpublished: Vec<_> = kept.iter().filter(|r| r.state != "published").collect();
    assert!(unpublished.iter().any(|r| r.task == 2), "the sealed task has a result, not published");

    // Targets of the sealed task that nothing public names.
    let mut public: HashSet<String> = HashSet::new();
    for task in [1, 6] {
        for target in
            get_json(&address, &format!("/api/public/tasks/{task}/selection")).await.as_array().unwrap()
        {
            public.insert(text(&target["target"]).to_owned());
        }
    }
    let published = get_json(&address, "/api/public/results?limit=500").await;
    public.extend(published["results"].as_array().unwrap().iter().map(|r| text(&r["target"]).to_owned()));
    let sealed: Vec<String> = opendraw::storage::tasks::selection(pool, 2)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.target)
        .filter(|target| !public.contains(target))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    assert!(!sealed.is_empty());

    for path in [
        "/api/public/results?limit=500",
        "/api/public/results.csv?lang=zh",
        "/api/public/statistics",
        "/api/public/log?limit=1000",
        "/api/public/tasks/2",
    ] {
        let body = reqwest::get(format!("{address}{path}")).await.unwrap().text().await.unwrap();
        assert!(!body.contains(INTERNAL_MARKER), "{path} carries an internal note");
        assert!(!sealed.iter().any(|id| body.contains(id.as_str())), "{path} names a sealed target");
    }

    let browser = Browser::start("zh-CN").await;
    let head = get_json(&address, "/api/public/log/head").await["seq"].as_u64().unwrap();
    let mut pages = vec![
        ("index.html".to_owned(), "#tasks [data-task-id]"),
        ("results.html?limit=500".to_owned(), "#results[data-total]"),
        ("results.html?task=2".to_owned(), "#results[data-total]"),
        ("stats.html".to_owned(), "#stats[data-loaded]"),
        ("items.html".to_owned(), "#items[data-state='ready']"),
        ("task.html?id=1".to_owned(), "#task-results"),
        ("task.html?id=2".to_owned(), "#timeline li"),
        ("task.html?id=6".to_owned(), "#task-results"),
    ];
    pages
        .extend((0..head).step_by(50).map(|after| (format!("log.html?after={after}"), "#log-entries table")));
    for (page, ready) in &pages {
        assert_nothing_internal(&browser, &address, page, ready, &sealed).await;
    }
    browser.open(&format!("{address}/results.html?limit=500")).await;
    browser.attribute("#results", "data-total", LOADED).await;
    for result in &unpublished {
        let listed = format!("tr.record[data-reference=\"{}\"]", result.reference);
        assert_eq!(browser.count(&listed).await, 0, "{} is not published", result.reference);
    }
    assert_eq!(browser.count("tr.record[data-task=\"2\"]").await, 0);

    // The entity search: a result not yet published is not there, and the sealed pool stays sealed.
    for result in &unpublished {
        browser.open(&format!("{address}/index.html?entity={}", result.target)).await;
        browser.element("#entity-results").await;
        let listed = format!("#entity-results tr[data-reference=\"{}\"]", result.reference);
        assert_eq!(browser.count(&listed).await, 0, "{} is not published", result.reference);
        assert!(!browser.source().await.contains(INTERNAL_MARKER));
        if result.task == 2 {
            assert_eq!(
                browser.count("#entity-result tr[data-task-id=\"2\"] [data-selected=\"sealed\"]").await,
                1
            );
            browser.screenshot("entity-sealed").await;
        }
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_one_lists_its_replacements_and_results_and_still_verifies() {
    let (address, _service, _dir) = site(None).await;
    let replacements = get_json(&address, "/api/public/tasks/1/replacements").await;
    let replacements = replacements.as_array().unwrap().clone();
    assert!(!replacements.is_empty(), "the demo replaced an inspector of task 1");
    let results = total(&get_json(&address, "/api/public/results?task=1").await);

    let browser = Browser::start("en-US").await;
    let (verified, failure) = verify_task_one(&browser, &address).await;
    assert_eq!(verified, "true", "{failure}");
    // The checks and the timeline are folded: opened, as a reader does.
    browser.element("#verify-details summary").await.click().await.unwrap();
    let checks = browser.count("#verify-report li.check[data-kind=\"replacement\"]").await;
    assert_eq!(checks, replacements.len(), "one check per replacement");
    assert_eq!(browser.count("#verify-report li.check.fail").await, 0);
    let kind = browser.text("#verify-report li.check[data-kind=\"replacement\"] .check-kind").await;
    assert_eq!(kind, "Replacement", "the check is named in words");

    assert_eq!(browser.count("#replacements tbody tr").await, replacements.len());
    for replacement in &replacements {
        let row = browser.text(&format!("#replacements tr[data-number=\"{}\"]", replacement["number"])).await;
        for field in ["target", "out", "in", "reason"] {
            assert!(row.contains(text(&replacement[field])), "{field} of replacement: {row}");
        }
    }
    assert_eq!(browser.count("#files [data-file=\"replacements.tsv\"]").await, 1);
    assert_eq!(browser.count("#task-results tr.record").await as u64, results.min(100));
    browser.element("#timeline-fold summary").await.click().await.unwrap();
    let replaced = browser.element("#timeline li[data-kind=\"task.replaced\"]").await.text().await.unwrap();
    assert!(replaced.contains("Inspector replaced"), "{replaced}");
    browser
        .client
        .execute("document.getElementById('replacements-section').scrollIntoView()", vec![])
        .await
        .unwrap();
    browser.screenshot("task-replacements").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_names_the_result_replacement_and_plan_entries_in_words() {
    let (address, _service, _dir) = site(None).await;
    let log = get_json(&address, "/api/public/log?limit=1000").await;
    let entries = log["entries"].as_array().unwrap();
    let browser = Browser::start("en-US").await;
    for (kind, words) in [
        ("task.replaced", "Inspector replaced"),
        ("result.submitted", "Result submitted for review"),
        ("result.returned", "Result returned for revision"),
        ("result.approved", "Result approved"),
        ("result.published", "Result published"),
        ("result.corrected", "Published result corrected"),
        ("plan.approved", "Annual plan approved"),
    ] {
        let seq = entries
            .iter()
            .find(|e| e["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in the demo"))["seq"]
            .as_u64()
            .unwrap();
        browser.open(&format!("{address}/log.html?after={}", seq - 1)).await;
        assert_eq!(browser.text(&format!("#seq-{seq} .kind")).await, words, "{kind}");
    }
    browser.element("#lang-switch").await.click().await.unwrap();
    browser.attribute_becomes("html", "lang", "zh-CN", LOADED).await;
    let corrected =
        entries.iter().find(|e| e["kind"] == "result.corrected").unwrap()["seq"].as_u64().unwrap();
    assert_eq!(browser.text(&format!("#seq-{corrected} .kind")).await, "公示结果更正");
    browser.close().await;
}

/// The demo's annual plan shows real progress: its revealed task of batch
/// 3 counts, its sealed task of batch 4 is listed but counts nothing, and
/// each task names the plan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_plan_counts_its_revealed_task_and_not_its_sealed_one() {
    let (address, _service, _dir) = site(None).await;
    let plans = get_json(&address, "/api/public/plans").await;
    let plan = &plans.as_array().unwrap()[0];
    assert_eq!(
        (text(&plan["department"]), plan["year"].as_i64(), plan["batches"].as_i64()),
        ("market", Some(2026), Some(4))
    );
    let path = format!("/api/public/plans/market/{}", text(&plan["code"]));
    let plan = get_json(&address, &path).await;
    let items = plan["items"].as_array().unwrap();
    let progress = |code: &str| items.iter().find(|i| i["item"] == code).unwrap()["progress"].clone();
    let tasks = get_json(&address, "/api/public/tasks").await;
    let of_plan = |state: &str| -> Vec<Value> {
        tasks
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["state"] == state && t["plan"]["code"] == plan["code"])
            .cloned()
            .collect()
    };
    let revealed = of_plan("revealed");
    assert_eq!(revealed.len(), 1, "{tasks}");
    let food = progress("FOOD-01");
    assert_eq!(food["drawn"], revealed[0]["drawn_count"], "{food}");
    assert!(food["drawn"].as_i64().unwrap() > 0 && food["results_published"].as_i64().unwrap() > 0, "{food}");
    assert!(
        food["annual_target"].as_i64().unwrap() > 0 && food["pool"].as_i64() > food["drawn"].as_i64(),
        "{food}"
    );
    let sealed = of_plan("drawn");
    assert_eq!(sealed.len(), 1, "{tasks}");
    assert_eq!(progress("DRUG-01")["drawn"], 0, "a sealed draw counts nothing");
    let fourth = &plan["batches"][3];
    assert!(fourth["tasks"].as_array().unwrap().iter().any(|t| t["id"] == sealed[0]["id"]), "{fourth}");
    assert_eq!(plan["batches"][2]["tasks"][0]["id"], revealed[0]["id"]);
}
