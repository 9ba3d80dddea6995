//! Inspector assignment (PROTOCOL.md §8): target by target in draw order,
//! department by department, `k` inspectors from the target's candidates.
//!
//! The protocol is stated over sorted candidate lists. Building such a list
//! for every target would cost a pass over the whole department per target,
//! so candidates are kept as bitsets over each department's members (in id
//! order): a candidate's rank in the list is its rank among the set bits.
//! Both give the same choice, bit for bit.

use std::collections::HashMap;

use super::draw::DrawInputs;
use super::field::{Department, InspectorId, TargetId};
use super::manifest::{Inspector, Target};
use super::parameters::CrossRule;
use super::result::{Assignment, AssignmentFailure, EligibilityRule};
use super::sample::fisher_yates_ranks;
use super::stream::DrawStream;

/// Assigns inspectors to the drawn targets (manifest indices, in draw
/// order). Stops at the first target and department with too few candidates.
pub fn assign_inspectors(
    inputs: &DrawInputs<'_>,
    selected: &[u32],
    stream: &mut DrawStream,
) -> (Vec<Assignment>, Option<AssignmentFailure>) {
    let parameters = inputs.parameters;
    let needed = parameters.inspectors_per_target.get();
    let mut pools: Vec<DepartmentPool<'_>> = parameters
        .departments()
        .iter()
        .map(|department| DepartmentPool::new(inputs, department))
        .collect();
    let recused = recusals_by_target(inputs, &pools);
    let mut assignments = Vec::with_capacity(selected.len() * pools.len());
    for &index in selected {
        let target = inputs.targets.get(index as usize);
        let target_id = TargetId::parse(target.id).expect("manifest ids are valid");
        let recused_here: &[(usize, usize)] = recused.get(target.id).map_or(&[], Vec::as_slice);
        for (number, pool) in pools.iter_mut().enumerate() {
            let recused_positions = recused_here
                .iter()
                .filter(|(d, _)| *d == number)
                .map(|&(_, p)| p);
            let candidates = pool.candidates(&target, recused_positions.clone(), parameters.cross);
            if candidates.count() < needed {
                let (rule, remaining) =
                    pool.explain(&target, recused_positions, parameters.cross, needed);
                let failure = AssignmentFailure {
                    target: target_id,
                    department: pool.department.clone(),
                    rule,
                    remaining,
                    needed,
                };
                return (assignments, Some(failure));
            }
            let chosen = if parameters.balance {
                pool.pick_least_loaded(needed, stream)
            } else {
                let ranks = fisher_yates_ranks(candidates.count(), needed, stream);
                ranks
                    .into_iter()
                    .map(|rank| candidates.select(rank))
                    .collect()
            };
            assignments.push(Assignment {
                target: target_id.clone(),
                department: pool.department.clone(),
                inspectors: chosen
                    .iter()
                    .map(|&p| pool.inspector(p).id.clone())
                    .collect(),
            });
        }
    }
    (assignments, None)
}

/// For each target id, the (department, member position) pairs recused from it.
fn recusals_by_target<'a>(
    inputs: &DrawInputs<'a>,
    pools: &[DepartmentPool<'a>],
) -> HashMap<&'a str, Vec<(usize, usize)>> {
    let mut position_of: HashMap<&InspectorId, (usize, usize)> = HashMap::new();
    for (number, pool) in pools.iter().enumerate() {
        for (position, inspector) in pool.members.iter().enumerate() {
            position_of.insert(&inspector.id, (number, position));
        }
    }
    let mut recused: HashMap<&'a str, Vec<(usize, usize)>> = HashMap::new();
    for pair in inputs.recusals.pairs() {
        if let Some(&at) = position_of.get(&pair.inspector) {
            recused.entry(pair.target.as_str()).or_default().push(at);
        }
    }
    recused
}

/// One department's inspectors and what is known about them.
struct DepartmentPool<'a> {
    department: &'a Department,
    /// The department's inspectors in id order; bit `p` of every set below
    /// stands for `members[p]`.
    members: Vec<&'a Inspector>,
    qualified: Bitset,
    /// Qualified and certificate valid on the date: fixed for the whole draw.
    eligible: Bitset,
    by_region: HashMap<&'a str, Bitset>,
    by_unit: HashMap<&'a str, Bitset>,
    /// Scratch: the current target's candidates.
    candidates: Bitset,
    /// Scratch: the candidates with one load.
    tier: Bitset,
    loads: Loads,
}

impl<'a> DepartmentPool<'a> {
    fn new(inputs: &DrawInputs<'a>, department: &'a Department) -> Self {
        let parameters = inputs.parameters;
        let members: Vec<&Inspector> = inputs
            .inspectors
            .inspectors()
            .iter()
            .filter(|i| i.department == *department)
            .collect();
        let size = members.len();
        let mut qualified = Bitset::new(size);
        let mut eligible = Bitset::new(size);
        let mut by_region: HashMap<&str, Bitset> = HashMap::new();
        let mut by_unit: HashMap<&str, Bitset> = HashMap::new();
        for (position, inspector) in members.iter().enumerate() {
            if inspector.is_qualified_for(parameters.items()) {
                qualified.set(position);
                if inspector.certificate_valid_on(parameters.certificate_date) {
                    eligible.set(position);
                }
            }
            if parameters.cross.region {
                by_region
                    .entry(inspector.region.as_str())
                    .or_insert_with(|| Bitset::new(size))
                    .set(position);
            }
            if parameters.cross.unit {
                by_unit
                    .entry(inspector.unit.as_str())
                    .or_insert_with(|| Bitset::new(size))
                    .set(position);
            }
        }
        let loads = Loads::new(&eligible);
        Self {
            department,
            members,
            qualified,
            eligible,
            by_region,
            by_unit,
            candidates: Bitset::new(size),
            tier: Bitset::new(size),
            loads,
        }
    }

    fn inspector(&self, position: usize) -> &'a Inspector {
        self.members[position]
    }

    /// Fills the candidate set for a target and returns it.
    fn candidates(
        &mut self,
        target: &Target<'_>,
        recused: impl Iterator<Item = usize>,
        cross: CrossRule,
    ) -> &Bitset {
        self.candidates.copy_from(&self.eligible);
        for position in recused {
            self.candidates.clear(position);
        }
        if let Some(same_region) = cross
            .region
            .then(|| self.by_region.get(target.region))
            .flatten()
        {
            self.candidates.remove_all(same_region);
        }
        let same_unit = target
            .unit
            .filter(|_| cross.unit)
            .and_then(|unit| self.by_unit.get(unit));
        if let Some(same_unit) = same_unit {
            self.candidates.remove_all(same_unit);
        }
        &self.candidates
    }

    /// Applies the rules one by one and names the first after which fewer
    /// than `needed` candidates remain, with how many remain.
    fn explain(
        &self,
        target: &Target<'_>,
        recused: impl Iterator<Item = usize>,
        cross: CrossRule,
        needed: u32,
    ) -> (EligibilityRule, u32) {
        let mut left = self.eligible.clone();
        for position in recused {
            left.clear(position);
        }
        let after_recusal = left.count();
        if let Some(same_region) = cross
            .region
            .then(|| self.by_region.get(target.region))
            .flatten()
        {
            left.remove_all(same_region);
        }
        let after_region = left.count();
        if let Some(same_unit) = target
            .unit
            .filter(|_| cross.unit)
            .and_then(|unit| self.by_unit.get(unit))
        {
            left.remove_all(same_unit);
        }
        let stages = [
            (EligibilityRule::Department, self.members.len() as u32),
            (EligibilityRule::Qualification, self.qualified.count()),
            (EligibilityRule::Certificate, self.eligible.count()),
            (EligibilityRule::Recusal, after_recusal),
            (EligibilityRule::CrossRegion, after_region),
            (EligibilityRule::CrossUnit, left.count()),
        ];
        stages
            .into_iter()
            .find(|&(_, count)| count < needed)
            .expect("explain is called only when too few remain")
    }

    /// Chooses `needed` of the current candidates, least-loaded first: whole
    /// tiers of equal load are taken (in id order) while they fit, and the
    /// remainder is drawn from the next tier by partial Fisher–Yates.
    fn pick_least_loaded(&mut self, needed: u32, stream: &mut DrawStream) -> Vec<usize> {
        let mut chosen = Vec::with_capacity(needed as usize);
        let mut still = needed;
        for load in self.loads.lowest()..self.loads.levels.len() {
            self.candidates
                .intersect_into(&self.loads.levels[load], &mut self.tier);
            let size = self.tier.count();
            if size == 0 {
                continue;
            }
            if size <= still {
                chosen.extend(self.tier.ones());
                still -= size;
            } else {
                let ranks = fisher_yates_ranks(size, still, stream);
                chosen.extend(ranks.into_iter().map(|rank| self.tier.select(rank)));
                still = 0;
            }
            if still == 0 {
                break;
            }
        }
        for &position in &chosen {
            self.loads.add(position);
        }
        chosen
    }
}

/// Each eligible member's number of assignments so far in this draw, and
/// the members grouped by it.
struct Loads {
    load: Vec<u32>,
    levels: Vec<Bitset>,
    level_sizes: Vec<u32>,
}

impl Loads {
    fn new(eligible: &Bitset) -> Self {
        Self {
            load: vec![0; eligible.len],
            levels: vec![eligible.clone()],
            level_sizes: vec![eligible.count()],
        }
    }

    fn lowest(&self) -> usize {
        self.level_sizes
            .iter()
            .position(|&size| size > 0)
            .unwrap_or(self.levels.len())
    }

    fn add(&mut self, position: usize) {
        let from = self.load[position] as usize;
        self.levels[from].clear(position);
        self.level_sizes[from] -= 1;
        if self.levels.len() == from + 1 {
            self.levels.push(Bitset::new(self.load.len()));
            self.level_sizes.push(0);
        }
        self.levels[from + 1].set(position);
        self.level_sizes[from + 1] += 1;
        self.load[position] += 1;
    }
}

/// A fixed-size set of member positions.
#[derive(Clone)]
struct Bitset {
    words: Vec<u64>,
    len: usize,
}

impl Bitset {
    fn new(len: usize) -> Self {
        Self {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    fn set(&mut self, position: usize) {
        self.words[position / 64] |= 1 << (position % 64);
    }

    fn clear(&mut self, position: usize) {
        self.words[position / 64] &= !(1 << (position % 64));
    }

    fn count(&self) -> u32 {
        self.words.iter().map(|word| word.count_ones()).sum()
    }

    fn copy_from(&mut self, other: &Bitset) {
        self.words.copy_from_slice(&other.words);
    }

    fn remove_all(&mut self, other: &Bitset) {
        for (word, remove) in self.words.iter_mut().zip(&other.words) {
            *word &= !remove;
        }
    }

    fn intersect_into(&self, other: &Bitset, out: &mut Bitset) {
        for ((out, a), b) in out.words.iter_mut().zip(&self.words).zip(&other.words) {
            *out = a & b;
        }
    }

    /// The position of the set bit with this rank (0 = lowest position).
    fn select(&self, rank: u32) -> usize {
        let mut rank = rank;
        for (index, &word) in self.words.iter().enumerate() {
            let ones = word.count_ones();
            if rank < ones {
                let mut word = word;
                for _ in 0..rank {
                    word &= word - 1;
                }
                return index * 64 + word.trailing_zeros() as usize;
            }
            rank -= ones;
        }
        panic!("rank beyond the set's size")
    }

    fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(index, &word)| {
            let mut word = word;
            std::iter::from_fn(move || {
                if word == 0 {
                    return None;
                }
                let bit = word.trailing_zeros() as usize;
                word &= word - 1;
                Some(index * 64 + bit)
            })
        })
    }
}
