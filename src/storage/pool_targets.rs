//! Which committed pools hold a target (migration 0006): written after the
//! commit from the stored target manifest, read by an entity's public page.

use std::pin::pin;

use futures_util::TryStreamExt;
use sqlx::AnyConnection;

use super::tasks::{COLUMNS, TaskRow};
use super::{Backend, Store, StoreError, StoreResult, files, insert_from_json, placeholders};
use crate::domain::task::TaskState;
use crate::protocol::manifest::TARGETS_FILE;

/// Writes the targets of the task's stored manifest into the index, one
/// manifest piece (about 20 000 targets) a transaction, then marks the task
/// indexed. It runs after the commit, not in it: a pool of a million would
/// add seconds to the commit and hold the writer as long, while an entity
/// is found just as well from the manifest until the mark is written (see
/// [`tasks_holding`]). Writing a piece again changes nothing, so an index
/// cut short by a stopped server is finished by the next run.
pub async fn index(store: &Store, task: i64) -> StoreResult<()> {
    // The manifest is written once, at the commit: its pieces can be read
    // outside the transactions that index them.
    let mut pieces = pin!(files::pieces(store.pool().clone(), task, TARGETS_FILE));
    let mut first = true;
    while let Some(content) = pieces.try_next().await? {
        // The first piece begins with the header line.
        let lines = content.split(|&b| b == b'\n').skip(usize::from(first));
        first = false;
        let mut ids = Vec::new();
        for line in lines.filter(|line| !line.is_empty()) {
            let id = line.split(|&b| b == b'\t').next().unwrap_or(line);
            let id = std::str::from_utf8(id).map_err(|_| {
                StoreError::Damaged(format!("task {task}: a target id in {TARGETS_FILE} is not UTF-8"))
            })?;
            ids.push(serde_json::json!([id, task]));
        }
        let mut tx = store.write().await?;
        let backend = tx.backend();
        write(tx.conn(), backend, &ids).await?;
        tx.commit().await?;
    }
    let mut tx = store.write().await?;
    sqlx::query("INSERT INTO pool_targets_indexed (task_id) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(task)
        .execute(tx.conn())
        .await?;
    tx.commit().await
}

/// Writes a piece's rows `[target, task]` in one statement: the database
/// unpacks the array itself, which costs far less than binding two
/// parameters a row (SQLite's driver resolves each of them by name).
async fn write(conn: &mut AnyConnection, backend: Backend, rows: &[serde_json::Value]) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = insert_from_json(backend, "pool_targets", &["target_id", "task_id"], &["task_id"]);
    sqlx::query(sqlx::AssertSqlSafe(format!("{sql} ON CONFLICT DO NOTHING")))
        .bind(serde_json::to_string(rows).expect("ids serialise"))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The tasks in one of these states whose indexed pool holds the target,
/// oldest first. Only tasks marked indexed count: the rows of a pool still
/// being indexed are not all there yet.
pub async fn tasks_holding(
    pool: &sqlx::AnyPool,
    target: &str,
    states: &[TaskState],
) -> StoreResult<Vec<TaskRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM tasks WHERE id IN (SELECT task_id FROM pool_targets WHERE target_id = $1) \
         AND id IN (SELECT task_id FROM pool_targets_indexed) AND state IN ({}) ORDER BY id",
        placeholders(1, states.len())
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(target);
    for state in states {
        query = query.bind(state.as_str());
    }
    Ok(query.fetch_all(pool).await?)
}

/// Ids of the tasks in one of these states whose pools are not in the
/// index yet (committed before it existed, or being indexed), oldest first.
pub async fn not_indexed(pool: &sqlx::AnyPool, states: &[TaskState]) -> StoreResult<Vec<i64>> {
    let sql = format!(
        "SELECT id FROM tasks t WHERE state IN ({}) \
         AND NOT EXISTS (SELECT 1 FROM pool_targets_indexed i WHERE i.task_id = t.id) ORDER BY id",
        placeholders(0, states.len())
    );
    let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
    for state in states {
        query = query.bind(state.as_str());
    }
    Ok(query.fetch_all(pool).await?)
}
