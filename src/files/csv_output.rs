//! CSV written for people to open in a spreadsheet (the public results,
//! the ledger): UTF-8 with a byte-order mark, so that Excel reads Chinese
//! text, and no cell that a spreadsheet would take for a formula.
//!
//! A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
//! may be run as a formula (`=HYPERLINK(…)`, `=cmd|…`, `-2+3+cmd|…`); such
//! a cell is written with a single quote in front, which spreadsheets show
//! as text (OWASP's advice on CSV injection). The rule holds for every
//! cell alike, numbers included: `-3` comes out as `'-3`. JSON answers
//! carry the same values unchanged.

use std::borrow::Cow;

/// Writes rows into memory; [`SpreadsheetCsv::into_bytes`] gives the file.
pub struct SpreadsheetCsv {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for SpreadsheetCsv {
    fn default() -> Self {
        Self { writer: csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec()) }
    }
}

impl SpreadsheetCsv {
    pub fn new() -> Self {
        Self::default()
    }

    /// Rows that continue a file begun by [`SpreadsheetCsv::new`] (sent a
    /// piece at a time): without a second byte-order mark.
    pub fn continued() -> Self {
        Self { writer: csv::WriterBuilder::new().from_writer(Vec::new()) }
    }

    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.writer.write_record(record.into_iter().map(|cell| neutralise(cell.as_ref()).into_owned()))
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.writer.into_inner().expect("writing to memory does not fail")
    }
}

/// The cell as a spreadsheet will show it as text.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        true => Cow::Owned(format!("'{cell}")),
        false => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_get_a_quote_in_front() {
        for cell in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "=cmd|' /C calc'!A0",
            "+1+1",
            "-2+3",
            "-3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(neutralise(cell), format!("'{cell}"), "{cell:?}");
        }
        for cell in ["", "单位1", "a=b", " =1", "'=1", "2026-10-08", "3"] {
            assert_eq!(neutralise(cell), cell, "{cell:?}");
        }
    }

    #[test]
    fn the_file_begins_with_a_byte_order_mark_and_quotes_as_csv_does() {
        let mut csv = SpreadsheetCsv::new();
        csv.write_record(["name", "summary"]).unwrap();
        csv.write_record(["=1+1", "a, \"b\""]).unwrap();
        let bytes = csv.into_bytes();
        assert_eq!(bytes, "\u{feff}name,summary\n'=1+1,\"a, \"\"b\"\"\"\n".as_bytes());
    }
}
