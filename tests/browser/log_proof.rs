//! The task page checks the bundle's own log proof (log.tsv): the
//! checkpoint's signature by the key the server publishes, each of the
//! task's entries in it, and the commitment and result they pin; shown in
//! the page's language among the other checks, and axe-clean. A proof
//! changed on its way fails at the entry it no longer proves.

use std::time::Duration;

use super::browser_support::Browser;
use super::{site, verify_task_one};

const LOG_CHECKS: [&str; 4] = ["log-key", "log-checkpoint", "log-entry", "log-pins"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revealed_task_page_shows_its_log_proof_checks_passed() {
    let (address, _service, _dir) = site(None).await;
    for (language, label) in [("en-US", "Signed log checkpoint"), ("zh-CN", "日志签名检查点")] {
        let browser = Browser::start(language).await;
        let (verified, failure) = verify_task_one(&browser, &address).await;
        assert_eq!(verified, "true", "{language}: {failure}");
        for kind in LOG_CHECKS {
            let check = format!("#verify-report li.check[data-kind=\"{kind}\"]");
            assert!(browser.count(&format!("{check}.pass")).await >= 1, "{language}: {kind} passed");
            assert_eq!(browser.count(&format!("{check}.fail")).await, 0, "{language}: {kind}");
        }
        assert!(
            browser.count("#verify-report li.check.pass[data-kind=\"log-entry\"]").await >= 4,
            "every entry"
        );
        // The demo has no witness: that is said, as a note that passes nothing.
        let note = "#verify-report li.check.note[data-kind=\"log-witnessed\"]";
        assert_eq!(browser.count(note).await, 1, "{language}");
        // The checks are folded under the verdict: open them to read one.
        browser.element("#verify-details summary").await.click().await.unwrap();
        let shown = browser.text("#verify-report li.check[data-kind=\"log-checkpoint\"]").await;
        assert!(shown.contains(label), "{language}: {shown}");
        let violations = browser.accessibility_violations().await;
        assert!(violations.is_empty(), "{language}: {violations:#?}");
        browser.screenshot(&format!("task-log-proof-{language}")).await;
        browser.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_inclusion_proof_fails_in_the_browser() {
    let (address, _service, _dir) = site(Some(|files| {
        let text = String::from_utf8(files.log_proof.clone().unwrap()).unwrap();
        let line = text.lines().find(|line| line.starts_with("entry\t")).unwrap();
        let proof = line.rsplit('\t').next().unwrap();
        assert!(!proof.is_empty(), "the entry has a proof to change");
        let flipped = format!("{}{}", if proof.starts_with('0') { "1" } else { "0" }, &proof[1..]);
        let changed = line.replacen(proof, &flipped, 1);
        files.log_proof = Some(text.replacen(line, &changed, 1).into_bytes());
    }))
    .await;
    let browser = Browser::start("en-US").await;
    let (verified, failure) = verify_task_one(&browser, &address).await;
    assert_eq!(verified, "false");
    let failed = browser.element("#verify-report li.check.fail").await;
    assert_eq!(failed.attr("data-kind").await.unwrap().as_deref(), Some("log-entry"), "{failure}");
    assert!(failure.contains("Entry in the log"), "{failure}");
    let pinned = browser.attribute("#verify-verdict", "data-pinned", Duration::from_secs(5)).await;
    assert_eq!(pinned, "true", "the page's own pins stay given");
    browser.close().await;
}
