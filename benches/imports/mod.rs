//! The import table of the service benchmark: opendraw's import of N
//! targets into a fresh directory, its import of the same file again (every
//! row already there: the staged path), and the database's floor for the
//! same CSV, measured in the same run.

use std::io::Write as _;
use std::time::{Duration, Instant};

use sqlx::{ConnectOptions, Executor};

use crate::support::{drop_database, fresh_database, import_targets, service_with_inspectors};

/// The columns of the benchmark's CSV, with its primary key.
const BARE_TABLE: &str = "CREATE TABLE bare (id TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL, \
     industry TEXT NOT NULL, risk_class TEXT NOT NULL, unit TEXT NOT NULL)";

pub fn table(runtime: &tokio::runtime::Runtime, targets: &[(usize, String)], backends: &[&str]) {
    println!("| targets | backend | import | floor | ratio | import again (all rows there) |");
    println!("| ---: | --- | ---: | ---: | ---: | ---: |");
    for (size, csv) in targets {
        for backend in backends {
            let (import, again, floor) = runtime.block_on(measure(backend, csv));
            println!(
                "| {size} | {backend} | {:.2} s | {:.2} s | {:.2}× | {:.2} s |",
                import.as_secs_f64(),
                floor.as_secs_f64(),
                import.as_secs_f64() / floor.as_secs_f64(),
                again.as_secs_f64(),
            );
        }
    }
}

/// The import, the import again, and the floor.
async fn measure(backend: &str, csv: &str) -> (Duration, Duration, Duration) {
    let (url, dir) = fresh_database(backend).await;
    let (service, _, user, _) = service_with_inspectors(&url).await;
    let started = Instant::now();
    import_targets(&service, &user, csv).await;
    let import = started.elapsed();
    let started = Instant::now();
    import_targets(&service, &user, csv).await;
    let again = started.elapsed();
    service.store().close().await;
    let floor = match backend {
        "postgres" => postgres_copy(&url, csv).await,
        _ => sqlite_shell_import(dir.as_ref().expect("a SQLite directory").path(), csv),
    };
    if backend == "postgres" {
        drop_database(&url).await;
    }
    (import, again, floor)
}

/// `COPY bare FROM STDIN (FORMAT csv, HEADER)` of the CSV, on a native connection.
async fn postgres_copy(url: &str, csv: &str) -> Duration {
    let mut connection =
        sqlx::postgres::PgConnectOptions::from_url(&url.parse().unwrap()).unwrap().connect().await.unwrap();
    let bare = BARE_TABLE.replace("id TEXT", "id TEXT COLLATE \"C\"");
    connection.execute(sqlx::AssertSqlSafe(bare)).await.unwrap();
    let started = Instant::now();
    let mut copy = connection.copy_in_raw("COPY bare FROM STDIN (FORMAT csv, HEADER true)").await.unwrap();
    for chunk in csv.as_bytes().chunks(1 << 20) {
        copy.send(chunk).await.unwrap();
    }
    copy.finish().await.unwrap();
    started.elapsed()
}

/// The `sqlite3` shell's `.import` of the CSV: one prepared insert a row,
/// in one transaction, with the journal settings opendraw uses.
fn sqlite_shell_import(dir: &std::path::Path, csv: &str) -> Duration {
    let file = dir.join("floor.csv");
    std::fs::File::create(&file).unwrap().write_all(csv.as_bytes()).unwrap();
    let database = dir.join("floor.db");
    let script = format!(
        "PRAGMA journal_mode = WAL;\nPRAGMA synchronous = NORMAL;\n{BARE_TABLE} WITHOUT ROWID;\n\
         .import --csv --skip 1 {} bare\n",
        file.display()
    );
    let started = Instant::now();
    let mut shell = std::process::Command::new("sqlite3")
        .arg(&database)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the sqlite3 shell is installed");
    shell.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    assert!(shell.wait().unwrap().success(), "the sqlite3 shell failed");
    started.elapsed()
}
