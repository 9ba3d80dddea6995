//! Risk classes from the enterprise credit system, as a supervisor sets
//! them on the targets' page: choose the system's export, the page offers
//! its columns and a class for each label it holds, a refused file lists
//! its rows and changes nothing, and the mended file sets the classes.
use crate::browser_support::Browser;
use crate::staff_api::get_as;
use crate::support::{MARKET, Server, check_page, heading_is, sign_in, text_contains};

/// The class of the target `id`, as the server holds it.
async fn class_of(server: &Server, id: &str) -> String {
    let (_, found) = get_as(server, MARKET, &format!("/api/targets?q={id}")).await;
    found[0]["risk_class"].as_str().unwrap().to_owned()
}

/// Of the two labels, the class the other one is not already.
fn other_than(class: &str) -> &'static str {
    if class == "A" { "B" } else { "A" }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_credit_systems_labels_are_mapped_and_a_refused_row_is_listed() {
    let server = Server::start().await;
    let (_, targets) = get_as(&server, MARKET, "/api/targets?limit=2").await;
    let first = targets[0]["id"].as_str().unwrap().to_owned();
    let second = targets[1]["id"].as_str().unwrap().to_owned();
    let (first_class, second_class) = (class_of(&server, &first).await, class_of(&server, &second).await);
    let (first_to, second_to) = (other_than(&first_class), "D");
    let files = tempfile::tempdir().unwrap();
    let header = "企业名称,统一社会信用代码,信用风险分类结果\n";
    let bad = files.path().join("credit-bad.csv");
    std::fs::write(&bad, format!("{header}甲企业,{first},甲类\n无此企业,91320000NOSUCH0001,丁类\n")).unwrap();
    let good = files.path().join("credit-good.csv");
    std::fs::write(&good, format!("{header}甲企业,{first},甲类\n乙企业,{second},丁类\n")).unwrap();

    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;
    browser.open(&server.page("/directories/targets")).await;
    heading_is(&browser, "Target directory").await;
    browser.element("#risk-h2").await;
    browser.element("#risk-file").await.send_keys(&bad.display().to_string()).await.unwrap();
    // The columns are guessed from the credit system's headers, and each
    // label found has a class to choose.
    browser.element("#risk-label-1").await;
    let code = browser.element("#risk-code-column").await;
    assert_eq!(code.prop("value").await.unwrap().as_deref(), Some("1"));
    assert_eq!(browser.count("#risk-labels select").await, 2);
    let labels = browser.text("#risk-labels").await;
    assert!(labels.contains("“丁类”") && labels.contains("“甲类”"), "{labels}");
    check_page(&browser, "risk-classes-columns", "#risk-label-1").await;

    // Sent without a class for each label: refused beside the fields.
    browser.element("#risk-send").await.click().await.unwrap();
    text_contains(&browser, "#risk-label-0-error", "丁类").await;
    browser.element("#risk-label-0").await.select_by_value(second_to).await.unwrap();
    browser.element("#risk-label-1").await.select_by_value(first_to).await.unwrap();
    browser.element("#risk-send").await.click().await.unwrap();
    let row = text_contains(&browser, "#risk-refused-lines tbody", "91320000NOSUCH0001").await;
    assert!(row.contains('3') && row.contains("统一社会信用代码"), "{row}");
    text_contains(&browser, "#risk-code-column-error", "91320000NOSUCH0001").await;
    check_page(&browser, "risk-classes-refused", "#risk-refused-lines").await;
    assert_eq!(class_of(&server, &first).await, first_class, "nothing changed");

    // The mended file sets both classes.
    browser.element("#risk-file").await.send_keys(&good.display().to_string()).await.unwrap();
    browser.element("#risk-label-1").await;
    browser.element("#risk-label-0").await.select_by_value(second_to).await.unwrap();
    browser.element("#risk-label-1").await.select_by_value(first_to).await.unwrap();
    browser.element("#risk-send").await.click().await.unwrap();
    let counts = text_contains(&browser, "#risk-counts", "2 rows").await;
    let changed = usize::from(first_class != first_to) + usize::from(second_class != second_to);
    assert!(counts.contains(&format!("{changed} targets changed")), "{counts}");
    check_page(&browser, "risk-classes-done", "#risk-counts").await;
    assert_eq!(
        (class_of(&server, &first).await, class_of(&server, &second).await),
        (first_to.to_owned(), second_to.to_owned())
    );
    browser.close().await;
}
