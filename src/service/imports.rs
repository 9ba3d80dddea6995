//! Directory imports: CSV in, rows upserted by id, all or nothing.
//!
//! The file is parsed on a blocking thread and handed over in batches to
//! one transaction (`storage::import`); a bad row (or a row the caller may
//! not write) stops the import, rolls everything back, and is named by
//! line, column and reason. Rows the parser refuses are all listed, up to
//! 100: the rest of the file is still read for them, but no longer written. Memory stays bounded whatever the size
//! of the file: a few batches are in flight, and rows repeated in the file
//! or kept by another department are found by the database.
//!
//! A department acts only for itself. It may add rows for itself and
//! replace the rows it keeps: items and inspectors of its own, targets it
//! added to the shared directory, recusals of its own inspectors. A row
//! kept by another department refuses the whole file (403, naming the line
//! and the keeper), and so does a row naming an item, inspector or target
//! that is not in the directory (422).

use std::collections::{HashMap, HashSet};
use std::io::Read;

use serde::Serialize;
use utoipa::ToSchema;

use super::{Service, ServiceError, ServiceResult, supervised_department};
use crate::domain::account::User;
use crate::domain::records::{
    CalendarRecord, DirectoryRecord, InspectorRecord, ItemRecord, MAX_REFUSED_LINES, RecusalRecord,
    TargetRecord, key_column, read_records_unkeyed,
};
use crate::files::csv_input::DirectoryError;
use crate::storage::directory::{self, Directory, Upsert};
use crate::storage::import::{self, Import, RefusedRow};

/// Rows parsed per batch, and per trip to the writer.
const BATCH: usize = directory::ROWS_PER_STATEMENT;

/// Why the parsing thread stopped an import.
enum Refusal {
    Forbidden(String),
    /// The first bad row, and every bad row found (up to
    /// `MAX_REFUSED_LINES`); none when the file as a whole is wrong.
    Invalid(DirectoryError, Vec<DirectoryError>),
    Spill(std::io::Error),
}

/// Rows on their way from the parsing thread to the writer.
struct Parsed {
    rows: import::Batch,
    /// What the rows name in other directories, in file order.
    references: Vec<(u64, Reference)>,
}

/// A row of another directory that a row names.
pub struct Reference {
    /// The CSV column naming it.
    pub column: &'static str,
    pub directory: Directory,
    pub id: String,
    /// The naming row is for the department keeping the named one, and may
    /// be written by that department only (a recusal, for its inspector).
    pub kept_by_importer: bool,
}

fn stopped() -> DirectoryError {
    DirectoryError { file: String::new(), line: None, column: None, reason: "stopped".into() }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportSummary {
    pub kind: String,
    /// Rows read and written (new or replaced).
    pub rows: u64,
}

/// A kind of record a supervisor may import, and whether one row may be
/// written by this supervisor.
pub trait Importable: DirectoryRecord + Upsert + Sync {
    fn allowed(&self, department: &str) -> Result<(), (&'static str, String)>;

    /// The rows of other directories this row names; each must exist.
    fn references(&self) -> Vec<Reference> {
        Vec::new()
    }
}

fn own_department(column: &'static str, row: &str, department: &str) -> Result<(), (&'static str, String)> {
    if row == department {
        return Ok(());
    }
    Err((column, format!("you supervise {department}; this row is for {row}")))
}

impl Importable for ItemRecord {
    fn allowed(&self, department: &str) -> Result<(), (&'static str, String)> {
        own_department("department", self.department.as_str(), department)
    }
}

impl Importable for TargetRecord {
    /// The target directory is shared by every department; each target is
    /// kept by the department that added it.
    fn allowed(&self, _: &str) -> Result<(), (&'static str, String)> {
        Ok(())
    }
}

impl Importable for InspectorRecord {
    fn allowed(&self, department: &str) -> Result<(), (&'static str, String)> {
        own_department("department", self.department.as_str(), department)
    }

    fn references(&self) -> Vec<Reference> {
        let mut codes: Vec<&str> = self.items.iter().map(|code| code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        codes
            .into_iter()
            .map(|code| Reference {
                column: "items",
                directory: Directory::Items,
                id: code.to_owned(),
                kept_by_importer: false,
            })
            .collect()
    }
}

impl Importable for RecusalRecord {
    /// A recusal is kept by the department of its inspector.
    fn allowed(&self, _: &str) -> Result<(), (&'static str, String)> {
        Ok(())
    }

    fn references(&self) -> Vec<Reference> {
        vec![
            Reference {
                column: "inspector_id",
                directory: Directory::Inspectors,
                id: self.inspector_id.as_str().to_owned(),
                kept_by_importer: true,
            },
            Reference {
                column: "target_id",
                directory: Directory::Targets,
                id: self.target_id.as_str().to_owned(),
                kept_by_importer: false,
            },
        ]
    }
}

impl Importable for CalendarRecord {
    /// The calendar is shared by every department.
    fn allowed(&self, _: &str) -> Result<(), (&'static str, String)> {
        Ok(())
    }
}

/// Whether an import may take the targets that no department keeps yet
/// (imported before targets had keepers): only the operator's, on the
/// server, which assigns them; over HTTP they are refused like another
/// department's, so that no department can take another's by being first.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unkept {
    Refuse,
    Claim,
}

impl Service {
    /// Imports a CSV file of `T` records; `name` is how errors name the file.
    pub async fn import<T: Importable>(
        &self,
        user: &User,
        name: String,
        reader: impl Read + Send + 'static,
    ) -> ServiceResult<ImportSummary> {
        self.import_with::<T>(user, name, reader, Unkept::Refuse).await
    }

    /// An import by the operator on the server (`opendraw import`), which
    /// also gives the department the targets no department keeps yet.
    pub async fn import_on_server<T: Importable>(
        &self,
        user: &User,
        name: String,
        reader: impl Read + Send + 'static,
    ) -> ServiceResult<ImportSummary> {
        self.import_with::<T>(user, name, reader, Unkept::Claim).await
    }

    async fn import_with<T: Importable>(
        &self,
        user: &User,
        name: String,
        reader: impl Read + Send + 'static,
        unkept: Unkept,
    ) -> ServiceResult<ImportSummary> {
        let department = supervised_department(user)?.to_owned();
        let importer = Importer { file: name.clone(), department: department.clone() };
        let mut import = Import::<T>::begin(self.store(), &department, unkept == Unkept::Claim).await?;
        let mut encoder = import.encoder().map_err(crate::storage::StoreError::from)?;
        // The parsing thread checks each batch and prepares it for the
        // database while the previous batch is being written.
        let (sender, mut batches) = tokio::sync::mpsc::channel::<Parsed>(4);
        let parser = tokio::task::spawn_blocking(move || -> Result<(u64, import::Spill), Refusal> {
            let file = name.clone();
            let mut refused = None;
            let mut lines = Vec::new();
            let rows = read_records_unkeyed::<T, _>(name, reader, BATCH, &mut lines, |batch| {
                if let Some((line, (column, reason))) = batch
                    .iter()
                    .find_map(|(line, record)| record.allowed(&department).err().map(|e| (*line, e)))
                {
                    let error = DirectoryError {
                        file: file.clone(),
                        line: Some(line),
                        column: Some(column.into()),
                        reason,
                    };
                    refused = Some(Refusal::Forbidden(error.to_string()));
                    return Err(stopped());
                }
                let mut references = Vec::new();
                for (line, record) in &batch {
                    references.extend(record.references().into_iter().map(|reference| (*line, reference)));
                }
                let rows = encoder.encode(&batch).map_err(|error| {
                    refused = Some(Refusal::Spill(error));
                    stopped()
                })?;
                // The writer went away: it failed, and says why itself.
                sender.blocking_send(Parsed { rows, references }).map_err(|_| stopped())
            });
            match (refused, rows) {
                (Some(refused), _) => Err(refused),
                (None, Err(error)) => Err(Refusal::Invalid(error, lines)),
                (None, Ok(rows)) => Ok((rows, encoder.finish().map_err(Refusal::Spill)?)),
            }
        });
        let mut written = Ok(());
        while let Some(parsed) = batches.recv().await {
            written = importer.write(&mut import, parsed).await;
            if written.is_err() {
                break;
            }
        }
        drop(batches);
        let parsed = parser.await.expect("the parser does not panic");
        written?;
        let (rows, spill) = parsed.map_err(|refusal| match refusal {
            Refusal::Forbidden(message) => ServiceError::Forbidden(message),
            Refusal::Invalid(error, lines) => {
                let field = error.column.clone().or_else(|| error.line.map(|line| format!("line {line}")));
                let message = with_more_lines(&error, lines.len());
                ServiceError::RefusedLines { code: "invalid_csv", field, message, lines }
            }
            Refusal::Spill(error) => ServiceError::from(crate::storage::StoreError::from(error)),
        })?;
        let detail = format!("{rows} row{}", if rows == 1 { "" } else { "s" });
        let entry = crate::storage::audit::NewEntry {
            at: crate::domain::time::Timestamp::from(self.now()),
            actor: Some(&user.name),
            address: self.address.map(|address| address.to_string()),
            action: super::audit::Action::Import.as_str(),
            subject: Some(T::KIND),
            detail: Some(&detail),
        };
        match import.finish(spill, &entry, self.today()).await? {
            Ok(()) => Ok(ImportSummary { kind: T::KIND.to_owned(), rows }),
            Err(refused) => Err(importer.refusal::<T>(refused)),
        }
    }
}

/// The first refused row's error, saying how many more are listed.
fn with_more_lines(first: &DirectoryError, listed: usize) -> String {
    match listed {
        0 | 1 => first.to_string(),
        n if n >= MAX_REFUSED_LINES => format!("{first} (and more: the first {n} refused lines are listed)"),
        n => format!("{first} (and {} more refused lines, all listed)", n - 1),
    }
}

/// Who is importing which file: what the writer needs to refuse a row.
struct Importer {
    file: String,
    department: String,
}

/// A refused row: its line, and why.
type Refused = (u64, ServiceError);

impl Importer {
    /// Writes a batch after checking what its rows name; refuses the
    /// earliest row that names what does not exist or is kept by another
    /// department.
    async fn write<T: Importable>(&self, import: &mut Import<T>, parsed: Parsed) -> ServiceResult<()> {
        if let Some((_, error)) = self.check_references(import, &parsed.references).await? {
            return Err(error);
        }
        import.write(parsed.rows).await?;
        Ok(())
    }

    /// The first row of the batch naming a row that is not in its
    /// directory, or an inspector of another department where that matters.
    async fn check_references<T: Importable>(
        &self,
        import: &mut Import<T>,
        references: &[(u64, Reference)],
    ) -> ServiceResult<Option<Refused>> {
        let mut ids: HashMap<Directory, HashSet<&str>> = HashMap::new();
        for (_, reference) in references {
            ids.entry(reference.directory).or_default().insert(&reference.id);
        }
        let mut keepers = HashMap::new();
        for (named, ids) in ids {
            let ids: Vec<&str> = ids.into_iter().collect();
            keepers.insert(named, import.keepers(named, &ids).await?);
        }
        // Every row of the batch naming what does not exist is listed, up to
        // a row naming what another department keeps, which stops at once.
        let mut unknown: Vec<DirectoryError> = Vec::new();
        for (line, reference) in references {
            let noun = reference.directory.noun();
            match keepers[&reference.directory].get(&reference.id) {
                None if unknown.len() < MAX_REFUSED_LINES => {
                    let reason = format!("there is no {noun} '{}' in the directory", reference.id);
                    unknown.push(DirectoryError {
                        file: self.file.clone(),
                        line: Some(*line),
                        column: Some(reference.column.into()),
                        reason,
                    });
                }
                None => {}
                Some(keeper) if reference.kept_by_importer && *keeper != self.department => {
                    // The rows refused before it, in file order, are the answer.
                    if !unknown.is_empty() {
                        break;
                    }
                    let reason = format!(
                        "{noun} {} belongs to {keeper}; {} may write rows for its own only",
                        reference.id, self.department
                    );
                    return Ok(Some((
                        *line,
                        ServiceError::Forbidden(self.at(*line, reference.column, reason)),
                    )));
                }
                Some(_) => {}
            }
        }
        let Some(first) = unknown.first() else { return Ok(None) };
        let line = first.line.unwrap_or_default();
        let field = first.column.clone();
        let message = with_more_lines(first, unknown.len());
        Ok(Some((
            line,
            ServiceError::RefusedLines { code: "unknown_reference", field, message, lines: unknown },
        )))
    }

    /// The error for a row the database found it cannot write.
    fn refusal<T: Importable>(&self, refused: RefusedRow) -> ServiceError {
        match refused {
            RefusedRow::Repeated { line, key, first } => {
                let column = key_column::<T>();
                let reason = format!("'{key}' appears twice (first on line {first})");
                ServiceError::invalid("invalid_csv", Some(column.to_owned()), self.at(line, column, reason))
            }
            RefusedRow::KeptElsewhere { line, key, keeper } => {
                let noun = T::KEPT.map_or("row", Directory::noun);
                let reason = if keeper.is_empty() {
                    format!(
                        "{noun} {key} was imported before targets had keepers and no department keeps it yet; \
                         the operator assigns it on the server: opendraw import targets --department D"
                    )
                } else {
                    format!(
                        "{noun} {key} is kept by {keeper}; {} may add rows and change its own only",
                        self.department
                    )
                };
                ServiceError::Forbidden(self.at(line, T::KEY[0], reason))
            }
            RefusedRow::Retired { key } => ServiceError::conflict(
                "item_retired",
                format!(
                    "{}: item {key} was retired; its public history is closed, so the file may not change it \
                     (an item taking its place is imported under a new code)",
                    self.file
                ),
            ),
        }
    }

    fn at(&self, line: u64, column: &str, reason: String) -> String {
        let error =
            DirectoryError { file: self.file.clone(), line: Some(line), column: Some(column.into()), reason };
        error.to_string()
    }
}
