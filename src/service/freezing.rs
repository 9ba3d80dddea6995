//! What a commit freezes, shared by the commit and its dry run so that both
//! count the same pool, strata and quotas: the parameters, the inspector
//! and recusal manifests (read before the transaction) and the target pool
//! (frozen into the task's files inside it).

use super::lifecycle::input_error;
use super::tasks::{check_definition, check_items, definition_of};
use super::{Service, ServiceError, ServiceResult};
use crate::domain::task_definition::{CheckedDefinition, TaskDefinition};
use crate::protocol::draw::check_pool_size;
use crate::protocol::manifest::FrozenTargets;
use crate::protocol::{Date, InputError, InspectorManifest, Parameters, RecusalManifest};
use crate::storage::WriteTx;
use crate::storage::bulk::Native;
use crate::storage::bulk::freeze::{self, PoolError, PoolQuery};
use crate::storage::pools;
use crate::storage::tasks::TaskRow;

/// A draft's inputs to the draw, all but its target pool.
pub(super) struct CommitInputs {
    pub definition: TaskDefinition,
    pub checked: CheckedDefinition,
    pub parameters: Parameters,
    /// Targets inspected on or after this date are left out of the pool.
    pub cutoff: Option<String>,
    pub inspectors: InspectorManifest,
    pub recusals: RecusalManifest,
}

impl Service {
    /// Checks a draft's definition and reads its inspector and recusal
    /// manifests; every department drawing inspectors must have one.
    pub(super) async fn commit_inputs(&self, task: &TaskRow) -> ServiceResult<CommitInputs> {
        let definition = definition_of(task)?;
        check_definition(&definition, &task.department)?;
        let checked = definition.check(&task.department).expect("checked above");
        let parameters = definition
            .parameters(task.id, &task.department)
            .map_err(|e| ServiceError::invalid("invalid_definition", Some(e.field), e.reason))?;
        let cutoff = definition.filter.exclude_inspected_within_days.map(|days| days_ago(self.today(), days));
        let pool = self.store().pool();
        let inspectors = pools::inspector_manifest(pool, &checked.departments).await?;
        for department in &checked.departments {
            if !inspectors.inspectors().iter().any(|i| i.department == *department) {
                return Err(ServiceError::invalid(
                    "no_inspectors",
                    Some("departments".into()),
                    format!("department {department} has no active inspector"),
                ));
            }
        }
        check_pool_size(inspectors.len() as u64)
            .map_err(|n| input_error(InputError::TooManyInspectors(n)))?;
        let recusals =
            pools::recusal_manifest(pool, &checked.departments, &definition.filter, cutoff.as_deref())
                .await?;
        Ok(CommitInputs { definition, checked, parameters, cutoff, inspectors, recusals })
    }

    /// Freezes the target pool into the task's files inside `tx`, refusing
    /// an empty pool and strata the parameters give no quota. The pool
    /// leaves out the targets that reached a frequency cap of the task's
    /// items, and the parameters returned record those caps: they are the
    /// ones to commit to.
    pub(super) async fn freeze_targets(
        &self,
        tx: &mut WriteTx,
        id: i64,
        task: &TaskRow,
        inputs: &CommitInputs,
    ) -> ServiceResult<(FrozenTargets, Parameters)> {
        check_items(tx, &inputs.definition, &task.department).await?;
        // Read in `tx`, like the pool: what the parameters say is what kept
        // targets out.
        let caps = self.frequency_caps(tx, &task.department, &inputs.definition).await?;
        let parameters =
            inputs.parameters.clone().with_frequency_caps(caps.caps).map_err(|reason| {
                ServiceError::invalid("invalid_definition", Some("items".into()), reason)
            })?;
        // The target pool goes straight from the directory into the stored
        // manifest, in this transaction; see `store_targets` for why reading
        // it on a connection of its own is sound.
        let query = PoolQuery {
            filter: inputs.definition.filter.clone(),
            strata_by: inputs.definition.strata_by.clone(),
            cutoff: inputs.cutoff.clone(),
            capped: caps.exclusions,
        };
        let targets =
            freeze::store_targets(Native::of(self.store()), query, tx, id).await.map_err(pool_error)?;
        if targets.count == 0 {
            return Err(ServiceError::invalid(
                "empty_pool",
                Some("filter".into()),
                "no target of the directory matches the filter: the draw would select no target, so the task is not committed (change the filter, or abandon the task)",
            ));
        }
        targets.check(&parameters).map_err(input_error)?;
        Ok((targets, parameters))
    }
}

fn pool_error(error: PoolError) -> ServiceError {
    match error {
        PoolError::Store(error) => error.into(),
        PoolError::Target { target, reason } => ServiceError::invalid(
            "invalid_pool",
            Some("strata_by".into()),
            format!("target {target}: {reason}"),
        ),
    }
}

/// The date `days` days before `today`.
fn days_ago(today: chrono::NaiveDate, days: u32) -> String {
    let date = today - chrono::Duration::days(i64::from(days));
    let text = date.format("%Y-%m-%d").to_string();
    debug_assert!(Date::parse(&text).is_ok());
    text
}
