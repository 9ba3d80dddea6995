//! `opendraw log verify`: check the public log of a server or a database,
//! and hold a server to the history it showed before.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::DatabaseArgs;
use crate::http::public::LogPageBody;
use crate::protocol::log::{LogEntry, verify_log};
use crate::protocol::tlog::{
    OpenedCheckpoint, check_consistency, hash_hex, open_checkpoint, parse_hash_hex, root_of,
};
use crate::service::tlog::{ConsistencyProof, LogKeyView};
use crate::storage::{Store, log, tlog};

#[derive(Debug, clap::Subcommand)]
pub enum LogCommand {
    /// Check that the log is one unbroken chain, that every task's entries
    /// come in order and agree (commitment before entropy, the reveal
    /// matching both), and that the signed checkpoint is the tree of the
    /// entries. Of a server, it also checks that the log extends the one it
    /// showed at the last check (kept in --state): a server that rewrote its
    /// history fails, whatever it serves now.
    Verify {
        /// A server's address (http://host:port) or a database URL or file.
        source: String,
        /// The log's verifier key (`origin+id+base64`, as published): the
        /// checkpoint must be signed with it. Without it, the key the state
        /// file remembers for the server, or at the first check the key the
        /// server names (shown, to compare with the published one).
        #[arg(long, value_name = "VKEY")]
        key: Option<String>,
        /// Where the last checkpoint seen of each log is kept (default:
        /// $HOME/.opendraw/log-state.json).
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
    },
}

/// What the state file remembers of each log, by its origin.
#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    logs: BTreeMap<String, Seen>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Seen {
    /// The log's verifier key.
    key: String,
    size: u64,
    /// The tree's root, hex.
    root: String,
    /// The signed checkpoint as served.
    checkpoint: String,
}

pub fn run(command: LogCommand) -> anyhow::Result<ExitCode> {
    let LogCommand::Verify { source, key, state } = command;
    tokio::runtime::Runtime::new()?.block_on(async move {
        let server = source.starts_with("http://") || source.starts_with("https://");
        let (entries, signed) = if server {
            // The checkpoint first: every entry it signs is then among those read.
            let (signed, named) = fetch_checkpoint(&source).await?;
            (fetch(&source).await?, Some((signed, named)))
        } else {
            let store = Store::open(&source).await.with_context(|| DatabaseArgs::redact(&source))?;
            let entries = log::page(store.pool(), 0, u64::MAX >> 1).await?;
            let stored = match (tlog::key(store.pool()).await?, tlog::newest(store.pool()).await?) {
                (Some((origin, seed)), Some(newest)) => {
                    let key = crate::protocol::tlog::LogKey::from_seed(&origin, &seed)?;
                    Some((newest.note, key.verifier_key()))
                }
                _ => None,
            };
            (entries, stored)
        };
        let report = verify_log(&entries);
        let mut problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        let head = report.head.map(|h| h.to_hex()).unwrap_or_else(|| "(empty)".into());
        println!(
            "{} entries, {} tasks, {} committed and not yet revealed or abandoned; head {head}",
            report.entries,
            report.tasks,
            report.open.len()
        );
        let state_path = state.or_else(default_state);
        if let Some((note, named)) = signed {
            let remembered = match (&state_path, server) {
                (Some(path), true) => read_state(path)?,
                _ => State::default(),
            };
            let trusted = key.clone().or_else(|| {
                let origin = named.split('+').next().unwrap_or_default();
                remembered.logs.get(origin).map(|seen| seen.key.clone())
            });
            if trusted.is_none() {
                println!("note  the checkpoint is checked with the key the log names, {named}; compare it with its published key");
            }
            match check_tree(&note, trusted.as_deref().unwrap_or(&named), &entries) {
                Err(problem) => problems.push(problem),
                Ok(head) => {
                    println!("checkpoint: {} entries, root {}, signed by {}", head.size, hash_hex(&head.root), head.origin);
                    if server {
                        let before = remembered.logs.get(&head.origin).cloned();
                        match held_to(before.as_ref(), &head, &entries, &source).await {
                            Err(problem) => problems.push(problem),
                            Ok(said) => {
                                println!("{said}");
                                if let Some(path) = &state_path {
                                    let key = trusted.unwrap_or(named);
                                    remember(path, remembered, &head, key, &note)?;
                                }
                            }
                        }
                    }
                }
            }
        } else if server {
            problems.push("the server publishes no signed checkpoint".into());
        }
        for problem in &problems {
            println!("FAIL  {problem}");
        }
        if problems.is_empty() {
            println!("verified: the log is one unbroken chain, every task's entries agree, and the signed tree is theirs");
            Ok(ExitCode::SUCCESS)
        } else {
            println!("NOT verified: {} problems", problems.len());
            Ok(ExitCode::from(1))
        }
    })
}

fn default_state() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".opendraw").join("log-state.json"))
}

/// Opens the checkpoint with the key and checks that its root is the tree
/// of the first `size` entries.
fn check_tree(note: &str, key: &str, entries: &[LogEntry]) -> Result<OpenedCheckpoint, String> {
    let head = open_checkpoint(note.as_bytes(), key).map_err(|error| format!("checkpoint: {error}"))?;
    if head.size > entries.len() as u64 {
        return Err(format!(
            "the checkpoint signs {} entries, but the log served has {}",
            head.size,
            entries.len()
        ));
    }
    let root = root_of(entries[..head.size as usize].iter().map(|entry| entry.hash));
    if root != head.root {
        return Err(format!(
            "the checkpoint's tree of {} entries is not the tree of the entries served: the server shows two histories",
            head.size
        ));
    }
    Ok(head)
}

/// Checks that the log now served extends the one seen last: the old
/// checkpoint's tree is the tree of as many entries now, and the server's
/// consistency proof says so too.
async fn held_to(
    before: Option<&Seen>,
    head: &OpenedCheckpoint,
    entries: &[LogEntry],
    base: &str,
) -> Result<String, String> {
    let Some(before) = before else {
        return Ok(format!("first check of {}: its checkpoint is remembered for the next one", head.origin));
    };
    let old_root = parse_hash_hex(&before.root).ok_or("the state file's root is not a hash")?;
    if before.size > head.size {
        return Err(format!(
            "the log was {} entries at the last check and is {} now: a log only grows",
            before.size, head.size
        ));
    }
    let replayed = root_of(entries[..before.size as usize].iter().map(|entry| entry.hash));
    if replayed != old_root {
        return Err(format!(
            "the first {} entries are not those of the checkpoint seen at the last check: the server rewrote its history",
            before.size
        ));
    }
    if before.size > 0 && before.size < head.size {
        let url = format!(
            "{}/api/public/log/consistency?from={}&size={}",
            base.trim_end_matches('/'),
            before.size,
            head.size
        );
        let proof: ConsistencyProof = get_json(&url).await.map_err(|error| format!("{url}: {error:#}"))?;
        let hashes: Option<Vec<_>> = proof.hashes.iter().map(|hash| parse_hash_hex(hash)).collect();
        let hashes = hashes.ok_or("the consistency proof holds a hash that is not one")?;
        check_consistency(&hashes, before.size, &old_root, head.size, &head.root)
            .map_err(|error| format!("the consistency proof from the last check: {error}"))?;
    }
    Ok(format!("extends the log seen at the last check ({} entries, {})", before.size, before.root))
}

fn read_state(path: &Path) -> anyhow::Result<State> {
    match std::fs::read(path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).with_context(|| format!("the state file {}", path.display()))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
        Err(error) => Err(error).with_context(|| format!("the state file {}", path.display())),
    }
}

/// Writes the state whole to a temporary file and renames it over the old
/// one, so that an interrupted check leaves the last state intact.
fn remember(
    path: &Path,
    mut state: State,
    head: &OpenedCheckpoint,
    key: String,
    note: &str,
) -> anyhow::Result<()> {
    state.logs.insert(
        head.origin.clone(),
        Seen { key, size: head.size, root: hash_hex(&head.root), checkpoint: note.to_owned() },
    );
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("{}", dir.display()))?;
    }
    let temporary = path.with_extension("json.new");
    std::fs::write(&temporary, serde_json::to_vec_pretty(&state)?)
        .with_context(|| format!("{}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("{}", path.display()))?;
    Ok(())
}

async fn get_json<T: serde::de::DeserializeOwned>(url: &str) -> anyhow::Result<T> {
    Ok(reqwest::get(url).await?.error_for_status()?.json().await?)
}

/// The server's signed checkpoint and the key it names for its log.
async fn fetch_checkpoint(base: &str) -> anyhow::Result<(String, String)> {
    let base = base.trim_end_matches('/');
    let key: LogKeyView = get_json(&format!("{base}/api/public/log/key")).await.context("the log's key")?;
    let note = reqwest::get(format!("{base}/log/checkpoint")).await?.error_for_status()?.text().await?;
    Ok((note, key.verifier_key))
}

/// Every entry of a server's log, page by page.
pub(super) async fn fetch(base: &str) -> anyhow::Result<Vec<LogEntry>> {
    let client = reqwest::Client::new();
    let mut entries: Vec<LogEntry> = Vec::new();
    loop {
        let after = entries.last().map_or(0, |entry| entry.seq);
        let url = format!("{}/api/public/log?after={after}&limit=1000", base.trim_end_matches('/'));
        let page: LogPageBody =
            client.get(&url).send().await?.error_for_status()?.json().await.with_context(|| url.clone())?;
        if page.entries.is_empty() {
            return Ok(entries);
        }
        entries.extend(page.entries);
    }
}
