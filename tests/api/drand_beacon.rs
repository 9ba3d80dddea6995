//! A task whose entropy is a drand quicknet round (PROTOCOL.md §3.6): the
//! commitment fixes the round from its own time, the draw takes that round
//! as a relay serves it, refuses any other round, signature or chain with
//! the field named and nothing changed, and the bundle verifies.

use opendraw::protocol::verify::{CheckKind, Pins, verify};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{DICE, TestApp, expect};
use crate::on_both_backends;

/// Quicknet round 1000 as its relays serve it.
const ROUND_1000: &str =
    "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39";
const RANDOMNESS_1000: &str = "fe290beca10872ef2fb164d2aa4442de4566183ec51c56ff3cd603d930e54fdd";
/// Quicknet round 123: genuine, but not the committed round.
const ROUND_123: &str =
    "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92";

fn drand_plan(extra: Value) -> Value {
    let mut plan = json!({"format": "drand", "source": "League of Entropy drand quicknet", "min_length": 64});
    for (key, value) in extra.as_object().unwrap() {
        plan[key] = value.clone();
    }
    json!({"entropy": plan})
}

async fn state(app: &TestApp, task: i64) -> Value {
    expect(app.get(Some(&app.market), &format!("/api/tasks/{task}")).await, StatusCode::OK).await["state"]
        .clone()
}

on_both_backends! {
    async fn a_drand_task_commits_to_a_round_draws_only_with_it_and_verifies(app) {
        app.seed_directory().await;
        let task = app.create_task(drand_plan(json!({"margin_seconds": 600}))).await;
        // Round 1000 came at 2023-08-23T15:59:24Z; committed 600 s before,
        // with up to 3 s to spare, the first round at least 600 s later is 1000.
        app.clock.move_to("2023-08-23T15:49:21.100Z".parse().unwrap());
        app.act(task, "commit", json!({}), StatusCode::OK).await;
        let commitment = app.get(None, &format!("/api/public/tasks/{task}/files/commitment.tsv")).await.text().await.unwrap();
        assert!(commitment.contains("\nentropy-format\tdrand\n"), "{commitment}");
        assert!(
            commitment.contains("\nentropy-event\t2023-08-23T15:59:24+00:00\ndrand-chain\t52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971\ndrand-round\t1000\ndigest\t"),
            "{commitment}"
        );

        let round = |number: u64, signature: &str| json!({"drand": {"round": number, "signature": signature}});
        let early = app.act(task, "draw", round(1000, ROUND_1000), StatusCode::CONFLICT).await;
        assert_eq!(early["code"], "entropy_not_yet");
        let waiting = || async { expect(app.get(Some(&app.market), "/api/dashboard").await, StatusCode::OK).await["awaiting_entropy"].clone() };
        assert_eq!(waiting().await, json!([]), "the round has not come");
        app.clock.advance(std::time::Duration::from_secs(610));
        // The dashboard offers the draw at the round's time, which only the
        // commitment states.
        let due = waiting().await;
        assert_eq!(due.as_array().map(Vec::len), Some(1), "{due}");
        assert_eq!((due[0]["id"].as_i64(), due[0]["event"].as_str()), (Some(task), Some("2023-08-23T15:59:24+00:00")));

        let head = app.log_head().await;
        let mut flipped = ROUND_1000.to_owned();
        flipped.replace_range(95..96, "c");
        let with_chain = json!({"drand": {"round": 1000, "signature": ROUND_1000, "chain": "dbd506d6ef76e5f386f41c651dcb808c5bcbd75471cc4eafa3f4df7ad4e4c493"}});
        let with_randomness = json!({"drand": {"round": 1000, "signature": ROUND_1000, "randomness": ROUND_123[..64]}});
        for (body, code, field) in [
            (json!({"entropy": DICE}), "drand_round_required", "entropy"),
            (round(123, ROUND_123), "drand_round_mismatch", "drand.round"),
            (round(1001, ROUND_1000), "drand_round_mismatch", "drand.round"),
            (round(1000, ROUND_123), "drand_signature_invalid", "drand.signature"),
            (round(1000, &flipped), "drand_signature_invalid", "drand.signature"),
            (round(1000, &ROUND_1000.to_uppercase()), "invalid_drand_signature", "drand.signature"),
            (with_chain, "drand_chain_mismatch", "drand.chain"),
            (with_randomness, "drand_randomness_mismatch", "drand.randomness"),
            (json!({"entropy": RANDOMNESS_1000, "drand": {"round": 1000, "signature": ROUND_1000}}), "entropy_or_drand", "drand"),
        ] {
            let response = app.post_json(Some(&app.market), &format!("/api/tasks/{task}/draw"), &body).await;
            assert!(response.status().is_client_error(), "{body}");
            let error: Value = response.json().await.unwrap();
            assert_eq!((error["code"].as_str(), error["field"].as_str()), (Some(code), Some(field)), "{body}: {error}");
        }
        assert_eq!(app.log_head().await, head, "nothing was logged");
        assert_eq!(state(&app, task).await, "committed", "nothing was drawn");

        let relay = json!({"drand": {"round": 1000, "randomness": RANDOMNESS_1000, "signature": ROUND_1000}});
        let drawn = app.act(task, "draw", relay.clone(), StatusCode::OK).await;
        assert_eq!(drawn["state"], "drawn");
        assert_eq!(app.act(task, "draw", relay, StatusCode::OK).await["state"], "drawn", "a retry answers the draw made");
        app.act(task, "reveal", json!({"release_early": true}), StatusCode::OK).await;

        let view = expect(app.get(None, &format!("/api/public/tasks/{task}")).await, StatusCode::OK).await;
        let timeline = view["timeline"].as_array().unwrap();
        let payload = |kind: &str| -> Value {
            let entry = timeline.iter().find(|e| e["kind"] == kind).unwrap();
            serde_json::from_str(entry["payload"].as_str().unwrap()).unwrap()
        };
        assert_eq!(payload("task.committed")["drand_round"], 1000);
        assert_eq!(payload("task.drawn")["entropy"], RANDOMNESS_1000);
        let committed_at = timeline.iter().find(|e| e["kind"] == "task.committed").unwrap()["at"].as_str().unwrap().to_owned();
        let response = app.get(None, &format!("/api/public/tasks/{task}/bundle.tar")).await;
        let files = opendraw::files::bundle::from_tar("bundle.tar", &response.bytes().await.unwrap()).unwrap();
        let beacon = String::from_utf8(files.beacon.clone().expect("the bundle carries drand.tsv")).unwrap();
        assert_eq!(beacon, format!("opendraw-drand\t1\nchain\t52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971\nround\t1000\nsignature\t{ROUND_1000}\n"));
        let pin = |key: &str| opendraw::protocol::Digest::parse_hex(view[key].as_str().unwrap()).unwrap();
        let pins = Pins {
            commitment: Some(pin("commitment_digest")),
            result: Some(pin("result_digest")),
            replacements: Some(Vec::new()),
            committed_at: Some(committed_at),
        };
        let report = verify(&files, &pins);
        assert!(report.passed(), "{:?}", report.first_failure());
        let beacon_checks: Vec<&str> =
            report.checks.iter().filter(|c| c.kind == CheckKind::Beacon).map(|c| c.subject.as_str()).collect();
        assert_eq!(beacon_checks, ["chain", "round", "signature", "entropy"]);
        let single = app.get(None, &format!("/api/public/tasks/{task}/files/drand.tsv")).await.text().await.unwrap();
        assert_eq!(single, beacon);
    }

    async fn a_drand_plan_is_checked_field_by_field(app) {
        for (plan, field) in [
            (drand_plan(json!({"margin_seconds": 10})), "entropy.margin_seconds"),
            (drand_plan(json!({"margin_seconds": 2_592_001})), "entropy.margin_seconds"),
            (drand_plan(json!({"event_at": "2099-01-01T00:00:00+08:00"})), "entropy.event_at"),
            (drand_plan(json!({"min_length": 65})), "entropy.min_length"),
            (json!({"entropy": {"format": "dice", "source": "dice", "event_at": "2099-01-01T00:00:00+08:00", "margin_seconds": 600}}), "entropy.margin_seconds"),
        ] {
            let mut definition = crate::helpers::default_definition();
            definition["entropy"] = plan["entropy"].clone();
            let error = expect(app.post_json(Some(&app.market), "/api/tasks", &definition).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!((error["code"].as_str(), error["field"].as_str()), (Some("invalid_definition"), Some(field)), "{plan}: {error}");
        }
        assert_eq!(expect(app.get(Some(&app.market), "/api/tasks").await, StatusCode::OK).await, json!([]), "no task was created");
    }

    async fn a_task_of_another_format_refuses_a_drand_round(app) {
        app.seed_directory().await;
        let task = app.create_task(json!({})).await;
        app.act(task, "commit", json!({}), StatusCode::OK).await;
        app.pass_entropy_event();
        let error = app.act(task, "draw", json!({"drand": {"round": 1000, "signature": ROUND_1000}}), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((error["code"].as_str(), error["field"].as_str()), (Some("drand_not_committed"), Some("drand")));
        assert_eq!(state(&app, task).await, "committed");
    }
}

/// A drand relay on a local port that serves `body` at quicknet's round
/// 1000 and nothing else; its base address.
async fn relay(body: String) -> String {
    use axum::extract::Path;
    let quicknet = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971";
    let app = axum::Router::new().route(
        "/{chain}/public/{round}",
        axum::routing::get(move |Path((chain, round)): Path<(String, String)>| async move {
            if chain == quicknet && round == "1000" {
                (axum::http::StatusCode::OK, body.clone())
            } else {
                (axum::http::StatusCode::NOT_FOUND, String::new())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/")
}

/// The round as quicknet relays serve it, byte for byte.
fn relay_answer(signature: &str) -> String {
    format!(r#"{{"round":1000,"randomness":"{RANDOMNESS_1000}","signature":"{signature}"}}"#)
}

async fn fetched_draw(backend: crate::helpers::Backend) {
    let mut flipped = ROUND_1000.to_owned();
    flipped.replace_range(95..96, "c");
    // The first relay lies, the second is down, the third serves the round.
    let lying = relay(relay_answer(&flipped)).await;
    let honest = relay(relay_answer(ROUND_1000)).await;
    let down = "http://127.0.0.1:9".to_owned();
    let relays = opendraw::service::drand_relays::DrandRelays::new(&[lying.clone(), down, honest]).unwrap();
    let app = TestApp::spawn_configured(backend, Default::default(), None, |service| {
        service.with_drand_relays(relays)
    })
    .await;
    app.seed_directory().await;
    let task = app.create_task(drand_plan(json!({}))).await;
    app.clock.move_to("2023-08-23T15:49:21.100Z".parse().unwrap());
    app.act(task, "commit", json!({}), StatusCode::OK).await;
    let early = app.act(task, "draw", json!({"fetch_drand": true}), StatusCode::CONFLICT).await;
    assert_eq!(early["code"], "entropy_not_yet");
    app.clock.advance(std::time::Duration::from_secs(610));
    let drawn = app.act(task, "draw", json!({"fetch_drand": true}), StatusCode::OK).await;
    assert_eq!(drawn["state"], "drawn");
    let view = expect(app.get(None, &format!("/api/public/tasks/{task}")).await, StatusCode::OK).await;
    let entry =
        view["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "task.drawn").unwrap().clone();
    let payload: Value = serde_json::from_str(entry["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["entropy"], RANDOMNESS_1000);
    assert_eq!(payload["drand_signature"], ROUND_1000);

    // Only a lying relay: nothing is drawn, and the answer says why.
    let relays = opendraw::service::drand_relays::DrandRelays::new(&[lying]).unwrap();
    let app = TestApp::spawn_configured(backend, Default::default(), None, |service| {
        service.with_drand_relays(relays)
    })
    .await;
    app.seed_directory().await;
    let task = app.create_task(drand_plan(json!({}))).await;
    app.clock.move_to("2023-08-23T15:49:21.100Z".parse().unwrap());
    app.act(task, "commit", json!({}), StatusCode::OK).await;
    app.clock.advance(std::time::Duration::from_secs(610));
    let head = app.log_head().await;
    let error = app.act(task, "draw", json!({"fetch_drand": true}), StatusCode::CONFLICT).await;
    assert_eq!(error["code"], "drand_round_unavailable");
    assert!(error["message"].as_str().unwrap().contains("not a valid signature of round 1000"), "{error}");
    assert_eq!(app.log_head().await, head, "nothing was logged");
    assert_eq!(state(&app, task).await, "committed");

    // A server without relays says so.
    let plain = TestApp::spawn(backend).await;
    plain.seed_directory().await;
    let task = plain.create_task(drand_plan(json!({}))).await;
    plain.act(task, "commit", json!({}), StatusCode::OK).await;
    let error = plain.act(task, "draw", json!({"fetch_drand": true}), StatusCode::CONFLICT).await;
    assert_eq!(error["code"], "drand_relays_not_configured");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_fetched_from_relays_is_checked_like_a_pasted_one_sqlite() {
    fetched_draw(crate::helpers::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_fetched_from_relays_is_checked_like_a_pasted_one_postgres() {
    fetched_draw(crate::helpers::Backend::Postgres).await;
}

/// `opendraw verify BUNDLE` with the log's key and a witness's: its
/// verdict and report.
fn verify_with(bundle: &std::path::Path, log_key: &str, witness: Option<&str>) -> (bool, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_opendraw"));
    command.arg("verify").arg(bundle).args(["--log-key", log_key]);
    if let Some(witness) = witness {
        command.args(["--witness", witness]);
    }
    let output = command.output().unwrap();
    (output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A drand task whose commitment a real witness cosigned: the bundle alone
/// shows when. Recorded round 1000 came in 2023 and the witness's clock is
/// today's, so the commitment was witnessed after its round, and a verifier
/// who trusts the witness says so: the operator's clock, which dated the
/// commitment before the round, is all that vouches for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drand_commitment_witnessed_after_its_round_is_flagged_from_the_bundle() {
    use opendraw::service::witnesses::Witnesses;

    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    app.seed_directory().await;
    let log_key = app.service.log_key().await.unwrap().verifier_key();
    let witness = crate::witness_process::witness_for(&log_key);
    let witness_key = witness.key.clone();
    let service =
        app.service.clone().with_witnesses(Witnesses::new(std::slice::from_ref(&witness.setting)).unwrap());
    let dir = tempfile::tempdir().unwrap();

    let task = app.create_task(drand_plan(json!({"margin_seconds": 600}))).await;
    app.clock.move_to("2023-08-23T15:49:21.100Z".parse().unwrap());
    app.act(task, "commit", json!({}), StatusCode::OK).await;
    service.integrate_log().await.unwrap();
    service.ask_witnesses().await.unwrap();
    app.clock.advance(std::time::Duration::from_secs(610));
    app.act(task, "draw", json!({"drand": {"round": 1000, "signature": ROUND_1000}}), StatusCode::OK).await;
    app.act(task, "reveal", json!({"release_early": true}), StatusCode::OK).await;
    let tar = app.get(None, &format!("/api/public/tasks/{task}/bundle.tar")).await.bytes().await.unwrap();
    let bundle = dir.path().join("bundle.tar");
    std::fs::write(&bundle, &tar).unwrap();
    let log =
        String::from_utf8(opendraw::files::bundle::from_tar("bundle.tar", &tar).unwrap().log_proof.unwrap())
            .unwrap();
    assert!(log.lines().any(|line| line.starts_with("witnessed\t")), "{log}");

    // Without the witness's key: verified, its cosignature's time told.
    let (passed, report) = verify_with(&bundle, &log_key, None);
    assert!(passed && report.contains("cosigned by court.example/witness at 20"), "{report}");
    // Trusting the witness: its cosignature came after the round.
    let (passed, report) = verify_with(&bundle, &log_key, Some(&witness_key));
    assert!(!passed, "{report}");
    assert!(report.contains("NOT before the drand round's time 2023-08-23T15:59:24Z"), "{report}");
    // Another log key than the server's: the bundle does not verify.
    let other =
        opendraw::protocol::tlog::LogKey::from_seed("opendraw.local/other", &[1; 32]).unwrap().verifier_key();
    let (passed, report) = verify_with(&bundle, &other, None);
    assert!(!passed && report.contains("FAIL  log key"), "{report}");
}
