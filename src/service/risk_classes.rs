//! Risk classes from the enterprise credit system (信用风险分类): a CSV
//! export with its own column names and class labels, mapped onto the risk
//! class of the department's own targets, all or nothing.
//!
//! The file is read on a blocking thread and handed over in batches to one
//! write transaction. Every row must name a target the department keeps
//! (a target of another department is refused as unknown, so that the
//! answer never tells one department what another keeps) and carry a
//! label that maps to one of the classes the directory takes. Refused rows
//! are listed by line, up to [`MAX_REFUSED_LINES`]; the rest of the file is
//! still read for them, and nothing is written. A code repeated in the file
//! takes the class of its last row.

use std::collections::HashMap;
use std::io::Read;

use serde::Serialize;
use utoipa::ToSchema;

use super::{Service, ServiceError, ServiceResult, supervised_department};
use crate::domain::account::User;
use crate::domain::records::{MAX_REFUSED_LINES, RISK_CLASSES};
use crate::files::csv_input::{CsvFile, DirectoryError};
use crate::storage::directory::{self, Directory};

/// The longest column name or label a mapping takes, in bytes.
const MAX_MAPPING_TEXT: usize = 200;
/// The most labels a mapping translates.
const MAX_LABELS: usize = 100;
/// Rows handed to the writer at once.
const BATCH: usize = 1_000;
/// What the audit trail and metrics call this import.
pub const KIND: &str = "risk_classes";

/// How the credit system's file is read: the header naming the targets'
/// codes, the one naming their classes, and the class each label stands for.
#[derive(Debug, Clone, Default)]
pub struct RiskClassMapping {
    pub code_column: String,
    pub class_column: String,
    /// `label:class` entries, as sent; none: each label is the class.
    pub map: Vec<String>,
    /// The first parameter sent that is none of these: refused rather than
    /// ignored, so that a mistyped `map` does not take labels as they are.
    pub unknown: Option<String>,
}

/// What an import of risk classes did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskClassSummary {
    /// Rows read.
    pub rows: u64,
    /// Targets whose class changed.
    pub changed: u64,
    /// Rows naming a target that had that class already.
    pub unchanged: u64,
}

/// A mapping checked: the columns, and the labels' classes.
struct Checked {
    code_column: String,
    class_column: String,
    labels: Option<HashMap<String, String>>,
}

fn refuse(field: &str, message: String) -> ServiceError {
    ServiceError::invalid("invalid_mapping", Some(field.to_owned()), message)
}

fn mapping_text(field: &str, value: &str) -> ServiceResult<()> {
    if value.is_empty() {
        return Err(refuse(field, format!("{field} is empty")));
    }
    if value.len() > MAX_MAPPING_TEXT {
        let message = format!("{field} is {} bytes long; at most {MAX_MAPPING_TEXT} are taken", value.len());
        return Err(refuse(field, message));
    }
    if value.chars().any(char::is_control) {
        return Err(refuse(field, format!("{field} holds a control character")));
    }
    Ok(())
}

/// Why a class is not one the directory takes; none when it is.
fn class_refusal(class: &str) -> Option<(&'static str, String)> {
    if class.is_empty() {
        return Some(("empty_class", "the class is empty".into()));
    }
    if RISK_CLASSES.contains(&class) {
        return None;
    }
    let shown: String = class.chars().take(20).collect();
    let more = if shown.len() < class.len() { "…" } else { "" };
    Some(("invalid_class", format!("'{shown}{more}' is not one of A, B, C, D")))
}

impl RiskClassMapping {
    fn check(&self) -> ServiceResult<Checked> {
        if let Some(name) = &self.unknown {
            let message = format!("'{name}' is not a parameter: code_column, class_column and map are");
            return Err(refuse(name, message));
        }
        mapping_text("code_column", &self.code_column)?;
        mapping_text("class_column", &self.class_column)?;
        if self.code_column == self.class_column {
            return Err(refuse("class_column", "the code and the class are read from one column".into()));
        }
        if self.map.len() > MAX_LABELS {
            let message = format!("{} labels are mapped; at most {MAX_LABELS} are taken", self.map.len());
            return Err(refuse("map", message));
        }
        let mut labels = HashMap::new();
        for entry in &self.map {
            // The label may itself hold a colon; the class never does.
            let Some((label, class)) = entry.rsplit_once(':') else {
                return Err(refuse("map", format!("'{entry}' is not label:class")));
            };
            let (label, class) = (label.trim(), class.trim());
            mapping_text("map", label)?;
            if let Some((_, reason)) = class_refusal(class) {
                return Err(refuse("map", format!("label '{label}': {reason}")));
            }
            if labels.insert(label.to_owned(), class.to_owned()).is_some() {
                return Err(refuse("map", format!("label '{label}' is mapped twice")));
            }
        }
        Ok(Checked {
            code_column: self.code_column.clone(),
            class_column: self.class_column.clone(),
            labels: (!self.map.is_empty()).then_some(labels),
        })
    }
}

/// A row read: its line, the target's code, the class to give it.
type Row = (u64, String, String);

/// A refused row: its line, the error's code, and the error.
type Refused = (u64, &'static str, DirectoryError);

/// What the parsing thread found.
struct Parsed {
    rows: u64,
    refused: Vec<Refused>,
}

/// Reads the file, sending its good rows in batches; the refused ones are
/// kept (up to the bound) and stop the sending, not the reading.
fn parse(
    name: String,
    reader: impl Read,
    mapping: &Checked,
    sender: tokio::sync::mpsc::Sender<Vec<Row>>,
) -> ServiceResult<Parsed> {
    let mut file = CsvFile::new(name, reader)
        .map_err(|error| ServiceError::invalid("invalid_csv", error.column.clone(), error.to_string()))?;
    let column = |field: &str, name: &str| {
        file.required(name).map_err(|error| {
            let message = format!("{field}: {error}");
            ServiceError::invalid("unknown_column", Some(field.to_owned()), message)
        })
    };
    let code_at = column("code_column", &mapping.code_column)?;
    let class_at = column("class_column", &mapping.class_column)?;
    let mut refused: Vec<Refused> = Vec::new();
    let mut pending = Vec::with_capacity(BATCH);
    let mut rows = 0;
    let mut writer_gone = false;
    let read = file.for_each_going_on(|file, row| {
        let (line, record) = match row {
            Ok(row) => row,
            Err(error) => {
                refused.push((error.line.unwrap_or_default(), "invalid_csv", error));
                return more(&refused);
            }
        };
        rows += 1;
        let code = record[code_at].trim();
        let label = record[class_at].trim();
        let class = match &mapping.labels {
            None => label,
            Some(labels) => match labels.get(label) {
                Some(class) => class.as_str(),
                None => {
                    let reason = format!("the label '{label}' is not mapped to a class");
                    let error = file.error(Some(line), Some(&mapping.class_column), reason);
                    refused.push((line, "unmapped_class", error));
                    return more(&refused);
                }
            },
        };
        if let Some((code, reason)) = class_refusal(class) {
            refused.push((line, code, file.error(Some(line), Some(&mapping.class_column), reason)));
            return more(&refused);
        }
        if code.is_empty() {
            let error = file.error(Some(line), Some(&mapping.code_column), "the code is empty");
            refused.push((line, "unknown_target", error));
            return more(&refused);
        }
        // Once a row is refused nothing is written: the rows are only read.
        if refused.is_empty() && !writer_gone {
            pending.push((line, code.to_owned(), class.to_owned()));
            if pending.len() == BATCH {
                let batch = std::mem::replace(&mut pending, Vec::with_capacity(BATCH));
                writer_gone = sender.blocking_send(batch).is_err();
            }
        }
        more(&refused)
    });
    if let Err(error) = read
        && refused.len() < MAX_REFUSED_LINES
    {
        // The file could not be read on (an upload cut off, say).
        return Err(ServiceError::invalid("invalid_csv", None, error.to_string()));
    }
    if refused.is_empty() && !pending.is_empty() && !writer_gone {
        // A writer gone has failed, and says why itself.
        let _ = sender.blocking_send(pending);
    }
    Ok(Parsed { rows, refused })
}

/// Goes on reading until the bound of refused rows is reached.
fn more(refused: &[Refused]) -> Result<(), DirectoryError> {
    match refused.len() >= MAX_REFUSED_LINES {
        true => Err(refused[0].2.clone()),
        false => Ok(()),
    }
}

impl Service {
    /// Sets the risk class of the caller's department's targets from a CSV
    /// file of the credit system, read with `mapping`; `name` is how errors
    /// name the file. All or nothing.
    pub async fn import_risk_classes(
        &self,
        user: &User,
        mapping: &RiskClassMapping,
        name: String,
        reader: impl Read + Send + 'static,
    ) -> ServiceResult<RiskClassSummary> {
        let department = supervised_department(user)?.to_owned();
        let checked = mapping.check()?;
        let code_column = checked.code_column.clone();
        let file = name.clone();
        let mut tx = self.store().write().await?;
        let (sender, mut batches) = tokio::sync::mpsc::channel::<Vec<Row>>(4);
        let parser = tokio::task::spawn_blocking(move || parse(name, reader, &checked, sender));
        let (mut changed, mut unchanged) = (0u64, 0u64);
        let mut unknown: Vec<Refused> = Vec::new();
        let mut written = Ok(());
        while let Some(batch) = batches.recv().await {
            let ids: Vec<&str> = batch.iter().map(|(_, code, _)| code.as_str()).collect();
            let keepers = match directory::keepers(&mut tx, Directory::Targets, &ids).await {
                Ok(keepers) => keepers,
                Err(error) => {
                    written = Err(error);
                    break;
                }
            };
            for (line, code, class) in &batch {
                // Another department's target is answered as no target at all.
                if keepers.get(code) != Some(&department) {
                    if unknown.len() < MAX_REFUSED_LINES {
                        let error = DirectoryError {
                            file: file.clone(),
                            line: Some(*line),
                            column: Some(code_column.clone()),
                            reason: format!("your department keeps no target '{code}'"),
                        };
                        unknown.push((*line, "unknown_target", error));
                    }
                    continue;
                }
                if !unknown.is_empty() {
                    continue;
                }
                match directory::set_risk_class(&mut tx, code, &department, class).await {
                    Ok(true) => changed += 1,
                    Ok(false) => unchanged += 1,
                    Err(error) => {
                        written = Err(error);
                        break;
                    }
                }
            }
            if written.is_err() {
                break;
            }
        }
        drop(batches);
        let parsed = parser.await.expect("the parser does not panic");
        written?;
        let parsed = parsed?;
        let mut refused = parsed.refused;
        refused.extend(unknown);
        if !refused.is_empty() {
            return Err(refusal(refused, mapping));
        }
        let detail = format!("{} rows, {changed} changed", parsed.rows);
        let entry = crate::storage::audit::NewEntry {
            at: crate::domain::time::Timestamp::from(self.now()),
            actor: Some(&user.name),
            address: self.address.map(|address| address.to_string()),
            action: super::audit::Action::Import.as_str(),
            subject: Some(KIND),
            detail: Some(&detail),
        };
        crate::storage::audit::record(tx.conn(), &entry).await?;
        // A ledger shows the directories' rows, as after any import.
        sqlx::query(crate::storage::ledger::TOUCH_DIRECTORIES)
            .execute(tx.conn())
            .await
            .map_err(crate::storage::StoreError::from)?;
        tx.commit().await?;
        Ok(RiskClassSummary { rows: parsed.rows, changed, unchanged })
    }
}

/// The 422 listing the refused rows in file order; its code and field are
/// the first one's.
fn refusal(mut refused: Vec<Refused>, mapping: &RiskClassMapping) -> ServiceError {
    refused.sort_by_key(|(line, _, _)| *line);
    refused.truncate(MAX_REFUSED_LINES);
    let (_, code, first) = &refused[0];
    let field = match first.column.as_deref() {
        Some(column) if column == mapping.code_column => Some("code_column".to_owned()),
        Some(column) if column == mapping.class_column => Some("class_column".to_owned()),
        _ => first.line.map(|line| format!("line {line}")),
    };
    let message = match refused.len() {
        1 => format!("{first}; nothing was changed"),
        n => format!(
            "{first} (and {} more refused rows, all listed up to {MAX_REFUSED_LINES}); nothing was changed",
            n - 1
        ),
    };
    let code = *code;
    let lines = refused.into_iter().map(|(_, _, error)| error).collect();
    ServiceError::RefusedLines { code, field, message, lines }
}
