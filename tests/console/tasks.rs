//! The task pages: a supervisor defines a task with the form, tries it,
//! checks the answers, commits, draws with the ceremony's entropy, sees the
//! sealed teams, replaces an inspector, reveals, and the public page
//! verifies the draw; another department sees none of it; a drawn task is
//! abandoned with a reason.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::browser_support::Browser;
use crate::staff_api::get_as;
use crate::support::{
    HEALTH, MARKET, Server, check_page, click, heading_is, sign_in, task_id_of_page, text_contains, type_into,
};

/// The demo's drawn (sealed) pharmacy task and its revealed restaurant task,
/// both of the market department.
const DEMO_DRAWN: i64 = 2;
const DEMO_REVEALED: i64 = 1;
/// The demo's newest task, revealed, of no plan.
const DEMO_NO_PLAN: i64 = 6;
/// The market department's approved annual plan in the demo, and the batch
/// its revealed restaurant task belongs to.
const DEMO_PLAN: &str = "JS-NJ-2026-01";
const DEMO_REVEALED_BATCH: i64 = 3;

/// A Beijing time `seconds` from now, as the form asks for it: the date and
/// the time apart.
fn beijing_in(seconds: i64) -> (String, String) {
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let at = (chrono::Utc::now() + chrono::Duration::seconds(seconds)).with_timezone(&beijing);
    (at.format("%Y-%m-%d").to_string(), at.format("%H:%M:%S").to_string())
}

/// The public log's head, to show that a step logged nothing.
async fn log_head(server: &Server) -> serde_json::Value {
    reqwest::get(format!("{}/api/public/log/head", server.address)).await.unwrap().json().await.unwrap()
}

/// The public view of a task: its status and body.
async fn public_task(server: &Server, id: i64) -> (u16, serde_json::Value) {
    let response = reqwest::get(format!("{}/api/public/tasks/{id}", server.address)).await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_defines_commits_draws_and_reveals_a_task_which_the_public_page_then_verifies() {
    let server = Server::start().await;
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;

    // The list: the demo's tasks, newest first, each saying what comes next.
    browser.open(&server.page("/tasks")).await;
    heading_is(&browser, "Inspection tasks").await;
    let first = browser.attribute("#task-list .task-card", "data-task-id", Duration::from_secs(5)).await;
    assert_eq!(first, "6", "newest first");
    assert!(browser.text("#task-list").await.contains("Next:"));
    check_page(&browser, "tasks-list", "#task-list").await;
    click(&browser, ".state-filter a[href='#/tasks?state=drawn']").await;
    browser
        .attribute_becomes(
            ".state-filter a[href='#/tasks?state=drawn']",
            "aria-current",
            "page",
            Duration::from_secs(20),
        )
        .await;
    assert_eq!(browser.count("#task-list .task-card").await, 1, "one task of the demo is drawn and sealed");

    // The form, in parts, each marked done as it is filled in.
    click(&browser, "#new-task").await;
    heading_is(&browser, "New inspection task").await;
    check_page(&browser, "task-form", "#part-list").await;
    assert_eq!(browser.text("#part-about-status").await, "Incomplete");
    let name = "2026年12月食品销售者双随机抽查（工作台）";
    type_into(&browser, "#task-name", name).await;
    assert_eq!(browser.text("#part-about-status").await, "Completed");
    type_into(&browser, "#plan-id", "JS-NJ-2026-02").await;
    click(&browser, "input[name=items][value='FOOD-02']").await;
    click(&browser, "input[name=industries][value='食品销售']").await;
    click(&browser, "input[name=flags][value='abnormal']").await;
    click(&browser, "input[name=strata][value='risk_class']").await;
    // A quota the server could not read is refused before sending, beside its field.
    type_into(&browser, "#quota-value", "three").await;
    click(&browser, "#add-stratum-quota").await;
    type_into(&browser, "#stratum-key-0", "D").await;
    type_into(&browser, "#stratum-value-0", "50").await;
    type_into(&browser, "#certificate-date", "2026-12-20").await;
    type_into(&browser, "#entropy-source", "本次公开抽取会现场掷骰").await;
    let (date, time) = beijing_in(3600);
    type_into(&browser, "#event-date", &date).await;
    type_into(&browser, "#event-time", &time).await;
    type_into(&browser, "#embargo-until", "2027-01-15").await;
    click(&browser, "#save-task").await;
    let summary = text_contains(&browser, ".error-summary", "percentage").await;
    assert!(!summary.contains("name"), "only the quota is wrong: {summary}");
    assert!(browser.text("#quota-value-error").await.contains("percentage"));
    assert_eq!(browser.text("#part-strata-status").await, "Incomplete");
    check_page(&browser, "task-form-error", ".error-summary").await;
    type_into(&browser, "#quota-value", "10").await;
    click(&browser, "#save-task").await;
    heading_is(&browser, name).await;
    browser.attribute_becomes("#confirmation", "data-done", "created", Duration::from_secs(20)).await;
    let id = task_id_of_page(&browser).await;

    // The trial run: counts per stratum, labelled as not the draw, logging nothing.
    let head = log_head(&server).await;
    click(&browser, "#dry-run").await;
    browser.element("#dry-run-report").await;
    assert!(browser.text("#dry-run-report .not-the-draw").await.contains("Not the draw"));
    let pool: u64 = browser.text("#dry-run-pool").await.parse().unwrap();
    let drawn: u64 = browser.text("#dry-run-drawn").await.parse().unwrap();
    assert!(pool > 0 && drawn > 0 && drawn <= pool, "pool {pool}, drawn {drawn}");
    let mut quotas = 0;
    for row in browser.client.find_all(Locator::Css("#dry-run-strata tbody tr td:last-child")).await.unwrap()
    {
        quotas += row.text().await.unwrap().parse::<u64>().unwrap();
    }
    assert_eq!(quotas, drawn, "the strata's quotas add up to what would be drawn");
    assert_eq!(browser.attribute("#dry-run-inspectors", "data-enough", Duration::from_secs(5)).await, "true");
    assert_eq!(log_head(&server).await, head, "a trial run logs nothing");
    check_page(&browser, "task-dry-run", "#dry-run-report").await;

    // Check your answers; "change" leads to the part, and back.
    check_page(&browser, "task-check-answers", "#check-answers").await;
    assert!(browser.text("#check-answers").await.contains("10% of the targets"));
    click(&browser, "#check-answers a.change-link[data-part=strata]").await;
    heading_is(&browser, "Change the draft task").await;
    let focused: String = serde_json::from_value(
        browser
            .client
            .execute("return document.activeElement.closest('section').id", Vec::new())
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(focused, "part-strata", "the change link lands on its part");
    type_into(&browser, "#quota-value", "20").await;
    click(&browser, "#save-task").await;
    browser.attribute_becomes("#confirmation", "data-done", "saved", Duration::from_secs(20)).await;
    text_contains(&browser, "#check-answers", "20% of the targets").await;
    // The ceremony a few seconds ahead, set just before committing.
    click(&browser, "#check-answers a.change-link[data-part=entropy]").await;
    heading_is(&browser, "Change the draft task").await;
    let (date, time) = beijing_in(25);
    type_into(&browser, "#event-date", &date).await;
    type_into(&browser, "#event-time", &time).await;
    click(&browser, "#save-task").await;
    browser.attribute_becomes("#confirmation", "data-done", "saved", Duration::from_secs(20)).await;
    let event_at = Instant::now() + Duration::from_secs(25);

    // Commit: refused without the confirmation, then done.
    click(&browser, "#commit-button").await;
    text_contains(&browser, "#commit-form .error-summary", "Tick the box").await;
    assert_eq!(public_task(&server, id).await.0, 404, "a draft is not public");
    click(&browser, "#commit-confirm").await;
    click(&browser, "#commit-button").await;
    browser.attribute_becomes("#confirmation", "data-done", "committed", Duration::from_secs(20)).await;
    let (status, public) = public_task(&server, id).await;
    assert_eq!((status, public["state"].as_str()), (200, Some("committed")), "{public}");
    check_page(&browser, "task-committed", "#confirmation").await;

    // The entropy: a character the format does not allow is refused as it is typed.
    type_into(&browser, "#entropy", "31415x").await;
    text_contains(&browser, "#entropy-error", "character 6").await;
    assert_eq!(
        browser.element("#entropy").await.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    click(&browser, "#draw-confirm").await;
    click(&browser, "#draw-button").await;
    text_contains(&browser, "#draw-form .error-summary", "character 6").await;
    assert_eq!(public_task(&server, id).await.1["state"], "committed", "nothing was sent");
    type_into(&browser, "#entropy", "3141532653564152635").await;
    text_contains(&browser, "#entropy-status", "19 characters").await;
    type_into(&browser, "#entropy", "31415326535641526354").await;
    assert_eq!(browser.element("#entropy").await.attr("aria-invalid").await.unwrap(), None);
    // The page says when the randomness has come; the server draws no earlier.
    if let Some(wait) = event_at.checked_duration_since(Instant::now()) {
        tokio::time::sleep(wait + Duration::from_secs(1)).await;
    }
    text_contains(&browser, "#entropy-not-yet", "you can draw now").await;
    click(&browser, "#draw-button").await;
    browser.attribute_becomes("#confirmation", "data-done", "drawn", Duration::from_secs(20)).await;

    // The sealed teams: shown to the supervisor, marked sealed, not public.
    browser.attribute_becomes("#selection-section", "data-sealed", "true", Duration::from_secs(20)).await;
    assert!(browser.text("#sealed-notice").await.contains("not public"));
    let rows = browser.count("#selection-table tbody tr").await;
    assert!(rows > 0, "the drawn targets are listed");
    let sealed = reqwest::get(format!("{}/api/public/tasks/{id}/selection", server.address)).await.unwrap();
    assert_ne!(sealed.status().as_u16(), 200, "the selection is not public while sealed");
    check_page(&browser, "task-drawn-sealed", "#selection-table").await;

    // Replacing an inspector, with a reason.
    let target = browser.attribute("#selection-table tbody tr", "data-target", Duration::from_secs(5)).await;
    let out = browser
        .attribute(
            &format!("#selection-table tr[data-target='{target}'] li"),
            "data-inspector",
            Duration::from_secs(5),
        )
        .await;
    browser.element("#replace-target").await.select_by_value(&target).await.unwrap();
    browser.element("#replace-inspector").await.select_by_value(&out).await.unwrap();
    click(&browser, "#replace-button").await;
    text_contains(&browser, "#replace-form .error-summary", "reason").await;
    type_into(&browser, "#replace-reason", "申报回避：与该单位负责人系近亲属").await;
    click(&browser, "#replace-button").await;
    let done = text_contains(&browser, "#replace-done .confirmation", &out).await;
    assert!(done.contains(&target), "{done}");
    let team =
        text_contains(&browser, &format!("#selection-table tr[data-target='{target}'] .team"), "").await;
    assert!(!team.contains(&out), "{out} gave way: {team}");
    text_contains(&browser, "#replacements", "申报回避").await;

    // The reveal: sealed until 2027-01-15, so only when released early.
    click(&browser, "#reveal-confirm").await;
    click(&browser, "#reveal-button").await;
    text_contains(&browser, "#reveal-form .error-summary", "Release it early").await;
    assert!(browser.text("#embargo-notice").await.contains("early"));
    click(&browser, "#release-early").await;
    click(&browser, "#reveal-button").await;
    browser.attribute_becomes("#confirmation", "data-done", "revealed", Duration::from_secs(20)).await;
    browser.attribute_becomes("#selection-section", "data-sealed", "false", Duration::from_secs(20)).await;
    assert_eq!(public_task(&server, id).await.1["state"], "revealed");
    check_page(&browser, "task-revealed", "#confirmation").await;

    // The printable notice, with the drawn targets and their teams.
    click(&browser, "#notice-link").await;
    heading_is(&browser, &format!("Spot-check draw result: {name}")).await;
    assert_eq!(browser.count("#notice-targets tbody tr").await, rows);
    assert!(browser.text("#notice").await.contains("Commitment digest"));
    check_page(&browser, "task-notice", "#notice-targets").await;

    // The public page verifies the draw, replacement included.
    let link = browser.attribute("#notice a[href^='/task.html']", "href", Duration::from_secs(5)).await;
    assert!(link.ends_with(&format!("/task.html?id={id}")), "{link}");
    browser.open(&format!("{}/task.html?id={id}", server.address)).await;
    click(&browser, "#verify-button").await;
    let verified = browser.attribute("#verify-verdict", "data-verified", Duration::from_secs(60)).await;
    assert_eq!(verified, "true", "{}", browser.text("#verify-report").await);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_department_can_neither_see_nor_act_on_the_task() {
    let server = Server::start().await;
    let browser = Browser::start("zh-CN").await;
    sign_in(&browser, &server, HEALTH).await;
    browser.open(&server.page("/tasks")).await;
    heading_is(&browser, "抽查任务").await;
    browser.element("#new-task").await;
    assert_eq!(
        browser.count(&format!("[data-task-id='{DEMO_DRAWN}']")).await,
        0,
        "market's task is not listed"
    );
    assert_eq!(browser.count(&format!("[data-task-id='{DEMO_REVEALED}']")).await, 0);
    for page in [
        format!("/tasks/{DEMO_DRAWN}"),
        format!("/tasks/{DEMO_DRAWN}/edit"),
        format!("/tasks/{DEMO_REVEALED}/notice"),
    ] {
        browser.open(&server.page(&page)).await;
        heading_is(&browser, "未找到该任务").await;
        assert_eq!(browser.count("#selection-table, #abandon, #reveal-form, #notice").await, 0, "{page}");
    }
    check_page(&browser, "task-not-found", "#main h1").await;
    assert_eq!(public_task(&server, DEMO_DRAWN).await.1["state"], "drawn", "nothing changed");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drawn_task_is_abandoned_with_a_reason_and_its_draw_is_published() {
    let server = Server::start().await;
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;
    browser.open(&server.page(&format!("/tasks/{DEMO_DRAWN}"))).await;
    browser.element("#selection-table").await;
    click(&browser, "#abandon-open").await;
    assert!(browser.text("#abandon-section .publishes").await.contains("published at once"));
    click(&browser, "#abandon-confirm").await;
    click(&browser, "#abandon-button").await;
    text_contains(&browser, "#abandon-form .error-summary", "reason").await;
    assert_eq!(public_task(&server, DEMO_DRAWN).await.1["state"], "drawn", "refused without a reason");
    let reason = "检查事项依据调整，本任务作废，另行立项";
    type_into(&browser, "#abandon-reason", reason).await;
    click(&browser, "#abandon-button").await;
    browser.attribute_becomes("#confirmation", "data-done", "abandoned", Duration::from_secs(20)).await;
    assert!(browser.text("#confirmation").await.contains("verified like any other"));
    assert!(browser.text("#abandoned-notice").await.contains(reason));
    let (_, public) = public_task(&server, DEMO_DRAWN).await;
    assert_eq!(public["state"], "abandoned", "{public}");
    check_page(&browser, "task-abandoned", "#confirmation").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_of_an_annual_plan_names_the_plan_and_its_batch_and_leads_to_it() {
    let server = Server::start().await;
    let (_, task) = get_as(&server, MARKET, &format!("/api/tasks/{DEMO_REVEALED}")).await;
    assert_eq!(task["plan"]["code"], DEMO_PLAN, "{task}");
    assert_eq!(task["plan"]["batch"], DEMO_REVEALED_BATCH);
    let name = task["plan"]["name"].as_str().unwrap().to_owned();
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;

    browser.open(&server.page(&format!("/tasks/{DEMO_REVEALED}"))).await;
    let line = text_contains(&browser, "#task-plan", &name).await;
    assert_eq!(line, format!("Plan: {name}, batch {DEMO_REVEALED_BATCH}"));
    let href = browser.attribute("#task-plan a", "href", Duration::from_secs(5)).await;
    assert_eq!(href, format!("#/plans/{DEMO_PLAN}"));
    check_page(&browser, "task-plan", "#task-plan").await;
    browser.element("#lang-switch").await.click().await.unwrap();
    let line = text_contains(&browser, "#task-plan", "年度计划").await;
    assert_eq!(line, format!("年度计划： {name}，第 {DEMO_REVEALED_BATCH} 批"));
    browser.element("#lang-switch").await.click().await.unwrap();
    text_contains(&browser, "#task-plan", "Plan:").await;

    // The link leads to the plan's page in the console.
    click(&browser, "#task-plan a").await;
    heading_is(&browser, &name).await;
    let url = browser.client.current_url().await.unwrap();
    assert_eq!(url.fragment(), Some(format!("/plans/{DEMO_PLAN}").as_str()));

    // A task of no plan names none.
    browser.open(&server.page(&format!("/tasks/{DEMO_NO_PLAN}"))).await;
    browser.element("#task-name").await;
    assert_eq!(browser.count("#task-plan").await, 0);
    let (_, other) = get_as(&server, MARKET, &format!("/api/tasks/{DEMO_NO_PLAN}")).await;
    assert!(other["plan"].is_null(), "{other}");
    browser.close().await;
}
