//! Storage: one schema on two backends — SQLite (one file, WAL; the default)
//! and PostgreSQL (production) — chosen by the database URL.
//!
//! Queries are written once, against sqlx's `Any` driver, with `$n`
//! placeholders, which both backends accept. The few statements that differ
//! by dialect (DDL in `migrations/`, how a write transaction begins, how
//! ids are collated) are chosen by [`Backend`]; nothing else is written twice.
//!
//! Every write goes through [`Store::write`], a transaction that also
//! appends to the public log, so a change and its log entry commit together
//! or not at all.

pub mod attachments;
pub mod audit;
pub mod backup;
pub mod bulk;
pub mod calendar;
pub mod checklists;
mod columns;
pub mod dashboard;
pub mod directory;
pub mod directory_reads;
pub mod entity_search;
pub mod exchange;
pub mod files;
pub mod frequency_caps;
pub mod health;
pub mod idempotency;
pub mod import;
pub mod items;
pub mod ledger;
pub mod log;
pub mod plans;
pub mod pool_targets;
pub mod pools;
pub mod public_directories;
pub mod replacements;
pub mod results;
pub mod sessions;
pub mod site;
pub mod statistics;
pub mod tasks;
pub mod tlog;
pub mod users;
pub mod working_rules;

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use sqlx::AnyConnection;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard};

/// Which database the URL named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database error, or a row that is not there.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// From the native SQLite connection of the commit's freeze.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("the database URL '{0}' is neither sqlite: nor postgres:")]
    UnknownBackend(String),
    #[error("a read replica is a PostgreSQL database beside a PostgreSQL primary; '{0}' is not")]
    ReplicaNotPostgres(String),
    #[error("stored data is damaged: {0}")]
    Damaged(String),
    #[error("an import's spill file failed: {0}")]
    Spill(#[from] std::io::Error),
    #[error("{0}")]
    Backup(String),
}

impl From<sqlx::Error> for StoreError {
    /// A column that cannot be read as its type (a task state no version
    /// wrote, a time that is not one) is damaged data, not a failed query.
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::ColumnDecode { index, source } => {
                StoreError::Damaged(format!("column {index}: {source}"))
            }
            error => StoreError::Database(error),
        }
    }
}

impl StoreError {
    /// Whether a unique or primary key constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// PostgreSQL only: native connections for the bulk paths (`COPY` in
    /// and out, which the generic driver cannot speak, and a draw's reading
    /// of its files; see `bulk::Native`).
    native_postgres: Option<PgPool>,
    /// Where public reads go: a read replica of the PostgreSQL database,
    /// when one is given; else `pool`.
    read_pool: Option<AnyPool>,
    /// SQLite has one writer at a time; writers of this process queue here
    /// instead of spinning on the database lock.
    writer: Option<Arc<Mutex<()>>>,
    /// SQLite: asks for a checkpoint of the write-ahead log after a commit
    /// (see [`keep_checkpointing`]).
    checkpoint: Option<Arc<Notify>>,
    /// SQLite: the database file, which the commit's freeze reads on a
    /// connection of its own (`bulk::freeze`).
    sqlite_file: Option<std::path::PathBuf>,
}

// A database may carry migrations newer than this binary's: during a
// rolling upgrade the next release migrates the database while servers of
// this one still run, and one of them may restart before it is replaced.
// Releases only add in a migration (tables, nullable or defaulted columns,
// indexes), so this binary keeps working on the newer schema; refusing to
// start would turn an upgrade into an outage. README, "Upgrading".
static SQLITE_MIGRATIONS: LazyLock<Migrator> =
    LazyLock::new(|| tolerant(sqlx::migrate!("migrations/sqlite")));
static POSTGRES_MIGRATIONS: LazyLock<Migrator> =
    LazyLock::new(|| tolerant(sqlx::migrate!("migrations/postgres")));

fn tolerant(mut migrator: Migrator) -> Migrator {
    migrator.set_ignore_missing(true);
    migrator
}

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates the database.
    /// A bare path means a SQLite file.
    pub async fn open(url: &str) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let (backend, url) = normalise(url)?;
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        let pool = match backend {
            Backend::Sqlite => {
                create_private_file(&url)?;
                options
                    .max_connections(8)
                    .after_connect(|connection, _| {
                        Box::pin(async move {
                            // WAL lets readers go on while one writer commits;
                            // NORMAL sync keeps every commit across a killed
                            // process. The log is copied into the database by
                            // a task of its own, not by the commit that
                            // filled it (`keep_checkpointing`). Each
                            // connection keeps up to 16 MiB of pages instead
                            // of SQLite's 2 MiB: a draw of a 10 M pool writes
                            // 300 000 rows into indexes of several megabytes,
                            // and with 2 MiB many of those writes read their
                            // page back from the file first (1.15 s against
                            // 0.86 s in SQLite's shell).
                            connection
                                .execute(
                                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                     PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON; \
                                     PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -16384;",
                                )
                                .await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => options.max_connections(16).connect(&url).await?,
        };
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        let native_postgres = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PgPoolOptions::new().max_connections(4).connect_lazy(&url)?),
        };
        let writer = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        let checkpoint = (backend == Backend::Sqlite).then(|| keep_checkpointing(pool.clone()));
        let sqlite_file = match backend {
            Backend::Sqlite => {
                Some(url.parse::<sqlx::sqlite::SqliteConnectOptions>()?.get_filename().to_owned())
            }
            Backend::Postgres => None,
        };
        Ok(Self { pool, backend, native_postgres, read_pool: None, writer, checkpoint, sqlite_file })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The migrations this binary applies to its backend.
    pub fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Sends public reads to a read replica of this (PostgreSQL) database.
    /// The replica is not migrated: it follows the primary.
    pub async fn with_read_replica(mut self, url: &str) -> StoreResult<Self> {
        let (backend, url) = normalise(url)?;
        if backend != Backend::Postgres || self.backend != Backend::Postgres {
            return Err(StoreError::ReplicaNotPostgres(url));
        }
        let replica = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(30))
            .max_connections(16)
            .connect(&url)
            .await?;
        self.read_pool = Some(replica);
        Ok(self)
    }

    /// Where public reads go: the read replica, if there is one, else the
    /// database itself. Staff reads and every write use [`Store::pool`].
    pub fn read_pool(&self) -> &AnyPool {
        self.read_pool.as_ref().unwrap_or(&self.pool)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The SQLite database file; `None` on PostgreSQL.
    pub fn sqlite_file(&self) -> Option<&std::path::Path> {
        self.sqlite_file.as_deref()
    }

    /// The native PostgreSQL pool, for `COPY`; `None` on SQLite.
    pub fn native_postgres(&self) -> Option<&PgPool> {
        self.native_postgres.as_ref()
    }

    /// Begins a write transaction. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`), so it never fails half way for a lock.
    pub async fn write(&self) -> StoreResult<WriteTx> {
        let turn = match &self.writer {
            Some(writer) => Some(Arc::clone(writer).lock_owned().await),
            None => None,
        };
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx {
            tx,
            backend: self.backend,
            reserved: None,
            checkpoint: self.checkpoint.clone(),
            _turn: turn,
        })
    }

    /// SQLite only: this process's turn to write, for a writer that opens
    /// its own connection (the bulk import); `None` on PostgreSQL.
    pub async fn writer_turn(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.writer {
            Some(writer) => Some(Arc::clone(writer).lock_owned().await),
            None => None,
        }
    }

    pub async fn close(&self) {
        if let Some(checkpoint) = &self.checkpoint {
            // Wakes the checkpointing task, which finds the pool closed.
            checkpoint.notify_one();
        }
        if let Some(native) = &self.native_postgres {
            native.close().await;
        }
        if let Some(replica) = &self.read_pool {
            replica.close().await;
        }
        self.pool.close().await;
    }
}

/// A write transaction; dropped without [`WriteTx::commit`], it rolls back.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    backend: Backend,
    /// The request whose answer this transaction records (`Idempotency-Key`).
    reserved: Option<idempotency::Reservation>,
    checkpoint: Option<Arc<Notify>>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Makes this transaction the one that acts for `reservation`: false,
    /// and nothing reserved, when another request holds its key.
    pub async fn reserve(&mut self, reservation: &idempotency::Reservation) -> StoreResult<bool> {
        debug_assert!(self.reserved.is_none(), "one reservation per transaction");
        let reserved = idempotency::reserve(&mut self.tx, reservation).await?;
        if reserved {
            self.reserved = Some(reservation.clone());
        }
        Ok(reserved)
    }

    pub async fn commit(self) -> StoreResult<()> {
        // A reserved request commits with its answer: committed without one,
        // a retry would be answered with nothing. Dropping the transaction
        // rolls the action back with its reservation.
        if self.reserved.is_some() {
            return Err(StoreError::Damaged(
                "a request reserved by its Idempotency-Key must commit with its answer".into(),
            ));
        }
        self.finish().await
    }

    /// Commits, with `answer` recorded for the reserved request, if any.
    /// Undoes everything done in the transaction (a dry run), and says so
    /// rather than leaving it to the drop.
    pub async fn rollback(self) -> StoreResult<()> {
        self.tx.rollback().await?;
        Ok(())
    }

    pub async fn commit_answering(mut self, answer: &impl serde::Serialize) -> StoreResult<()> {
        if let Some(reservation) = self.reserved.take() {
            let body = serde_json::to_string(answer).expect("answers serialise");
            idempotency::answer(&mut self.tx, &reservation, &body).await?;
        }
        self.finish().await
    }

    /// Commits, then asks for the write-ahead log to be copied (SQLite).
    async fn finish(self) -> StoreResult<()> {
        self.tx.commit().await?;
        if let Some(checkpoint) = &self.checkpoint {
            checkpoint.notify_one();
        }
        Ok(())
    }
}

/// How long the checkpointing task waits after a checkpoint before the
/// next: writes that come faster share one.
const CHECKPOINT_PAUSE: Duration = Duration::from_millis(500);
/// The longest the write-ahead log waits for a checkpoint after writes that
/// did not ask for one (statements outside [`Store::write`]).
const CHECKPOINT_AT_LEAST_EVERY: Duration = Duration::from_secs(60);

/// SQLite: a read-only connection of its own to the database file, for the
/// bulk reads that step through rows in place instead of through the
/// generic driver (a commit's pool, a draw's files). It waits for a writer
/// as the pool's connections do.
pub fn open_read_only(file: &std::path::Path) -> Result<rusqlite::Connection, rusqlite::Error> {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = rusqlite::Connection::open_with_flags(file, flags)?;
    connection.busy_timeout(Duration::from_secs(30))?;
    Ok(connection)
}

/// SQLite: copies the write-ahead log into the database after commits, on
/// a task of its own. Left to SQLite, the commit that fills the log past
/// 1 000 pages copies it itself before it returns: a commit that froze a
/// pool of a million targets (57 MB of manifest and index) would answer
/// after copying all of it again and syncing the file. A checkpoint here is
/// `PASSIVE`: it never waits for readers or writers, and what it cannot copy
/// yet is copied by the next. A killed process loses nothing either way:
/// the log is part of the database until it is copied. The task ends when
/// the store is closed or dropped.
fn keep_checkpointing(pool: AnyPool) -> Arc<Notify> {
    let wanted = Arc::new(Notify::new());
    let notified = Arc::clone(&wanted);
    tokio::spawn(async move {
        let mut last = tokio::time::Instant::now();
        loop {
            let asked = tokio::time::timeout(Duration::from_secs(1), notified.notified()).await.is_ok();
            // Only this task holds the signal: every copy of the store is gone.
            if pool.is_closed() || Arc::strong_count(&notified) == 1 {
                return;
            }
            if !asked && last.elapsed() < CHECKPOINT_AT_LEAST_EVERY {
                continue;
            }
            if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(%error, "the write-ahead log was not checkpointed; the next write tries again");
            }
            last = tokio::time::Instant::now();
            tokio::time::sleep(CHECKPOINT_PAUSE).await;
        }
    });
    wanted
}

/// The backend a URL names, and the URL as sqlx wants it.
fn normalise(url: &str) -> StoreResult<(Backend, String)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_owned()));
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    if path.contains("://") {
        return Err(StoreError::UnknownBackend(url.to_owned()));
    }
    let separator = if path.contains('?') { '&' } else { '?' };
    let options = if path.contains("mode=") { String::new() } else { format!("{separator}mode=rwc") };
    Ok((Backend::Sqlite, format!("sqlite://{path}{options}")))
}

/// Creates a SQLite file that does not exist yet readable and writable by
/// its owner only: it holds sealed secrets and token hashes. SQLite gives
/// the `-wal` and `-shm` files the permissions of the database file. An
/// existing file keeps the permissions it has.
fn create_private_file(url: &str) -> StoreResult<()> {
    let Some(database) = url.strip_prefix("sqlite://").and_then(|rest| rest.split('?').next()) else {
        return Ok(());
    };
    if database.is_empty() || database == ":memory:" || !url.contains("mode=rwc") {
        return Ok(());
    }
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    // A file that is there already is used as it is; a path that cannot be
    // created is reported by the driver when it opens it.
    let _ = file.open(options.get_filename());
    Ok(())
}

/// The current time as RFC 3339, UTC, to the millisecond.
pub fn now() -> String {
    crate::domain::time::Timestamp::now().to_string()
}

/// An instant as the log and the tables write it (§15.1).
pub fn time_text(at: chrono::DateTime<chrono::Utc>) -> String {
    crate::domain::time::Timestamp::from(at).to_string()
}

/// `$1, $2, …` for `count` parameters starting after `offset`.
pub fn placeholders(offset: usize, count: usize) -> String {
    (offset + 1..=offset + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

/// `INSERT INTO table (columns) SELECT … FROM` the rows of a JSON array
/// bound as `$1`, each row an array of cells in column order; `numbers`
/// are the columns holding integers. The database unpacks the batch itself:
/// one parameter instead of one per value.
pub fn insert_from_json(backend: Backend, table: &str, columns: &[&str], numbers: &[&str]) -> String {
    // `WHERE true` lets SQLite tell a following ON CONFLICT from a join.
    format!(
        "INSERT INTO {table} ({}) {} WHERE true",
        columns.join(", "),
        select_from_json(backend, columns, numbers)
    )
}

/// `SELECT … FROM` the rows of a JSON array bound as `$1`, each row an
/// array of cells read as `columns` in order; `numbers` are the columns
/// holding integers.
pub fn select_from_json(backend: Backend, columns: &[&str], numbers: &[&str]) -> String {
    let rows = match backend {
        Backend::Sqlite => "json_each($1)",
        Backend::Postgres => "jsonb_array_elements($1::jsonb) AS batch(value)",
    };
    let values: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(index, column)| match numbers.contains(column) {
            true => format!("CAST(value ->> {index} AS BIGINT) AS {column}"),
            false => format!("value ->> {index} AS {column}"),
        })
        .collect();
    format!("SELECT {} FROM {rows}", values.join(", "))
}

impl Backend {
    /// Placeholders for statements with many parameters, each used once, in
    /// order. SQLite gets plain `?`: its driver resolves every `$n` by name,
    /// which costs time quadratic in the number of parameters.
    pub fn bulk_placeholders(self, offset: usize, count: usize) -> String {
        match self {
            Backend::Sqlite => vec!["?"; count].join(", "),
            Backend::Postgres => placeholders(offset, count),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sqlite_commits_are_copied_into_the_database_by_a_task_of_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("checkpoint.db");
        let store = Store::open(&format!("sqlite:{}", file.display())).await.unwrap();
        let mut conn = store.pool().acquire().await.unwrap();
        let every: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(every, 0, "a commit never copies the log itself");
        drop(conn);
        let before = std::fs::metadata(&file).unwrap().len();
        let mut tx = store.write().await.unwrap();
        sqlx::query("CREATE TABLE bulk (content BLOB)").execute(tx.conn()).await.unwrap();
        // 4 MB: past the 1 000 pages at which SQLite would copy the log itself.
        sqlx::query("INSERT INTO bulk VALUES (randomblob(4000000))").execute(tx.conn()).await.unwrap();
        tx.commit().await.unwrap();
        let started = std::time::Instant::now();
        while std::fs::metadata(&file).unwrap().len() < before + 4_000_000 {
            assert!(started.elapsed() < Duration::from_secs(10), "the log was not copied into the database");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        store.close().await;
    }

    #[test]
    fn urls_pick_the_backend() {
        assert_eq!(
            normalise("opendraw.db").unwrap(),
            (Backend::Sqlite, "sqlite://opendraw.db?mode=rwc".into())
        );
        assert_eq!(normalise("sqlite:x.db").unwrap().1, "sqlite://x.db?mode=rwc");
        assert_eq!(normalise("sqlite://x.db?mode=ro").unwrap().1, "sqlite://x.db?mode=ro");
        assert_eq!(normalise("postgres://u@h/db").unwrap().0, Backend::Postgres);
        assert!(normalise("mysql://u@h/db").is_err());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_new_sqlite_file_and_its_wal_and_shm_are_readable_by_the_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        let store = Store::open(&format!("sqlite:{}", path.display())).await.unwrap();
        let mut tx = store.write().await.unwrap();
        tx.conn().execute("CREATE TABLE probe (x INTEGER)").await.unwrap();
        tx.commit().await.unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let file = dir.path().join(format!("new.db{suffix}"));
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} is {mode:o}", file.display());
        }
        store.close().await;
    }

    #[test]
    fn placeholders_are_numbered_from_the_offset() {
        assert_eq!(placeholders(2, 3), "$3, $4, $5");
    }
}
