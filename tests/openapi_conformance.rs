//! The OpenAPI document (`/api/openapi.json`) against the real server:
//! every documented operation, called with inputs generated from the
//! document by schemathesis, answers with a status the document lists for
//! it and a body of the documented schema and media type, and never with a
//! server error. (That every route is documented is checked by
//! `openapi_document`: routes are registered with their documentation.)
//!
//! The server runs with the demo loaded, on SQLite and on PostgreSQL.
//! schemathesis comes from PyPI into a virtualenv beside the build
//! (`scripts/test.sh` installs it); when it is missing the test fails.

use std::path::PathBuf;
use std::process::Command;

use opendraw::domain::account::Role;
use opendraw::service::Service;
use opendraw::storage::Store;
use opendraw::storage::users;

/// The schemathesis release `scripts/test.sh` installs.
const SCHEMATHESIS: &str = "schemathesis==4.32.5";

/// Generated cases per operation and phase: enough to reach every
/// documented answer, few enough that a run stays near a minute.
const EXAMPLES: &str = "12";

/// The same cases each run unless `OPENDRAW_CONFORMANCE_SEED` asks for others.
const SEED: &str = "20260101";

fn schemathesis() -> PathBuf {
    if let Some(path) = std::env::var_os("OPENDRAW_SCHEMATHESIS") {
        return PathBuf::from(path);
    }
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    target.parent().expect("the target directory").join("venv/bin/schemathesis")
}

/// A running server: its address and a token for each role.
struct Server {
    address: String,
    supervisor: String,
    inspector: String,
    admin: String,
    /// The database, and where schemathesis keeps its files.
    dir: tempfile::TempDir,
}

/// Starts the server with the demo loaded, on its own runtime, for the
/// rest of the test process.
fn serve(database_url: Option<String>) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let url =
        database_url.unwrap_or_else(|| format!("sqlite:{}", dir.path().join("conformance.db").display()));
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let service = Service::new(Store::open(&url).await.unwrap());
            assert!(opendraw::demo::load_if_empty(&service).await.unwrap(), "the demo loads");
            let add = |name: &'static str, role: Role, department: Option<&'static str>| {
                let service = service.clone();
                async move { service.add_user(None, name, role, department, None).await.unwrap() }
            };
            let admin = add("conformance-admin", Role::Admin, None).await;
            let supervisor = add("conformance-market", Role::Supervisor, Some("market")).await;
            let all = users::list(service.store().pool()).await.unwrap();
            let m001 = all.iter().find(|user| user.name == "inspector-M001").expect("the demo's inspector");
            let inspector = service.rotate_token(&admin.user, m001.id).await.unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = format!("http://{}", listener.local_addr().unwrap());
            sender.send((address, supervisor.token, inspector, admin.token)).unwrap();
            axum::serve(listener, opendraw::http::router(service, None)).await.unwrap();
        });
    });
    let (address, supervisor, inspector, admin) = receiver.recv().expect("the server starts");
    Server { address, supervisor, inspector, admin, dir }
}

/// Runs schemathesis over the operations whose path matches `paths`, as
/// the holder of `token`; on failure, its report names each operation and
/// what did not match.
fn conform(server: &Server, who: &str, token: &str, paths: &str) -> Result<(), String> {
    let program = schemathesis();
    assert!(
        program.exists(),
        "schemathesis is needed and is not at {}: run scripts/test.sh, or \
         python3 -m venv target/venv && target/venv/bin/pip install {SCHEMATHESIS} \
         (or set OPENDRAW_SCHEMATHESIS to its path)",
        program.display()
    );
    let seed = std::env::var("OPENDRAW_CONFORMANCE_SEED").unwrap_or_else(|_| SEED.to_owned());
    let output = Command::new(&program)
        .args(["run", &format!("{}/api/openapi.json", server.address)])
        .args(["--url", &server.address])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--include-path-regex", paths])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
             response_schema_conformance,response_headers_conformance",
        ])
        .args(["--max-examples", EXAMPLES, "--seed", &seed, "--workers", "1"])
        .args(["--request-timeout", "30", "--no-shrink", "--output-truncate", "false"])
        .env("NO_COLOR", "1")
        .current_dir(server.dir.path())
        .output()
        .expect("schemathesis runs");
    if output.status.success() {
        return Ok(());
    }
    let report =
        String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    Err(format!("as the {who} ({paths}), seed {seed}:\n{report}"))
}

fn conforms_on(database_url: Option<String>) {
    let server = serve(database_url);
    let failures: Vec<String> = [
        // Inspectors' own routes as an inspector and admin routes as an
        // admin; everything else as a supervisor, who also meets the 403s
        // of the routes for other roles.
        ("inspector", &server.inspector, "^/api/me"),
        ("supervisor", &server.supervisor, "^/api/"),
        ("admin", &server.admin, "^/api/users"),
    ]
    .into_iter()
    .filter_map(|(who, token, paths)| conform(&server, who, token, paths).err())
    .collect();
    assert!(failures.is_empty(), "the server does not answer as documented:\n\n{}", failures.join("\n\n"));
}

#[test]
fn every_documented_operation_answers_as_documented_on_sqlite() {
    conforms_on(None);
}

#[test]
fn every_documented_operation_answers_as_documented_on_postgres() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (url, guard) = runtime.block_on(postgres::new_database());
    conforms_on(Some(url));
    drop(guard);
}

mod postgres {
    //! A fresh PostgreSQL database for one test, dropped when it ends.

    use sqlx::{ConnectOptions, Executor};

    fn admin_url() -> String {
        std::env::var("OPENDRAW_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
    }

    async fn connect() -> sqlx::PgConnection {
        let admin = admin_url();
        sqlx::postgres::PgConnectOptions::from_url(&admin.parse().unwrap())
            .unwrap()
            .connect()
            .await
            .unwrap_or_else(|error| panic!("PostgreSQL is needed and is not reachable at {admin}: {error}"))
    }

    pub struct Drop(String);

    impl std::ops::Drop for Drop {
        fn drop(&mut self) {
            let name = std::mem::take(&mut self.0);
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let _ = connect().await.execute(sqlx::AssertSqlSafe(sql)).await;
            });
        }
    }

    pub async fn new_database() -> (String, Drop) {
        let name = format!("opendraw_test_conformance_{}", std::process::id());
        let mut connection = connect().await;
        connection.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await.unwrap();
        let base = admin_url().rsplit_once('/').expect("a database URL").0.to_owned();
        (format!("{base}/{name}"), Drop(name))
    }
}
