//! The public log in the database: appended in the same transaction as the
//! change it records.
//!
//! Every append first moves the one `log_head` row forward. That update
//! takes the row's lock, so appends from any number of connections or
//! server processes take turns and the chain never forks.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{AnyConnection, FromRow, Row};

use super::{StoreError, StoreResult, time_text};
use crate::protocol::Digest;
use crate::protocol::log::LogEntry;

/// Appends an entry with this payload (serialised as JSON), made at `at`
/// by the service's clock, and returns it.
pub async fn append(
    conn: &mut AnyConnection,
    at: DateTime<Utc>,
    kind: &str,
    task: Option<i64>,
    actor: &str,
    payload: &impl Serialize,
) -> StoreResult<LogEntry> {
    let payload = serde_json::to_string(payload).expect("payloads serialise");
    let head: Head = sqlx::query_as(ADVANCE_HEAD).fetch_one(&mut *conn).await?;
    let seq = head.seq;
    let entry = head.next(at, kind, task, actor, payload)?;
    sqlx::query(
        "INSERT INTO log_entries (seq, at, kind, task_id, actor, payload, payload_digest, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(&entry.at)
    .bind(&entry.kind)
    .bind(task)
    .bind(&entry.actor)
    .bind(&entry.payload)
    .bind(entry.payload_digest.to_hex())
    .bind(entry.prev_hash.to_hex())
    .bind(entry.hash.to_hex())
    .execute(&mut *conn)
    .await?;
    sqlx::query(SET_HEAD).bind(entry.hash.to_hex()).execute(&mut *conn).await?;
    Ok(entry)
}

/// Moves the head on by one, returning the new number and the previous hash.
pub(crate) const ADVANCE_HEAD: &str = "UPDATE log_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash";

/// Sets the head's hash to the appended entry's.
pub(crate) const SET_HEAD: &str = "UPDATE log_head SET hash = $1 WHERE id = 1";

/// Inserts an entry from its cells as text ([`entry_texts`]), for a
/// transaction that binds text only (the import's native connection).
pub(crate) const INSERT_TEXTS: &str = "INSERT INTO log_entries (seq, at, kind, task_id, actor, payload, payload_digest, prev_hash, hash) \
     VALUES (CAST($1 AS BIGINT), $2, $3, CAST(NULLIF($4, '') AS BIGINT), $5, $6, $7, $8, $9)";

/// The head as [`ADVANCE_HEAD`] returns it.
#[derive(FromRow)]
pub(crate) struct Head {
    seq: i64,
    hash: String,
}

impl Head {
    /// The entry numbered by this head, chained to the hash it held.
    pub(crate) fn next(
        self,
        at: DateTime<Utc>,
        kind: &str,
        task: Option<i64>,
        actor: &str,
        payload: String,
    ) -> StoreResult<LogEntry> {
        let previous = digest(&self.hash)?;
        Ok(LogEntry::new(
            self.seq as u64,
            time_text(at),
            kind,
            task.map(|t| t as u64),
            actor,
            payload,
            previous,
        ))
    }
}

/// An entry's cells in [`INSERT_TEXTS`]' order, an absent task empty.
pub(crate) fn entry_texts(entry: &LogEntry) -> [String; 9] {
    [
        entry.seq.to_string(),
        entry.at.clone(),
        entry.kind.clone(),
        entry.task.map(|task| task.to_string()).unwrap_or_default(),
        entry.actor.clone(),
        entry.payload.clone(),
        entry.payload_digest.to_hex(),
        entry.prev_hash.to_hex(),
        entry.hash.to_hex(),
    ]
}

const COLUMNS: &str = "seq, at, kind, task_id, actor, payload, payload_digest, prev_hash, hash";

/// A log entry as stored, read by column name.
#[derive(FromRow)]
struct EntryRow {
    seq: i64,
    at: String,
    kind: String,
    task_id: Option<i64>,
    actor: String,
    payload: String,
    payload_digest: String,
    prev_hash: String,
    hash: String,
}

impl EntryRow {
    fn into_entry(self) -> StoreResult<LogEntry> {
        Ok(LogEntry {
            seq: self.seq as u64,
            at: self.at,
            kind: self.kind,
            task: self.task_id.map(|t| t as u64),
            actor: self.actor,
            payload: self.payload,
            payload_digest: digest(&self.payload_digest)?,
            prev_hash: digest(&self.prev_hash)?,
            hash: digest(&self.hash)?,
        })
    }
}

/// Up to `limit` entries after sequence number `after`, in order: a range
/// of the primary key, however far into the log.
pub async fn page(pool: &sqlx::AnyPool, after: u64, limit: u64) -> StoreResult<Vec<LogEntry>> {
    let sql = format!("SELECT {COLUMNS} FROM log_entries WHERE seq > $1 ORDER BY seq LIMIT $2");
    let rows: Vec<EntryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(after as i64)
        .bind(limit as i64)
        .fetch_all(pool)
        .await?;
    rows.into_iter().map(EntryRow::into_entry).collect()
}

/// A task's entries, in order.
pub async fn of_task(pool: &sqlx::AnyPool, task: i64) -> StoreResult<Vec<LogEntry>> {
    let sql = format!("SELECT {COLUMNS} FROM log_entries WHERE task_id = $1 ORDER BY seq");
    let rows: Vec<EntryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(task).fetch_all(pool).await?;
    rows.into_iter().map(EntryRow::into_entry).collect()
}

/// The sequence number of a task's last entry (0 when it has none): one
/// step down the `(task_id, seq)` index.
pub async fn last_of_task(pool: &sqlx::AnyPool, task: i64) -> StoreResult<u64> {
    let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS last FROM log_entries WHERE task_id = $1")
        .bind(task)
        .fetch_one(pool)
        .await?;
    Ok(row.try_get::<i64, _>("last")? as u64)
}

/// The sequence number and hash of the last entry (0 and zeros when empty).
pub async fn head(pool: &sqlx::AnyPool) -> StoreResult<(u64, Digest)> {
    let row = sqlx::query("SELECT seq, hash FROM log_head WHERE id = 1").fetch_one(pool).await?;
    Ok((row.try_get::<i64, _>("seq")? as u64, digest(&row.try_get::<String, _>("hash")?)?))
}

fn digest(text: &str) -> StoreResult<Digest> {
    Digest::parse_hex(text).map_err(|error| StoreError::Damaged(format!("a log digest: {error}")))
}
