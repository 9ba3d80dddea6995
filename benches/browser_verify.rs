//! Verifying a revealed draw from a 1 M-target pool three ways, side by
//! side: in headless Chromium (the task page's "Verify this draw", in a Web
//! Worker), in Node (`node public/verify.js`) and with `opendraw verify`.
//!
//!     cargo bench --bench browser_verify            # needs chromium, chromedriver, node
//!
//! Results go to BENCHMARKS.md.

#[path = "../tests/browser_support/mod.rs"]
mod browser_support;
mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use browser_support::Browser;

const SIZE: usize = 1_000_000;
const RUNS: usize = 3;

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// Runs a command `RUNS` times; its median time. It must succeed.
fn timed(program: &str, args: &[&str]) -> Duration {
    let times = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let output = Command::new(program).args(args).output().unwrap();
            assert!(output.status.success(), "{program}: {}", String::from_utf8_lossy(&output.stdout));
            started.elapsed()
        })
        .collect();
    median(times)
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let (service, clock, user, _) =
            support::service_with_inspectors(&format!("sqlite:{}", dir.path().join("b.db").display())).await;
        support::import_targets(&service, &user, &support::targets_csv(SIZE)).await;
        let definition = serde_json::from_value(support::one_percent_task(&clock)).unwrap();
        let task = service.create_task(&user, definition).await.unwrap();
        service.commit_task(&user, task.id).await.unwrap();
        support::pass_entropy_event(&clock);
        service.draw_task(&user, task.id, "31415326535641526354").await.unwrap();
        let task = service.reveal_task(&user, task.id, true).await.unwrap();
        let public = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public");
        let address = support::serve(&service, Some(public.clone())).await;

        let bundle = dir.path().join("bundle.tar");
        let bytes = reqwest::get(format!("{address}/api/public/tasks/{}/bundle.tar", task.id))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        std::fs::write(&bundle, &bytes).unwrap();
        let (commitment, result) =
            (task.commitment_digest.clone().unwrap(), task.result_digest.clone().unwrap());
        let pins = ["--commitment", commitment.as_str(), "--result-digest", result.as_str()];
        let bundle_path = bundle.to_str().unwrap();
        let rust = timed(env!("CARGO_BIN_EXE_opendraw"), &[&["verify", bundle_path][..], &pins].concat());
        let script = public.join("verify.js");
        let node = timed("node", &[&[script.to_str().unwrap(), bundle_path][..], &pins].concat());

        let browser = Browser::start("en-US").await;
        let mut times = Vec::new();
        let mut progress_steps = 0;
        for _ in 0..RUNS {
            browser.open(&format!("{address}/task.html?id={}", task.id)).await;
            let button = browser.element("#verify-button").await;
            let started = Instant::now();
            button.click().await.unwrap();
            let mut seen = std::collections::BTreeSet::new();
            let verified = loop {
                let script =
                    "const p = document.querySelector('#verify-progress'); return p ? String(p.value) : null";
                if let Ok(serde_json::Value::String(value)) = browser.client.execute(script, vec![]).await {
                    seen.insert(value);
                }
                if let Ok(verdict) = browser.client.find(fantoccini::Locator::Css("#verify-verdict")).await
                    && let Some(value) = verdict.attr("data-verified").await.unwrap()
                {
                    break value;
                }
                assert!(started.elapsed() < Duration::from_secs(120), "the page never finished");
                tokio::time::sleep(Duration::from_millis(20)).await;
            };
            times.push(started.elapsed());
            assert_eq!(verified, "true");
            progress_steps = progress_steps.max(seen.len());
        }
        browser.close().await;
        println!(
            "bundle of {SIZE} targets ({} drawn): {:.1} MB",
            task.drawn_count.unwrap(),
            bytes.len() as f64 / 1e6
        );
        println!("| verifier | median of {RUNS} |");
        println!("| --- | ---: |");
        println!(
            "| headless Chromium, task page (download, Web Worker, report) | {:.2} s |",
            median(times).as_secs_f64()
        );
        println!("| Node, `node public/verify.js` | {:.2} s |", node.as_secs_f64());
        println!("| `opendraw verify` | {:.2} s |", rust.as_secs_f64());
        println!("progress bar values seen while verifying in Chromium: {progress_steps}");
    });
}
