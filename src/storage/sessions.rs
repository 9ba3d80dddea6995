//! Signed-in sessions, server-side. A session is found by the SHA-256 of
//! its cookie's value; the value itself is never stored.

use sqlx::{AnyConnection, FromRow};

use super::StoreResult;
use crate::domain::account::{Role, User};
use crate::domain::time::Timestamp;

/// A new session's row.
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user: i64,
    pub csrf_token: &'a str,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A session and the enabled account it belongs to.
#[derive(FromRow)]
pub struct SessionRow {
    pub csrf_token: String,
    pub last_seen: Timestamp,
    pub expires_at: Timestamp,
    pub user_id: i64,
    pub name: String,
    pub role: Role,
    pub department: Option<String>,
    pub inspector_id: Option<String>,
}

impl SessionRow {
    pub fn user(&self) -> User {
        User {
            id: self.user_id,
            name: self.name.clone(),
            role: self.role,
            department: self.department.clone(),
            inspector_id: self.inspector_id.clone(),
        }
    }
}

pub async fn insert(conn: &mut AnyConnection, session: &NewSession<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen, expires_at) \
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(session.id_hash)
    .bind(session.user)
    .bind(session.csrf_token)
    .bind(session.created_at.to_string())
    .bind(session.expires_at.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The session with this hash, if its account is enabled (expired or not:
/// the caller judges the times).
pub async fn by_id_hash(pool: &sqlx::AnyPool, hash: &str) -> StoreResult<Option<SessionRow>> {
    let row = sqlx::query_as(
        "SELECT s.csrf_token, s.last_seen, s.expires_at, u.id AS user_id, u.name, u.role, \
         u.department, u.inspector_id \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND u.disabled = 0",
    )
    .bind(hash)
    .fetch_optional(pool)
    .await?;
    Ok(row)
}

pub async fn touch(pool: &sqlx::AnyPool, hash: &str, at: Timestamp) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET last_seen = $1 WHERE id_hash = $2")
        .bind(at.to_string())
        .bind(hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes one session; false when there was none.
pub async fn delete(conn: &mut AnyConnection, hash: &str) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(hash).execute(&mut *conn).await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every session of an account but the one with hash `keep`.
pub async fn delete_of_user(conn: &mut AnyConnection, user: i64, keep: Option<&str>) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user)
        .bind(keep.unwrap_or(""))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Forgets the sessions that expired, or went idle, before these times.
pub async fn delete_stale(
    conn: &mut AnyConnection,
    expired_before: Timestamp,
    idle_before: Timestamp,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen <= $2")
        .bind(expired_before.to_string())
        .bind(idle_before.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
