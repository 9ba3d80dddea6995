//! A database made by an earlier release (a committed fixture) is migrated
//! by this binary with every record kept and its log unbroken; and on one
//! PostgreSQL, two servers go on serving while a later release's migration
//! (one that only adds) runs under them, and one restarted after it starts.

#[allow(dead_code)]
mod drawing_client;
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;
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
    // Each task's plan, kept beside its definition, is filled in from it.
    let plans: Vec<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT plan_id, json_extract(definition, '$.plan_id') FROM tasks")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert!(plans.iter().any(|(kept, _)| kept.is_some()), "the old demo's tasks name plans: {plans:?}");
    assert!(plans.iter().all(|(kept, named)| kept == named), "{plans:?}");
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
    // Every item of the old database is on the public list with a first
    // version, in force from the upgrade (and, above, no log entry for it).
    let items: Value =
        reqwest::get(format!("{}/api/public/items", server.address)).await.unwrap().json().await.unwrap();
    let items = items["items"].as_array().unwrap();
    assert_eq!(items.len() as u64, expected["rows"]["items"].as_u64().unwrap(), "every item is listed");
    for item in items {
        let history = item["history"].as_array().unwrap();
        assert_eq!(history.len(), 1, "{item}");
        assert_eq!(
            (history[0]["version"].as_i64(), history[0]["effective_until"].is_null()),
            (Some(1), true),
            "{item}"
        );
    }
}

/// What the next release might add: a table, a nullable column, an index,
/// recorded in the migrations table under a version this binary does not know.
const NEXT_RELEASE_MIGRATION: &str = "
    CREATE TABLE next_release_notes (id BIGSERIAL PRIMARY KEY, note TEXT NOT NULL);
    ALTER TABLE results ADD COLUMN next_release_note TEXT;
    CREATE INDEX next_release_results ON results (next_release_note);
    INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
        VALUES (99990101000000, 'next release', true, '\\x00', 0);";

async fn ready(client: &reqwest::Client, address: &str) -> u16 {
    client.get(format!("{address}/readyz")).send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_keep_serving_while_a_later_release_adds_to_the_schema() {
    let (database, _drop) = helpers::new_postgres_database().await;
    let token = drawing_client::add_supervisor(&database);
    let first = ServerProcess::start(&database, &["--public-dir", "/nonexistent"], None);
    let second = ServerProcess::start(&database, &["--public-dir", "/nonexistent"], None);
    let through_first = drawing_client::Supervisor::new(&first.address, &token);
    let through_second = drawing_client::Supervisor::new(&second.address, &token);
    through_first.fill_directories(300, 30).await;
    let (before, due_before) = through_first.committed_task(10).await;

    // The later release's migration, in one transaction, while both serve.
    let admin = sqlx::postgres::PgPool::connect(&database).await.unwrap();
    let mut migration = admin.begin().await.unwrap();
    sqlx::raw_sql(NEXT_RELEASE_MIGRATION).execute(&mut *migration).await.unwrap();
    migration.commit().await.unwrap();

    // Both go on: a task committed before is drawn through the other
    // server, a new one is committed and drawn across the two.
    let drawn = through_second.draw(before, due_before).await.unwrap();
    assert!(drawn.status().is_success(), "draw after the migration: {}", drawn.status());
    let (after, due_after) = through_second.committed_task(10).await;
    let drawn = through_first.draw(after, due_after).await.unwrap();
    assert!(drawn.status().is_success(), "draw after the migration: {}", drawn.status());
    let client = reqwest::Client::new();
    for server in [&first, &second] {
        assert_eq!(
            ready(&client, &server.address).await,
            200,
            "every migration this binary knows is applied"
        );
        let public = client.get(format!("{}/api/public/tasks/{after}", server.address)).send().await.unwrap();
        assert_eq!(public.status(), 200);
    }

    // A server of this release restarted now (a crash, a node drained
    // before its turn to upgrade) starts on the newer schema.
    first.kill();
    let restarted = ServerProcess::start(&database, &["--public-dir", "/nonexistent"], None);
    assert_eq!(ready(&client, &restarted.address).await, 200);
    let versions: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE version = 99990101000000")
            .fetch_one(&admin)
            .await
            .unwrap();
    assert_eq!(versions, 1, "the later release's migration is kept, not undone");
    admin.close().await;
    drawing_client::log_verifies(&database);
    drop(second);
}
