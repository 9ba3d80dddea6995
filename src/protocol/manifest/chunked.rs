//! The target manifest's text, kept as pieces of about 1 MiB cut at line
//! ends, so that a builder can hand finished pieces to a hashing thread
//! while it writes the next (PROTOCOL.md §2.2; the digest is still the plain
//! SHA-256 of the whole file).

use std::sync::Arc;

use super::super::digest::{BackgroundDigest, Digest};

const PIECE: usize = 1 << 20;

/// Text made of pieces; a line's place is its offset in the whole text.
/// The pieces are the whole text, or some of its lines only.
#[derive(Debug, Clone)]
pub(super) struct ChunkedText {
    pieces: Vec<String>,
    /// Offset of each piece in the whole text.
    starts: Vec<u32>,
    /// Whether each piece is one line and the text holds only some lines.
    some_lines: bool,
}

impl ChunkedText {
    pub(super) fn whole(text: String) -> Self {
        Self { pieces: vec![text], starts: vec![0], some_lines: false }
    }

    /// Some lines of a text, each with its offset in the whole text, in
    /// order. Only these lines can be asked for.
    pub(super) fn lines(starts: Vec<u32>, lines: Vec<String>) -> Self {
        debug_assert_eq!(starts.len(), lines.len());
        Self { pieces: lines, starts, some_lines: true }
    }

    /// The piece holding the line at `start`, and the line's offset in it.
    fn locate(&self, start: u32) -> (&str, usize) {
        if self.some_lines {
            let line = self.starts.binary_search(&start).expect("only lines held are asked for");
            return (&self.pieces[line], 0);
        }
        let piece = self.starts.partition_point(|&s| s <= start) - 1;
        (&self.pieces[piece], (start - self.starts[piece]) as usize)
    }

    /// The fields of the line at `start`: id, stratum, region, unit.
    pub(super) fn fields(&self, start: u32) -> [&str; 4] {
        let (text, start) = self.locate(start);
        let mut ends = [0usize; 4];
        let mut field = 0;
        for (offset, &byte) in text.as_bytes()[start..].iter().enumerate() {
            if byte == b'\t' && field < 3 {
                ends[field] = start + offset;
                field += 1;
            } else if byte == b'\n' {
                ends[3] = start + offset;
                break;
            }
        }
        assert!(field == 3 && ends[3] > 0, "every row has four fields and an LF");
        [
            &text[start..ends[0]],
            &text[ends[0] + 1..ends[1]],
            &text[ends[1] + 1..ends[2]],
            &text[ends[2] + 1..ends[3]],
        ]
    }

    /// The id of the line at `start`.
    pub(super) fn id(&self, start: u32) -> &str {
        let (text, start) = self.locate(start);
        let rest = &text[start..];
        &rest[..rest.find('\t').expect("every row has four fields")]
    }

    pub(super) fn pieces(&self) -> impl Iterator<Item = &[u8]> {
        self.pieces.iter().map(|piece| piece.as_bytes())
    }

    pub(super) fn len(&self) -> usize {
        self.pieces.iter().map(String::len).sum()
    }
}

/// Writes lines into pieces and hashes every finished piece on another
/// thread.
pub(super) struct ChunkWriter {
    finished: Vec<Arc<String>>,
    starts: Vec<u32>,
    current: String,
    written: u64,
    hasher: BackgroundDigest,
}

impl ChunkWriter {
    pub(super) fn new(header: &str) -> Self {
        let mut current = String::with_capacity(PIECE + 1024);
        current.push_str(header);
        current.push('\n');
        Self { finished: Vec::new(), starts: vec![0], current, written: 0, hasher: BackgroundDigest::start() }
    }

    /// Bytes written so far.
    pub(super) fn len(&self) -> u64 {
        self.written + self.current.len() as u64
    }

    /// Writes one line of fields joined by tabs and returns its offset in
    /// the whole text (valid while the text stays under 4 GiB).
    pub(super) fn line(&mut self, fields: [&str; 4]) -> u32 {
        if self.current.len() >= PIECE {
            let full = std::mem::replace(&mut self.current, String::with_capacity(PIECE + 1024));
            self.written += full.len() as u64;
            self.starts.push(self.written as u32);
            let full = Arc::new(full);
            self.hasher.feed(Arc::clone(&full));
            self.finished.push(full);
        }
        let start = self.len() as u32;
        let [id, stratum, region, unit] = fields;
        for (field, end) in [(id, '\t'), (stratum, '\t'), (region, '\t'), (unit, '\n')] {
            self.current.push_str(field);
            self.current.push(end);
        }
        start
    }

    /// Hands out the pieces finished since the last call; they are no
    /// longer kept here. A writer whose pieces were taken ends with
    /// [`Self::finish_last`], not [`Self::finish`].
    pub(super) fn take_finished(&mut self) -> Vec<Arc<String>> {
        std::mem::take(&mut self.finished)
    }

    /// The last piece and the digest of the whole text.
    pub(super) fn finish_last(mut self) -> (Arc<String>, Digest) {
        let last = Arc::new(std::mem::take(&mut self.current));
        self.hasher.feed(Arc::clone(&last));
        (last, self.hasher.finish())
    }

    pub(super) fn finish(mut self) -> (ChunkedText, Digest) {
        let last = Arc::new(std::mem::take(&mut self.current));
        self.hasher.feed(Arc::clone(&last));
        self.finished.push(last);
        let digest = self.hasher.finish();
        let pieces = self
            .finished
            .into_iter()
            .map(|piece| Arc::try_unwrap(piece).expect("the hashing thread has let go"))
            .collect();
        (ChunkedText { pieces, starts: self.starts, some_lines: false }, digest)
    }
}
