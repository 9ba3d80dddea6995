//! Whether a draw kept to its plan. When a task of a plan's batch is
//! committed, the plan's quotas for that batch are derived at that moment
//! and set beside what the task's committed rules draw from each risk
//! class of its frozen pool; the comparison enters the public log with the
//! commitment, so it is fixed before the draw and cannot be restated after.
//! The plan page and the task page show it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::task_definition::{StrataColumn, TaskDefinition};
use crate::protocol::manifest::FrozenTargets;
use crate::protocol::parameters::Parameters;
use crate::service::{Service, ServiceResult};
use crate::storage::plans;

/// What a task's `task.committed` log entry records of its plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAtCommit {
    /// The plan's code within the task's department.
    pub code: String,
    pub batch: i64,
    /// The SHA-256 of the approved plan, as its `plan.approved` entry names it.
    pub sha256: String,
    /// Per risk class, the quota the plan's derivation gave this batch when
    /// the task was committed (what the year still needed, shared over the
    /// batches left), the largest over the plan's items the task draws for.
    pub quotas: BTreeMap<String, i64>,
    /// Per risk class, the targets the task's committed quota rules draw
    /// from that class of its frozen pool; absent when the task's strata are
    /// not the risk classes alone, which makes the two incomparable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draws: Option<BTreeMap<String, i64>>,
    /// Every class draws at least its quota, or its whole pool when the
    /// pool is smaller; absent when `draws` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<bool>,
}

/// The plan's side of the comparison, read before the commitment's
/// transaction: the derivation reads the whole year's draws.
pub struct PlanQuotas {
    code: String,
    batch: i64,
    sha256: String,
    quotas: BTreeMap<String, i64>,
}

impl PlanQuotas {
    /// Set beside the task's frozen pool and committed parameters.
    pub fn at_commit(
        self,
        definition: &TaskDefinition,
        targets: &FrozenTargets,
        parameters: &Parameters,
    ) -> PlanAtCommit {
        let by_class = definition.strata_by == [StrataColumn::RiskClass];
        let draws: Option<BTreeMap<String, i64>> = by_class.then(|| {
            targets
                .strata
                .iter()
                .map(|(key, size)| {
                    let size = u32::try_from(*size).unwrap_or(u32::MAX);
                    let drawn = parameters.quota_for(key).map_or(0, |quota| quota.of(size));
                    (key.as_str().to_owned(), i64::from(drawn))
                })
                .collect()
        });
        let kept = draws.as_ref().map(|draws| {
            self.quotas.iter().all(|(class, &quota)| {
                let size = targets
                    .strata
                    .iter()
                    .find(|(key, _)| key.as_str() == class)
                    .map_or(0, |(_, size)| *size as i64);
                draws.get(class).copied().unwrap_or(0) >= quota.min(size)
            })
        });
        PlanAtCommit {
            code: self.code,
            batch: self.batch,
            sha256: self.sha256,
            quotas: self.quotas,
            draws,
            kept,
        }
    }
}

impl Service {
    /// The quotas the plan of a task's batch asks of it now, when the task
    /// names an approved plan of its department and a batch of it.
    pub(in crate::service) async fn plan_quotas(
        &self,
        department: &str,
        definition: &TaskDefinition,
    ) -> ServiceResult<Option<PlanQuotas>> {
        let (Some(code), Some(batch)) = (definition.plan_id.as_deref(), definition.plan_batch) else {
            return Ok(None);
        };
        let pool = self.store().pool();
        let Some(row) = plans::get(pool, department, code).await?.filter(|row| row.state == "approved")
        else {
            return Ok(None);
        };
        let batch = i64::from(batch);
        let derivation = Self::derivation(pool, &row, batch).await?;
        // Per class, the largest quota of the plan's items this task draws
        // for: another item of the plan asks nothing of it.
        let mut quotas: BTreeMap<String, i64> = BTreeMap::new();
        for item in derivation.items.iter().filter(|item| definition.items.contains(&item.item)) {
            for stratum in &item.strata {
                let quota = quotas.entry(stratum.risk_class.clone()).or_insert(0);
                *quota = (*quota).max(stratum.quota);
            }
        }
        Ok(Some(PlanQuotas { code: row.code, batch, sha256: row.sha256.unwrap_or_default(), quotas }))
    }
}
