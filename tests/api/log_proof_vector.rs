//! tests/vectors/log-proof.json: the `log.tsv` of a revealed task's bundle
//! as a real server made it, with a witness run as its own process having
//! cosigned a checkpoint that holds the commitment, and copies of it changed
//! as a forger would change them, each with the check it must fail. The
//! browser's verifier (public/verify.js) is tested against the same file
//! (tests/js/log-proof.test.mjs), so that the two readings of `log.tsv`
//! cannot drift apart unseen.
//!
//! Every run makes a fresh bundle and checks it; `OPENDRAW_BLESS=1 cargo
//! test --test api log_proof_vector` also rewrites the vector from it. The
//! stored vector's cases are checked with the reference checker each run.

use std::path::PathBuf;

use base64::Engine as _;
use base64::prelude::BASE64_STANDARD;
use opendraw::protocol::cosignature::CosignatureVerifier;
use opendraw::protocol::log::LogEntry;
use opendraw::protocol::log_proof::{self, LogProof};
use opendraw::protocol::tlog::LogKey;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, DICE, TestApp, expect};

fn vector_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/log-proof.json")
}

/// The name a verifier gives the check that failed first, from the
/// reference checker's words: the browser's verifier names its checks so.
fn failed_check(text: &str) -> &'static str {
    let stages = [
        ("log proof:", "log-proof"),
        ("log key:", "log-key"),
        ("log checkpoint:", "log-checkpoint"),
        ("log entry ", "log-entry"),
        ("log entries:", "log-pins"),
        ("witnessed checkpoint:", "log-witnessed"),
    ];
    stages
        .iter()
        .find(|(prefix, _)| text.starts_with(prefix))
        .map(|(_, stage)| *stage)
        .unwrap_or_else(|| panic!("a failure the vector has no name for: {text}"))
}

/// What the reference checker says of one case: None when every check
/// passes, else the name of the first failing one.
fn outcome(text: &str, task: u64, trusted: Option<&str>, witness: &str) -> Option<&'static str> {
    let proof = match LogProof::parse(text.as_bytes()) {
        Ok(proof) => proof,
        Err(problem) => return Some(failed_check(&format!("log proof: {problem}"))),
    };
    let witnesses = [CosignatureVerifier::from_verifier_key(witness).unwrap()];
    let report = log_proof::check(&proof, task, trusted, &witnesses, None);
    report.checks.iter().find(|(passed, _)| !passed).map(|(_, text)| failed_check(text))
}

fn text_of(proof: &LogProof) -> String {
    String::from_utf8(proof.to_text()).unwrap()
}

/// The task's entry of this kind, as log.tsv holds it.
fn entry_index(proof: &LogProof, kind: &str) -> usize {
    proof.entries.iter().position(|(entry, _)| entry.kind == kind).unwrap()
}

/// The payload with one hex digit of `key`'s value changed.
fn changed_payload(payload: &str, key: &str) -> String {
    let mut value: Value = serde_json::from_str(payload).unwrap();
    let digest = value[key].as_str().unwrap().to_owned();
    let first = if digest.starts_with('0') { "1" } else { "0" };
    value[key] = json!(format!("{first}{}", &digest[1..]));
    serde_json::to_string(&value).unwrap()
}

/// The checkpoint note with one bit of the log's own signature changed.
fn flipped_signature(note: &[u8], origin: &str) -> Vec<u8> {
    let text = String::from_utf8(note.to_vec()).unwrap();
    let prefix = format!("— {origin} ");
    let lines: Vec<String> = text
        .split_inclusive('\n')
        .map(|line| match line.strip_prefix(&prefix) {
            Some(signature) => {
                let mut bytes = BASE64_STANDARD.decode(signature.trim_end()).unwrap();
                bytes[10] ^= 0x01;
                format!("{prefix}{}\n", BASE64_STANDARD.encode(bytes))
            }
            None => line.to_owned(),
        })
        .collect();
    let changed = lines.concat();
    assert_ne!(changed, text, "the checkpoint has the log's signature line");
    changed.into_bytes()
}

/// The cases: the intact file, and each change with the check it fails.
fn cases(text: &str, key: &str) -> Vec<Value> {
    let proof = LogProof::parse(text.as_bytes()).unwrap();
    let origin = key.split('+').next().unwrap().to_owned();
    let case = |name: &str, description: &str, trusted: Option<&str>, text: String, fails: Option<&str>| json!({"name": name, "description": description, "trusted_key": trusted, "log.tsv": text, "fails": fails});
    let mut out = vec![
        case(
            "intact",
            "as the server made it, checked with the log's published key",
            Some(key),
            text.into(),
            None,
        ),
        case(
            "intact-key-from-the-file",
            "as the server made it, checked with the key the file names (no published key at hand)",
            None,
            text.into(),
            None,
        ),
    ];

    let drawn = entry_index(&proof, "task.drawn");
    let mut changed = proof.clone();
    changed.entries[drawn].0.payload = changed_payload(&proof.entries[drawn].0.payload, "result");
    out.push(case(
        "entry-payload-changed",
        "the task.drawn entry's payload names another result; the entry's stated hash is kept",
        Some(key),
        text_of(&changed),
        Some("log-proof"),
    ));

    let mut changed = proof.clone();
    let (entry, _) = &proof.entries[drawn];
    changed.entries[drawn].0 = LogEntry::new(
        entry.seq,
        entry.at.clone(),
        &entry.kind,
        entry.task,
        &entry.actor,
        changed_payload(&entry.payload, "result"),
        entry.prev_hash,
    );
    out.push(case(
        "entry-payload-rehashed",
        "the task.drawn entry's payload names another result, and its hash is recomputed to match",
        Some(key),
        text_of(&changed),
        Some("log-entry"),
    ));

    let mut changed = proof.clone();
    let committed = entry_index(&proof, "task.committed");
    changed.entries[committed].1[0].0[0] ^= 0x01;
    out.push(case(
        "inclusion-proof-hash-flipped",
        "one bit of the first hash of the task.committed entry's inclusion proof is changed",
        Some(key),
        text_of(&changed),
        Some("log-entry"),
    ));

    let mut changed = proof.clone();
    changed.checkpoint = flipped_signature(&proof.checkpoint, &origin);
    out.push(case(
        "checkpoint-signature-flipped",
        "one bit of the log's signature of the checkpoint is changed",
        Some(key),
        text_of(&changed),
        Some("log-checkpoint"),
    ));

    let other = LogKey::from_seed(&origin, &[7; 32]).unwrap().verifier_key();
    out.push(case(
        "wrong-key",
        "checked with another key of the same log's name: the file names the real one",
        Some(&other),
        text.into(),
        Some("log-key"),
    ));
    let mut changed = proof.clone();
    changed.key = other.clone();
    out.push(case(
        "file-names-another-key",
        "the file names another key of the same name, which did not sign the checkpoint; no published key at hand",
        None,
        text_of(&changed),
        Some("log-checkpoint"),
    ));

    let witnessed = proof.witnessed.as_ref().expect("a witness cosigned the commitment");
    let mut changed = proof.clone();
    changed.witnessed.as_mut().unwrap().consistency[0].0[31] ^= 0x80;
    out.push(case(
        "consistency-proof-hash-flipped",
        "one bit of the witnessed checkpoint's consistency proof is changed",
        Some(key),
        text_of(&changed),
        Some("log-witnessed"),
    ));
    let mut changed = proof.clone();
    changed.witnessed.as_mut().unwrap().seq = witnessed.seq + 1;
    out.push(case(
        "witnessed-other-entry",
        "the witnessed part names an entry that is not the task's commitment",
        Some(key),
        text_of(&changed),
        Some("log-witnessed"),
    ));
    out
}

/// A revealed task whose commitment a witness cosigned before the draw.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_proof_vector() {
    use opendraw::service::witnesses::Witnesses;

    let app = TestApp::spawn(Backend::Sqlite).await;
    app.seed_directory().await;
    let key = expect(app.get(None, "/api/public/log/key").await, StatusCode::OK).await;
    let key = key["verifier_key"].as_str().unwrap().to_owned();
    let witness = crate::witness_process::witness_for(&key);
    let witness_key = witness.key.clone();
    let service =
        app.service.clone().with_witnesses(Witnesses::new(std::slice::from_ref(&witness.setting)).unwrap());

    let task = app.create_task(json!({})).await;
    app.act(task, "commit", json!({}), StatusCode::OK).await;
    service.integrate_log().await.unwrap();
    service.ask_witnesses().await.unwrap();
    app.pass_entropy_event();
    app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
    app.act(task, "reveal", json!({}), StatusCode::OK).await;
    let tar = app.get(None, &format!("/api/public/tasks/{task}/bundle.tar")).await.bytes().await.unwrap();
    let mut files = opendraw::files::bundle::from_tar("bundle.tar", &tar).unwrap();
    let fresh = String::from_utf8(files.log_proof.take().expect("the bundle carries log.tsv")).unwrap();
    assert!(fresh.contains("\nwitnessed\t"), "the witness's cosignature is in the bundle:\n{fresh}");
    let task = task as u64;
    assert_eq!(outcome(&fresh, task, Some(&key), &witness_key), None, "{fresh}");

    if std::env::var_os("OPENDRAW_BLESS").is_some() {
        let mut bundle = serde_json::Map::new();
        for (name, bytes) in files.present() {
            bundle.insert(name.to_owned(), json!(String::from_utf8(bytes.clone()).unwrap()));
        }
        let vector = json!({
            "description": "log.tsv of a revealed task's bundle as a server made it (PROTOCOL.md §15.6), with the \
                task's other bundle files, the log's verifier key and the key of the witness that cosigned a \
                checkpoint holding the commitment; and changed copies, each with the first check a verifier \
                must fail (fails: null when every check passes)",
            "task": task,
            "verifier_key": key,
            "witness_key": witness_key,
            "bundle": bundle,
            "cases": cases(&fresh, &key),
        });
        std::fs::write(vector_path(), serde_json::to_string_pretty(&vector).unwrap() + "\n").unwrap();
    }

    let vector: Value = serde_json::from_str(&std::fs::read_to_string(vector_path()).unwrap()).unwrap();
    let task = vector["task"].as_u64().unwrap();
    let witness = vector["witness_key"].as_str().unwrap();
    let cases = vector["cases"].as_array().unwrap();
    assert!(cases.len() >= 9, "every case is there");
    for case in cases {
        let trusted = case["trusted_key"].as_str();
        let found = outcome(case["log.tsv"].as_str().unwrap(), task, trusted, witness);
        assert_eq!(found, case["fails"].as_str(), "case {}", case["name"]);
    }
}
