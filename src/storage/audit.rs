//! The audit trail: staff actions that are not public (sign-ins, account
//! changes, imports), each written in the transaction of its change.

use sqlx::{AnyConnection, FromRow};

use super::StoreResult;
use crate::domain::time::Timestamp;

/// One entry, as stored and as read back.
#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: Timestamp,
    pub actor: Option<String>,
    pub address: Option<String>,
    pub action: String,
    pub subject: Option<String>,
    pub detail: Option<String>,
}

/// An entry to write.
pub struct NewEntry<'a> {
    pub at: Timestamp,
    pub actor: Option<&'a str>,
    pub address: Option<String>,
    pub action: &'a str,
    pub subject: Option<&'a str>,
    pub detail: Option<&'a str>,
}

impl NewEntry<'_> {
    /// The entry's cells in [`INSERT_TEXTS`]' order, absent ones empty.
    pub fn texts(&self) -> [String; 6] {
        let text = |value: Option<&str>| value.unwrap_or_default().to_owned();
        [
            self.at.to_string(),
            text(self.actor),
            text(self.address.as_deref()),
            self.action.to_owned(),
            text(self.subject),
            text(self.detail),
        ]
    }
}

/// Inserts an entry from its [`NewEntry::texts`], for a transaction that
/// binds text only (an import's native connection).
pub const INSERT_TEXTS: &str = "INSERT INTO audit (at, actor, address, action, subject, detail) \
     VALUES ($1, NULLIF($2, ''), NULLIF($3, ''), $4, NULLIF($5, ''), NULLIF($6, ''))";

pub async fn record(conn: &mut AnyConnection, entry: &NewEntry<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit (at, actor, address, action, subject, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(entry.at.to_string())
    .bind(entry.actor)
    .bind(entry.address.as_deref())
    .bind(entry.action)
    .bind(entry.subject)
    .bind(entry.detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The times of the entries of `action` about `subject` since `since`,
/// oldest first.
pub async fn times_since(
    pool: &sqlx::AnyPool,
    action: &str,
    subject: &str,
    since: Timestamp,
) -> StoreResult<Vec<Timestamp>> {
    let times =
        sqlx::query_scalar("SELECT at FROM audit WHERE action = $1 AND subject = $2 AND at > $3 ORDER BY at")
            .bind(action)
            .bind(subject)
            .bind(since.to_string())
            .fetch_all(pool)
            .await?;
    Ok(times)
}

const COLUMNS: &str = "id, at, actor, address, action, subject, detail";

/// Up to `limit` entries before the entry `before` (all when `None`),
/// newest first.
pub async fn newest_first(
    pool: &sqlx::AnyPool,
    before: Option<i64>,
    limit: i64,
) -> StoreResult<Vec<AuditRow>> {
    let sql = format!("SELECT {COLUMNS} FROM audit WHERE id < $1 ORDER BY id DESC LIMIT $2");
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(pool)
        .await?;
    Ok(rows)
}
