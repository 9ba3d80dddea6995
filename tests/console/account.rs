//! Signing in and out, and the account page.

use std::time::Duration;

use crate::browser_support::Browser;
use crate::support::{MARKET, Server, check_page, heading_is, sign_in, type_into};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_signs_in_and_out_and_the_session_ends() {
    let server = Server::start().await;
    let browser = Browser::start("en-US").await;
    browser.open(&server.page("/tasks")).await;
    // Signed out, any page asks to sign in first, and remembers where it was going.
    heading_is(&browser, "Sign in").await;
    check_page(&browser, "sign-in", "#sign-in").await;
    sign_in(&browser, &server, MARKET).await;
    let name = browser.text("#account .account-name").await;
    assert_eq!(name, "market-supervisor");
    browser.element("#sign-out").await.click().await.unwrap();
    heading_is(&browser, "Sign in").await;
    assert!(browser.text("#main .notice").await.contains("signed out"));
    // The cookie is gone with the session: a reload stays signed out.
    browser.open(&server.page("/")).await;
    heading_is(&browser, "Sign in").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_named_in_the_error_summary_and_the_password_field_is_emptied() {
    let server = Server::start().await;
    let browser = Browser::start("en-US").await;
    browser.open(&server.page("/sign-in")).await;
    browser.element("#sign-in").await.click().await.unwrap();
    // Nothing typed: both fields are named.
    let summary = browser.text(".error-summary").await;
    assert!(summary.contains("Enter your username") && summary.contains("Enter your password"), "{summary}");
    type_into(&browser, "#username", MARKET.0).await;
    type_into(&browser, "#password", "not-the-password").await;
    browser.element("#sign-in").await.click().await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !browser.text(".error-summary").await.contains("wrong") {
        assert!(std::time::Instant::now() < deadline, "no bad-credentials message");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(browser.element("#password").await.prop("value").await.unwrap().as_deref(), Some(""));
    check_page(&browser, "sign-in-error", ".error-summary").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_page_changes_the_password() {
    let server = Server::start().await;
    let browser = Browser::start("zh-CN").await;
    sign_in(&browser, &server, MARKET).await;
    browser.open(&server.page("/account")).await;
    heading_is(&browser, "我的账号").await;
    check_page(&browser, "account", "#current-password").await;
    type_into(&browser, "#current-password", MARKET.1).await;
    type_into(&browser, "#new-password", "a-new-market-passphrase").await;
    type_into(&browser, "#new-password-again", "a-new-market-passphrase").await;
    browser.element("#main form button[type=submit]").await.click().await.unwrap();
    browser.element("#main .notice[role=status]").await;
    // The new password signs in; the old one no longer does.
    let client = reqwest::Client::new();
    let sign_in = |password: &'static str| {
        client
            .post(format!("{}/api/session", server.address))
            .json(&serde_json::json!({"username": MARKET.0, "password": password}))
            .send()
    };
    assert_eq!(sign_in("a-new-market-passphrase").await.unwrap().status(), 201);
    assert_eq!(sign_in(MARKET.1).await.unwrap().status(), 401);
    browser.close().await;
}
