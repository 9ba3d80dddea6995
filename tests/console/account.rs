//! Signing in and out, and the account page.

use std::time::Duration;

use crate::browser_support::Browser;
use crate::support::{HEALTH, MARKET, Server, check_page, heading_is, sign_in, text_contains, type_into};

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
    text_contains(&browser, ".error-summary", "wrong").await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_passwords_hold_the_account_even_from_the_right_one() {
    let server = Server::start().await;
    let browser = Browser::start("zh-CN").await;
    browser.open(&server.page("/sign-in")).await;
    for attempt in 1..=5 {
        type_into(&browser, "#username", HEALTH.0).await;
        type_into(&browser, "#password", &format!("wrong-password-{attempt}")).await;
        browser.element("#sign-in").await.click().await.unwrap();
        text_contains(&browser, ".error-summary", "用户名或密码错误").await;
    }
    type_into(&browser, "#username", HEALTH.0).await;
    type_into(&browser, "#password", HEALTH.1).await;
    browser.element("#sign-in").await.click().await.unwrap();
    text_contains(&browser, ".error-summary", "登录失败次数过多").await;
    assert_eq!(browser.count("#sign-out").await, 0, "not signed in");
    check_page(&browser, "sign-in-held", ".error-summary").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_on_another_origin_cannot_act_with_the_signed_in_session() {
    let server = Server::start().await;
    // Another origin of the same site (same host, another port): the
    // session cookie, SameSite=Strict, goes with its requests, so the CSRF
    // token is what stops a forged form.
    let forged = format!(
        r#"<!doctype html><html lang="en"><title>Forged</title><body><main>
        <form method="post" action="{}/api/tasks" enctype="text/plain">
        <input type="hidden" name='{{"name":"forged","items":["FOOD-01"],"certificate_date":"2026-12-01","entropy":{{"format":"dice","source":"x","min_length":20,"event_at":"2030-01-01T00:00:00+08:00"}},"x":"' value='"}}'>
        <button id="forged" type="submit">Win a prize</button></form></main></body></html>"#,
        server.address
    );
    let page = axum::Router::new()
        .route("/", axum::routing::get(move || async move { axum::response::Html(forged) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, page).await.unwrap() });

    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;
    let before = task_count(&server).await;
    browser.open(&other).await;
    browser.element("#forged").await.click().await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !browser.source().await.contains("csrf") {
        assert!(std::time::Instant::now() < deadline, "the forged request was not refused as csrf");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(task_count(&server).await, before, "no task was created");
    browser.close().await;
}

async fn task_count(server: &Server) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM tasks").fetch_one(server.service.store().pool()).await.unwrap()
}
