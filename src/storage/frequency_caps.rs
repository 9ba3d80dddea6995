//! Frequency caps (PROTOCOL.md §17): an item's cap on how often one target
//! may be drawn for it in a year, and what a commit needs to apply the caps
//! of its items — the earlier tasks whose draws count, and the SQL that
//! keeps out of the pool the targets they drew as often as the cap allows.

use sqlx::{AnyConnection, FromRow};

use super::{StoreResult, placeholders};
use crate::domain::task::TaskState;
use crate::domain::time::Timestamp;

/// A capped item of a department.
#[derive(Debug, Clone, FromRow)]
pub struct ItemCap {
    pub code: String,
    pub frequency_cap: i64,
}

/// The caps of those of `codes` that `department` keeps and has capped.
pub async fn item_caps(
    conn: &mut AnyConnection,
    department: &str,
    codes: &[&str],
) -> StoreResult<Vec<ItemCap>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT code, frequency_cap FROM items \
         WHERE department = $1 AND frequency_cap IS NOT NULL AND code IN ({}) ORDER BY code",
        placeholders(1, codes.len())
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(department);
    for code in codes {
        query = query.bind(*code);
    }
    Ok(query.fetch_all(conn).await?)
}

/// A revealed task of a department: its draw may count against a cap.
#[derive(Debug, Clone, FromRow)]
pub struct RevealedTask {
    pub id: i64,
    /// The task definition as JSON, for its items.
    pub definition: String,
    pub drawn_at: Timestamp,
}

/// The department's revealed tasks. Only revealed ones: an earlier task
/// still sealed must not shape a later pool, whose manifest is published at
/// its commit — a target missing from it would tell that the sealed task
/// drew it. A task abandoned after its draw has no reveal (its state is
/// `abandoned`), so it is not among them either (see
/// `Service::frequency_caps` for why).
pub async fn revealed_tasks(conn: &mut AnyConnection, department: &str) -> StoreResult<Vec<RevealedTask>> {
    Ok(sqlx::query_as(
        "SELECT id, definition, drawn_at FROM tasks \
         WHERE department = $1 AND state = $2 AND drawn_at IS NOT NULL ORDER BY id",
    )
    .bind(department)
    .bind(TaskState::Revealed.as_str())
    .fetch_all(conn)
    .await?)
}

/// Sets or clears an item's cap; false when the item does not exist.
pub async fn set(conn: &mut AnyConnection, code: &str, cap: Option<i64>) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE items SET frequency_cap = $1 WHERE code = $2")
        .bind(cap)
        .bind(code)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Targets drawn at least `times` times by these tasks are kept out of a
/// pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapExclusion {
    pub times: u32,
    pub tasks: Vec<i64>,
}

/// The pool's condition for these exclusions over the targets table (as
/// `alias`), empty when there are none. Only numbers enter it, written as
/// literals, so it fits a `COPY`, which takes no parameters.
pub fn exclusion_sql(exclusions: &[CapExclusion], alias: &str) -> String {
    exclusions
        .iter()
        .filter(|exclusion| !exclusion.tasks.is_empty())
        .map(|exclusion| {
            let tasks: Vec<String> = exclusion.tasks.iter().map(i64::to_string).collect();
            format!(
                " AND {alias}.id NOT IN (SELECT target_id FROM drawn_targets WHERE task_id IN ({}) \
                 GROUP BY target_id HAVING COUNT(*) >= {})",
                tasks.join(", "),
                exclusion.times
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exclusion_without_tasks_keeps_nothing_out() {
        assert_eq!(exclusion_sql(&[CapExclusion { times: 1, tasks: vec![] }], "t"), "");
        let sql = exclusion_sql(&[CapExclusion { times: 2, tasks: vec![3, 5] }], "t");
        assert!(sql.contains("task_id IN (3, 5)") && sql.contains(">= 2"), "{sql}");
    }
}
