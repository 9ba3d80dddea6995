//! What the console's dashboard counts of the tasks: per state, and the
//! committed ones (few at any time), of one department or of all.

use sqlx::FromRow;

use super::StoreResult;
use super::tasks::{COLUMNS, TaskRow};
use crate::domain::task::TaskState;

/// How many tasks are in a state.
#[derive(Debug, Clone, FromRow)]
pub struct StateCount {
    pub state: TaskState,
    pub count: i64,
}

pub async fn tasks_by_state(pool: &sqlx::AnyPool, department: Option<&str>) -> StoreResult<Vec<StateCount>> {
    let sql = match department {
        Some(_) => "SELECT state, count(*) AS count FROM tasks WHERE department = $1 GROUP BY state",
        None => "SELECT state, count(*) AS count FROM tasks GROUP BY state",
    };
    let mut query = sqlx::query_as(sql);
    if let Some(department) = department {
        query = query.bind(department);
    }
    Ok(query.fetch_all(pool).await?)
}

/// The committed tasks, oldest first.
pub async fn committed(pool: &sqlx::AnyPool, department: Option<&str>) -> StoreResult<Vec<TaskRow>> {
    let mine = if department.is_some() { " AND department = $2" } else { "" };
    let sql = format!("SELECT {COLUMNS} FROM tasks WHERE state = $1{mine} ORDER BY id");
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(TaskState::Committed.as_str());
    if let Some(department) = department {
        query = query.bind(department);
    }
    Ok(query.fetch_all(pool).await?)
}

/// The department an inspector of the directory works for, if listed.
pub async fn inspector_department(pool: &sqlx::AnyPool, inspector: &str) -> StoreResult<Option<String>> {
    let row = sqlx::query("SELECT department FROM inspectors WHERE id = $1")
        .bind(inspector)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|row| sqlx::Row::try_get(&row, "department")).transpose()?)
}

/// The departments with inspectors in the directory, in order.
pub async fn inspector_departments(pool: &sqlx::AnyPool) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT DISTINCT department FROM inspectors ORDER BY department")
        .fetch_all(pool)
        .await?)
}
