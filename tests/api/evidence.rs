//! Evidence over HTTP: the team attaches files to its result while it is
//! editable; the type is checked by the bytes, the size and count bounded;
//! files are kept once submitted; the team and the result's reviewers read
//! them, nobody else; the public sees, once published, their digests only.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::checklists::import_food_checklist;
use crate::helpers::{Backend, TestApp, expect};
use crate::inspections::{result_path, review, target_of, task_with_assignments, today};
use crate::on_both_backends;

/// The first bytes of a PNG file, and a few more.
fn png(seed: u8) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..200u8).map(|n| n.wrapping_mul(seed)));
    bytes
}

async fn upload(
    app: &TestApp,
    token: &str,
    path: &str,
    name: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let name: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    let url = app.url(&format!("{path}/attachments?name={name}"));
    let request = app.client.post(url).bearer_auth(token).header("content-type", content_type);
    request.body(bytes).send().await.unwrap()
}

/// The answer to an upload announcing one byte more than 10 MiB, sent
/// by hand so that the answer is read before any of the body is sent
/// (a client still writing when the server refuses may see the connection
/// closed instead of the answer).
async fn announce_large_upload(app: &TestApp, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        app.inspector_a,
        (10 << 20) + 1
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

async fn stored_attachments(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM attachments")
        .fetch_one(app.service.store().pool())
        .await
        .unwrap()
}

async fn steps(app: &TestApp, path: &str) -> usize {
    let view = expect(app.get(Some(&app.inspector_a), path).await, StatusCode::OK).await;
    view["steps"].as_array().unwrap().len()
}

/// A complete result of the food item, with every checklist point answered.
fn complete(app: &TestApp) -> Value {
    json!({
        "outcome": "rectify", "inspection_date": today(app), "summary": "责令改正", "notes": "内部备注：店长电话 139",
        "answers": [
            {"number": 1, "answer": "compliant"},
            {"number": 2, "answer": "non_compliant", "note": "健康证过期"},
            {"number": 3, "answer": "compliant"},
        ],
    })
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

on_both_backends! {
    async fn the_same_file_sent_again_under_its_name_is_attached_once(app) {
        let task = task_with_assignments(&app, false).await;
        let target = target_of(&app, &app.inspector_a, task, "M002").await;
        let path = result_path(task, &target);
        expect(app.put_json(Some(&app.inspector_a), &path, &json!({"outcome": "rectify"})).await, StatusCode::CREATED).await;
        let first = expect(upload(&app, &app.inspector_a, &path, "门头.png", "image/png", png(3)).await, StatusCode::CREATED).await;
        // A phone that lost the answer sends the same file again.
        let again = upload(&app, &app.inspector_a, &path, "门头.png", "image/png", png(3)).await;
        assert!(again.status().is_success(), "{}", again.status());
        assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
        // The same bytes under another name are another attachment.
        expect(upload(&app, &app.inspector_a, &path, "柜台.png", "image/png", png(3)).await, StatusCode::CREATED).await;
        let view = expect(app.get(Some(&app.inspector_a), &path).await, StatusCode::OK).await;
        let names: Vec<&str> = view["attachments"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["门头.png", "柜台.png"]);
    }

    async fn refused_uploads_store_nothing_and_say_why(app) {
        let task = task_with_assignments(&app, false).await;
        let target = target_of(&app, &app.inspector_a, task, "M002").await;
        let path = result_path(task, &target);
        let not_saved = upload(&app, &app.inspector_a, &path, "门头.png", "image/png", png(3)).await;
        assert_eq!(expect(not_saved, StatusCode::CONFLICT).await["code"], "result_not_recorded");
        expect(app.put_json(Some(&app.inspector_a), &path, &json!({"outcome": "rectify"})).await, StatusCode::CREATED).await;
        let before = steps(&app, &path).await;

        let gif = upload(&app, &app.inspector_a, &path, "a.gif", "image/gif", b"GIF89a....".to_vec()).await;
        assert_eq!(expect(gif, StatusCode::UNSUPPORTED_MEDIA_TYPE).await["code"], "unsupported_attachment_type");
        let mismatch = upload(&app, &app.inspector_a, &path, "a.jpg", "image/jpeg", png(3)).await;
        assert_eq!(expect(mismatch, StatusCode::UNPROCESSABLE_ENTITY).await["code"], "attachment_type_mismatch");
        let large = announce_large_upload(&app, &format!("{path}/attachments?name=a.png")).await;
        assert!(large.starts_with("HTTP/1.1 413"), "{large}");
        assert!(large.contains("payload_too_large"), "{large}");
        let bad_name = upload(&app, &app.inspector_a, &path, "../a.png", "image/png", png(3)).await;
        assert_eq!(expect(bad_name, StatusCode::UNPROCESSABLE_ENTITY).await["field"], "name");
        let theirs = upload(&app, &app.inspector_b, &path, "a.png", "image/png", png(3)).await;
        expect(theirs, StatusCode::FORBIDDEN).await;
        let supervisor = upload(&app, &app.market, &path, "a.png", "image/png", png(3)).await;
        expect(supervisor, StatusCode::FORBIDDEN).await;
        assert_eq!(stored_attachments(&app).await, 0, "nothing was stored");
        assert_eq!(steps(&app, &path).await, before, "no step was added");

        let kept = expect(upload(&app, &app.inspector_a, &path, "a.png", "image/png", png(3)).await, StatusCode::CREATED).await;
        let mine = format!("{path}/attachments/{}", kept["id"]);
        expect(app.get(Some(&app.inspector_b), &mine).await, StatusCode::FORBIDDEN).await;
        let view = expect(app.get(Some(&app.inspector_a), &path).await, StatusCode::OK).await;
        let reviewed = format!("/api/results/{}/attachments/{}", view["id"], kept["id"]);
        expect(app.get(Some(&app.health), &reviewed).await, StatusCode::NOT_FOUND).await;
        expect(app.get(Some(&app.inspector_a), &reviewed).await, StatusCode::FORBIDDEN).await;
        expect(app.get(None, &reviewed).await, StatusCode::UNAUTHORIZED).await;
        let delete = app.client.delete(app.url(&mine)).bearer_auth(&app.inspector_b).send().await.unwrap();
        expect(delete, StatusCode::FORBIDDEN).await;
        assert_eq!(stored_attachments(&app).await, 1, "another's delete removed nothing");
    }

    async fn files_are_read_by_the_team_and_reviewers_kept_after_submission_and_published_as_digests(app) {
        let task = task_with_assignments(&app, true).await;
        import_food_checklist(&app).await;
        let target = target_of(&app, &app.inspector_a, task, "").await;
        let path = result_path(task, &target);
        expect(app.put_json(Some(&app.inspector_a), &path, &complete(&app)).await, StatusCode::CREATED).await;
        let photo = png(7);
        let added = expect(upload(&app, &app.inspector_a, &path, "门头照片.png", "image/png", photo.clone()).await, StatusCode::CREATED).await;
        assert_eq!((added["sha256"].as_str(), added["size"].as_i64()), (Some(sha256(&photo).as_str()), Some(photo.len() as i64)));
        assert_eq!(added["uploaded_by"], "inspector-a");
        let mine = format!("{path}/attachments/{}", added["id"]);
        let read = app.get(Some(&app.inspector_a), &mine).await;
        assert_eq!(read.status(), StatusCode::OK);
        let headers = read.headers().clone();
        assert_eq!(headers["content-type"], "image/png");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["content-security-policy"], "sandbox; default-src 'none'");
        assert_eq!(headers["cache-control"], "private, no-store");
        assert!(headers["content-disposition"].to_str().unwrap().starts_with("inline; filename*=UTF-8''%E9%97%A8"));
        assert_eq!(read.bytes().await.unwrap().to_vec(), photo);

        let draft = expect(upload(&app, &app.inspector_a, &path, "草稿.png", "image/png", png(9)).await, StatusCode::CREATED).await;
        let gone = app.client.delete(app.url(&format!("{path}/attachments/{}", draft["id"]))).bearer_auth(&app.inspector_a).send().await.unwrap();
        assert_eq!(gone.status(), StatusCode::NO_CONTENT);
        let view = expect(app.get(Some(&app.inspector_a), &path).await, StatusCode::OK).await;
        let steps: Vec<(&str, &str)> = view["steps"].as_array().unwrap().iter().map(|s| (s["step"].as_str().unwrap(), s["reason"].as_str().unwrap())).collect();
        assert!(steps.contains(&("attached", &format!("sha256:{} 门头照片.png", sha256(&photo)))), "{steps:?}");
        assert!(steps.iter().any(|(step, reason)| *step == "detached" && reason.contains(&sha256(&png(9)))), "{steps:?}");
        assert_eq!(view["attachments"].as_array().unwrap().len(), 1);

        let submitted = expect(app.post_json(Some(&app.inspector_a), &format!("{path}/submit"), &json!({})).await, StatusCode::OK).await;
        let id = &submitted["id"];
        let kept = app.client.delete(app.url(&mine)).bearer_auth(&app.inspector_a).send().await.unwrap();
        assert_eq!(expect(kept, StatusCode::CONFLICT).await["code"], "attachment_kept");
        let late = upload(&app, &app.inspector_a, &path, "b.png", "image/png", png(5)).await;
        assert_eq!(expect(late, StatusCode::CONFLICT).await["code"], "result_not_editable");
        let reviewed = app.get(Some(&app.market), &format!("/api/results/{id}/attachments/{}", added["id"])).await;
        assert_eq!(reviewed.bytes().await.unwrap().to_vec(), photo, "the reviewer reads the file");

        review(&app, id, "return", json!({"reason": "请补充后厨照片"}), StatusCode::OK).await;
        let pdf = b"%PDF-1.4\n1 0 obj\n".to_vec();
        expect(upload(&app, &app.inspector_a, &path, "检查记录.pdf", "application/pdf", pdf.clone()).await, StatusCode::CREATED).await;
        let kept = app.client.delete(app.url(&mine)).bearer_auth(&app.inspector_a).send().await.unwrap();
        assert_eq!(expect(kept, StatusCode::CONFLICT).await["code"], "attachment_kept", "a returned result adds files, never removes");
        expect(app.post_json(Some(&app.inspector_a), &format!("{path}/submit"), &json!({})).await, StatusCode::OK).await;
        review(&app, id, "approve", json!({}), StatusCode::OK).await;
        review(&app, id, "publish", json!({}), StatusCode::OK).await;

        let digests = json!([
            {"sha256": sha256(&photo), "media_type": "image/png", "size": photo.len()},
            {"sha256": sha256(&pdf), "media_type": "application/pdf", "size": pdf.len()},
        ]);
        let public = expect(app.get(None, &format!("/api/public/results?task={task}")).await, StatusCode::OK).await;
        let record = &public["results"][0];
        assert_eq!(record["attachments"], digests, "{public}");
        let log = app.get(None, "/api/public/log?after=0&limit=1000").await.text().await.unwrap();
        assert!(log.contains(&sha256(&pdf)), "the published record enters the log with its digests");
        let mut seen = public.to_string();
        seen.push_str(&log);
        for path in [format!("/api/public/entities/{target}"), format!("/api/public/results.csv?task={task}")] {
            seen.push_str(&app.get(None, &path).await.text().await.unwrap());
        }
        for secret in ["门头照片", "检查记录.pdf", "健康证过期", "店长电话"] {
            assert!(!seen.contains(secret), "'{secret}' is public");
        }
        for path in [format!("/api/public/results/{id}/attachments/{}", added["id"]), format!("/api/public/attachments/{}", added["id"])] {
            let response = app.get(None, &path).await;
            assert_ne!(response.status(), StatusCode::OK, "{path}");
            assert!(!response.bytes().await.unwrap().windows(8).any(|w| w == &photo[..8]), "{path} sent the file");
        }

        let correction = json!({"outcome": "case_filed", "inspection_date": today(&app), "summary": "立案调查", "reason": "复核后更正"});
        let corrected = review(&app, id, "correct", correction, StatusCode::OK).await;
        let carried: Vec<&str> = corrected["attachments"].as_array().unwrap().iter().map(|a| a["sha256"].as_str().unwrap()).collect();
        assert_eq!(carried, [sha256(&photo), sha256(&pdf)], "the correction keeps the evidence");
        assert_eq!(corrected["answers"].as_array().unwrap().len(), 3);
        let public = expect(app.get(None, &format!("/api/public/results?task={task}")).await, StatusCode::OK).await;
        let current = public["results"].as_array().unwrap().iter().find(|r| r["reference"] == corrected["reference"]).cloned().unwrap();
        assert_eq!(current["attachments"], digests);
    }

    async fn a_result_takes_at_most_twenty_files(app) {
        let task = task_with_assignments(&app, false).await;
        let target = target_of(&app, &app.inspector_a, task, "").await;
        let path = result_path(task, &target);
        expect(app.put_json(Some(&app.inspector_a), &path, &json!({})).await, StatusCode::CREATED).await;
        // A body beyond the 1 MiB of a JSON request is taken: a scan of a few pages.
        let scan = [b"%PDF-1.7\n".to_vec(), vec![b' '; 3 << 20]].concat();
        let scan = upload(&app, &app.inspector_a, &path, "scan.pdf", "application/pdf", scan).await;
        assert_eq!(expect(scan, StatusCode::CREATED).await["size"], (3 << 20) + 9);
        for n in 1..20u8 {
            expect(upload(&app, &app.inspector_a, &path, &format!("{n}.png"), "image/png", png(n)).await, StatusCode::CREATED).await;
        }
        let more = upload(&app, &app.inspector_a, &path, "21.png", "image/png", png(21)).await;
        assert_eq!(expect(more, StatusCode::CONFLICT).await["code"], "too_many_attachments");
        assert_eq!(stored_attachments(&app).await, 20);
    }
}

async fn files_go_to_the_attachments_dir_named_by_digest(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().to_owned();
    let app = TestApp::spawn_configured(backend, Default::default(), None, move |service| {
        service.with_attachments_dir(files)
    })
    .await;
    let task = task_with_assignments(&app, false).await;
    let target = target_of(&app, &app.inspector_a, task, "").await;
    let path = result_path(task, &target);
    expect(app.put_json(Some(&app.inspector_a), &path, &json!({})).await, StatusCode::CREATED).await;
    let photo = png(11);
    let added = expect(
        upload(&app, &app.inspector_a, &path, "a.png", "image/png", photo.clone()).await,
        StatusCode::CREATED,
    )
    .await;
    let file = dir.path().join(sha256(&photo));
    assert_eq!(std::fs::read(&file).unwrap(), photo, "the file is named by its digest");
    let in_database: Option<Vec<u8>> = sqlx::query_scalar("SELECT content FROM attachments")
        .fetch_one(app.service.store().pool())
        .await
        .unwrap();
    assert_eq!(in_database, None, "the bytes are not kept twice");
    let read = app.get(Some(&app.inspector_a), &format!("{path}/attachments/{}", added["id"])).await;
    assert_eq!(read.bytes().await.unwrap().to_vec(), photo);
    let gone = app
        .client
        .delete(app.url(&format!("{path}/attachments/{}", added["id"])))
        .bearer_auth(&app.inspector_a)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert!(!file.exists(), "a file no row names is removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_go_to_the_attachments_dir_named_by_digest_on_sqlite() {
    files_go_to_the_attachments_dir_named_by_digest(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_go_to_the_attachments_dir_named_by_digest_on_postgres() {
    files_go_to_the_attachments_dir_named_by_digest(Backend::Postgres).await;
}
