//! The log page's watch over the log's signed head, in Chromium against
//! the real server: at the first visit the page verifies the checkpoint
//! and remembers it; when the log has grown it checks the consistency
//! proof from the head it remembers; and when the same address later
//! serves another history — rewritten under the same key (the same size
//! with another root, a larger log that does not begin with it, a shorter
//! log), or signed with another key — it raises the alarm.
//!
//! A split view needs one origin (so that the browser's localStorage is the
//! same) served by different databases: each server here is stopped and
//! the next one started on the same port. The databases that rewrite the
//! history are given the first one's log key (the one row of `log_key`)
//! before they first serve, as a server whose database was replaced under
//! it would sign with the key it had. A witness run as its own process
//! cosigns one head, which the page lists: not checked while the server
//! does not list the witness, checked with the key it lists once it does.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use opendraw::domain::account::Role;
use opendraw::service::{Clock, Service};
use opendraw::storage::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use opendraw::service::witnesses::Witnesses;

use super::browser_support::Browser;
use super::helpers::{
    DICE, EVENT_LEAD, definition_with_event, event_time, expect, inspectors_csv, targets_csv,
};
use super::witness_process::witness_for;

const ITEMS: &str = "code,name,department\nFOOD-01,食品经营检查,market\n";

/// The alarm's headline, shown in both languages whatever the page's.
const ALARM_ZH: &str = "此服务器向你展示了与之前不同的历史";
const ALARM_EN: &str = "This server showed you a different history";

/// One database of the log, with its service, clock and a market
/// supervisor's token.
struct Log {
    service: Service,
    clock: Clock,
    market: String,
    _dir: tempfile::TempDir,
}

impl Log {
    /// A fresh database; with `key_of`, holding that log's key before it
    /// first serves, so that it signs as that log.
    async fn new(key_of: Option<&Log>) -> Log {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite:{}", dir.path().join("log.db").display())).await.unwrap();
        if let Some(other) = key_of {
            let (origin, seed) = opendraw::storage::tlog::key(other.service.store().pool())
                .await
                .unwrap()
                .expect("the log whose key is copied has one");
            opendraw::storage::tlog::create_key(store.pool(), &origin, &seed, chrono::Utc::now())
                .await
                .unwrap();
        }
        let clock = Clock::fixed(opendraw::domain::calendar::today());
        let service = Service::with_clock(store, clock.clone());
        let market = service
            .add_user(None, "market-supervisor", Role::Supervisor, Some("market"), None)
            .await
            .unwrap()
            .token;
        Log { service, clock, market, _dir: dir }
    }

    /// The log's key as this database holds it, in signed-note form.
    async fn verifier_key(&self) -> String {
        self.service.log_key().await.unwrap().verifier_key()
    }
}

/// A server of one log on a port, until stopped.
struct Server {
    address: String,
    client: reqwest::Client,
    stop: oneshot::Sender<()>,
    done: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Serves `log` and the public site on `port` (any free port when 0).
    async fn start(log: &Log, port: u16) -> Server {
        Server::start_service(&log.service, port).await
    }

    /// Serves a log's `service` (with its witnesses' setting) on `port`.
    async fn start_service(service: &Service, port: u16) -> Server {
        let public = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public");
        let app = opendraw::http::router(service.clone(), Some(public))
            .into_make_service_with_connect_info::<SocketAddr>();
        let mut tries = 0;
        let listener = loop {
            match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                Ok(listener) => break listener,
                Err(error) if tries < 50 => {
                    tries += 1;
                    eprintln!("port {port} not free yet: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => panic!("port {port} stays taken: {error}"),
            }
        };
        let address = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let done = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap()
        });
        Server { address, client: reqwest::Client::new(), stop, done }
    }

    fn port(&self) -> u16 {
        self.address.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// Stops serving and closes every connection, freeing the port.
    async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(20), self.done)
            .await
            .expect("the server stops within 20 s")
            .unwrap();
    }

    async fn get(&self, path: &str) -> Value {
        let response = self.client.get(format!("{}{path}", self.address)).send().await.unwrap();
        expect(response, StatusCode::OK).await
    }

    async fn post(&self, log: &Log, path: &str, body: &Value) -> Value {
        let request = self.client.post(format!("{}{path}", self.address)).bearer_auth(&log.market);
        expect(request.json(body).send().await.unwrap(), StatusCode::OK).await
    }

    async fn post_csv(&self, log: &Log, path: &str, csv: &str) {
        let request = self.client.post(format!("{}{path}", self.address)).bearer_auth(&log.market);
        let request = request.header("content-type", "text/csv").body(csv.to_owned());
        expect(request.send().await.unwrap(), StatusCode::OK).await;
    }

    /// Imports a market directory: items, targets, inspectors.
    async fn seed(&self, log: &Log) {
        self.post_csv(log, "/api/items/import", ITEMS).await;
        self.post_csv(log, "/api/targets/import", &targets_csv(30)).await;
        let inspectors = inspectors_csv("market", "M", 6).replace(";HEALTH-01", "");
        self.post_csv(log, "/api/inspectors/import", &inspectors).await;
    }

    /// Creates, commits and draws a task, as a department does.
    async fn draw(&self, log: &Log) {
        let definition = definition_with_event(&event_time(log.clock.now(), EVENT_LEAD));
        let request = self.client.post(format!("{}/api/tasks", self.address)).bearer_auth(&log.market);
        let task = expect(request.json(&definition).send().await.unwrap(), StatusCode::CREATED).await;
        let id = task["id"].as_i64().unwrap();
        self.post(log, &format!("/api/tasks/{id}/commit"), &json!({})).await;
        log.clock.advance(EVENT_LEAD + Duration::from_secs(1));
        self.post(log, &format!("/api/tasks/{id}/draw"), &json!({"entropy": DICE})).await;
    }

    /// The number of entries in the log.
    async fn entries(&self) -> u64 {
        self.get("/api/public/log/head").await["seq"].as_u64().unwrap()
    }
}

/// Opens the log page and waits for the watch's verdict, which must be `state`.
async fn visit(browser: &Browser, server: &Server, state: &str) {
    browser.open(&format!("{}/log.html", server.address)).await;
    let verdict = browser.attribute("#log-checkpoint", "data-state", Duration::from_secs(30)).await;
    if verdict != state {
        let shown = browser.text("#log-checkpoint").await;
        panic!("the log page says {verdict:?}, not {state:?}: {shown}");
    }
}

/// The head the page remembers in localStorage.
async fn remembered(browser: &Browser) -> Value {
    let text = browser
        .client
        .execute("return localStorage.getItem('opendraw.log.checkpoint');", Vec::new())
        .await
        .unwrap();
    serde_json::from_str(text.as_str().expect("a head is remembered")).unwrap()
}

/// Switches the page's language with its switch, and waits until it has.
async fn switch_language(browser: &Browser, to: &str) {
    browser.element("#lang-switch").await.click().await.unwrap();
    browser.attribute_becomes("html", "lang", to, Duration::from_secs(5)).await;
}

/// axe's WCAG 2.1 A/AA verdict on the page in both languages; the page
/// ends in the language it started in.
async fn accessible_in_both_languages(browser: &Browser, what: &str) {
    for _ in 0..2 {
        let now = browser_language(browser).await;
        let violations = browser.accessibility_violations().await;
        assert!(violations.is_empty(), "{what} in {now}: {violations:#?}");
        switch_language(browser, if now == "en" { "zh-CN" } else { "en" }).await;
    }
}

async fn browser_language(browser: &Browser) -> String {
    browser.attribute("html", "lang", Duration::from_secs(5)).await
}

/// The alarm as the page shows it: its reason, and its visible text.
async fn alarm(browser: &Browser) -> (String, String) {
    let alarm = browser.element("#log-checkpoint-alarm").await;
    assert!(alarm.is_displayed().await.unwrap(), "the alarm is visible");
    assert_eq!(alarm.attr("role").await.unwrap().as_deref(), Some("alert"));
    let reason = alarm.attr("data-reason").await.unwrap().unwrap_or_default();
    (reason, alarm.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_page_holds_the_server_to_the_history_it_showed_before() {
    let browser = Browser::start("en-US").await;

    // First visit: the checkpoint verifies with the log's key, and the page
    // remembers it.
    let first = Log::new(None).await;
    let server = Server::start(&first, 0).await;
    let port = server.port();
    server.seed(&first).await;
    server.draw(&first).await;
    visit(&browser, &server, "first").await;
    let key = server.get("/api/public/log/key").await;
    let verifier_key = key["verifier_key"].as_str().unwrap().to_owned();
    assert_eq!(browser.text("#log-verifier-key").await, verifier_key);
    let size = server.entries().await;
    assert!(size > 0);
    assert_eq!(browser.text("#log-checkpoint-size").await, size.to_string());
    let note = server.client.get(format!("{}/log/checkpoint", server.address)).send().await.unwrap();
    let note = note.text().await.unwrap();
    let root = note.lines().nth(2).unwrap().to_owned();
    assert_eq!(browser.text("#log-checkpoint-root").await, root, "the root signed: {note}");
    let head = remembered(&browser).await;
    assert_eq!(
        (head["verifierKey"].as_str(), head["size"].as_u64()),
        (Some(verifier_key.as_str()), Some(size))
    );
    assert_eq!(head["root"].as_str(), Some(root.as_str()));
    browser.screenshot("log-checkpoint-first").await;
    accessible_in_both_languages(&browser, "the log page at the first visit").await;

    // The same head again.
    visit(&browser, &server, "same").await;

    // The log grows: the new head extends the one remembered, by its proof.
    server.draw(&first).await;
    let grown = server.entries().await;
    assert!(grown > size);
    visit(&browser, &server, "extends").await;
    assert_eq!(browser.text("#log-checkpoint-size").await, grown.to_string());
    let verdict = browser.text("#log-checkpoint .verdict").await;
    assert!(verdict.contains(&grown.to_string()) && verdict.contains(&size.to_string()), "{verdict}");
    assert_eq!(remembered(&browser).await["size"].as_u64(), Some(grown));

    // A witness cosigns that head: the page lists it, and the head stays
    // the one seen.
    let witness = witness_for(&verifier_key);
    let witnessed =
        first.service.clone().with_witnesses(Witnesses::new(std::slice::from_ref(&witness.setting)).unwrap());
    witnessed.integrate_log().await.unwrap();
    witnessed.ask_witnesses().await.unwrap();
    visit(&browser, &server, "same").await;
    let cosignatures = browser.text("#log-cosignatures").await;
    assert!(cosignatures.contains("court.example/witness"), "{cosignatures}");
    assert_eq!(browser.count("#log-cosignatures li time").await, 1);
    // This server lists no witness: the cosignature is shown, not checked.
    assert_eq!(server.get("/api/public/log/witnesses").await, json!([]));
    assert_eq!(browser.count("#log-cosignatures li[data-status=\"unlisted\"]").await, 1);
    assert!(cosignatures.contains("witness not listed by the server"), "{cosignatures}");
    browser.screenshot("log-checkpoint-cosigned").await;
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "the log page with a cosigned head: {violations:#?}");

    // Served with the witness listed, the cosignature is checked with its key.
    server.stop().await;
    let server = Server::start_service(&witnessed, port).await;
    let listed = server.get("/api/public/log/witnesses").await;
    assert_eq!(listed[0]["verifier_key"].as_str(), Some(witness.key.as_str()), "{listed}");
    visit(&browser, &server, "same").await;
    assert_eq!(browser.count("#log-cosignatures li[data-status=\"checked\"]").await, 1);
    let cosignatures = browser.text("#log-cosignatures").await;
    assert!(cosignatures.contains("checked with the key the server lists"), "{cosignatures}");
    browser.screenshot("log-checkpoint-cosignature-checked").await;
    accessible_in_both_languages(&browser, "the log page with a checked cosignature").await;
    switch_language(&browser, "zh-CN").await;
    let cosignatures = browser.text("#log-cosignatures").await;
    assert!(cosignatures.contains("已用服务器所列公钥核验"), "{cosignatures}");
    switch_language(&browser, "en").await;
    drop(witness);
    let seen = remembered(&browser).await;
    assert_eq!(seen["size"].as_u64(), Some(grown));
    server.stop().await;

    // The same address now serves a log rewritten under the same key: as
    // many entries, other ones.
    let rewritten = Log::new(Some(&first)).await;
    assert_eq!(rewritten.verifier_key().await, verifier_key);
    let server = Server::start(&rewritten, port).await;
    server.seed(&rewritten).await;
    server.draw(&rewritten).await;
    server.draw(&rewritten).await;
    assert_eq!(server.entries().await, grown, "the rewritten log has as many entries");
    visit(&browser, &server, "alarm").await;
    let (reason, text) = alarm(&browser).await;
    assert_eq!(reason, "forked", "{text}");
    assert!(text.contains(ALARM_ZH) && text.contains(ALARM_EN), "the headline in both languages: {text}");
    assert!(text.contains(&grown.to_string()), "the size seen before is named: {text}");
    assert_eq!(remembered(&browser).await, seen, "the head seen before stays remembered");
    assert_eq!(browser.text("#log-checkpoint-alarm-root").await, seen["root"].as_str().unwrap());
    browser.screenshot("log-checkpoint-forked").await;
    accessible_in_both_languages(&browser, "the log page's alarm").await;

    // It grows: its proof from the remembered size cannot lead to the root
    // remembered, whatever the server sends.
    server.draw(&rewritten).await;
    assert!(server.entries().await > grown);
    visit(&browser, &server, "alarm").await;
    let (reason, text) = alarm(&browser).await;
    assert_eq!(reason, "inconsistent", "{text}");
    assert_eq!(remembered(&browser).await, seen);
    server.stop().await;

    // A shorter log under the same key.
    let shorter = Log::new(Some(&first)).await;
    let server = Server::start(&shorter, port).await;
    server.seed(&shorter).await;
    server.draw(&shorter).await;
    assert!(server.entries().await < grown);
    visit(&browser, &server, "alarm").await;
    let (reason, text) = alarm(&browser).await;
    assert_eq!(reason, "shrunk", "{text}");
    server.stop().await;

    // The same history signed with another key.
    let other_key = Log::new(None).await;
    let server = Server::start(&other_key, port).await;
    server.seed(&other_key).await;
    server.draw(&other_key).await;
    server.draw(&other_key).await;
    let key = server.get("/api/public/log/key").await;
    assert_ne!(key["verifier_key"].as_str(), Some(verifier_key.as_str()));
    visit(&browser, &server, "alarm").await;
    let (reason, text) = alarm(&browser).await;
    assert_eq!(reason, "key-changed", "{text}");
    assert!(text.contains(ALARM_ZH) && text.contains(ALARM_EN), "{text}");
    browser.screenshot("log-checkpoint-key-changed").await;
    accessible_in_both_languages(&browser, "the log page's alarm of a changed key").await;
    // On a phone the alarm and the long key and root fit the screen's width.
    browser.resize(390, 844).await;
    let scroll = "document.getElementById('log-checkpoint-alarm').scrollIntoView();";
    browser.client.execute(scroll, Vec::new()).await.unwrap();
    browser.screenshot("log-checkpoint-key-changed-phone").await;
    let wider = browser
        .client
        .execute(
            "return [...document.querySelectorAll('#log-checkpoint *')] \
               .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth) \
               .map((e) => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + e.textContent.slice(0, 40));",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(wider, json!([]), "parts of the alarm wider than a phone");
    browser.resize(1280, 1000).await;
    server.stop().await;

    // The first server back: the head remembered again, and no alarm.
    let server = Server::start(&first, port).await;
    visit(&browser, &server, "same").await;
    assert_eq!(browser.count("#log-checkpoint-alarm").await, 0);
    server.stop().await;
    browser.close().await;
}

/// A log that was empty at the first visit: every log extends the empty
/// one, without a proof (there is none from an empty tree to ask for).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_that_was_empty_at_the_first_visit_extends_it_when_it_grows() {
    let browser = Browser::start("zh-CN").await;
    let log = Log::new(None).await;
    let server = Server::start(&log, 0).await;
    visit(&browser, &server, "first").await;
    assert_eq!(browser.text("#log-checkpoint-size").await, "0");
    assert_eq!(remembered(&browser).await["size"].as_u64(), Some(0));
    server.seed(&log).await;
    server.draw(&log).await;
    visit(&browser, &server, "extends").await;
    assert_eq!(browser.text("#log-checkpoint-size").await, server.entries().await.to_string());
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");
    server.stop().await;
    browser.close().await;
}
