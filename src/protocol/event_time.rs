//! When the public entropy comes into being (PROTOCOL.md §3.3): a date and
//! time with its UTC offset, committed with the entropy plan, so that anyone
//! can see that the commitment came first.

use std::cmp::Ordering;
use std::fmt;

use super::date::Date;

/// A committed event time, `YYYY-MM-DDTHH:MM:SS+HH:MM` (or `-HH:MM`). Kept
/// as written — the commitment hashes the text — and compared as the
/// instant it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTime {
    text: String,
    /// Milliseconds since 1970-01-01T00:00:00Z.
    instant: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a date and time of the form YYYY-MM-DDTHH:MM:SS+HH:MM (a UTC offset, such as +08:00 or +00:00, and no fraction of a second)"
)]
pub struct EventTimeError(pub String);

impl EventTime {
    pub fn parse(text: &str) -> Result<Self, EventTimeError> {
        let error = || EventTimeError(text.to_owned());
        let bytes = text.as_bytes();
        if bytes.len() != 25 || !matches!(bytes[19], b'+' | b'-') || bytes[22] != b':' {
            return Err(error());
        }
        let local = local_millis(&text[..19]).ok_or_else(error)?;
        let (hours, minutes) =
            (two_digits(&text[20..22]).ok_or_else(error)?, two_digits(&text[23..25]).ok_or_else(error)?);
        // RFC 3339 reads -00:00 as "offset unknown"; a committed time has one.
        if hours > 23 || minutes > 59 || &text[19..] == "-00:00" {
            return Err(error());
        }
        let offset = (hours * 60 + minutes) * 60_000;
        let instant = if bytes[19] == b'+' { local - offset } else { local + offset };
        Ok(Self { text: text.to_owned(), instant })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Milliseconds since the Unix epoch.
    pub fn instant(&self) -> i64 {
        self.instant
    }

    /// Compares with a public log entry's time (§15.1: `…T08:30:00.000Z`);
    /// `None` when that text is not such a time.
    pub fn compare_with_log_time(&self, log_time: &str) -> Option<Ordering> {
        log_time_millis(log_time).map(|at| self.instant.cmp(&at))
    }
}

impl fmt::Display for EventTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A log entry's time, `YYYY-MM-DDTHH:MM:SS.mmmZ`, in milliseconds since
/// the epoch.
pub fn log_time_millis(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 24 || bytes[19] != b'.' || bytes[23] != b'Z' {
        return None;
    }
    let millis = &text[20..23];
    if !millis.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(local_millis(&text[..19])? + millis.parse::<i64>().ok()?)
}

/// `YYYY-MM-DDTHH:MM:SS` as milliseconds since the epoch, as if at UTC.
fn local_millis(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 19 || bytes[10] != b'T' || bytes[13] != b':' || bytes[16] != b':' {
        return None;
    }
    let date = Date::parse(&text[..10]).ok()?;
    let (hour, minute, second) =
        (two_digits(&text[11..13])?, two_digits(&text[14..16])?, two_digits(&text[17..19])?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(date);
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000)
}

fn two_digits(text: &str) -> Option<i64> {
    if text.len() != 2 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Days from 1970-01-01 to `date` (the proleptic Gregorian calendar).
fn days_from_civil(date: Date) -> i64 {
    let text = date.to_string();
    let (y, m, d): (i64, i64, i64) =
        (text[..4].parse().unwrap_or(0), text[5..7].parse().unwrap_or(0), text[8..].parse().unwrap_or(0));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_gives_the_instant() {
        let beijing = EventTime::parse("2026-10-08T09:30:00+08:00").unwrap();
        let utc = EventTime::parse("2026-10-08T01:30:00+00:00").unwrap();
        assert_eq!(beijing.instant(), utc.instant());
        assert_eq!(utc.instant(), 1_791_423_000_000);
        assert_eq!(beijing.as_str(), "2026-10-08T09:30:00+08:00");
        let west = EventTime::parse("2026-10-07T20:30:00-05:00").unwrap();
        assert_eq!(west.instant(), utc.instant());
    }

    #[test]
    fn other_forms_are_refused() {
        for text in [
            "2026-10-08T09:30:00Z",
            "2026-10-08T09:30:00.000+08:00",
            "2026-10-08 09:30:00+08:00",
            "2026-10-08T09:30+08:00",
            "2026-10-08T24:00:00+08:00",
            "2026-10-08T09:30:60+08:00",
            "2026-02-30T09:30:00+08:00",
            "2026-10-08T09:30:00-00:00",
            "2026-10-08T09:30:00+0800",
            "2026-10-08t09:30:00+08:00",
        ] {
            assert!(EventTime::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn compares_with_log_times() {
        let event = EventTime::parse("2026-10-08T09:30:00+08:00").unwrap();
        assert_eq!(event.compare_with_log_time("2026-10-08T01:29:59.999Z"), Some(Ordering::Greater));
        assert_eq!(event.compare_with_log_time("2026-10-08T01:30:00.000Z"), Some(Ordering::Equal));
        assert_eq!(event.compare_with_log_time("2026-10-08T01:30:00.001Z"), Some(Ordering::Less));
        assert_eq!(event.compare_with_log_time("2026-10-08T01:30:00Z"), None);
        assert_eq!(log_time_millis("1970-01-01T00:00:00.000Z"), Some(0));
    }
}
