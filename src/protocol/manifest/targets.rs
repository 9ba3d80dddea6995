//! The target manifest: the frozen pool of eligible targets (PROTOCOL.md §2.2).
//!
//! A pool may hold millions of targets, so the manifest keeps its canonical
//! text and refers to fields by byte spans into it instead of allocating a
//! string per field.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::super::digest::Digest;
use super::super::field::{FieldError, MAX_FIELD_BYTES, StratumKey, check_field};
use super::super::tsv::{self, ParseError};

pub const TARGETS_FILE: &str = "targets.tsv";
pub const TARGETS_HEADER: &str = "target_id\tstratum\tregion\tunit";
const COLUMNS: [&str; 4] = ["target_id", "stratum", "region", "unit"];

#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

#[derive(Debug, Clone, Copy)]
struct Row {
    id: Span,
    region: Span,
    unit: Span,
    stratum: u32,
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
    text: Vec<u8>,
    rows: Vec<Row>,
    /// Stratum keys in bytewise order; rows refer to them by index.
    strata: Vec<StratumKey>,
    digest: Digest,
}

impl TargetManifest {
    /// Reads a published manifest, refusing anything but its canonical form.
    pub fn parse(text: Vec<u8>) -> Result<Self, ParseError> {
        if text.len() > u32::MAX as usize {
            return Err(ParseError::file(TARGETS_FILE, "is larger than 4 GiB"));
        }
        let mut rows = RowCollector::new(Order::Strict);
        let mut lines = tsv::lines(TARGETS_FILE, &text)?;
        super::expect_header(TARGETS_FILE, lines.next(), TARGETS_HEADER)?;
        let base = text.as_ptr() as usize;
        let span = |field: &str| Span {
            start: (field.as_ptr() as usize - base) as u32,
            len: field.len() as u32,
        };
        for (number, line) in lines {
            let [id, stratum, region, unit] = tsv::fields(TARGETS_FILE, number, line)?;
            let located = |error: RowError| match error {
                RowError::Field { column, error } => {
                    ParseError::field(TARGETS_FILE, number, column, error)
                }
                RowError::OutOfOrder { .. } => ParseError::field(
                    TARGETS_FILE,
                    number,
                    COLUMNS[0],
                    format!("'{id}' is not in bytewise order after the line before it"),
                ),
                RowError::Duplicate { .. } => ParseError::field(
                    TARGETS_FILE,
                    number,
                    COLUMNS[0],
                    format!("'{id}' appears twice"),
                ),
                RowError::TooLarge => {
                    ParseError::line(TARGETS_FILE, number, "has 2^32 or more targets")
                }
            };
            let stratum = rows.check(id, stratum, region, unit).map_err(located)?;
            let row = Row {
                id: span(id),
                region: span(region),
                unit: span(unit),
                stratum,
            };
            rows.push(&text, row).map_err(located)?;
        }
        Ok(rows.finish(text))
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn get(&self, index: usize) -> Target<'_> {
        let row = self.rows[index];
        let unit = self.str(row.unit);
        Target {
            id: self.str(row.id),
            stratum: &self.strata[row.stratum as usize],
            region: self.str(row.region),
            unit: (!unit.is_empty()).then_some(unit),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Target<'_>> + '_ {
        (0..self.rows.len()).map(|index| self.get(index))
    }

    /// The index of the target with this id.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.rows
            .binary_search_by(|row| self.str(row.id).as_bytes().cmp(id.as_bytes()))
            .ok()
    }

    /// Stratum keys in bytewise order.
    pub fn strata(&self) -> &[StratumKey] {
        &self.strata
    }

    /// The index (into [`Self::strata`]) of a target's stratum.
    pub fn stratum_index(&self, index: usize) -> usize {
        self.rows[index].stratum as usize
    }

    /// The canonical file, byte for byte.
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    pub fn digest(&self) -> Digest {
        self.digest
    }

    fn str(&self, span: Span) -> &str {
        let bytes = &self.text[span.start as usize..(span.start + span.len) as usize];
        // Every span was cut from validated UTF-8 at field boundaries.
        std::str::from_utf8(bytes).expect("spans lie on field boundaries")
    }
}

/// Builds a manifest from rows in any order, e.g. a directory export.
#[derive(Debug)]
pub struct TargetManifestBuilder {
    text: Vec<u8>,
    rows: RowCollector,
}

impl Default for TargetManifestBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl TargetManifestBuilder {
    pub fn new() -> Self {
        let mut text = Vec::new();
        tsv::push_record(&mut text, &[TARGETS_HEADER]);
        Self {
            text,
            rows: RowCollector::new(Order::Any),
        }
    }

    /// Adds a target; `unit` may be empty. Fields are validated here, once.
    pub fn push(
        &mut self,
        id: &str,
        stratum: &str,
        region: &str,
        unit: &str,
    ) -> Result<(), RowError> {
        let stratum_index = self.rows.check(id, stratum, region, unit)?;
        let [id, _, region, unit] = append_row(&mut self.text, [id, stratum, region, unit]);
        self.rows.push(
            &self.text,
            Row {
                id,
                region,
                unit,
                stratum: stratum_index,
            },
        )
    }

    pub fn len(&self) -> usize {
        self.rows.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.rows.is_empty()
    }

    /// Sorts the rows into canonical order if they came in another.
    pub fn finish(self) -> Result<TargetManifest, RowError> {
        let Self { text, rows } = self;
        if text.len() > u32::MAX as usize {
            return Err(RowError::TooLarge);
        }
        if rows.sorted {
            return Ok(rows.finish(text));
        }
        let field = |span: Span| &text[span.start as usize..(span.start + span.len) as usize];
        let mut order: Vec<u32> = (0..rows.rows.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            field(rows.rows[a as usize].id).cmp(field(rows.rows[b as usize].id))
        });
        let duplicate = order.windows(2).find(|pair| {
            field(rows.rows[pair[0] as usize].id) == field(rows.rows[pair[1] as usize].id)
        });
        if let Some(pair) = duplicate {
            let (first, second) = (pair[0].min(pair[1]) as usize, pair[0].max(pair[1]) as usize);
            let id = String::from_utf8_lossy(field(rows.rows[first].id)).into_owned();
            return Err(RowError::Duplicate { id, first, second });
        }
        let mut sorted_text = Vec::with_capacity(text.len());
        tsv::push_record(&mut sorted_text, &[TARGETS_HEADER]);
        let mut sorted_rows = Vec::with_capacity(rows.rows.len());
        for index in order {
            let row = rows.rows[index as usize];
            let text_of = |span: Span| {
                std::str::from_utf8(field(span)).expect("spans lie on field boundaries")
            };
            let stratum = rows.keys[row.stratum as usize].as_str();
            let [id, _, region, unit] = append_row(
                &mut sorted_text,
                [
                    text_of(row.id),
                    stratum,
                    text_of(row.region),
                    text_of(row.unit),
                ],
            );
            sorted_rows.push(Row {
                id,
                region,
                unit,
                stratum: row.stratum,
            });
        }
        let rows = RowCollector {
            rows: sorted_rows,
            sorted: true,
            ..rows
        };
        Ok(rows.finish(sorted_text))
    }
}

/// Why a row cannot join the manifest. Rows are numbered in the order they
/// were pushed, from 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowError {
    Field {
        column: &'static str,
        error: FieldError,
    },
    Duplicate {
        id: String,
        first: usize,
        second: usize,
    },
    OutOfOrder {
        row: usize,
    },
    TooLarge,
}

/// Writes one row and returns where each of its fields landed.
fn append_row(text: &mut Vec<u8>, fields: [&str; 4]) -> [Span; 4] {
    let mut spans = [Span { start: 0, len: 0 }; 4];
    for (index, field) in fields.iter().enumerate() {
        if index > 0 {
            text.push(b'\t');
        }
        spans[index] = Span {
            start: text.len() as u32,
            len: field.len() as u32,
        };
        text.extend_from_slice(field.as_bytes());
    }
    text.push(b'\n');
    spans
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// A published file: rows must already be in canonical order.
    Strict,
    /// A builder: rows may come in any order and are sorted at the end.
    Any,
}

/// What parsing and building share: field checks, stratum interning, order.
#[derive(Debug)]
struct RowCollector {
    rows: Vec<Row>,
    keys: Vec<StratumKey>,
    key_index: HashMap<StratumKey, u32>,
    order: Order,
    /// Whether every row so far came after the one before it.
    sorted: bool,
}

impl RowCollector {
    fn new(order: Order) -> Self {
        Self {
            rows: Vec::new(),
            keys: Vec::new(),
            key_index: HashMap::new(),
            order,
            sorted: true,
        }
    }

    /// Validates a row's fields and returns its stratum's index.
    fn check(
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
        let key = StratumKey::parse(stratum).map_err(|error| RowError::Field {
            column: COLUMNS[1],
            error,
        })?;
        let index = self.keys.len() as u32;
        self.keys.push(key.clone());
        self.key_index.insert(key, index);
        Ok(index)
    }

    fn push(&mut self, text: &[u8], row: Row) -> Result<(), RowError> {
        if self.rows.len() as u64 >= u64::from(u32::MAX) {
            return Err(RowError::TooLarge);
        }
        if let Some(last) = self.rows.last() {
            let id_of = |span: Span| &text[span.start as usize..(span.start + span.len) as usize];
            match id_of(last.id).cmp(id_of(row.id)) {
                Ordering::Less => {}
                Ordering::Equal => {
                    let id = String::from_utf8_lossy(id_of(row.id)).into_owned();
                    let second = self.rows.len();
                    return Err(RowError::Duplicate {
                        id,
                        first: second - 1,
                        second,
                    });
                }
                Ordering::Greater if self.order == Order::Strict => {
                    return Err(RowError::OutOfOrder {
                        row: self.rows.len(),
                    });
                }
                Ordering::Greater => self.sorted = false,
            }
        }
        self.rows.push(row);
        Ok(())
    }

    fn finish(mut self, text: Vec<u8>) -> TargetManifest {
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
        let strata = order
            .iter()
            .map(|&old| self.keys[old as usize].clone())
            .collect();
        TargetManifest {
            digest: Digest::of_file(&text),
            text,
            rows: self.rows,
            strata,
        }
    }
}
