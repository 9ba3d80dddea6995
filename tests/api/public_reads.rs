//! Public reads that hold under load: statistics counted at publication
//! agree with the results; pages continue after the last result; settled
//! answers carry tags and cache lifetimes, and a held tag gets 304; the
//! whole log downloads as one stream; public reads go to the read replica.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, ETAG, IF_NONE_MATCH, VARY};
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect, new_postgres_database};
use crate::inspections::{assignments, enter, review, task_with_assignments, today};
use crate::on_both_backends;

/// Publishes results of inspector A's targets with these outcomes; returns
/// their views.
async fn publish(app: &TestApp, task: i64, outcomes: &[&str]) -> Vec<Value> {
    let mine = assignments(app, &app.inspector_a, task).await;
    assert!(mine.len() >= outcomes.len(), "enough targets for the outcomes");
    let mut out = Vec::new();
    for (assignment, outcome) in mine.iter().zip(outcomes) {
        let entered =
            enter(app, &app.inspector_a, task, assignment["target"].as_str().unwrap(), outcome).await;
        review(app, &entered["id"], "approve", json!({}), StatusCode::OK).await;
        out.push(review(app, &entered["id"], "publish", json!({}), StatusCode::OK).await);
    }
    out
}

async fn get_with(app: &TestApp, path: &str, etag: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(etag) = etag {
        request = request.header(IF_NONE_MATCH, etag);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    response.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

on_both_backends! {
    async fn statistics_counted_at_publication_agree_with_the_published_results(app) {
        let task = task_with_assignments(&app, true).await;
        let published = publish(&app, task, &["rectify", "no_problem", "rectify"]).await;
        let correction = json!({"outcome": "case_filed", "inspection_date": today(&app), "reason": "复核更正"});
        review(&app, &published[0]["id"], "correct", correction, StatusCode::OK).await;

        let statistics = expect(app.get(None, "/api/public/statistics").await, StatusCode::OK).await;
        let current = expect(app.get(None, "/api/public/results?include_corrected=false").await, StatusCode::OK).await;
        let current = current["results"].as_array().unwrap().clone();
        assert_eq!(statistics["published"], current.len(), "{statistics}");
        for count in statistics["by_outcome"].as_array().unwrap() {
            let listed = current.iter().filter(|r| r["outcome"] == count["key"]).count();
            assert_eq!(count["count"], listed, "outcome {}", count["key"]);
        }
        let regions: u64 = statistics["by_region"].as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap()).sum();
        assert_eq!(regions, 3);
        // Timeliness is that of the three first publications, all on the day.
        assert_eq!((statistics["on_time"]["on_time"].as_u64(), statistics["on_time"]["late"].as_u64()), (Some(3), Some(0)));
        let month: u64 = statistics["by_month"].as_array().unwrap().iter().map(|m| m["publications"].as_u64().unwrap()).sum();
        assert_eq!(month, 3);
        let task_view = expect(app.get(None, &format!("/api/public/tasks/{task}")).await, StatusCode::OK).await;
        assert_eq!(task_view["results_published"], 3);
        // A page of tasks counts the results of the tasks on it.
        let page = expect(app.get(None, &format!("/api/public/tasks?limit=1&before={}", task + 1)).await, StatusCode::OK).await;
        assert_eq!((&page[0]["id"], &page[0]["results_published"]), (&json!(task), &json!(3)));
    }

    async fn statistics_count_by_department_item_and_plan_with_the_coverage_of_a_year(app) {
        let task = task_with_assignments(&app, true).await;
        publish(&app, task, &["rectify", "no_problem", "rectify"]).await;
        let planned = app
            .create_task(json!({"plan_id": "P-2026", "plan_name": "2026年度抽查计划", "quota": {"ratio": "20%"}}))
            .await;
        app.act(planned, "commit", json!({}), StatusCode::OK).await;
        app.pass_entropy_event();
        app.act(planned, "draw", json!({"entropy": crate::helpers::DICE}), StatusCode::OK).await;

        let statistics = expect(app.get(None, "/api/public/statistics").await, StatusCode::OK).await;
        assert_eq!(statistics["by_department"], json!([{"key": "market", "count": 3}]));
        assert_eq!(statistics["by_item"], json!([{"key": "FOOD-01", "label": "食品经营检查", "count": 3}]));
        assert_eq!(statistics["by_plan"], json!([{"key": "", "count": 3}]));
        // Coverage: the whole pool of the first task, a fifth of the second's.
        let first = expect(app.get(None, &format!("/api/public/tasks/{task}")).await, StatusCode::OK).await;
        let second = expect(app.get(None, &format!("/api/public/tasks/{planned}")).await, StatusCode::OK).await;
        let pool = |t: &Value| t["pool_size"].as_u64().unwrap();
        let drawn = |t: &Value| t["drawn_count"].as_u64().unwrap();
        assert_eq!(pool(&first), drawn(&first));
        assert!(drawn(&second) < pool(&second));
        let coverage = &statistics["coverage"];
        assert_eq!((coverage["tasks"].as_u64(), coverage["pool"].as_u64(), coverage["drawn"].as_u64()),
            (Some(2), Some(pool(&first) + pool(&second)), Some(drawn(&first) + drawn(&second))));
        let by_plan = statistics["coverage_by_plan"].as_array().unwrap();
        let plan = by_plan.iter().find(|c| c["key"] == "P-2026").expect("the plan's coverage");
        assert_eq!(plan["label"], "2026年度抽查计划");
        assert_eq!(plan["rate"].as_f64().unwrap(), drawn(&second) as f64 / pool(&second) as f64);
        assert_eq!(statistics["coverage_by_department"][0]["key"], "market");

        // The year of the publications and draws, and a year without any.
        let year: i32 = statistics["by_month"][0]["month"].as_str().unwrap()[..4].parse().unwrap();
        assert_eq!(statistics["years"], json!([year]));
        let this = expect(app.get(None, &format!("/api/public/statistics?year={year}")).await, StatusCode::OK).await;
        assert_eq!(this["year"], year);
        for field in ["published", "by_department", "by_item", "by_plan", "by_outcome", "coverage", "by_month", "on_time"] {
            assert_eq!(this[field], statistics[field], "{field} of {year}");
        }
        let before = expect(app.get(None, &format!("/api/public/statistics?year={}", year - 1)).await, StatusCode::OK).await;
        assert_eq!((before["published"].as_u64(), before["coverage"]["tasks"].as_u64()), (Some(0), Some(0)));
        assert_eq!((before["by_department"].clone(), before["by_month"].clone()), (json!([]), json!([])));
        assert_eq!(before["years"], json!([year]), "the years with data are listed whatever the filter");
        for bad in ["1999", "2101", "twenty", ""] {
            let error = expect(app.get(None, &format!("/api/public/statistics?year={bad}")).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!((error["code"].as_str(), error["field"].as_str()), (Some("invalid_query"), Some("year")), "{bad}");
        }
    }

    async fn migrations_0004_and_0010_backfill_the_counts_that_publication_keeps(app) {
        let task = task_with_assignments(&app, true).await;
        let published = publish(&app, task, &["rectify", "no_problem", "other"]).await;
        let correction = json!({"outcome": "case_filed", "inspection_date": today(&app), "reason": "复核更正"});
        review(&app, &published[1]["id"], "correct", correction, StatusCode::OK).await;
        let pool = app.service.store().pool();
        let counts = || async {
            let mut rows: Vec<(String, String, i64)> =
                sqlx::query_as("SELECT dimension, key, count FROM publication_counts WHERE count <> 0")
                    .fetch_all(pool)
                    .await
                    .unwrap();
            rows.sort();
            rows
        };
        let kept = counts().await;
        assert!(kept.contains(&("corrected".into(), String::new(), 1)), "{kept:?}");
        let dialect = if app.database_url.starts_with("postgres") { "postgres" } else { "sqlite" };
        sqlx::query("DELETE FROM publication_counts").execute(pool).await.unwrap();
        // The counts the migrations start from, then those of the statistics by year.
        for file in ["0004_public_reads.sql", "0010_statistics_by_year.sql"] {
            let migration = std::fs::read_to_string(format!("migrations/{dialect}/{file}")).unwrap();
            for statement in migration.split(';').filter(|s| s.contains("INSERT INTO publication_counts")) {
                sqlx::query(sqlx::AssertSqlSafe(statement.to_owned())).execute(pool).await.unwrap();
            }
        }
        assert_eq!(counts().await, kept);
    }

    async fn a_page_after_a_result_continues_where_the_last_page_ended(app) {
        let task = task_with_assignments(&app, true).await;
        publish(&app, task, &["rectify", "no_problem", "other"]).await;
        let whole = expect(app.get(None, "/api/public/results").await, StatusCode::OK).await;
        let everyone: Vec<Value> = whole["results"].as_array().unwrap().iter().map(|r| r["reference"].clone()).collect();
        assert_eq!((everyone.len(), &whole["next"]), (3, &Value::Null));
        let mut paged = Vec::new();
        let mut path = "/api/public/results?limit=1".to_owned();
        loop {
            let page = expect(app.get(None, &path).await, StatusCode::OK).await;
            assert_eq!(page["total"], 3);
            paged.extend(page["results"].as_array().unwrap().iter().map(|r| r["reference"].clone()));
            let Some(next) = page["next"].as_str() else { break };
            path = format!("/api/public/results?limit=1&after={next}");
        }
        // A full last page names a next that leads to an empty one.
        assert_eq!(paged, everyone);
        for (query, field) in [("after=R-NONE", "after"), (&format!("after={}&offset=1", everyone[0].as_str().unwrap()), "after")] {
            let error = expect(app.get(None, &format!("/api/public/results?{query}")).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(error["field"], field, "{query}: {error}");
        }
        let error = expect(app.get(None, &format!("/api/public/results.csv?after={}", everyone[0].as_str().unwrap())).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error["field"], "after");
    }

    async fn tasks_page_by_id_newest_first(app) {
        app.seed_directory().await;
        let tasks = [app.drawn_task().await, app.drawn_task().await, app.drawn_task().await];
        let all = expect(app.get(None, "/api/public/tasks").await, StatusCode::OK).await;
        let ids = |page: &Value| page.as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect::<Vec<_>>();
        assert_eq!(ids(&all), [tasks[2], tasks[1], tasks[0]]);
        let first = expect(app.get(None, "/api/public/tasks?limit=2").await, StatusCode::OK).await;
        assert_eq!(ids(&first), [tasks[2], tasks[1]]);
        let rest = expect(app.get(None, &format!("/api/public/tasks?limit=2&before={}", tasks[1])).await, StatusCode::OK).await;
        assert_eq!(ids(&rest), [tasks[0]]);
        let error = expect(app.get(None, "/api/public/tasks?limit=0").await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error["field"], "limit", "{error}");
    }

    async fn settled_answers_carry_a_tag_and_a_lifetime_and_a_held_tag_gets_304(app) {
        let revealed = task_with_assignments(&app, true).await;
        let sealed = app.drawn_task().await;
        let path = format!("/api/public/tasks/{revealed}");
        let first = get_with(&app, &path, None).await;
        assert_eq!(first.status(), StatusCode::OK);
        let etag = header(&first, ETAG);
        assert!(etag.starts_with('"'), "a strong tag: {etag}");
        assert_eq!(header(&first, CACHE_CONTROL), "public, max-age=60");
        let again = get_with(&app, &path, Some(&etag)).await;
        assert_eq!((again.status(), header(&again, ETAG)), (StatusCode::NOT_MODIFIED, etag.clone()));
        assert!(again.bytes().await.unwrap().is_empty());

        // A sealed task changes at its reveal: a cache must ask every time.
        let sealed_answer = get_with(&app, &format!("/api/public/tasks/{sealed}"), None).await;
        assert_eq!(header(&sealed_answer, CACHE_CONTROL), "public, no-cache");

        // A committed file never changes again.
        let file = get_with(&app, &format!("/api/public/tasks/{sealed}/files/targets.tsv"), None).await;
        assert_eq!(header(&file, CACHE_CONTROL), "public, max-age=31536000, immutable");
        let file_tag = header(&file, ETAG);
        let held = get_with(&app, &format!("/api/public/tasks/{sealed}/files/targets.tsv"), Some(&file_tag)).await;
        assert_eq!(held.status(), StatusCode::NOT_MODIFIED);
        let sealed_file = get_with(&app, &format!("/api/public/tasks/{sealed}/files/result.tsv"), Some(&file_tag)).await;
        assert_eq!(sealed_file.status(), StatusCode::NOT_FOUND, "a tag opens nothing sealed");

        // A publication changes the task's view: the old tag no longer holds.
        publish(&app, revealed, &["no_problem"]).await;
        let changed = get_with(&app, &path, Some(&etag)).await;
        assert_eq!(changed.status(), StatusCode::OK);
        assert_ne!(header(&changed, ETAG), etag);
        let statistics = get_with(&app, "/api/public/statistics", None).await;
        let statistics_tag = header(&statistics, ETAG);
        assert_eq!(get_with(&app, "/api/public/statistics", Some(&statistics_tag)).await.status(), StatusCode::NOT_MODIFIED);
    }

    async fn short_downloads_carry_a_tag_that_holds_until_something_is_published(app) {
        let task = task_with_assignments(&app, true).await;
        let published = publish(&app, task, &["no_problem"]).await;
        for path in ["/api/public/results.csv", "/api/public/log.jsonl"] {
            let first = get_with(&app, path, None).await;
            assert_eq!(first.status(), StatusCode::OK, "{path}");
            let etag = header(&first, ETAG);
            assert!(etag.starts_with('"'), "{path} has a strong tag: {etag:?}");
            assert_eq!(header(&first, CACHE_CONTROL), "public, no-cache", "{path} is asked for again");
            let body = first.text().await.unwrap();
            let held = get_with(&app, path, Some(&etag)).await;
            assert_eq!((held.status(), header(&held, ETAG)), (StatusCode::NOT_MODIFIED, etag.clone()), "{path}");
            // Kept, it is the same bytes.
            assert_eq!(get_with(&app, path, None).await.text().await.unwrap(), body, "{path}");
        }
        let csv = get_with(&app, "/api/public/results.csv", None).await;
        let (csv_tag, csv) = (header(&csv, ETAG), csv.text().await.unwrap());
        assert!(csv.contains(published[0]["reference"].as_str().unwrap()), "{csv}");
        let log = get_with(&app, "/api/public/log.jsonl", None).await;
        let (log_tag, log) = (header(&log, ETAG), log.text().await.unwrap());

        // A second publication changes both: the old tags no longer hold.
        let mine = assignments(&app, &app.inspector_a, task).await;
        let mut second = Vec::new();
        for assignment in &mine[1..3] {
            let entered = enter(&app, &app.inspector_a, task, assignment["target"].as_str().unwrap(), "rectify").await;
            review(&app, &entered["id"], "approve", json!({}), StatusCode::OK).await;
            second.push(review(&app, &entered["id"], "publish", json!({}), StatusCode::OK).await);
        }
        let csv_now = get_with(&app, "/api/public/results.csv", Some(&csv_tag)).await;
        assert_eq!(csv_now.status(), StatusCode::OK);
        assert_ne!(header(&csv_now, ETAG), csv_tag);
        let csv_now = csv_now.text().await.unwrap();
        for result in &second {
            assert!(csv_now.contains(result["reference"].as_str().unwrap()), "{csv_now}");
        }
        let log_now = get_with(&app, "/api/public/log.jsonl", Some(&log_tag)).await;
        assert_eq!(log_now.status(), StatusCode::OK);
        let log_now = log_now.text().await.unwrap();
        assert!(log_now.starts_with(&log) && log_now.lines().count() > log.lines().count(), "the log grew");
        // A filter is its own export.
        let english = get_with(&app, "/api/public/results.csv?lang=en", None).await;
        assert_ne!(header(&english, ETAG), header(&get_with(&app, "/api/public/results.csv", None).await, ETAG));
    }

    async fn clients_that_take_gzip_get_kept_answers_gzipped_under_a_tag_of_their_own(app) {
        let task = task_with_assignments(&app, true).await;
        publish(&app, task, &["no_problem"]).await;
        let paths = [
            "/api/public/tasks".to_owned(),
            format!("/api/public/tasks/{task}/bundle.tar"),
            format!("/api/public/tasks/{task}/files/targets.tsv"),
            "/api/public/log.jsonl".to_owned(),
        ];
        for path in &paths {
            let plain = get_with(&app, path, None).await;
            assert_eq!(plain.status(), StatusCode::OK, "{path}");
            let (plain_tag, plain_vary) = (header(&plain, ETAG), header(&plain, VARY));
            assert_eq!(header(&plain, CONTENT_ENCODING), "", "{path}: nothing asked, nothing encoded");
            let plain = plain.bytes().await.unwrap();

            let asked = app.client.get(app.url(path)).header(ACCEPT_ENCODING, "br;q=1, gzip;q=0.8").send().await.unwrap();
            assert_eq!(asked.status(), StatusCode::OK, "{path}");
            assert_eq!(header(&asked, CONTENT_ENCODING), "gzip", "{path}");
            assert_eq!((header(&asked, VARY), plain_vary), ("accept-encoding".to_owned(), "accept-encoding".to_owned()), "{path}");
            let gzip_tag = header(&asked, ETAG);
            assert!(gzip_tag.starts_with('"') && gzip_tag != plain_tag, "{path}: a tag of its own, {gzip_tag}");
            let gzipped = asked.bytes().await.unwrap();
            assert!(gzipped.len() < plain.len(), "{path}: {} bytes for {}", gzipped.len(), plain.len());
            let mut unzipped = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzipped[..]), &mut unzipped).unwrap();
            assert_eq!(unzipped, plain, "{path}: the same bytes once unzipped");

            // Each tag holds for its own encoding only.
            let held = app.client.get(app.url(path)).header(ACCEPT_ENCODING, "gzip").header(IF_NONE_MATCH, &gzip_tag).send().await.unwrap();
            assert_eq!((held.status(), header(&held, ETAG)), (StatusCode::NOT_MODIFIED, gzip_tag.clone()), "{path}");
            assert_eq!(get_with(&app, path, Some(&gzip_tag)).await.status(), StatusCode::OK, "{path}");
            let refused = app.client.get(app.url(path)).header(ACCEPT_ENCODING, "gzip;q=0, identity").send().await.unwrap();
            assert_eq!(header(&refused, CONTENT_ENCODING), "", "{path}: q=0 refuses gzip");
        }
    }

    async fn the_whole_log_downloads_as_one_line_an_entry_equal_to_its_pages(app) {
        task_with_assignments(&app, true).await;
        let page = expect(app.get(None, "/api/public/log?after=0&limit=1000").await, StatusCode::OK).await;
        let download = app.get(None, "/api/public/log.jsonl").await;
        assert_eq!(download.status(), StatusCode::OK);
        let text = download.text().await.unwrap();
        let lines: Vec<Value> = text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
        assert_eq!(&lines, page["entries"].as_array().unwrap());
        assert_eq!(lines.last().unwrap()["seq"], page["head"]["seq"]);
        // A closed page (full) may be kept by a shared cache; the open one is asked for again.
        let closed = get_with(&app, "/api/public/log?after=0&limit=2", None).await;
        assert_eq!(header(&closed, CACHE_CONTROL), "public, max-age=60");
        let open = get_with(&app, "/api/public/log?after=0&limit=1000", None).await;
        assert_eq!(header(&open, CACHE_CONTROL), "public, no-cache");
    }
}

/// The primary holds a published task; the "replica" is another database
/// with none: what the public reads comes from the replica, what staff read
/// and write goes to the primary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_reads_go_to_the_read_replica_and_the_rest_to_the_primary() {
    let app = TestApp::spawn(crate::helpers::Backend::Postgres).await;
    app.seed_directory().await;
    let task = app.drawn_task().await;
    let (replica_url, _replica) = new_postgres_database().await;
    opendraw::storage::Store::open(&replica_url).await.unwrap().close().await;
    let store = opendraw::storage::Store::open(&app.database_url)
        .await
        .unwrap()
        .with_read_replica(&replica_url)
        .await
        .unwrap();
    let service = opendraw::service::Service::new(store);
    let tasks = service.public_tasks(None, None).await.unwrap();
    assert_eq!(&tasks.body[..], b"[]", "the replica has no task");
    assert_eq!(service.log_head().await.unwrap().seq, 0, "nor any log entry");
    assert!(service.public_task(task).await.is_err());
    let on_primary = opendraw::storage::tasks::get(service.store().pool(), task).await.unwrap();
    assert!(on_primary.is_some(), "staff reads go to the primary");

    let refused = opendraw::storage::Store::open(&app.database_url)
        .await
        .unwrap()
        .with_read_replica("sqlite::memory:")
        .await;
    assert!(refused.is_err(), "a replica of PostgreSQL is PostgreSQL");
}
