//! The counts behind the public statistics: published results counted by
//! dimension and key (`publication_counts`), moved in the transaction that
//! publishes or corrects a result, and the few small reads the statistics
//! add to them (the drawn tasks, unpublished results by inspection date).

use std::collections::HashMap;

use sqlx::{AnyConnection, FromRow};

use super::{StoreError, StoreResult};

/// One count: how many published results have `key` in `dimension`.
#[derive(Debug, Clone, FromRow)]
pub struct CountRow {
    pub dimension: String,
    pub key: String,
    pub count: i64,
}

/// Moves one count by `by` (negative when a correction replaces a result).
pub async fn add(conn: &mut AnyConnection, dimension: &str, key: &str, by: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO publication_counts (dimension, key, count) VALUES ($1, $2, $3) \
         ON CONFLICT (dimension, key) DO UPDATE SET count = publication_counts.count + excluded.count",
    )
    .bind(dimension)
    .bind(key)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every count.
pub async fn counts(pool: &sqlx::AnyPool) -> StoreResult<Vec<CountRow>> {
    let rows = sqlx::query_as("SELECT dimension, key, count FROM publication_counts WHERE count <> 0")
        .fetch_all(pool)
        .await?;
    Ok(rows)
}

/// A drawn task as the coverage counts it: its department, its plan (in
/// its definition), its pool and how many were drawn, and when.
#[derive(Debug, Clone, FromRow)]
pub struct DrawnTask {
    pub id: i64,
    pub department: String,
    pub definition: String,
    pub pool_size: Option<i64>,
    pub drawn_count: Option<i64>,
    pub drawn_at: String,
}

/// The drawn and revealed tasks: one row per task.
pub async fn drawn_tasks(pool: &sqlx::AnyPool) -> StoreResult<Vec<DrawnTask>> {
    let rows = sqlx::query_as(
        "SELECT id, department, definition, pool_size, drawn_count, drawn_at FROM tasks \
         WHERE state IN ('drawn', 'revealed') AND drawn_at IS NOT NULL ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// The items' names by code (the item list is short: one row per kind of
/// inspection).
pub async fn item_names(pool: &sqlx::AnyPool) -> StoreResult<HashMap<String, String>> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT code, name FROM items").fetch_all(pool).await?;
    Ok(rows.into_iter().collect())
}

/// Unpublished results with an inspection date: how many per date.
#[derive(Debug, Clone, FromRow)]
pub struct OpenDate {
    pub inspection_date: String,
    pub open: i64,
}

pub async fn open_by_inspection_date(pool: &sqlx::AnyPool) -> StoreResult<Vec<OpenDate>> {
    let rows = sqlx::query_as(
        "SELECT inspection_date, COUNT(*) AS open FROM results \
         WHERE state IN ('draft', 'submitted', 'returned', 'approved') AND inspection_date IS NOT NULL \
         GROUP BY inspection_date",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// Current published results per task: of one task, or of all.
pub async fn published_per_task(pool: &sqlx::AnyPool, task: Option<i64>) -> StoreResult<HashMap<i64, i64>> {
    let key = task.map(|task| task.to_string());
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT key, count FROM publication_counts WHERE dimension = 'task' AND ($1 IS NULL OR key = $1)",
    )
    .bind(key)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(key, count)| {
            let task = key.parse().map_err(|_| StoreError::Damaged(format!("a count for task '{key}'")))?;
            Ok((task, count))
        })
        .collect()
}

/// Published results (current ones) of each of these tasks that has any.
pub async fn published_of_tasks(pool: &sqlx::AnyPool, tasks: &[i64]) -> StoreResult<HashMap<i64, i64>> {
    if tasks.is_empty() {
        return Ok(HashMap::new());
    }
    // The counts are kept by key, a text: the ids are asked for as written.
    let sql = format!(
        "SELECT key, count FROM publication_counts WHERE dimension = 'task' AND key IN ({})",
        super::placeholders(0, tasks.len())
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for task in tasks {
        query = query.bind(task.to_string());
    }
    let rows: Vec<(String, i64)> = query.fetch_all(pool).await?;
    rows.into_iter()
        .map(|(key, count)| {
            let task = key.parse().map_err(|_| StoreError::Damaged(format!("a count for task '{key}'")))?;
            Ok((task, count))
        })
        .collect()
}

/// Which of these tasks have replacements.
pub async fn with_replacements_among(pool: &sqlx::AnyPool, tasks: &[i64]) -> StoreResult<Vec<i64>> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT task_id FROM replacements WHERE task_id IN ({})",
        super::placeholders(0, tasks.len())
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for task in tasks {
        query = query.bind(*task);
    }
    let rows: Vec<(i64,)> = query.fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(task,)| task).collect())
}
