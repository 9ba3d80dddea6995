//! The draw: targets stratum by stratum, then inspectors target by target
//! (PROTOCOL.md §7 and §8). Pure: the same inputs and seed always give the
//! same result.

use super::assign::assign_inspectors;
use super::commitment::{Commitment, EntropyFormat, Seed};
use super::digest::Digest;
use super::field::{EntropySource, StratumKey, TargetId};
use super::manifest::{InspectorManifest, RecusalManifest, TargetManifest};
use super::parameters::Parameters;
use super::result::{DrawResult, SelectedTarget, StratumOutcome};
use super::sample::fisher_yates_prefix;
use super::stream::DrawStream;

/// The parameters and the three manifests that fix a draw.
#[derive(Debug, Clone, Copy)]
pub struct DrawInputs<'a> {
    pub parameters: &'a Parameters,
    pub targets: &'a TargetManifest,
    pub inspectors: &'a InspectorManifest,
    pub recusals: &'a RecusalManifest,
}

/// Inputs that no draw can be defined for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("stratum '{0}' has no quota: give it one, or give a default quota")]
    StratumWithoutQuota(StratumKey),
    #[error("stratum '{key}' has {size} targets; a stratum must have fewer than 2^32")]
    StratumTooLarge { key: StratumKey, size: u64 },
    #[error("{0} inspectors is 2^32 or more")]
    TooManyInspectors(u64),
}

impl<'a> DrawInputs<'a> {
    /// Checks what the draw itself needs: a quota for every stratum and
    /// pools that `uniform(n)` can index.
    pub fn check(&self) -> Result<(), InputError> {
        for (index, size) in self.stratum_sizes().into_iter().enumerate() {
            let key = &self.targets.strata()[index];
            if self.parameters.quota_for(key).is_none() {
                return Err(InputError::StratumWithoutQuota(key.clone()));
            }
            if size > u64::from(u32::MAX) {
                return Err(InputError::StratumTooLarge { key: key.clone(), size });
            }
        }
        check_pool_size(self.inspectors.len() as u64).map_err(InputError::TooManyInspectors)
    }

    /// The commitment these inputs give with this secret hash and source.
    pub fn commitment(
        &self,
        secret_hash: Digest,
        entropy_format: EntropyFormat,
        entropy_source: EntropySource,
    ) -> Commitment {
        Commitment {
            parameters: self.parameters.digest(),
            targets: self.targets.digest(),
            inspectors: self.inspectors.digest(),
            recusals: self.recusals.digest(),
            secret_hash,
            entropy_format,
            entropy_source,
            entropy_event: None,
        }
    }

    fn stratum_sizes(&self) -> Vec<u64> {
        let mut sizes = vec![0u64; self.targets.strata().len()];
        for index in 0..self.targets.len() {
            sizes[self.targets.stratum_index(index)] += 1;
        }
        sizes
    }
}

/// A pool `uniform(n)` can draw from has fewer than 2^32 members.
pub fn check_pool_size(size: u64) -> Result<(), u64> {
    if size > u64::from(u32::MAX) {
        return Err(size);
    }
    Ok(())
}

/// Runs the whole draw for a commitment and seed.
pub fn run_draw(inputs: &DrawInputs<'_>, commitment: Digest, seed: &Seed) -> Result<DrawResult, InputError> {
    inputs.check()?;
    let mut stream = DrawStream::new(seed.bytes());
    let (strata, selected) = draw_targets(inputs, &mut stream);
    let ids: Vec<TargetId> = selected
        .iter()
        .map(|&index| TargetId::parse(inputs.targets.get(index as usize).id).expect("manifest ids are valid"))
        .collect();
    let targets = selected
        .iter()
        .zip(&ids)
        .map(|(&index, id)| SelectedTarget {
            stratum: inputs.targets.stratum_index(index as usize),
            id: id.clone(),
        })
        .collect();
    let (assignments, failure) = assign_inspectors(inputs, &selected, &ids, &mut stream);
    Ok(DrawResult { commitment, strata, targets, assignments, failure })
}

/// Draws each stratum's quota by partial Fisher–Yates over its members in
/// canonical order; strata go in bytewise order of their keys. Returns the
/// outcome per stratum and the drawn targets' manifest indices in draw order.
pub fn draw_targets(inputs: &DrawInputs<'_>, stream: &mut DrawStream) -> (Vec<StratumOutcome>, Vec<u32>) {
    let manifest = inputs.targets;
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); manifest.strata().len()];
    for index in 0..manifest.len() {
        members[manifest.stratum_index(index)].push(index as u32);
    }
    let mut outcomes = Vec::with_capacity(members.len());
    let mut selected = Vec::new();
    for (key, mut pool) in manifest.strata().iter().zip(members) {
        let quota = inputs.parameters.quota_for(key).expect("checked: every stratum has a quota");
        let size = pool.len() as u32;
        let count = quota.of(size);
        fisher_yates_prefix(&mut pool, count as usize, stream);
        selected.extend_from_slice(&pool[..count as usize]);
        outcomes.push(StratumOutcome { key: key.clone(), pool: size, quota: count });
    }
    (outcomes, selected)
}
