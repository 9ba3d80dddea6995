//! The ledger's reads (台账): a department's open lines — each drawn target
//! and item of its tasks whose result is not published — summed and paged
//! by the database, so that no request reads every line.
//!
//! Which (task, item) pairs a department follows is decided by the service
//! from the task definitions; it is handed to each query as one JSON
//! parameter, unpacked by the database (`Scope`).

use sqlx::FromRow;

use super::tasks::TaskRow;
use super::{Backend, Store, StoreResult, select_from_json};
use crate::domain::task::TaskState;

/// The tasks that may have open lines: drawn or revealed, of one task or
/// all, less those whose every line is published by the kept counts (read
/// beside the definition's item count, so that settled tasks are never
/// loaded).
pub async fn candidate_tasks(store: &Store, task: Option<i64>) -> StoreResult<Vec<TaskRow>> {
    let items = match store.backend() {
        Backend::Sqlite => "json_array_length(k.definition, '$.items')",
        Backend::Postgres => "jsonb_array_length(k.definition::jsonb -> 'items')",
    };
    let sql = format!(
        "SELECT k.* FROM tasks k LEFT JOIN publication_counts c \
         ON c.dimension = 'task' AND c.key = CAST(k.id AS TEXT) \
         WHERE k.state IN ($1, $2) AND ($3 IS NULL OR k.id = $3) \
         AND COALESCE(c.count, 0) < COALESCE(k.drawn_count, 0) * {items} ORDER BY k.id"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(TaskState::Drawn.as_str())
        .bind(TaskState::Revealed.as_str())
        .bind(task)
        .fetch_all(store.pool())
        .await?)
}

/// The (task, item) pairs a ledger covers, in order, and as the JSON array
/// the queries unpack: `[[task, item], …]`.
#[derive(Debug, Clone)]
pub struct Scope {
    pairs: Vec<(i64, String)>,
    json: String,
}

impl Scope {
    pub fn new(mut pairs: Vec<(i64, String)>) -> Self {
        pairs.sort();
        pairs.dedup();
        let json = json_pairs(&pairs);
        Scope { pairs, json }
    }

    pub fn pairs(&self) -> &[(i64, String)] {
        &self.pairs
    }
}

fn json_pairs<T: serde::Serialize>(pairs: &[(i64, T)]) -> String {
    serde_json::Value::from(
        pairs.iter().map(|(task, other)| serde_json::json!([task, other])).collect::<Vec<_>>(),
    )
    .to_string()
}

/// Which lines of the scope: one unit's, those inspected before a day
/// (the overdue ones), and those of targets one inspector is assigned to.
#[derive(Debug, Clone, Default)]
pub struct Lines<'a> {
    pub unit: Option<&'a str>,
    pub inspected_before: Option<&'a str>,
    pub inspector: Option<Inspector<'a>>,
}

/// An inspector on a department's team: the lines of the targets they are
/// assigned to for that department.
#[derive(Debug, Clone, Copy)]
pub struct Inspector<'a> {
    pub department: &'a str,
    pub id: &'a str,
}

impl<'a> Lines<'a> {
    /// The filters as conditions on a line whose drawn target is
    /// `{alias}.task_id`, `{alias}.target_id`, with their values, numbered
    /// from `$first` on.
    fn conditions(&self, alias: &str, first: usize) -> (String, Vec<&'a str>) {
        let mut sql = String::new();
        let mut values = Vec::new();
        for (condition, value) in [("t.unit =", self.unit), ("r.inspection_date <", self.inspected_before)] {
            if let Some(value) = value {
                values.push(value);
                sql.push_str(&format!(" AND {condition} ${}", first + values.len() - 1));
            }
        }
        if let Some(inspector) = self.inspector {
            // The assignments' primary key leads with these four columns:
            // one index probe per line.
            values.extend([inspector.department, inspector.id]);
            let (department, id) = (first + values.len() - 2, first + values.len() - 1);
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = {alias}.task_id \
                 AND a.target_id = {alias}.target_id AND a.department = ${department} AND a.inspector_id = ${id})"
            ));
        }
        (sql, values)
    }
}

/// Where a page of lines starts: after this line, in the ledger's order
/// (by inspection date, then task, target and item; lines without a date
/// last, by task, item and target).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineKey {
    pub inspection_date: Option<String>,
    pub task: i64,
    pub target: String,
    pub item: String,
}

/// A ledger line as stored: the drawn target, its directory entry, and its
/// current result, if one is saved.
#[derive(Debug, Clone, FromRow)]
pub struct LineRow {
    pub task: i64,
    pub target: String,
    pub item: String,
    pub target_name: Option<String>,
    pub unit: Option<String>,
    pub region: Option<String>,
    pub result: Option<i64>,
    pub state: Option<String>,
    pub inspection_date: Option<String>,
}

impl LineRow {
    pub fn key(&self) -> LineKey {
        LineKey {
            inspection_date: self.inspection_date.clone(),
            task: self.task,
            target: self.target.clone(),
            item: self.item.clone(),
        }
    }
}

/// The scope's pairs as rows `scope (task_id, item_code)`, from `$1`.
fn scope_table(backend: Backend) -> String {
    format!("scope AS ({})", select_from_json(backend, &["task_id", "item_code"], &["task_id"]))
}

/// The open lines of one task (`$1`) and item (`$2`), joined with `join`:
/// `{columns}` to be filled in. The task is named, not joined from a list,
/// so that PostgreSQL plans for one task's drawn targets.
fn task_lines(join: &str) -> String {
    format!(
        "SELECT {{columns}} FROM drawn_targets d \
         LEFT JOIN results r ON r.task_id = d.task_id AND r.target_id = d.target_id \
             AND r.item_code = $2 AND r.state <> 'superseded' \
         LEFT JOIN targets t ON t.id = d.target_id {join}\
         WHERE d.task_id = $1 AND (r.state IS NULL OR r.state <> 'published')"
    )
}

/// A task's open lines of one unit and item, inspected on one day (or not
/// yet), in one state (none: nothing entered): what the service keeps to
/// sum a ledger without reading its lines.
#[derive(Debug, Clone, FromRow)]
pub struct CountRow {
    pub unit: Option<String>,
    pub item: String,
    pub inspection_date: Option<String>,
    pub state: Option<String>,
    pub lines: i64,
}

/// The same counts per inspector assigned to the lines' targets (a line
/// with two inspectors counts for each), for every department's teams.
#[derive(Debug, Clone, FromRow)]
pub struct InspectorCountRow {
    pub department: String,
    pub inspector: String,
    pub name: Option<String>,
    pub unit: Option<String>,
    pub item: String,
    pub inspection_date: Option<String>,
    pub state: Option<String>,
    pub lines: i64,
}

/// The open lines of one task's `items`, counted by unit, item, inspection
/// date and state.
pub async fn task_counts(store: &Store, task: i64, items: &[String]) -> StoreResult<Vec<CountRow>> {
    let columns = "t.unit AS unit, CAST($2 AS TEXT) AS item, r.inspection_date AS inspection_date, \
         r.state AS state, COUNT(*) AS lines";
    let sql = format!(
        "{} GROUP BY t.unit, r.inspection_date, r.state",
        task_lines("").replace("{columns}", columns)
    );
    per_item(store, &sql, task, items).await
}

/// The open lines of one task's `items` counted as [`task_counts`] counts
/// them, per inspector of every department assigned to their target.
pub async fn task_inspector_counts(
    store: &Store,
    task: i64,
    items: &[String],
) -> StoreResult<Vec<InspectorCountRow>> {
    let join = "JOIN assignments a ON a.task_id = d.task_id AND a.target_id = d.target_id \
         LEFT JOIN inspectors i ON i.id = a.inspector_id ";
    let columns = "a.department AS department, a.inspector_id AS inspector, i.name AS name, t.unit AS unit, \
         CAST($2 AS TEXT) AS item, r.inspection_date AS inspection_date, r.state AS state, COUNT(*) AS lines";
    let sql = format!(
        "{} GROUP BY a.department, a.inspector_id, i.name, t.unit, r.inspection_date, r.state",
        task_lines(join).replace("{columns}", columns)
    );
    per_item(store, &sql, task, items).await
}

/// The rows of `sql` for each of the task's items in turn (`$1` the task,
/// `$2` the item).
async fn per_item<T>(store: &Store, sql: &str, task: i64, items: &[String]) -> StoreResult<Vec<T>>
where
    T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut rows = Vec::new();
    for item in items {
        let query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(task).bind(item.as_str());
        rows.extend(query.fetch_all(store.pool()).await?);
    }
    Ok(rows)
}

/// The revision of the directories a ledger reads (units, inspectors'
/// names), moved by every import.
pub const DIRECTORIES: i64 = 0;

/// The revisions (migration 0014) of these tasks and of the directories
/// ([`DIRECTORIES`]); a task never changed since the migration has none.
pub async fn revisions(store: &Store, tasks: &[i64]) -> StoreResult<Vec<(i64, i64)>> {
    let wanted: Vec<i64> = tasks.iter().copied().chain([DIRECTORIES]).collect();
    let ids = select_from_json(store.backend(), &["task_id"], &["task_id"]);
    let sql = format!(
        "WITH wanted AS ({ids}) SELECT v.task_id, v.revision FROM wanted w \
         JOIN ledger_revisions v ON v.task_id = w.task_id"
    );
    let rows: Vec<[i64; 1]> = wanted.into_iter().map(|id| [id]).collect();
    let ids = serde_json::to_string(&rows).expect("numbers serialise");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(ids).fetch_all(store.pool()).await?)
}

/// Moves the directories' revision, in an import's transaction.
pub const TOUCH_DIRECTORIES: &str = "UPDATE ledger_revisions SET revision = revision + 1 WHERE task_id = 0";

/// At most `limit` open lines after `after`, most urgent first: those with
/// an inspection date by date (the deadline grows with it), then task,
/// target and item; then those without one, by task, item and target. Each
/// part is read in the order of an index from where the page starts, so a
/// page costs what the first one does.
pub async fn page(
    store: &Store,
    scope: &Scope,
    lines: &Lines<'_>,
    after: Option<&LineKey>,
    limit: i64,
) -> StoreResult<Vec<LineRow>> {
    let undated_after = after.filter(|key| key.inspection_date.is_none());
    let mut rows = match undated_after {
        Some(_) => Vec::new(),
        None => dated(store, scope, lines, after, limit).await?,
    };
    // Overdue lines all have a date.
    if lines.inspected_before.is_some() {
        return Ok(rows);
    }
    let start = undated_after.map(|key| (key.task, key.item.as_str()));
    for (task, item) in &scope.pairs {
        let remaining = limit - rows.len() as i64;
        if remaining <= 0 {
            break;
        }
        let after_target = match (start, undated_after) {
            (Some(from), _) if (*task, item.as_str()) < from => continue,
            (Some(from), Some(key)) if (*task, item.as_str()) == from => Some(key.target.as_str()),
            _ => None,
        };
        rows.extend(undated(store, *task, item, lines, after_target, remaining).await?);
    }
    Ok(rows)
}

const LINE_COLUMNS: &str = "t.name AS target_name, t.unit AS unit, t.region AS region, r.id AS result, \
    r.state AS state, r.inspection_date AS inspection_date";

/// Lines with an inspection date, in date order, from `after`.
async fn dated(
    store: &Store,
    scope: &Scope,
    lines: &Lines<'_>,
    after: Option<&LineKey>,
    limit: i64,
) -> StoreResult<Vec<LineRow>> {
    // A result is saved only for a drawn target: its line is the drawn
    // target's without reading `drawn_targets`.
    let (mut filters, values) = lines.conditions("r", 2);
    let next = values.len() + 2;
    let limit_at = match after {
        Some(_) => {
            // The first comparison is implied by the second; it lets an
            // index on the date start where the page does.
            filters.push_str(&format!(
                " AND r.inspection_date >= ${next} \
                 AND (r.inspection_date, r.task_id, r.target_id, r.item_code) > (${next}, ${}, ${}, ${})",
                next + 1,
                next + 2,
                next + 3
            ));
            next + 4
        }
        None => next,
    };
    let open = "r.state IN ('draft', 'submitted', 'returned', 'approved') AND r.inspection_date IS NOT NULL";
    let columns = format!("r.task_id AS task, r.target_id AS target, r.item_code AS item, {LINE_COLUMNS}");
    let scope_table = scope_table(store.backend());
    let sql = match store.backend() {
        // The results lead, read down `results_ledger_dates` (CROSS JOIN
        // keeps SQLite from starting at the scope): in index order, the
        // page ends after `limit` matching lines.
        Backend::Sqlite => format!(
            "WITH {scope_table} SELECT {columns} FROM results r CROSS JOIN scope s \
             LEFT JOIN targets t ON t.id = r.target_id \
             WHERE s.task_id = r.task_id AND s.item_code = r.item_code AND {open}{filters} \
             ORDER BY r.inspection_date, r.task_id, r.target_id, r.item_code LIMIT ${limit_at}"
        ),
        // PostgreSQL would join the scope to every open result and sort
        // them all: instead each (task, item) gives its first `limit`
        // lines down `results_ledger_pair_dates`, and only those are sorted.
        Backend::Postgres => format!(
            "WITH {scope_table} SELECT x.* FROM scope s CROSS JOIN LATERAL (\
             SELECT {columns} FROM results r LEFT JOIN targets t ON t.id = r.target_id \
             WHERE r.task_id = s.task_id AND r.item_code = s.item_code AND {open}{filters} \
             ORDER BY r.inspection_date, r.target_id LIMIT ${limit_at}) x \
             ORDER BY x.inspection_date, x.task, x.target, x.item LIMIT ${limit_at}"
        ),
    };
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(scope.json.as_str());
    for value in values {
        query = query.bind(value);
    }
    if let Some(key) = after {
        let date = key.inspection_date.as_deref().unwrap_or_default();
        query = query.bind(date).bind(key.task).bind(key.target.as_str()).bind(key.item.as_str());
    }
    Ok(query.bind(limit).fetch_all(store.pool()).await?)
}

/// Lines of one task and item without an inspection date (nothing saved,
/// or saved without one), in target order, read down
/// `drawn_targets_ledger` from `after_target`.
async fn undated(
    store: &Store,
    task: i64,
    item: &str,
    lines: &Lines<'_>,
    after_target: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<LineRow>> {
    let mut sql = format!(
        "SELECT d.task_id AS task, d.target_id AS target, CAST($2 AS TEXT) AS item, {LINE_COLUMNS} \
         FROM drawn_targets d \
         LEFT JOIN results r ON r.task_id = d.task_id AND r.target_id = d.target_id \
             AND r.item_code = $2 AND r.state <> 'superseded' \
         LEFT JOIN targets t ON t.id = d.target_id \
         WHERE d.task_id = $1 AND (r.id IS NULL OR (r.inspection_date IS NULL AND r.state <> 'published'))"
    );
    // No overdue filter here: these lines have no date.
    let undated_lines = Lines { inspected_before: None, ..lines.clone() };
    let (conditions, mut values) = undated_lines.conditions("d", 3);
    sql.push_str(&conditions);
    if let Some(target) = after_target {
        values.push(target);
        sql.push_str(&format!(" AND d.target_id > ${}", values.len() + 2));
    }
    sql.push_str(&format!(" ORDER BY d.target_id LIMIT ${}", values.len() + 3));
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(task).bind(item);
    for value in values {
        query = query.bind(value);
    }
    Ok(query.bind(limit).fetch_all(store.pool()).await?)
}

/// One department's inspectors on the given (task, target) pairs:
/// (task, target, inspector id, name), in assignment order.
pub async fn teams(
    store: &Store,
    department: &str,
    targets: &[(i64, String)],
) -> StoreResult<Vec<(i64, String, String, Option<String>)>> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let wanted = select_from_json(store.backend(), &["task_id", "target_id"], &["task_id"]);
    let sql = format!(
        "WITH wanted AS ({wanted}) SELECT a.task_id, a.target_id, a.inspector_id, i.name FROM wanted w \
         JOIN assignments a ON a.task_id = w.task_id AND a.target_id = w.target_id AND a.department = $2 \
         LEFT JOIN inspectors i ON i.id = a.inspector_id ORDER BY a.task_id, a.target_id, a.seq"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(json_pairs(targets))
        .bind(department)
        .fetch_all(store.pool())
        .await?)
}
