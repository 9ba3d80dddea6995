//! The floors of the commit + draw table, measured in the same run as the
//! service: what the database itself takes for the work, with no service
//! in between.
//!
//! - [`freeze_floor`]: the pool handed over in id order and hashed as it
//!   arrives, the least a commit can do.
//! - [`writes_floor`]: the rest of what a commit and a draw must do with
//!   the database, done by the database's own best means on a native
//!   connection: the pool's bytes stored as 1 MiB pieces (the manifest),
//!   read back in order and hashed (the draw's check of its commitment), and
//!   a selection of one target in 98 with two inspectors each written into
//!   the service's own tables with their indexes (`COPY` on PostgreSQL,
//!   prepared inserts on SQLite). One transaction, rolled back: nothing
//!   stays. The pool's bytes are read before the clock starts.
//!
//! Their sum is the floor of the whole work; the service's own work beyond
//! it (the target index, the draw itself, the log) has no floor but zero.

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use sha2::{Digest as _, Sha256};
use sqlx::{Connection, Row};

const POOL_IN_ORDER: &str = "SELECT id, region, risk_class, region, unit FROM targets ORDER BY id";

/// A selection of about 1 %, as the benchmark's task draws.
const ONE_IN: usize = 98;

pub async fn freeze_floor(url: &str, backend: &str) -> Duration {
    let mut hasher = Sha256::new();
    let started;
    if backend == "postgres" {
        let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
        started = Instant::now();
        let copy = format!("COPY ({POOL_IN_ORDER}) TO STDOUT");
        let mut rows = connection.copy_out_raw(&copy).await.unwrap();
        while let Some(chunk) = rows.try_next().await.unwrap() {
            hasher.update(&chunk);
        }
    } else {
        let file = url.strip_prefix("sqlite:").unwrap();
        started = Instant::now();
        let read = r#"set -o pipefail; sqlite3 -readonly -noheader -separator "$(printf '\t')" "$0" "$1" | sha256sum"#;
        let status = std::process::Command::new("bash")
            .args(["-c", read])
            .args([file, POOL_IN_ORDER])
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "sqlite3 read the pool");
    }
    std::hint::black_box(hasher.finalize());
    started.elapsed()
}

/// The selection the floor writes: one target in [`ONE_IN`] of the pool,
/// each with two of the directory's inspectors.
struct Selection {
    targets: Vec<String>,
    inspectors: Vec<String>,
}

impl Selection {
    fn of(pool: &[u8], inspectors: Vec<String>) -> Self {
        let targets = pool
            .split(|&b| b == b'\n')
            .filter(|line| !line.is_empty())
            .step_by(ONE_IN)
            .map(|line| {
                let id = line.split(|&b| b == b'\t').next().unwrap();
                String::from_utf8(id.to_vec()).unwrap()
            })
            .collect();
        Self { targets, inspectors }
    }

    /// Each drawn target's two inspectors, with their order.
    fn assigned(&self) -> impl Iterator<Item = (&str, &str, i64)> + '_ {
        self.targets.iter().enumerate().flat_map(move |(index, target)| {
            (0..2).map(move |seq| {
                let inspector = &self.inspectors[(index * 2 + seq) % self.inspectors.len()];
                (target.as_str(), inspector.as_str(), seq as i64)
            })
        })
    }
}

/// The floor of the rest of the work, for the draft task `task` (see the
/// module's comment).
pub async fn writes_floor(url: &str, backend: &str, task: i64) -> Duration {
    if backend == "postgres" {
        postgres_writes(url, task).await
    } else {
        let file = url.strip_prefix("sqlite:").unwrap().to_owned();
        tokio::task::spawn_blocking(move || sqlite_writes(&file, task)).await.unwrap()
    }
}

async fn postgres_writes(url: &str, task: i64) -> Duration {
    let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
    let mut pool = Vec::new();
    let mut rows = connection.copy_out_raw(&format!("COPY ({POOL_IN_ORDER}) TO STDOUT")).await.unwrap();
    while let Some(chunk) = rows.try_next().await.unwrap() {
        pool.extend_from_slice(&chunk);
    }
    drop(rows);
    let inspectors: Vec<String> =
        sqlx::query_scalar("SELECT id FROM inspectors ORDER BY id").fetch_all(&mut connection).await.unwrap();
    let selection = Selection::of(&pool, inspectors);
    let mut drawn = String::new();
    for (position, target) in selection.targets.iter().enumerate() {
        drawn.push_str(&format!("{task}\t{}\t{target}\tS\n", position + 1));
    }
    let mut assigned = String::new();
    for (target, inspector, seq) in selection.assigned() {
        assigned.push_str(&format!("{task}\t{target}\tD\t{inspector}\t{seq}\n"));
    }

    let started = Instant::now();
    let mut tx = connection.begin().await.unwrap();
    for (seq, piece) in opendraw::storage::files::split(&pool).into_iter().enumerate() {
        sqlx::query("INSERT INTO task_files (task_id, name, seq, first_key, content) VALUES ($1, 'floor', $2, '', $3)")
            .bind(task)
            .bind(seq as i64)
            .bind(piece)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    let mut hasher = Sha256::new();
    let mut pieces =
        sqlx::query("SELECT content FROM task_files WHERE task_id = $1 AND name = 'floor' ORDER BY seq")
            .bind(task)
            .fetch(&mut *tx);
    while let Some(row) = pieces.try_next().await.unwrap() {
        hasher.update(row.get::<&[u8], _>(0));
    }
    drop(pieces);
    for (sql, rows) in [
        ("COPY drawn_targets (task_id, position, target_id, stratum) FROM STDIN", &drawn),
        ("COPY assignments (task_id, target_id, department, inspector_id, seq) FROM STDIN", &assigned),
    ] {
        let mut copy = tx.copy_in_raw(sql).await.unwrap();
        copy.send(rows.as_bytes()).await.unwrap();
        copy.finish().await.unwrap();
    }
    tx.rollback().await.unwrap();
    std::hint::black_box(hasher.finalize());
    started.elapsed()
}

fn sqlite_writes(file: &str, task: i64) -> Duration {
    let connection = rusqlite::Connection::open(file).unwrap();
    // As the service's connections: foreign keys checked, 16 MiB of pages.
    connection.execute_batch("PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384").unwrap();
    connection.busy_timeout(Duration::from_secs(30)).unwrap();
    let mut pool = Vec::new();
    let mut statement = connection.prepare(POOL_IN_ORDER).unwrap();
    let mut rows = statement.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        for column in 0..5 {
            if column > 0 {
                pool.push(b'\t');
            }
            pool.extend_from_slice(row.get_ref(column).unwrap().as_bytes().unwrap());
        }
        pool.push(b'\n');
    }
    drop(rows);
    drop(statement);
    let inspectors: Vec<String> = connection
        .prepare("SELECT id FROM inspectors ORDER BY id")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let selection = Selection::of(&pool, inspectors);

    let started = Instant::now();
    connection.execute_batch("BEGIN IMMEDIATE").unwrap();
    {
        let mut insert = connection
            .prepare("INSERT INTO task_files (task_id, name, seq, first_key, content) VALUES (?1, 'floor', ?2, '', ?3)")
            .unwrap();
        for (seq, piece) in opendraw::storage::files::split(&pool).into_iter().enumerate() {
            insert.execute(rusqlite::params![task, seq as i64, piece]).unwrap();
        }
        let mut hasher = Sha256::new();
        let mut read = connection
            .prepare("SELECT content FROM task_files WHERE task_id = ?1 AND name = 'floor' ORDER BY seq")
            .unwrap();
        let mut pieces = read.query([task]).unwrap();
        while let Some(row) = pieces.next().unwrap() {
            hasher.update(row.get_ref(0).unwrap().as_blob().unwrap());
        }
        std::hint::black_box(hasher.finalize());
        let mut drawn = connection
            .prepare(
                "INSERT INTO drawn_targets (task_id, position, target_id, stratum) VALUES (?1, ?2, ?3, 'S')",
            )
            .unwrap();
        for (position, target) in selection.targets.iter().enumerate() {
            drawn.execute(rusqlite::params![task, position as i64 + 1, target]).unwrap();
        }
        let mut assigned = connection
            .prepare(
                "INSERT INTO assignments (task_id, target_id, department, inspector_id, seq) VALUES (?1, ?2, 'D', ?3, ?4)",
            )
            .unwrap();
        for (target, inspector, seq) in selection.assigned() {
            assigned.execute(rusqlite::params![task, target, inspector, seq]).unwrap();
        }
    }
    connection.execute_batch("ROLLBACK").unwrap();
    started.elapsed()
}
