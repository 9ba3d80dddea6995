//! What the witness remembers of each log: the latest checkpoint it
//! cosigned, with the log's signature and its own cosignature, one file per
//! log under `<state>/logs/`, named by the SHA-256 of the log's origin.
//!
//! A file is replaced whole (written beside, synced, renamed, directory
//! synced) before the cosignature leaves the witness, so that a witness
//! killed at any moment restarts from a checkpoint it really cosigned, or
//! the one before, and never cosigns two trees that are not consistent.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use sha2::Digest as _;
use signed_note::Note;
use tlog_tiles::{Checkpoint, Hash};

/// The latest checkpoint cosigned for one log.
#[derive(Debug, Clone)]
pub struct Latest {
    pub size: u64,
    pub hash: Hash,
    /// The checkpoint as served to monitors: its note with the log's
    /// signatures and the witness's cosignature.
    pub note: Vec<u8>,
}

/// Lowercase hex SHA-256 of the origin, as the witness protocol's
/// monitoring path names a log.
pub fn origin_hash(origin: &str) -> String {
    hex::encode(sha2::Sha256::digest(origin.as_bytes()))
}

fn logs_dir(state: &Path) -> PathBuf {
    state.join("logs")
}

fn log_path(state: &Path, origin: &str) -> PathBuf {
    logs_dir(state).join(origin_hash(origin))
}

/// The latest checkpoint cosigned for `origin`, if any.
pub fn load(state: &Path, origin: &str) -> anyhow::Result<Option<Latest>> {
    let path = log_path(state, origin);
    let note = match std::fs::read(&path) {
        Ok(note) => note,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error).with_context(|| format!("cannot read {}", path.display())),
    };
    let parsed = Note::from_bytes(&note).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let checkpoint =
        Checkpoint::from_bytes(parsed.text()).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    if checkpoint.origin() != origin {
        bail!("{} holds a checkpoint of {:?}, not of {origin:?}", path.display(), checkpoint.origin());
    }
    Ok(Some(Latest { size: checkpoint.size(), hash: *checkpoint.hash(), note }))
}

/// Replaces the latest checkpoint of `origin` with `note`, durably.
pub fn store(state: &Path, origin: &str, note: &[u8]) -> std::io::Result<()> {
    let dir = logs_dir(state);
    std::fs::create_dir_all(&dir)?;
    let path = log_path(state, origin);
    let temporary = path.with_extension("new");
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(note)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, &path)?;
    sync_dir(&dir)
}

/// Makes a rename in `dir` durable.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_checkpoint_is_read_back_and_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path(), "example.org/log").unwrap().is_none());
        let first = b"example.org/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 example.org/log AAAAAQE=\n";
        store(dir.path(), "example.org/log", first).unwrap();
        let latest = load(dir.path(), "example.org/log").unwrap().unwrap();
        assert_eq!(latest.size, 1);
        assert_eq!(latest.note, first);
        let second = b"example.org/log\n2\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 example.org/log AAAAAQE=\n";
        store(dir.path(), "example.org/log", second).unwrap();
        assert_eq!(load(dir.path(), "example.org/log").unwrap().unwrap().size, 2);
        assert!(load(dir.path(), "example.org/other").unwrap().is_none());
    }
}
