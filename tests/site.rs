//! The public site is built into the binary: `opendraw serve` started in
//! a directory that holds no site serves it all the same.

#[allow(dead_code)]
mod server_process;

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};

use server_process::ServerProcess;

fn server_elsewhere(dir: &std::path::Path) -> ServerProcess {
    let database = format!("sqlite:{}", dir.join("site.db").display());
    ServerProcess::start(&database, &[], Some(dir))
}

#[tokio::test]
async fn the_built_in_site_is_served_from_any_directory() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_elsewhere(dir.path());
    let client = reqwest::Client::new();
    for (path, file, kind) in [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/task.html", "task.html", "text/html; charset=utf-8"),
        ("/items.html", "items.html", "text/html; charset=utf-8"),
        ("/pages/items.js", "pages/items.js", "javascript"),
        ("/rules.html", "rules.html", "text/html; charset=utf-8"),
        ("/pages/rules.js", "pages/rules.js", "javascript"),
        ("/plans.html", "plans.html", "text/html; charset=utf-8"),
        ("/pages/plans.js", "pages/plans.js", "javascript"),
        ("/directories.html", "directories.html", "text/html; charset=utf-8"),
        ("/pages/directories.js", "pages/directories.js", "javascript"),
        ("/verify.js", "verify.js", "javascript"),
        ("/style.css", "style.css", "text/css"),
        ("/console/", "console/index.html", "text/html; charset=utf-8"),
        ("/console/main.js", "console/main.js", "javascript"),
    ] {
        let response = client.get(format!("{}{path}", server.address)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers().clone();
        assert!(
            headers[CONTENT_TYPE].to_str().unwrap().contains(kind),
            "{path}: {:?}",
            headers[CONTENT_TYPE]
        );
        assert_eq!(headers[CACHE_CONTROL], "no-cache", "{path}");
        let body = response.bytes().await.unwrap();
        let expected = std::fs::read(format!("{}/public/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert!(body[..] == expected[..], "{path} is public/{file}");

        let again = client.get(format!("{}{path}", server.address)).header(IF_NONE_MATCH, &headers[ETAG]);
        let again = again.send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path} unchanged is not sent again");
        assert_eq!(again.headers()[ETAG], headers[ETAG]);
    }
}

#[tokio::test]
async fn the_console_without_its_slash_is_sent_to_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_elsewhere(dir.path());
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = client.get(format!("{}/console", server.address)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(response.headers()[reqwest::header::LOCATION], "/console/");
}

#[tokio::test]
async fn names_outside_the_site_are_not_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.txt"), "not part of the site").unwrap();
    let server = server_elsewhere(dir.path());
    let address = server.address.trim_start_matches("http://");
    for path in [
        "/missing.html",
        "/../secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e/Cargo.toml",
        "//etc/passwd",
        "/site.db",
    ] {
        // Sent as written: a client library would tidy the dots away.
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 404"), "{path}: {}", answer.lines().next().unwrap_or(""));
        assert!(!answer.contains("not part of the site") && !answer.contains("[package]"), "{path}");
    }
}

/// GETs `path` as written and returns (status, content type, body).
async fn get(address: &str, path: &str) -> (StatusCode, String, String) {
    let response = reqwest::get(format!("{address}{path}")).await.unwrap();
    let status = response.status();
    let kind =
        response.headers().get(CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, kind, response.text().await.unwrap())
}

#[tokio::test]
async fn an_unknown_address_of_the_site_gets_the_bilingual_not_found_page() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_elsewhere(dir.path());
    let page = std::fs::read_to_string(format!("{}/public/404.html", env!("CARGO_MANIFEST_DIR"))).unwrap();
    assert!(
        page.contains("Page not found") && page.contains("找不到此页"),
        "the page says it in both languages"
    );
    for path in ["/missing.html", "/tasks/1", "/lib/nothing.js", "/404"] {
        let (status, kind, body) = get(&server.address, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
        assert_eq!(body, page, "{path} is answered with public/404.html");
    }
}

#[tokio::test]
async fn an_unknown_api_address_keeps_the_api_answer_not_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_elsewhere(dir.path());
    for path in ["/api/nothing", "/api/public/nothing"] {
        let (status, kind, body) = get(&server.address, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!body.contains("找不到此页") && !kind.starts_with("text/html"), "{path}: {kind} {body}");
    }
}

#[tokio::test]
async fn a_site_served_from_a_directory_answers_unknown_addresses_with_its_own_not_found_page() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    std::fs::write(site.join("index.html"), "<!doctype html><title>home</title>").unwrap();
    std::fs::write(site.join("404.html"), "<!doctype html><title>not here · 不在这里</title>").unwrap();
    let database = format!("sqlite:{}", dir.path().join("site.db").display());
    let server = ServerProcess::start(&database, &["--public-dir", site.to_str().unwrap()], Some(dir.path()));

    let (status, _, body) = get(&server.address, "/").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "<!doctype html><title>home</title>"));
    let (status, kind, body) = get(&server.address, "/missing.html").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert_eq!(body, "<!doctype html><title>not here · 不在这里</title>");
    let (status, _, body) = get(&server.address, "/api/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("不在这里"), "{body}");
}
