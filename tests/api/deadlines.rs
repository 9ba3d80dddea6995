//! The calendar and the 20-working-day deadline over HTTP: holidays and
//! make-up working days move the due date, the ledger lists what is open
//! most urgent first and exports CSV, and a bad calendar row changes nothing.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect};
use crate::inspections::{enter, target_of, task_with_assignments};
use crate::on_both_backends;

/// The next `count` weekdays after `from`.
fn weekdays_after(from: NaiveDate, count: usize) -> Vec<NaiveDate> {
    from.iter_days()
        .skip(1)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .take(count)
        .collect()
}

/// The 20th working day after `from`, counted one day at a time.
fn twentieth_working_day(from: NaiveDate, holidays: &[NaiveDate], workdays: &[NaiveDate]) -> NaiveDate {
    let mut day = from;
    let mut counted = 0;
    while counted < 20 {
        day = day + Days::new(1);
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let works = if workdays.contains(&day) { true } else { !weekend && !holidays.contains(&day) };
        counted += usize::from(works);
    }
    day
}

async fn ledger(app: &TestApp, query: &str) -> Value {
    expect(app.get(Some(&app.market), &format!("/api/ledger{query}")).await, StatusCode::OK).await
}

on_both_backends! {
    async fn holidays_and_make_up_days_move_the_deadline_and_the_ledger_shows_what_is_overdue(app) {
        let task = task_with_assignments(&app, false).await;
        let today = app.service.today();
        // A week of holidays from the next weekday on, and the Saturday after
        // them worked in their place.
        let holidays = weekdays_after(today, 5);
        let saturday = holidays[4].iter_days().find(|d| d.weekday() == Weekday::Sat).unwrap();
        let mut csv = String::from("date,kind,name\n");
        for day in &holidays {
            csv.push_str(&format!("{day},holiday,国庆节\n"));
        }
        csv.push_str(&format!("{saturday},workday,国庆节调休上班\n"));
        let imported = expect(app.post_csv(&app.market, "/api/calendar/import", &csv).await, StatusCode::OK).await;
        assert_eq!(imported["rows"], 6);

        let target = target_of(&app, &app.inspector_a, task, "").await;
        let entered = enter(&app, &app.inspector_a, task, &target, "rectify").await;
        let due = twentieth_working_day(today, &holidays, &[saturday]);
        assert_eq!(entered["deadline"]["due_date"], due.to_string());
        assert_eq!(entered["deadline"]["working_days_left"], 20);
        let plain = twentieth_working_day(today, &[], &[]);
        assert!(due > plain, "the holidays push the deadline from {plain} to {due}");

        let open = ledger(&app, &format!("?task={task}")).await;
        let lines = open["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 60, "every drawn target of the one item is open");
        assert_eq!(lines[0]["target"], target, "the only dated line comes first");
        assert!(lines[1..].iter().all(|l| l["state"] == "not_entered" && l["deadline"].is_null()));

        // Three calendar days after the deadline.
        let later = due + Days::new(3);
        app.clock.set(later);
        let late = ledger(&app, "?overdue=true").await;
        let lines = late["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 1);
        let working = (1..=3).map(|n| due + Days::new(n)).filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)).count() as i64;
        assert_eq!(lines[0]["deadline"]["overdue"], true);
        assert_eq!(lines[0]["deadline"]["working_days_left"], -working);
        let by_task = &late["by_task"][0];
        assert_eq!((by_task["key"].as_str(), by_task["overdue"].as_u64()), (Some(task.to_string().as_str()), Some(1)));
        let statistics = expect(app.get(None, "/api/public/statistics").await, StatusCode::OK).await;
        assert_eq!(statistics["on_time"]["overdue_unpublished"], 1);
        assert_eq!(statistics["on_time"]["rate"], 0.0);

        let csv = app.get(Some(&app.market), &format!("/api/ledger.csv?task={task}")).await;
        assert_eq!(csv.status(), StatusCode::OK);
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let bytes = csv.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark for Excel");
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        let headers: Vec<String> = rows.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(headers[0], "任务编号");
        assert!(headers.contains(&"公示截止日期".to_owned()) && headers.contains(&"剩余工作日".to_owned()), "{headers:?}");
        let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 60);
        assert_eq!(&records[0][5], target.as_str());
        assert_eq!(&records[0][8], "食品经营检查", "Chinese text intact");
        assert_eq!(&records[0][14], "逾期", "overdue lines stand out");
        assert_eq!(&records[1][14], "");
        expect(app.get(Some(&app.inspector_a), "/api/ledger").await, StatusCode::FORBIDDEN).await;
    }

    async fn a_bad_calendar_entry_names_line_and_column_and_changes_nothing(app) {
        let good = "date,kind,name\n2026-10-01,holiday,国庆节\n";
        expect(app.post_csv(&app.market, "/api/calendar/import", good).await, StatusCode::OK).await;
        let before = expect(app.get(Some(&app.market), "/api/calendar").await, StatusCode::OK).await;
        let cases = [
            ("date,kind\n2026-10-02,holiday\n2026-10-09,workday\n", "line 3, column kind", "is a Friday"),
            ("date,kind\n2026-13-01,holiday\n", "line 2, column date", "2026-13-01"),
            ("date,kind\n2026-10-03,rest\n", "line 2, column kind", "neither holiday nor workday"),
            ("date,kind\n2026-10-03,holiday\n2026-10-03,holiday\n", "line 3, column date", "appears twice"),
            ("day,kind\n2026-10-03,holiday\n", "date", "date"),
        ];
        for (csv, place, words) in cases {
            let error = expect(app.post_csv(&app.market, "/api/calendar/import", csv).await, StatusCode::UNPROCESSABLE_ENTITY).await;
            let message = error["message"].as_str().unwrap();
            assert!(message.contains(place) && message.contains(words), "{csv:?}: {message}");
        }
        let weekday = app.put_json(Some(&app.market), "/api/calendar/2026-10-09", &json!({"kind": "workday"})).await;
        let error = expect(weekday, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error["field"], "kind");
        let bad_date = app.put_json(Some(&app.market), "/api/calendar/2026-02-30", &json!({"kind": "holiday"})).await;
        assert_eq!(expect(bad_date, StatusCode::UNPROCESSABLE_ENTITY).await["field"], "date");
        expect(app.client.delete(app.url("/api/calendar/2026-05-05")).bearer_auth(&app.market).send().await.unwrap(), StatusCode::NOT_FOUND).await;
        let inspector = app.put_json(Some(&app.inspector_a), "/api/calendar/2026-10-10", &json!({"kind": "workday"})).await;
        expect(inspector, StatusCode::FORBIDDEN).await;
        assert_eq!(expect(app.get(Some(&app.market), "/api/calendar").await, StatusCode::OK).await, before, "nothing changed");

        let saturday = expect(app.put_json(Some(&app.market), "/api/calendar/2026-10-10", &json!({"kind": "workday", "name": "国庆节调休上班"})).await, StatusCode::OK).await;
        assert_eq!(saturday["kind"], "workday");
        let year = expect(app.get(Some(&app.market), "/api/calendar?year=2026").await, StatusCode::OK).await;
        assert_eq!(year.as_array().unwrap().len(), 2);
        expect(app.client.delete(app.url("/api/calendar/2026-10-10")).bearer_auth(&app.market).send().await.unwrap(), StatusCode::NO_CONTENT).await;
    }
}
