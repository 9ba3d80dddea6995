//! The department's annual plans in the console: a supervisor starts a
//! draft with rows of items and batches (added and removed by keyboard), is
//! told beside the field why the server refused it, saves it, approves it
//! after confirming that it becomes final and public, derives a batch's
//! quotas and opens the new-task form filled in from them; the dashboard
//! names a plan whose batches are over before its target is reached, and
//! an item whose batches fall short of its frequency.
//! Every page passes axe-core's check in both languages.

use fantoccini::key::Key;

use crate::browser_support::Browser;
use chrono::Datelike;

use crate::staff_api::{get_as, send_as};
use crate::support::{MARKET, Server, check_page, click, heading_is, sign_in, text_contains, type_into};

const CODE: &str = "2026-market-console";

/// Presses Enter on the control `css`, reached by the keyboard's focus.
async fn press(browser: &Browser, css: &str) {
    browser.client.execute(&format!("document.querySelector(\"{css}\").focus();"), Vec::new()).await.unwrap();
    browser.client.active_element().await.unwrap().send_keys(&Key::Enter.to_string()).await.unwrap();
}

/// The id of the element that has the focus.
async fn focused(browser: &Browser) -> String {
    let id = browser
        .client
        .execute("return document.activeElement ? document.activeElement.id : '';", Vec::new())
        .await
        .unwrap();
    id.as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_drafts_approves_and_derives_the_quotas_of_a_plan() {
    let server = Server::start().await;
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;
    click(&browser, "#console-nav a[href='#/plans']").await;
    heading_is(&browser, "Annual plans").await;
    check_page(&browser, "plans-list", "#new-plan").await;

    click(&browser, "#new-plan").await;
    heading_is(&browser, "New annual plan").await;
    check_page(&browser, "plans-form", "#plan-item-rows").await;
    type_into(&browser, "#plan-year", "2026").await;
    type_into(&browser, "#plan-code", CODE).await;
    type_into(&browser, "#plan-name", "2026年市场监管领域抽查工作计划（工作台）").await;
    browser.element("#plan-item-0").await.select_by_value("FOOD-01").await.unwrap();
    type_into(&browser, "#plan-ratio-0", "5").await;
    // A risk class's ratio below the item's: the server refuses it.
    type_into(&browser, "#plan-risk-0-D", "2").await;

    // A second item row, added and removed again by keyboard; the focus follows.
    press(&browser, "#add-plan-item").await;
    assert_eq!(browser.count("#plan-item-rows > .plan-item-row").await, 2);
    let new_row = focused(&browser).await;
    assert!(
        new_row.starts_with("plan-item-") && new_row != "plan-item-0",
        "the new row's item has the focus: {new_row}"
    );
    press(&browser, "#plan-item-rows > .plan-item-row:nth-child(2) .remove-row").await;
    assert_eq!(browser.count("#plan-item-rows > .plan-item-row").await, 1);

    type_into(&browser, "#plan-batch-rows .plan-batch-row input[id^='plan-batch-name-']", "第一批").await;
    let first = browser
        .attribute("#plan-batch-rows .plan-batch-row", "data-row", std::time::Duration::from_secs(5))
        .await;
    type_into(&browser, &format!("#plan-batch-starts-{first}"), "2026-03-01").await;
    type_into(&browser, &format!("#plan-batch-ends-{first}"), "2026-06-30").await;
    press(&browser, "#add-plan-batch").await;
    let second = focused(&browser).await.trim_start_matches("plan-batch-name-").to_owned();
    assert!(!second.is_empty() && second != first, "the new batch's name has the focus");
    type_into(&browser, &format!("#plan-batch-name-{second}"), "第二批").await;
    type_into(&browser, &format!("#plan-batch-starts-{second}"), "2026-07-01").await;
    type_into(&browser, &format!("#plan-batch-ends-{second}"), "2026-12-31").await;

    click(&browser, "#save-plan").await;
    text_contains(&browser, "#plan-risk-0-D-error", "below").await;
    text_contains(&browser, ".error-summary", "below").await;
    let (status, _) = get_as(&server, MARKET, &format!("/api/plans/{CODE}")).await;
    assert_eq!(status, 404, "nothing was saved");
    check_page(&browser, "plans-form-refused", "#plan-risk-0-D-error:not([hidden])").await;

    type_into(&browser, "#plan-risk-0-D", "20").await;
    // A frequency above the plan's two batches: refused beside its field.
    type_into(&browser, "#plan-frequency-0", "3").await;
    click(&browser, "#save-plan").await;
    text_contains(&browser, "#plan-frequency-0-error", "1 to 2 batches").await;
    type_into(&browser, "#plan-frequency-0", "2").await;
    click(&browser, "#save-plan").await;
    text_contains(&browser, "#confirmation", "The draft plan is saved").await;
    let (_, draft) = get_as(&server, MARKET, &format!("/api/plans/{CODE}")).await;
    assert_eq!(draft["state"], "draft", "{draft}");
    assert_eq!(draft["items"][0]["risk_ratios"]["D"], "20%", "{draft}");
    assert_eq!(draft["batches"].as_array().unwrap().len(), 2, "{draft}");
    assert_eq!(draft["items"][0]["draws_per_year"], 2, "{draft}");
    // The draft changed: its rows come back as saved, and a second item is added.
    click(&browser, "#edit-plan").await;
    heading_is(&browser, "Change the draft plan").await;
    assert_eq!(browser.count("#plan-batch-rows > .plan-batch-row").await, 2);
    assert_eq!(browser.attribute("#plan-risk-0-D", "value", std::time::Duration::from_secs(5)).await, "20%");
    press(&browser, "#add-plan-item").await;
    let added = focused(&browser).await;
    browser.element(&format!("#{added}")).await.select_by_value("FOOD-02").await.unwrap();
    type_into(&browser, &format!("#{}", added.replace("plan-item-", "plan-ratio-")), "3%").await;
    click(&browser, "#save-plan").await;
    text_contains(&browser, "#confirmation", "The changes to the draft are saved").await;
    let (_, changed) = get_as(&server, MARKET, &format!("/api/plans/{CODE}")).await;
    assert_eq!(changed["items"][1]["item"], "FOOD-02", "{changed}");
    assert_eq!(changed["items"][1]["ratio"], "3%", "{changed}");

    // A draft's quotas are a preview: no task can use them yet.
    click(&browser, "#derive-1").await;
    browser.element("#derive-draft").await;
    assert_eq!(browser.count("#derive-start").await, 0);
    check_page(&browser, "plans-draft", "#approve-section").await;

    // Approval asks for the confirmation first.
    click(&browser, "#approve-button").await;
    text_contains(&browser, "#approve-confirm-error", "final and public").await;
    let (_, still) = get_as(&server, MARKET, &format!("/api/plans/{CODE}")).await;
    assert_eq!(still["state"], "draft");
    click(&browser, "#approve-confirm").await;
    click(&browser, "#approve-button").await;
    text_contains(&browser, "#confirmation", "The plan is approved").await;
    let (_, approved) = get_as(&server, MARKET, &format!("/api/plans/{CODE}")).await;
    assert_eq!(approved["state"], "approved", "{approved}");
    assert_eq!(browser.count("#edit-plan").await, 0, "an approved plan is not changed");
    browser.open(&server.page(&format!("/plans/{CODE}/edit"))).await;
    text_contains(&browser, "#main .notice", "final").await;
    assert_eq!(browser.count("#save-plan").await, 0);
    browser.open(&server.page(&format!("/plans/{CODE}"))).await;
    heading_is(&browser, "2026年市场监管领域抽查工作计划（工作台）").await;
    text_contains(&browser, "#main", "2 batches a year").await;
    let public: serde_json::Value =
        reqwest::get(format!("{}/api/public/plans", server.address)).await.unwrap().json().await.unwrap();
    assert!(public.as_array().unwrap().iter().any(|plan| plan["code"] == CODE), "{public}");

    // The quotas of the first batch, as the server derives them.
    click(&browser, "#derive-1").await;
    browser.element("#derivation-table").await;
    let (_, derivation) = get_as(&server, MARKET, &format!("/api/plans/{CODE}/derivation?batch=1")).await;
    let strata: Vec<&serde_json::Value> = derivation["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|item| item["strata"].as_array().unwrap())
        .collect();
    assert!(!strata.is_empty(), "{derivation}");
    assert_eq!(browser.count("#derivation-table tbody tr").await, strata.len());
    let table = browser.text("#derivation-table").await;
    for stratum in &strata {
        assert!(table.contains(&stratum["annual_target"].to_string()), "{table} lacks {stratum}");
    }
    check_page(&browser, "plans-derivation", "#derivation-table").await;

    // The new-task form, filled in from the derivation.
    click(&browser, "#derive-start").await;
    heading_is(&browser, "New inspection task").await;
    browser.element("#plan-prefill").await;
    assert_eq!(browser.attribute("#plan-id", "value", std::time::Duration::from_secs(5)).await, CODE);
    let batch = browser
        .client
        .execute("return document.querySelector('#plan-batch').value;", Vec::new())
        .await
        .unwrap();
    assert_eq!(batch.as_str(), Some("1"));
    let ticked = browser
        .client
        .execute(
            "return [...document.querySelectorAll('input[name=items]:checked')].map((b) => b.value);",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(ticked, derivation["task"]["items"], "the plan's items");
    assert_eq!(ticked, serde_json::json!(["FOOD-01", "FOOD-02"]));
    let quotas = derivation["task"]["quota_by_stratum"].as_object().unwrap().len();
    assert_eq!(browser.count(".stratum-row").await, quotas, "a quota row per risk class");

    // The rest filled in as for any task; the server takes the plan's batch.
    let name = "2026年食品经营许可事项抽查（第一批）";
    type_into(&browser, "#task-name", name).await;
    type_into(&browser, "#certificate-date", "2026-12-20").await;
    type_into(&browser, "#entropy-source", "本次公开抽取会现场掷骰").await;
    type_into(&browser, "#event-date", "2027-01-05").await;
    type_into(&browser, "#event-time", "10:00:00").await;
    click(&browser, "#save-task").await;
    heading_is(&browser, name).await;
    let (_, tasks) = get_as(&server, MARKET, "/api/tasks").await;
    let task = tasks.as_array().unwrap().iter().find(|task| task["name"] == name).expect("the task is saved");
    assert_eq!(task["definition"]["plan_id"], CODE, "{task}");
    assert_eq!(task["definition"]["plan_batch"], 1, "{task}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_names_a_plan_whose_batches_ended_before_its_target() {
    let clock = opendraw::service::Clock::fixed(opendraw::domain::calendar::today());
    let server = Server::start_on(clock.clone()).await;
    let year = opendraw::domain::calendar::today().year();
    let name = "本年度食品安全监督抽检计划（仅一月）";
    let plan = serde_json::json!({
        "year": year,
        "code": "behind",
        "name": name,
        "items": [{"item": "FOOD-02", "ratio": "10%", "risk_ratios": {}, "regions": [], "industries": [], "draws_per_year": 1}],
        "batches": [{"number": 1, "name": "一月", "starts": format!("{year}-01-01"), "ends": format!("{year}-01-31")}],
    });
    let (status, answer) = send_as(&server, MARKET, reqwest::Method::POST, "/api/plans", plan).await;
    assert_eq!(status, 201, "{answer}");
    let (status, answer) =
        send_as(&server, MARKET, reqwest::Method::POST, "/api/plans/behind/approve", serde_json::json!({}))
            .await;
    assert_eq!(status, 200, "{answer}");
    // The last day of the year: the plan's only batch is long over, nothing drawn.
    clock.set(chrono::NaiveDate::from_ymd_opt(year, 12, 31).unwrap());
    let (_, board) = get_as(&server, MARKET, "/api/dashboard").await;
    let warning = board["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["plan"] == "behind")
        .unwrap_or_else(|| panic!("a warning for the plan: {board}"))
        .clone();

    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;
    heading_is(&browser, "Dashboard").await;
    let text = text_contains(&browser, "#plan-warnings", name).await;
    assert!(text.contains("no batch of the plan is left"), "{text}");
    assert!(text.contains(&format!("annual target of {}", warning["annual_target"])), "{text}");
    assert!(text.contains("drawn in 0 batches of the 1 a year the plan sets"), "the frequency too: {text}");
    check_page(&browser, "dashboard-plans", "#plan-warnings").await;
    click(&browser, "#plan-warnings a[href='#/plans/behind']").await;
    heading_is(&browser, name).await;
    browser.close().await;
}
