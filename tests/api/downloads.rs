//! Bundles are sent as they are read from storage: byte for byte the
//! bundle packed whole, with its length announced before the first byte;
//! and only so many at once, the next request told when to come back (503
//! with `Retry-After`) rather than the server running out of memory.

use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use opendraw::files::bundle;
use opendraw::http::limits::Limits;
use opendraw::protocol::verify::BundleFiles;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_LENGTH, ETAG, IF_NONE_MATCH, RETRY_AFTER};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Backend, DICE, TestApp, revealed_task_with_a_large_pool};

/// The bundle packed whole from the task's published files.
async fn packed_from_its_files(app: &TestApp, task: i64) -> Vec<u8> {
    let mut files = BundleFiles::default();
    for (name, _) in BundleFiles::default().members() {
        let response = app.get(None, &format!("/api/public/tasks/{task}/files/{name}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        *files.member_mut(name).unwrap() = response.bytes().await.unwrap().to_vec();
    }
    // The log's proof is made at the download from the log, not stored.
    files.log_proof = app.service.log_proof_of(task).await.unwrap().map(|(bytes, _)| bytes);
    bundle::to_tar(&files)
}

/// Sends a GET for the bundle and reads only the head of the answer: the
/// server is left with a download it cannot finish until this client reads.
async fn stalled_download(app: &TestApp, task: i64) -> (tokio::net::TcpStream, String) {
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!("GET /api/public/tasks/{task}/bundle.tar HTTP/1.1\r\nHost: {address}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        stream.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    (stream, String::from_utf8(head).unwrap())
}

async fn a_bundle_is_sent_as_packed_whole_with_its_length_announced(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let task = revealed_task_with_a_large_pool(&app, 30_000).await;
    let response = app.get(None, &format!("/api/public/tasks/{task}/bundle.tar")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let announced: usize = response.headers()[CONTENT_LENGTH].to_str().unwrap().parse().unwrap();
    let sent = response.bytes().await.unwrap();
    assert_eq!(sent.len(), announced, "the length announced is the length sent");
    assert!(sent.len() > 6 << 20, "the pool fills several stored pieces ({} bytes)", sent.len());
    let packed = packed_from_its_files(&app, task).await;
    assert!(sent[..] == packed[..], "the bundle sent is the bundle packed whole");
    let files = bundle::from_tar("bundle.tar", &sent).unwrap();
    assert_eq!(
        files.targets.iter().filter(|&&byte| byte == b'\n').count(),
        30_060 + 1,
        "every target and the header"
    );
}

async fn bundle_downloads_beyond_the_limit_get_503_until_a_slot_is_free(backend: Backend) {
    let limits = Limits { concurrent_downloads: NonZeroUsize::new(1).unwrap(), ..Limits::default() };
    let app = TestApp::spawn_with(backend, limits, None).await;
    let task = revealed_task_with_a_large_pool(&app, 30_000).await;
    let (stalled, head) = stalled_download(&app, task).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");

    let refused = app.get(None, &format!("/api/public/tasks/{task}/bundle.tar")).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    let wait: u64 = refused.headers()[RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!(wait > 0);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "too_many_downloads", "{body}");
    assert!(body["message"].as_str().unwrap().contains("try again"), "{body}");
    let other = app.get(None, &format!("/api/public/tasks/{task}/files/commitment.tsv")).await;
    assert_eq!(other.status(), StatusCode::OK, "other reads do not wait for a download slot");

    // The client that went away frees its slot.
    drop(stalled);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let response = app.get(None, &format!("/api/public/tasks/{task}/bundle.tar")).await;
        if response.status() == StatusCode::OK {
            assert_eq!(response.bytes().await.unwrap()[..], packed_from_its_files(&app, task).await[..]);
            break;
        }
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(Instant::now() < deadline, "the slot of a client that went away is never freed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn a_small_bundle_is_sent_from_memory_with_its_tag_while_large_ones_wait(backend: Backend) {
    let limits = Limits { concurrent_downloads: NonZeroUsize::new(1).unwrap(), ..Limits::default() };
    let app = TestApp::spawn_with(backend, limits, None).await;
    let large = revealed_task_with_a_large_pool(&app, 30_000).await;
    let (_stalled, head) = stalled_download(&app, large).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let refused = app.get(None, &format!("/api/public/tasks/{large}/bundle.tar")).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE, "the one slot is taken");

    // Only the directory's class-B targets: a pool of a few kilobytes.
    let small = app.create_task(json!({"quota": {"count": 3}, "filter": {"risk_classes": ["B"]}})).await;
    app.act(small, "commit", json!({}), StatusCode::OK).await;
    app.pass_entropy_event();
    app.act(small, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
    app.act(small, "reveal", json!({}), StatusCode::OK).await;
    let path = format!("/api/public/tasks/{small}/bundle.tar");
    let mut tags = Vec::new();
    for _ in 0..2 {
        let response = app.get(None, &path).await;
        assert_eq!(response.status(), StatusCode::OK, "a small bundle needs no slot");
        let tag = response.headers()[ETAG].to_str().unwrap().to_owned();
        assert_eq!(response.headers()[CACHE_CONTROL], "public, max-age=60");
        assert_eq!(response.bytes().await.unwrap()[..], packed_from_its_files(&app, small).await[..]);
        tags.push(tag);
    }
    assert_eq!(tags[0], tags[1], "the same bundle, the same tag");
    let request = app.client.get(app.url(&path)).header(IF_NONE_MATCH, &tags[0]);
    let unchanged = request.send().await.unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    assert!(unchanged.bytes().await.unwrap().is_empty());
}

async fn a_large_file_is_sent_from_its_pieces_and_a_small_settled_one_kept(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let task = revealed_task_with_a_large_pool(&app, 30_000).await;
    let pool = app.service.store().pool();
    let stored = opendraw::storage::files::load(pool, task, "targets.tsv").await.unwrap().unwrap();
    assert!(stored.len() > 6 << 20, "the manifest fills several pieces ({} bytes)", stored.len());
    let response = app.get(None, &format!("/api/public/tasks/{task}/files/targets.tsv")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let announced: usize = response.headers()[CONTENT_LENGTH].to_str().unwrap().parse().unwrap();
    let sent = response.bytes().await.unwrap();
    assert_eq!((announced, sent.len()), (stored.len(), stored.len()));
    assert!(sent[..] == stored[..], "the file sent is the file stored");

    let path = format!("/api/public/tasks/{task}/files/parameters.tsv");
    let first = expect_bytes(&app, &path).await;
    for name in ["parameters.tsv", "targets.tsv"] {
        sqlx::query("DELETE FROM task_files WHERE task_id = $1 AND name = $2")
            .bind(task)
            .bind(name)
            .execute(pool)
            .await
            .unwrap();
    }
    // Kept in memory: the small settled file is sent again as first read;
    // the large one is read from storage for each download.
    assert_eq!(expect_bytes(&app, &path).await, first);
    let gone = app.get(None, &format!("/api/public/tasks/{task}/files/targets.tsv")).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}

async fn expect_bytes(app: &TestApp, path: &str) -> Vec<u8> {
    let response = app.get(None, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.bytes().await.unwrap().to_vec()
}

/// Runs each test on SQLite and on PostgreSQL; the tests start their own
/// server, some with limits of their own.
macro_rules! on_both_backends_by_hand {
    ($($name:ident)*) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(crate::helpers::Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name(crate::helpers::Backend::Postgres).await
                }
            }
        )*
    };
}

on_both_backends_by_hand! {
    a_bundle_is_sent_as_packed_whole_with_its_length_announced
    bundle_downloads_beyond_the_limit_get_503_until_a_slot_is_free
    a_large_file_is_sent_from_its_pieces_and_a_small_settled_one_kept
    a_small_bundle_is_sent_from_memory_with_its_tag_while_large_ones_wait
}
