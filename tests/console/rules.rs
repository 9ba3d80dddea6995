//! The department's working rules in the console: the versions published
//! (the demo's first), a refused publication named beside its field, and a
//! new version published, confirmed and listed, in both languages.
use crate::browser_support::Browser;
use crate::staff_api::get_as;
use crate::support::{MARKET, Server, check_page, heading_is, sign_in, text_contains, type_into};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_publishes_a_new_version_of_the_working_rules() {
    let server = Server::start().await;
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;
    browser.element("#console-nav a[href='#/directories']").await.click().await.unwrap();
    browser.element(".sub-nav a[href='#/directories/rules']").await.click().await.unwrap();
    heading_is(&browser, "Working rules").await;
    text_contains(&browser, "#rules-versions tbody", "市场监管领域随机抽查工作细则").await;
    assert_eq!(browser.count("#rules-versions tbody tr").await, 1, "the demo's version");
    check_page(&browser, "directories-rules", "#rules-versions").await;

    // No title: refused, named beside the field, nothing published.
    type_into(&browser, "#rules-text", "# 细则\n\n1. 随机抽取").await;
    browser.element("#rules-publish").await.click().await.unwrap();
    text_contains(&browser, "#rules-title-error", "title").await;
    let (_, list) = get_as(&server, MARKET, "/api/public/rules").await;
    assert_eq!(list["departments"][0]["current"]["version"], 1, "{list}");

    type_into(&browser, "#rules-title", "市场监管领域随机抽查工作细则（2027年修订）").await;
    browser
        .client
        .execute("document.querySelector('#rules-effective').value = '2027-01-01';", Vec::new())
        .await
        .unwrap();
    browser.element("#rules-publish").await.click().await.unwrap();
    text_contains(&browser, ".confirmation", "Version 2 is published").await;
    text_contains(&browser, "#rules-versions tbody", "2027年修订").await;
    assert_eq!(browser.count("#rules-versions tbody tr").await, 2);
    let (_, version) = get_as(&server, MARKET, "/api/public/rules/market/2").await;
    assert_eq!(version["effective_on"], "2027-01-01", "{version}");
    assert_eq!(version["text"], "# 细则\n\n1. 随机抽取");
    check_page(&browser, "directories-rules-published", ".confirmation").await;
    browser.close().await;
}
