//! `opendraw verify BUNDLE`: recompute a revealed draw and print every check.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::files::bundle;
use crate::protocol::Digest;
use crate::protocol::commitment::Commitment;
use crate::protocol::cosignature::CosignatureVerifier;
use crate::protocol::log::{LogEntry, pins_of_task, task_committed_to, verify_log};
use crate::protocol::log_proof::{self, LogProof};
use crate::protocol::verify::{BundleFiles, Pins, verify};

/// Recompute a draw from its verification bundle and print each check.
/// With the digests of the public log (`--log`, or each by hand) the draw
/// is verified; without them the bundle is only shown to be consistent.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The bundle: a bundle.tar file, or a directory holding its files.
    bundle: PathBuf,
    /// The public log: a server's address (http://host:port), or a file
    /// holding its entries as /api/public/log gives them. The task's
    /// commitment digest, its time, the result digest and the replacements
    /// are taken from it.
    #[arg(long, value_name = "URL|FILE", conflicts_with_all = ["commitment", "result_digest", "replacements", "committed_at"])]
    log: Option<String>,
    /// With --log: the task's number (by default, the task committed to the
    /// bundle's commitment digest).
    #[arg(long, requires = "log")]
    task: Option<u64>,
    /// The commitment digest from the public log; the bundle must match it.
    #[arg(long, value_name = "HEX")]
    commitment: Option<String>,
    /// The result digest from the public log; the bundle must match it.
    #[arg(long, value_name = "HEX")]
    result_digest: Option<String>,
    /// The line digests of the task's task.replaced entries, in number
    /// order, separated by commas; `none` when the log holds none.
    #[arg(long, value_name = "HEX,HEX,…")]
    replacements: Option<String>,
    /// The time of the task's `task.committed` log entry (as the log writes
    /// it, e.g. 2026-12-01T08:30:00.000Z); the entropy event must follow it.
    #[arg(long, value_name = "TIME")]
    committed_at: Option<String>,
    /// The public log's verifier key (`origin+id+base64`, as the server's
    /// README and /api/public/log/key publish it): the bundle's log.tsv must
    /// be signed with it. Without it, the key the bundle names is used, and
    /// shown to compare.
    #[arg(long, value_name = "VKEY")]
    log_key: Option<String>,
    /// A witness's verifier key (`name+id+base64`) whose cosignatures of the
    /// bundle's log checkpoint are checked and trusted to date the
    /// commitment (repeatable).
    #[arg(long = "witness", value_name = "VKEY")]
    witnesses: Vec<String>,
    /// Print only failed checks and the verdict.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let pin = |flag: &str, value: &Option<String>| {
        value.as_deref().map(Digest::parse_hex).transpose().with_context(|| format!("--{flag}"))
    };
    let mut pins = Pins {
        commitment: pin("commitment", &args.commitment)?,
        result: pin("result-digest", &args.result_digest)?,
        replacements: args.replacements.as_deref().map(replacement_pins).transpose()?,
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
    if let Some(source) = &args.log {
        let entries = read_log(source)?;
        // Pins are taken only from a log that holds together: one unbroken
        // chain whose tasks' entries agree (§15.3).
        let checked = verify_log(&entries);
        if let Some(problem) = checked.problems.first() {
            println!("FAIL  public log: {problem}");
            println!("NOT verified; the public log does not verify (opendraw log verify says more)");
            return Ok(ExitCode::from(1));
        }
        if let Some(head) = checked.head {
            println!("public log: {} entries, head {head}", checked.entries);
        }
        match pins_from_log(&entries, args.task, &files) {
            Ok(Some((task, logged))) => {
                println!("{}", describe(task, &logged));
                pins = logged;
            }
            // A bundle whose commitment.tsv cannot be read fails its first check.
            Ok(None) => {}
            Err(problem) => {
                println!("FAIL  public log: {problem}");
                println!("NOT verified; the public log does not pin this bundle");
                return Ok(ExitCode::from(1));
            }
        }
    }
    let by_hand = pins.commitment.is_some() || pins.result.is_some() || pins.replacements.is_some();
    if let Some(bytes) = files.log_proof.as_deref()
        && args.log.is_none()
        && !by_hand
    {
        match proven_pins(bytes, &files, &args) {
            Ok(Some(proven)) => pins = proven,
            Ok(None) => {}
            Err(problem) => {
                println!("FAIL  {problem}");
                println!("NOT verified; the bundle's log proof does not hold");
                return Ok(ExitCode::from(1));
            }
        }
    }
    let report = verify(&files, &pins);
    for check in &report.checks {
        if !args.quiet || !check.passed {
            println!("{check}");
        }
    }
    if let Ok((commitment, _)) = Commitment::parse(&files.commitment)
        && commitment.entropy_event.is_none()
    {
        // Older records and offline draws name no event time (§3.3).
        println!(
            "note  the commitment names no time for its entropy event: that the entropy came \
             after the commitment cannot be shown from the bundle"
        );
    }
    let missing = pins.missing();
    match report.first_failure() {
        None if missing.is_empty() => {
            let signer = match (&args.log, &args.log_key, files.log_proof.is_some()) {
                (None, None, true) => {
                    " (as signed by the key the bundle names: compare it with the log's published key)"
                }
                _ => "",
            };
            println!(
                "verified: all {} checks pass, and the bundle is the one the public log pins{signer}",
                report.checks.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        None => {
            println!(
                "consistent: all {} checks pass, but the bundle is not pinned to the public log \
                 (no {} given); compare them with the log, or give --log URL|FILE",
                report.checks.len(),
                missing.join(", ")
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(first) => {
            println!("NOT verified; the first failure: {first}");
            Ok(ExitCode::from(1))
        }
    }
}

/// The pins the bundle's own log.tsv proves (§15.6), its checks printed;
/// the first that fails is the error. None when the bundle's commitment
/// cannot be read (its own check then fails).
fn proven_pins(bytes: &[u8], files: &BundleFiles, args: &VerifyArgs) -> Result<Option<Pins>, String> {
    let proof = LogProof::parse(bytes).map_err(|problem| format!("log proof: {problem}"))?;
    let witnesses = args
        .witnesses
        .iter()
        .map(|vkey| {
            CosignatureVerifier::from_verifier_key(vkey).map_err(|error| format!("--witness {vkey}: {error}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let entries: Vec<LogEntry> = proof.entries.iter().map(|(entry, _)| entry.clone()).collect();
    let Some((task, _)) =
        pins_from_log(&entries, None, files).map_err(|problem| format!("log proof: {problem}"))?
    else {
        return Ok(None);
    };
    // A drand task's entropy event is its round's time (§3.6): the
    // commitment must be witnessed before it.
    let round_time = match Commitment::parse(&files.commitment) {
        Ok((commitment, _)) if commitment.beacon.is_some() => {
            commitment.entropy_event.map(|event| event.instant())
        }
        _ => None,
    };
    let report = log_proof::check(&proof, task, args.log_key.as_deref(), &witnesses, round_time);
    for note in &report.notes {
        println!("note  {note}");
    }
    for (passed, text) in &report.checks {
        if *passed && !args.quiet {
            println!("pass  {text}");
        }
        if !passed {
            return Err(text.clone());
        }
    }
    let pins = report.pins.ok_or("log proof: the entries pin nothing")?;
    println!("{}", describe(task, &pins));
    Ok(Some(pins))
}

/// `HEX,HEX,…`, or `none` (or nothing) for a log without replacements.
fn replacement_pins(list: &str) -> anyhow::Result<Vec<Digest>> {
    if list.is_empty() || list == "none" {
        return Ok(Vec::new());
    }
    list.split(',')
        .enumerate()
        .map(|(index, hex)| {
            Digest::parse_hex(hex).with_context(|| format!("--replacements, digest {}", index + 1))
        })
        .collect()
}

/// The entries of a server's log, or of a file: a JSON array of entries,
/// or a page of /api/public/log as downloaded.
fn read_log(source: &str) -> anyhow::Result<Vec<LogEntry>> {
    if source.starts_with("http://") || source.starts_with("https://") {
        return tokio::runtime::Runtime::new()?.block_on(super::log::fetch(source));
    }
    let text = std::fs::read_to_string(source).with_context(|| format!("--log {source}"))?;
    #[derive(serde::Deserialize)]
    struct Head {
        seq: u64,
        hash: String,
    }
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Downloaded {
        Entries(Vec<LogEntry>),
        Page { entries: Vec<LogEntry>, head: Option<Head> },
    }
    let downloaded: Downloaded = serde_json::from_str(&text)
        .with_context(|| format!("--log {source}: not a list of log entries nor a page of them"))?;
    let (entries, head) = match downloaded {
        Downloaded::Entries(entries) => (entries, None),
        Downloaded::Page { entries, head } => (entries, head),
    };
    // One page of the log is not the log: a replacement logged after the
    // page's last entry would go unseen, and a bundle without it would pass.
    if let Some((index, entry)) =
        entries.iter().enumerate().find(|(index, entry)| entry.seq != *index as u64 + 1)
    {
        anyhow::bail!(
            "--log {source}: entry {} stands where entry {} should: the file must hold the whole log from its first entry",
            entry.seq,
            index + 1
        );
    }
    if let Some(head) = head {
        let last = entries.last();
        if last.map(|entry| (entry.seq, entry.hash.to_hex())) != Some((head.seq, head.hash.clone())) {
            anyhow::bail!(
                "--log {source}: the file holds entries up to {} but states the log's head as entry {}: it is one \
                 page, not the whole log; give the server's address, or download every page",
                last.map_or(0, |entry| entry.seq),
                head.seq
            );
        }
    }
    Ok(entries)
}

/// The task's pins: the task named, or the one committed to the digest the
/// bundle's commitment.tsv states. None when there is no such statement.
fn pins_from_log(
    entries: &[LogEntry],
    task: Option<u64>,
    files: &BundleFiles,
) -> Result<Option<(u64, Pins)>, String> {
    let task = match task {
        Some(task) => task,
        None => {
            let Ok((_, stated)) = Commitment::parse(&files.commitment) else { return Ok(None) };
            task_committed_to(entries, &stated)
                .ok_or(format!("no task of the log is committed to {stated}, the bundle's commitment"))?
        }
    };
    pins_of_task(entries, task).map(|pins| Some((task, pins)))
}

fn describe(task: u64, pins: &Pins) -> String {
    let digest = |d: Option<Digest>| d.map_or("(none)".to_owned(), |d| d.to_hex());
    let replacements = pins.replacements.as_ref().map_or(0, Vec::len);
    format!(
        "public log: task {task}, committed at {} to {}, result {}, {replacements} replacements",
        pins.committed_at.as_deref().unwrap_or("?"),
        digest(pins.commitment),
        digest(pins.result),
    )
}
