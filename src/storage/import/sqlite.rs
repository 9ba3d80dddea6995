//! The SQLite side of an import: rows go in by multi-row
//! `INSERT … VALUES (?, …), (…)` statements whose cells were bound on the
//! parsing thread, straight into the table or, from the spill file, into
//! the staging table. Each statement shape is prepared once on the
//! connection and reused (sqlx keeps prepared statements per connection).
//!
//! The import writes on a native SQLite connection of its own, opened for
//! it: the generic driver would copy every bound cell twice more on the
//! way to SQLite, which costs more than the insert.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::OwnedMutexGuard;

use super::super::directory::{ROWS_PER_STATEMENT, Upsert};
use super::super::{Store, StoreResult};
use super::encode::{Insert, read_spilled};
use super::{Batch, Spill, staging};

/// The import's connection, in a write transaction (`BEGIN IMMEDIATE`)
/// that it rolls back when it is dropped uncommitted: closing the
/// connection rolls back what it did not commit.
pub struct SqliteTx {
    connection: SqliteConnection,
    /// This process's turn to write, held until the import ends.
    _turn: Option<OwnedMutexGuard<()>>,
}

impl SqliteTx {
    /// Opens a connection to the store's database, set up as the store's
    /// own are, and begins the write transaction.
    pub(super) async fn begin(store: &Store) -> StoreResult<Self> {
        let turn = store.writer_turn().await;
        let url = store.pool().connect_options().database_url.clone();
        let options = SqliteConnectOptions::from_str(url.as_str())?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let mut connection = options.connect().await?;
        sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut connection).await?;
        Ok(Self { connection, _turn: turn })
    }

    pub(super) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.connection
    }

    pub(super) async fn commit(mut self) -> StoreResult<()> {
        sqlx::raw_sql("COMMIT").execute(&mut self.connection).await?;
        self.connection.close().await?;
        Ok(())
    }
}

/// Inserts a batch into the table; a key already there fails the insert.
pub(super) async fn insert_into<T: Upsert>(tx: &mut SqliteTx, batch: Batch) -> StoreResult<()> {
    insert_rows(tx, T::TABLE, T::COLUMNS, batch.inserts).await
}

/// Inserts every row of the spill file, with its line, into the staging table.
pub(super) async fn insert_staged<T: Upsert>(tx: &mut SqliteTx, spill: Spill) -> StoreResult<()> {
    let columns: Vec<&str> = std::iter::once("line").chain(T::COLUMNS.iter().copied()).collect();
    let numbers: Vec<bool> =
        std::iter::once(true).chain(T::COLUMNS.iter().map(|column| T::NUMBERS.contains(column))).collect();
    let mut spill = std::io::BufReader::with_capacity(1 << 20, spill.0);
    // The rows are read a batch at a time, each of bounded size, from a
    // local file: a short blocking read between two statements.
    loop {
        let inserts = read_spilled(&mut spill, ROWS_PER_STATEMENT, &numbers)?;
        if inserts.is_empty() {
            return Ok(());
        }
        insert_rows(tx, staging::TABLE, &columns, inserts).await?;
    }
}

async fn insert_rows(
    tx: &mut SqliteTx,
    table: &str,
    columns: &[&str],
    inserts: Vec<Insert>,
) -> StoreResult<()> {
    for insert in inserts {
        let sql = insert_sql(table, columns, insert.rows);
        sqlx::query_with(sqlx::AssertSqlSafe(sql), insert.cells).execute(tx.conn()).await?;
    }
    Ok(())
}

/// `INSERT INTO table (columns) VALUES (?, …), …` for `rows` rows. The
/// placeholders are bare `?`: sqlx looks a numbered one (`$n`, `?n`) up by
/// its name, which SQLite finds by a search through every name of the
/// statement, so binding n numbered placeholders costs n².
fn insert_sql(table: &str, columns: &[&str], rows: usize) -> String {
    let row = format!("({})", vec!["?"; columns.len()].join(", "));
    format!("INSERT INTO {table} ({}) VALUES {}", columns.join(", "), vec![row.as_str(); rows].join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_insert_has_a_row_of_placeholders_a_row() {
        assert_eq!(insert_sql("t", &["a", "b"], 2), "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
    }
}
