//! What the service benchmarks share: a generated directory (N targets in
//! 300 strata, 5 000 inspectors), a fresh database, and a loaded service.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::time::Duration;

use opendraw::domain::account::{Role, User};
use opendraw::domain::records::{InspectorRecord, ItemRecord, TargetRecord};
use opendraw::service::{Clock, Service};
use opendraw::storage::Store;
use serde_json::Value;
use sqlx::{ConnectOptions, Executor};

const REGIONS: usize = 75;
const INSPECTORS: usize = 5_000;
const REPEATS: usize = 3;

pub fn targets_csv(size: usize) -> String {
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

pub fn inspectors_csv() -> String {
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

pub async fn fresh_database(backend: &str) -> (String, Option<tempfile::TempDir>) {
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

pub async fn post(client: &reqwest::Client, url: String, token: &str, body: Value) -> Value {
    let response = client.post(&url).bearer_auth(token).json(&body).send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{url}: {status} {body}");
    body
}

fn admin_url() -> String {
    std::env::var("OPENDRAW_BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Drops a benchmark's PostgreSQL database.
pub async fn drop_database(url: &str) {
    let mut connection = sqlx::postgres::PgConnectOptions::from_url(&admin_url().parse().unwrap())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let name = url.rsplit_once('/').unwrap().1.to_owned();
    connection
        .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
        .await
        .unwrap();
}

/// A service on `url` with items and inspectors imported, its clock (fixed
/// at today, so that a bench can pass an entropy event without waiting), a
/// supervisor of department `market`, and the supervisor's token.
pub async fn service_with_inspectors(url: &str) -> (Service, Clock, User, String) {
    let clock = Clock::fixed(opendraw::domain::calendar::today());
    let service = Service::with_clock(Store::open(url).await.unwrap(), clock.clone());
    let issued = service.add_user(None, "bench", Role::Supervisor, Some("market"), None).await.unwrap();
    let user = issued.user.clone();
    let items = "code,name,department\nFOOD-01,食品经营检查,market\n".as_bytes().to_vec();
    service.import::<ItemRecord>(&user, "items.csv".into(), std::io::Cursor::new(items)).await.unwrap();
    service
        .import::<InspectorRecord>(
            &user,
            "inspectors.csv".into(),
            std::io::Cursor::new(inspectors_csv().into_bytes()),
        )
        .await
        .unwrap();
    (service, clock, user, issued.token)
}

pub async fn import_targets(service: &Service, user: &User, csv: &str) {
    let bytes = csv.as_bytes().to_vec();
    service.import::<TargetRecord>(user, "targets.csv".into(), std::io::Cursor::new(bytes)).await.unwrap();
}

/// Serves the service (and the public site, when given) on a free port.
pub async fn serve(service: &Service, public: Option<std::path::PathBuf>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let app = opendraw::http::router(service.clone(), public);
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    address
}

/// How far ahead of the service's clock a bench task's entropy comes.
pub const EVENT_LEAD: Duration = Duration::from_secs(60);

/// Moves the service's clock past the entropy event of a task made now by
/// `one_percent_task`: the service draws no earlier.
pub fn pass_entropy_event(clock: &Clock) {
    clock.advance(EVENT_LEAD + Duration::from_secs(1));
}

/// A task drawing 1 % of every stratum (or the quota of [`quota`]), 2
/// inspectors per target from another region, balanced; its entropy comes
/// `EVENT_LEAD` after `clock`'s now.
pub fn one_percent_task(clock: &Clock) -> Value {
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let event_at =
        (clock.now() + EVENT_LEAD).with_timezone(&beijing).format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    serde_json::json!({
        "name": "bench",
        "items": ["FOOD-01"],
        "strata_by": ["region", "risk_class"],
        "quota": quota(),
        "cross": ["region"],
        "certificate_date": "2026-12-01",
        "entropy": {"format": "dice", "source": "bench", "min_length": 20, "event_at": event_at}
    })
}

/// The task's quota: 1 % of every stratum, or the JSON in
/// `OPENDRAW_BENCH_QUOTA` (`{"count": 34}` draws the same 10 200 targets
/// from 300 strata whatever the pool's size, to see what memory the pool
/// alone takes).
fn quota() -> Value {
    match std::env::var("OPENDRAW_BENCH_QUOTA") {
        Ok(json) => serde_json::from_str(&json).expect("OPENDRAW_BENCH_QUOTA is a quota in JSON"),
        Err(_) => serde_json::json!({"ratio": "1%"}),
    }
}
