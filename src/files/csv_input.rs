//! Reading CSV directory files: a header row, then records, with every
//! error naming the file, the line, the column and the reason.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

/// Where a directory file is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DirectoryError {
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<String>,
    pub reason: String,
}

impl fmt::Display for DirectoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// A CSV file with a header row, read record by record.
pub struct CsvFile<R> {
    name: String,
    reader: csv::Reader<R>,
    columns: HashMap<String, usize>,
}

impl CsvFile<std::fs::File> {
    pub fn open(path: &Path) -> Result<Self, DirectoryError> {
        let (name, file) = open_named(path)?;
        Self::new(name, file)
    }
}

/// Opens the file at `path`, with the name its errors give it.
pub fn open_named(path: &Path) -> Result<(String, std::fs::File), DirectoryError> {
    let name = path.display().to_string();
    match std::fs::File::open(path) {
        Ok(file) => Ok((name, file)),
        Err(error) => Err(DirectoryError { file: name, line: None, column: None, reason: error.to_string() }),
    }
}

impl<R: Read> CsvFile<R> {
    /// Reads the header row of `reader`, a CSV file shown as `name` in errors.
    pub fn new(name: String, reader: R) -> Result<Self, DirectoryError> {
        let fail = |reason: String| DirectoryError { file: name.clone(), line: None, column: None, reason };
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(reader);
        let headers = reader.headers().map_err(|error| fail(csv_reason(&error)))?.clone();
        let mut columns = HashMap::new();
        for (index, header) in headers.iter().enumerate() {
            if columns.insert(header.to_owned(), index).is_some() {
                return Err(DirectoryError {
                    line: Some(1),
                    column: Some(header.to_owned()),
                    ..fail("the header names this column twice".into())
                });
            }
        }
        Ok(Self { name, reader, columns })
    }

    pub fn error(&self, line: Option<u64>, column: Option<&str>, reason: impl ToString) -> DirectoryError {
        DirectoryError {
            file: self.name.clone(),
            line,
            column: column.map(str::to_owned),
            reason: reason.to_string(),
        }
    }

    pub fn required(&self, column: &str) -> Result<usize, DirectoryError> {
        self.columns
            .get(column)
            .copied()
            .ok_or_else(|| self.error(Some(1), Some(column), "the header has no such column"))
    }

    pub fn optional(&self, column: &str) -> Option<usize> {
        self.columns.get(column).copied()
    }

    /// Calls `each` with every record and its line number; the first record
    /// the CSV reader cannot read stops it.
    pub fn for_each(
        &mut self,
        mut each: impl FnMut(&Self, u64, &csv::StringRecord) -> Result<(), DirectoryError>,
    ) -> Result<(), DirectoryError> {
        self.for_each_going_on(|file, row| {
            let (line, record) = row?;
            each(file, line, record)
        })
    }

    /// Like [`CsvFile::for_each`], but a record the CSV reader cannot read
    /// (a wrong number of fields, a field not UTF-8) is handed to `each` as
    /// an error, and reading goes on while `each` returns `Ok`. A failure
    /// to read the file at all still stops at once.
    pub fn for_each_going_on(
        &mut self,
        mut each: impl FnMut(
            &Self,
            Result<(u64, &csv::StringRecord), DirectoryError>,
        ) -> Result<(), DirectoryError>,
    ) -> Result<(), DirectoryError> {
        let mut record = csv::StringRecord::new();
        loop {
            match self.reader.read_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => {
                    let line = record.position().map_or(0, |p| p.line());
                    each(self, Ok((line, &record)))?;
                }
                Err(error) => {
                    let line = error.position().map(|p| p.line());
                    let refused = self.error(line, None, csv_reason(&error));
                    if matches!(error.kind(), csv::ErrorKind::Io(_)) {
                        return Err(refused);
                    }
                    each(self, Err(refused))?;
                }
            }
        }
    }
}

fn csv_reason(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("has {len} fields; the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { err, .. } => format!("field {} is not valid UTF-8", err.field() + 1),
        _ => error.to_string(),
    }
}
