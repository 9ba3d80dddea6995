//! Inspector assignment (PROTOCOL.md §8): target by target in draw order,
//! department by department, `K` inspectors from the target's candidates.
//!
//! The protocol is stated over sorted candidate lists. Building such a list
//! for every target would cost a pass over the whole department per target,
//! so each department's members (in id order) are kept as bitsets, and a
//! target's candidates are computed word by word from them: a candidate's
//! rank in the list is its rank among the set bits. Both give the same
//! choice, bit for bit (tests/properties.rs checks this against a plain
//! reading of the protocol).

use rustc_hash::FxHashMap as HashMap;

use super::bitset::{Bitset, Candidates, Masked};
use super::draw::DrawInputs;
use super::field::{Department, TargetId};
use super::manifest::{Inspector, Target};
use super::parameters::CrossRule;
use super::result::{Assignment, AssignmentFailure, EligibilityRule};
use super::sample::fisher_yates_ranks;
use super::stream::DrawStream;

/// Assigns inspectors to the drawn targets (manifest indices in draw order,
/// with their ids). Stops at the first target and department with too few
/// candidates.
pub fn assign_inspectors(
    inputs: &DrawInputs<'_>,
    selected: &[u32],
    ids: &[TargetId],
    stream: &mut DrawStream,
) -> (Vec<Assignment>, Option<AssignmentFailure>) {
    let parameters = inputs.parameters;
    let needed = parameters.inspectors_per_target.get();
    let mut pools: Vec<DepartmentPool<'_>> =
        parameters.departments().iter().map(|department| DepartmentPool::new(inputs, department)).collect();
    let recused = Recused::new(inputs, &pools);
    let mut holes = Vec::new();
    let mut assignments = Vec::with_capacity(selected.len() * pools.len());
    for (&index, target_id) in selected.iter().zip(ids) {
        let target = inputs.targets.get(index as usize);
        for (number, pool) in pools.iter_mut().enumerate() {
            holes.clear();
            holes.extend(recused.positions(target.id, number));
            let choice = if parameters.balance {
                pool.pick_least_loaded(&target, &holes, needed, stream)
            } else {
                pool.pick(&target, &holes, needed, stream)
            };
            let Some(chosen) = choice else {
                let (rule, remaining) = pool.explain(&target, &holes, needed);
                let department = pool.department.clone();
                let failure =
                    AssignmentFailure { target: target_id.clone(), department, rule, remaining, needed };
                return (assignments, Some(failure));
            };
            assignments.push(Assignment {
                target: target_id.clone(),
                department: pool.department.clone(),
                inspectors: chosen.iter().map(|&position| pool.members[position].id.clone()).collect(),
            });
        }
    }
    (assignments, None)
}

/// How many candidates each drawn target has in each department once every
/// eligibility rule applies (qualification, certificate, recusal, cross
/// rule), before any balancing: per target in `selected`'s order, per
/// department in the parameters' order. What a draw with any seed would
/// choose from; a target with fewer than `inspectors_per_target` in some
/// department makes every draw that selects it fail.
pub fn candidate_counts(inputs: &DrawInputs<'_>, selected: &[u32]) -> Vec<Vec<u32>> {
    let pools: Vec<DepartmentPool<'_>> = inputs
        .parameters
        .departments()
        .iter()
        .map(|department| DepartmentPool::new(inputs, department))
        .collect();
    let recused = Recused::new(inputs, &pools);
    let mut holes = Vec::new();
    selected
        .iter()
        .map(|&index| {
            let target = inputs.targets.get(index as usize);
            let counts = pools.iter().enumerate().map(|(number, pool)| {
                holes.clear();
                holes.extend(recused.positions(target.id, number));
                let minus = pool.cross.excluded(&target);
                Masked { base: &pool.eligible, minus, holes: &holes }.count()
            });
            counts.collect()
        })
        .collect()
}

/// The (department, member position) pairs recused from each target.
struct Recused<'a> {
    by_target: HashMap<&'a str, Vec<(usize, usize)>>,
}

impl<'a> Recused<'a> {
    fn new(inputs: &DrawInputs<'a>, pools: &[DepartmentPool<'a>]) -> Self {
        // Each inspector's department number and position among its members,
        // in manifest order (members were taken from the manifest in order).
        let mut next = vec![0usize; pools.len()];
        let place: Vec<Option<(usize, usize)>> = inputs
            .inspectors
            .inspectors()
            .iter()
            .map(|inspector| {
                let number = pools.iter().position(|pool| *pool.department == inspector.department)?;
                next[number] += 1;
                Some((number, next[number] - 1))
            })
            .collect();
        // Both manifests are sorted by inspector id: walk them together.
        let inspectors = inputs.inspectors.inspectors();
        let mut by_target: HashMap<&str, Vec<(usize, usize)>> = HashMap::default();
        by_target.reserve(inputs.recusals.len());
        let mut at = 0;
        for pair in inputs.recusals.pairs() {
            while at < inspectors.len() && inspectors[at].id < pair.inspector {
                at += 1;
            }
            let Some(&Some(place)) = place.get(at).filter(|_| inspectors[at].id == pair.inspector) else {
                continue;
            };
            by_target.entry(pair.target.as_str()).or_default().push(place);
        }
        Self { by_target }
    }

    /// Positions recused from `target` in department `number`.
    fn positions(&self, target: &str, number: usize) -> impl Iterator<Item = usize> + '_ {
        let pairs = self.by_target.get(target).map_or(&[][..], Vec::as_slice);
        pairs.iter().filter(move |pair| pair.0 == number).map(|pair| pair.1)
    }
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
    cross: CrossSets<'a>,
    loads: Loads,
    /// Scratch: the candidates of one target, or of one tier of them.
    scratch: Candidates,
}

impl<'a> DepartmentPool<'a> {
    fn new(inputs: &DrawInputs<'a>, department: &'a Department) -> Self {
        let parameters = inputs.parameters;
        let members: Vec<&Inspector> =
            inputs.inspectors.inspectors().iter().filter(|i| i.department == *department).collect();
        let size = members.len();
        let mut qualified = Bitset::new(size);
        let mut eligible = Bitset::new(size);
        let mut by_region: HashMap<&str, Bitset> = HashMap::default();
        let mut by_unit: HashMap<&str, Bitset> = HashMap::default();
        for (position, inspector) in members.iter().enumerate() {
            if inspector.is_qualified_for(parameters.items()) {
                qualified.set(position);
                if inspector.certificate_valid_on(parameters.certificate_date) {
                    eligible.set(position);
                }
            }
            if parameters.cross.region {
                by_region.entry(inspector.region.as_str()).or_insert_with(|| Bitset::new(size)).set(position);
            }
            if parameters.cross.unit {
                by_unit.entry(inspector.unit.as_str()).or_insert_with(|| Bitset::new(size)).set(position);
            }
        }
        let loads = Loads::new(&eligible, size);
        let cross = CrossSets { rule: parameters.cross, by_region, by_unit, nobody: Bitset::new(size) };
        Self { department, members, qualified, eligible, cross, loads, scratch: Candidates::default() }
    }

    /// `needed` of the candidates by §7.1, or `None` when there are too few.
    fn pick(
        &mut self,
        target: &Target<'_>,
        holes: &[usize],
        needed: u32,
        stream: &mut DrawStream,
    ) -> Option<Vec<usize>> {
        Masked { base: &self.eligible, minus: self.cross.excluded(target), holes }.fill(&mut self.scratch);
        let size = self.scratch.count();
        if size < needed {
            return None;
        }
        let ranks = fisher_yates_ranks(size, needed, stream);
        Some(ranks.into_iter().map(|rank| self.scratch.select(rank)).collect())
    }

    /// Chooses `needed` candidates, least-loaded first (§8.3): whole tiers of
    /// equal load are taken, in id order and reading no word, while they fit;
    /// the remainder is drawn from the next tier by §7.1. `None` when all
    /// tiers together hold too few.
    fn pick_least_loaded(
        &mut self,
        target: &Target<'_>,
        holes: &[usize],
        needed: u32,
        stream: &mut DrawStream,
    ) -> Option<Vec<usize>> {
        let minus = self.cross.excluded(target);
        let mut chosen = Vec::with_capacity(needed as usize);
        let mut still = needed;
        for load in self.loads.occupied() {
            Masked { base: &self.loads.levels[load], minus, holes }.fill(&mut self.scratch);
            let tier = &self.scratch;
            let size = tier.count();
            if size == 0 {
                continue;
            }
            if size <= still {
                chosen.extend(tier.members());
                still -= size;
            } else {
                chosen.extend(
                    fisher_yates_ranks(size, still, stream).into_iter().map(|rank| tier.select(rank)),
                );
                still = 0;
            }
            if still == 0 {
                break;
            }
        }
        if still > 0 {
            return None;
        }
        for &position in &chosen {
            self.loads.add(position);
        }
        Some(chosen)
    }

    /// Applies the rules one by one and names the first after which fewer
    /// than `needed` candidates remain, with how many remain.
    fn explain(&self, target: &Target<'_>, holes: &[usize], needed: u32) -> (EligibilityRule, u32) {
        let [region, unit] = self.cross.excluded(target);
        let nobody = &self.cross.nobody;
        let left = |minus: [&Bitset; 2]| Masked { base: &self.eligible, minus, holes }.count();
        let stages = [
            (EligibilityRule::Department, self.members.len() as u32),
            (EligibilityRule::Qualification, self.qualified.count()),
            (EligibilityRule::Certificate, self.eligible.count()),
            (EligibilityRule::Recusal, left([nobody, nobody])),
            (EligibilityRule::CrossRegion, left([region, nobody])),
            (EligibilityRule::CrossUnit, left([region, unit])),
        ];
        stages
            .into_iter()
            .find(|&(_, count)| count < needed)
            .expect("explain is called only when too few remain")
    }
}

/// The department's members grouped by region and by unit, for the cross rule.
struct CrossSets<'a> {
    rule: CrossRule,
    by_region: HashMap<&'a str, Bitset>,
    by_unit: HashMap<&'a str, Bitset>,
    /// Stands in for a cross rule that does not apply.
    nobody: Bitset,
}

impl CrossSets<'_> {
    /// The members the cross rule excludes for this target: those of its
    /// region, those of its unit.
    fn excluded(&self, target: &Target<'_>) -> [&Bitset; 2] {
        let region = self.rule.region.then(|| self.by_region.get(target.region)).flatten();
        let unit = target.unit.filter(|_| self.rule.unit).and_then(|unit| self.by_unit.get(unit));
        [region.unwrap_or(&self.nobody), unit.unwrap_or(&self.nobody)]
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
    fn new(eligible: &Bitset, size: usize) -> Self {
        Self { load: vec![0; size], levels: vec![eligible.clone()], level_sizes: vec![eligible.count()] }
    }

    /// The loads some member has, in increasing order.
    fn occupied(&self) -> impl Iterator<Item = usize> + use<'_> {
        (0..self.levels.len()).filter(|&load| self.level_sizes[load] > 0)
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
