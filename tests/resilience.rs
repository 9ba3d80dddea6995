//! The service as separate processes: killed with SIGKILL at random points
//! while a client imports and draws in a loop, it restarts to a consistent
//! database, an unbroken log and every acknowledged write; and two servers
//! on one PostgreSQL database, drawing concurrently, keep one linear log
//! and never draw a task twice.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opendraw::domain::task::TaskState;
use opendraw::protocol::stream::DrawStream;
use serde_json::{Value, json};

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;
#[allow(dead_code)]
mod server_process;

use server_process::ServerProcess;

const BIN: &str = env!("CARGO_BIN_EXE_opendraw");

fn add_user(database: &str, role: &str, department: Option<&str>, name: &str) -> String {
    let mut command = Command::new(BIN);
    command.args(["user", "add", "--database-url", database, "--role", role, name]);
    if let Some(department) = department {
        command.args(["--department", department]);
    }
    let output = command.output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn log_verify(source: &str) -> String {
    let output = Command::new(BIN).args(["log", "verify", source]).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "the log does not verify:\n{text}");
    text
}

async fn post(client: &reqwest::Client, url: String, token: &str, body: Value) -> Result<Value, String> {
    let response = client.post(url).bearer_auth(token).json(&body).send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body: Value = response.json().await.map_err(|e| e.to_string())?;
    if status.is_success() { Ok(body) } else { Err(format!("{status}: {body}")) }
}

async fn post_csv(client: &reqwest::Client, url: String, token: &str, csv: String) -> Result<Value, String> {
    let response = client.post(url).bearer_auth(token).body(csv).send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body: Value = response.json().await.map_err(|e| e.to_string())?;
    if status.is_success() { Ok(body) } else { Err(format!("{status}: {body}")) }
}

/// What the server acknowledged: target ids imported, and the furthest
/// state each task was seen in.
#[derive(Default)]
struct Acknowledged {
    targets: BTreeSet<String>,
    tasks: BTreeMap<i64, &'static str>,
    /// Committed tasks not yet seen drawn, and when their entropy comes.
    due: BTreeMap<i64, Instant>,
}

/// How far ahead a task's entropy event is: a real server's clock cannot
/// be moved, so the workload draws a task once this much time has passed.
const EVENT_LEAD: Duration = Duration::from_secs(2);

/// The default task with its entropy event `EVENT_LEAD` from now (to the
/// second, so at least one second ahead), and when that event has passed.
fn task_with_near_event() -> (Value, Instant) {
    let mut definition = helpers::default_definition();
    definition["entropy"]["event_at"] = json!(helpers::event_time(chrono::Utc::now(), EVENT_LEAD));
    (definition, Instant::now() + EVENT_LEAD)
}

const STATES: [&str; 3] = ["draft", "committed", "drawn"];

/// Imports and draws in a loop until aborted; records every success.
async fn workload(address: String, token: String, round: u32, acknowledged: Arc<Mutex<Acknowledged>>) {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    for step in 0u32.. {
        let ids: Vec<String> = (0..300).map(|i| format!("K{round:03}{step:04}{i:03}")).collect();
        let csv = std::iter::once("id,name,region,risk_class".to_owned())
            .chain(ids.iter().map(|id| format!("{id},单位,R{},B", id.len() % 3)))
            .collect::<Vec<_>>()
            .join("\n");
        if post_csv(&client, format!("{address}/api/targets/import"), &token, csv).await.is_ok() {
            acknowledged.lock().unwrap().targets.extend(ids);
        }
        let (mut definition, due) = task_with_near_event();
        definition["quota"] = json!({"count": 5});
        definition["strata_by"] = json!([]);
        definition["cross"] = json!([]);
        if let Ok(task) = post(&client, format!("{address}/api/tasks"), &token, definition).await {
            let id = task["id"].as_i64().unwrap();
            acknowledged.lock().unwrap().tasks.insert(id, "draft");
            if post(&client, format!("{address}/api/tasks/{id}/commit"), &token, json!({})).await.is_ok() {
                let mut acknowledged = acknowledged.lock().unwrap();
                acknowledged.tasks.insert(id, "committed");
                acknowledged.due.insert(id, due);
            }
        }
        // Tasks committed in this round or an earlier one, whose entropy has come.
        let ready: Vec<i64> = {
            let acknowledged = acknowledged.lock().unwrap();
            acknowledged.due.iter().filter(|(_, due)| **due <= Instant::now()).map(|(id, _)| *id).collect()
        };
        for id in ready {
            let url = format!("{address}/api/tasks/{id}/draw");
            if post(&client, url, &token, json!({"entropy": helpers::DICE})).await.is_ok() {
                let mut acknowledged = acknowledged.lock().unwrap();
                acknowledged.tasks.insert(id, "drawn");
                acknowledged.due.remove(&id);
            }
        }
    }
}

async fn crash_and_recover(database: String) {
    let token = add_user(&database, "supervisor", Some("market"), "supervisor");
    let mut server = ServerProcess::start(&database, &["--public-dir", "/nonexistent"], None);
    let client = reqwest::Client::new();
    post_csv(
        &client,
        format!("{}/api/items/import", server.address),
        &token,
        "code,name,department\nFOOD-01,食品,market\n".into(),
    )
    .await
    .unwrap();
    // Qualified for the one item imported: an import names only items that exist.
    let inspectors = helpers::inspectors_csv("market", "M", 8).replace(";HEALTH-01", "");
    post_csv(&client, format!("{}/api/inspectors/import", server.address), &token, inspectors).await.unwrap();

    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let mut random = DrawStream::new([42; 32]);
    for round in 0..10 {
        let client_loop =
            tokio::spawn(workload(server.address.clone(), token.clone(), round, Arc::clone(&acknowledged)));
        tokio::time::sleep(Duration::from_millis(150 + u64::from(random.uniform_below(600)))).await;
        server.kill();
        client_loop.abort();
        let _ = client_loop.await;
        server = ServerProcess::start(&database, &["--public-dir", "/nonexistent"], None);
    }
    server.kill();

    let report = log_verify(&database);
    assert!(report.contains("verified"), "{report}");
    let store = opendraw::storage::Store::open(&database).await.unwrap();
    let pool = store.pool();
    let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());
    assert!(
        acknowledged.targets.len() >= 300 && acknowledged.tasks.len() >= 3,
        "the workload did something before the kills"
    );
    for id in &acknowledged.targets {
        assert!(
            opendraw::storage::directory::target_name(pool, id).await.unwrap().is_some(),
            "acknowledged target {id} was lost"
        );
    }
    for (&id, &seen) in &acknowledged.tasks {
        let task = opendraw::storage::tasks::get(pool, id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged task {id} was lost"));
        let rank = |state: &str| STATES.iter().position(|s| *s == state).unwrap();
        assert!(
            rank(task.state.as_str()) >= rank(seen),
            "task {id} was acknowledged {seen} and is now {}",
            task.state
        );
    }
    for id in opendraw::storage::tasks::ids_in(pool, &[TaskState::Committed, TaskState::Drawn]).await.unwrap()
    {
        let task = opendraw::storage::tasks::get(pool, id).await.unwrap().unwrap();
        for file in ["parameters.tsv", "targets.tsv", "inspectors.tsv", "recusals.tsv", "commitment.tsv"] {
            assert!(
                opendraw::storage::files::load(pool, id, file).await.unwrap().is_some(),
                "committed task {id} lacks {file}"
            );
        }
        if task.state == TaskState::Drawn {
            let result = opendraw::storage::files::load(pool, id, "result.tsv").await.unwrap();
            assert!(result.is_some(), "drawn task {id} has no result: half drawn");
            let selection = opendraw::storage::tasks::selection(pool, id).await.unwrap();
            let drawn: BTreeSet<i64> = selection.iter().map(|row| row.position).collect();
            assert_eq!(drawn.len() as i64, task.drawn_count.unwrap(), "task {id}'s selection is incomplete");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_sqlite_server_loses_nothing_acknowledged_and_keeps_its_log() {
    let dir = tempfile::tempdir().unwrap();
    crash_and_recover(format!("sqlite:{}", dir.path().join("crash.db").display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_postgres_server_loses_nothing_acknowledged_and_keeps_its_log() {
    let (database, _drop) = helpers::new_postgres_database().await;
    crash_and_recover(database).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_draw_each_task_once_into_one_log() {
    let (database, _drop) = helpers::new_postgres_database().await;
    let token = add_user(&database, "supervisor", Some("market"), "supervisor");
    let (a, b) = (
        ServerProcess::start(&database, &["--public-dir", "/nonexistent"], None),
        ServerProcess::start(&database, &["--public-dir", "/nonexistent"], None),
    );
    let client = reqwest::Client::new();
    post_csv(
        &client,
        format!("{}/api/items/import", a.address),
        &token,
        "code,name,department\nFOOD-01,食品,market\n".into(),
    )
    .await
    .unwrap();
    post_csv(
        &client,
        format!("{}/api/inspectors/import", b.address),
        &token,
        helpers::inspectors_csv("market", "M", 9).replace(";HEALTH-01", ""),
    )
    .await
    .unwrap();
    post_csv(&client, format!("{}/api/targets/import", a.address), &token, helpers::targets_csv(300))
        .await
        .unwrap();

    // Tasks created and committed through both servers at once.
    let mut creating = Vec::new();
    for index in 0..12 {
        let (client, token) = (client.clone(), token.clone());
        let address = if index % 2 == 0 { a.address.clone() } else { b.address.clone() };
        creating.push(tokio::spawn(async move {
            let (definition, due) = task_with_near_event();
            let task = post(&client, format!("{address}/api/tasks"), &token, definition).await.unwrap();
            let id = task["id"].as_i64().unwrap();
            post(&client, format!("{address}/api/tasks/{id}/commit"), &token, json!({})).await.unwrap();
            (id, due)
        }));
    }
    let mut tasks = Vec::new();
    let mut last_due = Instant::now();
    for handle in creating {
        let (id, due) = handle.await.unwrap();
        tasks.push(id);
        last_due = last_due.max(due);
    }
    // The servers' clocks cannot be moved: wait for the entropy to come.
    tokio::time::sleep_until(last_due.into()).await;
    // Every task drawn through both servers at the same moment, with
    // different entropy: exactly one draw may win.
    let mut draws = Vec::new();
    for &id in &tasks {
        for (address, entropy) in [(&a.address, "11111222223333344444"), (&b.address, "55555666661111122222")]
        {
            let (client, token, address) = (client.clone(), token.clone(), address.clone());
            draws.push(tokio::spawn(async move {
                (
                    id,
                    post(
                        &client,
                        format!("{address}/api/tasks/{id}/draw"),
                        &token,
                        json!({"entropy": entropy}),
                    )
                    .await,
                )
            }));
        }
    }
    let mut wins: BTreeMap<i64, u32> = BTreeMap::new();
    for handle in draws {
        let (id, outcome) = handle.await.unwrap();
        match outcome {
            Ok(_) => *wins.entry(id).or_default() += 1,
            Err(error) => {
                assert!(error.starts_with("409"), "a losing draw is a conflict, not a failure: {error}")
            }
        }
    }
    assert!(tasks.iter().all(|id| wins.get(id) == Some(&1)), "each task drawn exactly once: {wins:?}");
    a.kill();
    b.kill();
    let report = log_verify(&database);
    // The one item's publication, then each task created, committed and drawn once.
    assert!(report.contains("37 entries, 12 tasks"), "created, committed and drawn once each:\n{report}");
}
