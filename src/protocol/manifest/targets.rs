//! The target manifest: the frozen pool of eligible targets (PROTOCOL.md §2.2).
//!
//! A pool may hold millions of targets, so the manifest keeps its canonical
//! text and, per target, only where its line starts and its stratum; the
//! other fields are split off the line when asked for, which only drawn
//! targets are.

use rustc_hash::FxHashMap;

use super::super::digest::Digest;
use super::super::field::{FieldError, MAX_FIELD_BYTES, StratumKey, check_field};
use super::super::tsv::{self, ParseError};
use super::chunked::ChunkedText;

pub const TARGETS_FILE: &str = "targets.tsv";
pub const TARGETS_HEADER: &str = "target_id\tstratum\tregion\tunit";
const COLUMNS: [&str; 4] = ["target_id", "stratum", "region", "unit"];

/// A target's line: its offset in the text (which stays below 4 GiB) and
/// its stratum. 8 bytes a target.
#[derive(Debug, Clone, Copy)]
pub(super) struct Row {
    pub start: u32,
    pub stratum: u32,
}

/// One target of the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    pub id: &'a str,
    pub stratum: &'a StratumKey,
    pub region: &'a str,
    /// The unit responsible for the target, when there is one.
    pub unit: Option<&'a str>,
}

/// The pool of targets in canonical order (bytewise by id), with its digest.
#[derive(Debug, Clone)]
pub struct TargetManifest {
    text: ChunkedText,
    rows: Vec<Row>,
    /// Stratum keys in bytewise order; rows refer to them by index.
    strata: Vec<StratumKey>,
    digest: Digest,
}

impl TargetManifest {
    /// Reads a published manifest, refusing anything but its canonical form.
    /// The digest is computed on another thread while the rows are read.
    pub fn parse(bytes: Vec<u8>) -> Result<Self, ParseError> {
        if bytes.len() > u32::MAX as usize {
            return Err(ParseError::file(TARGETS_FILE, "is larger than 4 GiB"));
        }
        let text = tsv::decode(TARGETS_FILE, bytes)?;
        let (rows, digest) = std::thread::scope(|scope| {
            let digest = scope.spawn(|| Digest::of_file(text.as_bytes()));
            let rows = Self::parse_rows(&text);
            (rows, digest.join().expect("hashing does not panic"))
        });
        Ok(rows?.finish(ChunkedText::whole(text), digest))
    }

    fn parse_rows(text: &str) -> Result<RowCollector, ParseError> {
        let mut rows = RowCollector::new(Order::Strict);
        let mut lines = tsv::text_lines(TARGETS_FILE, text)?;
        super::expect_header(TARGETS_FILE, lines.next(), TARGETS_HEADER)?;
        let base = text.as_ptr() as usize;
        for (number, line) in lines {
            let [id, stratum, region, unit] = tsv::fields(TARGETS_FILE, number, line)?;
            let located = |error: RowError| match error {
                RowError::Field { column, error } => ParseError::field(TARGETS_FILE, number, column, error),
                RowError::OutOfOrder { .. } => ParseError::field(
                    TARGETS_FILE,
                    number,
                    COLUMNS[0],
                    format!("'{id}' is not in bytewise order after the line before it"),
                ),
                RowError::Duplicate { .. } => {
                    ParseError::field(TARGETS_FILE, number, COLUMNS[0], format!("'{id}' appears twice"))
                }
                RowError::TooLarge => ParseError::line(TARGETS_FILE, number, "has 2^32 or more targets"),
            };
            let stratum = rows.check(id, stratum, region, unit).map_err(located)?;
            let row = Row { start: (line.as_ptr() as usize - base) as u32, stratum };
            rows.push(row, id).map_err(located)?;
        }
        Ok(rows)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn get(&self, index: usize) -> Target<'_> {
        let row = self.rows[index];
        let [id, _, region, unit] = self.text.fields(row.start);
        Target {
            id,
            stratum: &self.strata[row.stratum as usize],
            region,
            unit: (!unit.is_empty()).then_some(unit),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Target<'_>> + '_ {
        (0..self.rows.len()).map(|index| self.get(index))
    }

    /// The index of the target with this id.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.rows.binary_search_by(|row| self.text.id(row.start).cmp(id)).ok()
    }

    /// Stratum keys in bytewise order.
    pub fn strata(&self) -> &[StratumKey] {
        &self.strata
    }

    /// The index (into [`Self::strata`]) of a target's stratum.
    pub fn stratum_index(&self, index: usize) -> usize {
        self.rows[index].stratum as usize
    }

    /// The canonical file, in pieces whose concatenation is the file.
    pub fn pieces(&self) -> impl Iterator<Item = &[u8]> {
        self.text.pieces()
    }

    /// The canonical file, byte for byte.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.text.len());
        self.pieces().for_each(|piece| out.extend_from_slice(piece));
        out
    }

    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// Where a target's line starts in the text.
    pub(super) fn line_start(&self, index: usize) -> u32 {
        self.rows[index].start
    }

    /// The same rows over another text of the same file (all of it, or the
    /// lines that will be asked for).
    pub(super) fn with_text(self, text: ChunkedText) -> Self {
        Self { text, ..self }
    }
}

/// Why a row cannot join the manifest. Rows are numbered in the order they
/// were pushed, from 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowError {
    Field { column: &'static str, error: FieldError },
    Duplicate { id: String, first: usize, second: usize },
    OutOfOrder { row: usize },
    TooLarge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Order {
    /// A published file: rows must already be in canonical order.
    Strict,
    /// A builder: rows may come in any order and are sorted at the end.
    Any,
}

/// What parsing and building share: field checks, stratum interning, order.
#[derive(Debug)]
pub(super) struct RowCollector {
    pub rows: Vec<Row>,
    pub keys: Vec<StratumKey>,
    key_index: FxHashMap<StratumKey, u32>,
    order: Order,
    /// Whether every row so far came after the one before it.
    pub sorted: bool,
    last_id: String,
}

impl RowCollector {
    pub(super) fn new(order: Order) -> Self {
        let key_index = FxHashMap::default();
        Self { rows: Vec::new(), keys: Vec::new(), key_index, order, sorted: true, last_id: String::new() }
    }

    /// Validates a row's fields and returns its stratum's index.
    pub(super) fn check(
        &mut self,
        id: &str,
        stratum: &str,
        region: &str,
        unit: &str,
    ) -> Result<u32, RowError> {
        let field = |column: &'static str, text: &str| {
            check_field(text, MAX_FIELD_BYTES).map_err(|error| RowError::Field { column, error })
        };
        field(COLUMNS[0], id)?;
        field(COLUMNS[2], region)?;
        if !unit.is_empty() {
            field(COLUMNS[3], unit)?;
        }
        if let Some(&index) = self.key_index.get(stratum) {
            return Ok(index);
        }
        let key =
            StratumKey::parse(stratum).map_err(|error| RowError::Field { column: COLUMNS[1], error })?;
        let index = self.keys.len() as u32;
        self.keys.push(key.clone());
        self.key_index.insert(key, index);
        Ok(index)
    }

    /// Adds a row, checking its id against the one before.
    pub(super) fn push(&mut self, row: Row, id: &str) -> Result<(), RowError> {
        if self.rows.len() as u64 >= u64::from(u32::MAX) {
            return Err(RowError::TooLarge);
        }
        if !self.rows.is_empty() {
            match self.last_id.as_str().cmp(id) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => {
                    let second = self.rows.len();
                    return Err(RowError::Duplicate { id: id.to_owned(), first: second - 1, second });
                }
                std::cmp::Ordering::Greater if self.order == Order::Strict => {
                    return Err(RowError::OutOfOrder { row: self.rows.len() });
                }
                std::cmp::Ordering::Greater => self.sorted = false,
            }
        }
        self.rows.push(row);
        self.last_id.clear();
        self.last_id.push_str(id);
        Ok(())
    }

    /// The same strata with rows rewritten in canonical order.
    pub(super) fn with_rows(self, rows: Vec<Row>) -> Self {
        Self { rows, sorted: true, ..self }
    }

    pub(super) fn finish(mut self, text: ChunkedText, digest: Digest) -> TargetManifest {
        // Stratum indices were handed out in order of first appearance; the
        // manifest lists strata in bytewise order of their keys.
        let mut order: Vec<u32> = (0..self.keys.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.keys[a as usize].cmp(&self.keys[b as usize]));
        let mut renumber = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            renumber[old as usize] = new as u32;
        }
        for row in &mut self.rows {
            row.stratum = renumber[row.stratum as usize];
        }
        let strata = order.iter().map(|&old| self.keys[old as usize].clone()).collect();
        TargetManifest { text, rows: self.rows, strata, digest }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_manifest_must_be_in_order() {
        let text = b"target_id\tstratum\tregion\tunit\nb\tS\tR\t\na\tS\tR\t\n".to_vec();
        let error = TargetManifest::parse(text).unwrap_err();
        assert_eq!(
            error.to_string(),
            "targets.tsv line 3, column target_id: 'a' is not in bytewise order after the line before it"
        );
        let text = b"target_id\tstratum\tregion\n".to_vec();
        assert_eq!(TargetManifest::parse(text).unwrap_err().line, Some(1));
    }

    #[test]
    fn a_parsed_manifest_has_the_digest_of_its_bytes() {
        let text = b"target_id\tstratum\tregion\tunit\na\tS\tR\tU\n".to_vec();
        let manifest = TargetManifest::parse(text.clone()).unwrap();
        assert_eq!(manifest.digest(), Digest::of_file(&text));
        assert_eq!(manifest.to_bytes(), text);
        assert_eq!(
            manifest.get(0),
            Target { id: "a", stratum: &manifest.strata()[0], region: "R", unit: Some("U") }
        );
    }
}
