//! The directories the service keeps — inspection items, targets,
//! inspectors, recusals — as records parsed once from CSV rows, with an
//! error naming the line, column and reason for anything invalid.

use std::io::Read;

use serde::Serialize;

use crate::files::csv_input::{CsvFile, DirectoryError};
use crate::protocol::field::{
    Department, FieldError, InspectorId, ItemCode, Region, TargetId, Unit, check_field,
};
use crate::protocol::{BasisPoints, Date, FrequencyCap};

/// Longest free text (names, legal basis), in bytes.
const MAX_TEXT: usize = 512;

/// A risk (credit) class: A (lowest risk) to D (highest).
pub const RISK_CLASSES: [&str; 4] = ["A", "B", "C", "D"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRecord {
    pub code: ItemCode,
    pub name: String,
    pub legal_basis: String,
    pub department: Department,
    pub target_category: String,
    pub sampling_ratio_bp: Option<u32>,
    pub frequency: String,
    /// How the item is inspected (检查方式): 现场检查, 书面检查, ….
    pub method: String,
    /// At most this many draws of one target for the item in a calendar
    /// year (PROTOCOL.md §17); none: no cap.
    pub frequency_cap: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetRecord {
    pub id: TargetId,
    pub name: String,
    pub region: Region,
    pub industry: String,
    pub risk_class: String,
    pub unit: Option<Unit>,
    /// Flags such as `abnormal` (on the abnormal-operation list).
    pub flags: Vec<String>,
    pub last_inspected: Option<Date>,
    /// The registered address, for the inspectors who go there.
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectorRecord {
    pub id: InspectorId,
    pub name: String,
    pub department: Department,
    pub unit: Unit,
    pub region: Region,
    pub certificate_no: String,
    pub certificate_expires: Date,
    pub items: Vec<ItemCode>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecusalRecord {
    pub inspector_id: InspectorId,
    pub target_id: TargetId,
    pub reason: String,
}

/// A kind of directory record that can be read from CSV.
pub trait DirectoryRecord: Sized + Send + 'static {
    /// The kind, as in `opendraw import KIND FILE` and `/api/KIND/import`.
    const KIND: &'static str;
    /// Where each column is in the file.
    type Columns;

    fn columns<R: Read>(file: &CsvFile<R>) -> Result<Self::Columns, DirectoryError>;

    fn parse(columns: &Self::Columns, record: &csv::StringRecord) -> Result<Self, (&'static str, String)>;

    /// The record's identity: a second record with the same key in one file
    /// is an error.
    fn key(&self) -> std::sync::Arc<str>;
}

/// Reads every record of a CSV file, calling `each` with batches of up to
/// `batch` records and their line numbers. Stops at the first invalid row
/// or repeated key; returns the number of records read.
pub fn read_records<T: DirectoryRecord, R: Read>(
    name: String,
    reader: R,
    batch: usize,
    mut each: impl FnMut(Vec<(u64, T)>) -> Result<(), DirectoryError>,
) -> Result<u64, DirectoryError> {
    let mut file = CsvFile::new(name, reader)?;
    let columns = T::columns(&file)?;
    let mut seen: rustc_hash::FxHashMap<std::sync::Arc<str>, u64> = rustc_hash::FxHashMap::default();
    let mut pending = Vec::with_capacity(batch);
    let mut count = 0;
    file.for_each(|file, line, record| {
        let parsed = T::parse(&columns, record)
            .map_err(|(column, reason)| file.error(Some(line), Some(column), reason))?;
        if let Some(first) = seen.insert(parsed.key(), line) {
            let reason = format!("'{}' appears twice (first on line {first})", parsed.key());
            return Err(file.error(Some(line), Some(key_column::<T>()), reason));
        }
        pending.push((line, parsed));
        count += 1;
        if pending.len() == batch {
            each(std::mem::replace(&mut pending, Vec::with_capacity(batch)))?;
        }
        Ok(())
    })?;
    if !pending.is_empty() {
        each(pending)?;
    }
    Ok(count)
}

/// Refused lines listed for one file, at most: enough to fix a file in one
/// go, bounded however bad the file.
pub const MAX_REFUSED_LINES: usize = 100;

/// Like [`read_records`], without the check for repeated keys, which holds
/// every key of the file in memory: for imports of directories of any size,
/// which find repeated keys in the database instead.
///
/// A bad row does not stop the reading: it goes into `refused`, and the
/// rest of the file is read for more (up to [`MAX_REFUSED_LINES`]) without
/// handing any further batch to `each`. Then the first refused row is the
/// error returned.
pub fn read_records_unkeyed<T: DirectoryRecord, R: Read>(
    name: String,
    reader: R,
    batch: usize,
    refused: &mut Vec<DirectoryError>,
    mut each: impl FnMut(Vec<(u64, T)>) -> Result<(), DirectoryError>,
) -> Result<u64, DirectoryError> {
    let mut file = CsvFile::new(name, reader)?;
    let columns = T::columns(&file)?;
    let mut pending = Vec::with_capacity(batch);
    let mut count = 0;
    let read = file.for_each_going_on(|file, row| {
        match row.and_then(|(line, record)| {
            T::parse(&columns, record)
                .map(|parsed| (line, parsed))
                .map_err(|(column, reason)| file.error(Some(line), Some(column), reason))
        }) {
            Err(error) => refused.push(error),
            Ok((line, parsed)) if refused.is_empty() => {
                pending.push((line, parsed));
                count += 1;
                if pending.len() == batch {
                    each(std::mem::replace(&mut pending, Vec::with_capacity(batch)))?;
                }
            }
            Ok(_) => {}
        }
        match refused.len() >= MAX_REFUSED_LINES {
            true => Err(refused[0].clone()),
            false => Ok(()),
        }
    });
    read?;
    if let Some(first) = refused.first() {
        return Err(first.clone());
    }
    if !pending.is_empty() {
        each(pending)?;
    }
    Ok(count)
}

/// The column naming a record's key, for messages about repeated keys.
pub fn key_column<T: DirectoryRecord>() -> &'static str {
    match T::KIND {
        "items" => "code",
        "calendar" => "date",
        "recusals" => "inspector_id",
        _ => "id",
    }
}

/// A required field: the text rules of manifests (PROTOCOL.md §2.1).
fn field<T>(
    column: &'static str,
    text: &str,
    parse: impl Fn(&str) -> Result<T, FieldError>,
) -> Result<T, (&'static str, String)> {
    parse(text).map_err(|error| (column, error.to_string()))
}

/// Free text: no control characters, at most 512 bytes; may be empty when
/// `required` is false.
fn text(column: &'static str, value: &str, required: bool) -> Result<String, (&'static str, String)> {
    if value.is_empty() && !required {
        return Ok(String::new());
    }
    check_field(value, MAX_TEXT).map_err(|error| (column, error.to_string()))?;
    Ok(value.to_owned())
}

fn date(column: &'static str, value: &str) -> Result<Date, (&'static str, String)> {
    Date::parse(value).map_err(|error| (column, error.to_string()))
}

/// A list separated by `;` or `,`, items trimmed, empty list allowed.
fn list(value: &str) -> impl Iterator<Item = &str> {
    value.split([';', ',']).map(str::trim).filter(|part| !part.is_empty())
}

fn optional(record: &csv::StringRecord, index: Option<usize>) -> &str {
    index.map_or("", |index| &record[index])
}

/// An item's frequency cap: empty for none, else a number of draws a year.
fn frequency_cap(value: &str) -> Result<Option<u32>, (&'static str, String)> {
    if value.is_empty() {
        return Ok(None);
    }
    let times = crate::protocol::tsv::parse_count(value).map_err(|reason| {
        ("frequency_cap", format!("{reason}: give a number of draws a year, or leave it empty"))
    })?;
    FrequencyCap::check_times(u32::try_from(times).unwrap_or(u32::MAX))
        .map(Some)
        .map_err(|reason| ("frequency_cap", reason))
}

pub struct ItemColumns([usize; 3], [Option<usize>; 6]);

impl DirectoryRecord for ItemRecord {
    const KIND: &'static str = "items";
    type Columns = ItemColumns;

    fn columns<R: Read>(file: &CsvFile<R>) -> Result<ItemColumns, DirectoryError> {
        let [code, name, department] = ["code", "name", "department"].map(|c| file.required(c));
        let optional =
            ["legal_basis", "target_category", "sampling_ratio", "frequency", "method", "frequency_cap"]
                .map(|c| file.optional(c));
        Ok(ItemColumns([code?, name?, department?], optional))
    }

    fn parse(columns: &ItemColumns, record: &csv::StringRecord) -> Result<Self, (&'static str, String)> {
        let ItemColumns([code, name, department], [legal_basis, category, ratio, frequency, method, cap]) =
            *columns;
        let ratio = optional(record, ratio);
        let sampling_ratio_bp = if ratio.is_empty() {
            None
        } else {
            Some(BasisPoints::parse_percent(ratio).map_err(|reason| ("sampling_ratio", reason))?.get())
        };
        Ok(ItemRecord {
            code: field("code", &record[code], ItemCode::parse)?,
            name: text("name", &record[name], true)?,
            legal_basis: text("legal_basis", optional(record, legal_basis), false)?,
            department: field("department", &record[department], Department::parse)?,
            target_category: text("target_category", optional(record, category), false)?,
            sampling_ratio_bp,
            frequency: text("frequency", optional(record, frequency), false)?,
            method: text("method", optional(record, method), false)?,
            frequency_cap: frequency_cap(optional(record, cap).trim())?,
        })
    }

    fn key(&self) -> std::sync::Arc<str> {
        self.code.shared()
    }
}

pub struct TargetColumns([usize; 4], [Option<usize>; 5]);

impl DirectoryRecord for TargetRecord {
    const KIND: &'static str = "targets";
    type Columns = TargetColumns;

    fn columns<R: Read>(file: &CsvFile<R>) -> Result<TargetColumns, DirectoryError> {
        let [id, name, region, risk] = ["id", "name", "region", "risk_class"].map(|c| file.required(c));
        let optional = ["industry", "unit", "flags", "last_inspected", "address"].map(|c| file.optional(c));
        Ok(TargetColumns([id?, name?, region?, risk?], optional))
    }

    fn parse(columns: &TargetColumns, record: &csv::StringRecord) -> Result<Self, (&'static str, String)> {
        let TargetColumns([id, name, region, risk], [industry, unit, flags, last, address]) = *columns;
        let risk_class = &record[risk];
        if !RISK_CLASSES.contains(&risk_class) {
            return Err(("risk_class", format!("'{risk_class}' is not one of A, B, C, D")));
        }
        let unit = optional(record, unit);
        let last = optional(record, last);
        let flags = list(optional(record, flags))
            .map(|flag| text("flags", flag, true).map(|_| flag.to_owned()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TargetRecord {
            id: field("id", &record[id], TargetId::parse)?,
            name: text("name", &record[name], true)?,
            region: field("region", &record[region], Region::parse)?,
            industry: text("industry", optional(record, industry), false)?,
            risk_class: risk_class.to_owned(),
            unit: if unit.is_empty() { None } else { Some(field("unit", unit, Unit::parse)?) },
            flags,
            last_inspected: if last.is_empty() { None } else { Some(date("last_inspected", last)?) },
            address: text("address", optional(record, address), false)?,
        })
    }

    fn key(&self) -> std::sync::Arc<str> {
        self.id.shared()
    }
}

pub struct InspectorColumns([usize; 7], [Option<usize>; 2]);

impl DirectoryRecord for InspectorRecord {
    const KIND: &'static str = "inspectors";
    type Columns = InspectorColumns;

    fn columns<R: Read>(file: &CsvFile<R>) -> Result<InspectorColumns, DirectoryError> {
        let names = ["id", "name", "department", "unit", "region", "items", "certificate_expires"];
        let [a, b, c, d, e, f, g] = names.map(|column| file.required(column));
        let optional = ["certificate_no", "active"].map(|c| file.optional(c));
        Ok(InspectorColumns([a?, b?, c?, d?, e?, f?, g?], optional))
    }

    fn parse(columns: &InspectorColumns, record: &csv::StringRecord) -> Result<Self, (&'static str, String)> {
        let InspectorColumns([id, name, department, unit, region, items, expires], [number, active]) =
            *columns;
        let codes = list(&record[items])
            .map(|code| field("items", code, ItemCode::parse))
            .collect::<Result<Vec<_>, _>>()?;
        if codes.is_empty() {
            return Err(("items", "lists no item code".into()));
        }
        Ok(InspectorRecord {
            id: field("id", &record[id], InspectorId::parse)?,
            name: text("name", &record[name], true)?,
            department: field("department", &record[department], Department::parse)?,
            unit: field("unit", &record[unit], Unit::parse)?,
            region: field("region", &record[region], Region::parse)?,
            certificate_no: text("certificate_no", optional(record, number), false)?,
            certificate_expires: date("certificate_expires", &record[expires])?,
            items: codes,
            active: parse_active(optional(record, active)).map_err(|reason| ("active", reason))?,
        })
    }

    fn key(&self) -> std::sync::Arc<str> {
        self.id.shared()
    }
}

/// `true`, `false`, `yes`, `no`, `1`, `0`; empty means active.
pub fn parse_active(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "" | "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(format!("'{text}' is not one of true, false, yes, no, 1, 0")),
    }
}

pub struct RecusalColumns([usize; 2], Option<usize>);

impl DirectoryRecord for RecusalRecord {
    const KIND: &'static str = "recusals";
    type Columns = RecusalColumns;

    fn columns<R: Read>(file: &CsvFile<R>) -> Result<RecusalColumns, DirectoryError> {
        let [inspector, target] = ["inspector_id", "target_id"].map(|c| file.required(c));
        Ok(RecusalColumns([inspector?, target?], file.optional("reason")))
    }

    fn parse(columns: &RecusalColumns, record: &csv::StringRecord) -> Result<Self, (&'static str, String)> {
        let RecusalColumns([inspector, target], reason) = *columns;
        Ok(RecusalRecord {
            inspector_id: field("inspector_id", &record[inspector], InspectorId::parse)?,
            target_id: field("target_id", &record[target], TargetId::parse)?,
            reason: text("reason", optional(record, reason), false)?,
        })
    }

    fn key(&self) -> std::sync::Arc<str> {
        format!("{} / {}", self.inspector_id, self.target_id).into()
    }
}

/// A calendar entry: a public holiday, or a weekend day worked in place of one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarRecord {
    pub date: chrono::NaiveDate,
    pub kind: crate::domain::calendar::DayKind,
    pub name: String,
}

pub struct CalendarColumns([usize; 2], Option<usize>);

impl DirectoryRecord for CalendarRecord {
    const KIND: &'static str = "calendar";
    type Columns = CalendarColumns;

    fn columns<R: Read>(file: &CsvFile<R>) -> Result<CalendarColumns, DirectoryError> {
        let [date, kind] = ["date", "kind"].map(|c| file.required(c));
        Ok(CalendarColumns([date?, kind?], file.optional("name")))
    }

    fn parse(columns: &CalendarColumns, record: &csv::StringRecord) -> Result<Self, (&'static str, String)> {
        let CalendarColumns([date, kind], name) = *columns;
        let day = date_of("date", &record[date])?;
        let kind = crate::domain::calendar::DayKind::parse(&record[kind])
            .ok_or_else(|| ("kind", format!("'{}' is neither holiday nor workday", &record[kind])))?;
        crate::domain::calendar::check_entry(day, kind).map_err(|reason| ("kind", reason))?;
        Ok(CalendarRecord { date: day, kind, name: text("name", optional(record, name), false)? })
    }

    fn key(&self) -> std::sync::Arc<str> {
        self.date.to_string().into()
    }
}

/// A calendar date, YYYY-MM-DD.
pub fn date_of(column: &'static str, value: &str) -> Result<chrono::NaiveDate, (&'static str, String)> {
    Date::parse(value).map_err(|error| (column, error.to_string()))?;
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|error| (column, format!("'{value}': {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T: DirectoryRecord>(csv: &str) -> Result<Vec<T>, DirectoryError> {
        let mut out = Vec::new();
        read_records::<T, _>("f.csv".into(), csv.as_bytes(), 2, |batch| {
            out.extend(batch.into_iter().map(|(_, record)| record));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn targets_read_with_optional_columns() {
        let rows = read::<TargetRecord>(
            "id,name,region,risk_class,flags\nX1,甲,R1,A,abnormal; closed\nX2,乙,R2,D,\nX3,丙,R1,B,\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].flags, vec!["abnormal", "closed"]);
        assert_eq!(rows[1].unit, None);
    }

    #[test]
    fn calendar_rows_name_the_bad_field() {
        let rows = read::<CalendarRecord>(
            "date,kind,name\n2026-10-01,holiday,国庆节\n2026-10-10,workday,国庆节调休\n",
        )
        .unwrap();
        assert_eq!(rows[1].kind, crate::domain::calendar::DayKind::Workday);
        let error = read::<CalendarRecord>("date,kind\n2026-10-09,workday\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "f.csv line 2, column kind: 2026-10-09 is a Friday; a make-up working day falls on a Saturday or Sunday"
        );
        let error = read::<CalendarRecord>("date,kind\n2026-02-30,holiday\n").unwrap_err();
        assert!(error.to_string().contains("line 2, column date"), "{error}");
        let error = read::<CalendarRecord>("date,kind\n2026-10-01,day off\n").unwrap_err();
        assert!(error.to_string().contains("'day off' is neither holiday nor workday"), "{error}");
    }

    #[test]
    fn errors_name_line_and_column() {
        let error = read::<TargetRecord>("id,name,region,risk_class\nX1,甲,R1,E\n").unwrap_err();
        assert_eq!(error.to_string(), "f.csv line 2, column risk_class: 'E' is not one of A, B, C, D");
        let error = read::<TargetRecord>("id,name,region,risk_class\nX1,甲,R1,A\nX1,乙,R1,A\n").unwrap_err();
        assert_eq!(error.to_string(), "f.csv line 3, column id: 'X1' appears twice (first on line 2)");
        let error = read::<InspectorRecord>(
            "id,name,department,unit,region,items,certificate_expires\nE1,张,m,U,R,,2027-01-01\n",
        )
        .unwrap_err();
        assert_eq!(error.to_string(), "f.csv line 2, column items: lists no item code");
        let error = read::<ItemRecord>("code,name\nF,食品\n").unwrap_err();
        assert_eq!(error.to_string(), "f.csv line 1, column department: the header has no such column");
    }
}
