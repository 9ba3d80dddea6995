//! `opendraw backup FILE` and `opendraw restore FILE`: a SQLite database
//! copied while the service runs, and put back after the copy is checked.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

use super::DatabaseArgs;
use crate::storage::backup::{self, CopyCheck};

/// Copy a live SQLite database to FILE (a consistent snapshot), and check
/// the copy. For PostgreSQL, use pg_dump or continuous archiving.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Where to write the copy; must not exist yet.
    file: PathBuf,
}

/// Put a backup back as the SQLite database, after checking it (its pages,
/// its migrations, its public log). Stop the service first.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The backup to restore.
    file: PathBuf,
    /// Replace a database that exists already.
    #[arg(long)]
    replace: bool,
}

pub fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    tokio::runtime::Runtime::new()?.block_on(async move {
        let Some(path) = backup::sqlite_file(args.database.url()) else {
            bail!("backup copies a SQLite database; for PostgreSQL use pg_dump or continuous archiving (see the README)");
        };
        if !path.exists() {
            bail!("there is no database at {}", path.display());
        }
        let store = args.database.open().await?;
        let written = backup::snapshot(&store, &args.file).await;
        store.close().await;
        written.with_context(|| format!("backing {} up", args.database.shown()))?;
        let check = backup::check_copy(&args.file).await.context("checking the copy")?;
        report(&args.file, &check)
    })
}

pub fn restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let Some(target) = backup::sqlite_file(args.database.url()) else {
        bail!("restore puts back a SQLite database; for PostgreSQL use pg_restore (see the README)");
    };
    if target.exists() && !args.replace {
        bail!(
            "{} exists; stop the service and add --replace to put the backup in its place",
            target.display()
        );
    }
    tokio::runtime::Runtime::new()?.block_on(async move {
        // The check runs on a copy beside the target (migrations may change
        // it), which then takes the target's place in one rename.
        let staged = sibling(&target, "restoring");
        std::fs::copy(&args.file, &staged)
            .with_context(|| format!("copying {} to {}", args.file.display(), staged.display()))?;
        let check = match backup::check_copy(&staged).await {
            Ok(check) if check.log.passed() => check,
            Ok(check) => {
                remove_with_journal(&staged);
                report(&args.file, &check)?;
                bail!("the backup's log does not verify; nothing was restored");
            }
            Err(error) => {
                remove_with_journal(&staged);
                return Err(error).context(format!("checking {}", args.file.display()));
            }
        };
        // The old database's journal belongs to the old file.
        remove_with_journal(&target);
        std::fs::rename(&staged, &target)
            .with_context(|| format!("moving the backup to {}", target.display()))?;
        remove_journal(&staged);
        println!("restored {} to {}", args.file.display(), target.display());
        report(&args.file, &check)
    })
}

fn report(file: &Path, check: &CopyCheck) -> anyhow::Result<ExitCode> {
    for problem in &check.log.problems {
        println!("FAIL  {problem}");
    }
    let head = check.log.head.map(|head| head.to_hex()).unwrap_or_else(|| "(empty)".into());
    println!("{}: {} log entries, head {head}", file.display(), check.log.entries);
    if check.log.passed() {
        println!("verified: the copy is intact and its log is one unbroken chain");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("NOT verified: {} problems", check.log.problems.len());
        Ok(ExitCode::from(1))
    }
}

/// `path` with `.suffix` added to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    path.with_file_name(name)
}

/// Removes SQLite's `-wal` and `-shm` files of `database`.
fn remove_journal(database: &Path) {
    for suffix in ["-wal", "-shm"] {
        let mut name = database.as_os_str().to_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

fn remove_with_journal(database: &Path) {
    let _ = std::fs::remove_file(database);
    remove_journal(database);
}
