//! Reading a stored target manifest piece by piece, for a draw, without
//! holding its text: a first pass keeps per target only where its line
//! starts and its stratum (8 bytes a target) and the digest, which is all
//! the draw of targets needs; a second pass keeps the lines of the targets
//! drawn, which is all inspector assignment needs. The manifest that comes
//! out answers `get` for those targets only.
//!
//! The commit, which writes every line anyway, also stores the first pass's
//! outcome beside the manifest (the target index, never published), so a
//! draw reads 8 bytes a target instead of the whole text, and holds none of
//! it: one reading counts each stratum's targets (`IndexedStrata`), which is
//! all drawing ranks needs, another keeps the entries of the targets drawn
//! (`DrawnRowReader`); the index is checked against the manifest while the
//! drawn lines are read (`TargetIndexCheck`).

use rustc_hash::FxHashMap;
use sha2::{Digest as _, Sha256};

use super::super::digest::Digest;
use super::super::draw::RankLocator;
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

/// The first reading of the stored index for a draw: checks it is well
/// formed and counts each stratum's targets, which is all that drawing the
/// targets needs (see [`draw_target_ranks`](crate::protocol::draw::draw_target_ranks)). Holds nothing per target.
pub struct IndexedStrata {
    /// Stratum keys in the order the index numbers them.
    keys: Vec<StratumKey>,
    /// Targets per stratum, by that number.
    counts: Vec<u64>,
    last_start: Option<u32>,
}

impl IndexedStrata {
    /// Begins with the stored strata file.
    pub fn new(strata: &[u8]) -> Result<Self, ParseError> {
        let strata = std::str::from_utf8(strata).map_err(|_| index_damaged("its strata are not UTF-8"))?;
        let keys = strata
            .split_terminator('\n')
            .map(|key| StratumKey::parse(key).map_err(|_| index_damaged("a stratum key is not valid")))
            .collect::<Result<Vec<_>, _>>()?;
        let mut sorted: Vec<&StratumKey> = keys.iter().collect();
        sorted.sort_unstable();
        if sorted.windows(2).any(|pair| pair[0] == pair[1]) {
            return Err(index_damaged("a stratum is named twice"));
        }
        Ok(Self { counts: vec![0; keys.len()], keys, last_start: None })
    }

    /// Reads the next piece of the index; pieces hold whole entries.
    pub fn read(&mut self, piece: &[u8]) -> Result<(), ParseError> {
        for (start, stratum) in entries(piece)? {
            if self.last_start.is_some_and(|last| last >= start) {
                return Err(index_damaged("its lines are not in order"));
            }
            self.last_start = Some(start);
            *self.counts.get_mut(stratum as usize).ok_or_else(|| index_damaged("a stratum is unknown"))? += 1;
        }
        Ok(())
    }

    /// The strata in bytewise order with their sizes, once every stratum
    /// named was found in the index (they are then exactly those the first
    /// pass over the manifest would find).
    pub fn finish(self) -> Result<StrataSizes, ParseError> {
        if self.last_start.is_none() {
            return Err(index_damaged("it has no target"));
        }
        if self.counts.contains(&0) {
            return Err(index_damaged("its strata are not those of its rows"));
        }
        let mut order: Vec<usize> = (0..self.keys.len()).collect();
        order.sort_unstable_by(|&a, &b| self.keys[a].cmp(&self.keys[b]));
        let mut renumber = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            renumber[old] = new as u32;
        }
        Ok(StrataSizes {
            strata: order.iter().map(|&old| self.keys[old].clone()).collect(),
            sizes: order.iter().map(|&old| self.counts[old]).collect(),
            renumber,
            keys: self.keys,
        })
    }
}

/// The strata of a stored index and their sizes.
#[derive(Clone)]
pub struct StrataSizes {
    /// In bytewise order, as the manifest lists them, with their sizes.
    strata: Vec<StratumKey>,
    sizes: Vec<u64>,
    /// The index's numbering: keys by number, and each number's place in
    /// bytewise order.
    keys: Vec<StratumKey>,
    renumber: Vec<u32>,
}

impl StrataSizes {
    /// Stratum keys in bytewise order.
    pub fn strata(&self) -> &[StratumKey] {
        &self.strata
    }

    /// Targets per stratum, in the order of [`Self::strata`].
    pub fn sizes(&self) -> &[u64] {
        &self.sizes
    }
}

/// The second reading of the stored index: finds the targets drawn, by
/// their ranks, and keeps their entries only; hashes the index to compare
/// it with what the manifest gives ([`TargetIndexCheck`]).
pub struct DrawnRowReader {
    strata: StrataSizes,
    locator: RankLocator,
    /// Manifest indices and rows of the drawn targets, in manifest order;
    /// rows number strata as the index does.
    indices: Vec<u32>,
    rows: Vec<Row>,
    hasher: Sha256,
}

impl DrawnRowReader {
    pub fn new(strata: StrataSizes, locator: RankLocator) -> Self {
        Self { strata, locator, indices: Vec::new(), rows: Vec::new(), hasher: Sha256::new() }
    }

    /// Reads the next piece of the index.
    pub fn read(&mut self, piece: &[u8]) -> Result<(), ParseError> {
        self.hasher.update(piece);
        for (start, stratum) in entries(piece)? {
            let index = self.locator.seen();
            let sorted = *self
                .strata
                .renumber
                .get(stratum as usize)
                .ok_or_else(|| index_damaged("a stratum is unknown"))?;
            if self.locator.push(sorted as usize) {
                self.indices.push(index);
                self.rows.push(Row { start, stratum });
            }
        }
        Ok(())
    }

    /// A manifest holding the drawn targets only (no line yet), with the
    /// digest it was committed to; their indices in it, in draw order; and
    /// the digest of the index read.
    pub fn finish(self, committed: Digest) -> Result<DrawnRows, ParseError> {
        let drawn = self.locator.finish().ok_or_else(|| index_damaged("it changed between two readings"))?;
        let selected = drawn
            .iter()
            .map(|index| self.indices.binary_search(index).map(|at| at as u32))
            .collect::<Result<Vec<u32>, _>>()
            .map_err(|_| index_damaged("it changed between two readings"))?;
        let mut rows = RowCollector::new(Order::Strict);
        rows.keys = self.strata.keys;
        rows.rows = self.rows;
        let manifest = rows.finish(ChunkedText::lines(Vec::new(), Vec::new()), committed);
        Ok(DrawnRows { manifest, selected, index_digest: Digest(self.hasher.finalize().into()) })
    }
}

/// The drawn targets as the stored index gives them.
pub struct DrawnRows {
    /// Holds the drawn targets only.
    pub manifest: TargetManifest,
    /// Indices into `manifest`, in draw order.
    pub selected: Vec<u32>,
    /// The digest of the stored index, for [`TargetIndexCheck`].
    pub index_digest: Digest,
}

/// The entries of a piece of the index: line start and stratum number.
fn entries(piece: &[u8]) -> Result<impl Iterator<Item = (u32, u32)> + '_, ParseError> {
    let entries = piece.chunks_exact(INDEX_ENTRY);
    if !entries.remainder().is_empty() {
        return Err(index_damaged("a piece holds part of an entry"));
    }
    Ok(entries.map(|entry| {
        let word = |at: usize| u32::from_le_bytes([entry[at], entry[at + 1], entry[at + 2], entry[at + 3]]);
        (word(0), word(4))
    }))
}

/// Reads the stored manifest piece by piece and writes, without keeping
/// it, the index it gives under the stored index's stratum numbering: the
/// index is what the first pass would have found when the two digests
/// agree, and the manifest is the committed one when its digest is.
pub struct TargetIndexCheck {
    hasher: Sha256,
    lines: LineIndex,
}

/// The index that a manifest's lines give, hashed as it is written.
struct LineIndex {
    index: Sha256,
    numbers: FxHashMap<String, u32>,
    offset: u64,
}

/// Pieces of at least this many bytes are hashed beside the reading of
/// their lines; below it a thread costs more than it saves.
const HASHED_BESIDE: usize = 64 << 10;

impl TargetIndexCheck {
    pub fn new(strata: &StrataSizes) -> Self {
        let numbers = strata
            .keys
            .iter()
            .enumerate()
            .map(|(number, key)| (key.as_str().to_owned(), number as u32))
            .collect();
        Self { hasher: Sha256::new(), lines: LineIndex { index: Sha256::new(), numbers, offset: 0 } }
    }

    /// Reads the next piece of the manifest. A large piece is hashed on a
    /// thread of its own while its lines are read: the two take about as
    /// long, and a draw waits for both (a 10 M pool's manifest is 570 MB).
    pub fn read(&mut self, piece: &[u8]) -> Result<(), ParseError> {
        let Self { hasher, lines } = self;
        if piece.len() < HASHED_BESIDE {
            hasher.update(piece);
            return lines.read(piece);
        }
        std::thread::scope(|scope| {
            let hashing = scope.spawn(|| hasher.update(piece));
            let read = lines.read(piece);
            hashing.join().expect("hashing a piece does not panic");
            read
        })
    }

    /// The digests of the manifest read and of the index it gives.
    pub fn finish(self) -> (Digest, Digest) {
        (Digest(self.hasher.finalize().into()), Digest(self.lines.index.finalize().into()))
    }
}

impl LineIndex {
    fn read(&mut self, piece: &[u8]) -> Result<(), ParseError> {
        let text = piece_text(piece)?;
        // The piece's entries are hashed at once: one update a line costs
        // more than the hashing itself.
        let mut entries = Vec::with_capacity(INDEX_ENTRY * text.len() / 32);
        for line in text.split_terminator('\n') {
            if self.offset > 0 {
                let stratum = line.split('\t').nth(1).unwrap_or_default();
                let number = self
                    .numbers
                    .get(stratum)
                    .ok_or_else(|| index_damaged("its strata are not those of the manifest"))?;
                let start = u32::try_from(self.offset)
                    .map_err(|_| ParseError::file(TARGETS_FILE, "is larger than 4 GiB"))?;
                entries.extend_from_slice(&index_entry(start, *number));
            }
            self.offset += line.len() as u64 + 1;
        }
        self.index.update(&entries);
        Ok(())
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
    /// Only the lines wanted are checked to be UTF-8: the whole piece is
    /// checked by whatever reads it beside (its digest, or the index check).
    pub fn read(&mut self, piece: &[u8]) -> Result<(), ParseError> {
        whole_lines(piece)?;
        let end = self.offset + piece.len() as u64;
        while let Some(&start) = self.wanted.get(self.next) {
            if u64::from(start) >= end {
                break;
            }
            let from = (u64::from(start) - self.offset) as usize;
            let length =
                piece[from..].iter().position(|&b| b == b'\n').ok_or_else(|| changed("a line is cut"))?;
            let line = std::str::from_utf8(&piece[from..from + length + 1]).map_err(|_| not_utf8())?;
            self.lines.push(line.to_owned());
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
    let text = std::str::from_utf8(piece).map_err(|_| not_utf8())?;
    whole_lines(piece)?;
    Ok(text)
}

/// Every piece ends at a line end.
fn whole_lines(piece: &[u8]) -> Result<(), ParseError> {
    match piece.last() {
        Some(&last) if last != b'\n' => {
            Err(ParseError::file(TARGETS_FILE, "is stored in pieces not cut at line ends"))
        }
        _ => Ok(()),
    }
}

fn not_utf8() -> ParseError {
    ParseError::file(TARGETS_FILE, "is not UTF-8")
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
    use crate::protocol::sample::fisher_yates_ranks_sparse;
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

    fn sizes_from_index(index: &[u8], strata: &str) -> Result<StrataSizes, ParseError> {
        let mut counter = IndexedStrata::new(strata.as_bytes())?;
        index.chunks(INDEX_ENTRY * 1000).try_for_each(|piece| counter.read(piece))?;
        counter.finish()
    }

    /// A third of each stratum, drawn by rank.
    fn ranks(strata: &StrataSizes) -> Vec<Vec<u32>> {
        let mut stream = crate::protocol::stream::DrawStream::new([7; 32]);
        let sizes = strata.sizes().iter().map(|&size| size as u32);
        sizes.map(|size| fisher_yates_ranks_sparse(size, size / 3, &mut stream)).collect()
    }

    fn drawn_from_index(index: &[u8], strata: &StrataSizes, ranks: &[Vec<u32>], digest: Digest) -> DrawnRows {
        let mut reader = DrawnRowReader::new(strata.clone(), RankLocator::new(ranks));
        index.chunks(INDEX_ENTRY * 1000).try_for_each(|piece| reader.read(piece)).unwrap();
        reader.finish(digest).unwrap()
    }

    /// Whether the manifest's pieces give the committed digest and the index
    /// read.
    fn agrees(strata: &StrataSizes, pieces: &[Arc<String>], drawn: &DrawnRows, digest: Digest) -> bool {
        let mut check = TargetIndexCheck::new(strata);
        if pieces.iter().try_for_each(|piece| check.read(piece.as_bytes())).is_err() {
            return false;
        }
        check.finish() == (digest, drawn.index_digest)
    }

    #[test]
    fn the_stored_index_draws_what_the_first_pass_draws_and_checks_against_the_manifest() {
        let (pieces, index, strata) = streamed_with_index(150_000);
        assert!(pieces.len() > 2);
        let read = first_pass(&pieces);
        let sizes = sizes_from_index(&index, &strata).unwrap();
        assert_eq!(sizes.strata(), read.strata());
        assert_eq!(sizes.sizes(), crate::protocol::draw::stratum_sizes(&read));
        let ranks = ranks(&sizes);
        let drawn = drawn_from_index(&index, &sizes, &ranks, read.digest());
        let mut locator = RankLocator::new(&ranks);
        (0..read.len()).for_each(|index| {
            locator.push(read.stratum_index(index));
        });
        let expected = locator.finish().unwrap();
        assert_eq!(drawn.selected.len(), expected.len());
        assert!(drawn.manifest.len() < read.len() / 2, "only the drawn targets are held");
        for (&at, &index) in drawn.selected.iter().zip(&expected) {
            assert_eq!(drawn.manifest.line_start(at as usize), read.line_start(index as usize));
            assert_eq!(drawn.manifest.stratum_index(at as usize), read.stratum_index(index as usize));
        }
        assert!(agrees(&sizes, &pieces, &drawn, read.digest()));
    }

    /// Whether an index, read for a draw, is found to agree with the manifest.
    fn index_agrees(index: &[u8], strata: &str, pieces: &[Arc<String>], digest: Digest) -> bool {
        let Ok(sizes) = sizes_from_index(index, strata) else { return false };
        let drawn = drawn_from_index(index, &sizes, &ranks(&sizes), digest);
        agrees(&sizes, pieces, &drawn, digest)
    }

    #[test]
    fn an_index_that_differs_from_its_manifest_is_refused() {
        let (pieces, index, strata) = streamed_with_index(1_000);
        let digest = first_pass(&pieces).digest();
        assert!(index_agrees(&index, &strata, &pieces, digest));
        // Another stratum for one target, of the same strata.
        let mut restratified = index.clone();
        let at = INDEX_ENTRY * 500 + 4;
        let stratum = (restratified[at] + 1) % strata.lines().count() as u8;
        restratified[at] = stratum;
        assert!(!index_agrees(&restratified, &strata, &pieces, digest));
        // A target left out, and a line start moved.
        assert!(!index_agrees(&index[..index.len() - INDEX_ENTRY], &strata, &pieces, digest));
        let mut moved = index.clone();
        moved[INDEX_ENTRY * 500] ^= 1;
        assert!(!index_agrees(&moved, &strata, &pieces, digest));
        // Another manifest than the committed one.
        assert!(!index_agrees(&index, &strata, &pieces, Digest([0; 32])));
        // A stratum no target is in, or one named twice.
        assert!(sizes_from_index(&index, &format!("{strata}S99\n")).is_err());
        let first = strata.lines().next().unwrap();
        assert!(sizes_from_index(&index, &format!("{strata}{first}\n")).is_err());
        assert!(sizes_from_index(&index[..INDEX_ENTRY * 10 + 3], &strata).is_err());
    }

    #[test]
    fn a_manifest_out_of_order_is_refused_with_its_line() {
        let mut reader = TargetManifestReader::new();
        let error = reader.read(b"target_id\tstratum\tregion\tunit\nb\tS\tR\t\na\tS\tR\t\n").unwrap_err();
        assert_eq!(error.line, Some(3));
    }
}
