//! The working-day calendar: the days that differ from the ordinary week.

use chrono::NaiveDate;
use sqlx::{AnyConnection, FromRow};

use super::{StoreError, StoreResult};
use crate::domain::calendar::{Calendar, DayKind};

#[derive(Debug, Clone, FromRow)]
pub struct CalendarRow {
    /// YYYY-MM-DD.
    pub day: String,
    pub kind: DayKind,
    pub name: String,
}

/// The whole calendar, for deadline arithmetic.
pub async fn load(pool: &sqlx::AnyPool) -> StoreResult<Calendar> {
    let days = days(pool, None).await?;
    let mut exceptions = Vec::with_capacity(days.len());
    for day in days {
        let date = NaiveDate::parse_from_str(&day.day, "%Y-%m-%d")
            .map_err(|error| StoreError::Damaged(format!("column \"day\": '{}': {error}", day.day)))?;
        exceptions.push((date, day.kind));
    }
    Ok(Calendar::new(exceptions))
}

/// The entries of one year, or all, in date order.
pub async fn days(pool: &sqlx::AnyPool, year: Option<i32>) -> StoreResult<Vec<CalendarRow>> {
    let (from, to) = match year {
        Some(year) => (format!("{year:04}-01-01"), format!("{year:04}-12-31")),
        None => ("0000-00-00".to_owned(), "9999-99-99".to_owned()),
    };
    Ok(sqlx::query_as("SELECT day, kind, name FROM calendar_days WHERE day >= $1 AND day <= $2 ORDER BY day")
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await?)
}

pub async fn put(conn: &mut AnyConnection, date: &str, kind: DayKind, name: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3) \
         ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
    )
    .bind(date)
    .bind(kind.as_str())
    .bind(name)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes an entry; false when there was none.
pub async fn remove(conn: &mut AnyConnection, date: &str) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM calendar_days WHERE day = $1").bind(date).execute(&mut *conn).await?;
    Ok(done.rows_affected() == 1)
}
