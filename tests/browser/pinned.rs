//! The task page verifies a bundle against the public log it reads: the
//! replacements the log holds are pinned, so a bundle without them fails.

use super::browser_support::Browser;
use super::{site, verify_task_one};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_pins_the_replacements_to_the_log() {
    let (address, _service, _dir) = site(None).await;
    let browser = Browser::start("en-US").await;
    let (verified, failure) = verify_task_one(&browser, &address).await;
    assert_eq!(verified, "true", "{failure}");
    let pinned = browser.attribute("#verify-verdict", "data-pinned", std::time::Duration::from_secs(5)).await;
    assert_eq!(pinned, "true", "the page gives every pin of the log");
    let check = "#verify-report li.check[data-kind=\"replacement-digests\"]";
    assert_eq!(browser.count(check).await, 1);
    assert_eq!(browser.count(&format!("{check}.fail")).await, 0);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_without_its_replacements_fails_in_the_browser() {
    let (address, _service, _dir) = site(Some(|files| files.replacements = None)).await;
    let browser = Browser::start("en-US").await;
    let (verified, failure) = verify_task_one(&browser, &address).await;
    assert_eq!(verified, "false");
    let failed = browser.element("#verify-report li.check.fail").await;
    assert_eq!(failed.attr("data-kind").await.unwrap().as_deref(), Some("replacement-digests"));
    assert!(failure.contains("no replacements.tsv"), "{failure}");
    browser.close().await;
}
