//! Exchange with other systems: each publication and correction reaches a
//! webhook at least once, signed and with an idempotency id that stays the
//! same across attempts; a dead receiver holds no publication up, and an
//! event whose attempts are used up is marked failed and left alone; two
//! servers on one database do not deliver an event twice; the exports hold
//! exactly the published records, corrections pointing at their originals,
//! with cells a spreadsheet would run as formulas neutralised.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use futures_util::TryStreamExt;
use opendraw::http::limits::Limits;
use opendraw::service::Service;
use opendraw::service::exchange::export::ExchangeQuery;
use opendraw::service::exchange::outbox::{Backoff, ExchangeWebhooks};
use opendraw::service::exchange::signature;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, DICE, TestApp, expect, targets_csv};
use crate::inspections::{assignments, enter, review, task_with_assignments, today};
use crate::on_both_backends;

/// Runs each test body once on SQLite and once on PostgreSQL, given the
/// backend: the test starts its own server, sending events to its receiver.
macro_rules! on_both_backends_sending {
    ($(async fn $name:ident($backend:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($backend: Backend) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run(Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    run(Backend::Postgres).await
                }
            }
        )*
    };
}

const SECRET: &str = "shared exchange secret";

/// What the receiver saw: every attempt's event id, and the events it
/// kept, by idempotency id (a repeat is acknowledged and not kept again).
#[derive(Clone, Default)]
struct Receiver {
    attempts: Arc<Mutex<Vec<String>>>,
    kept: Arc<Mutex<HashMap<String, Value>>>,
    /// How many attempts to refuse before accepting.
    refuse: Arc<Mutex<usize>>,
    bad_signatures: Arc<Mutex<usize>>,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> AxumStatus {
    let id = headers.get("opendraw-event-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    receiver.attempts.lock().unwrap().push(id.clone());
    let signed = headers.get("opendraw-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !signature::verify(SECRET.as_bytes(), &body, signed) {
        *receiver.bad_signatures.lock().unwrap() += 1;
        return AxumStatus::UNAUTHORIZED;
    }
    {
        let mut refuse = receiver.refuse.lock().unwrap();
        if *refuse > 0 {
            *refuse -= 1;
            return AxumStatus::SERVICE_UNAVAILABLE;
        }
    }
    let event: Value = serde_json::from_slice(&body).unwrap();
    receiver.kept.lock().unwrap().entry(id).or_insert(event);
    AxumStatus::NO_CONTENT
}

/// A local HTTP server taking the webhook's POSTs; its address.
async fn receiver(refuse: usize) -> (Receiver, String) {
    let receiver = Receiver { refuse: Arc::new(Mutex::new(refuse)), ..Receiver::default() };
    let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (receiver, address)
}

/// Retries within a test's patience.
fn quick() -> Backoff {
    Backoff { first: Duration::from_millis(50), longest: Duration::from_millis(200), attempts: 10 }
}

fn webhooks(url: &str) -> ExchangeWebhooks {
    ExchangeWebhooks::new(&[url.to_owned()], Some(SECRET)).unwrap().with_backoff(quick())
}

/// The server with its events sent to `url`.
async fn app_sending_to(backend: Backend, url: &str) -> TestApp {
    let webhooks = webhooks(url);
    TestApp::spawn_configured(backend, Limits::default(), None, move |service| {
        service.with_exchange(webhooks)
    })
    .await
}

/// Waits (at most ten seconds) until `done` holds.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(10), "waited in vain for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Enters, approves and publishes a result of the inspector's target; its view.
async fn publish(app: &TestApp, task: i64, target: &str) -> Value {
    let entered = enter(app, &app.inspector_a, task, target, "no_problem").await;
    review(app, &entered["id"], "approve", json!({}), StatusCode::OK).await;
    review(app, &entered["id"], "publish", json!({}), StatusCode::OK).await
}

async fn targets(app: &TestApp, task: i64) -> Vec<String> {
    assignments(app, &app.inspector_a, task)
        .await
        .iter()
        .map(|a| a["target"].as_str().unwrap().to_owned())
        .collect()
}

/// An export's records (in both formats, which must agree): their ids and
/// publication times in the order sent, and the newest time in the header.
struct Exported {
    ids: Vec<String>,
    times: Vec<String>,
    newest: Option<String>,
}

/// Both exports with the query string `query`.
async fn export_ids(app: &TestApp, query: &str) -> Exported {
    let newest = |response: &reqwest::Response| {
        response
            .headers()
            .get("opendraw-exchange-newest-published-at")
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let response = app.get(None, &format!("/api/public/exchange/results.json{query}")).await;
    let json_newest = newest(&response);
    let export = expect(response, StatusCode::OK).await;
    let records = export["records"].as_array().unwrap();
    let field = |name: &str| records.iter().map(|r| r[name].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let (ids, times) = (field("record_id"), field("published_at"));

    let response = app.get(None, &format!("/api/public/exchange/results.csv{query}")).await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    assert_eq!(newest(&response), json_newest, "{query}: the same newest time");
    let bytes = response.bytes().await.unwrap();
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let column = header.iter().position(|h| h == "record_id").unwrap();
    let csv_ids: Vec<String> = reader.records().map(|row| row.unwrap()[column].to_owned()).collect();
    assert_eq!(csv_ids, ids, "{query}: the CSV holds what the JSON does");
    Exported { ids, times, newest: json_newest }
}

/// The pieces of an export, joined.
async fn joined<E: std::fmt::Debug>(pieces: impl futures_util::Stream<Item = Result<Bytes, E>>) -> Vec<u8> {
    pieces.map_ok(|piece| piece.to_vec()).try_concat().await.unwrap()
}

async fn outbox(app: &TestApp) -> Value {
    expect(app.get(Some(&app.admin), "/api/exchange/outbox").await, StatusCode::OK).await
}

on_both_backends_sending! {
    async fn a_receiver_that_fails_twice_records_each_publication_once(backend) {
        let (receiver, url) = receiver(2).await;
        let app = app_sending_to(backend, &url).await;
        tokio::spawn(app.service.clone().run_exchange_outbox(Duration::from_millis(20)));
        let task = task_with_assignments(&app, true).await;
        let target = targets(&app, task).await.remove(0);

        let published = publish(&app, task, &target).await;
        let reference = published["reference"].as_str().unwrap().to_owned();
        eventually("the publication", || receiver.kept.lock().unwrap().len() == 1).await;
        let attempts = receiver.attempts.lock().unwrap().clone();
        assert_eq!(attempts.len(), 3, "refused twice, taken the third time: {attempts:?}");
        assert!(attempts.iter().all(|id| *id == attempts[0]), "one idempotency id across attempts: {attempts:?}");
        assert_eq!(*receiver.bad_signatures.lock().unwrap(), 0);
        let event = receiver.kept.lock().unwrap()[&attempts[0]].clone();
        assert_eq!(event["event_id"], attempts[0].as_str(), "the id in the body is the header's");
        assert_eq!((event["event"].as_str(), event["schema_version"].as_str()), (Some("result.published"), Some("1")));
        let record = &event["record"];
        assert_eq!((record["record_id"].as_str(), record["record_kind"].as_str()), (Some(reference.as_str()), Some("original")));
        assert_eq!((record["task_id"].as_i64(), record["entity_code"].as_str()), (Some(task), Some(target.as_str())));
        assert_eq!((record["item_code"].as_str(), record["result_code"].as_str()), (Some("FOOD-01"), Some("no_problem")));
        assert_eq!((record["result"].as_str(), record["inspection_type"].as_str()), (Some("未发现问题"), Some("不定向")));
        assert_eq!(record["completion_date"], today(&app));

        // The correction is an event of its own, pointing at the original.
        let correction = json!({"outcome": "rectify", "inspection_date": today(&app), "reason": "复核更正"});
        let corrected = review(&app, &published["id"], "correct", correction, StatusCode::OK).await;
        eventually("the correction", || receiver.kept.lock().unwrap().len() == 2).await;
        let kept = receiver.kept.lock().unwrap().clone();
        let event = kept.values().find(|e| e["event"] == "result.corrected").expect("a correction event");
        assert_eq!(event["record"]["record_id"], corrected["reference"]);
        assert_eq!((event["record"]["record_kind"].as_str(), event["record"]["corrects"].as_str()), (Some("correction"), Some(reference.as_str())));
        assert_eq!(event["record"]["correction_reason"], "复核更正");

        // Delivered events are not sent again.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(receiver.attempts.lock().unwrap().len(), 4, "three attempts and one: nothing after delivery");
        let state = outbox(&app).await;
        assert_eq!((state["delivered"].as_i64(), state["pending"].as_i64(), state["failed"].as_i64()), (Some(2), Some(0), Some(0)), "{state}");
        assert_eq!(state["webhooks"], json!([url]));
    }

    async fn a_dead_receiver_neither_blocks_nor_slows_publication(backend) {
        // A port nobody listens on: every attempt's connection is refused.
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", closed.local_addr().unwrap());
        drop(closed);
        let app = app_sending_to(backend, &url).await;
        tokio::spawn(app.service.clone().run_exchange_outbox(Duration::from_millis(20)));
        let task = task_with_assignments(&app, true).await;
        let target = targets(&app, task).await.remove(0);

        let started = Instant::now();
        let published = publish(&app, task, &target).await;
        assert!(started.elapsed() < Duration::from_secs(5), "publication took {:?}", started.elapsed());
        assert_eq!(published["state"], "published");
        let public = expect(app.get(None, &format!("/api/public/results?task={task}")).await, StatusCode::OK).await;
        assert_eq!(public["total"], 1);

        let mut state = Value::Null;
        let waited = Instant::now();
        while state["retrying"] != 1 {
            assert!(waited.elapsed() < Duration::from_secs(10), "no failed attempt recorded: {state}");
            tokio::time::sleep(Duration::from_millis(50)).await;
            state = outbox(&app).await;
        }
        assert_eq!((state["pending"].as_i64(), state["delivered"].as_i64(), state["failed"].as_i64()), (Some(1), Some(0), Some(0)), "{state}");
        let error = state["last_error"].as_str().unwrap();
        assert!(error.to_lowercase().contains("refused"), "the error says why: {error}");
        let row = &state["undelivered"][0];
        assert_eq!((row["event"].as_str(), row["webhook"].as_str()), (Some("result.published"), Some(url.as_str())));
        assert_eq!(row["event_id"], format!("result.published:{}", published["reference"].as_str().unwrap()));
        assert!(row["attempts"].as_i64().unwrap() >= 1);
        assert_eq!(row["last_error"], error);
    }

    async fn an_event_whose_attempts_are_used_up_is_marked_failed_and_left_alone(backend) {
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", closed.local_addr().unwrap());
        drop(closed);
        let webhooks = webhooks(&url).with_backoff(Backoff { attempts: 2, ..quick() });
        let app = TestApp::spawn_configured(backend, Limits::default(), None, move |service| service.with_exchange(webhooks)).await;
        let task = task_with_assignments(&app, true).await;
        let target = targets(&app, task).await.remove(0);
        publish(&app, task, &target).await;

        let mut rounds = 0;
        while outbox(&app).await["failed"] != 1 {
            rounds += 1;
            assert!(rounds < 200, "never marked failed: {}", outbox(&app).await);
            app.service.deliver_exchange_events().await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let state = outbox(&app).await;
        assert_eq!((state["pending"].as_i64(), state["retrying"].as_i64()), (Some(0), Some(0)), "{state}");
        let row = &state["undelivered"][0];
        assert_eq!(row["attempts"], 2, "{state}");
        assert!(row["failed_at"].is_string(), "{state}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(app.service.deliver_exchange_events().await.unwrap(), 0, "a failed event is not tried again");
    }

    async fn two_servers_on_one_database_deliver_each_event_once(backend) {
        let (receiver, url) = receiver(0).await;
        let app = app_sending_to(backend, &url).await;
        let task = task_with_assignments(&app, true).await;
        let targets = targets(&app, task).await;
        assert!(targets.len() >= 3, "{targets:?}");
        for target in &targets[..3] {
            publish(&app, task, target).await;
        }
        // A second server on the same database, claiming at the same time.
        let other = Service::new(opendraw::storage::Store::open(&app.database_url).await.unwrap()).with_exchange(webhooks(&url));
        let (one, two) = tokio::join!(app.service.deliver_exchange_events(), other.deliver_exchange_events());
        assert_eq!(one.unwrap() + two.unwrap(), 3, "each event claimed by one server");
        let attempts = receiver.attempts.lock().unwrap().clone();
        let mut distinct = attempts.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!((attempts.len(), distinct.len()), (3, 3), "{attempts:?}");
        assert_eq!(app.service.deliver_exchange_events().await.unwrap(), 0, "nothing left to deliver");
    }
}

on_both_backends! {

    async fn the_exports_hold_exactly_the_published_records(app) {
        // Every entity's name begins with a formula.
        app.seed_directory().await;
        let formulas = targets_csv(60).replace(",单位", ",=cmd|' /C calc'!A0 单位");
        expect(app.post_csv(&app.market, "/api/targets/import", &formulas).await, StatusCode::OK).await;
        let task = app.create_task(json!({"quota": {"ratio": "100%"}})).await;
        app.act(task, "commit", json!({}), StatusCode::OK).await;
        app.pass_entropy_event();
        app.act(task, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        app.act(task, "reveal", json!({}), StatusCode::OK).await;
        let mine = targets(&app, task).await;
        let original = publish(&app, task, &mine[0]).await;
        let correction = json!({"outcome": "rectify", "inspection_date": today(&app), "reason": "复核更正"});
        let corrected = review(&app, &original["id"], "correct", correction, StatusCode::OK).await;
        let approved = enter(&app, &app.inspector_a, task, &mine[1], "no_problem").await;
        review(&app, &approved["id"], "approve", json!({}), StatusCode::OK).await;
        enter(&app, &app.inspector_a, task, &mine[2], "rectify").await;
        // A task drawn and still sealed, with an approved result.
        let sealed = app.create_task(json!({"quota": {"ratio": "100%"}, "name": "sealed"})).await;
        app.act(sealed, "commit", json!({}), StatusCode::OK).await;
        app.pass_entropy_event();
        app.act(sealed, "draw", json!({"entropy": DICE}), StatusCode::OK).await;
        let hidden = targets(&app, sealed).await.remove(0);
        let unpublished = enter(&app, &app.inspector_a, sealed, &hidden, "no_problem").await;
        review(&app, &unpublished["id"], "approve", json!({}), StatusCode::OK).await;

        let response = app.get(None, "/api/public/exchange/results.json").await;
        assert_eq!(response.headers()["opendraw-exchange-schema"], "1");
        let export = expect(response, StatusCode::OK).await;
        assert_eq!(export["schema_version"], "1");
        let records = export["records"].as_array().unwrap();
        let mut ids: Vec<&str> = records.iter().map(|r| r["record_id"].as_str().unwrap()).collect();
        ids.sort();
        let mut published = vec![original["reference"].as_str().unwrap(), corrected["reference"].as_str().unwrap()];
        published.sort();
        assert_eq!(ids, published, "the published records and nothing else");
        let by_id = |id: &Value| records.iter().find(|r| r["record_id"] == *id).unwrap();
        let (old, new) = (by_id(&original["reference"]), by_id(&corrected["reference"]));
        assert_eq!((old["status"].as_str(), old["corrected_by"].as_str()), (Some("corrected"), corrected["reference"].as_str()));
        assert_eq!((new["status"].as_str(), new["record_kind"].as_str()), (Some("current"), Some("correction")));
        assert_eq!(new["corrects"], original["reference"]);
        assert_eq!(new["result"], "发现问题，已责令改正");
        assert!(old["entity_name"].as_str().unwrap().starts_with("=cmd|"), "JSON carries the text as it is");

        let response = app.get(None, "/api/public/exchange/results.csv").await;
        assert_eq!(response.headers()["opendraw-exchange-schema"], "1");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let bytes = response.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
        let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[3..]);
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(header.first().map(String::as_str), Some("schema_version"));
        let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let mut csv_ids: Vec<&str> = rows.iter().map(|row| &row[column("record_id")]).collect();
        csv_ids.sort();
        assert_eq!(csv_ids, published);
        for row in &rows {
            assert_eq!(&row[column("schema_version")], "1");
            assert!(row[column("entity_name")].starts_with("'=cmd|"), "formula-safe: {row:?}");
            let json = records.iter().find(|r| r["record_id"] == row[column("record_id")]).unwrap();
            assert_eq!(row[column("corrects")], *json["corrects"].as_str().unwrap_or_default());
            assert_eq!(row[column("completion_date")], *json["completion_date"].as_str().unwrap());
            assert_eq!(row[column("task_id")], task.to_string(), "nothing of the sealed task");
        }
    }

    async fn since_exports_only_what_was_published_at_or_after_it(app) {
        let task = task_with_assignments(&app, true).await;
        let mine = targets(&app, task).await;
        assert!(mine.len() >= 3, "{mine:?}");
        // Each a few milliseconds after the one before: published times are
        // written to the millisecond.
        let mut published = Vec::new();
        for target in &mine[..3] {
            published.push(publish(&app, task, target).await["reference"].as_str().unwrap().to_owned());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let everything = export_ids(&app, "").await;
        assert_eq!(everything.ids, [published[2].clone(), published[1].clone(), published[0].clone()], "newest first");
        assert_eq!(everything.newest.as_deref(), Some(everything.times[0].as_str()));
        let second = everything.times[1].clone();
        let second_at = chrono::DateTime::parse_from_rfc3339(&second).unwrap();
        let just_after = (second_at + chrono::TimeDelta::milliseconds(1)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let a_microsecond_after = (second_at + chrono::TimeDelta::microseconds(1)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let in_beijing = second_at.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap()).to_rfc3339();
        assert!(in_beijing.ends_with("+08:00"), "{in_beijing}");
        let day = &everything.times[2][..10];
        let cases = [
            (second.clone(), &published[1..]),
            (in_beijing.replace('+', "%2B"), &published[1..]),
            (just_after, &published[2..]),
            // Published times are whole milliseconds: this one is before it.
            (a_microsecond_after, &published[2..]),
            (day.to_owned(), &published[..]),
        ];
        for (since, expected) in cases {
            let export = export_ids(&app, &format!("?since={since}")).await;
            let mut wanted = expected.to_vec();
            wanted.reverse();
            assert_eq!(export.ids, wanted, "since={since}");
            assert_eq!(export.newest.as_deref(), Some(everything.times[0].as_str()), "since={since}");
        }

        // A time to come: a valid export holding nothing.
        for since in ["2999-01-01T00:00:00Z", "2999-01-01"] {
            let export = export_ids(&app, &format!("?since={since}")).await;
            assert!(export.ids.is_empty(), "since={since}: {:?}", export.ids);
            assert_eq!(export.newest, None, "no record, no newest time");
        }
        let response = app.get(None, "/api/public/exchange/results.json?since=2999-01-01").await;
        assert_eq!(expect(response, StatusCode::OK).await, json!({"schema_version": "1", "records": []}));

        // Refused, naming the parameter, on both exports.
        let long = "2".repeat(200);
        let bad = [
            "", "yesterday", "2026-13-01", "2026-02-30", "2026-11-30T08:00:00", "2026-11-30T08:00:00+08:00",
            "2026-11-30T25:00:00Z", "9999-12-31T23:00:00-05:00", " 2026-11-30", long.as_str(),
        ];
        for format in ["csv", "json"] {
            for since in bad {
                let url = format!("/api/public/exchange/results.{format}?since={since}");
                let body = expect(app.get(None, &url).await, StatusCode::UNPROCESSABLE_ENTITY).await;
                assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("invalid_query"), Some("since")), "{url}: {body}");
            }
            let url = format!("/api/public/exchange/results.{format}?sinse=2026-11-30");
            let body = expect(app.get(None, &url).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(body["code"], "invalid_query", "a misspelt parameter is not ignored: {body}");
        }
    }

    async fn an_export_holds_nothing_newer_than_the_newest_it_names(app) {
        let task = task_with_assignments(&app, true).await;
        let mine = targets(&app, task).await;
        let first = publish(&app, task, &mine[0]).await;
        let query = ExchangeQuery::default();
        // The export is begun; its records are read only as it is sent.
        let (newest_json, json) = app.service.exchange_json(&query).await.unwrap();
        let (newest_csv, csv) = app.service.exchange_csv(&query).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        let later = publish(&app, task, &mine[1]).await;

        let bytes: Vec<u8> = joined(json).await;
        let export: Value = serde_json::from_slice(&bytes).unwrap();
        let records = export["records"].as_array().unwrap();
        assert_eq!(records.len(), 1, "{export}");
        assert_eq!(records[0]["record_id"], first["reference"]);
        assert_eq!(newest_json.as_deref(), records[0]["published_at"].as_str());
        let text = String::from_utf8(joined(csv).await).unwrap();
        assert!(text.contains(first["reference"].as_str().unwrap()), "{text}");
        assert!(!text.contains(later["reference"].as_str().unwrap()), "{text}");
        assert_eq!(newest_csv, newest_json);

        // Begun when nothing matched: empty, whatever is published meanwhile.
        let later_at = chrono::DateTime::parse_from_rfc3339(later["published_at"].as_str().unwrap()).unwrap();
        let since = (later_at + chrono::TimeDelta::milliseconds(1)).to_rfc3339();
        let (newest, json) = app.service.exchange_json(&ExchangeQuery { since: Some(since.clone()) }).await.unwrap();
        assert_eq!(newest, None);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let third = publish(&app, task, &mine[2]).await;
        let third_at = chrono::DateTime::parse_from_rfc3339(third["published_at"].as_str().unwrap()).unwrap();
        assert!(third_at > later_at + chrono::TimeDelta::milliseconds(1), "published after since: {third}");
        let bytes: Vec<u8> = joined(json).await;
        assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), json!({"schema_version": "1", "records": []}));
    }

    async fn the_outbox_is_for_admins(app) {
        let unsigned = app.get(None, "/api/exchange/outbox").await;
        assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
        let supervisor = app.get(Some(&app.market), "/api/exchange/outbox").await;
        assert_eq!(expect(supervisor, StatusCode::FORBIDDEN).await["code"], "forbidden");
        let state = outbox(&app).await;
        assert_eq!((state["pending"].as_i64(), state["webhooks"].as_array().map(Vec::len)), (Some(0), Some(0)));
    }
}
