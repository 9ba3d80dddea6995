//! The site's own settings: departments' display names, the branding
//! settings, and the revision that every change to them bumps (what the
//! public site answer is kept by).

use sqlx::{AnyConnection, FromRow};

use super::StoreResult;

/// Every department code in use, or named here: accounts, items,
/// inspectors, tasks. (Targets' keepers are left out: reading them would
/// scan the whole target directory, and a department keeping targets has
/// accounts.)
const KNOWN_CODES: &str = "SELECT code FROM departments \
    UNION SELECT department FROM users WHERE department IS NOT NULL \
    UNION SELECT department FROM items \
    UNION SELECT department FROM inspectors \
    UNION SELECT department FROM tasks";

/// A known department, with its names when they were given.
#[derive(Debug, Clone, FromRow)]
pub struct DepartmentRow {
    pub code: String,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
}

/// Every known department, in bytewise order of codes.
pub async fn departments(pool: &sqlx::AnyPool) -> StoreResult<Vec<DepartmentRow>> {
    let sql = format!(
        "SELECT k.code, d.name_zh, d.name_en FROM ({KNOWN_CODES}) k \
         LEFT JOIN departments d ON d.code = k.code ORDER BY k.code"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?)
}

/// Whether a department of this code is known.
pub async fn department_known(conn: &mut AnyConnection, code: &str) -> StoreResult<bool> {
    let sql = format!("SELECT k.code FROM ({KNOWN_CODES}) k WHERE k.code = $1");
    let row: Option<(String,)> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(conn).await?;
    Ok(row.is_some())
}

pub async fn set_department_names(
    conn: &mut AnyConnection,
    code: &str,
    name_zh: &str,
    name_en: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO departments (code, name_zh, name_en) VALUES ($1, $2, $3) \
         ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en",
    )
    .bind(code)
    .bind(name_zh)
    .bind(name_en)
    .execute(conn)
    .await?;
    Ok(())
}

/// A setting and its value.
#[derive(Debug, Clone, FromRow)]
pub struct SettingRow {
    pub name: String,
    pub value: String,
}

pub async fn settings(pool: &sqlx::AnyPool) -> StoreResult<Vec<SettingRow>> {
    Ok(sqlx::query_as("SELECT name, value FROM site_settings ORDER BY name").fetch_all(pool).await?)
}

pub async fn set_setting(conn: &mut AnyConnection, name: &str, value: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO site_settings (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(name)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks the settings changed: called in the transaction of the change.
pub async fn bump_revision(conn: &mut AnyConnection) -> StoreResult<()> {
    sqlx::query("UPDATE site_revision SET revision = revision + 1 WHERE id = 1").execute(conn).await?;
    Ok(())
}

/// The settings' revision: changes whenever a setting or a name does.
pub async fn revision(pool: &sqlx::AnyPool) -> StoreResult<i64> {
    let (revision,): (i64,) =
        sqlx::query_as("SELECT revision FROM site_revision WHERE id = 1").fetch_one(pool).await?;
    Ok(revision)
}
