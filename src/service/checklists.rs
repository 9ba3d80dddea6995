//! Items' checklists (检查表): a supervisor imports them by CSV, one whole
//! checklist per item named in the file, all in one transaction; any staff
//! member reads them. A file naming an item that does not exist or is
//! another department's is refused whole, naming the line.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use super::imports::ImportSummary;
use super::{Service, ServiceError, ServiceResult, supervised_department};
use crate::domain::account::User;
use crate::domain::csv_templates::CHECKLISTS;
use crate::domain::evidence::{MAX_LEGAL_BASIS_CHARS, MAX_METHOD_CHARS, MAX_POINT_CHARS, MAX_POINTS};
use crate::domain::inspection::check_text;
use crate::domain::records::MAX_REFUSED_LINES;
use crate::files::csv_input::DirectoryError;
use crate::storage::checklists::{self, PointRow};
use crate::storage::directory;

/// The largest checklist file: 200 points of 1000 characters for a few
/// hundred items stays well under it.
pub const MAX_CHECKLIST_FILE_BYTES: usize = 8 << 20;

const FILE: &str = "checklists.csv";

/// One point of an item's checklist.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChecklistPoint {
    /// From 1, in the order the form walks through.
    pub number: i64,
    pub point: String,
    pub legal_basis: String,
    /// How to check it.
    pub method: String,
}

impl From<PointRow> for ChecklistPoint {
    fn from(row: PointRow) -> Self {
        ChecklistPoint {
            number: row.number,
            point: row.point,
            legal_basis: row.legal_basis,
            method: row.method,
        }
    }
}

/// A parsed line of the file.
struct Line {
    line: u64,
    item: String,
    point: PointRow,
}

impl Service {
    /// The checklist of an item (any signed-in account); empty when it has none.
    pub async fn checklist(&self, _user: &User, item: &str) -> ServiceResult<Vec<ChecklistPoint>> {
        let pool = self.store().pool();
        if !directory::items(pool).await?.iter().any(|row| row.code == item) {
            return Err(ServiceError::NotFound(format!("there is no item '{item}' in the item directory")));
        }
        Ok(checklists::points(pool, item).await?.into_iter().map(ChecklistPoint::from).collect())
    }

    /// Replaces the checklist of every item the file names (all or nothing).
    pub async fn import_checklists(&self, user: &User, csv: &[u8]) -> ServiceResult<ImportSummary> {
        let department = supervised_department(user)?.to_owned();
        let lines = parse(csv)?;
        let keepers: HashMap<String, String> = directory::items(self.store().pool())
            .await?
            .into_iter()
            .map(|item| (item.code, item.department))
            .collect();
        let mut unknown = Vec::new();
        for line in &lines {
            match keepers.get(&line.item) {
                None if unknown.len() < MAX_REFUSED_LINES => unknown.push(at(
                    line.line,
                    "item_code",
                    format!("there is no item '{}' in the directory", line.item),
                )),
                None => {}
                Some(keeper) if *keeper != department && unknown.is_empty() => {
                    let reason = format!(
                        "item {} belongs to {keeper}; {department} may write checklists of its own items only",
                        line.item
                    );
                    return Err(ServiceError::Forbidden(at(line.line, "item_code", reason).to_string()));
                }
                Some(_) => {}
            }
        }
        if let Some(first) = unknown.first() {
            return Err(refused("unknown_reference", first.clone(), unknown));
        }
        let mut by_item: BTreeMap<&str, Vec<PointRow>> = BTreeMap::new();
        for line in &lines {
            by_item.entry(&line.item).or_default().push(line.point.clone());
        }
        let mut tx = self.store().write().await?;
        for (item, points) in &mut by_item {
            points.sort_by_key(|point| point.number);
            checklists::replace(tx.conn(), item, points).await?;
        }
        let detail = format!(
            "{} point{} of {} item{}",
            lines.len(),
            if lines.len() == 1 { "" } else { "s" },
            by_item.len(),
            if by_item.len() == 1 { "" } else { "s" }
        );
        let entry = crate::storage::audit::NewEntry {
            at: crate::domain::time::Timestamp::from(self.now()),
            actor: Some(&user.name),
            address: self.address.map(|address| address.to_string()),
            action: super::audit::Action::Import.as_str(),
            subject: Some(CHECKLISTS),
            detail: Some(&detail),
        };
        crate::storage::audit::record(tx.conn(), &entry).await?;
        tx.commit().await?;
        Ok(ImportSummary { kind: CHECKLISTS.to_owned(), rows: lines.len() as u64 })
    }
}

fn at(line: u64, column: &str, reason: String) -> DirectoryError {
    DirectoryError { file: FILE.into(), line: Some(line), column: Some(column.into()), reason }
}

fn refused(code: &'static str, first: DirectoryError, lines: Vec<DirectoryError>) -> ServiceError {
    let message = match lines.len() {
        0 | 1 => first.to_string(),
        n => format!("{first} (and {} more refused lines, all listed)", n - 1),
    };
    ServiceError::RefusedLines { code, field: first.column.clone(), message, lines }
}

/// Every line of the file, or every refused line (up to 100).
fn parse(csv: &[u8]) -> ServiceResult<Vec<Line>> {
    let csv = csv.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(csv);
    let whole = |reason: String| {
        let error = DirectoryError { file: FILE.into(), line: None, column: None, reason };
        ServiceError::RefusedLines {
            code: "invalid_csv",
            field: None,
            message: error.to_string(),
            lines: vec![error],
        }
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(csv);
    let header: Vec<String> = reader
        .headers()
        .map_err(|error| whole(format!("the header cannot be read: {error}")))?
        .iter()
        .map(|name| name.trim().to_owned())
        .collect();
    let known = ["item_code", "number", "point", "legal_basis", "method"];
    if let Some(other) = header.iter().find(|name| !known.contains(&name.as_str())) {
        return Err(whole(format!("unknown column '{other}'; the columns are {}", known.join(","))));
    }
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(item_at), Some(number_at), Some(point_at)) =
        (column("item_code"), column("number"), column("point"))
    else {
        return Err(whole(format!(
            "the header must name item_code, number and point; it is {}",
            header.join(",")
        )));
    };
    let (basis_at, method_at) = (column("legal_basis"), column("method"));
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashSet<(String, i64)> = HashSet::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                errors.push(DirectoryError {
                    file: FILE.into(),
                    line: Some(line),
                    column: None,
                    reason: error.to_string(),
                });
                break;
            }
        };
        let cell = |at: Option<usize>| at.and_then(|at| record.get(at)).unwrap_or_default().trim().to_owned();
        let item = cell(Some(item_at));
        let text = [
            ("point", cell(Some(point_at)), MAX_POINT_CHARS),
            ("legal_basis", cell(basis_at), MAX_LEGAL_BASIS_CHARS),
            ("method", cell(method_at), MAX_METHOD_CHARS),
        ];
        let mut problem = None;
        if item.is_empty() {
            problem = Some(("item_code", "give the item's code".to_owned()));
        }
        let number_text = cell(Some(number_at));
        let number = match number_text.parse::<i64>() {
            Ok(number) if (1..=MAX_POINTS).contains(&number) => number,
            _ => {
                problem.get_or_insert((
                    "number",
                    format!("'{number_text}' is not a point number from 1 to {MAX_POINTS}"),
                ));
                0
            }
        };
        for (name, value, max) in &text {
            if *name == "point" && value.is_empty() {
                problem.get_or_insert(("point", "give the point to check".into()));
            }
            let chars = value.chars().count();
            if chars > *max {
                problem
                    .get_or_insert((name, format!("is {chars} characters long; at most {max} are allowed")));
            }
            if let Err(why) = check_text(value, usize::MAX) {
                problem.get_or_insert((name, format!("the {name} {why}")));
            }
        }
        if problem.is_none() && !seen.insert((item.clone(), number)) {
            problem = Some(("number", format!("item {item} has point {number} twice")));
        }
        if let Some((column, reason)) = problem {
            if errors.len() < MAX_REFUSED_LINES {
                errors.push(at(line, column, reason));
            }
            continue;
        }
        let [(_, point, _), (_, legal_basis, _), (_, method, _)] = text;
        lines.push(Line { line, item, point: PointRow { number, point, legal_basis, method } });
    }
    if let Some(first) = errors.first() {
        return Err(refused("invalid_csv", first.clone(), errors));
    }
    if lines.is_empty() {
        return Err(whole("the file has no points".into()));
    }
    Ok(lines)
}
