//! What the public sees of the directories: a page of active inspectors,
//! and the directories' sizes counted by GROUP BY (no row leaves the
//! database for a count).

use sqlx::{FromRow, Row};

use super::StoreResult;

/// An active inspector's row, as far as anything of it may be published
/// (no contact, no expiry, no account).
#[derive(Debug, Clone, FromRow)]
pub struct PublicInspectorRow {
    pub id: String,
    pub name: String,
    pub department: String,
    pub unit: String,
    pub region: String,
    pub certificate_no: String,
    pub items: String,
}

/// Up to `limit` active inspectors after the one `after` (by id), of one
/// department or all.
pub async fn active_inspectors(
    pool: &sqlx::AnyPool,
    department: Option<&str>,
    after: &str,
    limit: i64,
) -> StoreResult<Vec<PublicInspectorRow>> {
    Ok(sqlx::query_as(
        "SELECT id, name, department, unit, region, certificate_no, items FROM inspectors \
         WHERE active <> 0 AND ($1 = '' OR department = $1) AND id > $2 ORDER BY id LIMIT $3",
    )
    .bind(department.unwrap_or(""))
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// How many rows share one value.
#[derive(Debug, Clone, FromRow)]
pub struct CountRow {
    pub value: String,
    pub total: i64,
}

/// Targets by the department keeping them (targets kept by none left out).
pub async fn targets_by_department(pool: &sqlx::AnyPool) -> StoreResult<Vec<CountRow>> {
    grouped(pool, "SELECT department AS value, COUNT(*) AS total FROM targets WHERE department <> '' GROUP BY department ORDER BY department").await
}

pub async fn targets_by_region(pool: &sqlx::AnyPool) -> StoreResult<Vec<CountRow>> {
    grouped(pool, "SELECT region AS value, COUNT(*) AS total FROM targets GROUP BY region ORDER BY region")
        .await
}

pub async fn targets_by_risk_class(pool: &sqlx::AnyPool) -> StoreResult<Vec<CountRow>> {
    grouped(
        pool,
        "SELECT risk_class AS value, COUNT(*) AS total FROM targets GROUP BY risk_class ORDER BY risk_class",
    )
    .await
}

/// Active inspectors by department.
pub async fn inspectors_by_department(pool: &sqlx::AnyPool) -> StoreResult<Vec<CountRow>> {
    grouped(
        pool,
        "SELECT department AS value, COUNT(*) AS total FROM inspectors WHERE active <> 0 \
         GROUP BY department ORDER BY department",
    )
    .await
}

pub async fn targets_total(pool: &sqlx::AnyPool) -> StoreResult<i64> {
    Ok(sqlx::query("SELECT COUNT(*) AS total FROM targets").fetch_one(pool).await?.try_get("total")?)
}

async fn grouped(pool: &sqlx::AnyPool, sql: &'static str) -> StoreResult<Vec<CountRow>> {
    Ok(sqlx::query_as(sql).fetch_all(pool).await?)
}
