//! The public log's Merkle tree in the database (PROTOCOL.md §15.4): its
//! stored hashes, the checkpoints signed over it, the witnesses'
//! cosignatures, and the log's key.
//!
//! The tree is extended after the entries are committed, never in the
//! transaction that appends them: [`integrate`] reads committed entries
//! only, so no checkpoint is ever signed for entries that a crash or a
//! rollback took back, and an append costs what it did before the tree.
//! One integration runs at a time, whichever server starts it: each first
//! locks the one `log_tree` row.

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, FromRow, Row};
use tlog_tiles::{Hash, Tile};

use super::{Store, StoreError, StoreResult, time_text};
use crate::protocol::Digest;
use crate::protocol::tlog::{LogKey, MemoryHashes, hash_hex, leaf_hash, parse_hash_hex};

/// Entries taken into the tree by one transaction, at most: a log that is
/// far behind (a database upgraded with a long log) catches up in steps
/// that each hold the lock briefly.
const STEP: i64 = 16_384;

/// Hashes written by one statement.
const HASHES_PER_INSERT: usize = 2_000;

/// The log's key as stored: its origin and seed.
pub async fn key(pool: &sqlx::AnyPool) -> StoreResult<Option<(String, [u8; 32])>> {
    let Some(row) = sqlx::query("SELECT origin, seed FROM log_key WHERE id = 1").fetch_optional(pool).await?
    else {
        return Ok(None);
    };
    let origin: String = row.try_get("origin")?;
    let seed = crate::protocol::digest::parse_hex32(&row.try_get::<String, _>("seed")?)
        .map_err(|error| StoreError::Damaged(format!("the log key's seed: {error}")))?;
    Ok(Some((origin, seed)))
}

/// Stores the log's key unless one is stored already (another server may
/// have started first), and returns the one stored.
pub async fn create_key(
    pool: &sqlx::AnyPool,
    origin: &str,
    seed: &[u8; 32],
    at: DateTime<Utc>,
) -> StoreResult<(String, [u8; 32])> {
    sqlx::query(
        "INSERT INTO log_key (id, origin, seed, created_at) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING",
    )
    .bind(origin)
    .bind(hex::encode(seed))
    .bind(time_text(at))
    .execute(pool)
    .await?;
    key(pool).await?.ok_or_else(|| StoreError::Damaged("the log key was stored and is gone".into()))
}

/// A checkpoint as stored.
#[derive(Debug, Clone, FromRow)]
pub struct CheckpointRow {
    pub size: i64,
    pub root: String,
    /// The signed note: the checkpoint and the log's signature line.
    pub note: String,
    pub signed_at: String,
}

/// Takes the committed entries not yet in the tree into it, up to
/// [`STEP`] of them, and signs a checkpoint of the tree they make. Returns
/// the new checkpoint, or `None` when the tree already held every entry.
pub async fn integrate(store: &Store, key: &LogKey, at: DateTime<Utc>) -> StoreResult<Option<CheckpointRow>> {
    // A read first: an idle log, the common case of the loop that runs
    // every second on every server, takes no write lock.
    let (head, _) = super::log::head(store.pool()).await?;
    if head <= size(store.pool()).await? {
        return Ok(None);
    }
    let mut tx = store.write().await?;
    let backend = tx.backend();
    let conn = tx.conn();
    let size: i64 = sqlx::query("UPDATE log_tree SET size = size WHERE id = 1 RETURNING size")
        .fetch_one(&mut *conn)
        .await?
        .try_get("size")?;
    let head: i64 =
        sqlx::query("SELECT seq FROM log_head WHERE id = 1").fetch_one(&mut *conn).await?.try_get("seq")?;
    if head <= size {
        tx.rollback().await?;
        return Ok(None);
    }
    let upto = head.min(size + STEP);
    let rows = sqlx::query("SELECT seq, hash FROM log_entries WHERE seq > $1 AND seq <= $2 ORDER BY seq")
        .bind(size)
        .bind(upto)
        .fetch_all(&mut *conn)
        .await?;
    let mut memory = MemoryHashes::default();
    let mut stored = Vec::new();
    for (offset, row) in rows.iter().enumerate() {
        let seq: i64 = row.try_get("seq")?;
        if seq != size + 1 + offset as i64 {
            return Err(StoreError::Damaged(format!("the log has no entry {}", size + 1 + offset as i64)));
        }
        let entry = digest(&row.try_get::<String, _>("hash")?)?;
        let leaf = leaf_hash(&entry);
        let n = (seq - 1) as u64;
        let added = with_hashes(conn, &mut memory, |memory| memory.append(n, leaf)).await?;
        stored.extend(added);
    }
    if rows.len() as i64 != upto - size {
        return Err(StoreError::Damaged(format!("the log's head is {head} but its entries stop before")));
    }
    for chunk in stored.chunks(HASHES_PER_INSERT) {
        let cells: Vec<(String, String)> =
            chunk.iter().map(|(index, hash)| (index.to_string(), hash_hex(hash))).collect();
        sqlx::query(sqlx::AssertSqlSafe(super::insert_from_json(
            backend,
            "log_tree_hashes",
            &["idx", "hash"],
            &["idx"],
        )))
        .bind(serde_json::to_string(&cells).expect("cells serialise"))
        .execute(&mut *conn)
        .await?;
    }
    let root = with_hashes(conn, &mut memory, |memory| tlog_tiles::tree_hash(upto as u64, memory)).await?;
    let checkpoint = CheckpointRow {
        size: upto,
        root: hash_hex(&root),
        note: key.sign(upto as u64, &root),
        signed_at: time_text(at),
    };
    sqlx::query("INSERT INTO log_checkpoints (size, root, note, signed_at) VALUES ($1, $2, $3, $4)")
        .bind(checkpoint.size)
        .bind(&checkpoint.root)
        .bind(&checkpoint.note)
        .bind(&checkpoint.signed_at)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE log_tree SET size = $1 WHERE id = 1").bind(upto).execute(&mut *conn).await?;
    tx.commit().await?;
    Ok(Some(checkpoint))
}

/// Runs a tree computation over `memory`, fetching from the database the
/// stored hashes it asks for and does not hold, until it has them all.
/// The computations ask for what they need in one read, so one fetch
/// suffices; a second failure is a hash the database lacks.
async fn with_hashes<T>(
    conn: &mut AnyConnection,
    memory: &mut MemoryHashes,
    mut compute: impl FnMut(&mut MemoryHashes) -> Result<T, tlog_tiles::Error>,
) -> StoreResult<T> {
    for _ in 0..3 {
        match compute(memory) {
            Ok(value) => return Ok(value),
            Err(error) => {
                let missing = memory.missing();
                if missing.is_empty() {
                    return Err(StoreError::Damaged(format!("the log tree: {error}")));
                }
                fetch(conn, memory, &missing).await?;
            }
        }
    }
    Err(StoreError::Damaged("the log tree lacks stored hashes it needs".into()))
}

/// Reads stored hashes into `memory`; every one must be there.
async fn fetch(conn: &mut AnyConnection, memory: &mut MemoryHashes, indexes: &[u64]) -> StoreResult<()> {
    for chunk in indexes.chunks(HASHES_PER_INSERT) {
        let list = chunk.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT idx, hash FROM log_tree_hashes WHERE idx IN ({list})");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await?;
        if rows.len() != chunk.len() {
            return Err(StoreError::Damaged(format!(
                "the log tree holds {} of {} stored hashes asked for",
                rows.len(),
                chunk.len()
            )));
        }
        for row in rows {
            let index: i64 = row.try_get("idx")?;
            let hash = parse_hash_hex(&row.try_get::<String, _>("hash")?)
                .ok_or_else(|| StoreError::Damaged(format!("stored hash {index}")))?;
            memory.insert(index as u64, hash);
        }
    }
    Ok(())
}

/// A computation over the stored tree, read from the pool.
async fn read<T>(
    pool: &sqlx::AnyPool,
    compute: impl FnMut(&mut MemoryHashes) -> Result<T, tlog_tiles::Error>,
) -> StoreResult<T> {
    let mut conn = pool.acquire().await?;
    with_hashes(&mut conn, &mut MemoryHashes::default(), compute).await
}

const CHECKPOINT_COLUMNS: &str = "size, root, note, signed_at";

/// The newest checkpoint, if the tree has one.
pub async fn newest(pool: &sqlx::AnyPool) -> StoreResult<Option<CheckpointRow>> {
    let sql = format!("SELECT {CHECKPOINT_COLUMNS} FROM log_checkpoints ORDER BY size DESC LIMIT 1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_optional(pool).await?)
}

/// The checkpoint of the tree of `size` entries, if one was signed.
pub async fn checkpoint(pool: &sqlx::AnyPool, size: i64) -> StoreResult<Option<CheckpointRow>> {
    let sql = format!("SELECT {CHECKPOINT_COLUMNS} FROM log_checkpoints WHERE size = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(size).fetch_optional(pool).await?)
}

/// The first checkpoint that holds entry `seq`.
pub async fn first_holding(pool: &sqlx::AnyPool, seq: i64) -> StoreResult<Option<CheckpointRow>> {
    let sql =
        format!("SELECT {CHECKPOINT_COLUMNS} FROM log_checkpoints WHERE size >= $1 ORDER BY size LIMIT 1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(seq).fetch_optional(pool).await?)
}

/// The first checkpoint that holds entry `seq` and that a witness
/// cosigned, with its cosignature lines.
pub async fn first_cosigned_holding(
    pool: &sqlx::AnyPool,
    seq: i64,
) -> StoreResult<Option<(CheckpointRow, Vec<String>)>> {
    let sql = format!(
        "SELECT {CHECKPOINT_COLUMNS} FROM log_checkpoints WHERE size >= $1 \
         AND EXISTS (SELECT 1 FROM log_cosignatures c WHERE c.size = log_checkpoints.size) ORDER BY size LIMIT 1"
    );
    let Some(row): Option<CheckpointRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(seq).fetch_optional(pool).await?
    else {
        return Ok(None);
    };
    let lines = cosignatures(pool, row.size).await?;
    Ok(Some((row, lines)))
}

/// The cosignature lines of the checkpoint of `size` entries, by witness name.
pub async fn cosignatures(pool: &sqlx::AnyPool, size: i64) -> StoreResult<Vec<String>> {
    let rows = sqlx::query("SELECT line FROM log_cosignatures WHERE size = $1 ORDER BY witness")
        .bind(size)
        .fetch_all(pool)
        .await?;
    rows.iter().map(|row| Ok(row.try_get::<String, _>("line")?)).collect()
}

/// Keeps a witness's cosignature of the checkpoint of `size` entries
/// (the witness's newest line replaces an older one for the same size).
pub async fn add_cosignature(
    pool: &sqlx::AnyPool,
    size: i64,
    witness: &str,
    line: &str,
    cosigned_at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO log_cosignatures (size, witness, line, cosigned_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (size, witness) DO UPDATE SET line = excluded.line, cosigned_at = excluded.cosigned_at",
    )
    .bind(size)
    .bind(witness)
    .bind(line)
    .bind(time_text(cosigned_at))
    .execute(pool)
    .await?;
    Ok(())
}

/// The newest checkpoint a witness cosigned (its size), 0 when none: where
/// the next request to it starts from.
pub async fn newest_cosigned_by(pool: &sqlx::AnyPool, witness: &str) -> StoreResult<i64> {
    let row = sqlx::query("SELECT COALESCE(MAX(size), 0) AS size FROM log_cosignatures WHERE witness = $1")
        .bind(witness)
        .fetch_one(pool)
        .await?;
    Ok(row.try_get("size")?)
}

/// The proof that entry `seq` is in the tree of `size` entries.
pub async fn inclusion(pool: &sqlx::AnyPool, seq: u64, size: u64) -> StoreResult<Vec<Hash>> {
    read(pool, |memory| tlog_tiles::prove_record(size, seq - 1, memory)).await
}

/// The proof that the tree of `old` entries is the start of the tree of `size`.
pub async fn consistency(pool: &sqlx::AnyPool, old: u64, size: u64) -> StoreResult<Vec<Hash>> {
    if old == size {
        return Ok(Vec::new());
    }
    read(pool, |memory| tlog_tiles::prove_tree(size, old, memory)).await
}

/// A tile's bytes: a hash tile's hashes, or an entry bundle's entries (each
/// a two-byte length, 32, and the entry's chain hash).
pub async fn tile(pool: &sqlx::AnyPool, tile: Tile) -> StoreResult<Vec<u8>> {
    if !tile.is_data() {
        return read(pool, |memory| tile.read_data(memory)).await;
    }
    let first = tile.level_index() << tile.height();
    let rows = sqlx::query("SELECT hash FROM log_entries WHERE seq > $1 AND seq <= $2 ORDER BY seq")
        .bind(first as i64)
        .bind((first + u64::from(tile.width())) as i64)
        .fetch_all(pool)
        .await?;
    let mut bytes = Vec::with_capacity(rows.len() * 34);
    for row in rows {
        bytes.extend_from_slice(&32u16.to_be_bytes());
        bytes.extend_from_slice(digest(&row.try_get::<String, _>("hash")?)?.as_bytes());
    }
    Ok(bytes)
}

/// The size the tree holds (what the newest checkpoint signs).
pub async fn size(pool: &sqlx::AnyPool) -> StoreResult<u64> {
    let row = sqlx::query("SELECT size FROM log_tree WHERE id = 1").fetch_one(pool).await?;
    Ok(row.try_get::<i64, _>("size")? as u64)
}

fn digest(text: &str) -> StoreResult<Digest> {
    Digest::parse_hex(text).map_err(|error| StoreError::Damaged(format!("a log digest: {error}")))
}
