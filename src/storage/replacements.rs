//! Replacements of assigned inspectors (PROTOCOL.md §16) and the conflicts
//! of interest inspectors declare.

use sqlx::{AnyConnection, FromRow};

use super::{StoreResult, now};
use crate::domain::time::Timestamp;

/// A replacement as stored: the protocol's fields, and who made it when.
#[derive(Debug, Clone, FromRow)]
pub struct ReplacementRow {
    pub number: i64,
    #[sqlx(rename = "target_id")]
    pub target: String,
    pub department: String,
    /// The inspector who gave way.
    #[sqlx(rename = "out_inspector")]
    pub out: String,
    /// The inspector drawn in their place.
    #[sqlx(rename = "in_inspector")]
    pub replacement: String,
    pub reason: String,
    pub made_by: String,
    pub made_at: Timestamp,
}

/// A task's replacements, in order.
pub async fn of_task<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
    executor: E,
    task: i64,
) -> StoreResult<Vec<ReplacementRow>> {
    Ok(sqlx::query_as(
        "SELECT number, target_id, department, out_inspector, in_inspector, reason, made_by, made_at \
         FROM replacements WHERE task_id = $1 ORDER BY number",
    )
    .bind(task)
    .fetch_all(executor)
    .await?)
}

/// Records replacement `row.number` and moves the assignment: the new
/// inspector takes the place (and order) of the one replaced. The primary
/// key refuses a second replacement with the same number.
pub async fn insert(conn: &mut AnyConnection, task: i64, row: &ReplacementRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO replacements (task_id, number, target_id, department, out_inspector, in_inspector, reason, \
         made_by, made_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(task)
    .bind(row.number)
    .bind(&row.target)
    .bind(&row.department)
    .bind(&row.out)
    .bind(&row.replacement)
    .bind(&row.reason)
    .bind(&row.made_by)
    .bind(row.made_at.to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE assignments SET inspector_id = $1 \
         WHERE task_id = $2 AND target_id = $3 AND department = $4 AND inspector_id = $5",
    )
    .bind(&row.replacement)
    .bind(task)
    .bind(&row.target)
    .bind(&row.department)
    .bind(&row.out)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE conflicts SET replacement = $1 WHERE task_id = $2 AND target_id = $3 AND inspector_id = $4",
    )
    .bind(row.number)
    .bind(task)
    .bind(&row.target)
    .bind(&row.out)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A conflict of interest an assigned inspector declared.
#[derive(Debug, Clone, FromRow)]
pub struct ConflictRow {
    #[sqlx(rename = "task_id")]
    pub task: i64,
    #[sqlx(rename = "target_id")]
    pub target: String,
    #[sqlx(rename = "inspector_id")]
    pub inspector: String,
    pub reason: String,
    pub declared_at: Timestamp,
    /// The replacement that resolved it, once made.
    pub replacement: Option<i64>,
}

/// Records a declaration (a second one for the same assignment keeps the
/// first) and the recusal pair, so that later pools leave the inspector
/// out for this target. False when it was declared before.
pub async fn declare(
    conn: &mut AnyConnection,
    task: i64,
    target: &str,
    inspector: &str,
    reason: &str,
) -> StoreResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO conflicts (task_id, target_id, inspector_id, reason, declared_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (task_id, target_id, inspector_id) DO NOTHING",
    )
    .bind(task)
    .bind(target)
    .bind(inspector)
    .bind(reason)
    .bind(now())
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    sqlx::query(
        "INSERT INTO recusals (inspector_id, target_id, reason) VALUES ($1, $2, $3) \
         ON CONFLICT (inspector_id, target_id) DO NOTHING",
    )
    .bind(inspector)
    .bind(target)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(inserted)
}

/// The conflicts declared in a task, or by one inspector.
pub async fn conflicts(
    pool: &sqlx::AnyPool,
    task: Option<i64>,
    inspector: Option<&str>,
) -> StoreResult<Vec<ConflictRow>> {
    Ok(sqlx::query_as(
        "SELECT task_id, target_id, inspector_id, reason, declared_at, replacement FROM conflicts \
         WHERE ($1 IS NULL OR task_id = $1) AND ($2 IS NULL OR inspector_id = $2) \
         ORDER BY task_id, target_id, inspector_id",
    )
    .bind(task)
    .bind(inspector)
    .fetch_all(pool)
    .await?)
}
