//! A headless Chromium session through chromedriver, for the browser tests
//! and the browser benchmark.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// A chromedriver process and a browser session through it.
pub struct Browser {
    driver: Child,
    pub client: Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start(language: &str) -> Self {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is needed for the browser tests (Debian package chromium-driver)");
        wait_until_listening(port).await;
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--window-size=1280,1000", format!("--lang={language}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {"intl.accept_languages": language},
            }
        });
        let capabilities = capabilities.as_object().unwrap().clone().into_iter().collect();
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session through chromedriver");
        Self { driver, client, _profile: profile }
    }

    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// The element, once it is there.
    pub async fn element(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    pub async fn text(&self, css: &str) -> String {
        self.element(css).await.text().await.unwrap()
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.unwrap().len()
    }

    /// Waits until `css` has attribute `name`, and returns its value.
    pub async fn attribute(&self, css: &str, name: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Some(value) = element.attr(name).await.unwrap()
            {
                return value;
            }
            assert!(Instant::now() < deadline, "{css} never got attribute {name}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `css` has attribute `name` equal to `expected`; an
    /// element replaced while it is read (the page drawn again) is read again.
    pub async fn attribute_becomes(&self, css: &str, name: &str, expected: &str, within: Duration) {
        let deadline = Instant::now() + within;
        let mut last = None;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(value) = element.attr(name).await
            {
                last = value;
                if last.as_deref() == Some(expected) {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "{css} [{name}] is {last:?}, never {expected:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The page as the browser has it now (its DOM, hidden parts included).
    pub async fn source(&self) -> String {
        self.client.source().await.unwrap()
    }

    /// The WCAG 2.1 A and AA violations axe-core finds on the page as it is
    /// now, one line each: the rule, and the first few elements it names.
    /// axe-core 4.14.1 (`axe.min.js` beside this file, SHA-256
    /// 29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c,
    /// MPL-2.0, see `axe.LICENSE`) is injected through the driver, so the
    /// pages' Content-Security-Policy stays as served.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        const AXE: &str = include_str!("axe.min.js");
        self.client.execute(AXE, Vec::new()).await.expect("axe-core loads");
        let found = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                  .then((r) => done(r.violations.map((v) => v.id + ': ' + v.help + ' — ' +
                      v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '))))
                  .catch((e) => done(['axe failed: ' + e]));"#,
                Vec::new(),
            )
            .await
            .expect("axe-core runs");
        serde_json::from_value(found).expect("a list of violations")
    }

    /// Sets the window's size (the phone size is 390×844).
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
    }

    pub async fn screenshot(&self, name: &str) {
        let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&directory).unwrap();
        std::fs::write(directory.join(format!("{name}.png")), self.client.screenshot().await.unwrap())
            .unwrap();
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn wait_until_listening(port: u16) {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on port {port}");
}
