//! Which committed pools hold a target (migration 0006): written at commit
//! from the stored target manifest, read by an entity's public page.

use sqlx::{AnyConnection, Row};

use super::tasks::{COLUMNS, TaskRow};
use super::{StoreError, StoreResult, placeholders};
use crate::domain::task::TaskState;
use crate::protocol::manifest::TARGETS_FILE;

/// Targets written per statement (two values each).
const TARGETS_PER_STATEMENT: usize = 500;

/// Writes the targets of the task's stored manifest into the index, inside
/// the commit's transaction: the index holds exactly the committed pool. The
/// manifest is read back a piece at a time, so memory stays at one piece
/// and one batch of ids however large the pool.
pub async fn index(conn: &mut AnyConnection, task: i64) -> StoreResult<()> {
    let mut batch: Vec<String> = Vec::with_capacity(TARGETS_PER_STATEMENT);
    for seq in 0.. {
        let Some(row) =
            sqlx::query("SELECT content FROM task_files WHERE task_id = $1 AND name = $2 AND seq = $3")
                .bind(task)
                .bind(TARGETS_FILE)
                .bind(seq)
                .fetch_optional(&mut *conn)
                .await?
        else {
            break;
        };
        let content: Vec<u8> = row.try_get("content")?;
        // The first piece begins with the header line.
        let lines = content.split(|&b| b == b'\n').skip(usize::from(seq == 0));
        for line in lines.filter(|line| !line.is_empty()) {
            let id = line.split(|&b| b == b'\t').next().unwrap_or(line);
            let id = std::str::from_utf8(id).map_err(|_| {
                StoreError::Damaged(format!("task {task}: a target id in {TARGETS_FILE} is not UTF-8"))
            })?;
            batch.push(id.to_owned());
            if batch.len() == TARGETS_PER_STATEMENT {
                write(conn, task, &batch).await?;
                batch.clear();
            }
        }
    }
    write(conn, task, &batch).await?;
    sqlx::query("INSERT INTO pool_targets_indexed (task_id) VALUES ($1)")
        .bind(task)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn write(conn: &mut AnyConnection, task: i64, targets: &[String]) -> StoreResult<()> {
    if targets.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..targets.len()).map(|row| format!("({})", placeholders(row * 2, 2))).collect();
    let sql = format!("INSERT INTO pool_targets (target_id, task_id) VALUES {}", rows.join(", "));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for target in targets {
        query = query.bind(target.as_str()).bind(task);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// The tasks in one of these states whose indexed pool holds the target,
/// oldest first.
pub async fn tasks_holding(
    pool: &sqlx::AnyPool,
    target: &str,
    states: &[TaskState],
) -> StoreResult<Vec<TaskRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM tasks WHERE id IN (SELECT task_id FROM pool_targets WHERE target_id = $1) \
         AND state IN ({}) ORDER BY id",
        placeholders(1, states.len())
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(target);
    for state in states {
        query = query.bind(state.as_str());
    }
    Ok(query.fetch_all(pool).await?)
}

/// Ids of the tasks in one of these states whose pools are not in the
/// index (committed before it existed), oldest first.
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
