//! The same directory and task on SQLite and on PostgreSQL publish the same
//! bytes: each database freezes its pool by its own bulk path (`COPY` on
//! PostgreSQL, batched reads on SQLite), and a citizen must not be able to
//! tell which one a province runs from what it publishes.

use opendraw::protocol::commitment::{COMMITMENT_FILE, REVEAL_FILE};
use opendraw::protocol::manifest::{INSPECTORS_FILE, RECUSALS_FILE, TARGETS_FILE};
use opendraw::protocol::parameters::PARAMETERS_FILE;
use opendraw::protocol::result::RESULT_FILE;
use opendraw::protocol::{
    DrawInputs, InspectorManifest, Parameters, RecusalManifest, Reveal, Seed, TargetManifest, run_draw,
};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, DICE, EVENT_LEAD, TestApp, definition_with_event, event_time, expect};

/// Targets whose ids and fields need care on the way out of a database:
/// quotes and backslashes (escaped by `COPY`), and ids whose bytewise order
/// differs from a dictionary's (upper before lower case, multi-byte last).
const AWKWARD_TARGETS: &str = "id,name,region,industry,risk_class,unit\n\
    x\\1,a,R'4,餐饮服务,A,back\\slash unit\n\
    X'2,b,R'4,餐饮服务,B,quote's unit\n\
    é3,c,R'4,餐饮服务,A,\n\
    Z4,d,R1,餐饮服务,C,R1-bureau\n\
    a5,e,R2,餐饮服务,D,R2-bureau\n";

/// Seeds, commits, draws and reveals one task; returns its published files.
async fn published_files(app: &TestApp, event_at: &str) -> Vec<(&'static str, Vec<u8>)> {
    app.seed_directory().await;
    expect(app.post_csv(&app.market, "/api/targets/import", AWKWARD_TARGETS).await, StatusCode::OK).await;
    let mut definition = definition_with_event(event_at);
    definition["strata_by"] = json!(["region", "risk_class"]);
    definition["filter"] = json!({"regions": ["R1", "R2", "R'4"], "exclude_flags": ["none'\\"]});
    definition["quota"] = json!({"ratio": "50%"});
    let created =
        expect(app.post_json(Some(&app.market), "/api/tasks", &definition).await, StatusCode::CREATED).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(id, 1, "both databases number the task alike, and the number is in its parameters");
    app.act(id, "commit", json!({}), StatusCode::OK).await;
    app.pass_entropy_event();
    app.act(id, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
    app.act(id, "reveal", json!({}), StatusCode::OK).await;
    let mut files = Vec::new();
    for name in [
        PARAMETERS_FILE,
        TARGETS_FILE,
        INSPECTORS_FILE,
        RECUSALS_FILE,
        COMMITMENT_FILE,
        REVEAL_FILE,
        RESULT_FILE,
    ] {
        let response = app.get(None, &format!("/api/public/tasks/{id}/files/{name}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        files.push((name, response.bytes().await.unwrap().to_vec()));
    }
    files
}

fn file<'a>(files: &'a [(&str, Vec<u8>)], name: &str) -> &'a [u8] {
    &files.iter().find(|(file, _)| *file == name).expect("published").1
}

/// The result the draw gives on `inputs`' manifests with the commitment and
/// seed of `revealed`.
fn recomputed(inputs: &[(&str, Vec<u8>)], revealed: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let parameters = Parameters::parse(file(inputs, PARAMETERS_FILE)).unwrap();
    let targets = TargetManifest::parse(file(inputs, TARGETS_FILE).to_vec()).unwrap();
    let inspectors = InspectorManifest::parse(file(inputs, INSPECTORS_FILE).to_vec()).unwrap();
    let recusals = RecusalManifest::parse(file(inputs, RECUSALS_FILE).to_vec()).unwrap();
    let reveal = Reveal::parse(file(revealed, REVEAL_FILE)).unwrap();
    let draw = DrawInputs {
        parameters: &parameters,
        targets: &targets,
        inspectors: &inspectors,
        recusals: &recusals,
    };
    run_draw(&draw, reveal.commitment, &Seed(reveal.seed)).unwrap().to_text()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_task_publishes_the_same_bytes_on_sqlite_and_postgresql() {
    let sqlite = TestApp::spawn(Backend::Sqlite).await;
    let postgres = TestApp::spawn(Backend::Postgres).await;
    let event_at = event_time(sqlite.clock.now(), EVENT_LEAD);
    let on_sqlite = published_files(&sqlite, &event_at).await;
    let on_postgres = published_files(&postgres, &event_at).await;

    let targets = String::from_utf8(file(&on_sqlite, TARGETS_FILE).to_vec()).unwrap();
    for awkward in ["x\\1\tR'4/A\tR'4\tback\\slash unit\n", "X'2\tR'4/B\tR'4\tquote's unit\n", "é3\t"] {
        assert!(targets.contains(awkward), "{awkward:?} in {targets}");
    }
    assert!(!targets.contains("\tR3\t"), "the filter leaves R3 out");
    for name in [PARAMETERS_FILE, TARGETS_FILE, INSPECTORS_FILE, RECUSALS_FILE] {
        assert_eq!(file(&on_sqlite, name), file(&on_postgres, name), "{name} differs between the databases");
    }
    // Each commitment holds the hash of its own fresh secret, drawn from the
    // OS at commit; every other line is the same.
    let without_secret = |files: &[(&str, Vec<u8>)]| -> Vec<String> {
        String::from_utf8(file(files, COMMITMENT_FILE).to_vec())
            .unwrap()
            .lines()
            .filter(|line| !line.starts_with("secret-hash\t") && !line.starts_with("digest\t"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(without_secret(&on_sqlite), without_secret(&on_postgres));
    assert_ne!(file(&on_sqlite, RESULT_FILE), file(&on_postgres, RESULT_FILE), "the secrets differ");
    // With the same seed, each database's result is the other's, byte for byte.
    assert_eq!(recomputed(&on_sqlite, &on_postgres), file(&on_postgres, RESULT_FILE));
    assert_eq!(recomputed(&on_postgres, &on_sqlite), file(&on_sqlite, RESULT_FILE));
}
