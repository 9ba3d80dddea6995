//! The transparency log's work beside its floor (PROTOCOL.md §15.4):
//!
//! - checking a log of 1 000 000 entries: its hash chain (`verify_log`,
//!   what `opendraw log verify` runs) and its Merkle root (`root_of`, which
//!   `log verify` compares with the signed checkpoint); the floor is the
//!   SHA-256 work alone — one 65-byte hash per leaf and one per inner node,
//!   2 n − 1 in all, with the `sha2` crate the code uses;
//! - signing a checkpoint and opening one (an Ed25519 signature and its
//!   check, the floor: `ed25519-dalek` alone on the same bytes);
//! - checking an inclusion and a consistency proof in a tree of 1 M.
//!
//!     cargo bench --bench tlog
//!
//! Results go to BENCHMARKS.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _};
use opendraw::protocol::Digest;
use opendraw::protocol::log::{LogEntry, kind, verify_log};
use opendraw::protocol::tlog::{
    LogKey, MemoryHashes, check_consistency, check_inclusion, leaf_hash, open_checkpoint, root_of,
};
use sha2::{Digest as _, Sha256};

const ENTRIES: u64 = 1_000_000;

/// A log of ENTRIES entries, a task created and abandoned per two, so that
/// the lifecycle checks have work too.
fn log() -> Vec<LogEntry> {
    let mut entries: Vec<LogEntry> = Vec::with_capacity(ENTRIES as usize);
    for seq in 1..=ENTRIES {
        let task = seq.div_ceil(2);
        let (kind, payload) = match seq % 2 {
            1 => (
                kind::CREATED,
                format!("{{\"task\":{task},\"name\":\"task {task}\",\"department\":\"market\"}}"),
            ),
            _ => (kind::ABANDONED, format!("{{\"task\":{task},\"reason\":\"bench\",\"from\":\"draft\"}}")),
        };
        let previous = entries.last().map_or(Digest([0; 32]), |entry| entry.hash);
        entries.push(LogEntry::new(
            seq,
            "2026-12-01T08:30:00.000Z".into(),
            kind,
            Some(task),
            "admin",
            payload,
            previous,
        ));
    }
    entries
}

fn bench(c: &mut Criterion) {
    let entries = log();
    let hashes: Vec<Digest> = entries.iter().map(|entry| entry.hash).collect();
    let mut group = c.benchmark_group("log of 1 M entries");
    group.sample_size(10);
    group.bench_function("chain and lifecycle check (verify_log)", |b| {
        b.iter(|| assert!(verify_log(black_box(&entries)).passed()))
    });
    group.bench_function("Merkle root (root_of)", |b| b.iter(|| root_of(black_box(hashes.iter().copied()))));
    group.bench_function("floor: 2n-1 SHA-256 of 65 bytes", |b| {
        let block = [7u8; 65];
        b.iter(|| {
            let mut last = [0u8; 32];
            for _ in 0..(2 * ENTRIES - 1) {
                last = Sha256::digest(black_box(&block)).into();
            }
            last
        })
    });
    group.finish();

    let mut tree = MemoryHashes::default();
    for (index, hash) in hashes.iter().enumerate() {
        tree.append(index as u64, leaf_hash(hash)).unwrap();
    }
    let root = tlog_tiles::tree_hash(ENTRIES, &tree).unwrap();
    let seq = ENTRIES / 3;
    let inclusion = tlog_tiles::prove_record(ENTRIES, seq - 1, &tree).unwrap();
    let old = ENTRIES / 2 + 17;
    let old_root = tlog_tiles::tree_hash(old, &tree).unwrap();
    let consistency = tlog_tiles::prove_tree(ENTRIES, old, &tree).unwrap();
    let key = LogKey::from_seed("opendraw.bench/log", &[5; 32]).unwrap();
    let note = key.sign(ENTRIES, &root);
    let verifier_key = key.verifier_key();
    let plain = SigningKey::from_bytes(&[5; 32]);
    let text = note.split("\n\n").next().unwrap().to_owned() + "\n";
    let signature = plain.sign(text.as_bytes());

    let mut group = c.benchmark_group("checkpoints and proofs");
    group.bench_function("sign a checkpoint", |b| b.iter(|| key.sign(black_box(ENTRIES), &root)));
    group.bench_function("floor: Ed25519 sign", |b| b.iter(|| plain.sign(black_box(text.as_bytes()))));
    group.bench_function("open a checkpoint", |b| {
        b.iter(|| open_checkpoint(black_box(note.as_bytes()), &verifier_key).unwrap())
    });
    group.bench_function("floor: Ed25519 verify", |b| {
        b.iter(|| plain.verifying_key().verify(black_box(text.as_bytes()), &signature).unwrap())
    });
    group.bench_function("check an inclusion proof (1 M)", |b| {
        b.iter(|| {
            check_inclusion(black_box(&inclusion), ENTRIES, &root, seq, &hashes[seq as usize - 1]).unwrap()
        })
    });
    group.bench_function("check a consistency proof (1 M)", |b| {
        b.iter(|| check_consistency(black_box(&consistency), old, &old_root, ENTRIES, &root).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
