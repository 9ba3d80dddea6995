//! Copies of a SQLite database that can be taken while the service runs,
//! and the checks a copy passes before it is put back.
//!
//! `VACUUM INTO` writes a consistent snapshot from one read transaction: it
//! holds every write committed before it began, and none that commits
//! while it runs is half in it. In WAL mode the service goes on writing
//! meanwhile. Everything the service keeps is in the database (the task
//! files too), so the one file is the whole backup — unless attachments
//! are kept in a directory (`serve --attachments-dir`), which is copied
//! beside it (its files never change: each is named by its digest).

use std::path::{Path, PathBuf};

use super::{Backend, Store, StoreError, StoreResult, log};
use crate::protocol::log::{LogReport, verify_log};

/// Writes a snapshot of `store` to `to`, a file that must not exist yet; it
/// is created readable by its owner only, as the database is.
pub async fn snapshot(store: &Store, to: &Path) -> StoreResult<()> {
    if store.backend() != Backend::Sqlite {
        return Err(StoreError::Backup(
            "a PostgreSQL database is backed up with pg_dump or continuous archiving (see the README)".into(),
        ));
    }
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    file.open(to).map_err(|error| StoreError::Backup(format!("cannot create {}: {error}", to.display())))?;
    let target = to.to_str().ok_or_else(|| StoreError::Backup("the backup's path is not UTF-8".into()))?;
    // An empty file is a valid target of VACUUM INTO.
    let done = sqlx::query("VACUUM INTO $1").bind(target).execute(store.pool()).await;
    if done.is_err() {
        let _ = std::fs::remove_file(to);
    }
    done?;
    Ok(())
}

/// What a check of a copy found: the copy opens, its migrations apply, its
/// pages are intact and its public log is one unbroken chain.
pub struct CopyCheck {
    pub log: LogReport,
}

/// Opens the SQLite file at `path` (applying any migration it lacks) and
/// checks it. The file is changed only by migrations.
pub async fn check_copy(path: &Path) -> StoreResult<CopyCheck> {
    let store = Store::open(&format!("sqlite:{}", path.display())).await?;
    let result = async {
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(store.pool()).await?;
        if integrity != "ok" {
            return Err(StoreError::Damaged(format!("{}: integrity check: {integrity}", path.display())));
        }
        let entries = log::page(store.pool(), 0, u64::MAX >> 1).await?;
        Ok(CopyCheck { log: verify_log(&entries) })
    }
    .await;
    store.close().await;
    result
}

/// The path of a SQLite database URL or bare path (`opendraw.db`,
/// `sqlite:x.db`, `sqlite://x.db?mode=rwc`); none for PostgreSQL or memory.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return None;
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    let path = path.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}
