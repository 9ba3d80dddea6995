//! An instant, as the tables and the log write it: RFC 3339 in UTC, to the
//! millisecond (PROTOCOL.md §15.1).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    pub fn now() -> Self {
        Timestamp(Utc::now())
    }

    pub fn at(self) -> DateTime<Utc> {
        self.0
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Self {
        Timestamp(at)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl FromStr for Timestamp {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        DateTime::parse_from_rfc3339(text)
            .map(|at| Timestamp(at.with_timezone(&Utc)))
            .map_err(|error| format!("'{text}' is not an RFC 3339 time: {error}"))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_time_reads_back_as_the_same_text() {
        let text = "2026-03-01T08:30:00.250Z";
        assert_eq!(text.parse::<Timestamp>().unwrap().to_string(), text);
        assert_eq!(
            "2026-03-01T16:30:00.000+08:00".parse::<Timestamp>().unwrap().to_string(),
            "2026-03-01T08:30:00.000Z"
        );
        assert!("yesterday".parse::<Timestamp>().is_err());
    }
}
