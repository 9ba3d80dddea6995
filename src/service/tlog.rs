//! The public log's Merkle tree as the service keeps and serves it
//! (PROTOCOL.md §15.4): the log key, made at the first start; checkpoints
//! signed as entries are committed; inclusion and consistency proofs; the
//! C2SP tiles; and witnesses' cosignatures added to the checkpoints they saw.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tlog_tiles::Tile;
use tokio::sync::OnceCell;
use utoipa::ToSchema;

use super::public_answers::{Freshness, PublicAnswer, tag_of};
use super::{Service, ServiceError, ServiceResult, os_random};
use crate::protocol::log::kind;
use crate::protocol::log_proof::{LogProof, Witnessed};
use crate::protocol::tlog::{LogKey, hash_hex};
use crate::storage::tlog::{self, CheckpointRow};

/// The log key, loaded or made once per process; and the origin a new
/// key is made with.
#[derive(Default)]
pub struct LogKeyCell {
    origin: Option<String>,
    key: OnceCell<Arc<LogKey>>,
}

impl LogKeyCell {
    pub fn with_origin(origin: Option<String>) -> Self {
        LogKeyCell { origin, key: OnceCell::new() }
    }
}

/// The log's key as anyone may read it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LogKeyView {
    /// The log's name, the first line of each checkpoint.
    pub origin: String,
    /// The key in signed-note form, `origin+id+base64`: give it to a
    /// verifier (`opendraw log verify --key`).
    pub verifier_key: String,
    /// The Ed25519 public key, hex.
    pub public_key: String,
}

/// A proof that an entry is in a tree.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InclusionProof {
    pub seq: u64,
    pub size: u64,
    /// The entry's leaf: `seq - 1`.
    pub leaf_index: u64,
    /// The tree's root, hex, as the checkpoint of `size` signs it (base64 there).
    pub root: String,
    /// The proof's hashes, hex, in RFC 9162's order.
    pub hashes: Vec<String>,
}

/// A proof that one tree is the start of another.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsistencyProof {
    pub from: u64,
    pub size: u64,
    pub root: String,
    pub hashes: Vec<String>,
}

/// The answer cache's name for the newest checkpoint.
pub(super) const CHECKPOINT_QUESTION: &str = "log/checkpoint";

/// How long the newest checkpoint is kept in memory at most: a cosignature
/// stored by another server shows within it.
const CHECKPOINT_KEPT: Duration = Duration::from_secs(1);

/// How often a serving process takes new entries into the tree when no
/// reader asked for a checkpoint first.
pub const INTEGRATE_EVERY: Duration = Duration::from_secs(1);

/// The length of a default origin's random part, in bytes.
const ORIGIN_RANDOM: usize = 4;

impl Service {
    /// This service making new log keys named `origin` (the first start only).
    pub fn with_log_origin(mut self, origin: Option<String>) -> Self {
        self.log_key = Arc::new(LogKeyCell::with_origin(origin));
        self
    }

    /// The log's key: stored at the first start (by whichever server comes
    /// first), read from the database after.
    pub async fn log_key(&self) -> ServiceResult<Arc<LogKey>> {
        let cell = &self.log_key;
        let key = cell
            .key
            .get_or_try_init(|| async {
                let pool = self.store().pool();
                let (origin, seed) = match tlog::key(pool).await? {
                    Some(stored) => stored,
                    None => {
                        let origin = match &cell.origin {
                            Some(origin) => origin.clone(),
                            None => format!("opendraw.local/{}", hex::encode(os_random::<ORIGIN_RANDOM>()?)),
                        };
                        LogKey::from_seed(&origin, &[0; 32])
                            .map_err(|error| ServiceError::invalid("invalid_log_origin", Some("log_origin".into()), error.to_string()))?;
                        tlog::create_key(pool, &origin, &os_random::<32>()?, self.now()).await?
                    }
                };
                if let Some(wanted) = &cell.origin
                    && *wanted != origin
                {
                    return Err(ServiceError::invalid(
                        "log_origin_mismatch",
                        Some("log_origin".into()),
                        format!(
                            "this database's log is named {origin:?}, which its checkpoints and witnesses know it by; \
                             it cannot be renamed {wanted:?}"
                        ),
                    ));
                }
                let key = LogKey::from_seed(&origin, &seed).map_err(super::damaged)?;
                Ok::<_, ServiceError>(Arc::new(key))
            })
            .await?;
        Ok(Arc::clone(key))
    }

    /// Takes every committed entry into the tree and signs its checkpoint.
    pub async fn integrate_log(&self) -> ServiceResult<()> {
        let key = self.log_key().await?;
        while tlog::integrate(self.store(), &key, self.now()).await?.is_some() {}
        Ok(())
    }

    /// Integrates new entries every `every`, and asks the witnesses to
    /// cosign the new checkpoint, for as long as the process runs.
    pub async fn keep_log_integrated(self, every: Duration) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = self.integrate_log().await {
                tracing::warn!(%error, "the log's new entries could not be taken into its tree");
            }
            if let Err(error) = self.ask_witnesses().await {
                tracing::warn!(%error, "the witnesses could not be asked");
            }
        }
    }

    /// The newest checkpoint, taking new entries into the tree first: a
    /// reader never sees a head older than the log it can download.
    async fn current_checkpoint(&self) -> ServiceResult<Option<CheckpointRow>> {
        self.integrate_log().await?;
        Ok(tlog::newest(self.store().pool()).await?)
    }

    /// The newest signed checkpoint with its witnesses' cosignature lines,
    /// as C2SP tlog-tiles serves `checkpoint`.
    pub async fn log_checkpoint(&self) -> ServiceResult<String> {
        match self.current_checkpoint().await? {
            Some(row) => self.with_cosignatures(row).await,
            None => {
                // An empty log: the empty tree's head, signed now.
                let key = self.log_key().await?;
                Ok(key.sign(0, &tlog_tiles::EMPTY_HASH))
            }
        }
    }

    /// The newest checkpoint as a public answer: kept in memory while the
    /// log's head stays and for at most a second, so that a witness's new
    /// cosignature shows within one.
    pub async fn log_checkpoint_answer(&self) -> ServiceResult<PublicAnswer> {
        let stamp = self.public_stamp().await?;
        self.answer(CHECKPOINT_QUESTION.into(), stamp, Some(CHECKPOINT_KEPT), async {
            let body = bytes::Bytes::from(self.log_checkpoint().await?);
            let etag = tag_of(&body);
            Ok(PublicAnswer::new(body, etag, Freshness::Live))
        })
        .await
    }

    /// The checkpoint of the tree of `size` entries, with its cosignatures.
    pub async fn log_checkpoint_of(&self, size: u64) -> ServiceResult<String> {
        let row = tlog::checkpoint(self.store().pool(), size as i64).await?.ok_or_else(|| {
            ServiceError::NotFound(format!("no checkpoint was signed for a tree of {size} entries"))
        })?;
        self.with_cosignatures(row).await
    }

    async fn with_cosignatures(&self, row: CheckpointRow) -> ServiceResult<String> {
        let lines = tlog::cosignatures(self.store().pool(), row.size).await?;
        Ok(cosigned(row.note, lines))
    }

    pub async fn log_key_view(&self) -> ServiceResult<LogKeyView> {
        let key = self.log_key().await?;
        Ok(LogKeyView {
            origin: key.origin().to_owned(),
            verifier_key: key.verifier_key(),
            public_key: hex::encode(key.public_key()),
        })
    }

    /// The size a proof is asked against: the one given, which must be a
    /// signed checkpoint's, or the newest checkpoint's; with that tree's root.
    async fn proof_tree(&self, size: Option<u64>) -> ServiceResult<CheckpointRow> {
        let pool = self.store().pool();
        let row = match size {
            Some(size) => match tlog::checkpoint(pool, size as i64).await? {
                Some(row) => row,
                None => {
                    // Not signed yet, perhaps: take the committed entries
                    // into the tree, then look again.
                    let newest = self.current_checkpoint().await?.map(|row| row.size as u64).unwrap_or(0);
                    tlog::checkpoint(pool, size as i64).await?.ok_or_else(|| {
                        ServiceError::invalid(
                            "size_not_signed",
                            Some("size".into()),
                            format!(
                                "no checkpoint was signed for a tree of {size} entries (the newest has {newest})"
                            ),
                        )
                    })?
                }
            },
            None => self.current_checkpoint().await?.ok_or_else(|| {
                ServiceError::invalid("size_not_signed", Some("size".into()), "the log is empty")
            })?,
        };
        Ok(row)
    }

    /// The proof that entry `seq` is in the tree of `size` entries (the
    /// newest checkpoint's when not given).
    pub async fn log_inclusion(&self, seq: u64, size: Option<u64>) -> ServiceResult<PublicAnswer> {
        let stamp = self.public_stamp().await?;
        self.answer(format!("log/inclusion/{seq}/{size:?}"), stamp, None, self.build_inclusion(seq, size))
            .await
    }

    async fn build_inclusion(&self, seq: u64, size: Option<u64>) -> ServiceResult<PublicAnswer> {
        let tree = self.proof_tree(size).await?;
        let size = tree.size as u64;
        if seq == 0 || seq > size {
            return Err(ServiceError::invalid(
                "seq_not_in_tree",
                Some("seq".into()),
                format!("entry {seq} is not in the tree of {size} entries"),
            ));
        }
        let hashes = tlog::inclusion(self.store().pool(), seq, size).await?;
        // Settled, not immutable: the address names the sizes, not the
        // roots, and a reader who meets a forked server must not find the
        // honest server's proof kept in a cache for it, or the other way round.
        let proof = InclusionProof {
            seq,
            size,
            leaf_index: seq - 1,
            root: tree.root,
            hashes: hashes.iter().map(hash_hex).collect(),
        };
        Ok(PublicAnswer::json(&proof, Freshness::Settled))
    }

    /// The proof that the tree of `from` entries is the start of the tree
    /// of `size` (the newest checkpoint's when not given).
    pub async fn log_consistency(&self, from: u64, size: Option<u64>) -> ServiceResult<PublicAnswer> {
        let stamp = self.public_stamp().await?;
        self.answer(
            format!("log/consistency/{from}/{size:?}"),
            stamp,
            None,
            self.build_consistency(from, size),
        )
        .await
    }

    async fn build_consistency(&self, from: u64, size: Option<u64>) -> ServiceResult<PublicAnswer> {
        let tree = self.proof_tree(size).await?;
        let size = tree.size as u64;
        if from == 0 || from > size {
            return Err(ServiceError::invalid(
                "from_not_in_tree",
                Some("from".into()),
                format!(
                    "a tree of {from} entries is not the start of the tree of {size}: from runs 1 to {size}"
                ),
            ));
        }
        let hashes = tlog::consistency(self.store().pool(), from, size).await?;
        let proof =
            ConsistencyProof { from, size, root: tree.root, hashes: hashes.iter().map(hash_hex).collect() };
        Ok(PublicAnswer::json(&proof, Freshness::Settled))
    }

    /// A tile of the tree at `path` (C2SP tlog-tiles: `tile/L/N[.p/W]` or
    /// `tile/entries/N[.p/W]`), if the tree holds all it covers. A full tile
    /// never changes; a partial one is replaced by a wider one as the tree grows.
    pub async fn log_tile(&self, path: &str) -> ServiceResult<PublicAnswer> {
        let stamp = self.public_stamp().await?;
        self.answer(format!("log/{path}"), stamp, None, async {
            let (bytes, freshness) = self.build_tile(path).await?;
            let body = bytes::Bytes::from(bytes);
            let etag = tag_of(&body);
            Ok(PublicAnswer::new(body, etag, freshness))
        })
        .await
    }

    async fn build_tile(&self, path: &str) -> ServiceResult<(Vec<u8>, Freshness)> {
        let not_found = || ServiceError::NotFound(format!("there is no tile at {path}"));
        let tile = tile_of_path(path).ok_or_else(not_found)?;
        let size = tlog::size(self.store().pool()).await?;
        // The last leaf the tile covers, counted at level 0.
        let leaves_per_entry = 1u64 << (u32::from(tile.height()) * u32::from(tile.level()));
        let end =
            ((tile.level_index() << tile.height()) + u64::from(tile.width())).checked_mul(leaves_per_entry);
        if end.is_none_or(|end| end > size) {
            return Err(not_found());
        }
        let bytes = tlog::tile(self.store().pool(), tile).await?;
        let freshness =
            if tile.width() == 1 << tile.height() { Freshness::Immutable } else { Freshness::Settled };
        Ok((bytes, freshness))
    }
}

impl Service {
    /// `log.tsv` of a task's bundle (§15.6): the task's entries, each with
    /// its proof in the first checkpoint that holds them all; and the first
    /// checkpoint a witness cosigned that holds the commitment, when there
    /// is one. With a tag naming the checkpoints, for the bundle's ETag.
    pub async fn log_proof_of(&self, task: i64) -> ServiceResult<Option<(Vec<u8>, String)>> {
        let pool = self.store().pool();
        let entries = crate::storage::log::of_task(pool, task).await?;
        let Some(last) = entries.last().map(|entry| entry.seq) else { return Ok(None) };
        if tlog::size(pool).await? < last {
            self.integrate_log().await?;
        }
        let mut head = tlog::first_holding(pool, last as i64)
            .await?
            .ok_or_else(|| super::damaged(format!("no checkpoint holds log entry {last}")))?;
        let committed = entries.iter().find(|entry| entry.kind == kind::COMMITTED).map(|entry| entry.seq);
        let witnessed = match committed {
            Some(seq) => tlog::first_cosigned_holding(pool, seq as i64).await?,
            None => None,
        };
        if let Some((early, _)) = &witnessed
            && early.size > head.size
        {
            head = early.clone();
        }
        let size = head.size as u64;
        let mut tag = format!("log{size}");
        let key = self.log_key().await?;
        let checkpoint = self.with_cosignatures(head).await?.into_bytes();
        let mut proven = Vec::with_capacity(entries.len());
        for entry in entries {
            let inclusion = tlog::inclusion(pool, entry.seq, size).await?;
            proven.push((entry, inclusion));
        }
        let witnessed = match (witnessed, committed) {
            (Some((early, lines)), Some(seq)) => {
                tag.push_str(&format!("-w{}x{}", early.size, lines.len()));
                let inclusion = tlog::inclusion(pool, seq, early.size as u64).await?;
                let consistency = tlog::consistency(pool, early.size as u64, size).await?;
                let checkpoint = cosigned(early.note, lines).into_bytes();
                Some(Witnessed { checkpoint, seq, inclusion, consistency })
            }
            _ => None,
        };
        let proof = LogProof { key: key.verifier_key(), checkpoint, entries: proven, witnessed };
        Ok(Some((proof.to_text(), tag)))
    }
}

/// A signed checkpoint with the witnesses' cosignature lines after the
/// log's own signature, as C2SP serves a cosigned checkpoint.
fn cosigned(mut note: String, lines: Vec<String>) -> String {
    for line in lines {
        note.push_str(&line);
        note.push('\n');
    }
    note
}

/// C2SP tiles have height 8 and name the level alone (`tile/L/N`), entry
/// bundles `tile/entries/N`; the Go checksum database's paths, which the
/// tile arithmetic reads, name the height too (`tile/8/L/N`, `tile/8/data/N`).
fn tile_of_path(path: &str) -> Option<Tile> {
    let rest = path.strip_prefix("tile/")?;
    // The tile arithmetic panics on a width of 0 or a level past 63: such
    // paths are refused here, before it reads them.
    if let Some((_, width)) = rest.split_once(".p/")
        && !width.parse::<u32>().is_ok_and(|width| (1..256).contains(&width))
    {
        return None;
    }
    if let Some((level, _)) = rest.split_once('/')
        && level != "entries"
        && !level.parse::<u8>().is_ok_and(|level| level <= 5)
    {
        return None;
    }
    let go_path = match rest.strip_prefix("entries/") {
        Some(index) => format!("tile/8/data/{index}"),
        None => format!("tile/8/{rest}"),
    };
    let tile = Tile::from_path(&go_path).ok()?;
    // Levels above 5 would cover more than 2^48 entries.
    (tile.level() <= 5 && tile.width() > 0).then_some(tile)
}

#[cfg(test)]
mod tests {
    use super::tile_of_path;

    #[test]
    fn tile_paths_are_c2sp_paths() {
        let tile = tile_of_path("tile/0/x001/234").unwrap();
        assert_eq!((tile.level(), tile.level_index(), tile.width(), tile.is_data()), (0, 1234, 256, false));
        let tile = tile_of_path("tile/entries/005.p/17").unwrap();
        assert_eq!((tile.level_index(), tile.width(), tile.is_data()), (5, 17, true));
        for bad in
            ["tile/0/1234", "tile/8/0/000", "tile/0/000.p/256", "tile/0/000.p/0", "tile/9/000", "tiles/0/000"]
        {
            assert!(tile_of_path(bad).is_none(), "{bad}");
        }
    }
}
