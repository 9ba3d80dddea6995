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
use super::sample::fisher_yates_ranks_sparse;
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
        check_strata(self.parameters, self.targets.strata(), &self.stratum_sizes())?;
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
            beacon: None,
        }
    }

    fn stratum_sizes(&self) -> Vec<u64> {
        stratum_sizes(self.targets)
    }
}

/// Targets per stratum of a manifest, in the order of its strata.
pub fn stratum_sizes(targets: &TargetManifest) -> Vec<u64> {
    let mut sizes = vec![0u64; targets.strata().len()];
    for index in 0..targets.len() {
        sizes[targets.stratum_index(index)] += 1;
    }
    sizes
}

/// Checks what the draw of targets needs of the strata: a quota for each,
/// and sizes `uniform(n)` can index. `sizes` go with `strata`.
pub fn check_strata(parameters: &Parameters, strata: &[StratumKey], sizes: &[u64]) -> Result<(), InputError> {
    for (key, &size) in strata.iter().zip(sizes) {
        if parameters.quota_for(key).is_none() {
            return Err(InputError::StratumWithoutQuota(key.clone()));
        }
        if size > u64::from(u32::MAX) {
            return Err(InputError::StratumTooLarge { key: key.clone(), size });
        }
    }
    Ok(())
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
    Ok(assign_drawn(inputs, commitment, strata, &selected, &mut stream))
}

/// The rest of the draw once its targets are drawn: inspectors target by
/// target, from the same stream. `selected` are indices into
/// `inputs.targets` in draw order; the manifest need only hold those
/// targets, and its strata must be those the outcomes come from.
pub fn assign_drawn(
    inputs: &DrawInputs<'_>,
    commitment: Digest,
    strata: Vec<StratumOutcome>,
    selected: &[u32],
    stream: &mut DrawStream,
) -> DrawResult {
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
    let (assignments, failure) = assign_inspectors(inputs, selected, &ids, stream);
    DrawResult { commitment, strata, targets, assignments, failure }
}

/// Draws each stratum's quota by partial Fisher–Yates over its members in
/// canonical order; strata go in bytewise order of their keys. Returns the
/// outcome per stratum and the drawn targets' manifest indices in draw order.
pub fn draw_targets(inputs: &DrawInputs<'_>, stream: &mut DrawStream) -> (Vec<StratumOutcome>, Vec<u32>) {
    let manifest = inputs.targets;
    let sizes: Vec<u32> = inputs.stratum_sizes().into_iter().map(|size| size as u32).collect();
    let (outcomes, ranks) = draw_target_ranks(inputs.parameters, manifest.strata(), &sizes, stream);
    let mut locator = RankLocator::new(&ranks);
    for index in 0..manifest.len() {
        locator.push(manifest.stratum_index(index));
    }
    (outcomes, locator.finish().expect("the sizes were counted from these strata"))
}

/// The draw of targets from each stratum's size alone (`sizes` go with
/// `strata`, checked by [`check_strata`]): per stratum its outcome and the
/// ranks drawn, a rank being a position among the stratum's members in
/// canonical order. The same words are read, and the same members chosen, as
/// a partial Fisher–Yates over the members themselves; memory grows with the
/// targets drawn, not the pool.
pub fn draw_target_ranks(
    parameters: &Parameters,
    strata: &[StratumKey],
    sizes: &[u32],
    stream: &mut DrawStream,
) -> (Vec<StratumOutcome>, Vec<Vec<u32>>) {
    let mut outcomes = Vec::with_capacity(strata.len());
    let mut ranks = Vec::with_capacity(strata.len());
    for (key, &size) in strata.iter().zip(sizes) {
        let quota = parameters.quota_for(key).expect("checked: every stratum has a quota");
        let count = quota.of(size);
        ranks.push(fisher_yates_ranks_sparse(size, count, stream));
        outcomes.push(StratumOutcome { key: key.clone(), pool: size, quota: count });
    }
    (outcomes, ranks)
}

/// Finds the manifest index of each drawn rank in one pass over the
/// targets' strata in manifest order, holding only the ranks wanted.
pub struct RankLocator {
    /// Per stratum, its wanted ranks in rank order, each with its place in
    /// the draw order.
    wanted: Vec<Vec<(u32, u32)>>,
    /// Per stratum, how many of its wanted ranks were found, and how many of
    /// its members were seen.
    found: Vec<usize>,
    seen: Vec<u32>,
    /// Manifest indices in draw order, as they are found.
    indices: Vec<u32>,
    next: u32,
}

impl RankLocator {
    /// Looks for `ranks` as [`draw_target_ranks`] gives them; the draw order
    /// is stratum after stratum, each in the order drawn.
    pub fn new(ranks: &[Vec<u32>]) -> Self {
        let mut place = 0u32;
        let wanted: Vec<Vec<(u32, u32)>> = ranks
            .iter()
            .map(|drawn| {
                let mut sorted: Vec<(u32, u32)> = drawn
                    .iter()
                    .map(|&rank| {
                        place += 1;
                        (rank, place - 1)
                    })
                    .collect();
                sorted.sort_unstable();
                sorted
            })
            .collect();
        Self {
            found: vec![0; wanted.len()],
            seen: vec![0; wanted.len()],
            indices: vec![0; place as usize],
            wanted,
            next: 0,
        }
    }

    /// How many targets were pushed: the manifest index of the next.
    pub fn seen(&self) -> u32 {
        self.next
    }

    /// The next target in manifest order is in this stratum. Returns whether
    /// it was drawn.
    pub fn push(&mut self, stratum: usize) -> bool {
        let index = self.next;
        self.next += 1;
        let rank = self.seen[stratum];
        self.seen[stratum] += 1;
        let found = self.found[stratum];
        match self.wanted[stratum].get(found) {
            Some(&(wanted, place)) if wanted == rank => {
                self.indices[place as usize] = index;
                self.found[stratum] += 1;
                true
            }
            _ => false,
        }
    }

    /// The drawn targets' manifest indices in draw order, or `None` when
    /// some rank was not found: the strata pushed did not have the sizes the
    /// ranks were drawn from.
    pub fn finish(self) -> Option<Vec<u32>> {
        let all_found = self.wanted.iter().zip(&self.found).all(|(wanted, &found)| wanted.len() == found);
        all_found.then_some(self.indices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::sample::fisher_yates_prefix;

    /// The draw of targets as PROTOCOL.md §7 states it: each stratum's
    /// members listed, and shuffled in part.
    fn drawn_from_member_lists(strata: &[usize], counts: &[u32], seed: [u8; 32]) -> (Vec<u32>, u64) {
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); counts.len()];
        for (index, &stratum) in strata.iter().enumerate() {
            members[stratum].push(index as u32);
        }
        let mut stream = DrawStream::new(seed);
        let mut selected = Vec::new();
        for (mut pool, &count) in members.into_iter().zip(counts) {
            fisher_yates_prefix(&mut pool, count as usize, &mut stream);
            selected.extend_from_slice(&pool[..count as usize]);
        }
        (selected, stream.words_read())
    }

    proptest::proptest! {
        #[test]
        fn ranks_located_in_one_pass_are_the_members_a_list_shuffle_draws(
            strata in proptest::collection::vec(0usize..6, 1..2000),
            shares in proptest::collection::vec(0.0f64..=1.0, 6),
            seed in proptest::prelude::any::<[u8; 32]>(),
        ) {
            let mut sizes = [0u32; 6];
            strata.iter().for_each(|&stratum| sizes[stratum] += 1);
            let counts: Vec<u32> =
                sizes.iter().zip(&shares).map(|(&size, share)| (f64::from(size) * share) as u32).collect();
            let mut stream = DrawStream::new(seed);
            let ranks: Vec<Vec<u32>> = sizes
                .iter()
                .zip(&counts)
                .map(|(&size, &count)| fisher_yates_ranks_sparse(size, count, &mut stream))
                .collect();
            let mut locator = RankLocator::new(&ranks);
            let drawn = strata.iter().filter(|&&stratum| locator.push(stratum)).count();
            let (expected, words) = drawn_from_member_lists(&strata, &counts, seed);
            proptest::prop_assert_eq!(drawn, expected.len());
            proptest::prop_assert_eq!(locator.finish(), Some(expected));
            proptest::prop_assert_eq!(stream.words_read(), words);
        }
    }
}
