//! `opendraw backup` copies a SQLite database while the service writes to
//! it, and `opendraw restore` puts a checked copy back: every write
//! acknowledged before the backup began is in the copy, and the copy's log
//! verifies. A damaged copy is refused and restores nothing.

#[allow(dead_code)]
mod server_process;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use server_process::ServerProcess;

fn opendraw(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opendraw")).args(args).current_dir(dir).output().unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// A task of the demo's market department whose entropy comes in an hour.
fn definition(n: usize) -> Value {
    let event =
        (chrono::Utc::now() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%S+00:00").to_string();
    json!({
        "name": format!("Backup test {n}"),
        "items": ["FOOD-01"],
        "quota": {"count": 3},
        "certificate_date": "2026-12-01",
        "entropy": {"format": "dice", "source": "dice at the test", "min_length": 20, "event_at": event}
    })
}

/// Creates and commits tasks until `stop`; every task the server
/// acknowledged is pushed to `done` as (id, committed).
async fn write_until(
    address: String,
    token: String,
    stop: Arc<AtomicBool>,
    done: Arc<Mutex<Vec<(i64, bool)>>>,
) {
    let client = reqwest::Client::new();
    let mut n = 0;
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        let created = client
            .post(format!("{address}/api/tasks"))
            .bearer_auth(&token)
            .json(&definition(n))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
        let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        done.lock().unwrap().push((id, false));
        let committed =
            client.post(format!("{address}/api/tasks/{id}/commit")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(committed.status(), 200, "{}", committed.text().await.unwrap());
        done.lock().unwrap().push((id, true));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_writes_restores_every_acknowledged_write_with_a_verified_log() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let live_url = live.display().to_string();
    let added = opendraw(
        &[
            "user",
            "add",
            "--database-url",
            &live_url,
            "--role",
            "supervisor",
            "--department",
            "market",
            "writer",
        ],
        dir.path(),
    );
    assert!(added.status.success(), "{}", text(&added));
    let token = String::from_utf8(added.stdout).unwrap().trim().to_owned();
    let server = ServerProcess::start(&live_url, &["--demo"], Some(dir.path()));

    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(Mutex::new(Vec::new()));
    let writer = tokio::spawn(write_until(server.address.clone(), token, stop.clone(), done.clone()));
    while done.lock().unwrap().len() < 6 {
        assert!(!writer.is_finished(), "the writer stopped early");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let before: Vec<(i64, bool)> = done.lock().unwrap().clone();
    let backup_file = dir.path().join("backup.db");
    let backup_path = backup_file.display().to_string();
    let dir_path = dir.path().to_owned();
    let live_for_backup = live_url.clone();
    let taken = tokio::task::spawn_blocking(move || {
        opendraw(&["backup", "--database-url", &live_for_backup, &backup_path], &dir_path)
    })
    .await
    .unwrap();
    // Writes went on while the backup ran.
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(taken.status.success(), "{}", text(&taken));
    assert!(text(&taken).contains("verified"), "{}", text(&taken));
    assert!(done.lock().unwrap().len() > before.len(), "writes went on during the backup");
    drop(server);

    let restored = dir.path().join("restored.db");
    let restored_url = restored.display().to_string();
    let put_back = opendraw(
        &["restore", "--database-url", &restored_url, &backup_file.display().to_string()],
        dir.path(),
    );
    assert!(put_back.status.success(), "{}", text(&put_back));
    let verified = opendraw(&["log", "verify", &restored_url], dir.path());
    assert!(verified.status.success(), "{}", text(&verified));

    let store = opendraw::storage::Store::open(&restored_url).await.unwrap();
    for (id, committed) in before {
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM tasks WHERE id = $1")
            .bind(id)
            .fetch_optional(store.pool())
            .await
            .unwrap();
        let state = state.unwrap_or_else(|| panic!("task {id}, acknowledged before the backup, is in it"));
        if committed {
            assert_eq!(state, "committed", "task {id}'s commitment was acknowledged before the backup");
        }
    }
    store.close().await;

    // A second restore over the first needs --replace.
    let again = opendraw(
        &["restore", "--database-url", &restored_url, &backup_file.display().to_string()],
        dir.path(),
    );
    assert!(!again.status.success());
    assert!(text(&again).contains("--replace"), "{}", text(&again));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_whose_log_was_altered_is_refused_and_nothing_is_restored() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db").display().to_string();
    let demo = opendraw(&["demo", "--database-url", &live], dir.path());
    assert!(demo.status.success(), "{}", text(&demo));
    let backup_file = dir.path().join("backup.db").display().to_string();
    let taken = opendraw(&["backup", "--database-url", &live, &backup_file], dir.path());
    assert!(taken.status.success(), "{}", text(&taken));

    // One log entry's time changed in the copy: the chain breaks there.
    let store = opendraw::storage::Store::open(&backup_file).await.unwrap();
    let changed = sqlx::query("UPDATE log_entries SET at = '2020-01-01T00:00:00Z' WHERE seq = 2")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 1);
    store.close().await;

    let target = dir.path().join("restored.db");
    let refused =
        opendraw(&["restore", "--database-url", &target.display().to_string(), &backup_file], dir.path());
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(text(&refused).contains("NOT verified"), "{}", text(&refused));
    assert!(!target.exists(), "nothing was restored");
    assert!(
        std::fs::read_dir(dir.path())
            .unwrap()
            .all(|entry| { !entry.unwrap().file_name().to_string_lossy().contains("restoring") })
    );
}

#[test]
fn a_postgres_database_is_sent_to_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let output = opendraw(
        &["backup", "--database-url", "postgres://postgres@127.0.0.1:5432/test", "out.db"],
        dir.path(),
    );
    assert!(!output.status.success());
    assert!(text(&output).contains("pg_dump"), "{}", text(&output));
    assert!(!dir.path().join("out.db").exists());
}
