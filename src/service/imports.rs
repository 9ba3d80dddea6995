//! Directory imports: CSV in, rows upserted by id, all or nothing.
//!
//! The file is parsed on a blocking thread and handed over in batches to
//! one write transaction; the first bad row (or a row the caller may not
//! write) stops the import, rolls everything back, and is named by line,
//! column and reason.

use std::io::Read;

use serde::Serialize;
use utoipa::ToSchema;

use super::{Service, ServiceError, ServiceResult, supervised_department};
use crate::csv_input::DirectoryError;
use crate::records::{
    CalendarRecord, DirectoryRecord, InspectorRecord, ItemRecord, RecusalRecord, TargetRecord, read_records,
};
use crate::storage::directory::{self, Upsert};
use crate::storage::users::User;

/// Rows parsed per batch, and per trip to the writer.
const BATCH: usize = directory::ROWS_PER_STATEMENT;

/// Why the parsing thread stopped an import.
enum Refusal {
    Forbidden(String),
    Invalid(DirectoryError),
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
    /// The target directory is shared by every department.
    fn allowed(&self, _: &str) -> Result<(), (&'static str, String)> {
        Ok(())
    }
}

impl Importable for InspectorRecord {
    fn allowed(&self, department: &str) -> Result<(), (&'static str, String)> {
        own_department("department", self.department.as_str(), department)
    }
}

impl Importable for RecusalRecord {
    fn allowed(&self, _: &str) -> Result<(), (&'static str, String)> {
        Ok(())
    }
}

impl Importable for CalendarRecord {
    /// The calendar is shared by every department.
    fn allowed(&self, _: &str) -> Result<(), (&'static str, String)> {
        Ok(())
    }
}

impl Service {
    /// Imports a CSV file of `T` records; `name` is how errors name the file.
    pub async fn import<T: Importable>(
        &self,
        user: &User,
        name: String,
        reader: impl Read + Send + 'static,
    ) -> ServiceResult<ImportSummary> {
        let department = supervised_department(user)?.to_owned();
        // The parsing thread checks each batch and prepares it for the
        // database while the previous batch is being written.
        let (sender, mut batches) = tokio::sync::mpsc::channel::<String>(4);
        let parser = tokio::task::spawn_blocking(move || -> Result<u64, Refusal> {
            let file = name.clone();
            let mut refused = None;
            let rows = read_records::<T, _>(name, reader, BATCH, |batch| {
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
                let records: Vec<T> = batch.into_iter().map(|(_, record)| record).collect();
                // The writer went away: it failed, and says why itself.
                sender.blocking_send(directory::batch_json(&records)).map_err(|_| stopped())
            });
            match (refused, rows) {
                (Some(refused), _) => Err(refused),
                (None, rows) => rows.map_err(Refusal::Invalid),
            }
        });
        let mut tx = self.store().write().await?;
        let mut written = Ok(());
        while let Some(batch) = batches.recv().await {
            written = directory::upsert_batch::<T>(&mut tx, batch).await;
            if written.is_err() {
                break;
            }
        }
        drop(batches);
        let parsed = parser.await.expect("the parser does not panic");
        written?;
        let rows = parsed.map_err(|refusal| match refusal {
            Refusal::Forbidden(message) => ServiceError::Forbidden(message),
            Refusal::Invalid(error) => {
                let field = error.column.clone().or_else(|| error.line.map(|line| format!("line {line}")));
                ServiceError::invalid("invalid_csv", field, error.to_string())
            }
        })?;
        directory::analyze::<T>(&mut tx).await?;
        tx.commit().await?;
        Ok(ImportSummary { kind: T::KIND.to_owned(), rows })
    }
}
