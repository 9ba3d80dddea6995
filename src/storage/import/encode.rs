//! Rows encoded for the database on the parsing thread, while the previous
//! batch is being written: `COPY` text on PostgreSQL, a JSON array on
//! SQLite. Every row is also written, with its line, to a spill file, from
//! which a staged import loads them again.

use std::fmt::Write as _;
use std::io::{BufWriter, Seek, Write};

use super::super::Backend;
use super::super::directory::{Cell, Upsert};

/// A batch of rows, ready for [`super::Import::write`].
pub struct Batch {
    /// `COPY` text without the lines (PostgreSQL), or a JSON array of rows,
    /// each `[line, cells…]` (SQLite).
    pub(super) payload: String,
    pub(super) rows: usize,
}

impl Batch {
    pub fn rows(&self) -> usize {
        self.rows
    }
}

/// Every row of an import with its line, in the form the staging table
/// loads: `COPY` text (PostgreSQL), one JSON batch a line (SQLite).
pub struct Spill(pub(super) std::fs::File);

pub struct Encoder {
    backend: Backend,
    keeper: String,
    spill: BufWriter<std::fs::File>,
    /// One row's `COPY` text, reused.
    row: String,
}

impl Encoder {
    pub(super) fn new(backend: Backend, keeper: String) -> std::io::Result<Self> {
        // An unnamed file: the system removes it when it is closed, even
        // when the process is killed.
        let spill = BufWriter::with_capacity(1 << 20, tempfile::tempfile()?);
        Ok(Self { backend, keeper, spill, row: String::new() })
    }

    pub fn encode<T: Upsert>(&mut self, rows: &[(u64, T)]) -> std::io::Result<Batch> {
        let payload = match self.backend {
            Backend::Postgres => self.copy_text(rows)?,
            Backend::Sqlite => {
                let batch = json_rows(rows, &self.keeper);
                self.spill.write_all(batch.as_bytes())?;
                self.spill.write_all(b"\n")?;
                batch
            }
        };
        Ok(Batch { payload, rows: rows.len() })
    }

    /// The spill file, read from its start.
    pub fn finish(self) -> std::io::Result<Spill> {
        let mut file = self.spill.into_inner().map_err(|error| error.into_error())?;
        file.rewind()?;
        Ok(Spill(file))
    }

    fn copy_text<T: Upsert>(&mut self, rows: &[(u64, T)]) -> std::io::Result<String> {
        let mut payload = String::with_capacity(rows.len() * 96);
        for (line, record) in rows {
            self.row.clear();
            for (index, cell) in record.cells(&self.keeper).into_iter().enumerate() {
                if index > 0 {
                    self.row.push('\t');
                }
                copy_cell(&mut self.row, cell);
            }
            self.row.push('\n');
            payload.push_str(&self.row);
            write!(self.spill, "{line}\t")?;
            self.spill.write_all(self.row.as_bytes())?;
        }
        Ok(payload)
    }
}

/// A cell in `COPY`'s text format: `\N` for NULL; backslash, tab, newline
/// and carriage return escaped (fields are checked to hold no control
/// characters, but the format must not depend on it).
fn copy_cell(out: &mut String, cell: Cell<'_>) {
    match cell {
        Cell::Text(text) => copy_text(out, text),
        Cell::Owned(text) => copy_text(out, &text),
        Cell::MaybeText(Some(text)) => copy_text(out, &text),
        Cell::MaybeText(None) | Cell::Number(None) => out.push_str("\\N"),
        Cell::Number(Some(number)) => write!(out, "{number}").expect("a String takes writes"),
    }
}

fn copy_text(out: &mut String, text: &str) {
    for character in text.chars() {
        match character {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        }
    }
}

/// Rows as a JSON array, each `[line, cells…]`, written without building
/// a JSON value for each cell.
fn json_rows<T: Upsert>(rows: &[(u64, T)], keeper: &str) -> String {
    let mut out = Vec::with_capacity(rows.len() * 128);
    out.push(b'[');
    for (index, (line, record)) in rows.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write!(out, "[{line}").expect("a Vec takes writes");
        for cell in record.cells(keeper) {
            out.push(b',');
            match cell {
                Cell::Text(text) => json_string(&mut out, text),
                Cell::Owned(text) | Cell::MaybeText(Some(text)) => json_string(&mut out, &text),
                Cell::MaybeText(None) | Cell::Number(None) => out.extend_from_slice(b"null"),
                Cell::Number(Some(number)) => write!(out, "{number}").expect("a Vec takes writes"),
            }
        }
        out.push(b']');
    }
    out.push(b']');
    String::from_utf8(out).expect("JSON of strings is UTF-8")
}

fn json_string(out: &mut Vec<u8>, text: &str) {
    serde_json::to_writer(out, text).expect("a string serialises");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_the_format_reserves() {
        let mut out = String::new();
        copy_text(&mut out, "a\\b\tc\nd\re");
        assert_eq!(out, "a\\\\b\\tc\\nd\\re");
        let mut out = String::new();
        copy_cell(&mut out, Cell::MaybeText(None));
        copy_cell(&mut out, Cell::Number(Some(-12)));
        assert_eq!(out, "\\N-12");
    }

    #[test]
    fn json_rows_are_the_json_of_their_cells() {
        let record = crate::domain::records::CalendarRecord {
            date: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            kind: crate::domain::calendar::DayKind::Holiday,
            name: "国庆\"节\\".into(),
        };
        let json = json_rows(&[(2, record.clone()), (3, record)], "");
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!([
                [2, "2026-10-01", "holiday", "国庆\"节\\"],
                [3, "2026-10-01", "holiday", "国庆\"节\\"]
            ])
        );
    }
}
