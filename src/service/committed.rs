//! Reading the files fixed at a task's commitment. The target manifest,
//! hundreds of megabytes for a national pool, is read piece by piece for a
//! draw instead of whole (see `TargetManifestReader`).

use super::{Service, ServiceResult, damaged};
use crate::protocol::manifest::{
    INSPECTORS_FILE, RECUSALS_FILE, TARGET_INDEX_FILE, TARGET_STRATA_FILE, TARGETS_FILE, TargetIndexCheck,
    TargetIndexReader, TargetLineCollector, TargetManifestReader,
};
use crate::protocol::parameters::PARAMETERS_FILE;
use crate::protocol::{Digest, InspectorManifest, Parameters, RecusalManifest, TargetManifest};
use crate::storage::files;

impl Service {
    /// One file fixed at a task's commitment.
    pub(super) async fn committed_file(&self, id: i64, name: &str) -> ServiceResult<Vec<u8>> {
        files::load(self.store().pool(), id, name)
            .await?
            .ok_or_else(|| damaged(format!("task {id} has no {name}")))
    }

    /// The committed target manifest without its text: each target's stratum
    /// and line, 8 bytes a target. Read from the index the commit stored
    /// beside the manifest, to be checked against the manifest by
    /// [`Self::drawn_target_lines`]; tasks committed before there was an
    /// index have their manifest read and checked here instead.
    pub(super) async fn committed_targets(
        &self,
        id: i64,
        committed: Digest,
    ) -> ServiceResult<TargetManifest> {
        let pool = self.store().pool();
        let Some(strata) = files::load(pool, id, TARGET_STRATA_FILE).await? else {
            return self.targets_read_whole(id, committed).await;
        };
        let mut reader = TargetIndexReader::new();
        files::read_pieces(pool, id, TARGET_INDEX_FILE, |piece| reader.read(piece).map_err(damaged)).await?;
        reader.finish(&strata, committed).map_err(damaged)
    }

    /// The first pass over the manifest itself.
    async fn targets_read_whole(&self, id: i64, committed: Digest) -> ServiceResult<TargetManifest> {
        let mut reader = TargetManifestReader::new();
        let read = files::read_pieces(self.store().pool(), id, TARGETS_FILE, |piece| {
            reader.read(piece).map_err(damaged)
        })
        .await?;
        if !read {
            return Err(damaged(format!("task {id} has no {TARGETS_FILE}")));
        }
        let targets = reader.finish().map_err(damaged)?;
        if targets.digest() != committed {
            return Err(damaged(format!(
                "task {id}: the stored {TARGETS_FILE} no longer matches its commitment"
            )));
        }
        Ok(targets)
    }

    /// `targets` holding the lines of the targets at `indices`, read again;
    /// the same reading checks that `targets` is what the committed manifest
    /// holds (its digest, and each target's line and stratum).
    pub(super) async fn drawn_target_lines(
        &self,
        id: i64,
        targets: TargetManifest,
        indices: &[u32],
    ) -> ServiceResult<TargetManifest> {
        let mut collector = TargetLineCollector::new(&targets, indices);
        let mut check = TargetIndexCheck::new();
        files::read_pieces(self.store().pool(), id, TARGETS_FILE, |piece| {
            check.read(&targets, piece).map_err(damaged)?;
            collector.read(piece).map_err(damaged)
        })
        .await?;
        if check.finish(&targets).map_err(damaged)? != targets.digest() {
            return Err(damaged(format!(
                "task {id}: the stored {TARGETS_FILE} no longer matches its commitment"
            )));
        }
        collector.finish(targets).map_err(damaged)
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
