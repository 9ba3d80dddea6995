//! The header and footer every page shares, drawn once by lib/chrome.js:
//! the skip link, the navigation with the current page marked, the language
//! switch, and the footer — with the authority's branding and departments'
//! names when the server publishes them (GET /api/public/site); without
//! branding (all fields empty) the footer is what it was before.

use std::path::PathBuf;
use std::time::Duration;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::IntoResponse;

use super::browser_support::Browser;
use super::site;

/// What a server with branding answers at /api/public/site.
fn published_site() -> serde_json::Value {
    serde_json::json!({
        "branding": {
            "authority_zh": "示例市市场监督管理局",
            "authority_en": "Example City Market Regulation Bureau",
            "contact": "010-12345678",
            "objection_channel": "objections@example.gov.cn",
            "icp_filing": "京ICP备12345678号"
        },
        "departments": [
            {"code": "market", "name_zh": "示例市场监管局", "name_en": "Example Market Bureau"}
        ]
    })
}

/// The demo site, with /api/public/site answered as a server with branding does.
async fn site_with_branding() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = opendraw::storage::Store::open(&format!("sqlite:{}", dir.path().join("site.db").display()))
        .await
        .unwrap();
    let service = opendraw::service::Service::new(store);
    assert!(opendraw::demo::load_if_empty(&service).await.unwrap());
    let public = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public");
    let app = opendraw::http::router(service, Some(public)).layer(axum::middleware::from_fn(
        |request: Request, next: Next| async move {
            if request.uri().path() == "/api/public/site" {
                return axum::Json(published_site()).into_response();
            }
            next.run(request).await
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (address, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_draws_the_same_header_and_footer_with_its_own_page_marked() {
    let (address, _service, _dir) = site(None).await;
    let browser = Browser::start("en-US").await;
    for (path, page) in [
        ("index.html", "home"),
        ("task.html?id=1", "task"),
        ("results.html", "results"),
        ("stats.html", "stats"),
        ("items.html", "items"),
        ("plans.html", "plans"),
        ("rules.html", "rules"),
        ("directories.html", "directories"),
        ("log.html", "log"),
        ("how.html", "how"),
    ] {
        browser.open(&format!("{address}/{path}")).await;
        browser.element("footer.site-footer").await;
        // The skip link comes first, to the main content.
        let skip = browser.element("body > a.skip:first-child").await;
        assert_eq!(skip.attr("href").await.unwrap().as_deref(), Some("#main"), "{path}");
        assert_eq!(browser.count("header.site-header").await, 1, "{path}");
        assert_eq!(browser.count("nav.site-nav a").await, 10, "{path}: the ten pages");
        assert_eq!(browser.count("nav.site-nav a[aria-current='page']").await, 1, "{path}");
        let current = browser
            .attribute("nav.site-nav a[aria-current='page']", "data-page", Duration::from_secs(5))
            .await;
        assert_eq!(current, page, "{path} marks itself");
        assert_eq!(browser.attribute("nav.site-nav", "aria-label", Duration::from_secs(5)).await, "Main");
        assert_eq!(browser.count("#lang-switch").await, 1, "{path}");
        assert_eq!(browser.count("main#main").await, 1, "{path}");
        let footer = browser.text("footer.site-footer").await;
        assert!(footer.contains("verifiable by anyone") && footer.contains("OpenAPI"), "{path}: {footer}");
        // The demo publishes its authority's branding: every footer names it.
        browser.element("#site-branding:not([hidden]) .footer-authority").await;
        let footer = browser.text("footer.site-footer").await;
        assert!(footer.contains("Nanjing Administration for Market Regulation"), "{path}: {footer}");
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_footer_and_the_tasks_use_what_the_server_publishes_about_itself() {
    let (address, _dir) = site_with_branding().await;
    let browser = Browser::start("en-US").await;
    browser.open(&format!("{address}/")).await;
    browser.element("#tasks [data-task-id]").await;
    browser.element("#site-branding:not([hidden]) .footer-authority").await;
    let footer = browser.text("footer.site-footer").await;
    for expected in [
        "Example City Market Regulation Bureau",
        "010-12345678",
        "objections@example.gov.cn",
        "京ICP备12345678号",
        "verifiable by anyone",
    ] {
        assert!(footer.contains(expected), "{expected} not in the footer: {footer}");
    }
    let register = browser.attribute(".footer-icp a", "href", Duration::from_secs(5)).await;
    assert_eq!(register, "https://beian.miit.gov.cn/");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !browser.text("#tasks").await.contains("Example Market Bureau") {
        assert!(std::time::Instant::now() < deadline, "the tasks never named the published department");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.screenshot("footer-branding").await;

    browser.element("#lang-switch").await.click().await.unwrap();
    browser.attribute_becomes("html", "lang", "zh-CN", Duration::from_secs(5)).await;
    let footer = browser.text("footer.site-footer").await;
    assert!(footer.contains("示例市市场监督管理局"), "{footer}");
    assert!(browser.text("#tasks").await.contains("示例市场监管局"));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_address_shows_the_not_found_page_in_both_languages_with_a_way_home() {
    let (address, _service, _dir) = site(None).await;
    let status = reqwest::get(format!("{address}/no/such/page.html")).await.unwrap().status();
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND);
    let browser = Browser::start("en-US").await;
    browser.open(&format!("{address}/no/such/page.html")).await;
    let heading = browser.text("main h1").await;
    assert!(heading.contains("找不到此页") && heading.contains("Page not found"), "{heading}");
    assert!(browser.count("main a[href='/']").await >= 1, "a link back to the home page");
    browser.screenshot("not-found").await;
    browser.element("main a[href='/']").await.click().await.unwrap();
    browser.element("#tasks [data-task-id]").await;
    browser.close().await;
}
