//! Directory files — CSV exports of the target and inspector directories and
//! the declared recusals — read into manifests. Every error names the file,
//! the line, the column and the reason; nothing is kept from a bad file.

use std::path::Path;

use crate::domain::rules::stratum_key;
use crate::files::csv_input::{CsvFile, DirectoryError};
use crate::protocol::field::{Department, InspectorId, ItemCode, Region, TargetId, Unit};
use crate::protocol::manifest::{Inspector, InspectorManifest, Recusal, RecusalManifest, RowError};
use crate::protocol::{Date, TargetManifest, TargetManifestBuilder};

/// Reads the target directory: columns `id`, `region`, optionally `unit`,
/// and the columns named in `strata_by`, whose values joined by `/` form the
/// stratum key ([`stratum_key`]).
pub fn read_targets(path: &Path, strata_by: &[String]) -> Result<TargetManifest, DirectoryError> {
    let mut file = CsvFile::open(path)?;
    let id = file.required("id")?;
    let region = file.required("region")?;
    let unit = file.optional("unit");
    let strata: Vec<(usize, &str)> = strata_by
        .iter()
        .map(|column| Ok((file.required(column)?, column.as_str())))
        .collect::<Result<_, DirectoryError>>()?;
    let stratum_column = strata_by.join("/");
    let mut builder = TargetManifestBuilder::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut key = String::new();
    file.for_each(|file, line, record| {
        for &(index, column) in &strata {
            crate::protocol::field::check_field(&record[index], 128)
                .map_err(|e| file.error(Some(line), Some(column), e))?;
        }
        stratum_key(&mut key, strata_by, strata.iter().map(|&(index, _)| &record[index]))
            .map_err(|error| file.error(Some(line), Some(&error.column), &error))?;
        let unit = unit.map_or("", |index| &record[index]);
        builder.push(&record[id], &key, &record[region], unit).map_err(|error| match error {
            RowError::Field { column, error } => {
                let column = match column {
                    "target_id" => "id",
                    "stratum" => stratum_column.as_str(),
                    other => other,
                };
                file.error(Some(line), Some(column), error)
            }
            other => file.error(Some(line), Some("id"), row_error(other, &lines)),
        })?;
        lines.push(line);
        Ok(())
    })?;
    builder.finish().map_err(|error| match &error {
        RowError::Duplicate { second, .. } => {
            file.error(Some(lines[*second]), Some("id"), row_error(error.clone(), &lines))
        }
        _ => file.error(None, None, row_error(error, &lines)),
    })
}

fn row_error(error: RowError, lines: &[u64]) -> String {
    match error {
        RowError::Duplicate { id, first, .. } => {
            format!("duplicate id '{id}' (first on line {})", lines[first])
        }
        RowError::TooLarge => "the pool has 2^32 or more targets, or its manifest is over 4 GiB".into(),
        RowError::Field { error, .. } => error.to_string(),
        RowError::OutOfOrder { .. } => "rows are out of order".into(),
    }
}

/// Reads the inspector directory: columns `id`, `department`, `unit`,
/// `region`, `items` (codes separated by `;` or `,`), `certificate_expires`
/// (YYYY-MM-DD) and optionally `active` (inactive inspectors are left out).
pub fn read_inspectors(path: &Path) -> Result<InspectorManifest, DirectoryError> {
    let mut file = CsvFile::open(path)?;
    let columns = ["id", "department", "unit", "region", "items", "certificate_expires"];
    let [id, department, unit, region, items, expires] = columns.map(|column| file.required(column));
    let (id, department, unit, region, items, expires) = (id?, department?, unit?, region?, items?, expires?);
    let active = file.optional("active");
    let mut inspectors = Vec::new();
    let mut lines = Vec::new();
    file.for_each(|file, line, record| {
        let at = |column: &'static str| move |reason: String| file.error(Some(line), Some(column), reason);
        if let Some(index) = active
            && !parse_active(&record[index]).map_err(at("active"))?
        {
            return Ok(());
        }
        let codes = record[items]
            .split([';', ','])
            .map(|code| {
                ItemCode::parse(code.trim())
                    .map_err(|e| at("items")(format!("item code '{}' {e}", code.trim())))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let inspector = Inspector::new(
            InspectorId::parse(&record[id]).map_err(|e| at("id")(e.to_string()))?,
            Department::parse(&record[department]).map_err(|e| at("department")(e.to_string()))?,
            Unit::parse(&record[unit]).map_err(|e| at("unit")(e.to_string()))?,
            Region::parse(&record[region]).map_err(|e| at("region")(e.to_string()))?,
            codes,
            Date::parse(&record[expires]).map_err(|e| at("certificate_expires")(e.to_string()))?,
        )
        .ok_or_else(|| at("items")("lists no item code".into()))?;
        inspectors.push(inspector);
        lines.push(line);
        Ok(())
    })?;
    if inspectors.is_empty() {
        return Err(file.error(None, None, "the pool is empty: the file has no active inspector rows"));
    }
    InspectorManifest::new(inspectors).map_err(|duplicate| {
        let reason = format!("duplicate id '{}' (first on line {})", duplicate.id, lines[duplicate.first]);
        file.error(Some(lines[duplicate.second]), Some("id"), reason)
    })
}

fn parse_active(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "" | "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(format!("'{text}' is not one of true, false, yes, no, 1, 0")),
    }
}

/// Reads declared recusals: columns `inspector_id` and `target_id`. Pairs
/// naming an inspector or target outside the pools cannot affect the draw
/// and are left out; their number is returned.
pub fn read_recusals(
    path: &Path,
    targets: &TargetManifest,
    inspectors: &InspectorManifest,
) -> Result<(RecusalManifest, usize), DirectoryError> {
    let mut file = CsvFile::open(path)?;
    let inspector_column = file.required("inspector_id")?;
    let target_column = file.required("target_id")?;
    let mut pairs = Vec::new();
    let mut outside = 0;
    file.for_each(|file, line, record| {
        let inspector = InspectorId::parse(&record[inspector_column])
            .map_err(|e| file.error(Some(line), Some("inspector_id"), e))?;
        let target = TargetId::parse(&record[target_column])
            .map_err(|e| file.error(Some(line), Some("target_id"), e))?;
        let known_inspector = inspectors.inspectors().binary_search_by(|i| i.id.cmp(&inspector)).is_ok();
        if known_inspector && targets.find(target.as_str()).is_some() {
            pairs.push(Recusal { inspector, target });
        } else {
            outside += 1;
        }
        Ok(())
    })?;
    Ok((RecusalManifest::new(pairs), outside))
}
