//! A form in error after the language is switched: the summary's heading,
//! its list and the message beside each field are all in the language
//! switched to, and back again, on the sign-in form, the task form (the
//! checks made before sending, a stratum's among them), a task's commit
//! step and the account's password form.

use std::time::Duration;

use crate::browser_support::Browser;
use crate::support::{MARKET, Server, check_page, heading_is, sign_in, text_contains, type_into};

/// The demo's draft task, of the market department.
const DEMO_DRAFT: i64 = 4;

/// The visible texts the form's errors are shown in: the summary's heading
/// and each of its lines, and the message beside each field.
async fn error_texts(browser: &Browser, form: &str) -> Vec<String> {
    let texts = browser
        .client
        .execute(
            r#"const form = document.querySelector(arguments[0]);
            if (!form) return [];
            return [...form.querySelectorAll('.error-summary h2, .error-summary li, .field-error')]
              .filter((el) => el.getClientRects().length > 0)
              .map((el) => el.innerText.trim());"#,
            vec![serde_json::json!(form)],
        )
        .await
        .unwrap();
    serde_json::from_value(texts).unwrap()
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Switches the console's language and waits for the document to say so.
async fn switch_language(browser: &Browser, to: &str) {
    browser.element("#lang-switch").await.click().await.unwrap();
    browser.attribute_becomes("html", "lang", to, Duration::from_secs(5)).await;
}

/// With the page in English and `form` in error: every text of its errors
/// is in Chinese after a switch (none left as it was), and in English
/// again, word for word, after switching back.
async fn errors_follow_the_language(browser: &Browser, form: &str) {
    let english = error_texts(browser, form).await;
    assert!(english.len() >= 3, "{form} shows a summary heading, a line and a field's message: {english:?}");
    assert!(english.iter().all(|text| !has_chinese(text)), "{form} in English: {english:?}");
    switch_language(browser, "zh-CN").await;
    let chinese = error_texts(browser, form).await;
    assert_eq!(chinese.len(), english.len(), "{form}: the same errors in Chinese: {chinese:?}");
    for (zh, en) in chinese.iter().zip(&english) {
        assert!(zh != en && has_chinese(zh), "{form} in Chinese still reads {zh:?} (was {en:?})");
    }
    switch_language(browser, "en").await;
    assert_eq!(error_texts(browser, form).await, english, "{form} back in English");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_in_error_follows_the_language_switched_to() {
    let server = Server::start().await;
    let browser = Browser::start("en-US").await;

    // Signing in with nothing typed.
    browser.open(&server.page("/sign-in")).await;
    heading_is(&browser, "Sign in").await;
    browser.element("#sign-in").await.click().await.unwrap();
    text_contains(&browser, "#main form .error-summary", "username").await;
    errors_follow_the_language(&browser, "#main form").await;
    sign_in(&browser, &server, MARKET).await;

    // The task form: an empty name, a quota and a stratum's quota that are no
    // numbers, and the entropy's day missing.
    browser.open(&server.page("/tasks/new")).await;
    heading_is(&browser, "New inspection task").await;
    type_into(&browser, "#quota-value", "three").await;
    browser.element("#add-stratum-quota").await.click().await.unwrap();
    type_into(&browser, "#stratum-key-0", "D").await;
    type_into(&browser, "#stratum-value-0", "half").await;
    browser.element("#save-task").await.click().await.unwrap();
    text_contains(&browser, "form.task-form .error-summary", "percentage").await;
    errors_follow_the_language(&browser, "form.task-form").await;
    check_page(&browser, "task-form-error-switched", "form.task-form .error-summary").await;

    // A draft's commit, not confirmed.
    browser.open(&server.page(&format!("/tasks/{DEMO_DRAFT}"))).await;
    browser.element("#commit-button").await.click().await.unwrap();
    text_contains(&browser, "#commit-form .error-summary", "Tick the box").await;
    errors_follow_the_language(&browser, "#commit-form").await;

    // The account's new password, typed twice differently.
    browser.open(&server.page("/account")).await;
    type_into(&browser, "#current-password", "demo-market-pass").await;
    type_into(&browser, "#new-password", "a new long password").await;
    type_into(&browser, "#new-password-again", "another long password").await;
    browser.element("#main form button[type=submit]").await.click().await.unwrap();
    browser.element("#main form .error-summary").await;
    errors_follow_the_language(&browser, "#main form").await;
    browser.close().await;
}
