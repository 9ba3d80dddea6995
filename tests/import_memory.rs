//! `opendraw import` in memory that does not grow with the file: the peak
//! resident memory of the process (VmHWM, sampled from /proc while it
//! runs) importing a large generated directory is about that of a small
//! one, on SQLite and on PostgreSQL.

#![cfg(target_os = "linux")]

use std::io::Write as _;
use std::process::Command;
use std::time::Duration;

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

const BIN: &str = env!("CARGO_BIN_EXE_opendraw");

const SMALL: usize = 20_000;
const LARGE: usize = 200_000;

/// What the large import may take beyond the small one: half of what
/// holding its ids alone would (200 000 ids of 18 bytes, each shared from a
/// hash map with its line: about 16 MiB).
const GROWTH_ALLOWED_KIB: u64 = 8 * 1024;

fn targets_csv(dir: &std::path::Path, rows: usize) -> std::path::PathBuf {
    let path = dir.join(format!("targets-{rows}.csv"));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(file, "id,name,region,industry,risk_class,unit").unwrap();
    for index in 0..rows {
        let region = index % 75 + 1;
        let class = ["A", "B", "C", "D"][index % 4];
        writeln!(
            file,
            "91{:016},单位{index},3201{region:02},餐饮服务,{class},3201{region:02}-market",
            index * 7 + 3
        )
        .unwrap();
    }
    file.flush().unwrap();
    path
}

/// Runs `opendraw import targets` and returns its peak resident memory in KiB.
fn import_peak_kib(database: &str, file: &std::path::Path) -> u64 {
    let mut child = Command::new(BIN)
        .args(["import", "targets", file.to_str().unwrap(), "--database-url", database])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        // The high-water mark only grows; the last reading before the
        // process ends is its peak, to within one sampling interval.
        if let Ok(text) = std::fs::read_to_string(&status)
            && let Some(kib) = text.lines().find_map(|line| line.strip_prefix("VmHWM:"))
        {
            peak = peak.max(kib.trim().trim_end_matches("kB").trim().parse().unwrap_or(0));
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("imported"), "the import reported its rows");
    peak
}

fn peaks_stay_flat(small_database: &str, large_database: &str) {
    let dir = tempfile::tempdir().unwrap();
    let small = import_peak_kib(small_database, &targets_csv(dir.path(), SMALL));
    let large = import_peak_kib(large_database, &targets_csv(dir.path(), LARGE));
    eprintln!("peak resident memory: {small} KiB for {SMALL} rows, {large} KiB for {LARGE} rows");
    assert!(
        large <= small + GROWTH_ALLOWED_KIB,
        "peak memory grew with the file: {small} KiB for {SMALL} rows, {large} KiB for {LARGE} rows"
    );
}

#[test]
fn a_large_sqlite_import_peaks_at_about_the_memory_of_a_small_one() {
    let dir = tempfile::tempdir().unwrap();
    let database = |name: &str| format!("sqlite:{}", dir.path().join(name).display());
    peaks_stay_flat(&database("small.db"), &database("large.db"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_postgres_import_peaks_at_about_the_memory_of_a_small_one() {
    let (small, _drop_small) = helpers::new_postgres_database().await;
    let (large, _drop_large) = helpers::new_postgres_database().await;
    tokio::task::spawn_blocking(move || peaks_stay_flat(&small, &large)).await.unwrap();
}
