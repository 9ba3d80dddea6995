//! The public site in a real browser: headless Chromium driven through
//! chromedriver (Debian's `chromium` and `chromium-driver`, which .ci/run
//! installs), against the real server on a real port with the demo data.
//! A missing browser or driver fails these tests; they are never skipped.
//! Screenshots are written to target/screenshots/ for review. The draws
//! are tested here, the published results ("one public") in results.rs.

mod browser_support;
#[path = "browser/chrome.rs"]
mod chrome;
#[path = "browser/directories.rs"]
mod directories;
#[path = "browser/drand.rs"]
mod drand;
#[path = "browser/entropy_kinds.rs"]
mod entropy_kinds;
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;
#[path = "browser/items.rs"]
mod items;
#[path = "browser/log_checkpoint.rs"]
mod log_checkpoint;
#[path = "browser/log_proof.rs"]
mod log_proof;
#[path = "browser/pinned.rs"]
mod pinned;
#[path = "browser/plans.rs"]
mod plans;
#[path = "browser/public_phone.rs"]
mod public_phone;
#[path = "browser/results.rs"]
mod results;
#[path = "browser/rules.rs"]
mod rules;
#[path = "witness_process/mod.rs"]
mod witness_process;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use browser_support::Browser;
use fantoccini::Locator;
use futures_util::StreamExt;
use opendraw::protocol::verify::BundleFiles;
use opendraw::service::Service;
use opendraw::storage::Store;

/// The server with the demo data and the public site; `tamper` may alter
/// the bundle of task 1 on its way out, as a hostile server would.
async fn site(tamper: Option<fn(&mut BundleFiles)>) -> (String, Service, tempfile::TempDir) {
    site_with(tamper, false).await
}

/// Sends the bundle of task 1 in pieces of a few hundred bytes, one at a
/// time, as a slow network delivers a large one.
async fn in_small_pieces(request: Request, next: Next) -> Response {
    if request.uri().path() != "/api/public/tasks/1/bundle.tar" {
        return next.run(request).await;
    }
    let (parts, body) = next.run(unencoded(request)).await.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let pieces: Vec<bytes::Bytes> = bytes.chunks(300).map(bytes::Bytes::copy_from_slice).collect();
    let pieces = futures_util::stream::iter(pieces).then(|piece| async move {
        tokio::time::sleep(Duration::from_millis(1)).await;
        Ok::<_, std::convert::Infallible>(piece)
    });
    Response::from_parts(parts, Body::from_stream(pieces))
}

/// The request without `Accept-Encoding`: the bundle comes as the archive
/// itself, not gzipped, for the layers above that cut or change it (the
/// browser asks for gzip, and gets it from the site untouched).
fn unencoded(mut request: Request) -> Request {
    request.headers_mut().remove(axum::http::header::ACCEPT_ENCODING);
    request
}

/// The site of [`site`]; with `in_pieces`, the bundle arrives in small pieces.
async fn site_with(
    tamper: Option<fn(&mut BundleFiles)>,
    in_pieces: bool,
) -> (String, Service, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite:{}", dir.path().join("site.db").display())).await.unwrap();
    let service = Service::new(store);
    assert!(opendraw::demo::load_if_empty(&service).await.unwrap());
    let public = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public");
    let mut app = opendraw::http::router(service.clone(), Some(public));
    if let Some(tamper) = tamper {
        app = app.layer(axum::middleware::from_fn(move |request: Request, next: Next| async move {
            if request.uri().path() != "/api/public/tasks/1/bundle.tar" {
                return next.run(request).await;
            }
            let body = next.run(unencoded(request)).await.into_body();
            let tar = axum::body::to_bytes(body, usize::MAX).await.unwrap();
            let mut files = opendraw::files::bundle::from_tar("bundle.tar", &tar).unwrap();
            tamper(&mut files);
            Response::builder()
                .body(Body::from(opendraw::files::bundle::to_tar(&files)))
                .unwrap()
                .into_response()
        }));
    }
    if in_pieces {
        app = app.layer(axum::middleware::from_fn(in_small_pieces));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (address, service, dir)
}

/// Changes one byte of a member: the first byte after `after`, or with
/// `after` ending in a tab, the last byte of that line (a target id).
fn flip(files: &mut BundleFiles, member: &str, after: &str) {
    let bytes = files.member_mut(member).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let start = text.find(after).unwrap_or_else(|| panic!("{after:?} not in {member}"));
    let at = if after.ends_with('\t') {
        start + text[start..].find('\n').unwrap() - 1
    } else {
        start + after.len()
    };
    bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
}

/// Runs the page's verification of task 1 and returns (verified, first failure).
async fn verify_task_one(browser: &Browser, address: &str) -> (String, String) {
    browser.open(&format!("{address}/task.html?id=1")).await;
    browser.element("#verify-button").await.click().await.unwrap();
    let verified = browser.attribute("#verify-verdict", "data-verified", Duration::from_secs(60)).await;
    let failure = match verified.as_str() {
        "false" => browser.text("#verify-first-failure").await,
        _ => String::new(),
    };
    (verified, failure)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_lists_the_published_tasks() {
    let (address, _service, _dir) = site(None).await;
    let browser = Browser::start("en-US").await;
    browser.open(&format!("{address}/")).await;
    browser.element("#tasks [data-task-id]").await;
    let ids: Vec<String> = {
        let mut ids = Vec::new();
        for element in browser.client.find_all(Locator::Css("#tasks [data-task-id]")).await.unwrap() {
            ids.push(element.attr("data-task-id").await.unwrap().unwrap());
        }
        ids
    };
    for id in ["1", "2", "3", "5", "6"] {
        assert!(ids.contains(&id.to_string()), "task {id} is listed: {ids:?}");
    }
    assert!(!ids.contains(&"4".to_string()), "the draft is not listed");
    let unknown = reqwest::get(format!("{address}/api/no/such/thing")).await.unwrap();
    assert_eq!(unknown.status(), reqwest::StatusCode::NOT_FOUND);
    let body: serde_json::Value =
        unknown.json().await.expect("unknown API paths answer JSON even with the site served");
    assert_eq!(body["code"], "not_found");
    browser.screenshot("home").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revealed_draw_verifies_in_the_browser_with_every_check_passing() {
    let (address, _service, _dir) = site(None).await;
    let browser = Browser::start("en-US").await;
    let (verified, failure) = verify_task_one(&browser, &address).await;
    assert_eq!(verified, "true", "{failure}");
    let checks = browser.count("#verify-report li.check").await;
    assert!(checks >= 10, "every check is shown ({checks})");
    assert_eq!(browser.count("#verify-report li.check.fail").await, 0);
    assert!(browser.count("#selection tr").await > 10, "the selection is shown");
    browser.screenshot("task-revealed").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_arriving_in_small_pieces_gets_the_verdict_it_gets_whole() {
    let browser = Browser::start("en-US").await;
    let mut verdicts = Vec::new();
    for (tamper, in_pieces) in [
        (None, false),
        (None, true),
        (Some(tamper_targets as fn(&mut BundleFiles)), false),
        (Some(tamper_targets as fn(&mut BundleFiles)), true),
    ] {
        let (address, _service, _dir) = site_with(tamper, in_pieces).await;
        let (verified, failure) = verify_task_one(&browser, &address).await;
        let checks = browser.count("#verify-report li.check").await;
        let failed = browser.count("#verify-report li.check.fail").await;
        verdicts.push((verified, failure, checks, failed));
    }
    assert_eq!(verdicts[0].0, "true");
    assert!(verdicts[0].2 >= 10, "every check is shown: {verdicts:?}");
    assert_eq!(verdicts[1], verdicts[0], "the same report in pieces as whole");
    assert_eq!(verdicts[2].0, "false");
    assert_eq!(verdicts[3], verdicts[2], "the same failure in pieces as whole");
    browser.close().await;
}

fn tamper_targets(files: &mut BundleFiles) {
    flip(files, "targets.tsv", "\n913201")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_manifest_fails_its_digest_check_in_the_browser() {
    let (address, _service, _dir) = site(Some(|files| flip(files, "targets.tsv", "\n913201"))).await;
    let browser = Browser::start("en-US").await;
    let (verified, failure) = verify_task_one(&browser, &address).await;
    assert_eq!(verified, "false");
    let failed = browser.element("#verify-report li.check.fail").await;
    assert_eq!(failed.attr("data-kind").await.unwrap().as_deref(), Some("file-digest"));
    assert_eq!(failed.attr("data-subject").await.unwrap().as_deref(), Some("targets.tsv"));
    assert!(!failure.is_empty());
    browser.screenshot("task-tampered-manifest").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_secret_fails_the_secret_check_in_the_browser() {
    let (address, _service, _dir) = site(Some(|files| flip(files, "reveal.tsv", "secret\t"))).await;
    let browser = Browser::start("en-US").await;
    let (verified, _) = verify_task_one(&browser, &address).await;
    assert_eq!(verified, "false");
    let failed = browser.element("#verify-report li.check.fail").await;
    assert_eq!(failed.attr("data-kind").await.unwrap().as_deref(), Some("secret"));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_result_names_the_first_difference_in_the_browser() {
    let (address, _service, _dir) = site(Some(|files| flip(files, "result.tsv", "target\t1\t"))).await;
    let browser = Browser::start("en-US").await;
    let (verified, failure) = verify_task_one(&browser, &address).await;
    assert_eq!(verified, "false");
    let failed = browser.element("#verify-report li.check.fail").await;
    assert_eq!(failed.attr("data-kind").await.unwrap().as_deref(), Some("stratum"));
    assert!(failure.contains("position 1"), "the first difference is named: {failure}");
    browser.screenshot("task-tampered-result").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sealed_task_shows_no_selection_anywhere() {
    let (address, service, _dir) = site(None).await;
    let pool = service.store().pool();
    let task = opendraw::storage::tasks::get(pool, 2).await.unwrap().unwrap();
    assert_eq!(task.state, opendraw::domain::task::TaskState::Drawn);
    let drawn = opendraw::storage::tasks::selection(pool, 2).await.unwrap();
    let browser = Browser::start("en-US").await;
    browser.open(&format!("{address}/task.html?id=2")).await;
    browser.element("#sealed-notice").await;
    browser.element("#timeline").await;
    assert_eq!(browser.count("#selection").await, 0, "no selection table");
    assert_eq!(browser.count("#verify-button").await, 0, "nothing to verify yet");
    let page = browser.client.source().await.unwrap();
    for row in &drawn {
        assert!(!page.contains(&row.target), "drawn target {} appears in the page", row.target);
    }
    let api = reqwest::get(format!("{address}/api/public/tasks/2/selection")).await.unwrap();
    assert_eq!(api.status(), reqwest::StatusCode::NOT_FOUND, "and the API behind it returns none");
    browser.screenshot("task-sealed").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_changes_the_page_language() {
    let (address, _service, _dir) = site(None).await;
    let browser = Browser::start("en-US").await;
    browser.open(&format!("{address}/")).await;
    browser.element("#tasks [data-task-id]").await;
    assert_eq!(
        browser.attribute("html", "lang", Duration::from_secs(5)).await,
        "en",
        "English first, from the browser"
    );
    let english = browser.text("main").await;
    browser.element("#lang-switch").await.click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(browser.attribute("html", "lang", Duration::from_secs(5)).await, "zh-CN");
    let chinese = browser.text("main").await;
    assert_ne!(english, chinese);
    assert!(chinese.contains("抽查") || chinese.contains("任务"), "{chinese}");
    browser.screenshot("home-zh").await;
    browser.close().await;

    let browser = Browser::start("zh-CN").await;
    browser.open(&format!("{address}/")).await;
    browser.element("#tasks [data-task-id]").await;
    assert_eq!(
        browser.attribute("html", "lang", Duration::from_secs(5)).await,
        "zh-CN",
        "Chinese first for a Chinese browser"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_entity_search_finds_a_target_and_where_it_was_drawn() {
    let (address, service, _dir) = site(None).await;
    let drawn = opendraw::storage::tasks::selection(service.store().pool(), 1).await.unwrap();
    let target = drawn[0].target.clone();
    let browser = Browser::start("en-US").await;
    browser.open(&format!("{address}/")).await;
    let input = browser.element("#entity-id").await;
    input.send_keys(&target).await.unwrap();
    browser.element("#entity-search button, #entity-search [type=submit]").await.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let result = loop {
        let text = browser.text("#entity-result").await;
        if text.contains("2026") || Instant::now() > deadline {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        result.contains("2026年第三季度餐饮服务单位双随机抽查"),
        "the revealed task that drew it is named: {result}"
    );
    browser.screenshot("entity-search").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_public_page_passes_the_wcag_checks_in_both_languages() {
    let (address, _service, _dir) = site(None).await;
    for language in ["en-US", "zh-CN"] {
        let browser = Browser::start(language).await;
        for (page, ready) in [
            ("index.html", "#tasks [data-task-id]"),
            ("task.html?id=1", "#verify-button"),
            ("results.html", "#main table"),
            ("stats.html", "#main figure"),
            ("items.html", "#items[data-state='ready']"),
            ("rules.html", "#rules[data-state='ready']"),
            ("plans.html", "#plans[data-state='ready']"),
            ("directories.html", "#inspectors[data-state='ready']"),
            ("log.html", "#main table"),
            ("how.html", "#main h1"),
        ] {
            browser.open(&format!("{address}/{page}")).await;
            browser.element(ready).await;
            let violations = browser.accessibility_violations().await;
            assert!(violations.is_empty(), "{page} in {language}: {violations:#?}");
        }
        browser.close().await;
    }
}
