//! Building a target manifest from directory rows in any order.

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
