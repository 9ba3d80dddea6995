//! Answers to requests sent with an `Idempotency-Key`, kept so that a
//! retried request gets the first answer instead of acting twice.
//!
//! The key is reserved by the transaction that acts, as its first write,
//! and the answer is written by the same transaction before it commits: a
//! key is either absent or answered, never seen half way, and a crash
//! cannot separate an action from its record. A concurrent request with the
//! same key finds the reservation taken — on PostgreSQL its insert waits
//! for the first transaction to end — and changes nothing.

use sqlx::{AnyConnection, FromRow};

use super::{StoreError, StoreResult, now};

/// A request that is to act once: whose key it is, what the request was,
/// and the status its answer carries when it succeeds.
#[derive(Debug, Clone)]
pub struct Reservation {
    pub user: i64,
    pub key: String,
    pub request: String,
    pub status: u16,
}

/// A recorded answer: what the request was, and the response given.
pub struct Recorded {
    pub request: String,
    pub status: u16,
    pub body: String,
}

#[derive(FromRow)]
struct RecordedRow {
    request: String,
    status: i64,
    body: String,
}

pub async fn find(pool: &sqlx::AnyPool, user: i64, key: &str) -> StoreResult<Option<Recorded>> {
    let row: Option<RecordedRow> =
        sqlx::query_as("SELECT request, status, body FROM idempotency WHERE user_id = $1 AND key = $2")
            .bind(user)
            .bind(key)
            .fetch_optional(pool)
            .await?;
    row.map(|row| {
        let status = u16::try_from(row.status).map_err(|_| {
            StoreError::Damaged(format!("column \"status\": {} is not an HTTP status", row.status))
        })?;
        Ok(Recorded { request: row.request, status, body: row.body })
    })
    .transpose()
}

/// Reserves the key inside the acting transaction; false when another
/// request holds it (answered, or committed while this one waited).
pub async fn reserve(conn: &mut AnyConnection, reservation: &Reservation) -> StoreResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency (key, user_id, request, status, body, created_at) \
         VALUES ($1, $2, $3, $4, '', $5) ON CONFLICT (user_id, key) DO NOTHING",
    )
    .bind(&reservation.key)
    .bind(reservation.user)
    .bind(&reservation.request)
    .bind(i64::from(reservation.status))
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Records the answer to a key reserved in this transaction.
pub async fn answer(conn: &mut AnyConnection, reservation: &Reservation, body: &str) -> StoreResult<()> {
    sqlx::query("UPDATE idempotency SET body = $1 WHERE user_id = $2 AND key = $3")
        .bind(body)
        .bind(reservation.user)
        .bind(&reservation.key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
