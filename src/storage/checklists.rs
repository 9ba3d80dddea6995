//! Items' checklists (检查表) and the answers results give to them. An
//! answer keeps the words of the point it answered, so that a checklist
//! imported later does not rewrite what an old result said.

use sqlx::{Any, AnyConnection, Executor, FromRow};

use super::StoreResult;

/// One point of an item's checklist.
#[derive(Debug, Clone, FromRow)]
pub struct PointRow {
    pub number: i64,
    pub point: String,
    pub legal_basis: String,
    pub method: String,
}

/// A result's answer to one point, with the point as it was answered.
#[derive(Debug, Clone, FromRow)]
pub struct AnswerRow {
    pub number: i64,
    pub point: String,
    pub legal_basis: String,
    pub answer: String,
    pub note: String,
}

/// The checklist of an item, in order.
pub async fn points<'c, E: Executor<'c, Database = Any>>(
    executor: E,
    item: &str,
) -> StoreResult<Vec<PointRow>> {
    Ok(sqlx::query_as(
        "SELECT number, point, legal_basis, method FROM checklist_points WHERE item_code = $1 ORDER BY number",
    )
    .bind(item)
    .fetch_all(executor)
    .await?)
}

/// How many points an item's checklist has.
pub async fn count<'c, E: Executor<'c, Database = Any>>(executor: E, item: &str) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM checklist_points WHERE item_code = $1")
        .bind(item)
        .fetch_one(executor)
        .await?)
}

/// Replaces the whole checklist of an item.
pub async fn replace(conn: &mut AnyConnection, item: &str, points: &[PointRow]) -> StoreResult<()> {
    sqlx::query("DELETE FROM checklist_points WHERE item_code = $1").bind(item).execute(&mut *conn).await?;
    for point in points {
        sqlx::query(
            "INSERT INTO checklist_points (item_code, number, point, legal_basis, method) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(item)
        .bind(point.number)
        .bind(&point.point)
        .bind(&point.legal_basis)
        .bind(&point.method)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A result's answers, by point number.
pub async fn answers<'c, E: Executor<'c, Database = Any>>(
    executor: E,
    result: i64,
) -> StoreResult<Vec<AnswerRow>> {
    Ok(sqlx::query_as(
        "SELECT number, point, legal_basis, answer, note FROM result_answers WHERE result_id = $1 ORDER BY number",
    )
    .bind(result)
    .fetch_all(executor)
    .await?)
}

/// Replaces a result's answers with `answers`.
pub async fn set_answers(conn: &mut AnyConnection, result: i64, answers: &[AnswerRow]) -> StoreResult<()> {
    sqlx::query("DELETE FROM result_answers WHERE result_id = $1").bind(result).execute(&mut *conn).await?;
    for answer in answers {
        sqlx::query(
            "INSERT INTO result_answers (result_id, number, point, legal_basis, answer, note) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(result)
        .bind(answer.number)
        .bind(&answer.point)
        .bind(&answer.legal_basis)
        .bind(&answer.answer)
        .bind(&answer.note)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Copies a result's answers to another (a correction keeps them).
pub async fn copy_answers(conn: &mut AnyConnection, from: i64, to: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO result_answers (result_id, number, point, legal_basis, answer, note) \
         SELECT $1, number, point, legal_basis, answer, note FROM result_answers WHERE result_id = $2",
    )
    .bind(to)
    .bind(from)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
