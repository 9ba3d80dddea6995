//! Inspection results and the steps each took. A transition is one
//! `UPDATE … WHERE state IN (…)`: a concurrent or repeated request finds
//! the state moved on and changes nothing.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, FromRow, Row};

use super::{StoreResult, now};
use crate::domain::inspection::ResultState;
use crate::domain::time::Timestamp;

#[derive(Debug, Clone)]
pub struct ResultRow {
    pub id: i64,
    pub reference: String,
    pub task: i64,
    pub target: String,
    pub item: String,
    pub department: String,
    pub state: String,
    pub outcome: Option<String>,
    pub outcome_text: String,
    pub inspection_date: Option<String>,
    pub summary: String,
    /// Internal: never published.
    pub notes: String,
    pub recorded_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub return_reason: Option<String>,
    pub published_by: Option<String>,
    pub published_at: Option<String>,
    pub region: Option<String>,
    /// The published record, as logged (JSON).
    pub record: Option<String>,
    pub corrects: Option<i64>,
    pub correction_reason: Option<String>,
}

const COLUMNS: &str = "id, reference, task_id, target_id, item_code, department, state, outcome, outcome_text, \
    inspection_date, summary, notes, recorded_by, created_at, updated_at, submitted_at, reviewed_by, reviewed_at, \
    return_reason, published_by, published_at, region, record, corrects, correction_reason";

/// A result row, its columns read by name.
fn result(row: &AnyRow) -> StoreResult<ResultRow> {
    Ok(ResultRow {
        id: row.try_get("id")?,
        reference: row.try_get("reference")?,
        task: row.try_get("task_id")?,
        target: row.try_get("target_id")?,
        item: row.try_get("item_code")?,
        department: row.try_get("department")?,
        state: row.try_get("state")?,
        outcome: row.try_get("outcome")?,
        outcome_text: row.try_get("outcome_text")?,
        inspection_date: row.try_get("inspection_date")?,
        summary: row.try_get("summary")?,
        notes: row.try_get("notes")?,
        recorded_by: row.try_get("recorded_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        submitted_at: row.try_get("submitted_at")?,
        reviewed_by: row.try_get("reviewed_by")?,
        reviewed_at: row.try_get("reviewed_at")?,
        return_reason: row.try_get("return_reason")?,
        published_by: row.try_get("published_by")?,
        published_at: row.try_get("published_at")?,
        region: row.try_get("region")?,
        record: row.try_get("record")?,
        corrects: row.try_get("corrects")?,
        correction_reason: row.try_get("correction_reason")?,
    })
}

/// The current result (not superseded) of a target and item in a task.
pub async fn current<'c, E: Executor<'c, Database = Any>>(
    executor: E,
    task: i64,
    target: &str,
    item: &str,
) -> StoreResult<Option<ResultRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM results WHERE task_id = $1 AND target_id = $2 AND item_code = $3 \
         AND state <> 'superseded'"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(task)
        .bind(target)
        .bind(item)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(result).transpose()
}

pub async fn get<'c, E: Executor<'c, Database = Any>>(
    executor: E,
    id: i64,
) -> StoreResult<Option<ResultRow>> {
    let sql = format!("SELECT {COLUMNS} FROM results WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(executor).await?;
    row.as_ref().map(result).transpose()
}

pub async fn by_reference(pool: &sqlx::AnyPool, reference: &str) -> StoreResult<Option<ResultRow>> {
    let sql = format!("SELECT {COLUMNS} FROM results WHERE reference = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(reference).fetch_optional(pool).await?;
    row.as_ref().map(result).transpose()
}

/// What an inspector writes into a result.
#[derive(Debug, Clone, Default)]
pub struct Fields<'a> {
    pub outcome: Option<&'a str>,
    pub outcome_text: &'a str,
    pub inspection_date: Option<&'a str>,
    pub summary: &'a str,
    pub notes: &'a str,
}

/// A new result in state `state`; returns its id.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    conn: &mut AnyConnection,
    reference: &str,
    task: i64,
    target: &str,
    item: &str,
    department: &str,
    state: ResultState,
    fields: &Fields<'_>,
    by: &str,
) -> StoreResult<i64> {
    let at = now();
    let id = sqlx::query_scalar(
        "INSERT INTO results (reference, task_id, target_id, item_code, department, state, outcome, outcome_text, \
         inspection_date, summary, notes, recorded_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
    )
    .bind(reference)
    .bind(task)
    .bind(target)
    .bind(item)
    .bind(department)
    .bind(state.as_str())
    .bind(fields.outcome)
    .bind(fields.outcome_text)
    .bind(fields.inspection_date)
    .bind(fields.summary)
    .bind(fields.notes)
    .bind(by)
    .bind(&at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Rewrites an editable result's fields; false when it is no longer in
/// one of `states`.
pub async fn update_fields(
    conn: &mut AnyConnection,
    id: i64,
    states: &[ResultState],
    fields: &Fields<'_>,
    by: &str,
) -> StoreResult<bool> {
    let sql = format!(
        "UPDATE results SET outcome = $1, outcome_text = $2, inspection_date = $3, summary = $4, notes = $5, \
         recorded_by = $6, updated_at = $7 WHERE id = $8 AND state IN ({})",
        super::placeholders(8, states.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(fields.outcome)
        .bind(fields.outcome_text)
        .bind(fields.inspection_date)
        .bind(fields.summary)
        .bind(fields.notes)
        .bind(by)
        .bind(now())
        .bind(id);
    for state in states {
        query = query.bind(state.as_str());
    }
    Ok(query.execute(&mut *conn).await?.rows_affected() == 1)
}

/// Marks an editable result changed by `by` (a file added or removed);
/// false when it is no longer in one of `states`.
pub async fn touch(conn: &mut AnyConnection, id: i64, states: &[ResultState], by: &str) -> StoreResult<bool> {
    let sql = format!(
        "UPDATE results SET recorded_by = $1, updated_at = $2 WHERE id = $3 AND state IN ({})",
        super::placeholders(3, states.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(by).bind(now()).bind(id);
    for state in states {
        query = query.bind(state.as_str());
    }
    Ok(query.execute(&mut *conn).await?.rows_affected() == 1)
}

/// A column a transition sets besides the state.
pub enum Set<'a> {
    Text(&'static str, &'a str),
    Now(&'static str),
}

/// Moves a result from one of `from` to `to`, setting `also`; false when
/// it was in none of `from`.
pub async fn transition(
    conn: &mut AnyConnection,
    id: i64,
    from: &[ResultState],
    to: ResultState,
    also: &[Set<'_>],
) -> StoreResult<bool> {
    let at = now();
    let mut assignments = vec!["state = $1".to_owned(), "updated_at = $2".to_owned()];
    let mut texts: Vec<&str> = Vec::new();
    for set in also {
        match set {
            Set::Text(column, value) => {
                texts.push(value);
                assignments.push(format!("{column} = ${}", 2 + texts.len()));
            }
            Set::Now(column) => assignments.push(format!("{column} = $2")),
        }
    }
    let next = 3 + texts.len();
    let sql = format!(
        "UPDATE results SET {} WHERE id = ${next} AND state IN ({})",
        assignments.join(", "),
        super::placeholders(next, from.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(to.as_str()).bind(&at);
    for text in texts {
        query = query.bind(text);
    }
    query = query.bind(id);
    for state in from {
        query = query.bind(state.as_str());
    }
    Ok(query.execute(&mut *conn).await?.rows_affected() == 1)
}

/// Links a correction to the result it corrects.
pub async fn mark_correction(
    conn: &mut AnyConnection,
    id: i64,
    corrects: i64,
    reason: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE results SET corrects = $1, correction_reason = $2 WHERE id = $3")
        .bind(corrects)
        .bind(reason)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Fixes what was published: the region then, and the record as logged.
pub async fn set_published_record(
    conn: &mut AnyConnection,
    id: i64,
    region: &str,
    record: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE results SET region = $1, record = $2 WHERE id = $3")
        .bind(region)
        .bind(record)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// One step of a result: who did what, when, and why.
#[derive(Debug, Clone, FromRow)]
pub struct Step {
    pub at: Timestamp,
    pub actor: String,
    /// saved, submitted, returned, approved, published, corrected, superseded.
    pub step: String,
    pub reason: String,
}

pub async fn add_step(
    conn: &mut AnyConnection,
    id: i64,
    actor: &str,
    step: &str,
    reason: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO result_steps (result_id, seq, at, actor, step, reason) \
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5 FROM result_steps WHERE result_id = $1",
    )
    .bind(id)
    .bind(now())
    .bind(actor)
    .bind(step)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn steps(pool: &sqlx::AnyPool, id: i64) -> StoreResult<Vec<Step>> {
    Ok(sqlx::query_as("SELECT at, actor, step, reason FROM result_steps WHERE result_id = $1 ORDER BY seq")
        .bind(id)
        .fetch_all(pool)
        .await?)
}

/// The results of a department, optionally of one task and state, by task,
/// target and item.
pub async fn of_department(
    pool: &sqlx::AnyPool,
    department: &str,
    task: Option<i64>,
    state: Option<&str>,
) -> StoreResult<Vec<ResultRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM results WHERE department = $1 AND ($2 IS NULL OR task_id = $2) \
         AND ($3 IS NULL OR state = $3) ORDER BY task_id, target_id, item_code, id"
    );
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(department).bind(task).bind(state).fetch_all(pool).await?;
    rows.iter().map(result).collect()
}

/// The current results of the given tasks.
pub async fn of_tasks(pool: &sqlx::AnyPool, tasks: &[i64]) -> StoreResult<Vec<ResultRow>> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM results WHERE task_id IN ({}) AND state <> 'superseded'",
        super::placeholders(0, tasks.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for task in tasks {
        query = query.bind(*task);
    }
    query.fetch_all(pool).await?.iter().map(result).collect()
}

/// Which published results a public query wants.
#[derive(Debug, Clone, Default)]
pub struct PublicFilter<'a> {
    pub task: Option<i64>,
    pub target: Option<&'a str>,
    pub region: Option<&'a str>,
    pub item: Option<&'a str>,
    pub outcome: Option<&'a str>,
    /// Inspection dates from and to (inclusive), YYYY-MM-DD.
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    /// Corrected originals too.
    pub superseded: bool,
    /// Published at or after this instant, written as the column is (RFC
    /// 3339 in UTC to the millisecond, `2026-11-30T08:00:00.000Z`): texts
    /// of one fixed form order as their instants do on both databases.
    pub published_since: Option<&'a str>,
    /// Up to and including this result, in the list's order: an export
    /// holds no result published after the newest it found when it began.
    pub through: Option<&'a PublishedKey>,
}

/// Where a page of published results starts: after the result published
/// at `published_at` with this id, in the list's order (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedKey {
    pub published_at: String,
    pub id: i64,
}

/// A published result as the public list reads it: its record as logged,
/// and the reference of the result that corrected it, if one did.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublishedRow {
    pub id: i64,
    pub state: String,
    pub published_at: String,
    /// The published record (JSON), exactly as logged.
    pub record: String,
    pub corrected_by: Option<String>,
}

/// A value bound to a filter's placeholder.
enum Value<'a> {
    Number(i64),
    Text(&'a str),
}

impl PublicFilter<'_> {
    /// The `WHERE` conditions of the filter, only those it names, so that
    /// each query the database plans says exactly what it asks (an index
    /// on the task or the target is used when one is given), and the values
    /// they bind, from `$1`.
    fn conditions(&self) -> (String, Vec<Value<'_>>) {
        // The partial indexes on published results name exactly this term.
        let mut sql = "r.state IN ('published', 'superseded')".to_owned();
        if !self.superseded {
            sql.push_str(" AND r.state = 'published'");
        }
        let mut values = Vec::new();
        let texts = [
            ("r.target_id =", self.target),
            ("r.region =", self.region),
            ("r.item_code =", self.item),
            ("r.outcome =", self.outcome),
            ("r.inspection_date >=", self.from),
            ("r.inspection_date <=", self.to),
            ("r.published_at >=", self.published_since),
        ];
        if let Some(task) = self.task {
            values.push(Value::Number(task));
            sql.push_str(&format!(" AND r.task_id = ${}", values.len()));
        }
        for (condition, value) in texts {
            if let Some(value) = value {
                values.push(Value::Text(value));
                sql.push_str(&format!(" AND {condition} ${}", values.len()));
            }
        }
        if let Some(key) = self.through {
            values.push(Value::Text(&key.published_at));
            values.push(Value::Number(key.id));
            let (at, id) = (values.len() - 1, values.len());
            sql.push_str(&format!(" AND (r.published_at, r.id) <= (${at}, ${id})"));
        }
        (sql, values)
    }
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    values: Vec<Value<'q>>,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
    for value in values {
        query = match value {
            Value::Number(number) => query.bind(number),
            Value::Text(text) => query.bind(text),
        };
    }
    query
}

/// Published results (and, when asked, the originals they corrected),
/// newest publication first: `limit` of them after `after` (read down the
/// index from that key, however deep), or else after skipping `offset`.
pub async fn published(
    pool: &sqlx::AnyPool,
    filter: &PublicFilter<'_>,
    after: Option<&PublishedKey>,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<PublishedRow>> {
    let (mut conditions, mut values) = filter.conditions();
    if let Some(key) = after {
        values.push(Value::Text(&key.published_at));
        values.push(Value::Number(key.id));
        let (at, id) = (values.len() - 1, values.len());
        // A row value: both databases read it as a range of the index.
        conditions.push_str(&format!(" AND (r.published_at, r.id) < (${at}, ${id})"));
    }
    let (limit_at, offset_at) = (values.len() + 1, values.len() + 2);
    let sql = format!(
        "SELECT r.id, r.state, r.published_at, r.record, c.reference AS corrected_by \
         FROM results r LEFT JOIN results c ON c.corrects = r.id WHERE {conditions} \
         ORDER BY r.published_at DESC, r.id DESC LIMIT ${limit_at} OFFSET ${offset_at}"
    );
    let query = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), values).bind(limit).bind(offset);
    let rows = query.fetch_all(pool).await?;
    Ok(rows.iter().map(PublishedRow::from_row).collect::<Result<_, _>>()?)
}

/// How many published results the filter matches.
pub async fn count_published(pool: &sqlx::AnyPool, filter: &PublicFilter<'_>) -> StoreResult<i64> {
    let (conditions, values) = filter.conditions();
    let sql = format!("SELECT COUNT(*) AS matching FROM results r WHERE {conditions}");
    let row = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), values).fetch_one(pool).await?;
    Ok(row.try_get("matching")?)
}

/// Where the list continues after the published result `reference`; none
/// when no published result has that reference.
pub async fn published_key(pool: &sqlx::AnyPool, reference: &str) -> StoreResult<Option<PublishedKey>> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT published_at, id FROM results WHERE reference = $1 AND state IN ('published', 'superseded')",
    )
    .bind(reference)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(published_at, id)| PublishedKey { published_at, id }))
}

/// References by id, for the given ids.
pub async fn references(pool: &sqlx::AnyPool, ids: &[i64]) -> StoreResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql =
        format!("SELECT id, reference FROM results WHERE id IN ({})", super::placeholders(0, ids.len()));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    query
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("id")?, row.try_get("reference")?)))
        .collect()
}
