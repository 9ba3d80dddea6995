//! `opendraw log verify`: check the public log of a server or a database.

use std::process::ExitCode;

use anyhow::Context;

use super::DatabaseArgs;
use crate::http::public::LogPageBody;
use crate::protocol::log::{LogEntry, verify_log};
use crate::storage::{Store, log};

#[derive(Debug, clap::Subcommand)]
pub enum LogCommand {
    /// Check that the log is one unbroken chain and that every task's
    /// entries come in order and agree (commitment before entropy, the
    /// reveal matching both).
    Verify {
        /// A server's address (http://host:port) or a database URL or file.
        source: String,
    },
}

pub fn run(command: LogCommand) -> anyhow::Result<ExitCode> {
    let LogCommand::Verify { source } = command;
    tokio::runtime::Runtime::new()?.block_on(async move {
        let entries = if source.starts_with("http://") || source.starts_with("https://") {
            fetch(&source).await?
        } else {
            let store = Store::open(&source).await.with_context(|| DatabaseArgs::redact(&source))?;
            log::page(store.pool(), 0, u64::MAX >> 1).await?
        };
        let report = verify_log(&entries);
        for problem in &report.problems {
            println!("FAIL  {problem}");
        }
        let head = report.head.map(|h| h.to_hex()).unwrap_or_else(|| "(empty)".into());
        println!(
            "{} entries, {} tasks, {} committed and not yet revealed or abandoned; head {head}",
            report.entries,
            report.tasks,
            report.open.len()
        );
        if report.passed() {
            println!("verified: the log is one unbroken chain and every task's entries agree");
            Ok(ExitCode::SUCCESS)
        } else {
            println!("NOT verified: {} problems", report.problems.len());
            Ok(ExitCode::from(1))
        }
    })
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
