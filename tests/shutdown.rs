//! SIGTERM stops a server process gracefully: it stops accepting, lets the
//! draw in flight finish (bounded), and exits; a draw sent while it stops
//! either completes or leaves nothing, and the log verifies after a
//! restart. On both databases.

#[allow(dead_code)]
mod drawing_client;
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;
#[allow(dead_code)]
mod server_process;

use std::time::{Duration, Instant};

use drawing_client::Supervisor;
use opendraw::domain::task::TaskState;
use server_process::ServerProcess;

async fn sigterm_during_a_draw(database: String) {
    let token = drawing_client::add_supervisor(&database);
    let mut server = ServerProcess::start(&database, &["--public-dir", "/nonexistent"], None);
    let supervisor = Supervisor::new(&server.address, &token);
    // A pool large enough that the draw takes a while.
    supervisor.fill_directories(20_000, 40).await;
    let (id, due) = supervisor.committed_task(4_000).await;

    let address = server.address.clone();
    let draw = tokio::spawn(async move { supervisor.draw(id, due).await });
    tokio::time::sleep_until((due + Duration::from_millis(30)).into()).await;
    let signalled = Instant::now();
    server.signal(libc::SIGTERM);
    let status = tokio::task::spawn_blocking(move || {
        let status = server.wait_for_exit(Duration::from_secs(30));
        (status, server)
    });
    let answer = draw.await.unwrap();
    let (status, server) = status.await.unwrap();
    let status = status.expect("the server exits within the drain time after SIGTERM");
    assert!(status.success(), "the server exits cleanly: {status:?}\n{:?}", server.log());
    let log = server.log();
    assert!(log.iter().any(|line| line.contains("stopping: no new connections")), "{log:?}");
    println!("the server stopped {:?} after SIGTERM", signalled.elapsed());
    // A new connection after the exit is refused.
    assert!(reqwest::get(format!("{address}/healthz")).await.is_err());

    let store = opendraw::storage::Store::open(&database).await.unwrap();
    let task = opendraw::storage::tasks::get(store.pool(), id).await.unwrap().unwrap();
    let result = opendraw::storage::files::load(store.pool(), id, "result.tsv").await.unwrap();
    let selection = opendraw::storage::tasks::selection(store.pool(), id).await.unwrap();
    match answer {
        // The draw in flight was let finish, and it is all there.
        Ok(response) if response.status() == 200 => {
            assert_eq!(task.state, TaskState::Drawn);
            assert!(result.is_some(), "drawn without a result");
            let drawn: std::collections::BTreeSet<i64> = selection.iter().map(|row| row.position).collect();
            assert_eq!(task.drawn_count, Some(4_000));
            assert_eq!(drawn.len(), 4_000, "every drawn target is stored");
        }
        // Otherwise nothing of it: still committed, no result, no selection.
        other => {
            println!("the draw did not complete: {:?}", other.map(|response| response.status()));
            assert_eq!(task.state, TaskState::Committed);
            assert!(result.is_none() && selection.is_empty(), "half a draw is stored");
        }
    }
    store.close().await;
    let report = drawing_client::log_verifies(&database);
    assert!(report.contains("verified"), "{report}");
    // And the restarted server serves it.
    let restarted = ServerProcess::start(&database, &["--public-dir", "/nonexistent"], None);
    assert_eq!(reqwest::get(format!("{}/readyz", restarted.address)).await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_draw_on_sqlite_completes_it_or_leaves_nothing_and_the_log_verifies() {
    let dir = tempfile::tempdir().unwrap();
    sigterm_during_a_draw(format!("sqlite:{}", dir.path().join("shutdown.db").display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_draw_on_postgres_completes_it_or_leaves_nothing_and_the_log_verifies() {
    let (database, _drop) = helpers::new_postgres_database().await;
    sigterm_during_a_draw(database).await;
}
