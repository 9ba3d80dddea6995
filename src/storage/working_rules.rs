//! The departments' working rules for random inspections (抽查工作细则):
//! numbered versions, each written once with its public log entry in the
//! same transaction, and never changed.

use serde::Serialize;
use sqlx::FromRow;

use super::{Backend, StoreResult, WriteTx, log, time_text};
use crate::protocol::log::rules_kind;

/// A version about to be published; the caller has checked its fields.
pub struct NewVersion<'a> {
    pub department: &'a str,
    pub title: &'a str,
    pub effective_on: &'a str,
    pub text: &'a str,
    /// SHA-256 of `text`, lowercase hex.
    pub text_sha256: &'a str,
    pub published_at: chrono::DateTime<chrono::Utc>,
    pub published_by: &'a str,
}

/// One version as stored, without its text.
#[derive(Debug, Clone, FromRow)]
pub struct VersionRow {
    pub department: String,
    pub version: i64,
    pub title: String,
    pub effective_on: String,
    pub text_sha256: String,
    pub published_at: String,
}

/// One version with its Markdown text.
#[derive(Debug, Clone, FromRow)]
pub struct VersionText {
    #[sqlx(flatten)]
    pub version: VersionRow,
    pub text: String,
}

/// The payload of a `rules.published` entry (PROTOCOL.md §15.2).
#[derive(Serialize)]
struct Payload<'a> {
    department: &'a str,
    version: i64,
    title: &'a str,
    effective_on: &'a str,
    text_sha256: &'a str,
}

const COLUMNS: &str = "department, version, title, effective_on, text_sha256, published_at";

#[derive(FromRow)]
struct Latest {
    latest: Option<i64>,
}

/// Publishes the department's next version and its log entry, returning
/// its number. On PostgreSQL the log head's row is locked before the last
/// number is read, so that two publications at once take turns (the
/// append would lock it anyway); on SQLite the transaction holds the only
/// write lock already.
pub async fn publish(tx: &mut WriteTx, new: &NewVersion<'_>) -> StoreResult<i64> {
    if tx.backend() == Backend::Postgres {
        sqlx::query("SELECT seq FROM log_head WHERE id = 1 FOR UPDATE").execute(tx.conn()).await?;
    }
    let conn = tx.conn();
    let latest: Latest =
        sqlx::query_as("SELECT MAX(version) AS latest FROM working_rules WHERE department = $1")
            .bind(new.department)
            .fetch_one(&mut *conn)
            .await?;
    let version = latest.latest.unwrap_or(0) + 1;
    sqlx::query(
        "INSERT INTO working_rules \
         (department, version, title, effective_on, text, text_sha256, published_at, published_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new.department)
    .bind(version)
    .bind(new.title)
    .bind(new.effective_on)
    .bind(new.text)
    .bind(new.text_sha256)
    .bind(time_text(new.published_at))
    .bind(new.published_by)
    .execute(&mut *conn)
    .await?;
    let payload = Payload {
        department: new.department,
        version,
        title: new.title,
        effective_on: new.effective_on,
        text_sha256: new.text_sha256,
    };
    log::append(conn, new.published_at, rules_kind::PUBLISHED, None, new.published_by, &payload).await?;
    Ok(version)
}

/// Every version of every department (of one, when given), by department
/// and version.
pub async fn versions(pool: &sqlx::AnyPool, department: Option<&str>) -> StoreResult<Vec<VersionRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM working_rules WHERE $1 = '' OR department = $1 ORDER BY department, version"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(department.unwrap_or("")).fetch_all(pool).await?)
}

/// One version with its text.
pub async fn version(
    pool: &sqlx::AnyPool,
    department: &str,
    version: i64,
) -> StoreResult<Option<VersionText>> {
    let sql = format!("SELECT {COLUMNS}, text FROM working_rules WHERE department = $1 AND version = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(department).bind(version).fetch_optional(pool).await?)
}
