//! Service benchmark: on a directory of N targets, import from CSV, then
//! commit + draw a task end to end over HTTP (1 % of 300 strata, 2
//! inspectors per target from 5 000, cross inspection by region, balanced),
//! on SQLite and on PostgreSQL.
//!
//!     cargo bench --bench service                       # 1 M targets, both backends
//!     cargo bench --bench service -- 10000000 sqlite    # sizes and backends to run
//!
//! PostgreSQL: a new database on OPENDRAW_BENCH_POSTGRES (default
//! postgres://postgres@127.0.0.1:5432/test). Results go to BENCHMARKS.md.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use opendraw::service::Service;
use opendraw::storage::Store;
use opendraw::storage::users::{Role, User};
use serde_json::{Value, json};
use sqlx::{ConnectOptions, Executor};

const REGIONS: usize = 75;
const INSPECTORS: usize = 5_000;
const REPEATS: usize = 3;

fn targets_csv(size: usize) -> String {
    let mut csv = String::with_capacity(size * 70);
    csv.push_str("id,name,region,industry,risk_class,unit\n");
    for index in 0..size as u64 {
        let mixed = index.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
        let region = mixed % REGIONS as u64 + 1;
        let class = ["A", "B", "C", "D"][((mixed >> 16) % 4) as usize];
        writeln!(
            csv,
            "91{:016},单位{index},3201{region:02},餐饮服务,{class},3201{region:02}-market",
            index * 7 + 3
        )
        .unwrap();
    }
    csv
}

fn inspectors_csv() -> String {
    let mut csv = String::from("id,name,department,unit,region,items,certificate_expires\n");
    for index in 0..INSPECTORS {
        let region = index * 7919 % REGIONS + 1;
        writeln!(
            csv,
            "E{index:06},检查员{index},market,3201{region:02}-market,3201{region:02},FOOD-01,2028-12-31"
        )
        .unwrap();
    }
    csv
}

async fn fresh_database(backend: &str) -> (String, Option<tempfile::TempDir>) {
    if backend == "sqlite" {
        let dir = tempfile::tempdir().unwrap();
        return (format!("sqlite:{}", dir.path().join("bench.db").display()), Some(dir));
    }
    let admin = std::env::var("OPENDRAW_BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let mut connection =
        sqlx::postgres::PgConnectOptions::from_url(&admin.parse().unwrap()).unwrap().connect().await.unwrap();
    let name = format!("opendraw_bench_{}", std::process::id());
    connection.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).await.unwrap();
    connection.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await.unwrap();
    (format!("{}/{name}", admin.rsplit_once('/').unwrap().0), None)
}

async fn post(client: &reqwest::Client, url: String, token: &str, body: Value) -> Value {
    let response = client.post(&url).bearer_auth(token).json(&body).send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{url}: {status} {body}");
    body
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

async fn run(size: usize, backend: &str, targets: &str) -> String {
    let (url, _dir) = fresh_database(backend).await;
    let service = Service::new(Store::open(&url).await.unwrap());
    let supervisor = service.add_user(None, "bench", Role::Supervisor, Some("market"), None).await.unwrap();
    let user = User {
        id: supervisor.user.id,
        name: "bench".into(),
        role: Role::Supervisor,
        department: Some("market".into()),
        inspector_id: None,
    };
    let items = "code,name,department\nFOOD-01,食品经营检查,market\n".as_bytes().to_vec();
    service
        .import::<opendraw::records::ItemRecord>(&user, "items.csv".into(), std::io::Cursor::new(items))
        .await
        .unwrap();
    service
        .import::<opendraw::records::InspectorRecord>(
            &user,
            "inspectors.csv".into(),
            std::io::Cursor::new(inspectors_csv().into_bytes()),
        )
        .await
        .unwrap();

    let started = Instant::now();
    let csv = targets.as_bytes().to_vec();
    service
        .import::<opendraw::records::TargetRecord>(&user, "targets.csv".into(), std::io::Cursor::new(csv))
        .await
        .unwrap();
    let import = started.elapsed();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let app = opendraw::http::router(service.clone(), None);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::builder().timeout(Duration::from_secs(600)).build().unwrap();
    let definition = json!({
        "name": "bench",
        "items": ["FOOD-01"],
        "strata_by": ["region", "risk_class"],
        "quota": {"ratio": "1%"},
        "cross": ["region"],
        "certificate_date": "2026-12-01",
        "entropy": {"format": "dice", "source": "bench", "min_length": 20}
    });
    let (mut commits, mut draws, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    let mut drawn = 0;
    for _ in 0..REPEATS {
        let task = post(&client, format!("{address}/api/tasks"), &supervisor.token, definition.clone()).await;
        let id = task["id"].as_i64().unwrap();
        let started = Instant::now();
        post(&client, format!("{address}/api/tasks/{id}/commit"), &supervisor.token, json!({})).await;
        let committed = started.elapsed();
        let body = post(
            &client,
            format!("{address}/api/tasks/{id}/draw"),
            &supervisor.token,
            json!({"entropy": "31415326535641526354"}),
        )
        .await;
        let total = started.elapsed();
        drawn = body["drawn_count"].as_i64().unwrap();
        commits.push(committed);
        draws.push(total - committed);
        totals.push(total);
    }
    service.store().close().await;
    if backend == "postgres" {
        let admin = std::env::var("OPENDRAW_BENCH_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let mut connection = sqlx::postgres::PgConnectOptions::from_url(&admin.parse().unwrap()).unwrap().connect().await.unwrap();
        let name = url.rsplit_once('/').unwrap().1.to_owned();
        connection.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await.unwrap();
    }
    format!(
        "| {size} | {backend} | {:.2} s | {:.0} ms | {:.0} ms | {:.0} ms | {drawn} |",
        import.as_secs_f64(),
        median(commits).as_secs_f64() * 1e3,
        median(draws).as_secs_f64() * 1e3,
        median(totals).as_secs_f64() * 1e3,
    )
}

fn main() {
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000_000] } else { sizes };
    let backends: Vec<&str> = ["sqlite", "postgres"]
        .into_iter()
        .filter(|b| {
            args.is_empty()
                || args.iter().any(|a| a == b)
                || !args.iter().any(|a| a == "sqlite" || a == "postgres")
        })
        .collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    println!("| targets | backend | import CSV | commit (HTTP) | draw (HTTP) | commit + draw | drawn |");
    println!("| ---: | --- | ---: | ---: | ---: | ---: | ---: |");
    for size in sizes {
        let targets = targets_csv(size);
        for backend in &backends {
            println!("{}", runtime.block_on(run(size, backend, &targets)));
        }
    }
}
