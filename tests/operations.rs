//! What the people who run the service watch, on a server process:
//! `/healthz` answers while the process is up, `/readyz` only while the
//! database answers with every migration applied (503 with a reason
//! otherwise, 200 again once it is back), and the metrics listener counts
//! requests by route template, draws and failed sign-ins.

#[allow(dead_code)]
mod drawing_client;
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;
#[allow(dead_code)]
mod server_process;

use std::time::{Duration, Instant};

use drawing_client::Supervisor;
use serde_json::Value;
use server_process::ServerProcess;
use sqlx::{ConnectOptions, Connection, Executor};

async fn probe(client: &reqwest::Client, url: String) -> (u16, Value) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    assert_eq!(response.headers()["cache-control"], "no-store");
    (status, response.json().await.unwrap())
}

/// Polls `/readyz` until it answers `status`, for at most 20 seconds.
async fn readyz_becomes(client: &reqwest::Client, address: &str, status: u16) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (now, body) = probe(client, format!("{address}/readyz")).await;
        if now == status {
            return body;
        }
        assert!(Instant::now() < deadline, "/readyz stayed {now}: {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_while_the_postgres_database_refuses_connections_and_200_once_it_is_back() {
    let (database, _drop) = helpers::new_postgres_database().await;
    let name = database.rsplit('/').next().unwrap().to_owned();
    let server = ServerProcess::start(&database, &["--public-dir", "/nonexistent"], None);
    let client = reqwest::Client::new();
    assert_eq!(
        probe(&client, format!("{}/readyz", server.address)).await,
        (200, serde_json::json!({"status": "ready"}))
    );

    let admin = helpers::postgres_admin_url();
    let mut connection =
        sqlx::postgres::PgConnectOptions::from_url(&admin.parse().unwrap()).unwrap().connect().await.unwrap();
    // The database goes away for the server: no new connection is allowed
    // and those it holds are cut, as when the database server restarts.
    connection
        .execute(sqlx::AssertSqlSafe(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")))
        .await
        .unwrap();
    connection
        .execute(sqlx::AssertSqlSafe(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        )))
        .await
        .unwrap();
    let down = readyz_becomes(&client, &server.address, 503).await;
    assert_eq!(down["status"], "not_ready", "{down}");
    assert_eq!(down["code"], "database_unreachable", "{down}");
    assert!(!down["message"].as_str().unwrap().is_empty(), "{down}");
    // The process itself is fine: restarting it would not help.
    assert_eq!(probe(&client, format!("{}/healthz", server.address)).await.0, 200);

    connection
        .execute(sqlx::AssertSqlSafe(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")))
        .await
        .unwrap();
    readyz_becomes(&client, &server.address, 200).await;
    connection.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_on_sqlite_while_a_migration_is_not_applied_and_200_once_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ready.db");
    let database = format!("sqlite:{}", file.display());
    let server = ServerProcess::start(&database, &["--public-dir", "/nonexistent"], None);
    let client = reqwest::Client::new();
    assert_eq!(probe(&client, format!("{}/readyz", server.address)).await.0, 200);
    assert_eq!(
        probe(&client, format!("{}/healthz", server.address)).await,
        (200, serde_json::json!({"status": "up"}))
    );

    // The newest migration marked as not applied, as a database restored
    // from before an upgrade would be.
    let mut connection = sqlx::sqlite::SqliteConnectOptions::new().filename(&file).connect().await.unwrap();
    let mark = |success: bool| {
        format!(
            "UPDATE _sqlx_migrations SET success = {success} \
             WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)"
        )
    };
    let newest: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut connection)
        .await
        .unwrap();
    connection.execute(sqlx::AssertSqlSafe(mark(false))).await.unwrap();
    let (status, body) = probe(&client, format!("{}/readyz", server.address)).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "migrations_pending", "{body}");
    assert!(body["message"].as_str().unwrap().ends_with(&newest.to_string()), "names the version: {body}");

    connection.execute(sqlx::AssertSqlSafe(mark(true))).await.unwrap();
    assert_eq!(probe(&client, format!("{}/readyz", server.address)).await.0, 200);
    connection.close().await.unwrap();
}

/// The value of the sample `name` (with its labels, as written) in
/// OpenMetrics `text`.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_on_their_own_listener_count_a_draw_under_its_route_template() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite:{}", dir.path().join("metrics.db").display());
    let token = drawing_client::add_supervisor(&database);
    let server = ServerProcess::start(
        &database,
        &["--public-dir", "/nonexistent", "--metrics-address", "127.0.0.1:0"],
        None,
    );
    let line = server.log_line("metrics at ");
    let metrics_url = line.split("metrics at ").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let client = reqwest::Client::new();
    // Not on the public listener.
    let public = client.get(format!("{}/metrics", server.address)).send().await.unwrap();
    assert_eq!(public.status(), 404);

    let supervisor = Supervisor::new(&server.address, &token);
    supervisor.fill_directories(30, 6).await;
    let (id, due) = supervisor.committed_task(3).await;
    let drawn = supervisor.draw(id, due).await.unwrap();
    assert_eq!(drawn.status(), 200, "{}", drawn.text().await.unwrap());
    let refused =
        client.get(format!("{}/api/tasks", server.address)).bearer_auth("not-a-token").send().await.unwrap();
    assert_eq!(refused.status(), 401);

    let scraped = client.get(&metrics_url).send().await.unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(scraped.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    let text = scraped.text().await.unwrap();
    let draw_route = r#"{method="POST",route="/api/tasks/{id}/draw",status="200"}"#;
    assert_eq!(sample(&text, &format!("opendraw_http_requests_total{draw_route}")), Some(1.0), "{text}");
    assert!(!text.contains(&format!("/api/tasks/{id}/draw")), "raw paths are never labels:\n{text}");
    assert_eq!(
        sample(
            &text,
            r#"opendraw_http_request_duration_seconds_count{method="POST",route="/api/tasks/{id}/draw"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(sample(&text, "opendraw_draws_total"), Some(1.0), "{text}");
    assert_eq!(sample(&text, r#"opendraw_imports_total{kind="targets"}"#), Some(1.0), "{text}");
    assert_eq!(sample(&text, r#"opendraw_failed_sign_ins_total{kind="token"}"#), Some(1.0), "{text}");
    assert_eq!(sample(&text, r#"opendraw_tasks{state="drawn"}"#), Some(1.0), "{text}");
    // Three targets of one item, none published; and the task's commitment
    // and draw in the log at least.
    assert_eq!(sample(&text, "opendraw_open_ledger_lines"), Some(3.0), "{text}");
    assert!(sample(&text, "opendraw_log_entries").unwrap() >= 2.0, "{text}");
    // No webhook, no event: the outbox's gauges read zero.
    assert_eq!(sample(&text, r#"opendraw_exchange_events{state="pending"}"#), Some(0.0), "{text}");
    assert_eq!(sample(&text, r#"opendraw_exchange_events{state="failed"}"#), Some(0.0), "{text}");
}

#[test]
fn log_format_json_writes_every_log_line_as_one_json_object() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite:{}", dir.path().join("json.db").display());
    let server =
        ServerProcess::start(&database, &["--public-dir", "/nonexistent", "--log-format", "json"], None);
    let log = server.log();
    assert!(log.len() >= 2, "{log:?}");
    for line in &log {
        let event: Value = serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(event["level"].is_string() && event["timestamp"].is_string(), "{line}");
        assert!(event["fields"]["message"].is_string(), "{line}");
    }
    assert!(log.iter().any(|line| line.contains("listening on")), "{log:?}");
}
