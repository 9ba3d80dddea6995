//! `opendraw caps TASK EARLIER…`: checks a task's frequency caps (PROTOCOL.md
//! §17) against the revealed bundles of the department's earlier tasks.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use crate::files::bundle;
use crate::protocol::caps::{EarlierDraw, breaches};
use crate::protocol::manifest::TargetManifest;
use crate::protocol::parameters::{PARAMETERS_FILE, Parameters};
use crate::protocol::result::DrawResult;

/// Check that no target of a task's pool had reached a frequency cap of the
/// task's items. Give the bundles of the same department's tasks drawn in
/// the cap's year and revealed before the task was committed (the public
/// log says when each was revealed); abandoned tasks do not count.
#[derive(Debug, clap::Args)]
pub struct CapsArgs {
    /// The task: its bundle.tar, or a directory holding at least its
    /// parameters.tsv and targets.tsv (published at its commit).
    task: PathBuf,
    /// The earlier tasks' bundles (bundle.tar files or directories).
    earlier: Vec<PathBuf>,
}

pub fn run(args: CapsArgs) -> anyhow::Result<ExitCode> {
    let (parameters, targets) = committed_files(&args.task)?;
    if parameters.frequency_caps().is_empty() {
        println!("the task's parameters.tsv has no frequency-cap line: nothing to check");
        return Ok(ExitCode::SUCCESS);
    }
    let mut earlier = Vec::new();
    for path in &args.earlier {
        let files = bundle::read(path).with_context(|| path.display().to_string())?;
        let parameters = Parameters::parse(&files.parameters).with_context(|| path.display().to_string())?;
        let result = DrawResult::parse(&files.result).with_context(|| path.display().to_string())?;
        earlier.push(EarlierDraw { parameters, result });
    }
    for (item, cap) in parameters.frequency_caps() {
        let counted = earlier
            .iter()
            .filter(|d| d.parameters.task != parameters.task && d.parameters.items().contains(item));
        println!(
            "cap  {item}: at most {} draw(s) a year in {}, counted over {} of the {} earlier bundle(s)",
            cap.times(),
            cap.year(),
            counted.count(),
            earlier.len()
        );
    }
    let found = breaches(&parameters, &targets, &earlier);
    for breach in &found {
        println!(
            "FAIL  {} is in the pool, but was drawn {} time(s) for {} (cap {})",
            breach.target, breach.drawn, breach.item, breach.cap
        );
    }
    if found.is_empty() {
        println!("PASSED: no target of the pool had reached a cap in the bundles given");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("FAILED: {} target(s) of the pool had reached a cap", found.len());
        Ok(ExitCode::from(1))
    }
}

/// The task's parameters and target manifest, from a bundle or a directory.
fn committed_files(path: &Path) -> anyhow::Result<(Parameters, TargetManifest)> {
    let shown = path.display().to_string();
    let (parameters, targets) = if path.is_dir() {
        let read = |name: &str| std::fs::read(path.join(name)).with_context(|| format!("{shown}/{name}"));
        (read(PARAMETERS_FILE)?, read(crate::protocol::manifest::TARGETS_FILE)?)
    } else {
        let files = bundle::read(path).with_context(|| shown.clone())?;
        (files.parameters, files.targets)
    };
    let parameters = Parameters::parse(&parameters).with_context(|| shown.clone())?;
    let targets = TargetManifest::parse(targets).with_context(|| shown.clone())?;
    Ok((parameters, targets))
}
