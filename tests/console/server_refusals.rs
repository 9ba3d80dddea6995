//! A refusal of the server read in Chinese: the server answers in English
//! with a stable code, and the console in Chinese shows the message for the
//! code beside the field and in the error summary, with the server's own
//! words (which name the numbers at fault) under it as a secondary line
//! marked as English; switched to English, the server's words alone. On
//! the plan form (an item drawn in more batches than the plan has) and on
//! the account page (a wrong current password). Both pass axe-core's check.

use std::time::Duration;

use crate::browser_support::Browser;
use crate::support::{MARKET, Server, check_page, heading_is, sign_in, text_contains, type_into};

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The visible text of `css`, and the text of the server's own words in it
/// (`.server-words [lang=en]`), if any.
async fn texts(browser: &Browser, css: &str) -> (String, Option<String>) {
    let found = browser
        .client
        .execute(
            r#"const el = document.querySelector(arguments[0]);
            if (!el) return ['', null];
            const words = el.querySelector('.server-words [lang="en"]');
            return [el.innerText.trim(), words ? words.innerText.trim() : null];"#,
            vec![serde_json::json!(css)],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

async fn switch_language(browser: &Browser, to: &str) {
    browser.element("#lang-switch").await.click().await.unwrap();
    browser.attribute_becomes("html", "lang", to, Duration::from_secs(5)).await;
}

/// In Chinese: `places` (the message beside the field, the summary's line)
/// each read `chinese`, with the server's words `english` under it; after a
/// switch to English they read the server's words alone, and in Chinese
/// again after switching back.
async fn shown_in_both_languages(browser: &Browser, places: &[&str], chinese: &str, english: &str) {
    for place in places {
        let (text, words) = texts(browser, place).await;
        assert!(text.starts_with(chinese), "{place} in Chinese begins with the code's message: {text:?}");
        assert!(text.contains("服务器原文"), "{place} says the server's words are the server's: {text:?}");
        let words =
            words.unwrap_or_else(|| panic!("{place} shows the server's words, marked English: {text:?}"));
        assert!(words.contains(english), "{place}: the server's words keep the specifics: {words:?}");
    }
    switch_language(browser, "en").await;
    for place in places {
        let (text, words) = texts(browser, place).await;
        assert!(
            text.contains(english) && !has_chinese(&text),
            "{place} in English: the server's words: {text:?}"
        );
        assert!(words.is_none(), "{place} in English has no secondary line: {text:?}");
    }
    switch_language(browser, "zh-CN").await;
    for place in places {
        let (text, _) = texts(browser, place).await;
        assert!(text.starts_with(chinese), "{place} in Chinese again: {text:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_shown_in_chinese_with_the_servers_words_under_it() {
    let server = Server::start().await;
    let browser = Browser::start("zh-CN").await;
    sign_in(&browser, &server, MARKET).await;

    // A plan of one batch whose item is to be drawn in three: invalid_frequency.
    browser.open(&server.page("/plans/new")).await;
    heading_is(&browser, "新建年度计划").await;
    type_into(&browser, "#plan-year", "2026").await;
    type_into(&browser, "#plan-code", "2026-market-refused").await;
    type_into(&browser, "#plan-name", "2026年市场监管领域抽查工作计划").await;
    browser.element("#plan-item-0").await.select_by_value("FOOD-01").await.unwrap();
    type_into(&browser, "#plan-ratio-0", "5").await;
    type_into(&browser, "#plan-frequency-0", "3").await;
    type_into(&browser, "#plan-batch-rows .plan-batch-row input[id^='plan-batch-name-']", "第一批").await;
    let row = browser.attribute("#plan-batch-rows .plan-batch-row", "data-row", Duration::from_secs(5)).await;
    type_into(&browser, &format!("#plan-batch-starts-{row}"), "2026-03-01").await;
    type_into(&browser, &format!("#plan-batch-ends-{row}"), "2026-06-30").await;
    browser.element("#save-plan").await.click().await.unwrap();
    text_contains(&browser, "#plan-frequency-0-error", "每年抽查批次数").await;
    shown_in_both_languages(
        &browser,
        &["#plan-frequency-0-error", "form .error-summary li"],
        "抽查事项的每年抽查批次数须在 1 至计划批次数之间。",
        "1 to 1 batches a year (the plan's batches), not 3",
    )
    .await;
    check_page(&browser, "plans-form-refused-zh", "#plan-frequency-0-error:not([hidden])").await;

    // A wrong current password on the account page: bad_credentials.
    browser.open(&server.page("/account")).await;
    heading_is(&browser, "我的账号").await;
    type_into(&browser, "#current-password", "not the password").await;
    type_into(&browser, "#new-password", "a new long password").await;
    type_into(&browser, "#new-password-again", "a new long password").await;
    browser.element("#main form button[type=submit]").await.click().await.unwrap();
    text_contains(&browser, "#current-password-error", "密码不正确").await;
    shown_in_both_languages(
        &browser,
        &["#current-password-error", "#main form .error-summary li"],
        "密码不正确，请重新输入。",
        "the current password is wrong",
    )
    .await;
    check_page(&browser, "account-refused-zh", "#current-password-error:not([hidden])").await;
    browser.close().await;
}
