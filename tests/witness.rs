//! `opendraw witness` run as a process of its own on a real port, asked by
//! the client a log uses: it cosigns a log's first checkpoint and each
//! consistent growth, with a cosignature its verifier key checks and a
//! timestamp of now; it refuses a wrong old size (409 with its size), a
//! checkpoint of another history (422, remembering nothing of it), an
//! unknown log (404), a bad log signature (403) and a malformed request
//! (400); and it keeps what it cosigned across a restart.

use std::path::PathBuf;
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::SigningKey;
use opendraw::protocol::cosignature::{CosignatureVerifier, timestamp_of};
use opendraw::witness::{WitnessError, add_checkpoint};
use signed_note::{Note, StandardSigner, VerifierList};
use tlog_tiles::{Checkpoint, Hash, HashReader};

#[path = "witness_process/mod.rs"]
mod witness_process;
use witness_process::{WitnessProcess, witness_key};

const WITNESS: &str = "witness.test/w1";
const ORIGIN: &str = "opendraw.test/log";

/// A Merkle tree log kept in memory, signing its checkpoints with a key
/// made from `seed`.
struct TestLog {
    origin: String,
    signer: StandardSigner,
    vkey: String,
    stored: StoredHashes,
    size: u64,
}

struct StoredHashes(Vec<Hash>);

impl HashReader for StoredHashes {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&i| self.0.get(i as usize).copied().ok_or(tlog_tiles::Error::IndexesNotInTree))
            .collect()
    }
}

impl TestLog {
    fn new(origin: &str, seed: u8) -> Self {
        let key = SigningKey::from_bytes(&[seed; 32]);
        let mut typed = vec![0x01];
        typed.extend_from_slice(key.verifying_key().as_bytes());
        let id = signed_note::key_id(origin, &typed);
        let mut private = vec![0x01];
        private.extend_from_slice(key.as_bytes());
        let skey = format!("PRIVATE+KEY+{origin}+{id:08x}+{}", BASE64.encode(private));
        Self {
            origin: origin.to_owned(),
            signer: StandardSigner::new(&skey).unwrap(),
            vkey: signed_note::new_ed25519_verifier_key(origin, &key.verifying_key()),
            stored: StoredHashes(Vec::new()),
            size: 0,
        }
    }

    /// Appends leaves whose data are 32-byte entry hashes made from `tag`.
    fn grow(&mut self, leaves: u64, tag: u8) -> &mut Self {
        for _ in 0..leaves {
            let mut data = [tag; 32];
            data[..8].copy_from_slice(&self.size.to_be_bytes());
            let hashes = tlog_tiles::stored_hashes(self.size, &data, &self.stored).unwrap();
            self.stored.0.extend(hashes);
            self.size += 1;
        }
        self
    }

    fn root(&self) -> Hash {
        tlog_tiles::tree_hash(self.size, &self.stored).unwrap()
    }

    fn text(&self) -> Vec<u8> {
        Checkpoint::new(&self.origin, self.size, self.root(), "").unwrap().to_bytes()
    }

    fn checkpoint(&self) -> Vec<u8> {
        let mut note = Note::new(&self.text(), &[]).unwrap();
        note.add_sigs(&[&self.signer]).unwrap();
        note.to_bytes()
    }

    fn proof_from(&self, old: u64) -> Vec<Hash> {
        tlog_tiles::prove_tree(self.size, old, &self.stored).unwrap()
    }
}

fn state_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    (dir, state)
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// Submits `log`'s checkpoint with the proof from `old`.
async fn submit(
    witness: &WitnessProcess,
    log: &TestLog,
    old: u64,
) -> Result<Vec<signed_note::Signature>, WitnessError> {
    let proof = if old == 0 { Vec::new() } else { log.proof_from(old) };
    add_checkpoint(&reqwest::Client::new(), &witness.url, old, &proof, &log.checkpoint()).await
}

async fn post(witness: &WitnessProcess, body: Vec<u8>) -> (u16, String, String) {
    let response = reqwest::Client::new()
        .post(format!("{}/add-checkpoint", witness.url))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let kind =
        response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, kind, response.text().await.unwrap())
}

fn refused_with(result: Result<Vec<signed_note::Signature>, WitnessError>, status: u16) -> String {
    match result {
        Err(WitnessError::Refused { status: got, text }) if got == status => text,
        other => panic!("expected a refusal with {status}, got {other:?}"),
    }
}

/// The cosignature verifies over the log's checkpoint with the witness's
/// key, and its timestamp is now.
fn assert_cosigns(signatures: &[signed_note::Signature], log: &TestLog, vkey: &str) {
    assert_eq!(signatures.len(), 1);
    assert_eq!(signatures[0].name(), WITNESS);
    let verifier = CosignatureVerifier::from_verifier_key(vkey).unwrap();
    let note = Note::new(&log.text(), signatures).unwrap();
    let (verified, _) = note.verify(&VerifierList::new(vec![Box::new(verifier)])).unwrap();
    assert_eq!(verified.len(), 1);
    let timestamp = timestamp_of(&signatures[0]).unwrap();
    assert!(timestamp.abs_diff(now()) <= 60, "timestamp {timestamp}, now {}", now());
}

#[tokio::test]
async fn the_first_checkpoint_and_each_consistent_growth_are_cosigned() {
    let (_dir, state) = state_dir();
    let mut log = TestLog::new(ORIGIN, 1);
    let witness = WitnessProcess::start(&state, WITNESS, &[&log.vkey]);
    let vkey = witness_key(&state);
    assert!(vkey.starts_with(&format!("{WITNESS}+")));

    log.grow(3, 0xaa);
    assert_cosigns(&submit(&witness, &log, 0).await.unwrap(), &log, &vkey);
    log.grow(4, 0xaa);
    assert_cosigns(&submit(&witness, &log, 3).await.unwrap(), &log, &vkey);
    log.grow(1000, 0xaa);
    assert_cosigns(&submit(&witness, &log, 7).await.unwrap(), &log, &vkey);
    // The same checkpoint again is cosigned again (no proof from 1007 to 1007).
    assert_cosigns(&submit(&witness, &log, 1007).await.unwrap(), &log, &vkey);

    // Monitors read the latest cosigned checkpoint by the SHA-256 of the origin.
    let origin_hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(ORIGIN));
    let latest = reqwest::get(format!("{}/{origin_hash}/checkpoint", witness.url)).await.unwrap();
    assert_eq!(latest.status(), 200);
    let note = Note::from_bytes(&latest.bytes().await.unwrap()).unwrap();
    assert_eq!(note.text(), log.text());
    let both = VerifierList::new(vec![
        Box::new(signed_note::StandardVerifier::new(&log.vkey).unwrap()),
        Box::new(CosignatureVerifier::from_verifier_key(&vkey).unwrap()),
    ]);
    assert_eq!(note.verify(&both).unwrap().0.len(), 2, "the log's signature and the cosignature");
    let unknown = reqwest::get(format!("{}/{}/checkpoint", witness.url, "0".repeat(64))).await.unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn a_wrong_old_size_gets_409_with_the_size_the_witness_holds() {
    let (_dir, state) = state_dir();
    let mut log = TestLog::new(ORIGIN, 1);
    let witness = WitnessProcess::start(&state, WITNESS, &[&log.vkey]);
    log.grow(5, 0xaa);
    submit(&witness, &log, 0).await.unwrap();
    log.grow(3, 0xaa);

    let mut body = b"old 4\n".to_vec();
    for hash in log.proof_from(4) {
        body.extend_from_slice(format!("{hash}\n").as_bytes());
    }
    body.push(b'\n');
    body.extend_from_slice(&log.checkpoint());
    assert_eq!(post(&witness, body).await, (409, "text/x.tlog.size".into(), "5\n".into()));
    assert!(matches!(submit(&witness, &log, 0).await, Err(WitnessError::Conflict(5))));
    assert!(matches!(submit(&witness, &log, 6).await, Err(WitnessError::Conflict(5))));
    submit(&witness, &log, 5).await.unwrap();
}

#[tokio::test]
async fn a_checkpoint_of_another_history_gets_422_and_changes_nothing() {
    let (_dir, state) = state_dir();
    let mut log = TestLog::new(ORIGIN, 1);
    let witness = WitnessProcess::start(&state, WITNESS, &[&log.vkey]);
    log.grow(6, 0xaa);
    submit(&witness, &log, 0).await.unwrap();

    // The same key signs a tree of 9 leaves whose first 6 differ: a fork.
    let mut fork = TestLog::new(ORIGIN, 1);
    fork.grow(6, 0xbb).grow(3, 0xaa);
    let text = refused_with(submit(&witness, &fork, 6).await, 422);
    assert!(text.contains("consistency proof"), "{text}");
    // A proof made up of the honest log's hashes does not help either.
    log.grow(3, 0xaa);
    let proof = log.proof_from(6);
    let forged = add_checkpoint(&reqwest::Client::new(), &witness.url, 6, &proof, &fork.checkpoint()).await;
    refused_with(forged, 422);
    // Same size, another root.
    let mut same_size = TestLog::new(ORIGIN, 1);
    same_size.grow(6, 0xbb);
    refused_with(submit(&witness, &same_size, 6).await, 422);

    // The witness still holds the honest tree of 6 and cosigns its growth.
    assert!(matches!(submit(&witness, &fork, 0).await, Err(WitnessError::Conflict(6))));
    submit(&witness, &log, 6).await.unwrap();
}

#[tokio::test]
async fn a_first_checkpoint_with_a_proof_or_an_empty_tree_with_a_root_gets_422() {
    let (_dir, state) = state_dir();
    let mut log = TestLog::new(ORIGIN, 1);
    let witness = WitnessProcess::start(&state, WITNESS, &[&log.vkey]);
    log.grow(4, 0xaa);
    let proof = log.proof_from(2);
    refused_with(
        add_checkpoint(&reqwest::Client::new(), &witness.url, 0, &proof, &log.checkpoint()).await,
        422,
    );
    let mut empty = Note::new(&Checkpoint::new(ORIGIN, 0, log.root(), "").unwrap().to_bytes(), &[]).unwrap();
    empty.add_sigs(&[&log.signer]).unwrap();
    refused_with(add_checkpoint(&reqwest::Client::new(), &witness.url, 0, &[], &empty.to_bytes()).await, 422);
    // Nothing was cosigned: the witness still holds size 0.
    submit(&witness, &log, 0).await.unwrap();
}

#[tokio::test]
async fn an_unknown_origin_gets_404() {
    let (_dir, state) = state_dir();
    let known = TestLog::new(ORIGIN, 1);
    let witness = WitnessProcess::start(&state, WITNESS, &[&known.vkey]);
    let mut other = TestLog::new("other.test/log", 2);
    other.grow(2, 0xaa);
    let text = refused_with(submit(&witness, &other, 0).await, 404);
    assert!(text.contains("other.test/log"), "{text}");
}

#[tokio::test]
async fn a_checkpoint_without_a_valid_log_signature_gets_403() {
    let (_dir, state) = state_dir();
    let mut log = TestLog::new(ORIGIN, 1);
    let witness = WitnessProcess::start(&state, WITNESS, &[&log.vkey]);
    log.grow(2, 0xaa);

    // Signed by another key under the log's name: no signature of a known key.
    let mut impostor = TestLog::new(ORIGIN, 9);
    impostor.grow(2, 0xaa);
    refused_with(submit(&witness, &impostor, 0).await, 403);

    // The log's key id, but the signature does not verify.
    let good = String::from_utf8(log.checkpoint()).unwrap();
    let (body, line) = good.trim_end().rsplit_once('\n').unwrap();
    let mut signature = BASE64.decode(line.rsplit_once(' ').unwrap().1).unwrap();
    signature[10] ^= 1;
    let tampered = format!("{body}\n— {ORIGIN} {}\n", BASE64.encode(signature));
    let result = add_checkpoint(&reqwest::Client::new(), &witness.url, 0, &[], tampered.as_bytes()).await;
    refused_with(result, 403);

    // Nothing was cosigned.
    submit(&witness, &log, 0).await.unwrap();
}

#[tokio::test]
async fn a_malformed_request_or_an_old_size_beyond_the_checkpoint_gets_400() {
    let (_dir, state) = state_dir();
    let mut log = TestLog::new(ORIGIN, 1);
    let witness = WitnessProcess::start(&state, WITNESS, &[&log.vkey]);
    log.grow(3, 0xaa);
    let checkpoint = log.checkpoint();
    for body in [
        b"old 01\n\n".to_vec(),
        b"hello".to_vec(),
        [b"old 0\n".as_slice(), checkpoint.as_slice()].concat(),
        [b"old 0\nnot a hash\n\n".as_slice(), checkpoint.as_slice()].concat(),
        b"old 0\n\nopendraw.test/log\n3\nnot a hash\n\n\xe2\x80\x94 opendraw.test/log AAAAAQE=\n".to_vec(),
    ] {
        let (status, _, text) = post(&witness, body.clone()).await;
        assert_eq!(status, 400, "{}: {text}", String::from_utf8_lossy(&body));
    }
    let text =
        refused_with(add_checkpoint(&reqwest::Client::new(), &witness.url, 4, &[], &checkpoint).await, 400);
    assert!(text.contains("larger than"), "{text}");
    let (status, _, _) = post(&witness, vec![b'x'; opendraw::witness::MAX_BODY + 1]).await;
    assert_eq!(status, 413);
    submit(&witness, &log, 0).await.unwrap();
}

#[tokio::test]
async fn a_restarted_witness_keeps_its_key_and_what_it_cosigned() {
    let (_dir, state) = state_dir();
    let mut log = TestLog::new(ORIGIN, 1);
    let other = TestLog::new("other.test/log", 2);
    let first = WitnessProcess::start(&state, WITNESS, &[&log.vkey]);
    let vkey = witness_key(&state);
    log.grow(4, 0xaa);
    submit(&first, &log, 0).await.unwrap();
    drop(first);

    let again = WitnessProcess::start(&state, WITNESS, &[&log.vkey, &other.vkey]);
    assert_eq!(witness_key(&state), vkey);
    assert!(matches!(submit(&again, &log, 0).await, Err(WitnessError::Conflict(4))));
    log.grow(2, 0xaa);
    assert_cosigns(&submit(&again, &log, 4).await.unwrap(), &log, &vkey);
}

#[test]
fn a_state_directory_serves_one_witness_name() {
    let (_dir, state) = state_dir();
    let log = TestLog::new(ORIGIN, 1);
    drop(WitnessProcess::start(&state, WITNESS, &[&log.vkey]));
    let output = Command::new(env!("CARGO_BIN_EXE_opendraw"))
        .args([
            "witness",
            "--bind",
            "127.0.0.1:0",
            "--name",
            "witness.test/w2",
            "--log",
            &log.vkey,
            "--state",
        ])
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("a witness's name and key go together"));
}
