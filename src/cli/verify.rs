//! `opendraw verify BUNDLE`: recompute a revealed draw and print every check.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::bundle;
use crate::protocol::Digest;
use crate::protocol::verify::{Pins, verify};

/// Recompute a draw from its verification bundle and print each check.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The bundle: a bundle.tar file, or a directory holding its files.
    bundle: PathBuf,
    /// The commitment digest from the public log; the bundle must match it.
    #[arg(long, value_name = "HEX")]
    commitment: Option<String>,
    /// The result digest from the public log; the bundle must match it.
    #[arg(long, value_name = "HEX")]
    result_digest: Option<String>,
    /// The time of the task's `task.committed` log entry (as the log writes
    /// it, e.g. 2026-12-01T08:30:00.000Z); the entropy event must follow it.
    #[arg(long, value_name = "TIME")]
    committed_at: Option<String>,
    /// Print only failed checks and the verdict.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let pin = |flag: &str, value: &Option<String>| {
        value.as_deref().map(Digest::parse_hex).transpose().with_context(|| format!("--{flag}"))
    };
    let pins = Pins {
        commitment: pin("commitment", &args.commitment)?,
        result: pin("result-digest", &args.result_digest)?,
        committed_at: args.committed_at.clone(),
    };
    let files = match bundle::read(&args.bundle) {
        Ok(files) => files,
        Err(error) => {
            // An unreadable bundle is a bundle that does not verify.
            println!("FAIL  bundle: {error}");
            println!("NOT verified; the bundle cannot be read");
            return Ok(ExitCode::from(1));
        }
    };
    let report = verify(&files, &pins);
    for check in &report.checks {
        if !args.quiet || !check.passed {
            println!("{check}");
        }
    }
    match report.first_failure() {
        None => {
            println!("verified: all {} checks pass", report.checks.len());
            Ok(ExitCode::SUCCESS)
        }
        Some(first) => {
            println!("NOT verified; the first failure: {first}");
            Ok(ExitCode::from(1))
        }
    }
}
