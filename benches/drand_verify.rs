//! Checking the BLS signature of a drand quicknet round (PROTOCOL.md §3.6)
//! three ways: in Rust (`beacon::verify_signature`, what `opendraw verify`
//! and the draw run), in headless Chromium (`drandSignatureValid` of
//! `public/verify.js`, the task page's verifier, with the vendored
//! @noble/curves) and in Node (the same module).
//!
//!     cargo bench --bench drand_verify            # needs chromium, chromedriver, node
//!
//! Each prints the first check (which, in JavaScript, loads the module and
//! builds the curve's tables) and the median of the RUNS checks after it.
//! Results go to BENCHMARKS.md.

#[path = "../tests/browser_support/mod.rs"]
mod browser_support;
mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use browser_support::Browser;
use opendraw::protocol::beacon::{self, QUICKNET, Round};

const RUNS: usize = 20;
/// Quicknet round 1000.
const SIGNATURE: &str =
    "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39";

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A JavaScript promise of the timing of `drandSignatureValid` of
/// `verify.js` (imported from `module`): the first check and then RUNS
/// more, as `{valid, first, times}` in milliseconds.
fn timing(module: &str) -> String {
    format!(
        "(async () => {{
           const {{ drandSignatureValid }} = await import('{module}');
           let started = performance.now();
           let valid = await drandSignatureValid('1000', '{SIGNATURE}');
           const first = performance.now() - started;
           const times = [];
           for (let i = 0; i < {RUNS}; i++) {{
             started = performance.now();
             valid = valid && await drandSignatureValid('1000', '{SIGNATURE}');
             times.push(performance.now() - started);
           }}
           return {{ valid, first, times }};
         }})()"
    )
}

fn report(label: &str, answer: &serde_json::Value) {
    assert_eq!(answer["valid"], true, "{label}: {answer}");
    let times: Vec<f64> = answer["times"].as_array().unwrap().iter().map(|t| t.as_f64().unwrap()).collect();
    println!("| {label} | {:.1} ms | {:.1} ms |", answer["first"].as_f64().unwrap(), median(times));
}

fn main() {
    let signature: [u8; 48] = hex::decode(SIGNATURE).unwrap().try_into().unwrap();
    let round = Round { round: 1000, signature };
    let started = Instant::now();
    beacon::verify_signature(&QUICKNET, &round).expect("round 1000 verifies");
    let rust_first = started.elapsed();
    let rust: Vec<f64> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            beacon::verify_signature(&QUICKNET, &round).expect("round 1000 verifies");
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();

    let public = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public");
    // Node: the same module, as a script of its own.
    let module = format!("file://{}", public.join("verify.js").display());
    let node_script = format!("{}.then((r) => console.log(JSON.stringify(r)));", timing(&module));
    let node = Command::new("node").args(["--input-type=module", "-e", &node_script]).output().unwrap();
    assert!(node.status.success(), "node: {}", String::from_utf8_lossy(&node.stderr));
    let node: serde_json::Value = serde_json::from_slice(&node.stdout).unwrap();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let chromium = runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let (service, _, _, _) =
            support::service_with_inspectors(&format!("sqlite:{}", dir.path().join("b.db").display())).await;
        let address = support::serve(&service, Some(public.clone())).await;
        let browser = Browser::start("en-US").await;
        browser.open(&format!("{address}/how.html")).await;
        let answer = browser
            .client
            .execute_async(
                &format!(
                    "const done = arguments[arguments.length - 1]; {}.then(done, (e) => done({{ error: String(e) }}));",
                    timing("/verify.js")
                ),
                Vec::new(),
            )
            .await
            .expect("the timing script runs");
        browser.close().await;
        answer
    });

    println!("| BLS check of quicknet round 1000 | first | median of the next {RUNS} |");
    println!("| --- | ---: | ---: |");
    report("headless Chromium, `drandSignatureValid` (public/verify.js, @noble/curves)", &chromium);
    report("Node, the same module", &node);
    println!(
        "| Rust, `beacon::verify_signature` (drand-verify) | {:.1} ms | {:.1} ms |",
        rust_first.as_secs_f64() * 1000.0,
        median(rust)
    );
}
