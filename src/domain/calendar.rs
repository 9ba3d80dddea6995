//! Working days, and the publication deadline they set.
//!
//! A result must be public within 20 working days of the inspection date
//! (DESIGN.md). Working days are Monday to Friday, except public holidays,
//! plus the weekend days worked in their place (调休) — China's holiday
//! schedule moves working days onto weekends around most holidays. The
//! supervisor keeps the exceptions in the calendar; everything else follows
//! the week.
//!
//! Counting follows the usual rule for periods: the day of the inspection
//! is not counted; the period ends with the 20th working day after it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Datelike, Days, FixedOffset, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Working days between an inspection and the publication of its result.
pub const PUBLICATION_WORKING_DAYS: u32 = 20;

/// How a calendar entry changes an ordinary day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DayKind {
    /// A public holiday: no work, whatever the weekday.
    Holiday,
    /// A weekend day worked in place of a holiday.
    Workday,
}

impl DayKind {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }
}

/// Why an entry cannot be in a calendar.
pub fn check_entry(day: NaiveDate, kind: DayKind) -> Result<(), String> {
    if kind == DayKind::Workday && !is_weekend(day) {
        return Err(format!(
            "{day} is a {}; a make-up working day falls on a Saturday or Sunday",
            weekday_name(day.weekday())
        ));
    }
    Ok(())
}

/// The days that differ from the ordinary week.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    exceptions: BTreeMap<NaiveDate, DayKind>,
}

/// Where a result stands against its deadline on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// The last day on which publication is on time.
    pub due: NaiveDate,
    /// Working days after today up to and including the due date; when
    /// overdue, minus the working days since it.
    pub working_days_left: i64,
    pub overdue: bool,
}

impl Calendar {
    pub fn new(exceptions: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> Self {
        Self { exceptions: exceptions.into_iter().collect() }
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        match self.exceptions.get(&day) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !is_weekend(day),
        }
    }

    /// The `count`th working day after `from` (`from` itself not counted).
    pub fn add_working_days(&self, from: NaiveDate, count: u32) -> NaiveDate {
        let mut day = from;
        let mut left = count;
        while left > 0 {
            day = next(day);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days in `(after, until]`; 0 when `until` is not after `after`.
    pub fn working_days_between(&self, after: NaiveDate, until: NaiveDate) -> i64 {
        let mut count = 0;
        let mut day = after;
        while day < until {
            day = next(day);
            if self.is_working_day(day) {
                count += 1;
            }
        }
        count
    }

    /// The day by which a result of an inspection on `inspected` must be public.
    pub fn publication_due(&self, inspected: NaiveDate) -> NaiveDate {
        self.add_working_days(inspected, PUBLICATION_WORKING_DAYS)
    }

    /// The deadline of a result of an inspection on `inspected`, seen on `today`.
    pub fn deadline(&self, inspected: NaiveDate, today: NaiveDate) -> Deadline {
        let due = self.publication_due(inspected);
        if today <= due {
            Deadline { due, working_days_left: self.working_days_between(today, due), overdue: false }
        } else {
            Deadline { due, working_days_left: -self.working_days_between(due, today), overdue: true }
        }
    }

    /// The years the calendar has entries for: deadlines in other years
    /// follow the plain week, which is likely wrong.
    pub fn years(&self) -> Vec<i32> {
        let mut years: Vec<i32> = self.exceptions.keys().map(|day| day.year()).collect();
        years.dedup();
        years
    }
}

/// The variable that sets the service's time zone, as an offset from UTC.
pub const OFFSET_VARIABLE: &str = "OPENDRAW_UTC_OFFSET";
/// China Standard Time, where the statutory days are counted.
const DEFAULT_OFFSET: &str = "+08:00";

static OFFSET: OnceLock<FixedOffset> = OnceLock::new();

/// Reads `OPENDRAW_UTC_OFFSET` (e.g. `+08:00`; default China Standard
/// Time) once; a value that is not an offset is an error.
pub fn configure_offset() -> Result<FixedOffset, String> {
    if let Some(offset) = OFFSET.get() {
        return Ok(*offset);
    }
    let text = std::env::var(OFFSET_VARIABLE).unwrap_or_else(|_| DEFAULT_OFFSET.to_owned());
    let offset: FixedOffset = text
        .parse()
        .map_err(|_| format!("{OFFSET_VARIABLE}='{text}' is not an offset from UTC such as +08:00"))?;
    Ok(*OFFSET.get_or_init(|| offset))
}

/// Today where the service works: embargo dates, inspection dates and
/// deadlines are days of this zone.
pub fn today() -> NaiveDate {
    let offset = configure_offset().unwrap_or_else(|error| panic!("{error}"));
    chrono::Utc::now().with_timezone(&offset).date_naive()
}

/// The day a UTC timestamp (RFC 3339) falls on where the service works.
pub fn local_day(timestamp: &str) -> Option<NaiveDate> {
    let offset = configure_offset().ok()?;
    chrono::DateTime::parse_from_rfc3339(timestamp).ok().map(|at| at.with_timezone(&offset).date_naive())
}

/// Parses YYYY-MM-DD.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    crate::protocol::Date::parse(text).ok()?;
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn next(day: NaiveDate) -> NaiveDate {
    day.checked_add_days(Days::new(1)).expect("dates stay far from the end of time")
}

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// China's National Day holiday of 2026: 1 to 7 October off, Sunday 20
    /// September and Saturday 10 October worked; Mid-Autumn 25 to 27
    /// September off.
    fn autumn_2026() -> Calendar {
        let holidays = ["2026-09-25", "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"];
        let weekend_holidays = ["2026-09-26", "2026-09-27", "2026-10-03", "2026-10-04"];
        let workdays = ["2026-09-20", "2026-10-10"];
        Calendar::new(
            holidays
                .iter()
                .chain(&weekend_holidays)
                .map(|d| (day(d), DayKind::Holiday))
                .chain(workdays.iter().map(|d| (day(d), DayKind::Workday))),
        )
    }

    #[test]
    fn weekends_alone_without_a_calendar() {
        let plain = Calendar::default();
        // Thursday 3 December 2026: four weeks of weekdays later, to the day.
        assert_eq!(plain.publication_due(day("2026-12-03")), day("2026-12-31"));
        // Saturday: counting starts on Monday 7th; the 20th is Friday 1 January.
        assert_eq!(plain.publication_due(day("2026-12-05")), day("2027-01-01"));
    }

    #[test]
    fn holidays_and_make_up_working_days_move_the_deadline() {
        let calendar = autumn_2026();
        // A worked calendar, from an inspection on Friday 18 September 2026:
        //   Sep 20 Sun (make-up)        1
        //   Sep 21–24 Mon–Thu           2–5   (Sep 25–27 Mid-Autumn off)
        //   Sep 28–30 Mon–Wed           6–8   (Oct 1–7 National Day off)
        //   Oct 8–9 Thu–Fri             9–10
        //   Oct 10 Sat (make-up)        11
        //   Oct 12–16 Mon–Fri           12–16
        //   Oct 19–22 Mon–Thu           17–20
        assert_eq!(calendar.publication_due(day("2026-09-18")), day("2026-10-22"));
        // Without the calendar the same inspection is due three weeks earlier.
        assert_eq!(Calendar::default().publication_due(day("2026-09-18")), day("2026-10-16"));
        assert!(calendar.is_working_day(day("2026-10-10")));
        assert!(!calendar.is_working_day(day("2026-10-05")));
        assert!(!calendar.is_working_day(day("2026-10-11")));
    }

    #[test]
    fn days_left_count_working_days_and_turn_negative_when_overdue() {
        let calendar = autumn_2026();
        let inspected = day("2026-09-18");
        let on_the_day = calendar.deadline(inspected, day("2026-10-22"));
        assert_eq!((on_the_day.working_days_left, on_the_day.overdue), (0, false));
        // From Wednesday 30 September: Oct 8, 9, 10, 12–16, 19–22 = 12.
        let before = calendar.deadline(inspected, day("2026-09-30"));
        assert_eq!((before.working_days_left, before.overdue), (12, false));
        // Saturday 24 October: overdue, by the one working day Friday 23rd.
        let after = calendar.deadline(inspected, day("2026-10-24"));
        assert_eq!((after.working_days_left, after.overdue), (-1, true));
    }

    #[test]
    fn a_make_up_working_day_must_fall_on_a_weekend() {
        assert!(check_entry(day("2026-10-10"), DayKind::Workday).is_ok());
        let error = check_entry(day("2026-10-09"), DayKind::Workday).unwrap_err();
        assert!(error.contains("2026-10-09 is a Friday"), "{error}");
        assert!(check_entry(day("2026-10-03"), DayKind::Holiday).is_ok());
    }
}
