//! A database made by an earlier release (a committed fixture) is migrated
//! by this binary with every record kept and its log unbroken.

#[allow(dead_code)]
mod server_process;

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use server_process::ServerProcess;
use sqlx::Row as _;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_previous_releases_demo_database_migrates_with_every_record_and_its_log_intact() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("demo-6c2505c.json")).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("upgraded.db");
    std::fs::copy(fixture("demo-6c2505c.sqlite"), &copy).unwrap();
    let database = format!("sqlite:{}", copy.display());

    // Opening migrates.
    let store = opendraw::storage::Store::open(&database).await.unwrap();
    assert!(opendraw::storage::health::pending_migrations(&store).await.unwrap().is_empty());
    for (table, count) in expected["rows"].as_object().unwrap() {
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(store.pool()).await.unwrap();
        // A later migration may add rows (a backfill), never lose one.
        let now: i64 = row.try_get("n").unwrap();
        assert!(now >= count.as_i64().unwrap(), "{table}: {now} rows, {count} before the upgrade");
    }
    let (seq, head) = opendraw::storage::log::head(store.pool()).await.unwrap();
    assert_eq!(seq, expected["log_head"]["seq"].as_u64().unwrap(), "the log is as it was");
    assert_eq!(hex::encode(head.0), expected["log_head"]["hash"].as_str().unwrap());
    store.close().await;

    let verified =
        Command::new(env!("CARGO_BIN_EXE_opendraw")).args(["log", "verify", &database]).output().unwrap();
    let report = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success() && report.contains("verified"), "{report}");
    // And the new server serves it.
    let server = ServerProcess::start(&database, &["--public-dir", "/nonexistent"], None);
    let ready = reqwest::get(format!("{}/readyz", server.address)).await.unwrap();
    assert_eq!(ready.status(), 200);
    let tasks: Value =
        reqwest::get(format!("{}/api/public/tasks", server.address)).await.unwrap().json().await.unwrap();
    assert!(tasks.to_string().contains("\"id\""), "the public tasks are served: {tasks}");
}
