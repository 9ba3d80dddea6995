//! Responses to requests sent with an `Idempotency-Key`, kept so that a
//! retried request gets the first answer instead of acting twice.

use sqlx::AnyConnection;
use sqlx::Row;

use super::{StoreResult, now};

/// A recorded answer: what the request was, and the response given.
pub struct Recorded {
    pub request: String,
    pub status: u16,
    pub body: String,
}

pub async fn find(pool: &sqlx::AnyPool, user: i64, key: &str) -> StoreResult<Option<Recorded>> {
    let row = sqlx::query("SELECT request, status, body FROM idempotency WHERE user_id = $1 AND key = $2")
        .bind(user)
        .bind(key)
        .fetch_optional(pool)
        .await?;
    row.map(|row| {
        Ok(Recorded {
            request: row.try_get(0)?,
            status: row.try_get::<i64, _>(1)? as u16,
            body: row.try_get(2)?,
        })
    })
    .transpose()
}

/// Records the answer, in the transaction that made the change.
pub async fn record(conn: &mut AnyConnection, user: i64, key: &str, recorded: &Recorded) -> StoreResult<()> {
    sqlx::query("INSERT INTO idempotency (key, user_id, request, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(key)
        .bind(user)
        .bind(&recorded.request)
        .bind(i64::from(recorded.status))
        .bind(&recorded.body)
        .bind(now())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
