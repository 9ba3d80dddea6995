//! The staged path of an import: the rows, with their lines, in a staging
//! table; the checks as set-based SQL against it (one text for both
//! databases); then the upsert into the real table.

use super::super::Backend;
use super::super::directory::Upsert;
use super::{ImportTx, RefusedRow};
use crate::storage::StoreResult;

/// The staging table: a temporary table dropped at the end of the
/// transaction on PostgreSQL; on SQLite a table of the database, created
/// and dropped inside the import's write transaction (which holds the only
/// write lock), so that its pages live in the database's bounded cache and
/// not in memory, where SQLite keeps temporary tables.
pub(super) const TABLE: &str = "import_rows";

pub(super) async fn create<T: Upsert>(tx: &mut ImportTx) -> StoreResult<()> {
    let sql = match tx.backend() {
        // LIKE copies the columns' types and collations (ids compare bytewise).
        Backend::Postgres => {
            format!("CREATE TEMPORARY TABLE {TABLE} (line BIGINT NOT NULL, LIKE {}) ON COMMIT DROP", T::TABLE)
        }
        // Kept in key order, so that rows repeated in the file sit side by
        // side and the upsert writes the table in order.
        Backend::Sqlite => format!(
            "CREATE TABLE {TABLE} (line INTEGER NOT NULL, {}, PRIMARY KEY ({}, line)) WITHOUT ROWID",
            T::COLUMNS.join(", "),
            T::KEY.join(", ")
        ),
    };
    tx.execute(&sql, &[]).await?;
    Ok(())
}

pub(super) async fn drop(tx: &mut ImportTx) -> StoreResult<()> {
    if tx.backend() == Backend::Sqlite {
        tx.execute(&format!("DROP TABLE {TABLE}"), &[]).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Repeated {
    line: i64,
    key: String,
    first: i64,
}

#[derive(sqlx::FromRow)]
struct KeptElsewhere {
    line: i64,
    key: String,
    keeper: String,
}

/// The first staged row, by line, that repeats an earlier line's key or
/// that another department keeps.
pub(super) async fn first_refused<T: Upsert>(
    tx: &mut ImportTx,
    claim_unkept: bool,
) -> StoreResult<Option<RefusedRow>> {
    let same_key = |left: &str, right: &str| {
        T::KEY.iter().map(|key| format!("{left}.{key} = {right}.{key}")).collect::<Vec<_>>().join(" AND ")
    };
    let key_text = |alias: &str| {
        T::KEY.iter().map(|key| format!("{alias}.{key}")).collect::<Vec<_>>().join(" || ' / ' || ")
    };
    let keys = T::KEY.iter().map(|key| format!("s.{key}")).collect::<Vec<_>>().join(", ");
    let repeated = format!(
        "SELECT d.line AS line, {key} AS key, (SELECT MIN(p.line) FROM {TABLE} p WHERE {same_p_d}) AS first \
         FROM (SELECT s.line, {keys} FROM {TABLE} s \
               WHERE EXISTS (SELECT 1 FROM {TABLE} p WHERE {same_p_s} AND p.line < s.line) \
               ORDER BY s.line LIMIT 1) AS d",
        key = key_text("d"),
        same_p_d = same_key("p", "d"),
        same_p_s = same_key("p", "s"),
    );
    let repeated = tx.fetch_all::<Repeated>(&repeated, &[]).await?.into_iter().next();
    let mut refused = repeated.map(|row| RefusedRow::Repeated {
        line: row.line as u64,
        key: row.key,
        first: row.first as u64,
    });
    if T::KEPT.is_some() {
        let kept = format!(
            "SELECT s.line AS line, {key} AS key, t.department AS keeper \
             FROM {TABLE} s JOIN {table} t ON {same} WHERE NOT ({allowed}) ORDER BY s.line LIMIT 1",
            key = key_text("s"),
            table = T::TABLE,
            same = same_key("t", "s"),
            allowed = allowed(claim_unkept, "t", "s"),
        );
        let kept = tx.fetch_all::<KeptElsewhere>(&kept, &[]).await?.into_iter().next();
        let kept = kept.map(|row| RefusedRow::KeptElsewhere {
            line: row.line as u64,
            key: row.key,
            keeper: row.keeper,
        });
        refused = refused.into_iter().chain(kept).min_by_key(RefusedRow::line);
    }
    Ok(refused)
}

/// Which rows of the table an import may replace: the row of `table` that
/// the row `row` would replace.
fn allowed(claim_unkept: bool, table: &str, row: &str) -> String {
    // A target without a keeper (imported before targets had one) is
    // given one only when `claim_unkept`: by the operator's import.
    match claim_unkept {
        true => format!("{table}.department = {row}.department OR {table}.department = ''"),
        false => format!("{table}.department = {row}.department"),
    }
}

/// Writes the staged rows, which the checks found writable: replaces the
/// rows already there, inserts the others.
pub(super) async fn apply<T: Upsert>(tx: &mut ImportTx, claim_unkept: bool) -> StoreResult<()> {
    let columns = T::COLUMNS.join(", ");
    let table = T::TABLE;
    let same = T::KEY.iter().map(|key| format!("t.{key} = s.{key}")).collect::<Vec<_>>().join(" AND ");
    let kept = |table: &str, row: &str| match T::KEPT {
        Some(_) => format!(" AND ({})", allowed(claim_unkept, table, row)),
        None => String::new(),
    };
    let updated: Vec<&&str> = T::COLUMNS.iter().filter(|column| !T::KEY.contains(column)).collect();
    match tx.backend() {
        // Two statements: `INSERT … ON CONFLICT` costs PostgreSQL twice a
        // plain insert (a speculative insertion a row).
        Backend::Postgres => {
            let set =
                updated.iter().map(|column| format!("{column} = s.{column}")).collect::<Vec<_>>().join(", ");
            let kept = kept("t", "s");
            tx.execute(&format!("UPDATE {table} AS t SET {set} FROM {TABLE} AS s WHERE {same}{kept}"), &[])
                .await?;
            let insert = format!(
                "INSERT INTO {table} ({columns}) SELECT {columns} FROM {TABLE} AS s \
                 WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {same})"
            );
            tx.execute(&insert, &[]).await?;
        }
        // One upsert: SQLite would copy the rows of an `UPDATE … FROM` or of
        // an insert reading its own table into a temporary table (in memory).
        Backend::Sqlite => {
            let set = updated
                .iter()
                .map(|column| format!("{column} = excluded.{column}"))
                .collect::<Vec<_>>()
                .join(", ");
            let kept = kept(table, "excluded");
            let upsert = format!(
                "INSERT INTO {table} ({columns}) SELECT {columns} FROM {TABLE} WHERE true \
                 ON CONFLICT ({}) DO UPDATE SET {set} WHERE true{kept}",
                T::KEY.join(", ")
            );
            tx.execute(&upsert, &[]).await?;
        }
    }
    Ok(())
}
