//! Staff accounts. A token is shown once, at creation; only its SHA-256 is
//! stored.

use sqlx::{AnyConnection, FromRow};

use super::{Backend, StoreResult, WriteTx, now};
use crate::domain::account::{Role, User};

/// An account as its row holds it.
#[derive(FromRow)]
struct UserRow {
    id: i64,
    name: String,
    role: Role,
    department: Option<String>,
    inspector_id: Option<String>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id,
            name: row.name,
            role: row.role,
            department: row.department,
            inspector_id: row.inspector_id,
        }
    }
}

pub async fn create(
    conn: &mut AnyConnection,
    name: &str,
    role: Role,
    department: Option<&str>,
    inspector_id: Option<&str>,
    token_hash: &str,
) -> StoreResult<i64> {
    let id = sqlx::query_scalar(
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
    Ok(id)
}

const COLUMNS: &str = "id, name, role, department, inspector_id";

/// The enabled account holding the token with this hash.
pub async fn by_token_hash(pool: &sqlx::AnyPool, hash: &str) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE token_hash = $1 AND disabled = 0");
    let row: Option<UserRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(hash).fetch_optional(pool).await?;
    Ok(row.map(User::from))
}

pub async fn list(pool: &sqlx::AnyPool) -> StoreResult<Vec<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE disabled = 0 ORDER BY id");
    let rows: Vec<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
    Ok(rows.into_iter().map(User::from).collect())
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
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(tx.conn()).await?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Store, StoreError};

    #[tokio::test]
    async fn an_account_reads_back_by_name_and_an_unknown_role_is_damage() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite:{}", dir.path().join("users.db").display())).await.unwrap();
        let mut tx = store.write().await.unwrap();
        let id = create(tx.conn(), "m001", Role::Inspector, None, Some("M001"), "hash-1").await.unwrap();
        tx.commit().await.unwrap();
        let user = by_token_hash(store.pool(), "hash-1").await.unwrap().unwrap();
        let expected = User {
            id,
            name: "m001".into(),
            role: Role::Inspector,
            department: None,
            inspector_id: Some("M001".into()),
        };
        assert_eq!(user, expected);

        let mut tx = store.write().await.unwrap();
        sqlx::query("UPDATE users SET role = 'auditor' WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        match list(store.pool()).await {
            Err(StoreError::Damaged(message)) => {
                assert!(message.contains("role") && message.contains("auditor"), "{message}")
            }
            other => panic!("expected damage, got {other:?}"),
        }
        store.close().await;
    }
}
