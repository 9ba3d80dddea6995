//! Staff accounts. A token is shown once, at creation; only its SHA-256 is
//! stored.

use sqlx::{AnyConnection, FromRow};

use super::{Backend, StoreResult, WriteTx, now};
use crate::domain::account::{Role, User};

/// An account as its row holds it.
#[derive(Debug, Clone, FromRow)]
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

/// An enabled account by name, with its password hash (if it has one),
/// for a sign-in.
pub async fn for_sign_in(pool: &sqlx::AnyPool, name: &str) -> StoreResult<Option<(User, Option<String>)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: Option<String>,
    }
    let sql = format!("SELECT {COLUMNS}, password_hash FROM users WHERE name = $1 AND disabled = 0");
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(name).fetch_optional(pool).await?;
    Ok(row.map(|row| (User::from(row.user), row.password_hash)))
}

/// The password hash of an enabled account (`None` inside when it has none).
pub async fn password_hash(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<Option<String>>> {
    let hash = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND disabled = 0")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(hash)
}

/// Sets an enabled account's password hash; false when there is no such
/// enabled account.
pub async fn set_password_hash(conn: &mut AnyConnection, id: i64, hash: &str) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND disabled = 0")
        .bind(hash)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// An account as an admin sees it in the list, disabled ones included.
#[derive(Debug, Clone, FromRow)]
pub struct AccountRow {
    #[sqlx(flatten)]
    user: UserRow,
    pub disabled: i64,
    pub has_password: i64,
    pub created_at: crate::domain::time::Timestamp,
}

impl AccountRow {
    pub fn user(&self) -> User {
        User::from(self.user.clone())
    }
}

const ACCOUNT_COLUMNS: &str = "id, name, role, department, inspector_id, disabled, \
     CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END AS has_password, created_at";

/// Every account, enabled or not, by id.
pub async fn accounts(pool: &sqlx::AnyPool) -> StoreResult<Vec<AccountRow>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM users ORDER BY id");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?)
}

/// One account, enabled or not.
pub async fn account(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<AccountRow>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM users WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await?)
}

/// Writes an account's role, department, inspector and disabled flag.
pub async fn update(conn: &mut AnyConnection, account: &User, disabled: bool) -> StoreResult<()> {
    sqlx::query(
        "UPDATE users SET role = $1, department = $2, inspector_id = $3, disabled = $4 WHERE id = $5",
    )
    .bind(account.role.as_str())
    .bind(account.department.as_deref())
    .bind(account.inspector_id.as_deref())
    .bind(i64::from(disabled))
    .bind(account.id)
    .execute(&mut *conn)
    .await?;
    Ok(())
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
