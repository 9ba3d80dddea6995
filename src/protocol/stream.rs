//! The draw's random stream and the bounded integers taken from it
//! (PROTOCOL.md §5 and §6).
//!
//! Only the raw ChaCha20 keystream is used, read as little-endian u32 words.
//! rand's `gen_range`, `shuffle`, `choose` and `index::sample` have changed
//! their outputs between releases and never decide a draw.

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

/// The ChaCha20 keystream (RFC 8439, key = seed, nonce = 0, block counter from
/// 0) consumed as little-endian u32 words, one after the other.
pub struct DrawStream {
    rng: ChaCha20Rng,
    words_read: u64,
}

impl DrawStream {
    pub fn new(seed: [u8; 32]) -> Self {
        Self { rng: ChaCha20Rng::from_seed(seed), words_read: 0 }
    }

    /// The next keystream word.
    pub fn next_word(&mut self) -> u32 {
        self.words_read += 1;
        self.rng.next_u32()
    }

    /// How many words have been read so far.
    pub fn words_read(&self) -> u64 {
        self.words_read
    }

    /// A uniform integer in `0..n`, for `1 <= n < 2^32`, by threshold
    /// rejection: words at or above the largest multiple of `n` below 2^32
    /// are skipped, so every residue is equally likely.
    pub fn uniform_below(&mut self, n: u32) -> u32 {
        assert!(n >= 1, "uniform_below needs n >= 1");
        let limit = rejection_limit(n);
        loop {
            let word = self.next_word();
            if u64::from(word) < limit {
                return word % n;
            }
        }
    }
}

/// `2^32 - (2^32 mod n)`: the first word value that is rejected.
pub fn rejection_limit(n: u32) -> u64 {
    const RANGE: u64 = 1 << 32;
    RANGE - RANGE % u64::from(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_the_rfc_8439_keystream_read_little_endian() {
        // RFC 8439 appendix A.1, test vector #1: all-zero key and nonce.
        let mut stream = DrawStream::new([0; 32]);
        assert_eq!(stream.next_word(), u32::from_le_bytes([0x76, 0xb8, 0xe0, 0xad]));
        assert_eq!(stream.next_word(), u32::from_le_bytes([0xa0, 0xf1, 0x3d, 0x90]));
        assert_eq!(stream.words_read(), 2);
    }

    #[test]
    fn rejection_limit_is_the_largest_multiple_of_n() {
        assert_eq!(rejection_limit(1), 1 << 32);
        assert_eq!(rejection_limit(3), (1 << 32) - 1);
        assert_eq!(rejection_limit((1 << 31) + 1), (1 << 31) + 1);
        assert_eq!(rejection_limit(u32::MAX), u64::from(u32::MAX));
    }
}
