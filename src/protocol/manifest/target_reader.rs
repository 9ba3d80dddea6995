//! Reading a stored target manifest piece by piece, for a draw, without
//! holding its text: a first pass keeps per target only where its line
//! starts and its stratum (8 bytes a target) and the digest, which is all
//! the draw of targets needs; a second pass keeps the lines of the targets
//! drawn, which is all inspector assignment needs. The manifest that comes
//! out answers `get` for those targets only.
//!
//! The commit, which writes every line anyway, also stores the first pass's
//! outcome beside the manifest (the target index, never published), so a
//! draw reads 8 bytes a target instead of the whole text and checks it
//! against the manifest while it reads the drawn lines (`TargetIndexCheck`).

use sha2::{Digest as _, Sha256};

use super::super::digest::Digest;
use super::super::field::StratumKey;
use super::super::tsv::{self, ParseError};
use super::chunked::ChunkedText;
use super::targets::{Order, Row, RowCollector, RowError, TARGETS_FILE, TARGETS_HEADER, TargetManifest};

/// Per target, in manifest order, where its line starts and its stratum
/// (numbered in order of first appearance), 4 bytes each, little-endian.
pub const TARGET_INDEX_FILE: &str = "targets.index";
/// The stratum keys the index numbers, in that order, one a line.
pub const TARGET_STRATA_FILE: &str = "targets.strata";
/// Bytes a target takes in the index.
pub const INDEX_ENTRY: usize = 8;

/// A target's entry in the index.
pub fn index_entry(start: u32, stratum: u32) -> [u8; INDEX_ENTRY] {
    let mut entry = [0; INDEX_ENTRY];
    entry[..4].copy_from_slice(&start.to_le_bytes());
    entry[4..].copy_from_slice(&stratum.to_le_bytes());
    entry
}

/// The first pass's outcome read from the stored index instead of the
/// manifest: what comes out is only as good as the index until
/// [`TargetIndexCheck`] has compared it with the manifest.
#[derive(Default)]
pub struct TargetIndexReader {
    rows: Vec<Row>,
}

impl TargetIndexReader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the next piece of the index; pieces hold whole entries.
    pub fn read(&mut self, piece: &[u8]) -> Result<(), ParseError> {
        let entries = piece.chunks_exact(INDEX_ENTRY);
        if !entries.remainder().is_empty() {
            return Err(index_damaged("a piece holds part of an entry"));
        }
        self.rows.reserve(piece.len() / INDEX_ENTRY);
        for entry in entries {
            let word =
                |at: usize| u32::from_le_bytes([entry[at], entry[at + 1], entry[at + 2], entry[at + 3]]);
            self.rows.push(Row { start: word(0), stratum: word(4) });
        }
        Ok(())
    }

    /// The manifest, holding no line yet, with the digest it was committed
    /// to; `strata` is the stored strata file.
    pub fn finish(self, strata: &[u8], committed: Digest) -> Result<TargetManifest, ParseError> {
        let strata = std::str::from_utf8(strata).map_err(|_| index_damaged("its strata are not UTF-8"))?;
        let mut rows = RowCollector::new(Order::Strict);
        for key in strata.split_terminator('\n') {
            rows.keys.push(StratumKey::parse(key).map_err(|_| index_damaged("a stratum key is not valid"))?);
        }
        // Every key is used, each once: the strata are then exactly those
        // of the rows, as the first pass would have found them.
        let mut used = vec![false; rows.keys.len()];
        for row in &self.rows {
            let slot =
                used.get_mut(row.stratum as usize).ok_or_else(|| index_damaged("a stratum is unknown"))?;
            *slot = true;
        }
        let mut sorted: Vec<&StratumKey> = rows.keys.iter().collect();
        sorted.sort_unstable();
        if used.contains(&false) || sorted.windows(2).any(|pair| pair[0] == pair[1]) {
            return Err(index_damaged("its strata are not those of its rows"));
        }
        if self.rows.is_empty() || self.rows.windows(2).any(|pair| pair[0].start >= pair[1].start) {
            return Err(index_damaged("its lines are not in order"));
        }
        rows.rows = self.rows;
        Ok(rows.finish(ChunkedText::lines(Vec::new(), Vec::new()), committed))
    }
}

/// Compares a manifest made from the index with the stored manifest, piece
/// by piece: the text must have the committed digest, and its lines must
/// start where the index says, one a target, each in the stratum the index
/// gives it. Then the index says what the first pass would have found.
pub struct TargetIndexCheck {
    hasher: Sha256,
    offset: u64,
    row: usize,
}

impl Default for TargetIndexCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl TargetIndexCheck {
    pub fn new() -> Self {
        Self { hasher: Sha256::new(), offset: 0, row: 0 }
    }

    /// Reads the next piece of the manifest `indexed` was made for.
    pub fn read(&mut self, indexed: &TargetManifest, piece: &[u8]) -> Result<(), ParseError> {
        let text = piece_text(piece)?;
        self.hasher.update(piece);
        for line in text.split_terminator('\n') {
            if self.offset > 0 {
                self.line(indexed, line)?;
            }
            self.offset += line.len() as u64 + 1;
        }
        Ok(())
    }

    fn line(&mut self, indexed: &TargetManifest, line: &str) -> Result<(), ParseError> {
        let row = self.row;
        if row >= indexed.len() || u64::from(indexed.line_start(row)) != self.offset {
            return Err(index_damaged("its lines are not those of the manifest"));
        }
        let stratum = line.split('\t').nth(1).unwrap_or_default();
        if stratum != indexed.strata()[indexed.stratum_index(row)].as_str() {
            return Err(index_damaged("its strata are not those of the manifest"));
        }
        self.row += 1;
        Ok(())
    }

    /// The digest of the text read, once every target was found in it.
    pub fn finish(self, indexed: &TargetManifest) -> Result<Digest, ParseError> {
        if self.row != indexed.len() {
            return Err(index_damaged("it has more targets than the manifest"));
        }
        Ok(Digest(self.hasher.finalize().into()))
    }
}

fn index_damaged(how: &str) -> ParseError {
    ParseError::file(TARGETS_FILE, format!("does not match its stored index: {how}"))
}

/// The first pass: rows, strata and digest, from pieces cut at line ends.
pub struct TargetManifestReader {
    rows: RowCollector,
    hasher: Sha256,
    /// Bytes and lines read so far.
    offset: u64,
    lines: usize,
}

impl Default for TargetManifestReader {
    fn default() -> Self {
        Self::new()
    }
}

impl TargetManifestReader {
    pub fn new() -> Self {
        Self { rows: RowCollector::new(Order::Strict), hasher: Sha256::new(), offset: 0, lines: 0 }
    }

    /// Reads the next piece of the file; it ends at a line end.
    pub fn read(&mut self, piece: &[u8]) -> Result<(), ParseError> {
        let text = piece_text(piece)?;
        self.hasher.update(piece);
        for line in text.split_terminator('\n') {
            self.lines += 1;
            let number = self.lines;
            if number == 1 {
                super::expect_header(TARGETS_FILE, Some((1, line)), TARGETS_HEADER)?;
            } else {
                let [id, stratum, region, unit] = tsv::fields(TARGETS_FILE, number, line)?;
                let located = |error: RowError| located(error, number, id);
                let stratum = self.rows.check(id, stratum, region, unit).map_err(located)?;
                if self.offset > u64::from(u32::MAX) {
                    return Err(ParseError::file(TARGETS_FILE, "is larger than 4 GiB"));
                }
                self.rows.push(Row { start: self.offset as u32, stratum }, id).map_err(located)?;
            }
            self.offset += line.len() as u64 + 1;
        }
        Ok(())
    }

    /// The manifest, holding no line yet.
    pub fn finish(self) -> Result<TargetManifest, ParseError> {
        if self.lines == 0 {
            return Err(ParseError::file(TARGETS_FILE, "is empty"));
        }
        let digest = Digest(self.hasher.finalize().into());
        Ok(self.rows.finish(ChunkedText::lines(Vec::new(), Vec::new()), digest))
    }
}

/// The second pass: the lines of some targets, from the same pieces.
pub struct TargetLineCollector {
    /// Where the wanted lines start, in file order.
    wanted: Vec<u32>,
    next: usize,
    lines: Vec<String>,
    offset: u64,
}

impl TargetLineCollector {
    /// Collects the lines of the targets at these manifest indices.
    pub fn new(manifest: &TargetManifest, indices: &[u32]) -> Self {
        let mut wanted: Vec<u32> = indices.iter().map(|&index| manifest.line_start(index as usize)).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let lines = Vec::with_capacity(wanted.len());
        Self { wanted, next: 0, lines, offset: 0 }
    }

    /// Reads the next piece of the same file the manifest was read from.
    pub fn read(&mut self, piece: &[u8]) -> Result<(), ParseError> {
        let text = piece_text(piece)?;
        let end = self.offset + piece.len() as u64;
        while let Some(&start) = self.wanted.get(self.next) {
            if u64::from(start) >= end {
                break;
            }
            let from = (u64::from(start) - self.offset) as usize;
            let length = text[from..].find('\n').ok_or_else(|| changed("a line is cut"))?;
            self.lines.push(text[from..from + length + 1].to_owned());
            self.next += 1;
        }
        self.offset = end;
        Ok(())
    }

    /// The manifest, now holding the collected lines.
    pub fn finish(self, manifest: TargetManifest) -> Result<TargetManifest, ParseError> {
        if self.next != self.wanted.len() {
            return Err(changed("it ended early"));
        }
        Ok(manifest.with_text(ChunkedText::lines(self.wanted, self.lines)))
    }
}

fn changed(how: &str) -> ParseError {
    ParseError::file(TARGETS_FILE, format!("changed between two readings: {how}"))
}

/// A piece as text; every piece ends at a line end.
fn piece_text(piece: &[u8]) -> Result<&str, ParseError> {
    let text = std::str::from_utf8(piece).map_err(|_| ParseError::file(TARGETS_FILE, "is not UTF-8"))?;
    if !text.is_empty() && !text.ends_with('\n') {
        return Err(ParseError::file(TARGETS_FILE, "is stored in pieces not cut at line ends"));
    }
    Ok(text)
}

fn located(error: RowError, number: usize, id: &str) -> ParseError {
    match error {
        RowError::Field { column, error } => ParseError::field(TARGETS_FILE, number, column, error),
        RowError::OutOfOrder { .. } => ParseError::field(
            TARGETS_FILE,
            number,
            "target_id",
            format!("'{id}' is not in bytewise order after the line before it"),
        ),
        RowError::Duplicate { .. } => {
            ParseError::field(TARGETS_FILE, number, "target_id", format!("'{id}' appears twice"))
        }
        RowError::TooLarge => ParseError::line(TARGETS_FILE, number, "has 2^32 or more targets"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::TargetManifestBuilder;
    use std::sync::Arc;

    #[test]
    fn a_manifest_read_in_two_passes_has_the_digest_strata_and_drawn_lines_of_the_whole() {
        let mut builder = TargetManifestBuilder::new();
        for index in 0..90_000 {
            builder.push(&format!("T{index:08}"), &format!("S{}", index % 7), "R", "some unit name").unwrap();
        }
        let whole = builder.finish().unwrap();
        let pieces: Vec<&[u8]> = whole.pieces().collect();
        assert!(pieces.len() > 2);
        let mut reader = TargetManifestReader::new();
        pieces.iter().for_each(|piece| reader.read(piece).unwrap());
        let first = reader.finish().unwrap();
        assert_eq!(first.digest(), whole.digest());
        assert_eq!(first.strata(), whole.strata());
        assert_eq!(first.len(), whole.len());
        let drawn = [89_999, 0, 45_000, 34_952];
        let mut collector = TargetLineCollector::new(&first, &drawn);
        pieces.iter().for_each(|piece| collector.read(piece).unwrap());
        let manifest = collector.finish(first).unwrap();
        for index in drawn {
            assert_eq!(manifest.get(index as usize), whole.get(index as usize));
            assert_eq!(manifest.stratum_index(index as usize), whole.stratum_index(index as usize));
        }
    }

    /// A streamed manifest's pieces, index and strata file, as a commit
    /// stores them.
    fn streamed_with_index(count: usize) -> (Vec<Arc<String>>, Vec<u8>, String) {
        let (mut pieces, mut index, mut strata) = (Vec::new(), Vec::new(), String::new());
        let mut stream = crate::protocol::manifest::TargetManifestStream::new();
        for number in 0..count {
            let key = format!("S{}", (number * 7919) % 11);
            let (start, stratum) = stream.push(&format!("T{number:08}"), &key, "R", "unit").unwrap();
            if stratum as usize == strata.lines().count() {
                strata.push_str(&key);
                strata.push('\n');
            }
            index.extend_from_slice(&index_entry(start, stratum));
            pieces.extend(stream.take_pieces());
        }
        pieces.push(stream.finish().unwrap().0);
        (pieces, index, strata)
    }

    fn first_pass(pieces: &[Arc<String>]) -> TargetManifest {
        let mut reader = TargetManifestReader::new();
        pieces.iter().for_each(|piece| reader.read(piece.as_bytes()).unwrap());
        reader.finish().unwrap()
    }

    fn from_index(index: &[u8], strata: &str, digest: Digest) -> Result<TargetManifest, ParseError> {
        let mut reader = TargetIndexReader::new();
        index.chunks(INDEX_ENTRY * 1000).try_for_each(|piece| reader.read(piece))?;
        reader.finish(strata.as_bytes(), digest)
    }

    fn checked(indexed: &TargetManifest, pieces: &[Arc<String>]) -> Result<Digest, ParseError> {
        let mut check = TargetIndexCheck::new();
        pieces.iter().try_for_each(|piece| check.read(indexed, piece.as_bytes()))?;
        check.finish(indexed)
    }

    #[test]
    fn the_stored_index_gives_what_the_first_pass_finds_and_checks_against_the_manifest() {
        let (pieces, index, strata) = streamed_with_index(150_000);
        assert!(pieces.len() > 2);
        let read = first_pass(&pieces);
        let indexed = from_index(&index, &strata, read.digest()).unwrap();
        assert_eq!(indexed.len(), read.len());
        assert_eq!(indexed.strata(), read.strata());
        for index in 0..read.len() {
            assert_eq!(indexed.line_start(index), read.line_start(index));
            assert_eq!(indexed.stratum_index(index), read.stratum_index(index));
        }
        assert_eq!(checked(&indexed, &pieces).unwrap(), read.digest());
    }

    #[test]
    fn an_index_that_differs_from_its_manifest_is_refused() {
        let (pieces, index, strata) = streamed_with_index(1_000);
        let digest = first_pass(&pieces).digest();
        // Another stratum for one target, of the same strata.
        let mut restratified = index.clone();
        let at = INDEX_ENTRY * 500 + 4;
        let stratum = (restratified[at] + 1) % strata.lines().count() as u8;
        restratified[at] = stratum;
        let indexed = from_index(&restratified, &strata, digest).unwrap();
        assert!(checked(&indexed, &pieces).is_err());
        // A target left out, and a line start moved.
        let shorter = from_index(&index[..index.len() - INDEX_ENTRY], &strata, digest).unwrap();
        assert!(checked(&shorter, &pieces).is_err());
        let mut moved = index.clone();
        moved[INDEX_ENTRY * 500] ^= 1;
        let moved = from_index(&moved, &strata, digest).unwrap();
        assert!(checked(&moved, &pieces).is_err());
        // A stratum no target is in, or one named twice.
        assert!(from_index(&index, &format!("{strata}S99\n"), digest).is_err());
        let first = strata.lines().next().unwrap();
        assert!(from_index(&index, &format!("{strata}{first}\n"), digest).is_err());
        assert!(from_index(&index[..INDEX_ENTRY * 10 + 3], &strata, digest).is_err());
    }

    #[test]
    fn a_manifest_out_of_order_is_refused_with_its_line() {
        let mut reader = TargetManifestReader::new();
        let error = reader.read(b"target_id\tstratum\tregion\tunit\nb\tS\tR\t\na\tS\tR\t\n").unwrap_err();
        assert_eq!(error.line, Some(3));
    }
}
