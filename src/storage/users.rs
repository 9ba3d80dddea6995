//! Staff accounts. A token is shown once, at creation; only its SHA-256 is
//! stored.

use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Backend, StoreError, StoreResult, WriteTx, now};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages accounts and tokens.
    Admin,
    /// Keeps the directories of a department and runs its tasks.
    Supervisor,
    /// Sees and records the inspections assigned to them.
    Inspector,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Inspector => "inspector",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Role::Admin, Role::Supervisor, Role::Inspector].into_iter().find(|role| role.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The department a supervisor works for.
    pub department: Option<String>,
    /// The inspector-directory id an inspector account stands for.
    pub inspector_id: Option<String>,
}

pub async fn create(
    conn: &mut AnyConnection,
    name: &str,
    role: Role,
    department: Option<&str>,
    inspector_id: Option<&str>,
    token_hash: &str,
) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO users (name, role, department, inspector_id, token_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(name)
    .bind(role.as_str())
    .bind(department)
    .bind(inspector_id)
    .bind(token_hash)
    .bind(now())
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}

const COLUMNS: &str = "id, name, role, department, inspector_id";

/// The enabled account holding the token with this hash.
pub async fn by_token_hash(pool: &sqlx::AnyPool, hash: &str) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE token_hash = $1 AND disabled = 0");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(hash).fetch_optional(pool).await?;
    row.as_ref().map(user).transpose()
}

pub async fn list(pool: &sqlx::AnyPool) -> StoreResult<Vec<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE disabled = 0 ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
    rows.iter().map(user).collect()
}

/// Replaces an account's token; false when there is no such enabled account.
pub async fn set_token(conn: &mut AnyConnection, id: i64, hash: &str) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE users SET token_hash = $1 WHERE id = $2 AND disabled = 0")
        .bind(hash)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn disable(conn: &mut AnyConnection, id: i64) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE users SET disabled = 1 WHERE id = $1 AND disabled = 0")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The ids of the enabled admins, locked until the transaction ends, so
/// that two transactions cannot each disable an admin believing another is
/// left. (A SQLite write transaction holds the whole database already.)
pub async fn lock_active_admins(tx: &mut WriteTx) -> StoreResult<Vec<i64>> {
    let lock = match tx.backend() {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE",
    };
    let sql = format!("SELECT id FROM users WHERE role = 'admin' AND disabled = 0 ORDER BY id{lock}");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(tx.conn()).await?;
    rows.iter().map(|row| Ok(row.try_get(0)?)).collect()
}

/// Whether the item directory, the inspector directory or an enabled
/// account names this department.
pub async fn department_exists(conn: &mut AnyConnection, department: &str) -> StoreResult<bool> {
    let row = sqlx::query(
        "SELECT 1 FROM items WHERE department = $1 \
         UNION ALL SELECT 1 FROM inspectors WHERE department = $1 \
         UNION ALL SELECT 1 FROM users WHERE department = $1 AND disabled = 0 LIMIT 1",
    )
    .bind(department)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_some())
}

/// Whether the inspector directory holds this inspector.
pub async fn inspector_exists(conn: &mut AnyConnection, id: &str) -> StoreResult<bool> {
    let row =
        sqlx::query("SELECT 1 FROM inspectors WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    Ok(row.is_some())
}

fn user(row: &AnyRow) -> StoreResult<User> {
    let role: String = row.try_get(2)?;
    Ok(User {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Damaged(format!("unknown role '{role}'")))?,
        department: row.try_get(3)?,
        inspector_id: row.try_get(4)?,
    })
}
