//! The dry run of a draft: what its commit and draw would give — the pool,
//! the strata and their quotas, and whether every drawn target has enough
//! eligible inspectors — without committing to anything.
//!
//! It runs the commit's and the draw's own code: the pool is frozen into
//! the task's files inside a write transaction, drawn from those files
//! (memory bounded as for a draw) with a throwaway seed from the OS random
//! source, and the transaction is rolled back. Nothing is written and
//! nothing goes into the log; the answer says it is not the draw.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::freezing::CommitInputs;
use super::tasks::not_in_state;
use super::{Service, ServiceResult, os_random};
use crate::domain::account::User;
use crate::domain::task::TaskState;
use crate::protocol::DrawInputs;
use crate::protocol::assign::candidate_counts;
use crate::protocol::draw::assign_drawn;
use crate::protocol::stream::DrawStream;

/// The worst strata named in an answer, at most.
const WORST_SHOWN: usize = 10;

/// What a draft's commit and a draw would give.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DryRun {
    /// Always true: a dry run is drawn with a throwaway seed, and the real
    /// draw will select other targets.
    pub not_the_draw: bool,
    /// Targets in the pool the commit would freeze.
    pub pool_size: u64,
    /// Targets a draw selects (the sum of the quotas).
    pub drawn: u64,
    /// In bytewise order of their keys, as the draw takes them.
    pub strata: Vec<DryRunStratum>,
    pub inspectors: DryRunInspectors,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DryRunStratum {
    pub key: String,
    pub pool: u32,
    pub quota: u32,
}

/// Whether the targets this dry run drew each have enough eligible
/// inspectors in every department drawing inspectors.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DryRunInspectors {
    pub per_target: u32,
    /// Targets checked: those drawn.
    pub targets: u64,
    /// Targets with fewer eligible inspectors than `per_target` in some
    /// department; a draw that selects such a target fails.
    pub targets_short: u64,
    /// No target short, and the dry run's draw completed.
    pub enough: bool,
    /// The strata and departments whose drawn targets had the fewest
    /// candidates, fewest first.
    pub worst: Vec<WorstStratum>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorstStratum {
    pub stratum: String,
    pub department: String,
    /// The fewest eligible inspectors any drawn target of the stratum had.
    pub fewest_candidates: u32,
    pub needed: u32,
}

impl Service {
    /// Dry-runs a draft of the caller's department (see the module's header).
    pub async fn dry_run(&self, user: &User, id: i64) -> ServiceResult<DryRun> {
        let task = self.own_task(user, id).await?;
        if task.state != TaskState::Draft {
            return Err(not_in_state(id, &task.state, "dry-run", TaskState::Draft));
        }
        let inputs = self.commit_inputs(&task).await?;
        let CommitInputs { inspectors, recusals, .. } = &inputs;
        let mut tx = self.store().write().await?;
        let (targets, parameters) = self.freeze_targets(&mut tx, id, &task, &inputs).await?;
        let parameters = &parameters;
        let mut stream = DrawStream::new(os_random::<32>()?);
        let drawn =
            self.draw_committed_targets(tx.conn(), None, id, targets.digest, parameters, &mut stream).await?;
        // Nothing of the dry run stays: the frozen pool goes with the transaction.
        tx.rollback().await?;
        let draw = DrawInputs { parameters, targets: &drawn.manifest, inspectors, recusals };
        let counts = candidate_counts(&draw, &drawn.selected);
        let result = assign_drawn(&draw, targets.digest, drawn.outcomes, &drawn.selected, &mut stream);
        let needed = parameters.inspectors_per_target.get();
        let departments = parameters.departments();
        // Per (stratum, department), the fewest candidates of its drawn targets.
        let mut fewest: BTreeMap<(usize, usize), u32> = BTreeMap::new();
        for (target, counts) in result.targets.iter().zip(&counts) {
            for (department, &count) in counts.iter().enumerate() {
                let entry = fewest.entry((target.stratum, department)).or_insert(count);
                *entry = (*entry).min(count);
            }
        }
        let targets_short = counts.iter().filter(|counts| counts.iter().any(|&count| count < needed)).count();
        let mut worst: Vec<WorstStratum> = fewest
            .into_iter()
            .map(|((stratum, department), fewest_candidates)| WorstStratum {
                stratum: result.strata[stratum].key.as_str().to_owned(),
                department: departments[department].as_str().to_owned(),
                fewest_candidates,
                needed,
            })
            .collect();
        worst.sort_by_key(|worst| worst.fewest_candidates);
        worst.truncate(WORST_SHOWN);
        Ok(DryRun {
            not_the_draw: true,
            pool_size: targets.count,
            drawn: result.targets.len() as u64,
            strata: result
                .strata
                .iter()
                .map(|outcome| DryRunStratum {
                    key: outcome.key.as_str().to_owned(),
                    pool: outcome.pool,
                    quota: outcome.quota,
                })
                .collect(),
            inspectors: DryRunInspectors {
                per_target: needed,
                targets: result.targets.len() as u64,
                targets_short: targets_short as u64,
                enough: targets_short == 0 && result.failure.is_none(),
                worst,
            },
        })
    }
}
