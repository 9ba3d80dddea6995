//! The working rules page (rules.html) in both languages on a phone, with
//! axe-core's check: the current version rendered from its Markdown, the
//! history with each earlier version readable, and markup or a
//! `javascript:` link in the source shown as text, never run or followed.

use std::time::Duration;

use opendraw::domain::account::{Role, User};
use opendraw::service::working_rules::RulesPublication;

use super::browser_support::Browser;
use super::site;

const LOADED: Duration = Duration::from_secs(20);

/// A second version whose text tries markup and a script link.
const HOSTILE: &str = "# 修订说明\n\n<script>window.ranScript = true</script>\n\n\
    - [点击查看](javascript:window.ranLink=true)\n- [总局网站](https://www.samr.gov.cn/)\n\n\
    <img src=x onerror=\"window.ranImage=true\">\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rules_read_in_both_languages_and_markup_in_the_text_stays_text() {
    let (address, service, _dir) = site(None).await;
    let market = User {
        id: 0,
        name: "market-supervisor".to_owned(),
        role: Role::Supervisor,
        department: Some("market".to_owned()),
        inspector_id: None,
    };
    let second = RulesPublication {
        title: "市场监管领域随机抽查工作细则（修订）".to_owned(),
        effective_on: "2027-01-01".to_owned(),
        text: HOSTILE.to_owned(),
    };
    let published = service.publish_rules(&market, &second).await.unwrap();
    assert_eq!(published.version, 2, "the demo published version 1");
    for (language, heading, history) in
        [("zh-CN", "抽查工作细则", "历次版本"), ("en-US", "Working rules", "Versions")]
    {
        let browser = Browser::start(language).await;
        browser.resize(390, 844).await;
        browser.open(&format!("{address}/rules.html")).await;
        browser.attribute_becomes("#rules", "data-state", "ready", LOADED).await;
        assert_eq!(browser.text("h1").await, heading);
        let text = browser.text("#rules-market .markdown").await;
        assert!(text.contains("<script>window.ranScript = true</script>"), "markup is shown as text: {text}");
        assert!(text.contains("[点击查看](javascript:window.ranLink=true)"), "{text}");
        assert_eq!(browser.count("#rules-market .markdown script").await, 0);
        assert_eq!(browser.count("#rules-market .markdown img").await, 0);
        assert_eq!(browser.count("#rules-market .markdown a[href^='javascript']").await, 0);
        assert_eq!(browser.count("#rules-market .markdown a[href='https://www.samr.gov.cn/']").await, 1);
        assert_eq!(browser.count("#rules-market .markdown h3").await, 1, "# is a heading below the page's");
        let ran = browser
            .client
            .execute("return Boolean(window.ranScript || window.ranLink || window.ranImage);", Vec::new())
            .await
            .unwrap();
        assert_eq!(ran, serde_json::Value::Bool(false));
        assert!(browser.text("#rules-market").await.contains(history));
        let violations = browser.accessibility_violations().await;
        assert!(violations.is_empty(), "{language}: {violations:#?}");
        let width =
            browser.client.execute("return document.documentElement.scrollWidth;", Vec::new()).await.unwrap();
        assert!(width.as_f64().unwrap() <= 390.0, "{language}: nothing wider than the phone ({width})");
        browser.screenshot(&format!("rules-phone-{language}")).await;

        // The first version, reached by keyboard from the history.
        let link = "#rules-market table a[href*='version=1']";
        browser
            .client
            .execute(&format!("document.querySelector(\"{link}\").focus();"), Vec::new())
            .await
            .unwrap();
        browser.client.active_element().await.unwrap().send_keys("\u{E007}").await.unwrap();
        browser.attribute_becomes("#rules-market", "data-version", "1", LOADED).await;
        let old = browser.text("#rules-market").await;
        assert!(
            old.contains("一、总则") && old.contains("检查对象名录库"),
            "the first version's text: {old}"
        );
        assert_eq!(browser.count("#rules-market .markdown ol li").await, 3, "{old}");
        assert_eq!(
            browser.count("#rules-market .notice").await,
            1,
            "it says this is not the current version"
        );
        let violations = browser.accessibility_violations().await;
        assert!(violations.is_empty(), "{language}, version 1: {violations:#?}");
        browser.close().await;
    }
}
