//! Service benchmark: on a directory of N targets, import from CSV, then
//! commit + draw a task end to end over HTTP (1 % of 300 strata, 2
//! inspectors per target from 5 000, cross inspection by region, balanced),
//! on SQLite and on PostgreSQL.
//!
//!     cargo bench --bench service                       # 1 M targets, both backends
//!     cargo bench --bench service -- 10000000 sqlite    # sizes and backends to run
//!     cargo bench --bench service -- imports            # the import table only
//!     cargo bench --bench service -- draws              # the commit + draw table only
//!
//! The import table sets each import beside the database's own floor for the
//! same CSV, in the same run: `COPY` into a bare table with the primary key
//! (PostgreSQL), the `sqlite3` shell's `.import` (prepared inserts in one
//! transaction) into a bare table with the primary key (SQLite).
//!
//! PostgreSQL: a new database on OPENDRAW_BENCH_POSTGRES (default
//! postgres://postgres@127.0.0.1:5432/test). Results go to BENCHMARKS.md.
//!
//! Beside commit + draw, the same run measures their floor — what the
//! database needs to hand over the pool in id order, hashed as it arrives
//! (`COPY … TO STDOUT` on a native connection on PostgreSQL; on SQLite the
//! `sqlite3` shell's ordered read piped through `sha256sum`, which reads the
//! file with the same library and no driver in between) — the floor of the
//! writes a commit and a draw must make besides (`floors::writes_floor`),
//! and the growth of the process's peak memory (VmHWM) during commit +
//! draw. Between the two, outside both figures, it waits for the entity
//! index the server writes after each commit, and reports its time on its
//! own.

mod floors;
mod imports;
mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::{
    drop_database, fresh_database, import_targets, one_percent_task, pass_entropy_event, post, serve,
    service_with_inspectors,
};

const REPEATS: usize = 3;

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// The columns a manifest line holds for the benchmark's strata (region,
/// risk class), in id order.
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|line| line.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Starts measuring the peak resident memory from now: resets VmHWM to
/// the current VmRSS and returns it.
fn reset_peak_memory() -> u64 {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    status_kb("VmRSS:")
}

async fn run(size: usize, backend: &str, targets: &str) -> String {
    let (url, _dir) = fresh_database(backend).await;
    let (service, clock, user, token) = service_with_inspectors(&url).await;
    let started = Instant::now();
    import_targets(&service, &user, targets).await;
    let import = started.elapsed();
    let address = serve(&service, None).await;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(600)).build().unwrap();
    let (mut commits, mut draws, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    let (mut floors, mut writes, mut growth, mut indexes) = (Vec::new(), Vec::new(), 0, Vec::new());
    let mut drawn = 0;
    for _ in 0..REPEATS {
        floors.push(floors::freeze_floor(&url, backend).await);
        let task = post(&client, format!("{address}/api/tasks"), &token, one_percent_task(&clock)).await;
        let id = task["id"].as_i64().unwrap();
        writes.push(floors::writes_floor(&url, backend, id).await);
        let before = reset_peak_memory();
        let started = Instant::now();
        post(&client, format!("{address}/api/tasks/{id}/commit"), &token, json!({})).await;
        let committed = started.elapsed();
        // After the commit the server writes the pool into the entity index
        // in the background. The entropy event comes a minute or more
        // later, so the index is done by the draw: it is waited for here,
        // outside both figures, and reported on its own.
        let started = Instant::now();
        service.index_pools().await.unwrap();
        indexes.push(started.elapsed());
        // The draw waits for the committed entropy event; moving the clock
        // past it is not part of either figure.
        pass_entropy_event(&clock);
        let started = Instant::now();
        let body = post(
            &client,
            format!("{address}/api/tasks/{id}/draw"),
            &token,
            json!({"entropy": "31415326535641526354"}),
        )
        .await;
        let draw = started.elapsed();
        drawn = body["drawn_count"].as_i64().unwrap();
        commits.push(committed);
        draws.push(draw);
        totals.push(committed + draw);
        growth = growth.max(status_kb("VmHWM:").saturating_sub(before));
    }
    service.store().close().await;
    if backend == "postgres" {
        drop_database(&url).await;
    }
    let (total, floor, writes) = (median(totals), median(floors), median(writes));
    format!(
        "| {size} | {backend} | {:.2} s | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {:.2} | {:.0} ms | {:.2} | {} MB | {drawn} | {:.2} s |",
        import.as_secs_f64(),
        median(commits).as_secs_f64() * 1e3,
        median(draws).as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3,
        floor.as_secs_f64() * 1e3,
        total.as_secs_f64() / floor.as_secs_f64(),
        writes.as_secs_f64() * 1e3,
        total.as_secs_f64() / (floor + writes).as_secs_f64(),
        growth / 1024,
        median(indexes).as_secs_f64(),
    )
}

fn main() {
    // As the server does: freed large buffers go back to the system, so the
    // peak memory measured is what the server's would be.
    opendraw::allocator::release_large_allocations();
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000_000] } else { sizes };
    let named: Vec<&str> =
        ["sqlite", "postgres"].into_iter().filter(|b| args.iter().any(|a| a == b)).collect();
    let backends = if named.is_empty() { vec!["sqlite", "postgres"] } else { named };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let targets: Vec<(usize, String)> =
        sizes.iter().map(|size| (*size, support::targets_csv(*size))).collect();
    if !args.iter().any(|a| a == "draws") {
        imports::table(&runtime, &targets, &backends);
    }
    if args.iter().any(|a| a == "imports") {
        return;
    }
    println!(
        "| targets | backend | import CSV | commit (HTTP) | draw (HTTP) | commit + draw | floor | ratio | floor of the writes | ratio to both floors | peak memory growth | drawn | entity index (after the commit) |"
    );
    println!("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (size, targets) in &targets {
        for backend in &backends {
            println!("{}", runtime.block_on(run(*size, backend, targets)));
        }
    }
}
