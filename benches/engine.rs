//! Benchmarks of the draw engine: building and hashing target manifests of
//! 1 M and 10 M targets in 300 strata, drawing 1 % and 10 % of them,
//! assigning 2 inspectors per target from 20 000 with recusals, cross rule
//! and balance, the whole engine step, and — for comparison on the same
//! pool — the SHA-256-per-item sampler used in election audits.
//!
//! `cargo bench --bench engine`; results and the machine are recorded in
//! BENCHMARKS.md.

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use opendraw::protocol::assign::assign_inspectors;
use opendraw::protocol::draw::draw_targets;
use opendraw::protocol::field::{
    Department, EntropySource, InspectorId, ItemCode, Region, TargetId, TaskId, Unit,
};
use opendraw::protocol::manifest::{Inspector, Recusal};
use opendraw::protocol::stream::DrawStream;
use opendraw::protocol::{
    BasisPoints, CrossRule, Date, Digest, DrawInputs, EntropyFormat, InspectorManifest, InspectorsPerTarget,
    Parameters, Quota, RecusalManifest, Seed, TargetManifest, TargetManifestBuilder, run_draw,
};
use sha2::{Digest as _, Sha256};

const REGIONS: usize = 75;
const CLASSES: [&str; 4] = ["A", "B", "C", "D"];
const INSPECTORS: usize = 20_000;
const RECUSALS: usize = 20_000;

/// A directory export already in id order, as a database returns it.
struct Pool {
    ids: Vec<u8>,
    stratum: Vec<u16>,
    region: Vec<u8>,
    strata: Vec<String>,
    regions: Vec<String>,
    units: Vec<String>,
}

const ID_LEN: usize = 18;

impl Pool {
    fn new(size: usize) -> Self {
        let regions: Vec<String> = (0..REGIONS).map(|r| format!("3201{:02}", r + 1)).collect();
        let units: Vec<String> = regions.iter().map(|r| format!("{r}-market")).collect();
        let strata: Vec<String> =
            regions.iter().flat_map(|r| CLASSES.iter().map(move |c| format!("{r}/{c}"))).collect();
        let mut ids = Vec::with_capacity(size * ID_LEN);
        let mut stratum = Vec::with_capacity(size);
        let mut region = Vec::with_capacity(size);
        for index in 0..size as u64 {
            // Unified social credit code–like ids, increasing with the index.
            ids.extend_from_slice(format!("91{:016}", index * 7 + 3).as_bytes());
            let mixed = index.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
            let r = (mixed % REGIONS as u64) as usize;
            let class = match (mixed >> 16) % 100 {
                0..=29 => 0,
                30..=74 => 1,
                75..=94 => 2,
                _ => 3,
            };
            region.push(r as u8);
            stratum.push((r * CLASSES.len() + class) as u16);
        }
        Self { ids, stratum, region, strata, regions, units }
    }

    fn len(&self) -> usize {
        self.stratum.len()
    }

    fn id(&self, index: usize) -> &str {
        std::str::from_utf8(&self.ids[index * ID_LEN..(index + 1) * ID_LEN]).unwrap()
    }

    fn manifest(&self) -> TargetManifest {
        let mut builder = TargetManifestBuilder::with_capacity(self.len());
        for index in 0..self.len() {
            let region = self.region[index] as usize;
            builder
                .push(
                    self.id(index),
                    &self.strata[self.stratum[index] as usize],
                    &self.regions[region],
                    &self.units[region],
                )
                .unwrap();
        }
        builder.finish().unwrap()
    }
}

fn inspectors(pool: &Pool) -> InspectorManifest {
    let rows = (0..INSPECTORS)
        .map(|index| {
            let region = (index * 7919) % REGIONS;
            Inspector::new(
                InspectorId::parse(&format!("E{index:06}")).unwrap(),
                Department::parse("market").unwrap(),
                Unit::parse(&pool.units[region]).unwrap(),
                Region::parse(&pool.regions[region]).unwrap(),
                vec![ItemCode::parse("FOOD-01").unwrap()],
                Date::parse("2027-12-31").unwrap(),
            )
            .unwrap()
        })
        .collect();
    InspectorManifest::new(rows).unwrap()
}

fn recusals(pool: &Pool) -> RecusalManifest {
    let pairs = (0..RECUSALS)
        .map(|index| Recusal {
            inspector: InspectorId::parse(&format!("E{:06}", (index * 104_729) % INSPECTORS)).unwrap(),
            target: TargetId::parse(pool.id((index * 1_000_003) % pool.len())).unwrap(),
        })
        .collect();
    RecusalManifest::new(pairs)
}

fn parameters(basis_points: u32) -> Parameters {
    Parameters::new(
        TaskId::parse("bench").unwrap(),
        vec![ItemCode::parse("FOOD-01").unwrap()],
        Date::parse("2026-12-01").unwrap(),
        InspectorsPerTarget::new(2).unwrap(),
        CrossRule { region: true, unit: false },
        true,
        vec![Department::parse("market").unwrap()],
        Some(Quota::Ratio(BasisPoints::new(basis_points).unwrap())),
        Default::default(),
    )
    .unwrap()
}

/// The SHA-256-per-item sampler of election audits, on the same pool and
/// quotas: every item gets the ticket SHA-256(seed ‖ id), and each stratum
/// keeps its quota of smallest tickets, in ticket order.
fn hash_per_item_sample(manifest: &TargetManifest, parameters: &Parameters, seed: &[u8; 32]) -> Vec<u32> {
    let mut tickets: Vec<Vec<(u64, u32)>> = vec![Vec::new(); manifest.strata().len()];
    let prefix = Sha256::new_with_prefix(seed);
    for index in 0..manifest.len() {
        let hash = prefix.clone().chain_update(manifest.get(index).id.as_bytes()).finalize();
        let ticket = u64::from_be_bytes(hash[..8].try_into().unwrap());
        tickets[manifest.stratum_index(index)].push((ticket, index as u32));
    }
    let mut chosen = Vec::new();
    for (key, mut stratum) in manifest.strata().iter().zip(tickets) {
        let quota = parameters.quota_for(key).unwrap().of(stratum.len() as u32) as usize;
        if quota > 0 && quota < stratum.len() {
            stratum.select_nth_unstable(quota - 1);
        }
        stratum.truncate(quota);
        stratum.sort_unstable();
        chosen.extend(stratum.iter().map(|(_, index)| *index));
    }
    chosen
}

/// One pool size's inputs, built the first time a selected benchmark needs
/// them, so that a filtered run builds only what it measures.
struct Fixture {
    pool: Pool,
    manifest: TargetManifest,
    inspectors: InspectorManifest,
    recusals: RecusalManifest,
}

fn fixture(size: usize) -> &'static Fixture {
    static SMALL: OnceLock<Fixture> = OnceLock::new();
    static LARGE: OnceLock<Fixture> = OnceLock::new();
    let cell = if size == 1_000_000 { &SMALL } else { &LARGE };
    cell.get_or_init(|| {
        let pool = Pool::new(size);
        let manifest = pool.manifest();
        assert_eq!(manifest.strata().len(), 300);
        let inspectors = inspectors(&pool);
        let recusals = recusals(&pool);
        Fixture { pool, manifest, inspectors, recusals }
    })
}

impl Fixture {
    fn inputs<'a>(&'a self, parameters: &'a Parameters) -> DrawInputs<'a> {
        DrawInputs {
            parameters,
            targets: &self.manifest,
            inspectors: &self.inspectors,
            recusals: &self.recusals,
        }
    }
}

fn benches(c: &mut Criterion) {
    let seed = Seed(Digest([7; 32]));
    for size in [1_000_000usize, 10_000_000] {
        let label = if size == 1_000_000 { "1M" } else { "10M" };
        let seconds = if size > 1_000_000 { 30 } else { 5 };

        let mut group = c.benchmark_group(format!("manifest-{label}"));
        group.sample_size(10).measurement_time(Duration::from_secs(seconds));
        group.bench_function("sha256-only", |b| {
            let bytes = fixture(size).manifest.to_bytes();
            b.iter(|| Digest::of_file(black_box(&bytes)))
        });
        group.bench_function("build+sha256", |b| {
            let f = fixture(size);
            b.iter(|| black_box(f.pool.manifest()).digest())
        });
        group.finish();

        let mut group = c.benchmark_group(format!("draw-{label}"));
        group.sample_size(10).measurement_time(Duration::from_secs(seconds));
        for basis_points in [100u32, 1_000] {
            let parameters = parameters(basis_points);
            let percent = format!("{}%", basis_points / 100);
            group.bench_function(BenchmarkId::new("targets", &percent), |b| {
                let inputs = fixture(size).inputs(&parameters);
                b.iter(|| draw_targets(&inputs, &mut DrawStream::new(seed.bytes())))
            });
            group.bench_function(BenchmarkId::new("assign-2-of-20000", &percent), |b| {
                let f = fixture(size);
                let inputs = f.inputs(&parameters);
                let (_, selected) = draw_targets(&inputs, &mut DrawStream::new(seed.bytes()));
                let ids: Vec<TargetId> = selected
                    .iter()
                    .map(|&i| TargetId::parse(f.manifest.get(i as usize).id).unwrap())
                    .collect();
                b.iter(|| {
                    let mut stream = DrawStream::new([1; 32]);
                    let (assignments, failure) = assign_inspectors(&inputs, &selected, &ids, &mut stream);
                    assert!(failure.is_none());
                    assignments
                })
            });
            group.bench_function(BenchmarkId::new("assign-setup-only", &percent), |b| {
                let inputs = fixture(size).inputs(&parameters);
                b.iter(|| assign_inspectors(&inputs, &[], &[], &mut DrawStream::new([1; 32])))
            });
            group.bench_function(BenchmarkId::new("sha256-per-item-sampler", &percent), |b| {
                let f = fixture(size);
                b.iter(|| hash_per_item_sample(&f.manifest, &parameters, &seed.bytes()))
            });
            group.bench_function(BenchmarkId::new("engine-step", &percent), |b| {
                let f = fixture(size);
                b.iter(|| {
                    let targets = f.pool.manifest();
                    let inputs = DrawInputs { targets: &targets, ..f.inputs(&parameters) };
                    let commitment = inputs.commitment(
                        Digest([3; 32]),
                        EntropyFormat::Digits,
                        EntropySource::parse("bench").unwrap(),
                    );
                    let result = run_draw(&inputs, commitment.digest(), &seed).unwrap();
                    assert!(result.failure.is_none());
                    result.digest()
                })
            });
        }
        group.finish();
    }
}

criterion_group!(engine, benches);
criterion_main!(engine);
