//! Bulk imports of directory rows, at national scale and in bounded memory.
//!
//! An import runs in one transaction and takes one of two paths:
//!
//! - **straight in** (the usual first import of a directory): each batch of
//!   rows goes into the table as it comes — `COPY` on a native PostgreSQL
//!   connection, multi-row inserts of bound cells on SQLite — as plain
//!   inserts, which a row already there (or repeated in the file) makes fail;
//! - **staged** (when it failed): the savepoint taken before the first
//!   batch is rolled back, every row is loaded again into a staging table,
//!   from a spill file the encoder wrote beside the batches, and the checks
//!   and the upsert run as set-based SQL against it: rows repeated in the
//!   file, rows another department keeps (each named by its line), then one
//!   update of the rows there and one insert of the others.
//!
//! Either way nothing holds every id of the file in memory: the checks are
//! the database's. The whole import runs on a native connection: on
//! PostgreSQL the one that speaks `COPY`, on SQLite one opened for it,
//! holding the store's turn to write. An import of items also writes the
//! versions it makes public, and their public log entries, on it
//! (`storage::items`), binding text as the audit entry does.

mod encode;
mod postgres;
mod sqlite;
mod staging;

use std::collections::HashMap;
use std::marker::PhantomData;

use sqlx::Postgres;

pub use self::encode::{Batch, Encoder, Spill};
use super::directory::{self, Directory, Upsert};
use super::{Backend, Store, StoreResult};

/// The savepoint taken before the first row goes straight in.
const STRAIGHT_IN: &str = "import_straight_in";

/// How much `COPY` text gathers before it is sent, on PostgreSQL: each
/// `COPY` costs a round trip whose end (`CopyDone`, a small write after a
/// large one) waits for the server's acknowledgement of the data on a TCP
/// connection (sqlx does not set `TCP_NODELAY`). Gathering batches into
/// fewer `COPY`s makes fewer such waits; the bound keeps memory flat.
const COPY_GATHER_BYTES: usize = 2 << 20;

/// A row the import cannot write, found in the staging table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusedRow {
    /// The row's key appeared on an earlier line of the file.
    Repeated { line: u64, key: String, first: u64 },
    /// Another department keeps the row (`keeper` is empty for a target no
    /// department keeps yet).
    KeptElsewhere { line: u64, key: String, keeper: String },
    /// The rows would change an item that was retired, whose history is
    /// closed; found once the rows are written, so named by key alone.
    Retired { key: String },
}

impl RefusedRow {
    /// The row's line; 0 when it is named by key alone.
    pub fn line(&self) -> u64 {
        match self {
            RefusedRow::Repeated { line, .. } | RefusedRow::KeptElsewhere { line, .. } => *line,
            RefusedRow::Retired { .. } => 0,
        }
    }
}

/// The import's transaction, on a native connection: for `COPY` on
/// PostgreSQL, for binding cells without copying them again on SQLite.
/// Its statements bind text only (the public item list's writes, which
/// share it, cast where a column wants a number).
pub enum ImportTx {
    Postgres(sqlx::Transaction<'static, Postgres>),
    Sqlite(sqlite::SqliteTx),
}

impl ImportTx {
    /// Begins a write transaction on a native connection of the store.
    pub async fn begin(store: &Store) -> StoreResult<Self> {
        Ok(match store.native_postgres() {
            Some(native) => ImportTx::Postgres(native.begin().await?),
            None => ImportTx::Sqlite(sqlite::SqliteTx::begin(store).await?),
        })
    }

    pub(crate) async fn execute(&mut self, sql: &str, binds: &[&str]) -> StoreResult<u64> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        let done = match self {
            ImportTx::Postgres(tx) => binds
                .iter()
                .fold(sqlx::query(sql).persistent(false), |query, bind| query.bind(*bind))
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            ImportTx::Sqlite(tx) => binds
                .iter()
                .fold(sqlx::query(sql).persistent(false), |query, bind| query.bind(*bind))
                .execute(tx.conn())
                .await?
                .rows_affected(),
        };
        Ok(done)
    }

    /// The rows a query gives; the staging checks ask for one row at most
    /// (`LIMIT 1`) and take the first.
    pub(crate) async fn fetch_all<R>(&mut self, sql: &str, binds: &[&str]) -> StoreResult<Vec<R>>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
        R: Send + Unpin,
    {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        Ok(match self {
            ImportTx::Postgres(tx) => {
                let query =
                    binds.iter().fold(sqlx::query_as(sql).persistent(false), |query, bind| query.bind(*bind));
                query.fetch_all(&mut **tx).await?
            }
            ImportTx::Sqlite(tx) => {
                let query =
                    binds.iter().fold(sqlx::query_as(sql).persistent(false), |query, bind| query.bind(*bind));
                query.fetch_all(tx.conn()).await?
            }
        })
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            ImportTx::Postgres(_) => Backend::Postgres,
            ImportTx::Sqlite(_) => Backend::Sqlite,
        }
    }

    pub async fn commit(self) -> StoreResult<()> {
        match self {
            ImportTx::Postgres(tx) => tx.commit().await?,
            ImportTx::Sqlite(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// One import of `T` rows for the department `keeper`, all or nothing:
/// dropped without [`Import::finish`], it writes nothing.
pub struct Import<T: Upsert> {
    tx: ImportTx,
    keeper: String,
    claim_unkept: bool,
    /// Whether the rows still go straight into the table.
    straight_in: bool,
    /// PostgreSQL: `COPY` text of batches not sent yet.
    gathered: String,
    _rows: PhantomData<fn() -> T>,
}

impl<T: Upsert> Import<T> {
    /// Begins an import. `claim_unkept`: a target no department keeps yet
    /// is given to `keeper` instead of refused (the operator's import).
    pub async fn begin(store: &Store, keeper: &str, claim_unkept: bool) -> StoreResult<Self> {
        let tx = ImportTx::begin(store).await?;
        let mut import = Self {
            tx,
            keeper: keeper.to_owned(),
            claim_unkept,
            straight_in: true,
            gathered: String::new(),
            _rows: PhantomData,
        };
        import.tx.execute(&format!("SAVEPOINT {STRAIGHT_IN}"), &[]).await?;
        Ok(import)
    }

    /// The encoder for this import's batches (for the parsing thread): it
    /// writes a spill file of every row beside them.
    pub fn encoder(&self) -> std::io::Result<Encoder> {
        Encoder::new(self.tx.backend(), self.keeper.clone())
    }

    /// Writes a batch straight into the table, unless an earlier one could
    /// not be; a batch that cannot (a key already there, or repeated)
    /// sends the import down the staged path, which reads the spill.
    pub async fn write(&mut self, batch: Batch) -> StoreResult<()> {
        if !self.straight_in {
            return Ok(());
        }
        let written = match &mut self.tx {
            ImportTx::Postgres(_) => {
                match self.gathered.is_empty() {
                    true => self.gathered = batch.copy,
                    false => self.gathered.push_str(&batch.copy),
                }
                if self.gathered.len() < COPY_GATHER_BYTES {
                    return Ok(());
                }
                return self.send_gathered().await;
            }
            ImportTx::Sqlite(tx) => sqlite::insert_into::<T>(tx, batch).await,
        };
        self.went_in(written).await
    }

    /// Sends the gathered `COPY` text, if any.
    async fn send_gathered(&mut self) -> StoreResult<()> {
        let ImportTx::Postgres(tx) = &mut self.tx else { return Ok(()) };
        if self.gathered.is_empty() || !self.straight_in {
            return Ok(());
        }
        let written = postgres::copy_into::<T>(tx, &self.gathered).await;
        self.gathered.clear();
        self.went_in(written).await
    }

    /// After a write straight into the table: a key already there (or
    /// repeated) sends the import down the staged path.
    async fn went_in(&mut self, written: StoreResult<()>) -> StoreResult<()> {
        match written {
            Ok(()) => Ok(()),
            Err(error) if error.is_unique_violation() => {
                self.straight_in = false;
                self.tx.execute(&format!("ROLLBACK TO SAVEPOINT {STRAIGHT_IN}"), &[]).await?;
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    /// Of these ids, those in `directory`, each with the department keeping
    /// it, as this import's transaction sees them.
    pub async fn keepers(
        &mut self,
        directory: Directory,
        ids: &[&str],
    ) -> StoreResult<HashMap<String, String>> {
        // The rows written so far are in the table before it is asked.
        self.send_gathered().await?;
        let sql = directory::keepers_sql(self.tx.backend(), directory);
        let ids = serde_json::to_string(ids).expect("strings serialise");
        let rows: Vec<directory::Kept> = self.tx.fetch_all(&sql, &[&ids]).await?;
        Ok(rows.into_iter().map(|row| (row.key, row.department)).collect())
    }

    /// Finishes the import: commits it with its audit `entry` (and, for
    /// items, the versions it made public on `today`, each with its log
    /// entry), or returns the first row (by line) that it cannot write,
    /// having written nothing.
    pub async fn finish(
        mut self,
        spill: Spill,
        entry: &super::audit::NewEntry<'_>,
        today: chrono::NaiveDate,
    ) -> StoreResult<Result<(), RefusedRow>> {
        self.send_gathered().await?;
        if self.straight_in {
            self.tx.execute(&format!("RELEASE SAVEPOINT {STRAIGHT_IN}"), &[]).await?;
        } else {
            staging::create::<T>(&mut self.tx).await?;
            match &mut self.tx {
                ImportTx::Postgres(tx) => postgres::copy_staged::<T>(tx, spill).await?,
                ImportTx::Sqlite(tx) => sqlite::insert_staged::<T>(tx, spill).await?,
            }
            if let Some(refused) = staging::first_refused::<T>(&mut self.tx, self.claim_unkept).await? {
                return Ok(Err(refused));
            }
            staging::apply::<T>(&mut self.tx, self.claim_unkept).await?;
            staging::drop(&mut self.tx).await?;
        }
        // PostgreSQL plans a freshly filled table as empty until analysed.
        if self.tx.backend() == Backend::Postgres {
            self.tx.execute(&format!("ANALYZE {}", T::TABLE), &[]).await?;
        }
        if T::KEPT == Some(Directory::Items) {
            let publication = super::items::Publication {
                at: entry.at.at(),
                today,
                actor: entry.actor.unwrap_or_default(),
            };
            if let Err(code) = super::items::publish_changes(&mut self.tx, &publication).await? {
                return Ok(Err(RefusedRow::Retired { key: code }));
            }
        }
        // A ledger shows units and inspectors' names from the directories.
        self.tx.execute(super::ledger::TOUCH_DIRECTORIES, &[]).await?;
        let texts = entry.texts();
        let binds: Vec<&str> = texts.iter().map(String::as_str).collect();
        self.tx.execute(super::audit::INSERT_TEXTS, &binds).await?;
        self.tx.commit().await?;
        Ok(Ok(()))
    }
}
