//! Inspection tasks and what their draws selected.
//!
//! Every state change is an `UPDATE … WHERE state = <the state it leaves>`:
//! of two requests racing for the same change, on any number of servers,
//! exactly one finds the row still in that state.

use sqlx::{AnyConnection, FromRow};

use super::{StoreResult, WriteTx, insert_from_json, now, placeholders};
use crate::domain::task::TaskState;
use crate::domain::time::Timestamp;

#[derive(Debug, Clone, FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub name: String,
    pub department: String,
    pub state: TaskState,
    /// The task definition as JSON (rules, pool filter, entropy plan).
    pub definition: String,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub committed_at: Option<Timestamp>,
    pub drawn_at: Option<Timestamp>,
    pub revealed_at: Option<Timestamp>,
    pub abandoned_at: Option<Timestamp>,
    pub abandon_reason: Option<String>,
    pub pool_size: Option<i64>,
    pub drawn_count: Option<i64>,
    pub commitment_digest: Option<String>,
    pub result_digest: Option<String>,
    pub result_status: Option<String>,
    /// Private until the reveal.
    pub secret: Option<String>,
    pub entropy: Option<String>,
    /// Private until the reveal: with it the result can be computed.
    pub seed: Option<String>,
}

pub(super) const COLUMNS: &str = "id, name, department, state, definition, created_by, created_at, updated_at, committed_at, \
    drawn_at, revealed_at, abandoned_at, abandon_reason, pool_size, drawn_count, commitment_digest, result_digest, \
    result_status, secret, entropy, seed";

/// Writes a new draft; `plan_id` is the definition's, kept beside it for
/// [`of_plan`].
pub async fn insert(
    conn: &mut AnyConnection,
    name: &str,
    department: &str,
    definition: &str,
    plan_id: Option<&str>,
    created_by: &str,
) -> StoreResult<i64> {
    let at = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tasks (name, department, state, definition, plan_id, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(name)
    .bind(department)
    .bind(TaskState::Draft.as_str())
    .bind(definition)
    .bind(plan_id)
    .bind(created_by)
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn get(pool: &sqlx::AnyPool, id: i64) -> StoreResult<Option<TaskRow>> {
    let sql = format!("SELECT {COLUMNS} FROM tasks WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?)
}

/// The same, read inside a write transaction.
pub async fn get_in(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<TaskRow>> {
    let sql = format!("SELECT {COLUMNS} FROM tasks WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await?)
}

/// Tasks newest first: every task of a department, or (with `None`) the
/// published ones — all but drafts.
pub async fn list(pool: &sqlx::AnyPool, department: Option<&str>) -> StoreResult<Vec<TaskRow>> {
    let sql = match department {
        Some(_) => format!("SELECT {COLUMNS} FROM tasks WHERE department = $1 ORDER BY id DESC"),
        None => format!("SELECT {COLUMNS} FROM tasks WHERE state <> $1 ORDER BY id DESC"),
    };
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(department.unwrap_or(TaskState::Draft.as_str()))
        .fetch_all(pool)
        .await?)
}

/// A department's tasks whose definition names the plan `plan_id`, newest
/// first: down the `(department, plan_id)` index.
pub async fn of_plan(pool: &sqlx::AnyPool, department: &str, plan_id: &str) -> StoreResult<Vec<TaskRow>> {
    let sql = format!("SELECT {COLUMNS} FROM tasks WHERE department = $1 AND plan_id = $2 ORDER BY id DESC");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(department).bind(plan_id).fetch_all(pool).await?)
}

/// Published tasks (all but drafts) with ids below `before`, newest first,
/// at most `limit` of them: read down the primary key, so a page costs its
/// own rows whatever the number of tasks.
pub async fn published_page(
    pool: &sqlx::AnyPool,
    before: Option<i64>,
    limit: Option<i64>,
) -> StoreResult<Vec<TaskRow>> {
    let sql = format!("SELECT {COLUMNS} FROM tasks WHERE state <> $1 AND id < $2 ORDER BY id DESC LIMIT $3");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(TaskState::Draft.as_str())
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit.unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await?)
}

/// Ids of tasks in one of these states, oldest first.
pub async fn ids_in(pool: &sqlx::AnyPool, states: &[TaskState]) -> StoreResult<Vec<i64>> {
    let sql = format!("SELECT id FROM tasks WHERE state IN ({}) ORDER BY id", placeholders(0, states.len()));
    let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
    for state in states {
        query = query.bind(state.as_str());
    }
    Ok(query.fetch_all(pool).await?)
}

/// Replaces a draft's definition (and the `plan_id` it names); false when
/// the task is no longer a draft.
pub async fn update_draft(
    conn: &mut AnyConnection,
    id: i64,
    name: &str,
    definition: &str,
    plan_id: Option<&str>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE tasks SET name = $1, definition = $2, plan_id = $3, updated_at = $4 WHERE id = $5 AND state = $6",
    )
    .bind(name)
    .bind(definition)
    .bind(plan_id)
    .bind(now())
    .bind(id)
    .bind(TaskState::Draft.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_committed(
    conn: &mut AnyConnection,
    id: i64,
    pool_size: i64,
    commitment: &str,
    secret: &str,
) -> StoreResult<bool> {
    let at = now();
    let done = sqlx::query(
        "UPDATE tasks SET state = $1, committed_at = $2, updated_at = $2, pool_size = $3, commitment_digest = $4, \
         secret = $5 WHERE id = $6 AND state = $7",
    )
    .bind(TaskState::Committed.as_str())
    .bind(at)
    .bind(pool_size)
    .bind(commitment)
    .bind(secret)
    .bind(id)
    .bind(TaskState::Draft.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What a draw leaves on the task row.
pub struct Drawn<'a> {
    pub result_digest: &'a str,
    pub status: &'a str,
    pub entropy: &'a str,
    pub seed: &'a str,
    pub drawn_count: i64,
}

pub async fn mark_drawn(conn: &mut AnyConnection, id: i64, drawn: &Drawn<'_>) -> StoreResult<bool> {
    let at = now();
    let done = sqlx::query(
        "UPDATE tasks SET state = $1, drawn_at = $2, updated_at = $2, result_digest = $3, result_status = $4, \
         entropy = $5, seed = $6, drawn_count = $7 WHERE id = $8 AND state = $9",
    )
    .bind(TaskState::Drawn.as_str())
    .bind(at)
    .bind(drawn.result_digest)
    .bind(drawn.status)
    .bind(drawn.entropy)
    .bind(drawn.seed)
    .bind(drawn.drawn_count)
    .bind(id)
    .bind(TaskState::Committed.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_revealed(conn: &mut AnyConnection, id: i64) -> StoreResult<bool> {
    let at = now();
    let done = sqlx::query(
        "UPDATE tasks SET state = $1, revealed_at = $2, updated_at = $2 WHERE id = $3 AND state = $4",
    )
    .bind(TaskState::Revealed.as_str())
    .bind(at)
    .bind(id)
    .bind(TaskState::Drawn.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Abandons a task that was in state `from`.
pub async fn mark_abandoned(
    conn: &mut AnyConnection,
    id: i64,
    from: TaskState,
    reason: &str,
) -> StoreResult<bool> {
    let at = now();
    let done = sqlx::query(
        "UPDATE tasks SET state = $1, abandoned_at = $2, updated_at = $2, abandon_reason = $3 WHERE id = $4 AND state = $5",
    )
    .bind(TaskState::Abandoned.as_str())
    .bind(at)
    .bind(reason)
    .bind(id)
    .bind(from.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A drawn target: its place in the draw, id and stratum.
pub struct DrawnTarget<'a> {
    pub position: i64,
    pub target: &'a str,
    pub stratum: &'a str,
}

/// One inspector assigned to one target for one department.
pub struct AssignedInspector<'a> {
    pub target: &'a str,
    pub department: &'a str,
    pub inspector: &'a str,
    pub seq: i64,
}

/// Records what a draw selected, a batch of rows a statement.
///
/// The rows go in in the order of the indexes they join, not in draw
/// order: in draw order each row of a draw of 100 000 targets lands on
/// another page of `drawn_targets_target` (every task's drawn targets by
/// id) than the row before, and SQLite took half as long again to write
/// a 10 M pool's selection (1.7 s against 1.15 s in its shell).
pub async fn insert_selection(
    tx: &mut WriteTx,
    task: i64,
    targets: &[DrawnTarget<'_>],
    assignments: &[AssignedInspector<'_>],
) -> StoreResult<()> {
    let mut targets: Vec<&DrawnTarget<'_>> = targets.iter().collect();
    targets.sort_unstable_by_key(|t| (t.target, t.position));
    let mut assignments: Vec<&AssignedInspector<'_>> = assignments.iter().collect();
    assignments.sort_unstable_by_key(|a| (a.target, a.department, a.inspector));
    let backend = tx.backend();
    let sql = insert_from_json(
        backend,
        "drawn_targets",
        &["task_id", "position", "target_id", "stratum"],
        &["task_id", "position"],
    );
    for chunk in targets.chunks(10_000) {
        let rows: Vec<serde_json::Value> =
            chunk.iter().map(|t| serde_json::json!([task, t.position, t.target, t.stratum])).collect();
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(serde_json::Value::Array(rows).to_string())
            .execute(tx.conn())
            .await?;
    }
    let columns = ["task_id", "target_id", "department", "inspector_id", "seq"];
    let sql = insert_from_json(backend, "assignments", &columns, &["task_id", "seq"]);
    for chunk in assignments.chunks(10_000) {
        let rows: Vec<serde_json::Value> = chunk
            .iter()
            .map(|a| serde_json::json!([task, a.target, a.department, a.inspector, a.seq]))
            .collect();
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(serde_json::Value::Array(rows).to_string())
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// One row of a draw's selection: a drawn target with one of its inspectors.
#[derive(Debug, Clone, FromRow)]
pub struct SelectionRow {
    pub position: i64,
    pub target: String,
    pub target_name: Option<String>,
    pub region: Option<String>,
    pub industry: Option<String>,
    pub risk_class: Option<String>,
    pub stratum: String,
    pub department: Option<String>,
    pub inspector: Option<String>,
    pub inspector_name: Option<String>,
}

/// A task's drawn targets with their inspectors, in draw order.
pub async fn selection(pool: &sqlx::AnyPool, task: i64) -> StoreResult<Vec<SelectionRow>> {
    Ok(sqlx::query_as(
        "SELECT d.position, d.target_id AS target, t.name AS target_name, t.region, t.industry, \
         t.risk_class, d.stratum, a.department, \
         a.inspector_id AS inspector, i.name AS inspector_name \
         FROM drawn_targets d \
         LEFT JOIN targets t ON t.id = d.target_id \
         LEFT JOIN assignments a ON a.task_id = d.task_id AND a.target_id = d.target_id \
         LEFT JOIN inspectors i ON i.id = a.inspector_id \
         WHERE d.task_id = $1 ORDER BY d.position, a.seq",
    )
    .bind(task)
    .fetch_all(pool)
    .await?)
}

/// The targets assigned to an inspector in tasks that have been drawn.
#[derive(Debug, Clone, FromRow)]
pub struct AssignmentRow {
    pub task: i64,
    pub task_name: String,
    pub task_state: TaskState,
    pub target: String,
    pub target_name: Option<String>,
    pub region: Option<String>,
    pub industry: Option<String>,
    pub address: Option<String>,
    pub risk_class: Option<String>,
    pub department: String,
}

pub async fn assignments_of(pool: &sqlx::AnyPool, inspector: &str) -> StoreResult<Vec<AssignmentRow>> {
    Ok(sqlx::query_as(
        "SELECT a.task_id AS task, k.name AS task_name, k.state AS task_state, a.target_id AS target, \
         t.name AS target_name, t.region, a.department, t.industry, t.address, t.risk_class \
         FROM assignments a JOIN tasks k ON k.id = a.task_id LEFT JOIN targets t ON t.id = a.target_id \
         WHERE a.inspector_id = $1 AND k.state IN ($2, $3) ORDER BY a.task_id, a.target_id",
    )
    .bind(inspector)
    .bind(TaskState::Drawn.as_str())
    .bind(TaskState::Revealed.as_str())
    .fetch_all(pool)
    .await?)
}

/// An inspector assigned to a target for a department.
#[derive(Debug, Clone, FromRow)]
pub struct TeamMember {
    pub target: String,
    pub department: String,
    pub inspector: String,
    pub inspector_name: Option<String>,
}

const TEAM: &str = "SELECT a.target_id AS target, a.department, a.inspector_id AS inspector, \
    i.name AS inspector_name FROM assignments a LEFT JOIN inspectors i ON i.id = a.inspector_id";

/// The inspectors assigned to a target in a task, with names:
/// (department, inspector id, name).
pub async fn team(
    pool: &sqlx::AnyPool,
    task: i64,
    target: &str,
) -> StoreResult<Vec<(String, String, Option<String>)>> {
    let sql = format!("{TEAM} WHERE a.task_id = $1 AND a.target_id = $2 ORDER BY a.department, a.seq");
    let members: Vec<TeamMember> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(task).bind(target).fetch_all(pool).await?;
    Ok(members.into_iter().map(|m| (m.department, m.inspector, m.inspector_name)).collect())
}

/// A task in which a target was drawn, and where in the draw.
#[derive(Debug, Clone, FromRow)]
struct DrawnIn {
    task_id: i64,
    position: i64,
}

/// Tasks whose draw is public (revealed, or abandoned after the draw) in
/// which a target was drawn, with its position.
pub async fn drawn_in(pool: &sqlx::AnyPool, target: &str) -> StoreResult<Vec<(i64, i64)>> {
    let rows: Vec<DrawnIn> = sqlx::query_as(
        "SELECT d.task_id, d.position FROM drawn_targets d JOIN tasks k ON k.id = d.task_id \
         WHERE d.target_id = $1 AND k.state IN ($2, $3) ORDER BY d.task_id",
    )
    .bind(target)
    .bind(TaskState::Revealed.as_str())
    .bind(TaskState::Abandoned.as_str())
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|row| (row.task_id, row.position)).collect())
}

/// A drawn target with what its ledger line shows.
#[derive(Debug, Clone, FromRow)]
pub struct DrawnTargetRow {
    pub target: String,
    pub name: Option<String>,
    pub unit: Option<String>,
    pub region: Option<String>,
}

/// A task's drawn targets, in draw order, with their directory entries.
pub async fn drawn_targets(pool: &sqlx::AnyPool, task: i64) -> StoreResult<Vec<DrawnTargetRow>> {
    Ok(sqlx::query_as(
        "SELECT d.target_id AS target, t.name, t.unit, t.region \
         FROM drawn_targets d LEFT JOIN targets t ON t.id = d.target_id \
         WHERE d.task_id = $1 ORDER BY d.position",
    )
    .bind(task)
    .fetch_all(pool)
    .await?)
}

/// The inspectors of one department in a task: (target, inspector id, name).
pub async fn department_team(
    pool: &sqlx::AnyPool,
    task: i64,
    department: &str,
) -> StoreResult<Vec<(String, String, Option<String>)>> {
    let sql = format!("{TEAM} WHERE a.task_id = $1 AND a.department = $2 ORDER BY a.target_id, a.seq");
    let members: Vec<TeamMember> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(task).bind(department).fetch_all(pool).await?;
    Ok(members.into_iter().map(|m| (m.target, m.inspector, m.inspector_name)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Store, StoreError};

    async fn store_with_task() -> (tempfile::TempDir, Store, i64) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite:{}", dir.path().join("tasks.db").display())).await.unwrap();
        let mut tx = store.write().await.unwrap();
        let id = insert(tx.conn(), "spring checks", "market", "{}", None, "alice").await.unwrap();
        assert!(mark_committed(tx.conn(), id, 42, "c0ffee", "5ec2e7").await.unwrap());
        tx.commit().await.unwrap();
        (dir, store, id)
    }

    async fn set_column(store: &Store, id: i64, column: &str, text: &str) {
        let mut tx = store.write().await.unwrap();
        let sql = format!("UPDATE tasks SET {column} = $1 WHERE id = $2");
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(text).bind(id).execute(tx.conn()).await.unwrap();
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn a_task_reads_back_field_by_field() {
        let (_dir, store, id) = store_with_task().await;
        let task = get(store.pool(), id).await.unwrap().unwrap();
        assert_eq!((task.id, task.name.as_str(), task.department.as_str()), (id, "spring checks", "market"));
        assert_eq!(task.state, TaskState::Committed);
        assert_eq!((task.created_by.as_str(), task.definition.as_str()), ("alice", "{}"));
        assert_eq!(task.pool_size, Some(42));
        assert_eq!(task.commitment_digest.as_deref(), Some("c0ffee"));
        assert_eq!(task.secret.as_deref(), Some("5ec2e7"));
        assert!(task.committed_at.is_some_and(|at| at >= task.created_at));
        assert_eq!((task.drawn_at, task.seed, task.drawn_count), (None, None, None));
        store.close().await;
    }

    #[tokio::test]
    async fn an_unknown_state_is_damage_named_by_its_column() {
        let (_dir, store, id) = store_with_task().await;
        set_column(&store, id, "state", "sealed").await;
        match get(store.pool(), id).await {
            Err(StoreError::Damaged(message)) => {
                assert!(message.contains("state") && message.contains("sealed"), "{message}")
            }
            other => panic!("expected damage, got {other:?}"),
        }
        store.close().await;
    }

    #[tokio::test]
    async fn a_time_that_is_not_one_is_damage_named_by_its_column() {
        let (_dir, store, id) = store_with_task().await;
        set_column(&store, id, "committed_at", "last Tuesday").await;
        match list(store.pool(), Some("market")).await {
            Err(StoreError::Damaged(message)) => {
                assert!(message.contains("committed_at") && message.contains("last Tuesday"), "{message}")
            }
            other => panic!("expected damage, got {other:?}"),
        }
        store.close().await;
    }
}
