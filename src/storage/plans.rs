//! The departments' annual spot-check plans (年度抽查工作计划): drafts,
//! edited in place, and approved plans, which are final and each have one
//! `plan.approved` entry in the public log, written in the approval's
//! transaction. Also the counts a plan's progress is made of: targets in
//! an item's categories, and targets drawn by the plan's tasks.

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use super::{StoreResult, WriteTx, log, time_text};
use crate::protocol::log::plan_kind;

/// A plan as stored; `items` and `batches` are JSON the service wrote.
#[derive(Debug, Clone, FromRow)]
pub struct PlanRow {
    pub department: String,
    pub code: String,
    pub year: i64,
    pub name: String,
    pub state: String,
    pub items: String,
    pub batches: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub sha256: Option<String>,
}

const COLUMNS: &str = "department, code, year, name, state, items, batches, created_by, created_at, \
    updated_at, approved_by, approved_at, sha256";

/// A plan's fields as written by a creation or an edit; the caller has
/// checked them.
pub struct PlanFields<'a> {
    pub year: i64,
    pub name: &'a str,
    pub items: &'a str,
    pub batches: &'a str,
}

/// Writes a new draft; false when the department has a plan of that code.
pub async fn insert(
    tx: &mut WriteTx,
    department: &str,
    code: &str,
    fields: &PlanFields<'_>,
    by: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> StoreResult<bool> {
    let result = sqlx::query(
        "INSERT INTO annual_plans (department, code, year, name, state, items, batches, created_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $8)",
    )
    .bind(department)
    .bind(code)
    .bind(fields.year)
    .bind(fields.name)
    .bind(fields.items)
    .bind(fields.batches)
    .bind(by)
    .bind(time_text(at))
    .execute(tx.conn())
    .await;
    match result {
        Ok(_) => Ok(true),
        Err(error) => {
            let error = super::StoreError::from(error);
            if error.is_unique_violation() { Ok(false) } else { Err(error) }
        }
    }
}

/// Replaces a draft's fields; false when there is no draft of that code
/// (none, or approved already).
pub async fn update_draft(
    tx: &mut WriteTx,
    department: &str,
    code: &str,
    fields: &PlanFields<'_>,
    at: chrono::DateTime<chrono::Utc>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE annual_plans SET year = $3, name = $4, items = $5, batches = $6, updated_at = $7 \
         WHERE department = $1 AND code = $2 AND state = 'draft'",
    )
    .bind(department)
    .bind(code)
    .bind(fields.year)
    .bind(fields.name)
    .bind(fields.items)
    .bind(fields.batches)
    .bind(time_text(at))
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What a `plan.approved` entry says (PROTOCOL.md §15.2).
#[derive(Serialize)]
struct Approved<'a> {
    department: &'a str,
    code: &'a str,
    sha256: &'a str,
}

/// Approves a draft and logs it; false when there is no draft of that code.
/// The `state = 'draft'` condition makes one of two approvals at once the
/// only one, and the log entry is written only by it.
pub async fn approve(
    tx: &mut WriteTx,
    department: &str,
    code: &str,
    sha256: &str,
    by: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE annual_plans SET state = 'approved', approved_by = $3, approved_at = $4, sha256 = $5, \
         updated_at = $4 WHERE department = $1 AND code = $2 AND state = 'draft'",
    )
    .bind(department)
    .bind(code)
    .bind(by)
    .bind(time_text(at))
    .bind(sha256)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    let payload = Approved { department, code, sha256 };
    log::append(tx.conn(), at, plan_kind::APPROVED, None, by, &payload).await?;
    Ok(true)
}

/// One plan of a department.
pub async fn get(pool: &sqlx::AnyPool, department: &str, code: &str) -> StoreResult<Option<PlanRow>> {
    let sql = format!("SELECT {COLUMNS} FROM annual_plans WHERE department = $1 AND code = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(department).bind(code).fetch_optional(pool).await?)
}

/// The same, read inside a write transaction.
pub async fn get_in(conn: &mut AnyConnection, department: &str, code: &str) -> StoreResult<Option<PlanRow>> {
    let sql = format!("SELECT {COLUMNS} FROM annual_plans WHERE department = $1 AND code = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(department)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?)
}

/// A department's plans, newest year first, then by code.
pub async fn of_department(pool: &sqlx::AnyPool, department: &str) -> StoreResult<Vec<PlanRow>> {
    let sql = format!("SELECT {COLUMNS} FROM annual_plans WHERE department = $1 ORDER BY year DESC, code");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(department).fetch_all(pool).await?)
}

/// Every approved plan (of one year, when given), by department, newest
/// year first, then by code.
pub async fn approved(pool: &sqlx::AnyPool, year: Option<i64>) -> StoreResult<Vec<PlanRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM annual_plans WHERE state = 'approved' AND ($1 = 0 OR year = $1) \
         ORDER BY department, year DESC, code"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(year.unwrap_or(0)).fetch_all(pool).await?)
}

/// Every approved plan's department, code and name.
pub async fn approved_names<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
) -> StoreResult<Vec<(String, String, String)>> {
    Ok(sqlx::query_as("SELECT department, code, name FROM annual_plans WHERE state = 'approved'")
        .fetch_all(db)
        .await?)
}

/// Narrows targets to an item's categories; empty lists narrow nothing.
pub struct Categories<'a> {
    pub regions: &'a [String],
    pub industries: &'a [String],
}

impl Categories<'_> {
    /// The SQL condition on targets `t`, its values bound from `$offset+1`.
    fn condition(&self, offset: usize) -> (String, Vec<&str>) {
        let mut sql = String::new();
        let mut values = Vec::new();
        for (column, wanted) in [("region", self.regions), ("industry", self.industries)] {
            if wanted.is_empty() {
                continue;
            }
            let first = offset + values.len() + 1;
            sql.push_str(&format!(" AND t.{column} IN ({})", super::placeholders(first - 1, wanted.len())));
            values.extend(wanted.iter().map(String::as_str));
        }
        (sql, values)
    }
}

/// How many targets of one risk class.
#[derive(Debug, Clone, FromRow)]
pub struct ClassCount {
    pub risk_class: String,
    pub count: i64,
}

/// The department's targets now in these categories, per risk class.
pub async fn pool_by_class(
    pool: &sqlx::AnyPool,
    department: &str,
    categories: &Categories<'_>,
) -> StoreResult<Vec<ClassCount>> {
    let (condition, values) = categories.condition(1);
    let sql = format!(
        "SELECT t.risk_class AS risk_class, COUNT(*) AS count FROM targets t \
         WHERE t.department = $1{condition} GROUP BY t.risk_class"
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(department);
    for value in values {
        query = query.bind(value);
    }
    Ok(query.fetch_all(pool).await?)
}

/// The targets in these categories drawn by these tasks, per risk class
/// (a target drawn by two of them counts twice: it was inspected twice).
pub async fn drawn_by_class(
    pool: &sqlx::AnyPool,
    tasks: &[i64],
    categories: &Categories<'_>,
) -> StoreResult<Vec<ClassCount>> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let (condition, values) = categories.condition(tasks.len());
    let sql = format!(
        "SELECT t.risk_class AS risk_class, COUNT(*) AS count FROM drawn_targets d \
         JOIN targets t ON t.id = d.target_id WHERE d.task_id IN ({}){condition} GROUP BY t.risk_class",
        super::placeholders(0, tasks.len())
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for task in tasks {
        query = query.bind(*task);
    }
    for value in values {
        query = query.bind(value);
    }
    Ok(query.fetch_all(pool).await?)
}

/// How many results of these tasks for this item are published (the
/// current version of each; a corrected one counts once).
pub async fn results_published(pool: &sqlx::AnyPool, tasks: &[i64], item: &str) -> StoreResult<i64> {
    if tasks.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "SELECT COUNT(*) FROM results WHERE state = 'published' AND item_code = $1 AND task_id IN ({})",
        super::placeholders(1, tasks.len())
    );
    let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(item);
    for task in tasks {
        query = query.bind(*task);
    }
    Ok(query.fetch_one(pool).await?)
}

/// An item of the item list and its name.
#[derive(Debug, Clone, FromRow)]
pub struct ItemName {
    pub code: String,
    pub name: String,
    /// The day it was retired; none while it is in force.
    pub retired_on: Option<String>,
}

/// The items a department keeps on the item list, retired ones included.
pub async fn department_items<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
    executor: E,
    department: &str,
) -> StoreResult<Vec<ItemName>> {
    Ok(sqlx::query_as("SELECT code, name, retired_on FROM items WHERE department = $1 ORDER BY code")
        .bind(department)
        .fetch_all(executor)
        .await?)
}

/// The payloads of these tasks' `task.committed` log entries, by task, for
/// what they recorded of the task's plan.
pub async fn commitment_payloads(pool: &sqlx::AnyPool, tasks: &[i64]) -> StoreResult<Vec<(i64, String)>> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT task_id, payload FROM log_entries WHERE kind = 'task.committed' AND task_id IN ({})",
        super::placeholders(0, tasks.len())
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for task in tasks {
        query = query.bind(*task);
    }
    Ok(query.fetch_all(pool).await?)
}
