//! Reading a stored target manifest piece by piece, for a draw, without
//! holding its text: a first pass keeps per target only where its line
//! starts and its stratum (8 bytes a target) and the digest, which is all
//! the draw of targets needs; a second pass keeps the lines of the targets
//! drawn, which is all inspector assignment needs. The manifest that comes
//! out answers `get` for those targets only.

use sha2::{Digest as _, Sha256};

use super::super::digest::Digest;
use super::super::tsv::{self, ParseError};
use super::chunked::ChunkedText;
use super::targets::{Order, Row, RowCollector, RowError, TARGETS_FILE, TARGETS_HEADER, TargetManifest};

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

    #[test]
    fn a_manifest_out_of_order_is_refused_with_its_line() {
        let mut reader = TargetManifestReader::new();
        let error = reader.read(b"target_id\tstratum\tregion\tunit\nb\tS\tR\t\na\tS\tR\t\n").unwrap_err();
        assert_eq!(error.line, Some(3));
    }
}
