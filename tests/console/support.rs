//! A console session: the demo server and a browser signed in as one of
//! the demo's accounts.

#![allow(dead_code)]

use std::time::Duration;

use fantoccini::Locator;
use fantoccini::key::Key;
use opendraw::service::Service;
use opendraw::storage::Store;

use crate::browser_support::Browser;

/// The demo's accounts and their (demo-only) passwords.
pub const ADMIN: (&str, &str) = ("admin", "demo-admin-pass");
pub const MARKET: (&str, &str) = ("market-supervisor", "demo-market-pass");
pub const HEALTH: (&str, &str) = ("health-supervisor", "demo-health-pass");

/// The server with the demo data, its service, and the directory its
/// database lives in.
pub struct Server {
    pub address: String,
    pub service: Service,
    _dir: tempfile::TempDir,
}

impl Server {
    pub async fn start() -> Self {
        Self::start_on(opendraw::service::Clock::default()).await
    }

    /// The server on `clock`: a fixed clock lets a test move the days on
    /// (deadlines come and pass) after the demo is loaded.
    pub async fn start_on(clock: opendraw::service::Clock) -> Self {
        Self::start_configured(clock, |service| service).await
    }

    /// The server on `clock`, its service set up by `configure` (drand
    /// relays, ...).
    pub async fn start_configured(
        clock: opendraw::service::Clock,
        configure: impl FnOnce(Service) -> Service,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store =
            Store::open(&format!("sqlite:{}", dir.path().join("console.db").display())).await.unwrap();
        let service = configure(Service::with_clock(store, clock));
        assert!(opendraw::demo::load_if_empty(&service).await.unwrap());
        let app = opendraw::http::router_with_site(
            service.clone(),
            opendraw::http::site::Site::BuiltIn,
            opendraw::http::limits::Limits::default(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server { address, service, _dir: dir }
    }

    /// A console page's address: `page` is the fragment's path, `/tasks/3`.
    pub fn page(&self, page: &str) -> String {
        format!("{}/console/#{page}", self.address)
    }
}

/// Signs in through the sign-in form and waits for the dashboard.
pub async fn sign_in(browser: &Browser, server: &Server, (name, password): (&str, &str)) {
    browser.open(&server.page("/sign-in")).await;
    type_into(browser, "#username", name).await;
    type_into(browser, "#password", password).await;
    browser.element("#sign-in").await.click().await.unwrap();
    browser.element("#sign-out").await;
}

/// Clicks the element `css`, naming it if it cannot be clicked.
pub async fn click(browser: &Browser, css: &str) {
    browser.element(css).await.click().await.unwrap_or_else(|e| panic!("clicking {css}: {e}"));
}

/// The task's id from the page's address (#/tasks/ID?…).
pub async fn task_id_of_page(browser: &Browser) -> i64 {
    let url = browser.client.current_url().await.unwrap();
    let fragment = url.fragment().unwrap_or_default().to_owned();
    let id = fragment.trim_start_matches("/tasks/").split(['?', '/']).next().unwrap_or_default();
    id.parse().unwrap_or_else(|_| panic!("no task id in {fragment}"))
}

/// Types `text` into the field `css` (after clearing it), as a person would.
pub async fn type_into(browser: &Browser, css: &str, text: &str) {
    let field = browser.element(css).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Presses Enter in the field `css`.
pub async fn press_enter(browser: &Browser, css: &str) {
    browser.element(css).await.send_keys(&Key::Enter.to_string()).await.unwrap();
}

/// Waits until the text of `css` contains `needle`, and returns that text;
/// an element not there yet, or replaced while it is read, is read again.
pub async fn text_contains(browser: &Browser, css: &str, needle: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let text = match browser.client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains(needle) {
            return text;
        }
        assert!(std::time::Instant::now() < deadline, "{css} never contained {needle:?}; it reads {text:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the page's first heading reads `text`.
pub async fn heading_is(browser: &Browser, text: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(heading) = browser.client.find(Locator::Css("#main h1")).await
            && heading.text().await.unwrap_or_default() == text
        {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the heading never became {text:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Checks the page as it is now with axe-core, in the current language,
/// and photographs it on a desktop and on a phone; then switches the
/// language and does both again, and switches back. `ready` is an element
/// that shows the page has drawn what it shows.
pub async fn check_page(browser: &Browser, name: &str, ready: &str) {
    for _ in 0..2 {
        browser.element(ready).await;
        let language = browser.attribute("html", "lang", Duration::from_secs(5)).await;
        let short = if language.starts_with("zh") { "zh" } else { "en" };
        let violations = browser.accessibility_violations().await;
        assert!(violations.is_empty(), "console page {name} in {language}: {violations:#?}");
        browser.screenshot(&format!("console-{name}-{short}-desktop")).await;
        browser.resize(390, 844).await;
        browser.element(ready).await;
        let violations = browser.accessibility_violations().await;
        assert!(violations.is_empty(), "console page {name} in {language} on a phone: {violations:#?}");
        browser.screenshot(&format!("console-{name}-{short}-phone")).await;
        browser.resize(1280, 1000).await;
        browser.element("#lang-switch").await.click().await.unwrap();
        let switched = if short == "zh" { "en" } else { "zh-CN" };
        browser.attribute_becomes("html", "lang", switched, Duration::from_secs(5)).await;
    }
}
