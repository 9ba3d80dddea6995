//! The target index a commit stores beside its manifest, for the draw to
//! read instead of the whole manifest: a task committed without one draws
//! as before, and an index that no longer matches its manifest is refused
//! with nothing drawn.

use opendraw::protocol::Digest;
use opendraw::protocol::commitment::{COMMITMENT_FILE, Commitment, REVEAL_FILE};
use opendraw::protocol::manifest::{
    INSPECTORS_FILE, RECUSALS_FILE, TARGET_INDEX_FILE, TARGET_STRATA_FILE, TARGETS_FILE,
};
use opendraw::protocol::parameters::PARAMETERS_FILE;
use opendraw::protocol::result::RESULT_FILE;
use opendraw::protocol::{
    DrawInputs, InspectorManifest, Parameters, RecusalManifest, Reveal, Seed, TargetManifest, run_draw,
};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, DICE, TestApp, expect, targets_csv};
use crate::on_both_backends;

async fn published(app: &TestApp, task: i64, name: &str) -> Vec<u8> {
    let response = app.get(None, &format!("/api/public/tasks/{task}/files/{name}")).await;
    assert_eq!(response.status(), StatusCode::OK, "{name}");
    response.bytes().await.unwrap().to_vec()
}

/// The result the published files give, computed here from the manifest.
async fn recomputed(app: &TestApp, task: i64) -> Vec<u8> {
    let parameters = Parameters::parse(&published(app, task, PARAMETERS_FILE).await).unwrap();
    let targets = TargetManifest::parse(published(app, task, TARGETS_FILE).await).unwrap();
    let inspectors = InspectorManifest::parse(published(app, task, INSPECTORS_FILE).await).unwrap();
    let recusals = RecusalManifest::parse(published(app, task, RECUSALS_FILE).await).unwrap();
    let reveal = Reveal::parse(&published(app, task, REVEAL_FILE).await).unwrap();
    let draw = DrawInputs {
        parameters: &parameters,
        targets: &targets,
        inspectors: &inspectors,
        recusals: &recusals,
    };
    run_draw(&draw, reveal.commitment, &Seed(reveal.seed)).unwrap().to_text()
}

async fn committed_task(app: &TestApp) -> i64 {
    app.seed_directory().await;
    let task = app.create_task(json!({})).await;
    app.act(task, "commit", json!({}), StatusCode::OK).await;
    app.pass_entropy_event();
    task
}

async fn stored_pieces(app: &TestApp, task: i64, name: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM task_files WHERE task_id = $1 AND name = $2")
        .bind(task)
        .bind(name)
        .fetch_one(app.service.store().pool())
        .await
        .unwrap()
}

on_both_backends! {
    async fn a_task_committed_without_an_index_draws_from_its_manifest(app) {
        let task = committed_task(&app).await;
        assert!(stored_pieces(&app, task, TARGET_INDEX_FILE).await > 0, "the commit stored an index");
        sqlx::query("DELETE FROM task_files WHERE task_id = $1 AND name IN ($2, $3)")
            .bind(task)
            .bind(TARGET_INDEX_FILE)
            .bind(TARGET_STRATA_FILE)
            .execute(app.service.store().pool())
            .await
            .unwrap();
        app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        app.act(task, "reveal", json!({}), StatusCode::OK).await;
        assert_eq!(published(&app, task, RESULT_FILE).await, recomputed(&app, task).await);
    }

    async fn an_index_that_no_longer_matches_its_manifest_is_refused(app) {
        let task = committed_task(&app).await;
        // The strata named in another order: every target keeps its index
        // number, so each now claims another stratum than its line says.
        let strata = first_piece(&app, task, TARGET_STRATA_FILE).await;
        let mut keys: Vec<&str> = std::str::from_utf8(&strata).unwrap().lines().collect();
        assert!(keys.len() > 1, "{keys:?}");
        keys.reverse();
        replace_first_piece(&app, task, TARGET_STRATA_FILE, format!("{}\n", keys.join("\n"))).await;
        refused_with_nothing_drawn(&app, task).await;
    }

    async fn a_manifest_changed_after_its_commitment_is_refused(app) {
        let task = committed_task(&app).await;
        // One target's id changed in place: the index still agrees with the
        // manifest, whose digest no longer agrees with the commitment.
        let text = String::from_utf8(first_piece(&app, task, TARGETS_FILE).await).unwrap();
        assert!(text.contains("\nT0010\t"), "{text}");
        replace_first_piece(&app, task, TARGETS_FILE, text.replace("\nT0010\t", "\nT001X\t")).await;
        refused_with_nothing_drawn(&app, task).await;
    }
}

async fn first_piece(app: &TestApp, task: i64, name: &str) -> Vec<u8> {
    sqlx::query_scalar("SELECT content FROM task_files WHERE task_id = $1 AND name = $2 AND seq = 0")
        .bind(task)
        .bind(name)
        .fetch_one(app.service.store().pool())
        .await
        .unwrap()
}

async fn replace_first_piece(app: &TestApp, task: i64, name: &str, content: String) {
    sqlx::query("UPDATE task_files SET content = $1 WHERE task_id = $2 AND name = $3 AND seq = 0")
        .bind(content.into_bytes())
        .bind(task)
        .bind(name)
        .execute(app.service.store().pool())
        .await
        .unwrap();
}

/// The draw fails as the server's own fault, and the task stays committed.
async fn refused_with_nothing_drawn(app: &TestApp, task: i64) {
    let error = app.act(task, "draw", json!({"entropy": DICE}), StatusCode::INTERNAL_SERVER_ERROR).await;
    assert_eq!(error["code"], "internal", "{error}");
    let view = expect(app.get(Some(&app.market), &format!("/api/tasks/{task}")).await, StatusCode::OK).await;
    assert_eq!(view["state"], "committed", "nothing was drawn");
}

/// PostgreSQL compresses a task's files as it stores them (migration 0020,
/// where the server has lz4): the manifest is stored compressed, and what
/// is drawn from and published is still the manifest committed to, byte for
/// byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_stores_a_manifest_compressed_and_gives_back_its_bytes() {
    let app = TestApp::spawn(Backend::Postgres).await;
    app.seed_directory().await;
    // Enough targets for a piece PostgreSQL moves out of its row (2 KB),
    // the pieces it compresses.
    expect(app.post_csv(&app.market, "/api/targets/import", &targets_csv(3_000)).await, StatusCode::OK).await;
    let task = app.create_task(json!({"quota": {"count": 3}})).await;
    app.act(task, "commit", json!({}), StatusCode::OK).await;
    let compressed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM task_files WHERE task_id = $1 AND name = $2 \
         AND pg_column_compression(content) = 'lz4'",
    )
    .bind(task)
    .bind(TARGETS_FILE)
    .fetch_one(app.service.store().pool())
    .await
    .unwrap();
    assert_eq!(compressed, stored_pieces(&app, task, TARGETS_FILE).await, "every piece is compressed");
    assert!(compressed > 0);

    app.pass_entropy_event();
    app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
    app.act(task, "reveal", json!({}), StatusCode::OK).await;
    let manifest = published(&app, task, TARGETS_FILE).await;
    assert_eq!(manifest.iter().filter(|&&byte| byte == b'\n').count(), 3_001, "every target and the header");
    let (commitment, _) = Commitment::parse(&published(&app, task, COMMITMENT_FILE).await).unwrap();
    assert_eq!(Digest::of_file(&manifest), commitment.targets, "the manifest committed to");
    assert_eq!(published(&app, task, RESULT_FILE).await, recomputed(&app, task).await);
}
