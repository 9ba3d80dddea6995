//! The public log as a Merkle tree (PROTOCOL.md §15.4): the hash chain's
//! entries are also the leaves of an RFC 9162 tree, whose head the server
//! signs as a C2SP checkpoint. A signed head lets anyone hold the server to
//! the history it showed them: a later head must extend it, which a
//! consistency proof of a few dozen hashes shows, and an entry is in it,
//! which an inclusion proof shows, without downloading the log.
//!
//! The tree arithmetic and the note format are the `tlog_tiles` and
//! `signed_note` crates' (ports of the Go checksum database's); this module
//! only says what a leaf is, how the key is named and what a verifier checks.

use std::cell::RefCell;
use std::collections::HashMap;

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use signed_note::{Note, NoteError, Signature, StandardVerifier, Verifier, VerifierList};
use tlog_tiles::{Checkpoint, Hash, HashReader};

use super::digest::Digest;

pub use tlog_tiles::Hash as TreeHash;

/// The type byte of an Ed25519 key in a signed note's key id (C2SP signed-note).
const ED25519: u8 = 0x01;

/// The leaf hash of a log entry: its leaf data are the 32 bytes of the
/// entry's chain hash (§15.1), which already commits to every field.
pub fn leaf_hash(entry_hash: &Digest) -> Hash {
    tlog_tiles::record_hash(entry_hash.as_bytes())
}

/// What is wrong with a checkpoint or a proof.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlogError {
    #[error("the log's name {0:?} cannot name a key: it must be non-empty, without spaces or '+'")]
    BadOrigin(String),
    #[error("the verifier key is not an Ed25519 key in signed-note form (name+id+base64)")]
    BadVerifierKey,
    #[error("the checkpoint is not a signed note: {0}")]
    BadNote(String),
    #[error("the checkpoint is not signed by the log's key {0}")]
    NotSigned(String),
    #[error("the checkpoint's text is not a C2SP checkpoint")]
    BadCheckpoint,
    #[error("the checkpoint names the log {found:?}, not {expected:?}")]
    OtherLog { expected: String, found: String },
    #[error("the proof does not lead to the checkpoint's root: {0}")]
    BadProof(String),
}

/// The log's signing key: Ed25519, named by the log's origin.
#[derive(Clone)]
pub struct LogKey {
    origin: String,
    key: SigningKey,
    id: u32,
}

impl LogKey {
    /// The key of the log named `origin`, from its 32-byte seed.
    pub fn from_seed(origin: &str, seed: &[u8; 32]) -> Result<Self, TlogError> {
        if !signed_note::is_key_name_valid(origin) {
            return Err(TlogError::BadOrigin(origin.to_owned()));
        }
        let key = SigningKey::from_bytes(seed);
        let id = signed_note::key_id(origin, &typed_public_key(&key.verifying_key()));
        Ok(Self { origin: origin.to_owned(), key, id })
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The public key's 32 bytes.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// The key as a signed-note verifier key, `origin+id+base64`: what a
    /// verifier is given to check checkpoints with.
    pub fn verifier_key(&self) -> String {
        signed_note::new_ed25519_verifier_key(&self.origin, &self.key.verifying_key())
    }

    /// The signed checkpoint of the tree of `size` leaves whose root is
    /// `root`: the note's text and the log's signature line.
    pub fn sign(&self, size: u64, root: &Hash) -> String {
        let checkpoint =
            Checkpoint::new(&self.origin, size, *root, "").expect("a valid origin names a checkpoint");
        let mut note = Note::new(&checkpoint.to_bytes(), &[]).expect("a checkpoint is a note's text");
        note.add_sigs(&[self]).expect("a valid origin names a signer");
        String::from_utf8(note.to_bytes()).expect("a note is text")
    }
}

impl signed_note::Signer for LogKey {
    fn name(&self) -> &str {
        &self.origin
    }

    fn key_id(&self) -> u32 {
        self.id
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, ed25519_dalek::SignatureError> {
        Ok(self.key.sign(msg).to_bytes().to_vec())
    }
}

fn typed_public_key(key: &VerifyingKey) -> Vec<u8> {
    [&[ED25519][..], key.as_bytes()].concat()
}

/// A checkpoint whose log signature checked, and the note's other
/// signature lines (witnesses' cosignatures), unchecked here.
#[derive(Debug)]
pub struct OpenedCheckpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// The checkpoint's text, as signed (the note without signatures).
    pub text: Vec<u8>,
    /// Signature lines of keys other than the log's.
    pub others: Vec<Signature>,
}

/// Checks a signed checkpoint against the log's verifier key.
pub fn open_checkpoint(note: &[u8], verifier_key: &str) -> Result<OpenedCheckpoint, TlogError> {
    let verifier = StandardVerifier::new(verifier_key).map_err(|_| TlogError::BadVerifierKey)?;
    let origin = verifier.name().to_owned();
    let parsed = Note::from_bytes(note).map_err(|error| TlogError::BadNote(error.to_string()))?;
    let known = VerifierList::new(vec![Box::new(verifier)]);
    let (_, others) = parsed.verify(&known).map_err(|error| match error {
        NoteError::UnverifiedNote | NoteError::InvalidSignature { .. } => {
            TlogError::NotSigned(origin.clone())
        }
        other => TlogError::BadNote(other.to_string()),
    })?;
    let checkpoint = Checkpoint::from_bytes(parsed.text()).map_err(|_| TlogError::BadCheckpoint)?;
    if checkpoint.origin() != origin {
        return Err(TlogError::OtherLog { expected: origin, found: checkpoint.origin().to_owned() });
    }
    Ok(OpenedCheckpoint {
        origin,
        size: checkpoint.size(),
        root: *checkpoint.hash(),
        text: parsed.text().to_vec(),
        others,
    })
}

/// Checks that the entry with chain hash `entry_hash`, numbered `seq`
/// (from 1), is leaf `seq - 1` of the tree of `size` leaves with root `root`.
pub fn check_inclusion(
    proof: &[Hash],
    size: u64,
    root: &Hash,
    seq: u64,
    entry_hash: &Digest,
) -> Result<(), TlogError> {
    if seq == 0 || seq > size {
        return Err(TlogError::BadProof(format!("entry {seq} is not among the tree's {size}")));
    }
    tlog_tiles::check_record(&proof.to_vec(), size, *root, seq - 1, leaf_hash(entry_hash))
        .map_err(|error| TlogError::BadProof(error.to_string()))
}

/// Checks that the tree of `old_size` leaves with root `old_root` is the
/// start of the tree of `size` leaves with root `root`.
pub fn check_consistency(
    proof: &[Hash],
    old_size: u64,
    old_root: &Hash,
    size: u64,
    root: &Hash,
) -> Result<(), TlogError> {
    if old_size == size {
        return if old_root == root && proof.is_empty() {
            Ok(())
        } else {
            Err(TlogError::BadProof(format!("two different trees of {size} entries")))
        };
    }
    if old_size == 0 || old_size > size {
        return Err(TlogError::BadProof(format!(
            "a tree of {old_size} entries cannot be the start of one of {size}"
        )));
    }
    tlog_tiles::check_tree(&proof.to_vec(), size, *root, old_size, *old_root)
        .map_err(|error| TlogError::BadProof(error.to_string()))
}

/// A hash as the API and the bundle write it: lowercase hex.
pub fn hash_hex(hash: &Hash) -> String {
    hex::encode(hash.0)
}

/// A hash from lowercase hex.
pub fn parse_hash_hex(text: &str) -> Option<Hash> {
    Digest::parse_hex(text).ok().map(|digest| Hash(*digest.as_bytes()))
}

/// The tree's stored hashes kept in memory: the reader of a whole log held
/// by a verifier, or the hashes a storage layer fetched for one operation.
#[derive(Default)]
pub struct MemoryHashes {
    hashes: HashMap<u64, Hash>,
    /// Indexes asked for and not held, for a caller that fetches them and
    /// asks again (see [`MemoryHashes::missing`]).
    missing: RefCell<Vec<u64>>,
}

impl MemoryHashes {
    pub fn insert(&mut self, index: u64, hash: Hash) {
        self.hashes.insert(index, hash);
    }

    /// The indexes a failed read asked for and this reader lacked, taken.
    pub fn missing(&self) -> Vec<u64> {
        std::mem::take(&mut *self.missing.borrow_mut())
    }

    /// Appends the leaf numbered `n` (from 0) with this leaf hash, storing
    /// the hashes it completes; returns them with their indexes.
    pub fn append(&mut self, n: u64, leaf: Hash) -> Result<Vec<(u64, Hash)>, tlog_tiles::Error> {
        let hashes = tlog_tiles::stored_hashes_for_record_hash(n, leaf, &*self)?;
        let first = tlog_tiles::stored_hash_index(0, n);
        let stored: Vec<(u64, Hash)> =
            hashes.into_iter().enumerate().map(|(i, h)| (first + i as u64, h)).collect();
        for (index, hash) in &stored {
            self.hashes.insert(*index, *hash);
        }
        Ok(stored)
    }
}

impl HashReader for MemoryHashes {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        let mut found = Vec::with_capacity(indexes.len());
        let mut missing = Vec::new();
        for index in indexes {
            match self.hashes.get(index) {
                Some(hash) => found.push(*hash),
                None => missing.push(*index),
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let count = missing.len();
        self.missing.borrow_mut().extend(missing);
        Err(tlog_tiles::Error::InvalidInput(format!("{count} stored hashes are not at hand")))
    }
}

/// The root of the tree whose leaves are these entries' chain hashes, in
/// order: what a verifier holding the whole log compares with a checkpoint.
pub fn root_of(entry_hashes: impl IntoIterator<Item = Digest>) -> Hash {
    // The right edge of the tree so far: the roots of its complete
    // subtrees, largest first, each with its number of leaves.
    let mut edge: Vec<(u64, Hash)> = Vec::new();
    for entry in entry_hashes {
        let mut node = (1u64, leaf_hash(&entry));
        while let Some(&(size, left)) = edge.last() {
            if size != node.0 {
                break;
            }
            edge.pop();
            node = (size * 2, tlog_tiles::node_hash(left, node.1));
        }
        edge.push(node);
    }
    let mut nodes = edge.into_iter().rev().map(|(_, hash)| hash);
    match nodes.next() {
        None => tlog_tiles::EMPTY_HASH,
        Some(first) => nodes.fold(first, |right, left| tlog_tiles::node_hash(left, right)),
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::prelude::BASE64_STANDARD;

    use super::*;

    fn entries(n: u64) -> Vec<Digest> {
        (0..n).map(|i| Digest::of_file(format!("entry {i}").as_bytes())).collect()
    }

    fn tree(n: u64) -> MemoryHashes {
        let mut hashes = MemoryHashes::default();
        for (i, entry) in entries(n).iter().enumerate() {
            hashes.append(i as u64, leaf_hash(entry)).unwrap();
        }
        hashes
    }

    #[test]
    fn the_edge_root_is_the_stored_tree_root() {
        for n in [1, 2, 3, 7, 8, 9, 255, 256, 257, 1000] {
            let hashes = tree(n);
            assert_eq!(root_of(entries(n)), tlog_tiles::tree_hash(n, &hashes).unwrap(), "size {n}");
        }
        assert_eq!(root_of([]), tlog_tiles::EMPTY_HASH);
    }

    #[test]
    fn a_signed_checkpoint_opens_with_the_key_and_only_with_it() {
        let key = LogKey::from_seed("opendraw.test/log", &[7; 32]).unwrap();
        let root = root_of(entries(5));
        let note = key.sign(5, &root);
        assert!(note.starts_with(&format!(
            "opendraw.test/log\n5\n{}\n\n— opendraw.test/log ",
            BASE64_STANDARD.encode(root.0)
        )));
        let opened = open_checkpoint(note.as_bytes(), &key.verifier_key()).unwrap();
        assert_eq!((opened.size, opened.root), (5, root));
        let other = LogKey::from_seed("opendraw.test/log", &[8; 32]).unwrap();
        assert!(matches!(
            open_checkpoint(note.as_bytes(), &other.verifier_key()),
            Err(TlogError::NotSigned(_))
        ));
        let forged = note.replacen("\n5\n", "\n6\n", 1);
        assert!(matches!(
            open_checkpoint(forged.as_bytes(), &key.verifier_key()),
            Err(TlogError::NotSigned(_))
        ));
        assert!(matches!(LogKey::from_seed("two words", &[7; 32]), Err(TlogError::BadOrigin(_))));
    }

    #[test]
    fn proofs_check_and_tampered_ones_do_not() {
        let hashes = tree(300);
        let all = entries(300);
        let root = tlog_tiles::tree_hash(300, &hashes).unwrap();
        for seq in [1u64, 2, 150, 256, 257, 300] {
            let proof = tlog_tiles::prove_record(300, seq - 1, &hashes).unwrap();
            check_inclusion(&proof, 300, &root, seq, &all[seq as usize - 1]).unwrap();
            assert!(check_inclusion(&proof, 300, &root, seq, &all[(seq as usize) % 300]).is_err());
        }
        for old in [1u64, 2, 3, 100, 256, 299, 300] {
            let old_root = tlog_tiles::tree_hash(old, &hashes).unwrap();
            let proof = if old == 300 { vec![] } else { tlog_tiles::prove_tree(300, old, &hashes).unwrap() };
            check_consistency(&proof, old, &old_root, 300, &root).unwrap();
            let other = root_of(entries(old + 1).into_iter().skip(1));
            assert!(check_consistency(&proof, old, &other, 300, &root).is_err(), "size {old}");
        }
    }
}
