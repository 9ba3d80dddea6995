//! The recusal manifest: declared conflicts of interest, as (inspector,
//! target) pairs that the draw must never assign (PROTOCOL.md §2.4).

use super::super::digest::Digest;
use super::super::field::{InspectorId, TargetId};
use super::super::tsv::{self, ParseError};

pub const RECUSALS_FILE: &str = "recusals.tsv";
pub const RECUSALS_HEADER: &str = "inspector_id\ttarget_id";

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Recusal {
    pub inspector: InspectorId,
    pub target: TargetId,
}

/// Recusal pairs in canonical order: by inspector id, then target id.
#[derive(Debug, Clone)]
pub struct RecusalManifest {
    text: Vec<u8>,
    pairs: Vec<Recusal>,
    digest: Digest,
}

impl RecusalManifest {
    /// A pair declared twice is the same conflict; it is kept once.
    pub fn new(mut pairs: Vec<Recusal>) -> Self {
        pairs.sort();
        pairs.dedup();
        let mut text = Vec::new();
        tsv::push_record(&mut text, &[RECUSALS_HEADER]);
        for pair in &pairs {
            tsv::push_record(&mut text, &[pair.inspector.as_str(), pair.target.as_str()]);
        }
        Self { digest: Digest::of_file(&text), text, pairs }
    }

    /// Reads a published manifest, refusing anything but its canonical form.
    pub fn parse(text: Vec<u8>) -> Result<Self, ParseError> {
        const FILE: &str = RECUSALS_FILE;
        let mut lines = tsv::lines(FILE, &text)?;
        super::expect_header(FILE, lines.next(), RECUSALS_HEADER)?;
        let mut pairs: Vec<Recusal> = Vec::new();
        for (number, line) in lines {
            let [inspector, target] = tsv::fields(FILE, number, line)?;
            let inspector = InspectorId::parse(inspector)
                .map_err(|error| ParseError::field(FILE, number, "inspector_id", error))?;
            let target = TargetId::parse(target)
                .map_err(|error| ParseError::field(FILE, number, "target_id", error))?;
            let pair = Recusal { inspector, target };
            if pairs.last().is_some_and(|last| *last >= pair) {
                return Err(ParseError::line(
                    FILE,
                    number,
                    "pairs must be in bytewise order (inspector, then target) without repeats",
                ));
            }
            pairs.push(pair);
        }
        Ok(Self { digest: Digest::of_file(&text), text, pairs })
    }

    pub fn pairs(&self) -> &[Recusal] {
        &self.pairs
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn text(&self) -> &[u8] {
        &self.text
    }

    pub fn digest(&self) -> Digest {
        self.digest
    }
}
