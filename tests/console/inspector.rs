//! The inspector on a phone (390×844): from the assignments to a submitted
//! result, one checklist point per page, a photo attached, the connection
//! dropped while typing (Chromium's network emulation) and nothing lost;
//! a returned result shows the supervisor's reason and is resubmitted; a
//! conflict of interest is declared from the assignment.

use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{Value, json};

use crate::browser_support::Browser;
use crate::staff_api::{get_as, request_as, send_as};
use crate::support::{HEALTH, MARKET, Server, check_page, heading_is, sign_in, text_contains, type_into};

/// The demo's inspectors with accounts (all share the demo password).
const INSPECTORS: [&str; 9] = ["M001", "M002", "M003", "M004", "M005", "M006", "H001", "H002", "H003"];
const PASSWORD: &str = "demo-inspector-pass";

/// A 1×1 PNG, as a phone's gallery might hold (far smaller, same kind).
const PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/// Chromium's network emulation through chromedriver (no W3C command
/// does this): `offline` cuts every request the page makes; `latency`
/// (milliseconds) delays each one, as a slow mobile network does.
#[derive(Debug)]
struct NetworkConditions {
    offline: bool,
    latency: u32,
}

impl WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(&self, base: &reqwest::Url, session: Option<&str>) -> Result<reqwest::Url, ParseError> {
        base.join(&format!("session/{}/chromium/network_conditions", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _url: &reqwest::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({"network_conditions": {
            "offline": self.offline, "latency": self.latency, "download_throughput": -1, "upload_throughput": -1,
        }});
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// The url crate's parse error, named through reqwest's re-export of its Url.
type ParseError = <reqwest::Url as std::str::FromStr>::Err;

async fn set_offline(browser: &Browser, offline: bool) {
    browser.client.issue_cmd(NetworkConditions { offline, latency: 0 }).await.expect("network emulation");
}

async fn set_latency(browser: &Browser, latency: u32) {
    browser.client.issue_cmd(NetworkConditions { offline: false, latency }).await.expect("network emulation");
}

/// An inspector account, a target and an item of theirs with nothing
/// recorded yet (no conflict declared on it), and the item's checklist.
struct Open {
    account: (String, &'static str),
    task: i64,
    target: String,
    item: String,
    points: Vec<Value>,
}

impl Open {
    fn account(&self) -> (&str, &str) {
        (&self.account.0, self.account.1)
    }

    fn result_path(&self) -> String {
        format!("/api/me/results/{}/{}/{}", self.task, self.target, self.item)
    }

    /// The item's line on the assignments page.
    fn item_css(&self) -> String {
        format!(
            ".assignment-task[data-task='{}'] .assignment-card[data-target='{}'] .assigned-item[data-item='{}'] a",
            self.task, self.target, self.item
        )
    }
}

/// The first item to record among the demo inspectors' assignments; with
/// a checklist (imported if the demo has none) when `checklist`.
async fn open_item(server: &Server, checklist: bool) -> Open {
    for id in INSPECTORS {
        let name = format!("inspector-{id}");
        let (status, assignments) = get_as(server, (&name, PASSWORD), "/api/me/assignments").await;
        assert_eq!(status, 200);
        for assignment in assignments.as_array().unwrap() {
            if !assignment["conflict"].is_null() {
                continue;
            }
            for item in assignment["items"].as_array().unwrap() {
                if item["to_do"] != "record" {
                    continue;
                }
                let code = item["item"].as_str().unwrap().to_owned();
                let path = format!("/api/items/{code}/checklist");
                let (_, mut points) = get_as(server, (&name, PASSWORD), &path).await;
                if checklist && points.as_array().is_none_or(|p| p.is_empty()) {
                    import_checklist(server, &code).await;
                    points = get_as(server, (&name, PASSWORD), &path).await.1;
                }
                return Open {
                    account: (name, PASSWORD),
                    task: assignment["task"].as_i64().unwrap(),
                    target: assignment["target"].as_str().unwrap().to_owned(),
                    item: code,
                    points: points.as_array().cloned().unwrap_or_default(),
                };
            }
        }
    }
    panic!("the demo has an item for an inspector to record");
}

/// Gives `item` a checklist of three points, through the import its
/// department's supervisor would use (when the demo has none for it).
async fn import_checklist(server: &Server, item: &str) {
    let csv = format!(
        "item_code,number,point,legal_basis,method\n\
         {item},1,生熟食品分开存放,《食品安全法》第三十三条,查看冷藏冷冻设施\n\
         {item},2,从业人员持有效健康证明,《食品安全法》第四十五条,查验健康证明\n\
         {item},3,进货查验记录完整,《食品安全法》第五十条,抽查近三个月记录\n"
    );
    for supervisor in [MARKET, HEALTH] {
        let response = request_as(server, supervisor, reqwest::Method::POST, "/api/checklists/import")
            .await
            .header("Content-Type", "text/csv; charset=utf-8")
            .body(csv.clone())
            .send()
            .await
            .unwrap();
        if response.status().is_success() {
            return;
        }
    }
    panic!("neither department's supervisor could import a checklist for {item}");
}

/// The inspector's result of `open` as the server has it.
async fn result_of(server: &Server, open: &Open) -> Value {
    let (status, result) = get_as(server, open.account(), &open.result_path()).await;
    assert_eq!(status, 200, "{result}");
    result
}

/// Waits until the server's result satisfies `check`.
async fn server_result_becomes(
    server: &Server,
    open: &Open,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, result) = get_as(server, open.account(), &open.result_path()).await;
        if status == 200 && check(&result) {
            return result;
        }
        assert!(Instant::now() < deadline, "the server's result never had {what}: {result}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Sets a date field as a date picker would (typing into one depends on the browser's locale).
async fn set_date(browser: &Browser, css: &str, day: &str) {
    browser.element(css).await;
    let script = "const el = document.querySelector(arguments[0]); el.value = arguments[1]; \
                  el.dispatchEvent(new Event('input', {bubbles: true}));";
    browser.client.execute(script, vec![json!(css), json!(day)]).await.unwrap();
}

async fn phone(browser: &Browser) {
    browser.resize(390, 844).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspector_records_a_result_on_a_phone_through_a_dropped_connection() {
    let server = Server::start().await;
    let open = open_item(&server, true).await;
    assert!(!open.points.is_empty(), "the item has a checklist");
    let browser = Browser::start("en-US").await;
    phone(&browser).await;
    sign_in(&browser, &server, open.account()).await;
    browser.element("#open-assignments").await.click().await.unwrap();
    heading_is(&browser, "My inspections").await;
    // The entity's address leads to a map.
    let card = format!(".assignment-card[data-target='{}']", open.target);
    let map = browser.attribute(&format!("{card} .map-web"), "href", Duration::from_secs(5)).await;
    assert!(map.starts_with("https://uri.amap.com/search?keyword="), "{map}");
    check_page(&browser, "inspector-assignments", ".assignment-card").await;
    phone(&browser).await;

    browser.element(&open.item_css()).await.click().await.unwrap();
    // One point per page: the first fails, the others comply.
    let total = open.points.len();
    for (index, point) in open.points.iter().enumerate() {
        heading_is(&browser, point["point"].as_str().unwrap()).await;
        text_contains(&browser, "#progress", &format!("Point {} of {total}", index + 1)).await;
        if index == 0 {
            // Continuing without an answer is refused, with the reason.
            browser.element("#next").await.click().await.unwrap();
            text_contains(&browser, ".error-summary", "Choose compliant").await;
            check_page(&browser, "inspector-point", "#answer-compliant").await;
            phone(&browser).await;
        }
        let answer = if index == 0 { "#answer-non_compliant" } else { "#answer-compliant" };
        browser.element(answer).await.click().await.unwrap();
        type_into(&browser, "#point-note", &format!("note on point {}", index + 1)).await;
        browser.element("#next").await.click().await.unwrap();
    }

    // The outcome proposed from a failed point: not "no problem".
    heading_is(&browser, "Outcome and evidence").await;
    assert!(browser.element("#outcome-rectify").await.is_selected().await.unwrap());
    assert!(!browser.element("#outcome-no_problem").await.is_enabled().await.unwrap());
    // The service's day (its time zone, the demo's clock), which may not be the browser's.
    set_date(&browser, "#inspection-date", &server.service.today().to_string()).await;
    type_into(&browser, "#summary", "Raw and cooked food kept together; corrected on the spot.").await;
    // The server has the answers typed so far.
    server_result_becomes(&server, &open, "every answer", |r| {
        r["answers"].as_array().is_some_and(|a| a.len() == total)
    })
    .await;

    browser.attribute_becomes("#draft-status", "data-state", "sent", Duration::from_secs(20)).await;
    // A photo from the gallery, downscaled to JPEG before it is sent.
    let dir = tempfile::tempdir().unwrap();
    let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, PNG).unwrap();
    let photo = dir.path().join("door.png");
    std::fs::write(&photo, &png).unwrap();
    browser.element("#evidence-file").await.send_keys(photo.to_str().unwrap()).await.unwrap();
    let shown =
        browser.attribute("#attachments li.evidence-item", "data-sha256", Duration::from_secs(20)).await;
    text_contains(&browser, "#attachments", "the same as computed on this device").await;
    let result = result_of(&server, &open).await;
    let attachment = &result["attachments"][0];
    assert_eq!(attachment["sha256"], shown.as_str());
    assert_eq!(attachment["media_type"], "image/jpeg");
    assert_eq!(attachment["name"], "door.jpg");
    let (status, _) =
        get_as(&server, open.account(), &format!("{}/attachments/{}", open.result_path(), attachment["id"]))
            .await;
    assert_eq!(status, 200);
    check_page(&browser, "inspector-finish", "#attachments li.evidence-item").await;
    phone(&browser).await;
    browser.attribute_becomes("#draft-status", "data-state", "sent", Duration::from_secs(20)).await;

    // The connection drops; typing goes on and is kept in the browser, and
    // so is a photo.
    set_offline(&browser, true).await;
    type_into(&browser, "#notes", "Typed while the connection was down.").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let state = browser.attribute("#draft-status", "data-state", Duration::from_secs(5)).await;
        if state == "offline" || state == "waiting" {
            // Still waiting after the send was tried.
            tokio::time::sleep(Duration::from_millis(1500)).await;
            let state = browser.attribute("#draft-status", "data-state", Duration::from_secs(5)).await;
            assert!(state == "offline" || state == "waiting", "{state}");
            break;
        }
        assert!(Instant::now() < deadline, "the draft status never said it waits: {state}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let counter = dir.path().join("counter.png");
    std::fs::write(&counter, &png).unwrap();
    browser.element("#evidence-file").await.send_keys(counter.to_str().unwrap()).await.unwrap();
    text_contains(&browser, "#queued-files", "counter.jpg").await;
    check_page(&browser, "inspector-offline", "#queued-files li.queued").await;
    phone(&browser).await;
    let result = result_of(&server, &open).await;
    assert!(!result["notes"].as_str().unwrap().contains("connection was down"));
    assert_eq!(result["attachments"].as_array().unwrap().len(), 1);
    // Back online, and a reload: the page has the text, and sends it, and the photo after it.
    set_offline(&browser, false).await;
    browser.client.refresh().await.unwrap();
    heading_is(&browser, "Outcome and evidence").await;
    assert_eq!(
        browser.element("#notes").await.prop("value").await.unwrap().unwrap(),
        "Typed while the connection was down."
    );
    let result = server_result_becomes(&server, &open, "the offline notes and photo", |r| {
        r["notes"] == "Typed while the connection was down."
            && r["attachments"].as_array().is_some_and(|a| a.len() == 2)
    })
    .await;
    assert_eq!(result["attachments"][1]["name"], "counter.jpg");
    browser.attribute_becomes("#draft-status", "data-state", "sent", Duration::from_secs(20)).await;
    text_contains(&browser, "#attachments", "counter.jpg").await;
    assert_eq!(browser.count("#queued-files li").await, 0);

    // Check the answers, and submit.
    browser.element("#to-check").await.click().await.unwrap();
    heading_is(&browser, "Check your answers").await;
    text_contains(&browser, "#check-point-1", "Non-compliant").await;
    check_page(&browser, "inspector-check", "#check-result").await;
    phone(&browser).await;
    browser.element("#submit-result").await.click().await.unwrap();
    heading_is(&browser, "Result submitted").await;
    check_page(&browser, "inspector-done", "#submitted").await;
    let result = result_of(&server, &open).await;
    assert_eq!(result["state"], "submitted");
    assert_eq!(result["outcome"], "rectify");
    assert_eq!(result["answers"][0]["answer"], "non_compliant");
    assert_eq!(result["attachments"].as_array().unwrap().len(), 2);
    // Submitted: the file stays; the page no longer offers to remove it.
    phone(&browser).await;
    browser.element("#back-to-assignments").await.click().await.unwrap();
    heading_is(&browser, "My inspections").await;
    browser.element(&open.item_css()).await.click().await.unwrap();
    heading_is(&browser, "Your result").await;
    browser.element("#attachments li.evidence-item").await;
    assert_eq!(browser.count(".remove-attachment").await, 0);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returned_result_shows_the_reason_and_is_resubmitted() {
    let server = Server::start().await;
    let open = open_item(&server, false).await;
    let answers: Vec<Value> = open
        .points
        .iter()
        .map(|p| json!({"number": p["number"], "answer": "compliant", "note": ""}))
        .collect();
    let mut input = json!({
        "outcome": "no_problem",
        "inspection_date": server.service.today().to_string(),
        "summary": "Nothing found.",
    });
    if !answers.is_empty() {
        input["answers"] = json!(answers);
    }
    let (status, saved) =
        send_as(&server, open.account(), reqwest::Method::PUT, &open.result_path(), input).await;
    assert_eq!(status, 201, "{saved}");
    let submit = format!("{}/submit", open.result_path());
    let (status, _) = send_as(&server, open.account(), reqwest::Method::POST, &submit, json!(null)).await;
    assert_eq!(status, 200);
    let supervisor = if saved["department"] == "health" { HEALTH } else { MARKET };
    let reason = "Add the licence number to the summary.";
    let path = format!("/api/results/{}/return", saved["id"]);
    let (status, _) =
        send_as(&server, supervisor, reqwest::Method::POST, &path, json!({"reason": reason})).await;
    assert_eq!(status, 200);

    let browser = Browser::start("en-US").await;
    phone(&browser).await;
    sign_in(&browser, &server, open.account()).await;
    browser.open(&server.page("/assignments")).await;
    heading_is(&browser, "My inspections").await;
    let card = format!(".assignment-card[data-target='{}']", open.target);
    text_contains(&browser, &format!("{card} .returned-reason"), reason).await;
    text_contains(&browser, &open.item_css(), "Fix and resubmit").await;
    browser.element(&open.item_css()).await.click().await.unwrap();
    text_contains(&browser, "#return-reason", reason).await;
    browser
        .open(&server.page(&format!("/assignments/{}/{}/{}?step=finish", open.task, open.target, open.item)))
        .await;
    heading_is(&browser, "Outcome and evidence").await;
    text_contains(&browser, "#return-reason", reason).await;
    check_page(&browser, "inspector-returned", "#return-reason").await;
    phone(&browser).await;
    // On a slow network the typing's own save is still under way when
    // "submit" is pressed: submitting waits for it and sends the rest,
    // rather than saying the draft could not be sent.
    type_into(&browser, "#summary", "Nothing found. Licence JY12345.").await;
    browser.element("#to-check").await.click().await.unwrap();
    heading_is(&browser, "Check your answers").await;
    set_latency(&browser, 1500).await;
    // The draft is sent 0.8 s after its last change; at 1 s that send is
    // on the (slow) way.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    browser.element("#submit-result").await.click().await.unwrap();
    heading_is(&browser, "Result submitted").await;
    set_latency(&browser, 0).await;
    let result = result_of(&server, &open).await;
    assert_eq!(result["state"], "submitted");
    assert_eq!(result["summary"], "Nothing found. Licence JY12345.");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspector_declares_a_conflict_of_interest_from_the_assignment() {
    let server = Server::start().await;
    let open = open_item(&server, false).await;
    let browser = Browser::start("zh-CN").await;
    phone(&browser).await;
    sign_in(&browser, &server, open.account()).await;
    browser.open(&server.page("/assignments")).await;
    heading_is(&browser, "我的检查").await;
    let card = format!(".assignment-card[data-target='{}']", open.target);
    browser.element(&format!("{card} details.conflict summary")).await.click().await.unwrap();
    // A reason is needed.
    browser.element(&format!("{card} .conflict-form button")).await.click().await.unwrap();
    text_contains(&browser, &format!("{card} .error-summary"), "请填写").await;
    browser
        .element(&format!("{card} .conflict-form textarea"))
        .await
        .send_keys("配偶在该单位任职")
        .await
        .unwrap();
    browser.element(&format!("{card} .conflict-form button")).await.click().await.unwrap();
    text_contains(&browser, &format!("{card} .confirmation"), "已申报").await;
    let (_, assignments) = get_as(&server, open.account(), "/api/me/assignments").await;
    let declared = assignments
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["task"] == open.task && a["target"] == open.target.as_str())
        .unwrap();
    assert_eq!(declared["conflict"]["reason"], "配偶在该单位任职");
    browser.close().await;
}
