//! Files attached to results as evidence: their description, and their
//! bytes when the server keeps them in the database (else `content` is
//! NULL and the bytes are a file named by the digest, see
//! `service::results::attachments`).

use sqlx::{Any, AnyConnection, Executor, FromRow};

use super::{StoreResult, now};
use crate::domain::time::Timestamp;

/// An attachment, without its bytes.
#[derive(Debug, Clone, FromRow)]
pub struct AttachmentRow {
    pub id: i64,
    pub result_id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: Timestamp,
}

const COLUMNS: &str = "id, result_id, name, media_type, size, sha256, uploaded_by, uploaded_at";

/// A new attachment's description and, when kept in the database, bytes.
pub struct NewAttachment<'a> {
    pub result: i64,
    pub name: &'a str,
    pub media_type: &'a str,
    pub sha256: &'a str,
    pub size: i64,
    pub content: Option<&'a [u8]>,
    pub by: &'a str,
}

/// Stores an attachment; returns its id.
pub async fn insert(conn: &mut AnyConnection, new: &NewAttachment<'_>) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO attachments (result_id, name, media_type, size, sha256, content, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(new.result)
    .bind(new.name)
    .bind(new.media_type)
    .bind(new.size)
    .bind(new.sha256)
    .bind(new.content.map(<[u8]>::to_vec))
    .bind(new.by)
    .bind(now())
    .fetch_one(&mut *conn)
    .await?)
}

/// A result's attachments, in upload order.
pub async fn of_result<'c, E: Executor<'c, Database = Any>>(
    executor: E,
    result: i64,
) -> StoreResult<Vec<AttachmentRow>> {
    let sql = format!("SELECT {COLUMNS} FROM attachments WHERE result_id = $1 ORDER BY id");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(result).fetch_all(executor).await?)
}

/// How many attachments a result has.
pub async fn count<'c, E: Executor<'c, Database = Any>>(executor: E, result: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE result_id = $1")
        .bind(result)
        .fetch_one(executor)
        .await?)
}

/// One attachment of a result.
pub async fn get<'c, E: Executor<'c, Database = Any>>(
    executor: E,
    result: i64,
    id: i64,
) -> StoreResult<Option<AttachmentRow>> {
    let sql = format!("SELECT {COLUMNS} FROM attachments WHERE result_id = $1 AND id = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(result).bind(id).fetch_optional(executor).await?)
}

/// The bytes kept in the database for an attachment; `None` when they are
/// kept on disk.
pub async fn content<'c, E: Executor<'c, Database = Any>>(
    executor: E,
    id: i64,
) -> StoreResult<Option<Vec<u8>>> {
    Ok(sqlx::query_scalar("SELECT content FROM attachments WHERE id = $1")
        .bind(id)
        .fetch_one(executor)
        .await?)
}

/// Removes an attachment; false when it was not there.
pub async fn delete(conn: &mut AnyConnection, result: i64, id: i64) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM attachments WHERE result_id = $1 AND id = $2")
        .bind(result)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether any attachment is still named by this digest.
pub async fn digest_in_use(conn: &mut AnyConnection, sha256: &str) -> StoreResult<bool> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE sha256 = $1")
        .bind(sha256)
        .fetch_one(&mut *conn)
        .await?;
    Ok(count > 0)
}

/// Copies a result's attachments to another (a correction keeps the
/// original's evidence: same bytes, same digests).
pub async fn copy(conn: &mut AnyConnection, from: i64, to: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO attachments (result_id, name, media_type, size, sha256, content, uploaded_by, uploaded_at) \
         SELECT $1, name, media_type, size, sha256, content, uploaded_by, uploaded_at FROM attachments \
         WHERE result_id = $2 ORDER BY id",
    )
    .bind(to)
    .bind(from)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
