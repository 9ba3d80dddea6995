//! Paging parameters of the list endpoints, parsed from the query string.
//! A value out of range is refused (422 naming the parameter) rather than
//! clamped: a client that asked for 5 000 rows and silently got 1 000 would
//! take the short page for the end of the list.

use serde::de::{Deserialize, Deserializer, Error};

/// Rows per page when the request names no `limit`.
pub const DEFAULT_LIMIT: i64 = 100;

/// A page size: a whole number from 1 to `MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit<const MAX: i64>(i64);

impl<const MAX: i64> Limit<MAX> {
    /// The size asked for, or [`DEFAULT_LIMIT`] when none was.
    pub fn or_default(limit: Option<Self>) -> i64 {
        limit.map_or(DEFAULT_LIMIT.min(MAX), |limit| limit.0)
    }
}

impl<'de, const MAX: i64> Deserialize<'de> for Limit<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.parse::<i64>() {
            Ok(limit) if (1..=MAX).contains(&limit) => Ok(Limit(limit)),
            _ => Err(D::Error::custom(format!("must be a whole number from 1 to {MAX}"))),
        }
    }
}

/// A position in a list (a sequence number, a count of rows to skip): a
/// whole number from 0 that the database can hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Position(i64);

impl Position {
    pub fn get(self) -> i64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Position {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.parse::<i64>() {
            Ok(position) if position >= 0 => Ok(Position(position)),
            _ => Err(D::Error::custom(format!("must be a whole number from 0 to {}", i64::MAX))),
        }
    }
}
