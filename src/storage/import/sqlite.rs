//! The SQLite side of an import: rows go in as one JSON array a statement,
//! which SQLite unpacks itself (binding values one by one costs more in the
//! driver than the insert costs in the database), straight into the table
//! or, from the spill file, into the staging table.

use std::io::BufRead;

use super::super::directory::Upsert;
use super::super::{StoreResult, WriteTx};
use super::{Batch, Spill, staging};

/// Inserts a batch into the table; a key already there fails the insert.
pub(super) async fn insert_into<T: Upsert>(tx: &mut WriteTx, batch: &Batch) -> StoreResult<()> {
    let sql = insert_sql::<T>(T::TABLE, false);
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(batch.payload.as_str()).execute(tx.conn()).await?;
    Ok(())
}

/// Inserts every batch of the spill file, with the lines, into the staging table.
pub(super) async fn insert_staged<T: Upsert>(tx: &mut WriteTx, spill: Spill) -> StoreResult<()> {
    let sql = insert_sql::<T>(staging::TABLE, true);
    let mut batches = std::io::BufReader::with_capacity(1 << 20, spill.0);
    let mut batch = String::new();
    // The batches are read one at a time, each of bounded size, from a
    // local file: a short blocking read between two statements.
    while batches.read_line(&mut batch)? > 0 {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(batch.trim_end()).execute(tx.conn()).await?;
        batch.clear();
    }
    Ok(())
}

/// `INSERT INTO table (…) SELECT …` from a JSON array of `[line, cells…]`;
/// with the line when `with_line`.
fn insert_sql<T: Upsert>(table: &str, with_line: bool) -> String {
    let mut columns: Vec<&str> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    if with_line {
        columns.push("line");
        values.push("CAST(value ->> 0 AS INTEGER)".into());
    }
    for (index, column) in T::COLUMNS.iter().enumerate() {
        columns.push(column);
        values.push(match T::NUMBERS.contains(column) {
            true => format!("CAST(value ->> {} AS INTEGER)", index + 1),
            false => format!("value ->> {}", index + 1),
        });
    }
    format!("INSERT INTO {table} ({}) SELECT {} FROM json_each($1)", columns.join(", "), values.join(", "))
}
