//! Freezing a task's target pool into its manifest at commit, streamed: the
//! rows are read in id order, written into manifest lines as they arrive,
//! hashed piece by piece on another thread and stored in pieces of about
//! 1 MiB, so memory stays bounded however large the pool is.
//!
//! Reading the rows is the one part that differs by database: PostgreSQL
//! sends them with `COPY … TO STDOUT` on a native connection (the generic
//! driver cannot speak `COPY`); SQLite's rows are stepped through on a
//! native connection of their own (`rusqlite`), on a blocking thread, each
//! field read in place. The generic driver hands each row over a channel
//! from its worker thread, and having SQLite join each batch into one
//! string instead cost about half again the floor. Both hand each row's
//! fields to the same writer; everything after that is shared.
//!
//! Beside the manifest the commit stores its target index (each target's
//! line start and stratum, 8 bytes a target, and the strata), in pieces as
//! well: what a draw's first pass over the manifest would find, so the
//! draw reads that instead of the whole manifest.

use std::sync::Arc;

use futures_util::TryStreamExt;
use sqlx::postgres::PgPool;
use tokio::sync::mpsc;

use super::super::files::FileWriter;
use super::super::frequency_caps::{CapExclusion, exclusion_sql};
use super::super::pools::{bound_filter_sql, filter_sql};
use super::super::{StoreError, WriteTx, open_read_only};
use super::Native;
use crate::domain::rules::stratum_key;
use crate::domain::task_definition::{PoolFilter, StrataColumn};
use crate::protocol::manifest::{
    FrozenTargets, INDEX_ENTRY, RowError, TARGET_INDEX_FILE, TARGET_STRATA_FILE, TARGETS_FILE,
    TargetManifestStream, index_entry,
};

/// Pieces waiting to be stored, at most; with the batch being written and
/// the one being hashed, the bound on what a commit holds of its manifest.
const PIECES_IN_FLIGHT: usize = 8;
/// Pieces stored per statement.
const PIECES_PER_STATEMENT: usize = 4;
/// Bytes of a piece of the target index, whole entries (1 MiB).
const INDEX_PIECE: usize = (1 << 20) / INDEX_ENTRY * INDEX_ENTRY;

/// What the reading hands to the storing: a piece of the manifest, or of
/// its index.
enum Piece {
    Manifest(Arc<String>),
    Index(Vec<u8>),
}

/// Why a pool cannot become a manifest.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("target {target}: {reason}")]
    Target { target: String, reason: String },
}

/// Which targets, and which of their columns make the stratum key.
#[derive(Clone)]
pub struct PoolQuery {
    pub filter: PoolFilter,
    pub strata_by: Vec<StrataColumn>,
    /// Targets inspected on or after this date are left out.
    pub cutoff: Option<String>,
    /// Targets that reached a frequency cap of the task's items are left out.
    pub capped: Vec<CapExclusion>,
}

/// Freezes the pool into the task's target manifest, stored inside `tx`.
///
/// The rows are read on a connection of their own, outside `tx`: the
/// manifest is the pool as that read saw it, a consistent snapshot on both
/// databases, and what is stored in `tx` is exactly the manifest whose
/// digest is returned, to be committed to in the same transaction as the
/// task's new state and its log entry. On SQLite `tx` holds the write lock
/// meanwhile, so no import can change the directory under the read; on
/// PostgreSQL an import committed during the read is simply not in this
/// pool, as if it had come a moment later.
pub async fn store_targets(
    source: Native,
    query: PoolQuery,
    tx: &mut WriteTx,
    task: i64,
) -> Result<FrozenTargets, PoolError> {
    let (pieces, mut arriving) = mpsc::channel::<Piece>(PIECES_IN_FLIGHT);
    let reading = match source {
        Native::Postgres(pool) => tokio::spawn(async move {
            let mut writer = ManifestWriter::new(&query.strata_by);
            read_postgres(&pool, &query, &mut writer, &pieces).await?;
            let (last, frozen) = writer.finish()?;
            send(&pieces, last).await?;
            Ok::<_, PoolError>(frozen)
        }),
        Native::Sqlite(file) => tokio::task::spawn_blocking(move || {
            let mut writer = ManifestWriter::new(&query.strata_by);
            read_sqlite(&file, &query, &mut writer, &pieces)?;
            let (last, frozen) = writer.finish()?;
            send_blocking(&pieces, last)?;
            Ok::<_, PoolError>(frozen)
        }),
    };
    let mut file = FileWriter::new(task, TARGETS_FILE);
    let mut index = IndexWriter::new(task);
    let mut batch = Vec::with_capacity(PIECES_PER_STATEMENT);
    let stored = async {
        while let Some(piece) = arriving.recv().await {
            match piece {
                Piece::Manifest(piece) => batch.push(piece),
                Piece::Index(piece) => index.write(tx.conn(), TARGET_INDEX_FILE, &piece).await?,
            }
            if batch.len() == PIECES_PER_STATEMENT {
                file.write(tx.conn(), &bytes_of(&batch)).await?;
                batch.clear();
            }
        }
        file.write(tx.conn(), &bytes_of(&batch)).await
    }
    .await;
    // A failed write stops storing; dropping the receiver stops the reading.
    drop(arriving);
    let frozen = reading.await.map_err(|error| StoreError::Damaged(format!("reading the pool: {error}")))?;
    stored?;
    let (frozen, strata) = frozen?;
    IndexWriter::new(task).write(tx.conn(), TARGET_STRATA_FILE, strata.as_bytes()).await?;
    Ok(frozen)
}

/// Stores the pieces of the index files. They are binary, so unlike the
/// published files they are not keyed by a first id.
struct IndexWriter {
    task: i64,
    next_seq: i64,
}

impl IndexWriter {
    fn new(task: i64) -> Self {
        Self { task, next_seq: 0 }
    }

    async fn write(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        name: &str,
        piece: &[u8],
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO task_files (task_id, name, seq, first_key, content) VALUES ($1, $2, $3, '', $4)",
        )
        .bind(self.task)
        .bind(name)
        .bind(self.next_seq)
        .bind(piece.to_vec())
        .execute(conn)
        .await?;
        self.next_seq += 1;
        Ok(())
    }
}

fn bytes_of(pieces: &[Arc<String>]) -> Vec<&[u8]> {
    pieces.iter().map(|piece| piece.as_bytes()).collect()
}

/// PostgreSQL: `COPY (SELECT … ORDER BY id) TO STDOUT`. `COPY` takes no
/// parameters, so the filter's values are written as literals.
async fn read_postgres(
    pool: &PgPool,
    query: &PoolQuery,
    writer: &mut ManifestWriter,
    pieces: &mpsc::Sender<Piece>,
) -> Result<(), PoolError> {
    let mut where_sql = filter_sql(&query.filter, "t", query.cutoff.as_deref(), &mut |value| literal(value));
    where_sql.push_str(&exclusion_sql(&query.capped, "t"));
    let sql = format!(
        "COPY (SELECT t.id{}, t.region, t.unit FROM targets t WHERE {where_sql} ORDER BY t.id) TO STDOUT",
        strata_columns(&query.strata_by, ", t.", "")
    );
    let mut connection = pool.acquire().await.map_err(StoreError::from)?;
    let copied = copy_lines(&mut connection, &sql, writer, pieces).await;
    if copied.is_err() {
        // A `COPY` left half read leaves the connection in the middle of
        // it: it must not go back to the pool.
        connection.close_on_drop();
    }
    copied
}

async fn copy_lines(
    connection: &mut sqlx::PgConnection,
    sql: &str,
    writer: &mut ManifestWriter,
    pieces: &mpsc::Sender<Piece>,
) -> Result<(), PoolError> {
    let mut rows = connection.copy_out_raw(sql).await.map_err(StoreError::from)?;
    let mut unescaped = String::new();
    while let Some(chunk) = rows.try_next().await.map_err(StoreError::from)? {
        let text = std::str::from_utf8(&chunk)
            .map_err(|error| StoreError::Damaged(format!("a target row is not UTF-8: {error}")))?;
        // Each message is one row; a row with a backslash has escapes.
        for line in text.split_terminator('\n') {
            if line.contains('\\') {
                unescape_copy_text(line, &mut unescaped);
                writer.line(&unescaped)?;
            } else {
                writer.line(line)?;
            }
        }
        send(pieces, writer.ready()).await?;
    }
    Ok(())
}

/// SQLite: the rows stepped through in id order on a read-only connection
/// of their own, each field read in place. One statement is one read
/// transaction: the rows are a consistent snapshot.
fn read_sqlite(
    file: &std::path::Path,
    query: &PoolQuery,
    writer: &mut ManifestWriter,
    pieces: &mpsc::Sender<Piece>,
) -> Result<(), PoolError> {
    let (mut where_sql, values) = bound_filter_sql(&query.filter, "t", 0, query.cutoff.as_deref());
    where_sql.push_str(&exclusion_sql(&query.capped, "t"));
    let sql = format!(
        "SELECT t.id{}, t.region, t.unit FROM targets t WHERE {where_sql} ORDER BY t.id",
        strata_columns(&query.strata_by, ", t.", "")
    );
    let connection = open_read_only(file).map_err(native)?;
    let mut statement = connection.prepare(&sql).map_err(native)?;
    let mut rows = statement.query(rusqlite::params_from_iter(values.iter())).map_err(native)?;
    let columns = query.strata_by.len() + 3;
    while let Some(row) = rows.next().map_err(native)? {
        let field = |index: usize| row.get_ref(index).and_then(|value| Ok(value.as_str()?)).map_err(native);
        let id = field(0)?;
        let fields = (1..columns).map(field).collect::<Result<Vec<&str>, _>>()?;
        writer.row(id, fields.into_iter())?;
        // Nothing is taken or sent until a piece is finished.
        send_blocking(pieces, writer.ready())?;
    }
    Ok(())
}

fn native(error: rusqlite::Error) -> PoolError {
    StoreError::from(error).into()
}

/// `{before}column{after}` for each stratum column, in order.
fn strata_columns(strata_by: &[StrataColumn], before: &str, after: &str) -> String {
    strata_by.iter().map(|column| format!("{before}{}{after}", column.column())).collect()
}

/// A text value as a SQL literal (`standard_conforming_strings`, on by
/// default since PostgreSQL 9.1: a backslash is an ordinary character).
fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A row of `COPY`'s text format with its backslash escapes resolved.
fn unescape_copy_text(line: &str, out: &mut String) {
    out.clear();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(other) => out.push(other),
            None => {}
        }
    }
}

/// Turns rows `id, stratum column…, region, unit` into the manifest and its
/// index, and hands their finished pieces out.
struct ManifestWriter {
    manifest: TargetManifestStream,
    strata_by: Vec<StrataColumn>,
    columns: Vec<&'static str>,
    key: String,
    /// The index piece being written.
    index: Vec<u8>,
    /// The stratum keys in order of first appearance, one a line.
    strata: String,
    strata_seen: u32,
}

impl ManifestWriter {
    fn new(strata_by: &[StrataColumn]) -> Self {
        Self {
            manifest: TargetManifestStream::new(),
            strata_by: strata_by.to_vec(),
            columns: strata_by.iter().map(|column| column.column()).collect(),
            key: String::new(),
            index: Vec::with_capacity(INDEX_PIECE),
            strata: String::new(),
            strata_seen: 0,
        }
    }

    /// A row as a line of tab-separated fields.
    fn line(&mut self, line: &str) -> Result<(), PoolError> {
        let mut fields = line.split('\t');
        let id = fields.next().unwrap_or_default();
        self.row(id, fields)
    }

    /// A row: its id, then its stratum columns, region and unit.
    fn row<'f>(&mut self, id: &str, mut fields: impl Iterator<Item = &'f str>) -> Result<(), PoolError> {
        // Several columns come as separate fields, joined here by the one
        // rule that keeps distinct combinations apart (`rules::stratum_key`).
        stratum_key(&mut self.key, &self.columns, fields.by_ref().take(self.columns.len()))
            .map_err(|error| PoolError::Target { target: id.to_owned(), reason: error.to_string() })?;
        let mut next = || fields.next().unwrap_or_default();
        let (region, unit) = (next(), next());
        let (start, stratum) = self
            .manifest
            .push(id, &self.key, region, unit)
            .map_err(|error| row_error(id, &self.strata_by, error))?;
        if stratum == self.strata_seen {
            self.strata.push_str(&self.key);
            self.strata.push('\n');
            self.strata_seen += 1;
        }
        self.index.extend_from_slice(&index_entry(start, stratum));
        Ok(())
    }

    /// The pieces finished since the last call, in order.
    fn ready(&mut self) -> Vec<Piece> {
        let mut ready: Vec<Piece> = self.manifest.take_pieces().into_iter().map(Piece::Manifest).collect();
        if self.index.len() >= INDEX_PIECE {
            ready.push(self.take_index());
        }
        ready
    }

    fn take_index(&mut self) -> Piece {
        Piece::Index(std::mem::replace(&mut self.index, Vec::with_capacity(INDEX_PIECE)))
    }

    /// The pieces left, and what the pool is with the strata file of its index.
    fn finish(mut self) -> Result<(Vec<Piece>, (FrozenTargets, String)), PoolError> {
        let mut ready = self.ready();
        if !self.index.is_empty() {
            ready.push(self.take_index());
        }
        let (last, frozen) = self
            .manifest
            .finish()
            .map_err(|error| PoolError::Target { target: String::new(), reason: format!("{error:?}") })?;
        ready.push(Piece::Manifest(last));
        Ok((ready, (frozen, self.strata)))
    }
}

async fn send(pieces: &mpsc::Sender<Piece>, ready: impl IntoIterator<Item = Piece>) -> Result<(), PoolError> {
    for piece in ready {
        // The receiver is gone only when storing failed; that error is the
        // one reported.
        pieces.send(piece).await.map_err(|_| stopped())?;
    }
    Ok(())
}

fn send_blocking(
    pieces: &mpsc::Sender<Piece>,
    ready: impl IntoIterator<Item = Piece>,
) -> Result<(), PoolError> {
    for piece in ready {
        pieces.blocking_send(piece).map_err(|_| stopped())?;
    }
    Ok(())
}

fn stopped() -> PoolError {
    StoreError::Damaged("storing the pool stopped".into()).into()
}

fn row_error(id: &str, strata_by: &[StrataColumn], error: RowError) -> PoolError {
    let reason = match error {
        RowError::Field { column: "stratum", error } => {
            let columns: Vec<&str> = strata_by.iter().map(|c| c.column()).collect();
            format!("its stratum key (from {}) {error}", columns.join(", "))
        }
        RowError::Field { column, error } => format!("{column} {error}"),
        RowError::OutOfOrder { .. } | RowError::Duplicate { .. } => {
            "the database did not hand the pool over once each in bytewise order of ids".into()
        }
        RowError::TooLarge => "the pool's manifest would reach 4 GiB".into(),
    };
    PoolError::Target { target: id.to_owned(), reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_escapes_are_resolved() {
        let mut out = String::new();
        unescape_copy_text(r"a\\b\tc", &mut out);
        assert_eq!(out, "a\\b\tc");
    }

    #[test]
    fn literals_double_their_quotes() {
        assert_eq!(literal("O'Brien\\"), "'O''Brien\\'");
    }
}
