//! Rows encoded for the database on the parsing thread, while the previous
//! batch is being written: `COPY` text on PostgreSQL, the bound cells of
//! multi-row inserts on SQLite. Every row is also written, with its line,
//! as `COPY` text to a spill file, from which a staged import loads them
//! again.

use std::fmt::Write as _;
use std::io::{BufWriter, Seek, Write};
use std::sync::Arc;

use sqlx::Arguments as _;
use sqlx::sqlite::SqliteArguments;

use super::super::Backend;
use super::super::directory::{Cell, Upsert};

/// SQLite's limit of bound variables in one statement.
const MAX_VARIABLES: usize = 32_766;

/// Rows in one SQLite insert, at most; fewer when the columns would pass
/// SQLite's limit of variables. Measured on 1 M targets of ten columns:
/// 500 rows a statement took less time than 50 or 3 000.
const ROWS_PER_INSERT: usize = 500;

/// A batch of rows, ready for [`super::Import::write`].
pub struct Batch {
    /// PostgreSQL: the rows as `COPY` text, without their lines.
    pub(super) copy: String,
    /// SQLite: the rows' cells, bound, one multi-row insert's worth each.
    pub(super) inserts: Vec<Insert>,
    pub(super) rows: usize,
}

impl Batch {
    pub fn rows(&self) -> usize {
        self.rows
    }
}

/// The bound cells of one multi-row insert (SQLite), row after row.
pub(super) struct Insert {
    pub(super) rows: usize,
    pub(super) cells: SqliteArguments,
}

/// Rows of `columns` cells each, gathered into inserts of at most
/// [`rows_per_insert`] rows. The cells are bound here, on the parsing
/// thread, so that the writer only hands them to SQLite.
struct Inserts {
    per_insert: usize,
    /// Cells in a full insert.
    cells: usize,
    done: Vec<Insert>,
    current: Insert,
}

impl Inserts {
    fn new(columns: usize) -> Self {
        let per_insert = rows_per_insert(columns);
        let cells = per_insert * columns;
        Self { per_insert, cells, done: Vec::new(), current: Self::insert(cells) }
    }

    /// An empty insert, sized for its cells: grown by doubling, the cells
    /// of the batches in flight would take a third more memory.
    fn insert(cells: usize) -> Insert {
        let mut arguments = SqliteArguments::default();
        arguments.reserve(cells, 0);
        Insert { rows: 0, cells: arguments }
    }

    fn bind_text(&mut self, text: Arc<str>) {
        self.current.cells.add(text).expect("text binds");
    }

    fn bind_number(&mut self, number: Option<i64>) {
        self.current.cells.add(number).expect("numbers bind");
    }

    fn bind(&mut self, cell: &Cell<'_>) {
        match cell {
            Cell::Text(text) => self.bind_text(Arc::from(*text)),
            Cell::Owned(text) | Cell::MaybeText(Some(text)) => self.bind_text(Arc::from(text.as_str())),
            Cell::MaybeText(None) => self.bind_number(None),
            Cell::Number(number) => self.bind_number(*number),
        }
    }

    fn end_row(&mut self) {
        self.current.rows += 1;
        if self.current.rows == self.per_insert {
            self.done.push(std::mem::replace(&mut self.current, Self::insert(self.cells)));
        }
    }

    fn finish(mut self) -> Vec<Insert> {
        if self.current.rows > 0 {
            self.done.push(self.current);
        }
        self.done
    }

    /// Binds a row of the spill file (`COPY` text with its line first);
    /// `numbers` says which of its fields are numbers.
    fn bind_spilled(&mut self, row: &str, numbers: &[bool]) -> std::io::Result<()> {
        let fields: Vec<&str> = row.strip_suffix('\n').unwrap_or(row).split('\t').collect();
        if fields.len() != numbers.len() {
            return Err(damaged(row));
        }
        for (field, number) in fields.into_iter().zip(numbers) {
            match (field, number) {
                ("\\N", _) => self.bind_number(None),
                (field, true) => self.bind_number(Some(field.parse().map_err(|_| damaged(row))?)),
                (field, false) => {
                    let mut text = String::with_capacity(field.len());
                    uncopy_text(&mut text, field);
                    self.bind_text(Arc::from(text));
                }
            }
        }
        self.end_row();
        Ok(())
    }
}

/// Rows in one SQLite insert of `columns` columns.
pub(super) fn rows_per_insert(columns: usize) -> usize {
    ROWS_PER_INSERT.min(MAX_VARIABLES / columns)
}

fn damaged(row: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("a row of the spill file is damaged: {row:?}"),
    )
}

/// Every row of an import with its line, as `COPY` text.
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
        let mut copy = match self.backend {
            Backend::Postgres => String::with_capacity(rows.len() * 96),
            Backend::Sqlite => String::new(),
        };
        let mut inserts = Inserts::new(T::COLUMNS.len());
        for (line, record) in rows {
            self.row.clear();
            for (index, cell) in record.cells(&self.keeper).into_iter().enumerate() {
                if index > 0 {
                    self.row.push('\t');
                }
                copy_cell(&mut self.row, &cell);
                if self.backend == Backend::Sqlite {
                    inserts.bind(&cell);
                }
            }
            self.row.push('\n');
            match self.backend {
                Backend::Postgres => copy.push_str(&self.row),
                Backend::Sqlite => inserts.end_row(),
            }
            write!(self.spill, "{line}\t")?;
            self.spill.write_all(self.row.as_bytes())?;
        }
        Ok(Batch { copy, inserts: inserts.finish(), rows: rows.len() })
    }

    /// The spill file, read from its start.
    pub fn finish(self) -> std::io::Result<Spill> {
        let mut file = self.spill.into_inner().map_err(|error| error.into_error())?;
        file.rewind()?;
        Ok(Spill(file))
    }
}

/// At most `rows` rows read back from the spill file, bound for SQLite's
/// staging table (`line` and then the columns); empty at its end.
pub(super) fn read_spilled(
    spill: &mut impl std::io::BufRead,
    rows: usize,
    numbers: &[bool],
) -> std::io::Result<Vec<Insert>> {
    let mut inserts = Inserts::new(numbers.len());
    let mut row = String::new();
    for _ in 0..rows {
        if spill.read_line(&mut row)? == 0 {
            break;
        }
        inserts.bind_spilled(&row, numbers)?;
        row.clear();
    }
    Ok(inserts.finish())
}

/// A cell in `COPY`'s text format: `\N` for NULL; backslash, tab, newline
/// and carriage return escaped (fields are checked to hold no control
/// characters, but the format must not depend on it).
fn copy_cell(out: &mut String, cell: &Cell<'_>) {
    match cell {
        Cell::Text(text) => copy_text(out, text),
        Cell::Owned(text) => copy_text(out, text),
        Cell::MaybeText(Some(text)) => copy_text(out, text),
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

/// The text a field of `COPY` text stands for ([`copy_text`] undone).
fn uncopy_text(out: &mut String, field: &str) {
    let mut characters = field.chars();
    while let Some(character) = characters.next() {
        match character {
            '\\' => match characters.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            other => out.push(other),
        }
    }
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
        copy_cell(&mut out, &Cell::MaybeText(None));
        copy_cell(&mut out, &Cell::Number(Some(-12)));
        assert_eq!(out, "\\N-12");
    }

    #[test]
    fn copy_text_reads_back_as_it_was() {
        for text in ["", "plain", "国庆\t\"节\\\n\r", "\\N", "ends with \\"] {
            let mut copied = String::new();
            copy_text(&mut copied, text);
            let mut read = String::new();
            uncopy_text(&mut read, &copied);
            assert_eq!(read, text);
        }
    }

    #[test]
    fn spilled_rows_are_read_back_in_inserts_of_bounded_rows() {
        let record = crate::domain::records::CalendarRecord {
            date: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            kind: crate::domain::calendar::DayKind::Holiday,
            name: "国庆".into(),
        };
        let per_insert = rows_per_insert(4);
        let rows: Vec<_> = (0..per_insert as u64 + 1).map(|line| (line + 2, record.clone())).collect();
        let mut encoder = Encoder::new(Backend::Sqlite, String::new()).unwrap();
        let encoded = encoder.encode(&rows).unwrap();
        let shape = |inserts: &[Insert]| {
            inserts.iter().map(|insert| (insert.rows, insert.cells.len())).collect::<Vec<_>>()
        };
        assert_eq!(shape(&encoded.inserts), [(per_insert, per_insert * 3), (1, 3)]);

        let mut spill = std::io::BufReader::new(encoder.finish().unwrap().0);
        let numbers = [true, false, false, false];
        let read = read_spilled(&mut spill, per_insert + 5, &numbers).unwrap();
        assert_eq!(shape(&read), [(per_insert, per_insert * 4), (1, 4)]);
        assert!(read_spilled(&mut spill, 10, &numbers).unwrap().is_empty());
    }

    #[test]
    fn inserts_stay_within_the_variables_sqlite_allows() {
        assert_eq!(rows_per_insert(3), ROWS_PER_INSERT);
        assert!(rows_per_insert(100) * 100 <= MAX_VARIABLES);
        assert!(rows_per_insert(100) > 0);
    }

    #[test]
    fn a_damaged_spill_row_is_an_error() {
        let mut inserts = Inserts::new(2);
        assert!(inserts.bind_spilled("x\ta\n", &[true, false]).is_err());
        assert!(inserts.bind_spilled("1\ta\tb\n", &[true, false]).is_err());
        assert!(inserts.bind_spilled("1\t\\N\n", &[true, false]).is_ok());
    }
}
