//! The exchange outbox: publication events waiting for, or delivered to,
//! the configured webhooks (one row per event and webhook).
//!
//! Rows are written by the publishing transaction and claimed by delivery
//! workers with a lease: a claim sets `lease_until` on due rows nobody
//! holds, so that several servers on one PostgreSQL database deliver each
//! row once in the normal case (`FOR UPDATE SKIP LOCKED` lets concurrent
//! claims pass each other instead of waiting). A worker that dies holding
//! a lease delays its rows until the lease runs out; then another takes
//! them: delivery is at least once.

use sqlx::{AnyConnection, FromRow};

use super::{Backend, StoreResult, WriteTx};

/// An event to put in the outbox, for one webhook.
pub struct NewEvent<'a> {
    pub event_id: &'a str,
    pub kind: &'a str,
    pub destination: &'a str,
    pub body: &'a str,
    pub at: &'a str,
}

pub async fn insert(conn: &mut AnyConnection, event: &NewEvent<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO exchange_outbox (event_id, kind, destination, body, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (event_id, destination) DO NOTHING",
    )
    .bind(event.event_id)
    .bind(event.kind)
    .bind(event.destination)
    .bind(event.body)
    .bind(event.at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A row claimed for delivery.
#[derive(Debug, Clone, FromRow)]
pub struct ClaimedEvent {
    pub id: i64,
    pub event_id: String,
    pub kind: String,
    pub destination: String,
    pub body: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// Claims up to `limit` rows due at `now` and not leased, leasing them
/// until `lease_until` and counting the attempt.
pub async fn claim(
    tx: &mut WriteTx,
    now: &str,
    lease_until: &str,
    limit: i64,
) -> StoreResult<Vec<ClaimedEvent>> {
    // SQLite has one writer at a time: the write transaction alone keeps
    // two claims apart. PostgreSQL skips the rows another claim has locked.
    let lock = match tx.backend() {
        Backend::Sqlite => "",
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
    };
    let sql = format!(
        "UPDATE exchange_outbox SET lease_until = $1, attempts = attempts + 1, last_attempt_at = $2 \
         WHERE id IN (SELECT id FROM exchange_outbox \
             WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
             AND (lease_until IS NULL OR lease_until <= $2) ORDER BY id LIMIT $3 {lock}) \
         RETURNING id, event_id, kind, destination, body, attempts"
    );
    let mut rows: Vec<ClaimedEvent> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(tx.conn())
        .await?;
    rows.sort_by_key(|row| row.id);
    Ok(rows)
}

/// The receiver took the event.
pub async fn delivered(conn: &mut AnyConnection, id: i64, at: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE exchange_outbox SET delivered_at = $1, lease_until = NULL, last_error = NULL WHERE id = $2",
    )
    .bind(at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The attempt failed: tried again from `next_attempt_at`, or, with
/// `failed_at`, no more.
pub async fn attempt_failed(
    conn: &mut AnyConnection,
    id: i64,
    error: &str,
    next_attempt_at: &str,
    failed_at: Option<&str>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE exchange_outbox SET lease_until = NULL, last_error = $1, next_attempt_at = $2, failed_at = $3 \
         WHERE id = $4",
    )
    .bind(error)
    .bind(next_attempt_at)
    .bind(failed_at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The outbox's counts by state.
#[derive(Debug, Clone, Default, FromRow)]
pub struct OutboxCounts {
    pub pending: i64,
    /// Pending rows that have failed at least once.
    pub retrying: i64,
    pub failed: i64,
    pub delivered: i64,
    pub oldest_pending: Option<String>,
}

pub async fn counts(pool: &sqlx::AnyPool) -> StoreResult<OutboxCounts> {
    let counts = sqlx::query_as(
        "SELECT \
           COALESCE(SUM(CASE WHEN delivered_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0) AS pending, \
           COALESCE(SUM(CASE WHEN delivered_at IS NULL AND failed_at IS NULL AND last_error IS NOT NULL \
                        THEN 1 ELSE 0 END), 0) AS retrying, \
           COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS failed, \
           COALESCE(SUM(CASE WHEN delivered_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS delivered, \
           MIN(CASE WHEN delivered_at IS NULL AND failed_at IS NULL THEN created_at END) AS oldest_pending \
         FROM exchange_outbox",
    )
    .fetch_one(pool)
    .await?;
    Ok(counts)
}

/// An undelivered row, as admins see it.
#[derive(Debug, Clone, FromRow)]
pub struct UndeliveredRow {
    pub event_id: String,
    pub kind: String,
    pub destination: String,
    pub created_at: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_attempt_at: Option<String>,
    pub last_error: Option<String>,
    pub failed_at: Option<String>,
}

/// The `limit` oldest rows not delivered, failed ones included.
pub async fn undelivered(pool: &sqlx::AnyPool, limit: i64) -> StoreResult<Vec<UndeliveredRow>> {
    Ok(sqlx::query_as(
        "SELECT event_id, kind, destination, created_at, attempts, next_attempt_at, last_attempt_at, \
                last_error, failed_at \
         FROM exchange_outbox WHERE delivered_at IS NULL ORDER BY id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
