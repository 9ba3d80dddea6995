//! The admin pages: an account made with a password signs in and is
//! disabled (its session ends), the audit trail shows it, departments and
//! branding and what the public directories publish are edited, and a
//! supervisor gets none of it.

use std::time::Duration;

use fantoccini::Locator;

use crate::browser_support::Browser;
use crate::staff_api::get_as;
use crate::support::{ADMIN, MARKET, Server, check_page, heading_is, sign_in, text_contains, type_into};

const NEW: (&str, &str) = ("zhang.wei", "a long passphrase for zhang wei");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_made_with_a_password_signs_in_and_disabling_it_ends_its_session() {
    let server = Server::start().await;
    let admin = Browser::start("en-US").await;
    sign_in(&admin, &server, ADMIN).await;
    admin.element("#console-nav a[href='#/admin']").await.click().await.unwrap();
    heading_is(&admin, "Staff accounts").await;
    text_contains(&admin, "table#accounts", "market-supervisor").await;
    check_page(&admin, "admin-accounts", "table#accounts").await;

    admin.element("#account-new").await.click().await.unwrap();
    heading_is(&admin, "Create an account").await;
    // Nothing typed: the summary names what is missing.
    admin.element("#account-create").await.click().await.unwrap();
    let summary = admin.text(".error-summary").await;
    assert!(summary.contains("Enter a username") && summary.contains("department"), "{summary}");
    check_page(&admin, "admin-new-account", "#new-name").await;
    type_into(&admin, "#new-name", NEW.0).await;
    admin.element("#new-role-supervisor").await.click().await.unwrap();
    // A list of the departments, or the code typed when none is known.
    let department = admin.element("#new-department").await;
    if department.tag_name().await.unwrap() == "select" {
        department.select_by_value("market").await.unwrap();
    } else {
        type_into(&admin, "#new-department", "market").await;
    }
    type_into(&admin, "#new-password", NEW.1).await;
    type_into(&admin, "#new-password-again", NEW.1).await;
    admin.element("#account-create").await.click().await.unwrap();
    heading_is(&admin, "Account zhang.wei created").await;
    assert!(!admin.text("#issued-token").await.is_empty(), "the token is shown once");
    check_page(&admin, "admin-account-created", "#issued-token").await;

    // The new account signs in, in a browser of its own.
    let other = Browser::start("en-US").await;
    sign_in(&other, &server, NEW).await;
    heading_is(&other, "Dashboard").await;
    assert_eq!(other.text("#account .account-name").await, NEW.0);

    // The admin disables it from its page.
    admin.open(&server.page("/admin/accounts")).await;
    admin.element("table#accounts a[data-account='zhang.wei']").await.click().await.unwrap();
    heading_is(&admin, "Account zhang.wei").await;
    check_page(&admin, "admin-account", "#account-disable").await;
    admin.element("#account-disable").await.click().await.unwrap();
    text_contains(&admin, "#account-status", "disabled").await;
    text_contains(&admin, "#account-state", "disabled").await;
    admin.element("#account-enable").await;

    // Its session is over: its next page asks it to sign in.
    other.element("#console-nav a[href='#/directories']").await.click().await.unwrap();
    heading_is(&other, "Sign in").await;
    other.open(&server.page("/")).await;
    heading_is(&other, "Sign in").await;
    other.close().await;

    // The audit trail has the account's creation and its sign-in.
    admin.element(".sub-nav a[href='#/admin/audit']").await.click().await.unwrap();
    heading_is(&admin, "Audit trail").await;
    admin.element("table#audit").await;
    let mut rows = Vec::new();
    for row in admin.client.find_all(Locator::Css("table#audit tbody tr")).await.unwrap() {
        rows.push(row.text().await.unwrap());
    }
    let has = |action: &str, name: &str| rows.iter().any(|row| row.contains(action) && row.contains(name));
    assert!(has("created an account", NEW.0), "{rows:#?}");
    assert!(has("signed in", NEW.0), "{rows:#?}");
    assert!(has("signed in", ADMIN.0), "{rows:#?}");
    assert_eq!(admin.attribute("#audit-csv", "href", Duration::from_secs(5)).await, "/api/audit.csv");
    check_page(&admin, "admin-audit", "table#audit").await;
    admin.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_branding_saved_by_the_admin_is_what_the_public_site_shows() {
    let server = Server::start().await;
    let browser = Browser::start("zh-CN").await;
    sign_in(&browser, &server, ADMIN).await;
    browser.open(&server.page("/admin/branding")).await;
    heading_is(&browser, "网站信息").await;
    check_page(&browser, "admin-branding", "#branding-save").await;
    type_into(&browser, "#branding-authority-zh", "南京市测试监督管理局").await;
    type_into(&browser, "#branding-authority-en", "Nanjing Test Authority").await;
    type_into(&browser, "#branding-contact", "025-00000000").await;
    type_into(&browser, "#branding-objection-channel", "南京市政务服务热线 12345").await;
    type_into(&browser, "#branding-icp-filing", "苏ICP备12345678号").await;
    browser.element("#branding-save").await.click().await.unwrap();
    browser.element("#branding-public").await;
    let (status, site) = get_as(&server, ADMIN, "/api/public/site").await;
    assert_eq!(status, 200);
    assert_eq!(site["branding"]["authority_zh"], "南京市测试监督管理局");
    assert_eq!(site["branding"]["icp_filing"], "苏ICP备12345678号");
    // The public site's footer shows it.
    browser.element("#branding-public").await.click().await.unwrap();
    text_contains(&browser, "footer", "苏ICP备12345678号").await;
    text_contains(&browser, "footer", "南京市测试监督管理局").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_department_name_is_changed_in_place() {
    let server = Server::start().await;
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, ADMIN).await;
    browser.open(&server.page("/admin/departments")).await;
    heading_is(&browser, "Departments").await;
    text_contains(&browser, "table#departments", "market").await;
    check_page(&browser, "admin-departments", "table#departments").await;
    browser.element("table#departments a[data-department=market]").await.click().await.unwrap();
    heading_is(&browser, "Department market").await;
    type_into(&browser, "#department-name-en", "Nanjing Administration for Market Regulation").await;
    browser.element("#department-save").await.click().await.unwrap();
    browser.element(".confirmation").await;
    check_page(&browser, "admin-department", ".confirmation").await;
    let (_, departments) = get_as(&server, ADMIN, "/api/departments").await;
    let market = departments.as_array().unwrap().iter().find(|d| d["code"] == "market").unwrap().clone();
    assert_eq!(market["name_en"], "Nanjing Administration for Market Regulation");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_opening_the_accounts_page_gets_the_dashboard_and_no_account() {
    let server = Server::start().await;
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;
    assert_eq!(browser.count("#console-nav a[href='#/admin']").await, 0, "no admin entry for a supervisor");
    browser.open(&server.page("/admin/accounts")).await;
    heading_is(&browser, "Dashboard").await;
    browser.element("#main:not([aria-busy])").await;
    let page = browser.source().await;
    assert!(!page.contains("health-supervisor") && !page.contains("id=\"accounts\""), "account data shown");
    // The server refuses it too.
    let (status, _) = get_as(&server, MARKET, "/api/users").await;
    assert_eq!(status, 403);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_chooses_what_the_public_directories_show_and_a_supervisor_cannot() {
    let server = Server::start().await;
    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, ADMIN).await;
    browser.open(&server.page("/admin/branding")).await;
    browser.element("a[href='#/admin/publication']").await.click().await.unwrap();
    heading_is(&browser, "Public directories").await;
    // The switches as the server holds them: regions off, the rest on.
    let checked = |css: &'static str| {
        let browser = &browser;
        async move { browser.element(css).await.prop("checked").await.unwrap().as_deref() == Some("true") }
    };
    assert!(checked("#publication-inspector-names").await && checked("#publication-directory-sizes").await);
    assert!(!checked("#publication-inspector-regions").await);
    let hint = browser.text("#publication-inspector-certificates-hint").await;
    assert!(hint.contains("certificate"), "each switch says what it shows: {hint}");
    check_page(&browser, "admin-publication", "#publication-save").await;

    // By keyboard: the space bar turns a switch over.
    browser.element("#publication-inspector-regions").await.send_keys(" ").await.unwrap();
    browser.element("#publication-inspector-certificates").await.send_keys(" ").await.unwrap();
    browser.element("#publication-save").await.click().await.unwrap();
    text_contains(&browser, "#publication-saved", "from now on").await;
    check_page(&browser, "admin-publication-saved", "#publication-saved").await;
    let (_, settings) = get_as(&server, ADMIN, "/api/settings/publication").await;
    assert_eq!(
        (settings["inspector_regions"].as_bool(), settings["inspector_certificates"].as_bool()),
        (Some(true), Some(false)),
        "{settings}"
    );
    assert_eq!(settings["inspector_names"], true, "the others kept: {settings}");
    let (_, audit) = get_as(&server, ADMIN, "/api/audit?limit=10").await;
    assert!(audit.to_string().contains("publication_changed"), "{audit}");
    browser.close().await;

    let browser = Browser::start("en-US").await;
    sign_in(&browser, &server, MARKET).await;
    browser.open(&server.page("/admin/publication")).await;
    heading_is(&browser, "Dashboard").await;
    assert_eq!(get_as(&server, MARKET, "/api/settings/publication").await.0, 403);
    browser.close().await;
}
