//! The annual plans page (plans.html) in both languages, on a desktop and
//! on a phone, with axe-core's check: the demo's approved plan listed,
//! reached by keyboard, its items with the year's progress (the bar and
//! the figures as text, both the API's), its batches with their tasks, and
//! a task of the plan linking back to it and saying whether its draw kept
//! to the plan's quotas; an item's frequency and its warning.

use std::time::Duration;

use serde_json::Value;

use super::browser_support::Browser;
use super::site;

const LOADED: Duration = Duration::from_secs(20);

async fn get(address: &str, path: &str) -> Value {
    reqwest::get(format!("{address}{path}")).await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_plan_shows_its_progress_in_both_languages_on_a_phone() {
    let (address, _service, _dir) = site(None).await;
    let plans = get(&address, "/api/public/plans").await;
    let summary = &plans.as_array().expect("a list of plans")[0];
    let (department, code) = (summary["department"].as_str().unwrap(), summary["code"].as_str().unwrap());
    let plan = get(&address, &format!("/api/public/plans/{department}/{code}")).await;
    let items = plan["items"].as_array().unwrap();
    let batches = plan["batches"].as_array().unwrap();
    assert!(
        items.iter().any(|item| item["progress"]["drawn"].as_i64().unwrap() > 0),
        "the demo's plan has drawn something: {plan}"
    );
    let task = batches
        .iter()
        .flat_map(|batch| batch["tasks"].as_array().unwrap())
        .next()
        .expect("a task of the plan")["id"]
        .as_i64()
        .unwrap();
    let kept_task = batches
        .iter()
        .flat_map(|batch| batch["tasks"].as_array().unwrap())
        .find(|task| task["kept"] == true)
        .expect("a task of the plan that kept to it")["id"]
        .as_i64()
        .unwrap();
    let frequency = items
        .iter()
        .find(|item| item["draws_per_year"].as_i64() == Some(2))
        .expect("an item to be drawn in two batches a year");
    assert!(
        plan["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["kind"] == "frequency_behind" && w["item"] == frequency["item"]),
        "the demo's plan warns of the item's frequency: {plan}"
    );
    for (language, heading, progress, kept, often) in [
        ("zh-CN", "年度抽查工作计划", "已抽取", ("符合计划配额", "符合："), "每年 2 个批次"),
        (
            "en-US",
            "Annual inspection plans",
            "targets drawn",
            ("kept to the plan's quotas", "Yes:"),
            "drawn in 2 batches a year",
        ),
    ] {
        let browser = Browser::start(language).await;
        browser.open(&format!("{address}/plans.html")).await;
        browser.attribute_becomes("#plans", "data-state", "ready", LOADED).await;
        assert_eq!(browser.text("h1").await, heading);
        let list = browser.text(&format!("#plans-{department}")).await;
        assert!(list.contains(code), "{language}: the list names {code}: {list}");
        let violations = browser.accessibility_violations().await;
        assert!(violations.is_empty(), "{language}, the list: {violations:#?}");

        // The plan, reached by keyboard from the list.
        let link = format!("#plans-{department} a[href*='code={code}']");
        browser
            .client
            .execute(&format!("document.querySelector(\"{link}\").focus();"), Vec::new())
            .await
            .unwrap();
        browser.client.active_element().await.unwrap().send_keys("\u{E007}").await.unwrap();
        browser.attribute_becomes("#plan", "data-code", code, LOADED).await;
        browser.attribute_becomes("#plans", "data-state", "ready", LOADED).await;
        assert_eq!(browser.count("#plan-items tbody tr").await, items.len());
        assert_eq!(browser.count("#plan-batches tbody tr").await, batches.len());
        for item in items {
            let name = item["item"].as_str().unwrap();
            let cell = browser.text(&format!("#plan-items .plan-progress[data-item='{name}']")).await;
            let (drawn, target) = (&item["progress"]["drawn"], &item["progress"]["annual_target"]);
            assert!(
                cell.contains(progress)
                    && cell.contains(&drawn.to_string())
                    && cell.contains(&target.to_string()),
                "{language}: {name}'s figures {drawn} of {target} as text: {cell}"
            );
            let bar = format!("#plan-items .plan-progress[data-item='{name}'] progress");
            assert_eq!(
                browser.attribute(&bar, "value", LOADED).await,
                drawn.as_i64().unwrap().min(target.as_i64().unwrap().max(1)).to_string()
            );
        }
        let tasks = browser.text("#plan-batches").await;
        assert!(tasks.contains(batches[0]["starts"].as_str().unwrap()), "{tasks}");
        assert_eq!(browser.count(&format!("#plan-batches a[href='task.html?id={task}']")).await, 1);
        let marked = browser.text(&format!("#plan-batches li[data-task-id='{kept_task}'] .kept")).await;
        assert_eq!(marked, kept.0, "{language}: the task is marked as kept to the plan");
        let item = frequency["item"].as_str().unwrap();
        let cell =
            browser.text(&format!("#plan-items .plan-progress[data-item='{item}'] .plan-frequency")).await;
        assert!(cell.contains(often), "{language}: {item}'s frequency: {cell}");
        let warnings = browser.text("#plan-warnings").await;
        assert!(warnings.contains(item), "{language}: the frequency warning names {item}: {warnings}");
        let violations = browser.accessibility_violations().await;
        assert!(violations.is_empty(), "{language}, the plan: {violations:#?}");
        browser.screenshot(&format!("plan-desktop-{language}")).await;

        // On a phone each row is a card whose cells say what they are.
        browser.resize(390, 844).await;
        let width =
            browser.client.execute("return document.documentElement.scrollWidth;", Vec::new()).await.unwrap();
        assert!(width.as_f64().unwrap() <= 390.0, "{language}: nothing wider than the phone ({width})");
        let display = browser
            .client
            .execute(
                "return getComputedStyle(document.querySelector('#plan-items tbody tr')).display;",
                Vec::new(),
            )
            .await
            .unwrap();
        assert_eq!(display.as_str(), Some("block"), "{language}: the rows are stacked cards");
        let violations = browser.accessibility_violations().await;
        assert!(violations.is_empty(), "{language}, the plan on a phone: {violations:#?}");
        browser.screenshot(&format!("plan-phone-{language}")).await;

        // A task of the plan names it and links back.
        browser.open(&format!("{address}/task.html?id={task}")).await;
        let href = browser.attribute("#task-plan", "href", LOADED).await;
        assert!(
            href.contains(&format!("code={code}")) && href.contains(&format!("department={department}")),
            "{href}"
        );
        browser.open(&format!("{address}/task.html?id={kept_task}")).await;
        assert_eq!(browser.attribute("#task-kept", "data-kept", LOADED).await, "true");
        let verdict = browser.text("#task-kept").await;
        assert!(
            verdict.starts_with(kept.1),
            "{language}: the task page says the draw kept to its plan: {verdict}"
        );
        let violations = browser.accessibility_violations().await;
        assert!(violations.is_empty(), "{language}, the task page: {violations:#?}");
        browser.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_no_department_approved_is_not_found() {
    let (address, _service, _dir) = site(None).await;
    let browser = Browser::start("en-US").await;
    browser.open(&format!("{address}/plans.html?department=market&code=no-such-plan")).await;
    let notice = browser.element("#plans .notice").await;
    assert!(notice.text().await.unwrap().contains("no-such-plan"));
    assert_eq!(browser.count("#plans a[href='plans.html']").await, 1, "a way back to the list");
    browser.close().await;
}
