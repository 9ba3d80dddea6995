//! Directory files — the target and inspector directories and the declared
//! recusals, in the CSV form the service imports — read into the manifests
//! of an offline draw. The rows are parsed by the service's own record
//! parser ([`read_records`]), so a file either imports and draws alike or is
//! refused alike, with the file, line, column and reason; nothing is kept
//! from a bad file. What differs from the service is only where the pools
//! come from: the files, not the database.

use std::path::{Path, PathBuf};

use crate::domain::records::{DirectoryRecord, InspectorRecord, RecusalRecord, TargetRecord, read_records};
use crate::domain::rules::stratum_key;
use crate::domain::task_definition::{PoolFilter, StrataColumn};
use crate::files::csv_input::{DirectoryError, open_named};
use crate::protocol::manifest::{Inspector, InspectorManifest, Recusal, RecusalManifest, RowError};
use crate::protocol::{Date, TargetManifest, TargetManifestBuilder};

/// Records parsed per batch: enough to keep the parser busy, few enough
/// that a pool of millions never sits in memory as records.
const BATCH: usize = 4096;

/// Reads every record of the CSV file at `path`, in batches.
fn read_file<T: DirectoryRecord>(
    path: &Path,
    each: impl FnMut(Vec<(u64, T)>) -> Result<(), DirectoryError>,
) -> Result<(), DirectoryError> {
    let (name, file) = open_named(path)?;
    read_records::<T, _>(name, std::io::BufReader::new(file), BATCH, each).map(drop)
}

fn error_at(path: &Path, line: Option<u64>, column: Option<&str>, reason: impl ToString) -> DirectoryError {
    DirectoryError {
        file: path.display().to_string(),
        line,
        column: column.map(str::to_owned),
        reason: reason.to_string(),
    }
}

/// Reads the target directory into the pool's manifest: the targets that
/// pass `filter` (`cutoff` leaving out those inspected on or after it),
/// each in the stratum its values in the `strata_by` columns make.
pub fn read_targets(
    path: &Path,
    filter: &PoolFilter,
    cutoff: Option<Date>,
    strata_by: &[StrataColumn],
) -> Result<TargetManifest, DirectoryError> {
    let columns: Vec<&str> = strata_by.iter().map(|column| column.column()).collect();
    let stratum_column = columns.join("/");
    let mut builder = TargetManifestBuilder::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut key = String::new();
    read_file::<TargetRecord>(path, |batch| {
        for (line, target) in batch {
            if !filter.admits(&target, cutoff) {
                continue;
            }
            stratum_key(&mut key, &columns, strata_by.iter().map(|column| column.value_of(&target)))
                .map_err(|error| error_at(path, Some(line), Some(&error.column), &error))?;
            let unit = target.unit.as_ref().map_or("", |unit| unit.as_str());
            builder.push(target.id.as_str(), &key, target.region.as_str(), unit).map_err(|error| {
                let column = match &error {
                    RowError::Field { column: "stratum", .. } => stratum_column.as_str(),
                    RowError::Field { column: "target_id", .. } => "id",
                    RowError::Field { column, .. } => column,
                    _ => "id",
                };
                error_at(path, Some(line), Some(column), row_error(error, &lines))
            })?;
            lines.push(line);
        }
        Ok(())
    })?;
    builder.finish().map_err(|error| match &error {
        RowError::Duplicate { second, .. } => {
            error_at(path, Some(lines[*second]), Some("id"), row_error(error.clone(), &lines))
        }
        _ => error_at(path, None, None, row_error(error, &lines)),
    })
}

fn row_error(error: RowError, lines: &[u64]) -> String {
    match error {
        RowError::Duplicate { id, first, .. } => {
            format!("'{id}' appears twice (first on line {})", lines[first])
        }
        RowError::TooLarge => "the pool has 2^32 or more targets, or its manifest is over 4 GiB".into(),
        RowError::Field { error, .. } => error.to_string(),
        RowError::OutOfOrder { .. } => "rows are out of order".into(),
    }
}

/// Reads the inspector directory — one file, or one per department — into
/// the manifest of its active inspectors.
pub fn read_inspectors(paths: &[PathBuf]) -> Result<InspectorManifest, DirectoryError> {
    let mut inspectors = Vec::new();
    // Where each inspector was read: file and line.
    let mut origins: Vec<(&Path, u64)> = Vec::new();
    for path in paths {
        read_file::<InspectorRecord>(path, |batch| {
            for (line, record) in batch {
                if !record.active {
                    continue;
                }
                let inspector = Inspector::new(
                    record.id,
                    record.department,
                    record.unit,
                    record.region,
                    record.items,
                    record.certificate_expires,
                )
                .ok_or_else(|| error_at(path, Some(line), Some("items"), "lists no item code"))?;
                inspectors.push(inspector);
                origins.push((path, line));
            }
            Ok(())
        })?;
    }
    if inspectors.is_empty() {
        let files: Vec<String> = paths.iter().map(|path| path.display().to_string()).collect();
        let error = "the pool is empty: no row is of an active inspector";
        return Err(DirectoryError {
            file: files.join(", "),
            line: None,
            column: None,
            reason: error.into(),
        });
    }
    // A file repeating an id is refused by the parser; two files can still
    // share one.
    InspectorManifest::new(inspectors).map_err(|duplicate| {
        let (first_file, first_line) = origins[duplicate.first];
        let (path, line) = origins[duplicate.second];
        let reason =
            format!("'{}' appears twice (first in {} line {first_line})", duplicate.id, first_file.display());
        error_at(path, Some(line), Some("id"), reason)
    })
}

/// Reads declared recusals, from one file or several. Pairs naming an inspector or target outside the
/// pools cannot affect the draw and are left out; their number is returned.
pub fn read_recusals(
    paths: &[PathBuf],
    targets: &TargetManifest,
    inspectors: &InspectorManifest,
) -> Result<(RecusalManifest, usize), DirectoryError> {
    let mut pairs = Vec::new();
    let mut outside = 0;
    for path in paths {
        read_file::<RecusalRecord>(path, |batch| {
            for (_, record) in batch {
                let known_inspector =
                    inspectors.inspectors().binary_search_by(|i| i.id.cmp(&record.inspector_id)).is_ok();
                if known_inspector && targets.find(record.target_id.as_str()).is_some() {
                    pairs.push(Recusal { inspector: record.inspector_id, target: record.target_id });
                } else {
                    outside += 1;
                }
            }
            Ok(())
        })?;
    }
    Ok((RecusalManifest::new(pairs), outside))
}
