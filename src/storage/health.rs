//! What an operator watches, read from the database: whether every
//! migration of this binary is applied (which also shows the database
//! answers), and the sizes behind the metrics — open ledger lines and tasks
//! by state. Each is one small aggregate query, cheap enough for a scrape.

use sqlx::Row as _;

use super::{Store, StoreResult};
use crate::domain::task::TaskState;

/// The versions of this binary's migrations that the database has not
/// recorded as applied, in order; empty when the schema is current.
pub async fn pending_migrations(store: &Store) -> StoreResult<Vec<i64>> {
    let applied: Vec<i64> = sqlx::query("SELECT version FROM _sqlx_migrations WHERE success")
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|row| row.try_get("version"))
        .collect::<Result<_, _>>()?;
    Ok(store
        .migrator()
        .iter()
        .filter(|migration| !migration.migration_type.is_down_migration())
        .map(|migration| migration.version)
        .filter(|version| !applied.contains(version))
        .collect())
}

/// The number of tasks in each state (states without a task are absent).
pub async fn tasks_by_state(store: &Store) -> StoreResult<Vec<(String, i64)>> {
    let rows = sqlx::query("SELECT state, COUNT(*) AS count FROM tasks GROUP BY state ORDER BY state")
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(|row| Ok((row.try_get("state")?, row.try_get("count")?))).collect()
}

/// Ledger lines still open over all departments: every (drawn target,
/// item) of a drawn or revealed task less its published results, from the
/// kept publication counts rather than from the lines themselves.
pub async fn open_ledger_lines(store: &Store) -> StoreResult<i64> {
    let items = match store.backend() {
        super::Backend::Sqlite => "json_array_length(k.definition, '$.items')",
        super::Backend::Postgres => "jsonb_array_length(k.definition::jsonb -> 'items')",
    };
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(COALESCE(k.drawn_count, 0) * {items} - COALESCE(c.count, 0)), 0) AS BIGINT) \
         AS open FROM tasks k LEFT JOIN publication_counts c \
         ON c.dimension = 'task' AND c.key = CAST(k.id AS TEXT) WHERE k.state IN ($1, $2)"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(TaskState::Drawn.as_str())
        .bind(TaskState::Revealed.as_str())
        .fetch_one(store.pool())
        .await?;
    Ok(row.try_get("open")?)
}
