//! Witness cosignatures of a log's checkpoints (PROTOCOL.md §15.5), in the
//! C2SP tlog-cosignature/v1 format with Ed25519, signature type 0x04:
//!
//! ```text
//! — <witness name> base64(key id (4) || timestamp u64 BE (8) || Ed25519 signature (64))
//! ```
//!
//! The signature covers `cosignature/v1\ntime <timestamp>\n` followed by the
//! checkpoint's note text, so a cosignature says "as of this second, this is
//! the largest consistent tree I have seen for this log". Pure: the signer
//! is given its timestamp, it never reads a clock.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{SigningKey, VerifyingKey};
use signed_note::{Signature, Signer, Verifier};

/// The signed-note signature type of a timestamped Ed25519 cosignature.
pub const COSIGNATURE_TYPE: u8 = 0x04;
/// A cosignature's bytes after the key id: the timestamp and the signature.
pub const COSIGNATURE_LEN: usize = 8 + ed25519_dalek::SIGNATURE_LENGTH;
/// The specification bounds timestamps by 2^63 - 1.
const MAX_TIMESTAMP: u64 = i64::MAX as u64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CosignatureError {
    #[error("a key name must be non-empty, without spaces or '+': {0:?}")]
    KeyName(String),
    #[error("a cosignature's timestamp is at most 2^63 - 1 seconds and not 0: {0}")]
    Timestamp(u64),
    #[error(
        "not a verifier key of the form <name>+<8 hex digits>+<base64 of 0x04 and a 32-byte Ed25519 key>"
    )]
    VerifierKey,
    #[error("the verifier key's id does not match its name and key")]
    VerifierKeyId,
    #[error("not a note signature line (— <name> <base64>)")]
    Line,
    #[error("not a cosignature: {0} bytes after the key id, not {COSIGNATURE_LEN}")]
    Length(usize),
}

/// `SHA-256(name || "\n" || 0x04 || public key)[:4]`, big-endian.
pub fn key_id(name: &str, key: &VerifyingKey) -> u32 {
    signed_note::key_id(name, &typed_key(key))
}

/// The witness's verifier key: `<name>+<hex id>+<base64(0x04 || public key)>`.
pub fn verifier_key(name: &str, key: &VerifyingKey) -> String {
    format!("{name}+{:08x}+{}", key_id(name, key), BASE64.encode(typed_key(key)))
}

fn typed_key(key: &VerifyingKey) -> [u8; 33] {
    let mut typed = [0u8; 33];
    typed[0] = COSIGNATURE_TYPE;
    typed[1..].copy_from_slice(key.as_bytes());
    typed
}

/// What a cosignature at `timestamp` signs over a checkpoint's note text
/// (its lines with the final newline, no signature lines).
pub fn signed_message(timestamp: u64, checkpoint_text: &[u8]) -> Vec<u8> {
    let mut message = format!("cosignature/v1\ntime {timestamp}\n").into_bytes();
    message.extend_from_slice(checkpoint_text);
    message
}

/// The timestamp of a cosignature, in seconds since the Unix epoch: the
/// first 8 bytes, big-endian, after the key id. It says nothing until the
/// signature has been verified with the witness's key.
pub fn timestamp_of(signature: &Signature) -> Result<u64, CosignatureError> {
    let bytes = signature.signature();
    if bytes.len() != COSIGNATURE_LEN {
        return Err(CosignatureError::Length(bytes.len()));
    }
    let mut timestamp = [0u8; 8];
    timestamp.copy_from_slice(&bytes[..8]);
    Ok(u64::from_be_bytes(timestamp))
}

/// As [`timestamp_of`], from a signature line (`— name base64`, with or
/// without its newline).
pub fn timestamp_of_line(line: &str) -> Result<u64, CosignatureError> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let signature = Signature::from_bytes(line.as_bytes()).map_err(|_| CosignatureError::Line)?;
    timestamp_of(&signature)
}

fn check_name(name: &str) -> Result<(), CosignatureError> {
    if signed_note::is_key_name_valid(name) {
        Ok(())
    } else {
        Err(CosignatureError::KeyName(name.to_owned()))
    }
}

/// Cosigns checkpoints as the witness `name`, stamped with `timestamp`.
pub struct Cosigner {
    name: String,
    id: u32,
    key: SigningKey,
    timestamp: u64,
}

impl Cosigner {
    pub fn new(name: &str, key: SigningKey, timestamp: u64) -> Result<Self, CosignatureError> {
        check_name(name)?;
        // A zero timestamp would claim nothing about time; the witness
        // protocol forbids it.
        if timestamp == 0 || timestamp > MAX_TIMESTAMP {
            return Err(CosignatureError::Timestamp(timestamp));
        }
        let id = key_id(name, &key.verifying_key());
        Ok(Self { name: name.to_owned(), id, key, timestamp })
    }

    pub fn verifier(&self) -> CosignatureVerifier {
        CosignatureVerifier { name: self.name.clone(), id: self.id, key: self.key.verifying_key() }
    }
}

impl Signer for Cosigner {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        self.id
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, ed25519_dalek::SignatureError> {
        use ed25519_dalek::Signer as _;
        let signature = self.key.try_sign(&signed_message(self.timestamp, msg))?;
        let mut bytes = Vec::with_capacity(COSIGNATURE_LEN);
        bytes.extend_from_slice(&self.timestamp.to_be_bytes());
        bytes.extend_from_slice(&signature.to_bytes());
        Ok(bytes)
    }
}

/// Checks a witness's cosignatures.
#[derive(Debug, Clone)]
pub struct CosignatureVerifier {
    name: String,
    id: u32,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    pub fn new(name: &str, key: VerifyingKey) -> Result<Self, CosignatureError> {
        check_name(name)?;
        Ok(Self { name: name.to_owned(), id: key_id(name, &key), key })
    }

    /// From the witness's verifier key, `<name>+<hex id>+<base64(0x04 || key)>`.
    pub fn from_verifier_key(vkey: &str) -> Result<Self, CosignatureError> {
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CosignatureError::VerifierKey);
        };
        check_name(name)?;
        let id = (id.len() == 8).then(|| u32::from_str_radix(id, 16).ok()).flatten();
        let key = BASE64.decode(key).map_err(|_| CosignatureError::VerifierKey)?;
        let (Some(id), [COSIGNATURE_TYPE, key @ ..]) = (id, key.as_slice()) else {
            return Err(CosignatureError::VerifierKey);
        };
        let key: &[u8; 32] = key.try_into().map_err(|_| CosignatureError::VerifierKey)?;
        let key = VerifyingKey::from_bytes(key).map_err(|_| CosignatureError::VerifierKey)?;
        let verifier = Self::new(name, key)?;
        if verifier.id != id {
            return Err(CosignatureError::VerifierKeyId);
        }
        Ok(verifier)
    }

    pub fn verifier_key(&self) -> String {
        verifier_key(&self.name, &self.key)
    }
}

impl Verifier for CosignatureVerifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        self.id
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let Ok(bytes) = <&[u8; COSIGNATURE_LEN]>::try_from(sig) else { return false };
        let (timestamp, signature) = bytes.split_at(8);
        let timestamp = u64::from_be_bytes(timestamp.try_into().expect("8 bytes"));
        if timestamp > MAX_TIMESTAMP {
            return false;
        }
        let signature = ed25519_dalek::Signature::from_slice(signature).expect("64 bytes");
        self.key.verify_strict(&signed_message(timestamp, msg), &signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use signed_note::{Note, VerifierList};

    use super::*;

    const CHECKPOINT: &[u8] =
        b"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn cosigned(cosigner: &Cosigner) -> Note {
        let mut note = Note::new(CHECKPOINT, &[]).unwrap();
        note.add_sigs(&[cosigner]).unwrap();
        note
    }

    fn verifies(note: &Note, verifier: CosignatureVerifier) -> bool {
        note.verify(&VerifierList::new(vec![Box::new(verifier)])).is_ok()
    }

    #[test]
    fn a_cosignature_is_the_timestamp_then_an_ed25519_signature_of_the_spec_message() {
        let cosigner = Cosigner::new("witness.example/w1", key(7), 1_679_315_147).unwrap();
        let bytes = cosigner.sign(CHECKPOINT).unwrap();
        assert_eq!(bytes.len(), 72);
        assert_eq!(bytes[..8], 1_679_315_147u64.to_be_bytes());
        // The message as the specification writes it out, byte for byte.
        let message = b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let signature = ed25519_dalek::Signature::from_slice(&bytes[8..]).unwrap();
        key(7).verifying_key().verify_strict(message, &signature).unwrap();
    }

    #[test]
    fn the_key_id_hashes_the_name_and_the_key_with_type_byte_4() {
        use sha2::Digest as _;
        let public = key(7).verifying_key();
        let mut hasher = sha2::Sha256::new();
        hasher.update(b"witness.example/w1\n\x04");
        hasher.update(public.as_bytes());
        let digest = hasher.finalize();
        assert_eq!(
            key_id("witness.example/w1", &public),
            u32::from_be_bytes(digest[..4].try_into().unwrap())
        );
        // Not the id of a plain Ed25519 note key (type 0x01) of the same name.
        assert_ne!(
            key_id("witness.example/w1", &public),
            signed_note::key_id("witness.example/w1", &{
                let mut typed = vec![0x01];
                typed.extend_from_slice(public.as_bytes());
                typed
            })
        );
    }

    #[test]
    fn a_cosigned_checkpoint_verifies_with_the_witness_key_and_no_other() {
        let cosigner = Cosigner::new("witness.example/w1", key(7), 1_700_000_000).unwrap();
        let note = cosigned(&cosigner);
        assert!(verifies(&note, cosigner.verifier()));
        let other = CosignatureVerifier::new("witness.example/w1", key(8).verifying_key()).unwrap();
        assert!(
            !verifies(&note, other),
            "a different key has a different id: the note has no known signature"
        );
    }

    #[test]
    fn the_verifier_key_round_trips_and_starts_with_type_byte_4() {
        let verifier = CosignatureVerifier::new("witness.example/w1", key(7).verifying_key()).unwrap();
        let vkey = verifier.verifier_key();
        let (_, encoded) = vkey.rsplit_once('+').unwrap();
        assert_eq!(BASE64.decode(encoded).unwrap()[0], 0x04);
        let parsed = CosignatureVerifier::from_verifier_key(&vkey).unwrap();
        assert_eq!(parsed.key_id(), verifier.key_id());
        assert_eq!(parsed.name(), "witness.example/w1");
        // A log's own key (type 0x01) is not a witness key.
        let log_key = signed_note::new_ed25519_verifier_key("witness.example/w1", &key(7).verifying_key());
        assert_eq!(
            CosignatureVerifier::from_verifier_key(&log_key).unwrap_err(),
            CosignatureError::VerifierKey
        );
        let wrong_id = format!("witness.example/w1+00000000+{encoded}");
        assert_eq!(
            CosignatureVerifier::from_verifier_key(&wrong_id).unwrap_err(),
            CosignatureError::VerifierKeyId
        );
        assert!(CosignatureVerifier::from_verifier_key("witness.example/w1+1234").is_err());
    }

    #[test]
    fn a_changed_checkpoint_timestamp_or_signature_does_not_verify() {
        let cosigner = Cosigner::new("witness.example/w1", key(7), 1_700_000_000).unwrap();
        let verifier = cosigner.verifier();
        let good = cosigner.sign(CHECKPOINT).unwrap();
        assert!(verifier.verify(CHECKPOINT, &good));
        let other_body =
            b"example.com/behind-the-sofa\n20852164\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        assert!(!verifier.verify(other_body, &good), "another checkpoint");
        for at in [7, 8, 71] {
            let mut bad = good.clone();
            bad[at] ^= 1;
            assert!(!verifier.verify(CHECKPOINT, &bad), "byte {at} flipped");
        }
        assert!(!verifier.verify(CHECKPOINT, &good[..71]), "cut short");
        let mut far = good.clone();
        far[..8].copy_from_slice(&u64::MAX.to_be_bytes());
        assert!(!verifier.verify(CHECKPOINT, &far), "a timestamp past 2^63 - 1");
    }

    #[test]
    fn the_timestamp_is_read_from_a_cosignature_line() {
        let cosigner = Cosigner::new("witness.example/w1", key(7), 1_700_000_123).unwrap();
        let note = cosigned(&cosigner);
        let text = String::from_utf8(note.to_bytes()).unwrap();
        let line = text.lines().last().unwrap();
        assert!(line.starts_with("— witness.example/w1 "));
        assert_eq!(timestamp_of_line(line).unwrap(), 1_700_000_123);
    }

    #[test]
    fn the_timestamp_of_a_published_cosignature_is_read_as_its_implementations_read_it() {
        // A cosignature published as a test case of transparency-dev/formats
        // (note/note_cosigv1_test.go), whose timestamp is 1727964367.
        let line = "— w ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==";
        assert_eq!(timestamp_of_line(line).unwrap(), 1_727_964_367);
        // A plain Ed25519 note signature (64 bytes) is not a cosignature.
        let plain = "— w eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY=";
        assert_eq!(timestamp_of_line(plain).unwrap_err(), CosignatureError::Length(64));
        assert_eq!(timestamp_of_line("w abc").unwrap_err(), CosignatureError::Line);
    }

    #[test]
    fn a_signer_refuses_a_zero_or_too_large_timestamp_and_a_bad_name() {
        assert!(Cosigner::new("w", key(1), 0).is_err());
        assert!(Cosigner::new("w", key(1), 1 << 63).is_err());
        assert!(Cosigner::new("a b", key(1), 1).is_err());
        assert!(Cosigner::new("a+b", key(1), 1).is_err());
    }
}
