//! SHA-256 digests and the tagged, length-prefixed hash every derived value
//! uses (PROTOCOL.md §3).

use sha2::{Digest as _, Sha256};
use std::fmt;

/// A SHA-256 digest, written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// The plain SHA-256 of a file's bytes, as `sha256sum` prints it.
    pub fn of_file(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// `SHA-256(lp(tag) ‖ lp(field₁) ‖ … ‖ lp(fieldₙ))`, where `lp(x)` is the
    /// length of `x` as 8 big-endian bytes followed by `x`. The tag separates
    /// domains; the length prefixes make the encoding of the fields unambiguous.
    pub fn tagged(tag: &str, fields: &[&[u8]]) -> Self {
        let mut hasher = Sha256::new();
        for part in std::iter::once(tag.as_bytes()).chain(fields.iter().copied()) {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part);
        }
        Self(hasher.finalize().into())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses exactly 64 lowercase hex digits.
    pub fn parse_hex(text: &str) -> Result<Self, HexError> {
        parse_hex32(text).map(Self)
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Digest::parse_hex(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.to_hex())
    }
}

/// SHA-256 of a file that arrives in pieces, computed on another thread so
/// that writing the next piece and hashing the last one overlap.
pub struct BackgroundDigest {
    pieces: std::sync::mpsc::Sender<std::sync::Arc<String>>,
    worker: std::thread::JoinHandle<Digest>,
}

impl BackgroundDigest {
    pub fn start() -> Self {
        let (pieces, received) = std::sync::mpsc::channel::<std::sync::Arc<String>>();
        let worker = std::thread::spawn(move || {
            let mut hasher = Sha256::new();
            for piece in received {
                hasher.update(piece.as_bytes());
            }
            Digest(hasher.finalize().into())
        });
        Self { pieces, worker }
    }

    pub fn feed(&self, piece: std::sync::Arc<String>) {
        self.pieces.send(piece).expect("the hashing thread lives until finish");
    }

    /// The digest of all pieces fed, in order.
    pub fn finish(self) -> Digest {
        drop(self.pieces);
        self.worker.join().expect("the hashing thread does not panic")
    }
}

/// Why a text is not 32 bytes of lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    #[error("expected 64 hex digits, found {0}")]
    Length(usize),
    #[error("'{found}' at character {position} is not a lowercase hex digit")]
    Digit { found: char, position: usize },
}

/// Parses 64 lowercase hex digits into 32 bytes. Uppercase is refused so that
/// every value has exactly one spelling in the published files.
pub fn parse_hex32(text: &str) -> Result<[u8; 32], HexError> {
    let bad = text.chars().enumerate().find(|(_, c)| !matches!(c, '0'..='9' | 'a'..='f'));
    if let Some((index, found)) = bad {
        return Err(HexError::Digit { found, position: index + 1 });
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).map_err(|_| HexError::Length(text.len()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_digest_is_plain_sha256() {
        assert_eq!(
            Digest::of_file(b"abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn tagged_hash_prefixes_every_part_with_its_length() {
        let mut manual = Vec::new();
        manual.extend_from_slice(&3u64.to_be_bytes());
        manual.extend_from_slice(b"tag");
        manual.extend_from_slice(&2u64.to_be_bytes());
        manual.extend_from_slice(b"ab");
        manual.extend_from_slice(&0u64.to_be_bytes());
        assert_eq!(Digest::tagged("tag", &[b"ab", b""]), Digest::of_file(&manual));
        assert_ne!(Digest::tagged("tag", &[b"ab", b""]), Digest::tagged("tag", &[b"a", b"b"]));
    }

    #[test]
    fn background_digest_equals_the_digest_of_the_whole() {
        let hasher = BackgroundDigest::start();
        hasher.feed(std::sync::Arc::new("ab".to_string()));
        hasher.feed(std::sync::Arc::new("c".to_string()));
        assert_eq!(hasher.finish(), Digest::of_file(b"abc"));
    }

    #[test]
    fn hex_must_be_64_lowercase_digits() {
        let good = "00".repeat(32);
        assert!(parse_hex32(&good).is_ok());
        assert_eq!(parse_hex32(&good[1..]), Err(HexError::Length(63)));
        let upper = format!("A{}", &good[1..]);
        assert_eq!(parse_hex32(&upper), Err(HexError::Digit { found: 'A', position: 1 }));
        let bad = format!("{}g", &good[1..]);
        assert_eq!(parse_hex32(&bad), Err(HexError::Digit { found: 'g', position: 64 }));
    }
}
