//! The manifests: published files that fix a task's pools at commitment
//! (PROTOCOL.md §2). Each is canonical, so its SHA-256 identifies it and
//! `sha256sum` checks it.

mod chunked;
mod inspectors;
mod recusals;
mod target_builder;
mod target_reader;
mod targets;

pub use inspectors::{DuplicateInspector, INSPECTORS_FILE, INSPECTORS_HEADER, Inspector, InspectorManifest};
pub use recusals::{RECUSALS_FILE, RECUSALS_HEADER, Recusal, RecusalManifest};
pub use target_builder::{FrozenTargets, TargetManifestBuilder, TargetManifestStream};
pub use target_reader::{
    DrawnRowReader, DrawnRows, INDEX_ENTRY, IndexedStrata, StrataSizes, TARGET_INDEX_FILE,
    TARGET_STRATA_FILE, TargetIndexCheck, TargetLineCollector, TargetManifestReader, index_entry,
};
pub use targets::{RowError, TARGETS_FILE, TARGETS_HEADER, Target, TargetManifest};

use super::tsv::ParseError;

/// Checks a published file's first line.
fn expect_header(file: &'static str, first: Option<(usize, &str)>, header: &str) -> Result<(), ParseError> {
    if first == Some((1, header)) {
        return Ok(());
    }
    let header = header.replace('\t', "<TAB>");
    Err(ParseError::line(file, 1, format!("the header must be '{header}'")))
}
