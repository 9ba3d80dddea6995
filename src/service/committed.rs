//! Reading the files fixed at a task's commitment. The target manifest,
//! hundreds of megabytes for a national pool, is read piece by piece for a
//! draw instead of whole (see `TargetManifestReader`).

use sha2::{Digest as _, Sha256};
use sqlx::AnyConnection;

use super::lifecycle::input_error;
use super::{Service, ServiceError, ServiceResult, damaged};
use crate::protocol::commitment::{COMMITMENT_FILE, Commitment};
use crate::protocol::draw::{RankLocator, check_strata, draw_target_ranks, stratum_sizes};
use crate::protocol::manifest::{
    DrawnRowReader, INSPECTORS_FILE, IndexedStrata, RECUSALS_FILE, TARGET_INDEX_FILE, TARGET_STRATA_FILE,
    TARGETS_FILE, TargetIndexCheck, TargetLineCollector, TargetManifestReader,
};
use crate::protocol::parameters::PARAMETERS_FILE;
use crate::protocol::result::StratumOutcome;
use crate::protocol::stream::DrawStream;
use crate::protocol::tsv::ParseError;
use crate::protocol::{Digest, InspectorManifest, Parameters, RecusalManifest, TargetManifest};
use crate::storage::bulk::Native;
use crate::storage::files;

impl Service {
    /// One file fixed at a task's commitment.
    pub(super) async fn committed_file(&self, id: i64, name: &str) -> ServiceResult<Vec<u8>> {
        files::load(self.store().pool(), id, name)
            .await?
            .ok_or_else(|| damaged(format!("task {id} has no {name}")))
    }

    /// The commitment a task stored when it was committed.
    pub(super) async fn stored_commitment(&self, id: i64) -> ServiceResult<Commitment> {
        let (commitment, _) =
            Commitment::parse(&self.committed_file(id, COMMITMENT_FILE).await?).map_err(damaged)?;
        Ok(commitment)
    }

    /// Draws the targets of a committed task (PROTOCOL.md §7) from the
    /// stored target index, read piece by piece: once to count each
    /// stratum's targets, once to find the targets drawn; then the manifest
    /// is read for their lines, and checked against its commitment and the
    /// index. Memory grows with the targets drawn and the strata, not the
    /// pool. Tasks committed before there was an index draw from their
    /// manifest instead. The manifest returned holds the drawn targets.
    ///
    /// The files are read through `conn`: a connection of the pool for a
    /// draw, the open transaction that froze them for a dry run. A draw
    /// passes the store's native connections as well, and the index and
    /// the manifest, nearly all there is to read, are read on one of those
    /// (`Native::read_pieces`); a dry run cannot, as its files are not
    /// committed yet.
    pub(super) async fn draw_committed_targets(
        &self,
        conn: &mut AnyConnection,
        native: Option<&Native>,
        id: i64,
        committed: Digest,
        parameters: &Parameters,
        stream: &mut DrawStream,
    ) -> ServiceResult<DrawnTargets> {
        let Some(strata) = files::load(&mut *conn, id, TARGET_STRATA_FILE).await? else {
            return self.draw_from_manifest(conn, id, committed, parameters, stream).await;
        };
        let started = std::time::Instant::now();
        let mut pieces = Pieces { conn, native, task: id };
        let counter = IndexedStrata::new(&strata).map_err(damaged)?;
        let counter = pieces.read(TARGET_INDEX_FILE, counter, |counter, piece| counter.read(piece)).await?;
        let strata = counter.finish().map_err(damaged)?;
        check_strata(parameters, strata.strata(), strata.sizes()).map_err(input_error)?;
        let sizes: Vec<u32> = strata.sizes().iter().map(|&size| size as u32).collect();
        let (outcomes, ranks) = draw_target_ranks(parameters, strata.strata(), &sizes, stream);
        let check = TargetIndexCheck::new(&strata);
        let reader = DrawnRowReader::new(strata, RankLocator::new(&ranks));
        drop(ranks);
        let reader = pieces.read(TARGET_INDEX_FILE, reader, |reader, piece| reader.read(piece)).await?;
        let drawn = reader.finish(committed).map_err(damaged)?;
        let located = started.elapsed();
        let everyone: Vec<u32> = (0..drawn.manifest.len() as u32).collect();
        let reading = (check, TargetLineCollector::new(&drawn.manifest, &everyone));
        let (check, collector) = pieces
            .read(TARGETS_FILE, reading, |(check, collector), piece| {
                check.read(piece)?;
                collector.read(piece)
            })
            .await?;
        let (text, index) = check.finish();
        tracing::debug!(task = id, ?located, checked = ?started.elapsed(), "drawn from the index");
        if text != committed {
            return Err(changed_since_commitment(id));
        }
        if index != drawn.index_digest {
            return Err(damaged(format!(
                "task {id}: the stored {TARGET_INDEX_FILE} does not match the stored {TARGETS_FILE}"
            )));
        }
        let manifest = collector.finish(drawn.manifest).map_err(damaged)?;
        Ok(DrawnTargets { outcomes, manifest, selected: drawn.selected })
    }

    /// The draw of targets for a task committed without an index: the
    /// manifest is read once for each target's stratum and line (8 bytes a
    /// target), and again for the drawn lines.
    async fn draw_from_manifest(
        &self,
        conn: &mut AnyConnection,
        id: i64,
        committed: Digest,
        parameters: &Parameters,
        stream: &mut DrawStream,
    ) -> ServiceResult<DrawnTargets> {
        let mut reader = TargetManifestReader::new();
        let read =
            files::read_pieces(&mut *conn, id, TARGETS_FILE, |piece| reader.read(piece).map_err(damaged))
                .await?;
        if !read {
            return Err(damaged(format!("task {id} has no {TARGETS_FILE}")));
        }
        let targets = reader.finish().map_err(damaged)?;
        if targets.digest() != committed {
            return Err(changed_since_commitment(id));
        }
        let sizes = stratum_sizes(&targets);
        check_strata(parameters, targets.strata(), &sizes).map_err(input_error)?;
        let sizes: Vec<u32> = sizes.into_iter().map(|size| size as u32).collect();
        let (outcomes, ranks) = draw_target_ranks(parameters, targets.strata(), &sizes, stream);
        let mut locator = RankLocator::new(&ranks);
        for index in 0..targets.len() {
            locator.push(targets.stratum_index(index));
        }
        let selected =
            locator.finish().ok_or_else(|| damaged(format!("task {id}: the draw lost a target")))?;
        let mut collector = TargetLineCollector::new(&targets, &selected);
        let mut hasher = Sha256::new();
        files::read_pieces(&mut *conn, id, TARGETS_FILE, |piece| {
            hasher.update(piece);
            collector.read(piece).map_err(damaged)
        })
        .await?;
        if Digest(hasher.finalize().into()) != committed {
            return Err(changed_since_commitment(id));
        }
        let manifest = collector.finish(targets).map_err(damaged)?;
        Ok(DrawnTargets { outcomes, manifest, selected })
    }

    /// The files fixed at a task's commitment.
    pub(super) async fn committed_files(&self, id: i64) -> ServiceResult<CommittedFiles> {
        let pool = self.store().pool();
        let load = |name: &'static str| async move {
            files::load(pool, id, name).await?.ok_or_else(|| damaged(format!("task {id} has no {name}")))
        };
        Ok(CommittedFiles {
            parameters: load(PARAMETERS_FILE).await?,
            targets: load(TARGETS_FILE).await?,
            inspectors: load(INSPECTORS_FILE).await?,
            recusals: load(RECUSALS_FILE).await?,
        })
    }
}

pub(super) struct CommittedFiles {
    parameters: Vec<u8>,
    targets: Vec<u8>,
    inspectors: Vec<u8>,
    recusals: Vec<u8>,
}

impl CommittedFiles {
    pub(super) fn inputs(
        self,
    ) -> ServiceResult<(Parameters, TargetManifest, InspectorManifest, RecusalManifest)> {
        Ok((
            Parameters::parse(&self.parameters).map_err(damaged)?,
            TargetManifest::parse(self.targets).map_err(damaged)?,
            InspectorManifest::parse(self.inspectors).map_err(damaged)?,
            RecusalManifest::parse(self.recusals).map_err(damaged)?,
        ))
    }
}

/// The targets of a draw: the outcome per stratum, a manifest holding the
/// drawn targets (at least), and their indices in it in draw order.
pub(super) struct DrawnTargets {
    pub outcomes: Vec<StratumOutcome>,
    pub manifest: TargetManifest,
    pub selected: Vec<u32>,
}

fn changed_since_commitment(id: i64) -> ServiceError {
    damaged(format!("task {id}: the stored {TARGETS_FILE} no longer matches its commitment"))
}

/// Where a draw reads a task's stored files from, piece by piece.
struct Pieces<'c> {
    conn: &'c mut AnyConnection,
    /// For a draw: the store's native connections, read instead of `conn`.
    native: Option<&'c Native>,
    task: i64,
}

impl Pieces<'_> {
    /// Hands the pieces of the task's file `name` to `read`, in order, with
    /// `state`, and gives the state back.
    async fn read<S: Send + 'static>(
        &mut self,
        name: &'static str,
        state: S,
        read: fn(&mut S, &[u8]) -> Result<(), ParseError>,
    ) -> ServiceResult<S> {
        let (state, _) = match self.native {
            Some(native) => {
                native
                    .read_pieces(self.task, name, state, move |state, piece| {
                        read(state, piece).map_err(damaged)
                    })
                    .await?
            }
            None => {
                let mut state = state;
                let any = files::read_pieces(&mut *self.conn, self.task, name, |piece| {
                    read(&mut state, piece).map_err(damaged)
                })
                .await?;
                (state, any)
            }
        };
        Ok(state)
    }
}
