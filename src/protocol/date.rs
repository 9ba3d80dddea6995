//! Calendar dates as `YYYY-MM-DD`, the only date form in published files.

use std::fmt;

/// A valid Gregorian date between years 1000 and 9999. Ordering is
/// chronological, which for this form is also bytewise order of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("'{0}' is not a date of the form YYYY-MM-DD")]
    Form(String),
    #[error("'{0}' is not a day of the calendar")]
    NoSuchDay(String),
}

impl Date {
    pub fn parse(text: &str) -> Result<Self, DateError> {
        let form = || DateError::Form(text.to_owned());
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(form());
        }
        let number = |range: std::ops::Range<usize>| -> Result<u16, DateError> {
            let part = &text[range];
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(form());
            }
            part.parse().map_err(|_| form())
        };
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        if year < 1000 || !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return Err(DateError::NoSuchDay(text.to_owned()));
        }
        Ok(Self { year, month: month as u8, day: day as u8 })
    }

    pub fn year(self) -> u16 {
        self.year
    }
}

fn days_in_month(year: u16, month: u16) -> u16 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_same_text() {
        let date = Date::parse("2024-02-29").unwrap();
        assert_eq!(date.to_string(), "2024-02-29");
        assert!(Date::parse("2024-03-01").unwrap() > date);
    }

    #[test]
    fn refuses_impossible_days_and_other_forms() {
        assert_eq!(Date::parse("2023-02-29"), Err(DateError::NoSuchDay("2023-02-29".into())));
        assert_eq!(Date::parse("1900-02-29"), Err(DateError::NoSuchDay("1900-02-29".into())));
        assert_eq!(Date::parse("2026-13-01"), Err(DateError::NoSuchDay("2026-13-01".into())));
        assert_eq!(Date::parse("2026-1-01"), Err(DateError::Form("2026-1-01".into())));
        assert_eq!(Date::parse("2026/01/01"), Err(DateError::Form("2026/01/01".into())));
        assert_eq!(Date::parse("+026-01-01"), Err(DateError::Form("+026-01-01".into())));
    }
}
