//! Inspection tasks and what their draws selected.
//!
//! Every state change is an `UPDATE … WHERE state = <the state it leaves>`:
//! of two requests racing for the same change, on any number of servers,
//! exactly one finds the row still in that state.

use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{StoreResult, WriteTx, insert_from_json, now, placeholders};

/// A task's lifecycle (DESIGN: draft → committed → drawn → revealed, or
/// abandoned from any state before revealed).
pub mod state {
    pub const DRAFT: &str = "draft";
    pub const COMMITTED: &str = "committed";
    pub const DRAWN: &str = "drawn";
    pub const REVEALED: &str = "revealed";
    pub const ABANDONED: &str = "abandoned";
}

#[derive(Debug, Clone)]
pub struct TaskRow {
    pub id: i64,
    pub name: String,
    pub department: String,
    pub state: String,
    /// The task definition as JSON (rules, pool filter, entropy plan).
    pub definition: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub committed_at: Option<String>,
    pub drawn_at: Option<String>,
    pub revealed_at: Option<String>,
    pub abandoned_at: Option<String>,
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

const COLUMNS: &str = "id, name, department, state, definition, created_by, created_at, updated_at, committed_at, \
    drawn_at, revealed_at, abandoned_at, abandon_reason, pool_size, drawn_count, commitment_digest, result_digest, \
    result_status, secret, entropy, seed";

fn task(row: &AnyRow) -> StoreResult<TaskRow> {
    Ok(TaskRow {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        department: row.try_get(2)?,
        state: row.try_get(3)?,
        definition: row.try_get(4)?,
        created_by: row.try_get(5)?,
        created_at: row.try_get(6)?,
        updated_at: row.try_get(7)?,
        committed_at: row.try_get(8)?,
        drawn_at: row.try_get(9)?,
        revealed_at: row.try_get(10)?,
        abandoned_at: row.try_get(11)?,
        abandon_reason: row.try_get(12)?,
        pool_size: row.try_get(13)?,
        drawn_count: row.try_get(14)?,
        commitment_digest: row.try_get(15)?,
        result_digest: row.try_get(16)?,
        result_status: row.try_get(17)?,
        secret: row.try_get(18)?,
        entropy: row.try_get(19)?,
        seed: row.try_get(20)?,
    })
}

pub async fn insert(
    conn: &mut AnyConnection,
    name: &str,
    department: &str,
    definition: &str,
    created_by: &str,
) -> StoreResult<i64> {
    let at = now();
    let row = sqlx::query(
        "INSERT INTO tasks (name, department, state, definition, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(name)
    .bind(department)
    .bind(state::DRAFT)
    .bind(definition)
    .bind(created_by)
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}

pub async fn get(pool: &sqlx::AnyPool, id: i64) -> StoreResult<Option<TaskRow>> {
    let sql = format!("SELECT {COLUMNS} FROM tasks WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
    row.as_ref().map(task).transpose()
}

/// The same, read inside a write transaction.
pub async fn get_in(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<TaskRow>> {
    let sql = format!("SELECT {COLUMNS} FROM tasks WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(task).transpose()
}

/// Tasks newest first: every task of a department, or (with `None`) the
/// published ones — all but drafts.
pub async fn list(pool: &sqlx::AnyPool, department: Option<&str>) -> StoreResult<Vec<TaskRow>> {
    let sql = match department {
        Some(_) => format!("SELECT {COLUMNS} FROM tasks WHERE department = $1 ORDER BY id DESC"),
        None => format!("SELECT {COLUMNS} FROM tasks WHERE state <> $1 ORDER BY id DESC"),
    };
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(department.unwrap_or(state::DRAFT))
        .fetch_all(pool)
        .await?;
    rows.iter().map(task).collect()
}

/// Ids of tasks in one of these states, oldest first.
pub async fn ids_in(pool: &sqlx::AnyPool, states: &[&str]) -> StoreResult<Vec<i64>> {
    let sql = format!("SELECT id FROM tasks WHERE state IN ({}) ORDER BY id", placeholders(0, states.len()));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for state in states {
        query = query.bind(*state);
    }
    let rows = query.fetch_all(pool).await?;
    rows.iter().map(|row| Ok(row.try_get(0)?)).collect()
}

/// Replaces a draft's definition; false when the task is no longer a draft.
pub async fn update_draft(
    conn: &mut AnyConnection,
    id: i64,
    name: &str,
    definition: &str,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE tasks SET name = $1, definition = $2, updated_at = $3 WHERE id = $4 AND state = $5",
    )
    .bind(name)
    .bind(definition)
    .bind(now())
    .bind(id)
    .bind(state::DRAFT)
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
    .bind(state::COMMITTED)
    .bind(at)
    .bind(pool_size)
    .bind(commitment)
    .bind(secret)
    .bind(id)
    .bind(state::DRAFT)
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
    .bind(state::DRAWN)
    .bind(at)
    .bind(drawn.result_digest)
    .bind(drawn.status)
    .bind(drawn.entropy)
    .bind(drawn.seed)
    .bind(drawn.drawn_count)
    .bind(id)
    .bind(state::COMMITTED)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_revealed(conn: &mut AnyConnection, id: i64) -> StoreResult<bool> {
    let at = now();
    let done = sqlx::query(
        "UPDATE tasks SET state = $1, revealed_at = $2, updated_at = $2 WHERE id = $3 AND state = $4",
    )
    .bind(state::REVEALED)
    .bind(at)
    .bind(id)
    .bind(state::DRAWN)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Abandons a task that was in state `from`.
pub async fn mark_abandoned(
    conn: &mut AnyConnection,
    id: i64,
    from: &str,
    reason: &str,
) -> StoreResult<bool> {
    let at = now();
    let done = sqlx::query(
        "UPDATE tasks SET state = $1, abandoned_at = $2, updated_at = $2, abandon_reason = $3 WHERE id = $4 AND state = $5",
    )
    .bind(state::ABANDONED)
    .bind(at)
    .bind(reason)
    .bind(id)
    .bind(from)
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
pub async fn insert_selection(
    tx: &mut WriteTx,
    task: i64,
    targets: &[DrawnTarget<'_>],
    assignments: &[AssignedInspector<'_>],
) -> StoreResult<()> {
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
#[derive(Debug, Clone)]
pub struct SelectionRow {
    pub position: i64,
    pub target: String,
    pub target_name: Option<String>,
    pub stratum: String,
    pub department: Option<String>,
    pub inspector: Option<String>,
    pub inspector_name: Option<String>,
}

/// A task's drawn targets with their inspectors, in draw order.
pub async fn selection(pool: &sqlx::AnyPool, task: i64) -> StoreResult<Vec<SelectionRow>> {
    let rows = sqlx::query(
        "SELECT d.position, d.target_id, t.name, d.stratum, a.department, a.inspector_id, i.name \
         FROM drawn_targets d \
         LEFT JOIN targets t ON t.id = d.target_id \
         LEFT JOIN assignments a ON a.task_id = d.task_id AND a.target_id = d.target_id \
         LEFT JOIN inspectors i ON i.id = a.inspector_id \
         WHERE d.task_id = $1 ORDER BY d.position, a.seq",
    )
    .bind(task)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SelectionRow {
                position: row.try_get(0)?,
                target: row.try_get(1)?,
                target_name: row.try_get(2)?,
                stratum: row.try_get(3)?,
                department: row.try_get(4)?,
                inspector: row.try_get(5)?,
                inspector_name: row.try_get(6)?,
            })
        })
        .collect()
}

/// The targets assigned to an inspector in tasks that have been drawn.
#[derive(Debug, Clone)]
pub struct AssignmentRow {
    pub task: i64,
    pub task_name: String,
    pub task_state: String,
    pub target: String,
    pub target_name: Option<String>,
    pub region: Option<String>,
    pub industry: Option<String>,
    pub address: Option<String>,
    pub department: String,
}

pub async fn assignments_of(pool: &sqlx::AnyPool, inspector: &str) -> StoreResult<Vec<AssignmentRow>> {
    let rows = sqlx::query(
        "SELECT a.task_id, k.name, k.state, a.target_id, t.name, t.region, a.department, t.industry, t.address \
         FROM assignments a JOIN tasks k ON k.id = a.task_id LEFT JOIN targets t ON t.id = a.target_id \
         WHERE a.inspector_id = $1 AND k.state IN ($2, $3) ORDER BY a.task_id, a.target_id",
    )
    .bind(inspector)
    .bind(state::DRAWN)
    .bind(state::REVEALED)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(AssignmentRow {
                task: row.try_get(0)?,
                task_name: row.try_get(1)?,
                task_state: row.try_get(2)?,
                target: row.try_get(3)?,
                target_name: row.try_get(4)?,
                region: row.try_get(5)?,
                department: row.try_get(6)?,
                industry: row.try_get(7)?,
                address: row.try_get(8)?,
            })
        })
        .collect()
}

/// The inspectors assigned to a target in a task, with names.
pub async fn team(
    pool: &sqlx::AnyPool,
    task: i64,
    target: &str,
) -> StoreResult<Vec<(String, String, Option<String>)>> {
    let rows = sqlx::query(
        "SELECT a.department, a.inspector_id, i.name FROM assignments a LEFT JOIN inspectors i ON i.id = a.inspector_id \
         WHERE a.task_id = $1 AND a.target_id = $2 ORDER BY a.department, a.seq",
    )
    .bind(task)
    .bind(target)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))).collect()
}

/// Tasks whose draw is public (revealed, or abandoned after the draw) in
/// which a target was drawn, with its position.
pub async fn drawn_in(pool: &sqlx::AnyPool, target: &str) -> StoreResult<Vec<(i64, i64)>> {
    let rows = sqlx::query(
        "SELECT d.task_id, d.position FROM drawn_targets d JOIN tasks k ON k.id = d.task_id \
         WHERE d.target_id = $1 AND k.state IN ($2, $3) ORDER BY d.task_id",
    )
    .bind(target)
    .bind(state::REVEALED)
    .bind(state::ABANDONED)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|row| Ok((row.try_get(0)?, row.try_get(1)?))).collect()
}

/// A drawn target with what its ledger line shows.
#[derive(Debug, Clone)]
pub struct DrawnTargetRow {
    pub target: String,
    pub name: Option<String>,
    pub unit: Option<String>,
    pub region: Option<String>,
}

/// A task's drawn targets, in draw order, with their directory entries.
pub async fn drawn_targets(pool: &sqlx::AnyPool, task: i64) -> StoreResult<Vec<DrawnTargetRow>> {
    let rows = sqlx::query(
        "SELECT d.target_id, t.name, t.unit, t.region FROM drawn_targets d LEFT JOIN targets t ON t.id = d.target_id \
         WHERE d.task_id = $1 ORDER BY d.position",
    )
    .bind(task)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(DrawnTargetRow {
                target: row.try_get(0)?,
                name: row.try_get(1)?,
                unit: row.try_get(2)?,
                region: row.try_get(3)?,
            })
        })
        .collect()
}

/// The inspectors of one department in a task: (target, inspector id, name).
pub async fn department_team(
    pool: &sqlx::AnyPool,
    task: i64,
    department: &str,
) -> StoreResult<Vec<(String, String, Option<String>)>> {
    let rows = sqlx::query(
        "SELECT a.target_id, a.inspector_id, i.name FROM assignments a LEFT JOIN inspectors i ON i.id = a.inspector_id \
         WHERE a.task_id = $1 AND a.department = $2 ORDER BY a.target_id, a.seq",
    )
    .bind(task)
    .bind(department)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))).collect()
}
