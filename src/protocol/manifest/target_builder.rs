//! Building a target manifest from directory rows: in any order, kept whole
//! ([`TargetManifestBuilder`]), or in canonical order, handed out piece by
//! piece as it is written ([`TargetManifestStream`]).

use std::sync::Arc;

use super::super::digest::Digest;
use super::super::draw::InputError;
use super::super::field::StratumKey;
use super::super::parameters::Parameters;
use super::chunked::{ChunkWriter, ChunkedText};
use super::targets::{Order, Row, RowCollector, RowError, TARGETS_HEADER, TargetManifest};

/// Builds a manifest from rows in any order, e.g. a directory export. Rows
/// that arrive in canonical order (as a database sorted by id returns them)
/// are written once, and hashed on another thread while later rows arrive.
pub struct TargetManifestBuilder {
    writer: ChunkWriter,
    rows: RowCollector,
}

impl Default for TargetManifestBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl TargetManifestBuilder {
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// A builder expecting about `rows` targets.
    pub fn with_capacity(rows: usize) -> Self {
        let mut collector = RowCollector::new(Order::Any);
        collector.rows.reserve(rows);
        Self { writer: ChunkWriter::new(TARGETS_HEADER), rows: collector }
    }

    /// Adds a target; `unit` may be empty. Fields are validated here, once.
    pub fn push(&mut self, id: &str, stratum: &str, region: &str, unit: &str) -> Result<(), RowError> {
        let stratum_index = self.rows.check(id, stratum, region, unit)?;
        if self.writer.len() > u64::from(u32::MAX) {
            return Err(RowError::TooLarge);
        }
        let start = self.writer.line([id, stratum, region, unit]);
        self.rows.push(Row { start, stratum: stratum_index }, id)
    }

    pub fn len(&self) -> usize {
        self.rows.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.rows.is_empty()
    }

    /// Sorts the rows into canonical order if they came in another.
    pub fn finish(self) -> Result<TargetManifest, RowError> {
        let Self { writer, rows } = self;
        if writer.len() > u64::from(u32::MAX) {
            return Err(RowError::TooLarge);
        }
        let (text, digest) = writer.finish();
        if rows.sorted {
            return Ok(rows.finish(text, digest));
        }
        sorted(text, rows)
    }
}

/// Rewrites rows that came out of order; the first text and its digest are
/// discarded.
fn sorted(text: ChunkedText, rows: RowCollector) -> Result<TargetManifest, RowError> {
    let id_of = |index: u32| text.id(rows.rows[index as usize].start);
    let mut order: Vec<u32> = (0..rows.rows.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| id_of(a).cmp(id_of(b)));
    if let Some(pair) = order.windows(2).find(|pair| id_of(pair[0]) == id_of(pair[1])) {
        let (first, second) = (pair[0].min(pair[1]) as usize, pair[0].max(pair[1]) as usize);
        return Err(RowError::Duplicate { id: id_of(first as u32).to_owned(), first, second });
    }
    let mut writer = ChunkWriter::new(TARGETS_HEADER);
    let mut sorted_rows = Vec::with_capacity(rows.rows.len());
    for index in order {
        let row = rows.rows[index as usize];
        let start = writer.line(text.fields(row.start));
        sorted_rows.push(Row { start, stratum: row.stratum });
    }
    let (text, digest) = writer.finish();
    Ok(rows.with_rows(sorted_rows).finish(text, digest))
}

/// Writes a manifest from rows that arrive in canonical order (as a
/// database sorted by id hands them over) and hands each finished piece of
/// about 1 MiB out, to be stored and dropped: memory stays bounded however
/// large the pool. What is kept is what a commitment needs — the digest,
/// the count and each stratum's size — not the rows.
pub struct TargetManifestStream {
    writer: ChunkWriter,
    /// Field checks and stratum interning, shared with the other readers;
    /// its row list stays empty.
    rows: RowCollector,
    sizes: Vec<u64>,
    count: u64,
    last_id: String,
}

/// A pool written out by [`TargetManifestStream`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrozenTargets {
    pub digest: Digest,
    pub count: u64,
    /// Strata in bytewise order of their keys, with their sizes.
    pub strata: Vec<(StratumKey, u64)>,
}

impl Default for TargetManifestStream {
    fn default() -> Self {
        Self::new()
    }
}

impl TargetManifestStream {
    pub fn new() -> Self {
        Self {
            writer: ChunkWriter::new(TARGETS_HEADER),
            rows: RowCollector::new(Order::Strict),
            sizes: Vec::new(),
            count: 0,
            last_id: String::new(),
        }
    }

    /// Adds the next target; rows are numbered from 0 in errors. Finished
    /// pieces come out of [`Self::take_pieces`]. Returns where the target's
    /// line starts and its stratum, numbered in order of first appearance:
    /// what a draw needs of it besides the strata (see `IndexedStrata`).
    pub fn push(
        &mut self,
        id: &str,
        stratum: &str,
        region: &str,
        unit: &str,
    ) -> Result<(u32, u32), RowError> {
        let stratum_index = self.rows.check(id, stratum, region, unit)? as usize;
        if self.count > 0 {
            let row = self.count as usize;
            match self.last_id.as_str().cmp(id) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => {
                    return Err(RowError::Duplicate { id: id.to_owned(), first: row - 1, second: row });
                }
                std::cmp::Ordering::Greater => return Err(RowError::OutOfOrder { row }),
            }
        }
        // Published manifests are read with 32-bit line offsets (4 GiB).
        if self.writer.len() > u64::from(u32::MAX) || self.count >= u64::from(u32::MAX) {
            return Err(RowError::TooLarge);
        }
        let start = self.writer.line([id, stratum, region, unit]);
        if stratum_index == self.sizes.len() {
            self.sizes.push(0);
        }
        self.sizes[stratum_index] += 1;
        self.count += 1;
        self.last_id.clear();
        self.last_id.push_str(id);
        Ok((start, stratum_index as u32))
    }

    /// The pieces finished since the last call, in order; the first one
    /// begins with the header line.
    pub fn take_pieces(&mut self) -> Vec<Arc<String>> {
        self.writer.take_finished()
    }

    /// The last piece (possibly just the header) and what the pool is.
    pub fn finish(self) -> Result<(Arc<String>, FrozenTargets), RowError> {
        if self.writer.len() > u64::from(u32::MAX) {
            return Err(RowError::TooLarge);
        }
        let (last, digest) = self.writer.finish_last();
        let mut strata: Vec<(StratumKey, u64)> = self.rows.keys.into_iter().zip(self.sizes).collect();
        strata.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok((last, FrozenTargets { digest, count: self.count, strata }))
    }
}

impl FrozenTargets {
    /// What [`super::super::DrawInputs::check`] asks of the targets, for a
    /// pool that is not held in memory: a quota for every stratum, and
    /// strata that `uniform(n)` can index.
    pub fn check(&self, parameters: &Parameters) -> Result<(), InputError> {
        for (key, size) in &self.strata {
            if parameters.quota_for(key).is_none() {
                return Err(InputError::StratumWithoutQuota(key.clone()));
            }
            if *size > u64::from(u32::MAX) {
                return Err(InputError::StratumTooLarge { key: key.clone(), size: *size });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Digest;
    use crate::protocol::field::StratumKey;

    #[test]
    fn rows_in_any_order_give_the_canonical_text() {
        let mut builder = TargetManifestBuilder::new();
        builder.push("b", "S2", "R1", "").unwrap();
        builder.push("a", "S1", "R2", "U").unwrap();
        let manifest = builder.finish().unwrap();
        let text = "target_id\tstratum\tregion\tunit\na\tS1\tR2\tU\nb\tS2\tR1\t\n";
        assert_eq!(std::str::from_utf8(&manifest.to_bytes()).unwrap(), text);
        assert_eq!(manifest.digest(), Digest::of_file(text.as_bytes()));
        assert_eq!(manifest.get(0).unit, Some("U"));
        assert_eq!(manifest.get(1).unit, None);
        assert_eq!(manifest.strata().iter().map(StratumKey::as_str).collect::<Vec<_>>(), ["S1", "S2"]);
        assert_eq!(manifest.stratum_index(1), 1);
        assert_eq!(manifest.find("b"), Some(1));
    }

    #[test]
    fn duplicates_are_reported_by_push_order() {
        let mut builder = TargetManifestBuilder::new();
        builder.push("b", "S", "R", "").unwrap();
        builder.push("a", "S", "R", "").unwrap();
        builder.push("b", "S", "R", "").unwrap();
        assert_eq!(
            builder.finish().unwrap_err(),
            RowError::Duplicate { id: "b".into(), first: 0, second: 2 }
        );
    }

    #[test]
    fn a_streamed_manifest_is_the_built_one_byte_for_byte() {
        let mut builder = TargetManifestBuilder::new();
        let mut stream = TargetManifestStream::new();
        let mut pieces = Vec::new();
        for index in 0..90_000 {
            let (id, stratum) = (format!("T{index:08}"), format!("S{}", index % 3));
            builder.push(&id, &stratum, "R", "some unit name").unwrap();
            stream.push(&id, &stratum, "R", "some unit name").unwrap();
            pieces.extend(stream.take_pieces());
        }
        let (last, frozen) = stream.finish().unwrap();
        pieces.push(last);
        let manifest = builder.finish().unwrap();
        assert!(pieces.len() > 2, "the text spans several pieces");
        let streamed: Vec<&[u8]> = pieces.iter().map(|piece| piece.as_bytes()).collect();
        assert_eq!(streamed, manifest.pieces().collect::<Vec<_>>());
        assert_eq!(frozen.digest, manifest.digest());
        assert_eq!(frozen.count, 90_000);
        let sizes: Vec<(&str, u64)> = frozen.strata.iter().map(|(key, size)| (key.as_str(), *size)).collect();
        assert_eq!(sizes, [("S0", 30_000), ("S1", 30_000), ("S2", 30_000)]);
    }

    #[test]
    fn a_stream_refuses_rows_out_of_order_or_twice() {
        let mut stream = TargetManifestStream::new();
        stream.push("b", "S", "R", "").unwrap();
        assert_eq!(stream.push("a", "S", "R", ""), Err(RowError::OutOfOrder { row: 1 }));
        assert_eq!(
            stream.push("b", "S", "R", ""),
            Err(RowError::Duplicate { id: "b".into(), first: 0, second: 1 })
        );
        let (last, frozen) = TargetManifestStream::new().finish().unwrap();
        assert_eq!(last.as_str(), "target_id\tstratum\tregion\tunit\n");
        assert_eq!((frozen.count, frozen.digest), (0, Digest::of_file(last.as_bytes())));
    }

    #[test]
    fn a_manifest_of_many_pieces_reads_back_whole() {
        let mut builder = TargetManifestBuilder::new();
        for index in (0..60_000).rev() {
            builder.push(&format!("T{index:08}"), "S", "R", "some unit name").unwrap();
        }
        let manifest = builder.finish().unwrap();
        assert!(manifest.pieces().count() > 1, "the text spans several pieces");
        let bytes = manifest.to_bytes();
        assert_eq!(manifest.digest(), Digest::of_file(&bytes));
        let parsed = TargetManifest::parse(bytes).unwrap();
        assert_eq!(parsed.digest(), manifest.digest());
        for index in [0, 1, 29_999, 59_999] {
            assert_eq!(parsed.get(index), manifest.get(index));
            assert_eq!(manifest.find(manifest.get(index).id), Some(index));
        }
    }
}
