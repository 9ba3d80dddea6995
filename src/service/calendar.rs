//! The working-day calendar that sets publication deadlines: supervisors
//! keep it, by CSV import (see `imports`) or a day at a time.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Service, ServiceError, ServiceResult, supervised_department};
use crate::domain::account::User;
use crate::domain::calendar::{DayKind, check_entry, parse_day};
use crate::domain::inspection::check_text;
use crate::storage::calendar::{self, CalendarRow};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarEntry {
    /// holiday, or workday (a Saturday or Sunday worked in place of a holiday).
    pub kind: String,
    /// E.g. 国庆节, 国庆节调休.
    #[serde(default)]
    pub name: String,
}

/// A day that differs from the ordinary week.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarDay {
    /// YYYY-MM-DD.
    pub date: String,
    /// holiday or workday (a weekend day worked).
    pub kind: DayKind,
    pub name: String,
}

impl From<CalendarRow> for CalendarDay {
    fn from(row: CalendarRow) -> Self {
        CalendarDay { date: row.day, kind: row.kind, name: row.name }
    }
}

impl Service {
    /// The calendar's entries, of one year or all.
    pub async fn calendar(&self, user: &User, year: Option<i32>) -> ServiceResult<Vec<CalendarDay>> {
        supervised_department(user)?;
        // The dates the calendar holds are written YYYY-MM-DD.
        if let Some(year) = year.filter(|year| !(1..=9999).contains(year)) {
            return Err(ServiceError::invalid(
                "invalid_query",
                Some("year".into()),
                format!("the year {year} is not one of 1 to 9999"),
            ));
        }
        Ok(calendar::days(self.store().pool(), year).await?.into_iter().map(CalendarDay::from).collect())
    }

    /// Sets one day.
    pub async fn set_calendar_day(
        &self,
        user: &User,
        date: &str,
        entry: CalendarEntry,
    ) -> ServiceResult<CalendarDay> {
        supervised_department(user)?;
        let day = parse_day(date).ok_or_else(|| {
            ServiceError::invalid(
                "invalid_date",
                Some("date".into()),
                format!("'{date}' is not a date YYYY-MM-DD"),
            )
        })?;
        let kind = DayKind::parse(&entry.kind).ok_or_else(|| {
            ServiceError::invalid(
                "invalid_calendar",
                Some("kind".into()),
                format!("'{}' is neither holiday nor workday", entry.kind),
            )
        })?;
        check_entry(day, kind)
            .map_err(|why| ServiceError::invalid("invalid_calendar", Some("kind".into()), why))?;
        check_text(&entry.name, 128).map_err(|why| {
            ServiceError::invalid("invalid_calendar", Some("name".into()), format!("the name {why}"))
        })?;
        let mut tx = self.store().write().await?;
        calendar::put(tx.conn(), &day.to_string(), kind, &entry.name).await?;
        tx.commit().await?;
        Ok(CalendarDay { date: day.to_string(), kind, name: entry.name })
    }

    /// Makes a day ordinary again.
    pub async fn remove_calendar_day(&self, user: &User, date: &str) -> ServiceResult<()> {
        supervised_department(user)?;
        let mut tx = self.store().write().await?;
        if !calendar::remove(tx.conn(), date).await? {
            return Err(ServiceError::NotFound(format!("the calendar has no entry for {date}")));
        }
        tx.commit().await?;
        Ok(())
    }
}
