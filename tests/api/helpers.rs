//! Test harness: the real router on a real port (port 0), over a fresh
//! database — a SQLite file in a temporary directory, or a new PostgreSQL
//! database on the server at 127.0.0.1:5432 (override with
//! OPENDRAW_TEST_POSTGRES). A test that needs PostgreSQL and cannot reach
//! it fails; it is never skipped.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, FixedOffset, Utc};
use opendraw::domain::account::Role;
use opendraw::http::limits::Limits;
use opendraw::service::{Clock, Service};
use opendraw::storage::Store;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use sqlx::{ConnectOptions, Executor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each test body once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: $crate::helpers::TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await;
                    run(app).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await;
                    run(app).await
                }
            }
        )*
    };
}

pub struct TestApp {
    pub address: String,
    pub database_url: String,
    pub service: Service,
    /// The service's clock: fixed at today, moved by tests to see deadlines
    /// pass and entropy events come.
    pub clock: Clock,
    pub client: reqwest::Client,
    /// Tokens of the accounts every test starts with.
    pub admin: String,
    pub market: String,
    pub health: String,
    /// Inspector accounts, linked to M001 and M002 of the seeded directory.
    pub inspector_a: String,
    pub inspector_b: String,
    _dir: Option<tempfile::TempDir>,
    _database: Option<DropDatabase>,
}

pub fn postgres_admin_url() -> String {
    std::env::var("OPENDRAW_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Drops a test's PostgreSQL database when the test ends, pass or fail.
pub struct DropDatabase(String);

impl Drop for DropDatabase {
    fn drop(&mut self) {
        let name = std::mem::take(&mut self.0);
        // Drop runs inside the test's runtime; the drop needs one of its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let admin = postgres_admin_url();
                if let Ok(mut connection) =
                    sqlx::postgres::PgConnectOptions::from_url(&admin.parse().unwrap())
                        .unwrap()
                        .connect()
                        .await
                {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = connection.execute(sqlx::AssertSqlSafe(sql)).await;
                }
            })
        })
        .join();
    }
}

/// A new, empty PostgreSQL database: its URL, and the guard that drops it.
pub async fn new_postgres_database() -> (String, DropDatabase) {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let admin = postgres_admin_url();
    let mut connection = sqlx::postgres::PgConnectOptions::from_url(&admin.parse().unwrap())
        .unwrap()
        .connect()
        .await
        .unwrap_or_else(|error| {
            panic!("PostgreSQL is needed for this test and is not reachable at {admin}: {error}")
        });
    let name = format!(
        "opendraw_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        chrono::Utc::now().timestamp_micros()
    );
    connection.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await.unwrap();
    let base = admin.rsplit_once('/').expect("a database URL").0;
    (format!("{base}/{name}"), DropDatabase(name))
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, Limits::default(), None).await
    }

    /// The server with these limits, and with the public site when `public` is given.
    pub async fn spawn_with(backend: Backend, limits: Limits, public: Option<PathBuf>) -> Self {
        Self::spawn_configured(backend, limits, public, |service| service).await
    }

    /// The server whose service `configure` has set up (an attachments
    /// directory, ...).
    pub async fn spawn_configured(
        backend: Backend,
        limits: Limits,
        public: Option<PathBuf>,
        configure: impl FnOnce(Service) -> Service,
    ) -> Self {
        let (database_url, dir, database) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                (format!("sqlite:{}", dir.path().join("test.db").display()), Some(dir), None)
            }
            Backend::Postgres => {
                let (url, guard) = new_postgres_database().await;
                (url, None, Some(guard))
            }
        };
        let store = Store::open(&database_url).await.unwrap();
        let clock = Clock::fixed(opendraw::domain::calendar::today());
        let service = configure(Service::with_clock(store, clock.clone()));
        let token = |name: &str, role: Role, department: Option<&str>, inspector: Option<&str>| {
            let service = service.clone();
            let name = name.to_owned();
            let department = department.map(str::to_owned);
            let inspector = inspector.map(str::to_owned);
            async move {
                service
                    .add_user(None, &name, role, department.as_deref(), inspector.as_deref())
                    .await
                    .unwrap()
                    .token
            }
        };
        let admin = token("admin", Role::Admin, None, None).await;
        let market = token("market-supervisor", Role::Supervisor, Some("market"), None).await;
        let health = token("health-supervisor", Role::Supervisor, Some("health"), None).await;
        let inspector_a = token("inspector-a", Role::Inspector, None, Some("M001")).await;
        let inspector_b = token("inspector-b", Role::Inspector, None, Some("M002")).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let app = opendraw::http::router_with(service.clone(), public, limits);
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            address,
            database_url,
            service,
            clock,
            client: reqwest::Client::new(),
            admin,
            market,
            health,
            inspector_a,
            inspector_b,
            _dir: dir,
            _database: database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, token: Option<&str>, path: &str) -> Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn post_json(&self, token: Option<&str>, path: &str, body: &Value) -> Response {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn put_json(&self, token: Option<&str>, path: &str, body: &Value) -> Response {
        let mut request = self.client.put(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn post_csv(&self, token: &str, path: &str, csv: &str) -> Response {
        let request = self.client.post(self.url(path)).bearer_auth(token).header("content-type", "text/csv");
        request.body(csv.to_owned()).send().await.unwrap()
    }

    /// Imports the standard small directory: items, 60 targets in 3
    /// regions, 10 market and 4 health inspectors, 2 recusals.
    pub async fn seed_directory(&self) {
        for (token, csv) in [(&self.market, ITEMS_MARKET), (&self.health, ITEMS_HEALTH)] {
            expect(self.post_csv(token, "/api/items/import", csv).await, StatusCode::OK).await;
        }
        expect(self.post_csv(&self.market, "/api/targets/import", &targets_csv(60)).await, StatusCode::OK)
            .await;
        expect(
            self.post_csv(&self.market, "/api/inspectors/import", &inspectors_csv("market", "M", 10)).await,
            StatusCode::OK,
        )
        .await;
        expect(
            self.post_csv(&self.health, "/api/inspectors/import", &inspectors_csv("health", "H", 4)).await,
            StatusCode::OK,
        )
        .await;
        let recusals = "inspector_id,target_id,reason\nM003,T0001,relative\nM004,T0002,former employee\n";
        expect(self.post_csv(&self.market, "/api/recusals/import", recusals).await, StatusCode::OK).await;
    }

    /// Creates a market task from `definition` (merged over a default one,
    /// whose entropy event is `EVENT_LEAD` ahead of the service's clock).
    pub async fn create_task(&self, changes: Value) -> i64 {
        let mut definition = definition_with_event(&event_time(self.clock.now(), EVENT_LEAD));
        if let (Some(base), Some(changes)) = (definition.as_object_mut(), changes.as_object()) {
            for (key, value) in changes {
                base.insert(key.clone(), value.clone());
            }
        }
        let body =
            expect(self.post_json(Some(&self.market), "/api/tasks", &definition).await, StatusCode::CREATED)
                .await;
        body["id"].as_i64().unwrap()
    }

    /// Posts a task action as the market supervisor and expects `status`.
    pub async fn act(&self, id: i64, action: &str, body: Value, status: StatusCode) -> Value {
        let response = self.post_json(Some(&self.market), &format!("/api/tasks/{id}/{action}"), &body).await;
        expect(response, status).await
    }

    /// A task drawn (sealed) with the default definition; returns its id.
    pub async fn drawn_task(&self) -> i64 {
        let id = self.create_task(json!({})).await;
        self.act(id, "commit", json!({}), StatusCode::OK).await;
        self.pass_entropy_event();
        self.act(id, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        id
    }

    /// Moves the service's clock past the entropy event of every task
    /// created so far by `create_task`, as if `EVENT_LEAD` had gone by.
    pub fn pass_entropy_event(&self) {
        self.clock.advance(EVENT_LEAD + std::time::Duration::from_secs(1));
    }

    pub async fn log_head(&self) -> Value {
        expect(self.get(None, "/api/public/log/head").await, StatusCode::OK).await
    }
}

/// Twenty dice faces.
pub const DICE: &str = "31415326535641526354";

/// How far ahead of the present a test task's entropy comes into being.
pub const EVENT_LEAD: std::time::Duration = std::time::Duration::from_secs(60);

/// `lead` after `now`, at Beijing time, written as an entropy event time.
pub fn event_time(now: DateTime<Utc>, lead: std::time::Duration) -> String {
    let beijing = FixedOffset::east_opt(8 * 3600).unwrap();
    (now + lead).with_timezone(&beijing).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// The default task, its entropy coming into being `EVENT_LEAD` from now.
pub fn default_definition() -> Value {
    definition_with_event(&event_time(Utc::now(), EVENT_LEAD))
}

pub fn definition_with_event(event_at: &str) -> Value {
    json!({
        "name": "Test inspection",
        "items": ["FOOD-01"],
        "strata_by": ["region"],
        "quota": {"ratio": "20%"},
        "cross": ["region"],
        "certificate_date": "2026-12-01",
        "entropy": {"format": "dice", "source": "dice rolled at the test meeting", "min_length": 20, "event_at": event_at}
    })
}

/// Checks the status, and returns the body as JSON (null when not JSON).
pub async fn expect(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(actual, status, "body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

const ITEMS_MARKET: &str = "code,name,department\nFOOD-01,食品经营检查,market\nDRUG-01,药品经营检查,market\n";
const ITEMS_HEALTH: &str = "code,name,department\nHEALTH-01,公共场所卫生检查,health\n";

pub fn targets_csv(count: u32) -> String {
    let mut csv = String::from("id,name,region,industry,risk_class,unit\n");
    for index in 1..=count {
        let region = ["R1", "R2", "R3"][(index % 3) as usize];
        let risk = ["A", "B", "C", "D"][(index % 4) as usize];
        csv.push_str(&format!("T{index:04},单位{index},{region},餐饮服务,{risk},{region}-bureau\n"));
    }
    csv
}

pub fn inspectors_csv(department: &str, prefix: &str, count: u32) -> String {
    let mut csv = String::from("id,name,department,unit,region,items,certificate_expires\n");
    for index in 1..=count {
        let region = ["R1", "R2", "R3"][(index % 3) as usize];
        csv.push_str(&format!("{prefix}{index:03},检查员{index},{department},{region}-{department},{region},FOOD-01;HEALTH-01,2028-12-31\n"));
    }
    csv
}

/// Targets whose manifest lines are about 230 bytes (long ids and units),
/// so that a few tens of thousands fill many stored pieces of 1 MiB.
pub fn long_targets_csv(count: u32) -> String {
    let mut csv = String::from("id,name,region,industry,risk_class,unit\n");
    let padding = "x".repeat(100);
    for index in 1..=count {
        let region = ["R1", "R2", "R3"][(index % 3) as usize];
        csv.push_str(&format!(
            "L{index:07}{padding},单位{index},{region},餐饮服务,A,{region}-unit-{padding}\n"
        ));
    }
    csv
}

/// A revealed task drawing a few targets from a pool of `count` long ones.
pub async fn revealed_task_with_a_large_pool(app: &TestApp, count: u32) -> i64 {
    app.seed_directory().await;
    let csv = long_targets_csv(count);
    expect(app.post_csv(&app.market, "/api/targets/import", &csv).await, StatusCode::OK).await;
    let task = app.create_task(json!({"quota": {"count": 3}})).await;
    app.act(task, "commit", json!({}), StatusCode::OK).await;
    app.pass_entropy_event();
    app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
    app.act(task, "reveal", json!({}), StatusCode::OK).await;
    task
}
