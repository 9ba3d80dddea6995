//! A task's published files (manifests, parameters, commitment, reveal,
//! result), stored as pieces of about 1 MiB cut at line ends. A piece is
//! keyed by the first field of its first data line, so finding whether an
//! id is in a committed pool reads one piece, not the whole manifest.

use sqlx::AnyConnection;
use sqlx::Row;

use futures_util::TryStreamExt;

use super::{StoreError, StoreResult};

const PIECE: usize = 1 << 20;

/// A file's pieces in order, as every reading of a whole file through sqlx
/// asks for them (`read_pieces_in_file` asks SQLite the same in rusqlite's
/// placeholders).
const PIECES_IN_ORDER: &str = "SELECT content FROM task_files WHERE task_id = $1 AND name = $2 ORDER BY seq";

/// Stores a file in pieces; `pieces` are cut at line ends, the first one
/// beginning with the header line.
pub async fn store<'a>(
    conn: &mut AnyConnection,
    task: i64,
    name: &str,
    pieces: impl IntoIterator<Item = &'a [u8]>,
) -> StoreResult<()> {
    for (seq, piece) in pieces.into_iter().enumerate() {
        sqlx::query(
            "INSERT INTO task_files (task_id, name, seq, first_key, content) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(task)
        .bind(name)
        .bind(seq as i64)
        .bind(first_key(piece, seq == 0))
        .bind(piece.to_vec())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Stores a file that arrives piece by piece, in batches of several pieces
/// per statement, so a manifest of hundreds of pieces is never held whole.
pub struct FileWriter<'a> {
    task: i64,
    name: &'a str,
    next_seq: i64,
}

impl<'a> FileWriter<'a> {
    pub fn new(task: i64, name: &'a str) -> Self {
        Self { task, name, next_seq: 0 }
    }

    /// Stores the next pieces, cut at line ends; the file's first piece
    /// begins with its header line.
    pub async fn write(&mut self, conn: &mut AnyConnection, pieces: &[&[u8]]) -> StoreResult<()> {
        if pieces.is_empty() {
            return Ok(());
        }
        let rows: Vec<String> =
            (0..pieces.len()).map(|row| format!("({})", super::placeholders(row * 5, 5))).collect();
        let sql = format!(
            "INSERT INTO task_files (task_id, name, seq, first_key, content) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for &piece in pieces {
            query = query
                .bind(self.task)
                .bind(self.name)
                .bind(self.next_seq)
                .bind(first_key(piece, self.next_seq == 0))
                .bind(piece.to_vec());
            self.next_seq += 1;
        }
        query.execute(&mut *conn).await?;
        Ok(())
    }
}

/// Removes a file, to store it anew.
pub async fn remove(conn: &mut AnyConnection, task: i64, name: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM task_files WHERE task_id = $1 AND name = $2")
        .bind(task)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Cuts a file into pieces at line ends.
pub fn split(bytes: &[u8]) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let mut rest = bytes;
    while rest.len() > PIECE {
        let cut = rest[PIECE..].iter().position(|&b| b == b'\n').map_or(rest.len(), |at| PIECE + at + 1);
        let (piece, after) = rest.split_at(cut);
        pieces.push(piece);
        rest = after;
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// The first field of the piece's first data line; the first piece starts
/// with the header, so its key is empty and sorts before every id.
fn first_key(piece: &[u8], first: bool) -> String {
    if first {
        return String::new();
    }
    let end = piece.iter().position(|&b| b == b'\t' || b == b'\n').unwrap_or(piece.len());
    String::from_utf8_lossy(&piece[..end]).into_owned()
}

/// Whether the task has the file, read inside a transaction.
pub async fn exists(conn: &mut AnyConnection, task: i64, name: &str) -> StoreResult<bool> {
    let row = sqlx::query("SELECT 1 FROM task_files WHERE task_id = $1 AND name = $2 LIMIT 1")
        .bind(task)
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.is_some())
}

/// The whole file, or `None` when the task has no such file.
/// Read through a pool, or through a connection inside a transaction that
/// stored the file and has not committed yet (a dry run).
pub async fn load<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    task: i64,
    name: &str,
) -> StoreResult<Option<Vec<u8>>> {
    let rows = sqlx::query(PIECES_IN_ORDER).bind(task).bind(name).fetch_all(db).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for row in rows {
        out.extend_from_slice(&row.try_get::<Vec<u8>, _>("content")?);
    }
    Ok(Some(out))
}

/// Hands the file's pieces to `read` one at a time, in order, so a file of
/// hundreds of megabytes is never held whole; false when the task has no
/// such file.
pub async fn read_pieces<'c, E: From<StoreError>>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    task: i64,
    name: &str,
    mut read: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<bool, E> {
    let mut rows = sqlx::query(PIECES_IN_ORDER).bind(task).bind(name).fetch(db);
    let mut any = false;
    while let Some(row) = rows.try_next().await.map_err(StoreError::from)? {
        let content: Vec<u8> = row.try_get("content").map_err(StoreError::from)?;
        read(&content)?;
        any = true;
    }
    Ok(any)
}

/// PostgreSQL: hands the file's pieces to `read` as [`read_pieces`] does,
/// but on a native connection, each piece read where the driver received
/// it. Through the generic driver each piece is copied twice more: for a
/// draw, which reads its 1 M pool's manifest (57 MB) and index (8 MB
/// twice), most of its reading. The statement is one snapshot, and a file
/// is never changed once stored.
pub(super) async fn read_pieces_postgres<S, E, F>(
    pool: &sqlx::PgPool,
    task: i64,
    name: &'static str,
    mut state: S,
    mut read: F,
) -> Result<(S, bool), E>
where
    E: From<StoreError>,
    F: FnMut(&mut S, &[u8]) -> Result<(), E>,
{
    let mut rows = sqlx::query(PIECES_IN_ORDER).bind(task).bind(name).fetch(pool);
    let mut any = false;
    while let Some(row) = rows.try_next().await.map_err(StoreError::from)? {
        let piece: &[u8] = row.try_get(0).map_err(StoreError::from)?;
        read(&mut state, piece)?;
        any = true;
    }
    Ok((state, any))
}

/// SQLite: hands the file's pieces to `read` as [`read_pieces`] does, but
/// steps through them on a read-only connection of its own on a blocking
/// thread, each piece read where SQLite lays it out. Through the generic
/// driver each piece is copied twice more and crosses a channel from its
/// worker thread: for a draw, which reads its 10 M pool's manifest (570 MB)
/// and index (80 MB twice), most of the time spent reading.
///
/// `state` goes to the thread and comes back with the answer, with false
/// when the task has no such file. The statement is one read transaction:
/// the pieces are those of one moment, and a file is never changed once
/// stored.
pub(super) async fn read_pieces_in_file<S, E, F>(
    file: &std::path::Path,
    task: i64,
    name: &'static str,
    mut state: S,
    mut read: F,
) -> Result<(S, bool), E>
where
    S: Send + 'static,
    E: From<StoreError> + Send + 'static,
    F: FnMut(&mut S, &[u8]) -> Result<(), E> + Send + 'static,
{
    let file = file.to_owned();
    tokio::task::spawn_blocking(move || {
        let connection = super::open_read_only(&file).map_err(StoreError::from)?;
        let mut statement = connection
            .prepare("SELECT content FROM task_files WHERE task_id = ?1 AND name = ?2 ORDER BY seq")
            .map_err(StoreError::from)?;
        let mut rows = statement.query(rusqlite::params![task, name]).map_err(StoreError::from)?;
        let mut any = false;
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            let piece = match row.get_ref(0).map_err(StoreError::from)? {
                rusqlite::types::ValueRef::Blob(bytes) | rusqlite::types::ValueRef::Text(bytes) => bytes,
                other => {
                    return Err(StoreError::Damaged(format!(
                        "task {task}: a piece of {name} is a {:?}",
                        other.data_type()
                    ))
                    .into());
                }
            };
            read(&mut state, piece)?;
            any = true;
        }
        Ok((state, any))
    })
    .await
    .map_err(|error| StoreError::Damaged(format!("reading {name}: {error}")))?
}

/// The piece that would hold the line whose first field is `key`.
pub async fn piece_for(
    pool: &sqlx::AnyPool,
    task: i64,
    name: &str,
    key: &str,
) -> StoreResult<Option<Vec<u8>>> {
    let row = sqlx::query(
        "SELECT content FROM task_files WHERE task_id = $1 AND name = $2 AND first_key <= $3 \
         ORDER BY first_key DESC LIMIT 1",
    )
    .bind(task)
    .bind(name)
    .bind(key)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| row.try_get("content")).transpose()?)
}

/// Whether a piece of a sorted file has a line whose first field is `key`.
pub fn has_line_for(piece: &[u8], key: &str) -> bool {
    piece
        .split(|&b| b == b'\n')
        .any(|line| line.len() > key.len() && line.starts_with(key.as_bytes()) && line[key.len()] == b'\t')
}

/// How many bytes each of a task's files holds, by name, without reading
/// their contents.
pub async fn sizes(pool: &sqlx::AnyPool, task: i64) -> StoreResult<Vec<(String, u64)>> {
    let rows = sqlx::query(
        "SELECT name, CAST(SUM(LENGTH(content)) AS BIGINT) AS size FROM task_files \
         WHERE task_id = $1 GROUP BY name",
    )
    .bind(task)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(|row| Ok((row.try_get("name")?, row.try_get::<i64, _>("size")? as u64))).collect()
}

/// How many bytes the task's file holds, without reading it; none when the
/// task has no such file.
pub async fn size(pool: &sqlx::AnyPool, task: i64, name: &str) -> StoreResult<Option<u64>> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS pieces, CAST(COALESCE(SUM(LENGTH(content)), 0) AS BIGINT) AS size FROM task_files \
         WHERE task_id = $1 AND name = $2",
    )
    .bind(task)
    .bind(name)
    .fetch_one(pool)
    .await?;
    let pieces: i64 = row.try_get("pieces")?;
    Ok((pieces > 0).then(|| row.try_get::<i64, _>("size")).transpose()?.map(|size| size as u64))
}

/// Pieces read by one query of [`pieces`]: enough to keep a client busy,
/// few enough that many downloads at once hold little memory.
const PIECES_PER_READ: i64 = 2;

/// A file's pieces in order, read a few at a time, each read a short query
/// of its own: memory stays at a few pieces whatever the file's size, and
/// no connection is held while a slow client takes its time. Meant for
/// files that no longer change (a task's files are written once, at the
/// commit, the draw and the reveal).
pub fn pieces(
    pool: sqlx::AnyPool,
    task: i64,
    name: &'static str,
) -> impl futures_util::Stream<Item = StoreResult<Vec<u8>>> + Send + 'static {
    // The pieces read and not yet taken, and the sequence number of the
    // last piece read while more may follow.
    let start = (std::collections::VecDeque::new(), Some(-1i64));
    futures_util::stream::try_unfold(start, move |(mut read, mut after)| {
        let pool = pool.clone();
        async move {
            if read.is_empty()
                && let Some(last) = after
            {
                let rows = sqlx::query(
                    "SELECT seq, content FROM task_files WHERE task_id = $1 AND name = $2 AND seq > $3 \
                     ORDER BY seq LIMIT $4",
                )
                .bind(task)
                .bind(name)
                .bind(last)
                .bind(PIECES_PER_READ)
                .fetch_all(&pool)
                .await?;
                after = None;
                if rows.len() as i64 == PIECES_PER_READ {
                    after = rows.last().map(|row| row.try_get::<i64, _>("seq")).transpose()?;
                }
                for row in rows {
                    read.push_back(row.try_get::<Vec<u8>, _>("content")?);
                }
            }
            Ok(read.pop_front().map(|piece| (piece, (read, after))))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_end_at_line_ends_and_join_to_the_file() {
        let line = "x".repeat(1000) + "\n";
        let file = line.repeat(3000);
        let pieces = split(file.as_bytes());
        assert!(pieces.len() > 2);
        assert!(pieces.iter().all(|piece| piece.ends_with(b"\n")));
        assert_eq!(pieces.concat(), file.as_bytes());
        assert_eq!(split(b""), vec![b"".as_slice()]);
    }

    #[test]
    fn a_line_is_found_by_its_first_field() {
        let piece = b"A1\tS\tR\t\nA2\tS\tR\t\n";
        assert!(has_line_for(piece, "A2"));
        assert!(!has_line_for(piece, "A"));
        assert_eq!(first_key(piece, false), "A1");
        assert_eq!(first_key(piece, true), "");
    }
}
