//! The public log as a Merkle tree: the signed checkpoint covers every
//! entry the log serves; its root is the one recomputed from the entries;
//! inclusion and consistency proofs check against the checkpoints; tiles
//! rebuild the same root; bad questions get specific refusals.

use opendraw::protocol::Digest;
use opendraw::protocol::tlog::{
    TreeHash, check_consistency, check_inclusion, open_checkpoint, parse_hash_hex, root_of,
};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, expect};
use crate::on_both_backends;

async fn text(app: &TestApp, path: &str) -> String {
    let response = app.get(None, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

async fn key(app: &TestApp) -> String {
    let key = expect(app.get(None, "/api/public/log/key").await, StatusCode::OK).await;
    key["verifier_key"].as_str().unwrap().to_owned()
}

/// Every entry's chain hash, in order.
async fn entry_hashes(app: &TestApp) -> Vec<Digest> {
    let page = expect(app.get(None, "/api/public/log?limit=1000").await, StatusCode::OK).await;
    let entries = page["entries"].as_array().unwrap();
    entries.iter().map(|entry| Digest::parse_hex(entry["hash"].as_str().unwrap()).unwrap()).collect()
}

fn hashes(proof: &Value) -> Vec<TreeHash> {
    proof["hashes"].as_array().unwrap().iter().map(|h| parse_hash_hex(h.as_str().unwrap()).unwrap()).collect()
}

on_both_backends! {
    async fn the_checkpoint_signs_the_tree_of_every_entry(app) {
        let verifier_key = key(&app).await;
        // An empty log has a signed head too: the empty tree's.
        let empty = open_checkpoint(text(&app, "/log/checkpoint").await.as_bytes(), &verifier_key).unwrap();
        assert_eq!((empty.size, empty.root), (0, root_of([])));
        app.seed_directory().await;

        let first = app.drawn_task().await;
        let opened = open_checkpoint(text(&app, "/log/checkpoint").await.as_bytes(), &verifier_key).unwrap();
        let entries = entry_hashes(&app).await;
        assert_eq!(opened.size, entries.len() as u64, "the checkpoint covers every entry served");
        assert_eq!(opened.root, root_of(entries.clone()), "its root is the entries' tree");

        // Each entry is in it, by its proof; another entry's hash is not.
        for seq in 1..=opened.size {
            let path = format!("/api/public/log/inclusion?seq={seq}&size={}", opened.size);
            let proof = expect(app.get(None, &path).await, StatusCode::OK).await;
            assert_eq!(proof["leaf_index"], seq - 1);
            let hashes = hashes(&proof);
            check_inclusion(&hashes, opened.size, &opened.root, seq, &entries[seq as usize - 1]).unwrap();
            let other = &entries[(seq as usize) % entries.len()];
            assert!(check_inclusion(&hashes, opened.size, &opened.root, seq, other).is_err());
        }

        // The log grows; the new head extends the old one.
        app.act(first, "reveal", serde_json::json!({"release_early": true}), StatusCode::OK).await;
        app.drawn_task().await;
        let newer = open_checkpoint(text(&app, "/log/checkpoint").await.as_bytes(), &verifier_key).unwrap();
        assert!(newer.size > opened.size);
        let path = format!("/api/public/log/consistency?from={}&size={}", opened.size, newer.size);
        let proof = expect(app.get(None, &path).await, StatusCode::OK).await;
        check_consistency(&hashes(&proof), opened.size, &opened.root, newer.size, &newer.root).unwrap();
        let forged = root_of(entries.iter().rev().cloned());
        assert!(check_consistency(&hashes(&proof), opened.size, &forged, newer.size, &newer.root).is_err());

        // The older head stays served, as signed.
        let older = text(&app, &format!("/api/public/log/checkpoints/{}", opened.size)).await;
        assert_eq!(open_checkpoint(older.as_bytes(), &verifier_key).unwrap().root, opened.root);
    }

    async fn tiles_rebuild_the_signed_root(app) {
        app.seed_directory().await;
        let verifier_key = key(&app).await;
        app.drawn_task().await;
        app.drawn_task().await;
        let head = open_checkpoint(text(&app, "/log/checkpoint").await.as_bytes(), &verifier_key).unwrap();
        assert!(head.size < 256, "a test log fits in one partial tile");
        let width = head.size;
        let response = app.get(None, &format!("/log/tile/0/000.p/{width}")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["cache-control"], "public, max-age=60");
        let tile = response.bytes().await.unwrap();
        assert_eq!(tile.len() as u64, 32 * width);
        let bundle = app.get(None, &format!("/log/tile/entries/000.p/{width}")).await.bytes().await.unwrap();
        assert_eq!(bundle.len() as u64, 34 * width);
        // The entry bundle's hashes, as leaves, make the signed root, and
        // the level-0 tile holds exactly their leaf hashes.
        let entries: Vec<Digest> = bundle
            .chunks(34)
            .map(|entry| {
                assert_eq!(&entry[..2], &[0, 32]);
                Digest::parse_hex(&hex::encode(&entry[2..])).unwrap()
            })
            .collect();
        assert_eq!(root_of(entries.clone()), head.root);
        for (i, entry) in entries.iter().enumerate() {
            assert_eq!(&tile[32 * i..32 * (i + 1)], &opendraw::protocol::tlog::leaf_hash(entry).0);
        }
        // A tile the tree does not hold yet, or a path that is not a tile's.
        for path in [format!("/log/tile/0/000.p/{}", width + 1), "/log/tile/0/000".into(), "/log/tile/8/0/000".into(), "/log/tile/0/000.p/0".into(), "/log/tile/64/000".into()] {
            let response = app.get(None, &path).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }

    async fn bad_proof_questions_are_refused_by_name(app) {
        app.seed_directory().await;
        app.drawn_task().await;
        let verifier_key = key(&app).await;
        let head = open_checkpoint(text(&app, "/log/checkpoint").await.as_bytes(), &verifier_key).unwrap();
        let size = head.size;
        let cases = [
            (format!("/api/public/log/inclusion?seq={}", size + 1), "seq_not_in_tree", "seq"),
            ("/api/public/log/inclusion?seq=0".to_owned(), "seq_not_in_tree", "seq"),
            (format!("/api/public/log/inclusion?seq=1&size={}", size + 5), "size_not_signed", "size"),
            ("/api/public/log/consistency?from=0".to_owned(), "from_not_in_tree", "from"),
            (format!("/api/public/log/consistency?from={}", size + 1), "from_not_in_tree", "from"),
            ("/api/public/log/inclusion?seq=x".to_owned(), "invalid_query", "seq"),
        ];
        for (path, code, field) in cases {
            let body = expect(app.get(None, &path).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(body["code"], code, "{path}: {body}");
            assert_eq!(body["field"], field, "{path}: {body}");
        }
        let missing = app.get(None, &format!("/api/public/log/checkpoints/{}", size + 9)).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    }

    async fn the_key_is_made_once_and_kept(app) {
        let first = key(&app).await;
        let again = app.service.clone().with_log_origin(None).log_key().await.unwrap();
        assert_eq!(again.verifier_key(), first, "a second server on the database signs with the same key");
        let renamed = app.service.clone().with_log_origin(Some("another.example/log".into())).log_key().await;
        let error = renamed.err().expect("a database's log cannot be renamed");
        assert!(error.to_string().contains("cannot be renamed"), "{error}");
        assert!(first.starts_with("opendraw.local/"), "{first}");
    }
}

/// Integrations started at once by several servers take turns on the
/// tree's row: they sign one tree, not a fork.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_integrations_sign_one_tree() {
    let app = TestApp::spawn(crate::helpers::Backend::Postgres).await;
    app.seed_directory().await;
    for _ in 0..3 {
        app.create_task(serde_json::json!({})).await;
    }
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let service = app.service.clone();
            tokio::spawn(async move { service.integrate_log().await })
        })
        .collect();
    for run in runs {
        run.await.unwrap().unwrap();
    }
    let verifier_key = key(&app).await;
    let head = open_checkpoint(text(&app, "/log/checkpoint").await.as_bytes(), &verifier_key).unwrap();
    let entries = entry_hashes(&app).await;
    assert_eq!(head.size, entries.len() as u64);
    assert_eq!(head.root, root_of(entries));
}

/// A witness run as its own process cosigns the log's checkpoints as they
/// come, each growth with a consistency proof from the last it cosigned;
/// the checkpoint served carries the cosignature, which checks with the
/// witness's key and is timed when it was made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_witness_cosigns_each_new_checkpoint() {
    use opendraw::protocol::cosignature::{CosignatureVerifier, timestamp_of_line};
    use opendraw::service::witnesses::Witnesses;
    use signed_note::{Note, VerifierList};

    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    app.seed_directory().await;
    let log_key = key(&app).await;
    let witness = crate::witness_process::witness_for(&log_key);
    let witness_key = witness.key.clone();
    let service =
        app.service.clone().with_witnesses(Witnesses::new(std::slice::from_ref(&witness.setting)).unwrap());
    let listed = service.witness_views();
    assert_eq!(
        (listed[0].name.as_str(), listed[0].verifier_key.as_str()),
        ("court.example/witness", witness_key.as_str())
    );
    let verifiers = || {
        VerifierList::new(vec![
            Box::new(CosignatureVerifier::from_verifier_key(&witness_key).unwrap()),
            Box::new(signed_note::StandardVerifier::new(&log_key).unwrap()),
        ])
    };
    for round in 0..3 {
        app.drawn_task().await;
        let before = chrono::Utc::now().timestamp() as u64;
        service.integrate_log().await.unwrap();
        service.ask_witnesses().await.unwrap();
        let served = text(&app, "/log/checkpoint").await;
        let note = Note::from_bytes(served.as_bytes()).unwrap();
        let (verified, unknown) = note.verify(&verifiers()).unwrap();
        assert_eq!(verified.len(), 2, "round {round}: the log's signature and the witness's: {served}");
        assert!(unknown.is_empty());
        let line = served.lines().find(|line| line.starts_with("— court.example/witness ")).unwrap();
        let at = timestamp_of_line(line).unwrap();
        assert!(at + 5 >= before && at <= before + 60, "cosigned at {at}, asked at {before}");
    }
    // Nothing new: the witness is not asked again, and the head keeps its cosignature.
    let head = text(&app, "/log/checkpoint").await;
    service.ask_witnesses().await.unwrap();
    assert_eq!(text(&app, "/log/checkpoint").await, head);
}

/// `opendraw log verify URL --state FILE`, its verdict and report.
fn log_verify(source: &str, state: &std::path::Path) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_opendraw"))
        .args(["log", "verify", source, "--state"])
        .arg(state)
        .output()
        .unwrap();
    (output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A split view: a second server holds the same log key but another
/// history. On its own it is a perfectly good log; to a reader who checked
/// the first, it is a rewritten one, and `opendraw log verify` says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rewritten_history_fails_the_check_that_remembers() {
    let honest = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    honest.seed_directory().await;
    honest.drawn_task().await;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("log-state.json");
    let (passed, report) = log_verify(&honest.address, &state);
    assert!(passed && report.contains("first check of opendraw.local/"), "{report}");
    honest.drawn_task().await;
    let (passed, report) = log_verify(&honest.address, &state);
    assert!(passed && report.contains("extends the log seen at the last check"), "{report}");

    // The same key, another history: the second server's log differs from
    // the first from its first task on (another quota).
    let forked = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let row = sqlx::query("SELECT origin, seed, created_at FROM log_key")
        .fetch_one(honest.service.store().pool())
        .await
        .unwrap();
    use sqlx::Row as _;
    sqlx::query("INSERT INTO log_key (id, origin, seed, created_at) VALUES (1, $1, $2, $3)")
        .bind(row.get::<String, _>("origin"))
        .bind(row.get::<String, _>("seed"))
        .bind(row.get::<String, _>("created_at"))
        .execute(forked.service.store().pool())
        .await
        .unwrap();
    forked.seed_directory().await;
    let id = forked.create_task(serde_json::json!({"quota": {"count": 2}})).await;
    forked.act(id, "commit", serde_json::json!({}), StatusCode::OK).await;
    for _ in 0..6 {
        forked.create_task(serde_json::json!({})).await;
    }
    assert_eq!(key(&forked).await, key(&honest).await, "one key signs both");
    // Checked by a reader who never saw the first, it holds together…
    let fresh = dir.path().join("fresh.json");
    let (passed, report) = log_verify(&forked.address, &fresh);
    assert!(passed, "{report}");
    // …but not for one who did.
    let (passed, report) = log_verify(&forked.address, &state);
    assert!(!passed && report.contains("the server rewrote its history"), "{report}");
    // And the state is kept as it was: the honest server still passes.
    honest.drawn_task().await;
    let (passed, report) = log_verify(&honest.address, &state);
    assert!(passed, "{report}");
}
