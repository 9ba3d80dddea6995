//! The ledger a page at a time: pages join to the whole, most urgent first,
//! with sums over every line the filter selects; `limit` and `after` are
//! checked; the CSV export holds every line in the same order.

use std::collections::{BTreeMap, HashSet};

use chrono::Days;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect, targets_csv};
use crate::inspections::{assignments, result_path, target_of, task_with_assignments};
use crate::on_both_backends;

/// A drawn task whose first inspector saved drafts over two months, one
/// every nine days (and one without a date); the clock then stands 80 days
/// after the draw, so that some lines are overdue, some due soon, some not.
async fn task_with_dated_lines(app: &TestApp) -> i64 {
    let task = task_with_assignments(app, false).await;
    let drawn = app.service.today();
    let mine = assignments(app, &app.inspector_a, task).await;
    assert!(mine.len() >= 9, "enough assignments to date: {}", mine.len());
    for (k, assignment) in mine.iter().take(8).enumerate() {
        let day = drawn + Days::new(9 * k as u64);
        app.clock.set(day);
        let target = assignment["target"].as_str().unwrap();
        let body = json!({"outcome": "no_problem", "inspection_date": day.to_string()});
        let saved = app.put_json(Some(&app.inspector_a), &result_path(task, target), &body).await;
        expect(saved, StatusCode::CREATED).await;
    }
    let undated = mine[8]["target"].as_str().unwrap();
    let saved = app
        .put_json(Some(&app.inspector_a), &result_path(task, undated), &json!({"outcome": "rectify"}))
        .await;
    expect(saved, StatusCode::CREATED).await;
    app.clock.set(drawn + Days::new(80));
    task
}

async fn ledger(app: &TestApp, query: &str) -> Value {
    expect(app.get(Some(&app.market), &format!("/api/ledger{query}")).await, StatusCode::OK).await
}

/// Every line of the ledger, page by page (`limit` each), and the first
/// page's answer; checks that no page is longer than asked.
async fn all_pages(app: &TestApp, filter: &str, limit: usize) -> (Value, Vec<Value>) {
    let first = ledger(app, &format!("?limit={limit}{filter}")).await;
    let mut lines = Vec::new();
    let mut page = first.clone();
    loop {
        let these = page["lines"].as_array().unwrap();
        assert!(these.len() <= limit, "a page of {} lines for limit={limit}", these.len());
        lines.extend(these.iter().cloned());
        let Some(next) = page["next"].as_str() else { break };
        assert_eq!(these.len(), limit, "only the last page is short");
        page = ledger(app, &format!("?limit={limit}&after={next}{filter}")).await;
        assert_eq!(page["total"], first["total"], "every page has the same sums");
    }
    (first, lines)
}

fn key(line: &Value) -> (i64, String, String) {
    (
        line["task"].as_i64().unwrap(),
        line["target"].as_str().unwrap().into(),
        line["item"].as_str().unwrap().into(),
    )
}

/// The lines' counts as the ledger's sums give them.
fn counts(lines: &[&Value]) -> Value {
    let overdue = |l: &&&Value| l["deadline"]["overdue"] == true;
    let soon = |l: &&&Value| {
        l["deadline"]["overdue"] == false && l["deadline"]["working_days_left"].as_i64().unwrap() <= 5
    };
    json!({
        "open": lines.len(),
        "not_entered": lines.iter().filter(|l| l["state"] == "not_entered").count(),
        "due_soon": lines.iter().filter(soon).count(),
        "overdue": lines.iter().filter(overdue).count(),
    })
}

fn counts_of(sum: &Value) -> Value {
    json!({"open": sum["open"], "not_entered": sum["not_entered"], "due_soon": sum["due_soon"], "overdue": sum["overdue"]})
}

/// Most urgent first: dated lines by working days left then due date,
/// lines without a deadline last.
fn assert_most_urgent_first(lines: &[Value]) {
    let urgency = |l: &Value| match l["deadline"].is_null() {
        true => (1, 0, String::new()),
        false => (
            0,
            l["deadline"]["working_days_left"].as_i64().unwrap(),
            l["deadline"]["due_date"].as_str().unwrap().to_owned(),
        ),
    };
    for pair in lines.windows(2) {
        assert!(urgency(&pair[0]) <= urgency(&pair[1]), "{} before {}", pair[0], pair[1]);
    }
}

/// A second server on the test's database, with a service (and kept
/// counts) of its own, as when several servers share one PostgreSQL.
async fn second_server(app: &TestApp) -> String {
    let store = opendraw::storage::Store::open(&app.database_url).await.unwrap();
    let service = opendraw::service::Service::with_clock(store, app.clock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let router = opendraw::http::router_with(service, None, opendraw::http::limits::Limits::default());
    let router = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    address
}

/// Both servers' sums equal the counts of every line, in all and per
/// task, unit and inspector (the lines read page by page from the first).
async fn assert_sums_count_the_lines(app: &TestApp, second: &str, why: &str) -> Value {
    let (whole, lines) = all_pages(app, "", 1000).await;
    let all: Vec<&Value> = lines.iter().collect();
    assert_eq!(counts_of(&whole["total"]), counts(&all), "{why}: total");
    for sum in whole["by_unit"].as_array().unwrap() {
        let unit = sum["key"].as_str().unwrap();
        let of_unit: Vec<&Value> =
            lines.iter().filter(|l| l["unit"].as_str().unwrap_or_default() == unit).collect();
        assert_eq!(counts_of(sum), counts(&of_unit), "{why}: unit {unit}");
    }
    let request = app.client.get(format!("{second}/api/ledger?limit=1")).bearer_auth(&app.market);
    let theirs = expect(request.send().await.unwrap(), StatusCode::OK).await;
    for part in ["total", "by_task", "by_unit", "by_inspector"] {
        assert_eq!(theirs[part], whole[part], "{why}: the second server's {part}");
    }
    whole
}

on_both_backends! {
    async fn the_pages_join_to_the_whole_most_urgent_first_and_the_sums_count_every_line(app) {
        let task = task_with_dated_lines(&app).await;
        let whole = ledger(&app, "?limit=1000").await;
        assert!(whole["next"].is_null(), "one page holds all: {}", whole["next"]);
        let everything = whole["lines"].as_array().unwrap().clone();
        assert_eq!(everything.len(), 60, "every drawn target of the one item is open");

        let (first, paged) = all_pages(&app, "", 7).await;
        assert_eq!(paged.len(), everything.len(), "pages lose nothing");
        let keys: Vec<_> = paged.iter().map(key).collect();
        assert_eq!(keys.iter().collect::<HashSet<_>>().len(), keys.len(), "no line twice");
        assert_eq!(keys, everything.iter().map(key).collect::<Vec<_>>(), "the pages in the order of the whole");
        assert_most_urgent_first(&paged);
        let dated = paged.iter().take_while(|l| !l["deadline"].is_null()).count();
        assert_eq!(dated, 8, "the dated lines first");

        let all: Vec<&Value> = paged.iter().collect();
        let total = counts(&all);
        assert_eq!(counts_of(&first["total"]), total);
        assert!(total["overdue"].as_u64().unwrap() > 0 && total["due_soon"].as_u64().unwrap() > 0, "{total}");
        assert!(total["open"].as_u64() > Some(total["overdue"].as_u64().unwrap() + total["due_soon"].as_u64().unwrap() + total["not_entered"].as_u64().unwrap()), "some lines are neither: {total}");
        assert_eq!(first["by_task"].as_array().unwrap().len(), 1);
        assert_eq!(first["by_task"][0]["key"], task.to_string());
        assert_eq!(counts_of(&first["by_task"][0]), total);
        let mut by_unit: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
        for line in &paged {
            by_unit.entry(line["unit"].as_str().unwrap_or_default().to_owned()).or_default().push(line);
        }
        let sums = first["by_unit"].as_array().unwrap();
        assert_eq!(sums.len(), by_unit.len(), "{sums:?}");
        for sum in sums {
            assert_eq!(counts_of(sum), counts(&by_unit[sum["key"].as_str().unwrap()]), "unit {}", sum["key"]);
        }

        // The export holds every line, in the same order.
        let csv = app.get(Some(&app.market), "/api/ledger.csv?lang=en").await;
        assert_eq!(csv.status(), StatusCode::OK);
        let bytes = csv.bytes().await.unwrap();
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let rows: Vec<(i64, String, String)> = reader
            .records()
            .map(|row| {
                let row = row.unwrap();
                (row[0].parse().unwrap(), row[5].to_owned(), row[7].to_owned())
            })
            .collect();
        assert_eq!(rows, keys);
    }

    async fn the_filters_select_lines_and_their_sums(app) {
        let task = task_with_dated_lines(&app).await;
        let (whole, lines) = all_pages(&app, "", 1000).await;
        let (late, overdue) = all_pages(&app, "&overdue=true", 3).await;
        assert!(!overdue.is_empty() && overdue.iter().all(|l| l["deadline"]["overdue"] == true), "{overdue:?}");
        assert_eq!(overdue.len() as u64, whole["total"]["overdue"].as_u64().unwrap());
        assert_eq!(late["total"]["open"], late["total"]["overdue"]);
        assert_most_urgent_first(&overdue);

        let unit = whole["by_unit"][0]["key"].as_str().unwrap().to_owned();
        let (of_unit, in_unit) = all_pages(&app, &format!("&unit={unit}"), 4).await;
        let expected: Vec<_> = lines.iter().filter(|l| l["unit"].as_str().unwrap_or_default() == unit).map(key).collect();
        assert_eq!(in_unit.iter().map(key).collect::<Vec<_>>(), expected);
        assert_eq!(of_unit["total"]["open"].as_u64(), Some(expected.len() as u64));
        assert_eq!(of_unit["by_unit"].as_array().unwrap().len(), 1);

        let (of_task, in_task) = all_pages(&app, &format!("&task={task}"), 25).await;
        assert_eq!(in_task.iter().map(key).collect::<Vec<_>>(), lines.iter().map(key).collect::<Vec<_>>());
        assert_eq!(of_task["total"], whole["total"]);
        let nothing = ledger(&app, "?unit=no-such-bureau").await;
        assert_eq!((nothing["lines"].as_array().unwrap().len(), &nothing["total"]["open"], &nothing["next"]), (0, &json!(0), &Value::Null));
    }

    async fn limit_and_after_out_of_range_are_refused_naming_the_parameter(app) {
        task_with_assignments(&app, false).await;
        let page = ledger(&app, "").await;
        assert_eq!(page["lines"].as_array().unwrap().len(), 60, "the default page holds up to 100");
        assert_eq!(ledger(&app, "?limit=1000").await["lines"].as_array().unwrap().len(), 60);
        assert_eq!(ledger(&app, "?limit=1").await["lines"].as_array().unwrap().len(), 1);
        for (query, field) in [
            ("?limit=0", "limit"),
            ("?limit=1001", "limit"),
            ("?limit=-3", "limit"),
            ("?limit=ten", "limit"),
            ("?after=not-a-line", "after"),
            ("?after=bnVsbA", "after"),
        ] {
            let refused = app.get(Some(&app.market), &format!("/api/ledger{query}")).await;
            let body = expect(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(body["field"], field, "{query}: {body}");
        }
    }
}

on_both_backends! {
    async fn the_inspector_filter_selects_their_targets_lines_and_the_sums_count_per_inspector(app) {
        task_with_dated_lines(&app).await;
        let (whole, lines) = all_pages(&app, "", 1000).await;
        let per_inspector = whole["by_inspector"].as_array().unwrap();
        assert!(per_inspector.len() >= 2, "several inspectors on the lines: {whole}");
        // A line counts for each inspector of its target's team.
        let mut expected: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut teams: BTreeMap<(i64, String, String), Vec<String>> = BTreeMap::new();
        for inspector in (1..=10).map(|n| format!("M{n:03}")) {
            let inspector = inspector.as_str();
            let (of_one, theirs) = all_pages(&app, &format!("&inspector={inspector}"), 9).await;
            assert_most_urgent_first(&theirs);
            assert_eq!(counts_of(&of_one["total"]), counts(&theirs.iter().collect::<Vec<_>>()), "{inspector}");
            for line in &theirs {
                teams.entry(key(line)).or_default().push(inspector.to_owned());
            }
            if !theirs.is_empty() {
                expected.insert(inspector.to_owned(), theirs.clone());
                assert_eq!(of_one["by_inspector"].as_array().unwrap().iter().filter(|s| s["key"] == inspector).count(), 1);
            }
        }
        assert_eq!(per_inspector.len(), expected.len(), "{per_inspector:?}");
        for sum in per_inspector {
            let id = sum["key"].as_str().unwrap();
            let mine: Vec<&Value> = lines.iter().filter(|l| teams.get(&key(l)).is_some_and(|t| t.iter().any(|i| i == id))).collect();
            assert_eq!(counts_of(sum), counts(&mine), "inspector {id}");
            assert_eq!(counts_of(sum), counts(&expected[id].iter().collect::<Vec<_>>()), "inspector {id}");
            assert!(sum["name"].is_string(), "{sum}");
        }
        // The lines name the same teams (by name) as the filter finds (by id).
        for line in &lines {
            assert_eq!(line["inspectors"].as_array().unwrap().len(), teams.get(&key(line)).map_or(0, Vec::len), "{line}");
        }

        let overdue = all_pages(&app, "&inspector=M001&overdue=true", 2).await.1;
        assert!(overdue.iter().all(|l| l["deadline"]["overdue"] == true));
        assert_eq!(overdue.len() as u64, expected["M001"].iter().filter(|l| l["deadline"]["overdue"] == true).count() as u64);
        let nobody = ledger(&app, "?inspector=NOBODY").await;
        assert_eq!((nobody["lines"].as_array().unwrap().len(), &nobody["total"]["open"]), (0, &json!(0)));

        // The export takes the same filter.
        let csv = app.get(Some(&app.market), "/api/ledger.csv?lang=en&inspector=M001").await;
        assert_eq!(csv.status(), StatusCode::OK);
        let bytes = csv.bytes().await.unwrap();
        let rows = csv::Reader::from_reader(&bytes[3..]).records().count();
        assert_eq!(rows, expected["M001"].len());

        // Another department's supervisor sees none of these lines even by
        // naming the inspector; an inspector cannot read the ledger.
        let health = expect(app.get(Some(&app.health), "/api/ledger?inspector=M001").await, StatusCode::OK).await;
        assert_eq!((health["lines"].as_array().unwrap().len(), &health["by_inspector"]), (0, &json!([])));
        expect(app.get(Some(&app.inspector_a), "/api/ledger?inspector=M001").await, StatusCode::FORBIDDEN).await;
        let long = "M".repeat(65);
        let refused = app.get(Some(&app.market), &format!("/api/ledger?inspector={long}")).await;
        assert_eq!(expect(refused, StatusCode::UNPROCESSABLE_ENTITY).await["field"], "inspector");
    }

    async fn the_sums_follow_every_change_made_after_they_were_counted_on_any_server(app) {
        let task = task_with_dated_lines(&app).await;
        let second = second_server(&app).await;
        let before = assert_sums_count_the_lines(&app, &second, "first reading").await;

        // A result entered by another inspector.
        let target = target_of(&app, &app.inspector_b, task, "M001").await;
        let today = app.service.today().to_string();
        let body = json!({"outcome": "no_problem", "inspection_date": today});
        expect(app.put_json(Some(&app.inspector_b), &result_path(task, &target), &body).await, StatusCode::CREATED).await;
        let entered = assert_sums_count_the_lines(&app, &second, "after a result").await;
        let not_entered = |sums: &Value| sums["total"]["not_entered"].as_u64().unwrap();
        assert_eq!(not_entered(&entered), not_entered(&before) - 1);

        // An inspector replaced on a line still open.
        let replaced = target_of(&app, &app.inspector_a, task, "M002").await;
        let body = json!({"target": replaced, "inspector": "M001", "reason": "回避"});
        let made = expect(app.post_json(Some(&app.market), &format!("/api/tasks/{task}/replacements"), &body).await, StatusCode::CREATED).await;
        let after = assert_sums_count_the_lines(&app, &second, "after a replacement").await;
        let open_of = |sums: &Value, id: &str| {
            sums["by_inspector"].as_array().unwrap().iter().find(|s| s["key"] == id).map_or(0, |s| s["open"].as_u64().unwrap())
        };
        assert_eq!(open_of(&after, "M001"), open_of(&entered, "M001") - 1, "{made}");
        let drawn_in = made["in"].as_str().unwrap();
        assert_eq!(open_of(&after, drawn_in), open_of(&entered, drawn_in) + 1);

        // The directory moves a drawn target to another unit.
        let csv = targets_csv(60);
        let line = csv.lines().find(|l| l.starts_with(&format!("{replaced},"))).unwrap().to_owned();
        let moved = format!("{},新单位", line.rsplit_once(',').unwrap().0);
        let csv = csv.replace(&line, &moved);
        expect(app.post_csv(&app.market, "/api/targets/import", &csv).await, StatusCode::OK).await;
        let moved_sums = assert_sums_count_the_lines(&app, &second, "after a unit changed").await;
        let unit = moved_sums["by_unit"].as_array().unwrap().iter().find(|s| s["key"] == "新单位").cloned();
        assert_eq!(unit.map(|u| u["open"].as_u64().unwrap()), Some(1), "{}", moved_sums["by_unit"]);
    }
}
