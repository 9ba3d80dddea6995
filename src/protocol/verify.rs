//! Verification of a revealed draw (PROTOCOL.md §10): recompute everything
//! from the published files and compare, check by check.

use std::fmt;

use super::beacon::{self, BEACON_FILE, BeaconFile};
use super::commitment::{COMMITMENT_FILE, Commitment, REVEAL_FILE, Reveal, Seed};
use super::digest::Digest;
use super::draw::{DrawInputs, run_draw};
use super::event_time::EventTime;
use super::log_proof::LOG_PROOF_FILE;
use super::manifest::{
    INSPECTORS_FILE, InspectorManifest, RECUSALS_FILE, RecusalManifest, TARGETS_FILE, TargetManifest,
};
use super::parameters::{FrequencyCap, PARAMETERS_FILE, Parameters};
use super::replace::{REPLACEMENTS_FILE, Replacement, Replacements, apply, draw_replacement};
use super::result::{DrawResult, RESULT_FILE};

/// The files of a verification bundle, as bytes.
#[derive(Debug, Clone, Default)]
pub struct BundleFiles {
    pub commitment: Vec<u8>,
    pub parameters: Vec<u8>,
    pub targets: Vec<u8>,
    pub inspectors: Vec<u8>,
    pub recusals: Vec<u8>,
    pub reveal: Vec<u8>,
    pub result: Vec<u8>,
    /// Present when inspectors were replaced after the draw (§16).
    pub replacements: Option<Vec<u8>>,
    /// `drand.tsv`: present when the entropy is a drand round (§3.6, §11).
    pub beacon: Option<Vec<u8>>,
    /// `log.tsv`: the task's log entries proven in a signed checkpoint
    /// (§15.6), in bundles served since the log became a Merkle tree.
    pub log_proof: Option<Vec<u8>>,
}

impl BundleFiles {
    /// Everything a verifier needs about one revealed draw.
    pub fn new(
        inputs: &DrawInputs<'_>,
        commitment: &Commitment,
        reveal: &Reveal,
        result: &DrawResult,
    ) -> Self {
        Self {
            commitment: commitment.to_text(),
            parameters: inputs.parameters.to_text(),
            targets: inputs.targets.to_bytes(),
            inspectors: inputs.inspectors.text().to_vec(),
            recusals: inputs.recusals.text().to_vec(),
            reveal: reveal.to_text(),
            result: result.to_text(),
            replacements: None,
            beacon: None,
            log_proof: None,
        }
    }

    /// Every member present, in bundle order: the seven required, then
    /// drand.tsv and replacements.tsv when there are.
    pub fn present(&self) -> Vec<(&'static str, &Vec<u8>)> {
        let mut members = self.members().to_vec();
        if let Some(beacon) = &self.beacon {
            members.push((BEACON_FILE, beacon));
        }
        if let Some(replacements) = &self.replacements {
            members.push((REPLACEMENTS_FILE, replacements));
        }
        if let Some(log_proof) = &self.log_proof {
            members.push((LOG_PROOF_FILE, log_proof));
        }
        members
    }

    /// The seven members every bundle has: file name and contents, in bundle order.
    pub fn members(&self) -> [(&'static str, &Vec<u8>); 7] {
        [
            (COMMITMENT_FILE, &self.commitment),
            (PARAMETERS_FILE, &self.parameters),
            (TARGETS_FILE, &self.targets),
            (INSPECTORS_FILE, &self.inspectors),
            (RECUSALS_FILE, &self.recusals),
            (REVEAL_FILE, &self.reveal),
            (RESULT_FILE, &self.result),
        ]
    }

    pub fn member_mut(&mut self, name: &str) -> Option<&mut Vec<u8>> {
        Some(match name {
            COMMITMENT_FILE => &mut self.commitment,
            PARAMETERS_FILE => &mut self.parameters,
            TARGETS_FILE => &mut self.targets,
            INSPECTORS_FILE => &mut self.inspectors,
            RECUSALS_FILE => &mut self.recusals,
            REVEAL_FILE => &mut self.reveal,
            RESULT_FILE => &mut self.result,
            REPLACEMENTS_FILE => self.replacements.get_or_insert_with(Vec::new),
            BEACON_FILE => self.beacon.get_or_insert_with(Vec::new),
            LOG_PROOF_FILE => self.log_proof.get_or_insert_with(Vec::new),
            _ => return None,
        })
    }
}

/// Digests taken from the public log, which the bundle must match. Without
/// them a bundle can only be checked for being consistent with itself.
#[derive(Debug, Clone, Default)]
pub struct Pins {
    pub commitment: Option<Digest>,
    pub result: Option<Digest>,
    /// The line digests of the task's `task.replaced` entries in number
    /// order (§16), keyed or, for entries logged before keyed digests,
    /// plain; empty when the log holds no replacement of the task.
    pub replacements: Option<Vec<Digest>>,
    /// The time of the task's `task.committed` entry, as the log states it.
    pub committed_at: Option<String>,
}

impl Pins {
    /// The pins a bundle needs to be *verified* against the public log
    /// rather than merely consistent, that these lack.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.commitment.is_none() {
            missing.push("commitment digest");
        }
        if self.result.is_none() {
            missing.push("result digest");
        }
        if self.replacements.is_none() {
            missing.push("replacement digests");
        }
        missing
    }
}

/// What a check looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    /// A file is well formed.
    Document,
    /// A committed file's SHA-256 is the one in the commitment.
    FileDigest,
    Commitment,
    /// The entropy's committed event time is after the commitment (§3.3).
    EntropyTime,
    /// The committed drand round's signature and the entropy it gives (§3.6).
    Beacon,
    Secret,
    Seed,
    /// One stratum's pool size, quota and selection.
    Stratum,
    /// Every target's inspectors.
    Inspectors,
    /// Whether the draw completed, or failed where and why.
    Outcome,
    ResultDigest,
    /// One replacement of an inspector after the draw (§16).
    Replacement,
    /// The bundle's replacements are exactly those the public log holds.
    ReplacementDigests,
    /// A frequency cap the parameters commit to (§2.5): reported, for the
    /// earlier draws are not in the bundle (§17).
    FrequencyCap,
}

impl CheckKind {
    /// The kind's name in test vectors and machine-readable reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Document => "document",
            CheckKind::FileDigest => "file-digest",
            CheckKind::Commitment => "commitment",
            CheckKind::EntropyTime => "entropy-time",
            CheckKind::Beacon => "beacon",
            CheckKind::Secret => "secret",
            CheckKind::Seed => "seed",
            CheckKind::Stratum => "stratum",
            CheckKind::Inspectors => "inspectors",
            CheckKind::Outcome => "outcome",
            CheckKind::ResultDigest => "result-digest",
            CheckKind::Replacement => "replacement",
            CheckKind::ReplacementDigests => "replacement-digests",
            CheckKind::FrequencyCap => "frequency-cap",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub kind: CheckKind,
    /// What was checked: a file name, a stratum key.
    pub subject: String,
    pub passed: bool,
    /// On a pass, what was found; on a failure, the first difference.
    pub detail: String,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "pass" } else { "FAIL" };
        let what = match self.kind {
            CheckKind::Document => "file",
            CheckKind::FileDigest => "digest of",
            CheckKind::Commitment => "commitment",
            CheckKind::EntropyTime => "entropy time",
            CheckKind::Beacon => "drand",
            CheckKind::Secret => "secret",
            CheckKind::Seed => "seed",
            CheckKind::Stratum => "stratum",
            CheckKind::Inspectors => "inspectors",
            CheckKind::Outcome => "outcome",
            CheckKind::ResultDigest => "result digest",
            CheckKind::Replacement => "replacement",
            CheckKind::ReplacementDigests => "replacement digests",
            CheckKind::FrequencyCap => "frequency cap",
        };
        write!(f, "{verdict}  {what} {}: {}", self.subject, self.detail)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    pub fn passed(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|check| check.passed)
    }

    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|check| !check.passed)
    }

    fn record(
        &mut self,
        kind: CheckKind,
        subject: impl Into<String>,
        outcome: Result<String, String>,
    ) -> bool {
        let passed = outcome.is_ok();
        let detail = outcome.unwrap_or_else(|failure| failure);
        self.checks.push(Check { kind, subject: subject.into(), passed, detail });
        passed
    }
}

/// Runs every check that the files allow, in the order of PROTOCOL.md §10.
pub fn verify(files: &BundleFiles, pins: &Pins) -> Report {
    let mut report = Report::default();
    let Ok((commitment, stated)) = Commitment::parse(&files.commitment)
        .map_err(|error| report.record(CheckKind::Document, COMMITMENT_FILE, Err(error.to_string())))
    else {
        return report;
    };
    let committed = [
        (PARAMETERS_FILE, &files.parameters, commitment.parameters),
        (TARGETS_FILE, &files.targets, commitment.targets),
        (INSPECTORS_FILE, &files.inspectors, commitment.inspectors),
        (RECUSALS_FILE, &files.recusals, commitment.recusals),
    ];
    for (name, bytes, expected) in committed {
        report.record(CheckKind::FileDigest, name, compare_digest(expected, Digest::of_file(bytes)));
    }
    let digest = commitment.digest();
    report.record(CheckKind::Commitment, "digest", check_commitment(digest, stated, pins.commitment));
    if let Some(event) = &commitment.entropy_event {
        report.record(CheckKind::EntropyTime, "after the commitment", check_event_time(event, pins));
    }

    let Ok(reveal) = Reveal::parse(&files.reveal)
        .map_err(|error| report.record(CheckKind::Document, REVEAL_FILE, Err(error.to_string())))
    else {
        return report;
    };
    let secret_hash = reveal.secret.hash();
    let secret = if secret_hash == commitment.secret_hash {
        Ok(format!("its hash {} is the committed one", short(secret_hash)))
    } else {
        Err(format!("its hash is {}, the commitment holds {}", secret_hash, commitment.secret_hash))
    };
    report.record(CheckKind::Secret, "against its hash", secret);
    let seed = Seed::derive(&digest, &reveal.secret, &reveal.entropy);
    let seed_outcome = if reveal.commitment != digest {
        Err(format!("reveal.tsv names commitment {}, not {}", reveal.commitment, digest))
    } else if let Err(reason) = commitment.entropy_format.check(&reveal.entropy) {
        Err(format!("the entropy is not written as committed: {reason}"))
    } else if seed.0 == reveal.seed {
        Ok(format!("{} from the commitment, secret and entropy", short(seed.0)))
    } else {
        Err(format!("the commitment, secret and entropy give {}, reveal.tsv states {}", seed.0, reveal.seed))
    };
    report.record(CheckKind::Seed, "derivation", seed_outcome);
    match (&commitment.beacon, &files.beacon) {
        (Some(_), _) => check_beacon(&commitment, &reveal, files, &mut report),
        (None, Some(_)) => {
            let detail = "the commitment names no drand round, so the bundle has no drand.tsv";
            report.record(CheckKind::Document, BEACON_FILE, Err(detail.into()));
        }
        (None, None) => {}
    }

    let Some(expected) = recompute(files, digest, &seed, &mut report) else {
        return report;
    };
    let Ok(published) = DrawResult::parse(&files.result)
        .map_err(|error| report.record(CheckKind::Document, RESULT_FILE, Err(error.to_string())))
    else {
        return report;
    };
    compare_results(&expected, &published, &mut report);
    let expected_digest = expected.digest();
    let actual = Digest::of_file(&files.result);
    let outcome = match pins.result {
        Some(pin) if pin != actual => {
            Err(format!("result.tsv hashes to {actual}, the public log holds {pin}"))
        }
        _ if actual != expected_digest => {
            Err(format!("result.tsv hashes to {actual}; the recomputed result hashes to {expected_digest}"))
        }
        Some(_) => Ok(format!("{} matches the recomputed result and the public log", short(actual))),
        None => {
            Ok(format!("{} matches the recomputed result; compare it with the public log", short(actual)))
        }
    };
    report.record(CheckKind::ResultDigest, RESULT_FILE, outcome);
    let published = match &files.replacements {
        Some(text) => match check_replacements(files, text, digest, &seed, expected, &mut report) {
            Some(published) => published.items,
            None => return report,
        },
        None => Vec::new(),
    };
    if let Some(logged) = &pins.replacements {
        let outcome = compare_replacement_digests(&published, logged, &seed, files.replacements.is_some());
        report.record(CheckKind::ReplacementDigests, REPLACEMENTS_FILE, outcome);
    }
    report
}

/// Compares the published replacements with the line digests of the log,
/// in number order: none may be missing, added or changed (§10, check 9).
fn compare_replacement_digests(
    published: &[Replacement],
    logged: &[Digest],
    seed: &Seed,
    has_file: bool,
) -> Result<String, String> {
    if !has_file && !logged.is_empty() {
        return Err(format!(
            "the public log holds {} replacements; the bundle has no replacements.tsv",
            logged.len()
        ));
    }
    for (item, pin) in published.iter().zip(logged) {
        if *pin != item.keyed_line_digest(seed) && *pin != item.line_digest() {
            return Err(format!(
                "the line of replacement {} is not the one the public log holds ({})",
                item.number,
                short(*pin)
            ));
        }
    }
    match published.len().cmp(&logged.len()) {
        std::cmp::Ordering::Less => Err(format!(
            "replacement {} of the public log is missing: replacements.tsv has {} of its {}",
            published.len() + 1,
            published.len(),
            logged.len()
        )),
        std::cmp::Ordering::Greater => Err(format!(
            "replacement {} is not in the public log, which holds {}",
            logged.len() + 1,
            logged.len()
        )),
        std::cmp::Ordering::Equal if logged.is_empty() => Ok("no replacement, as in the public log".into()),
        std::cmp::Ordering::Equal => {
            Ok(format!("{} replacements, each line as the public log holds it", logged.len()))
        }
    }
}

/// Recomputes every replacement in order, from the recomputed assignments;
/// the replacements as published, or None when the file is not usable.
fn check_replacements(
    files: &BundleFiles,
    text: &[u8],
    commitment: Digest,
    seed: &Seed,
    result: DrawResult,
    report: &mut Report,
) -> Option<Replacements> {
    let published = match Replacements::parse(text) {
        Ok(published) => published,
        Err(error) => {
            report.record(CheckKind::Document, REPLACEMENTS_FILE, Err(error.to_string()));
            return None;
        }
    };
    if published.commitment != commitment {
        let detail = format!("replacements.tsv is for commitment {}, not {commitment}", published.commitment);
        report.record(CheckKind::Document, REPLACEMENTS_FILE, Err(detail));
        return None;
    }
    let parsed = (|| {
        Ok::<_, super::tsv::ParseError>((
            Parameters::parse(&files.parameters)?,
            TargetManifest::parse(files.targets.clone())?,
            InspectorManifest::parse(files.inspectors.clone())?,
            RecusalManifest::parse(files.recusals.clone())?,
        ))
    })();
    let Ok((parameters, targets, inspectors, recusals)) = parsed else { return Some(published) };
    let inputs = DrawInputs {
        parameters: &parameters,
        targets: &targets,
        inspectors: &inspectors,
        recusals: &recusals,
    };
    let mut current = result.assignments;
    for item in &published.items {
        let drawn =
            draw_replacement(&inputs, seed, &current, item.number, &item.target, &item.department, &item.out);
        let outcome = match drawn {
            Ok(drawn) if drawn == item.replacement => Ok(format!(
                "target {}, department {}: {} replaced by {}, as published",
                item.target, item.department, item.out, drawn
            )),
            Ok(drawn) => Err(format!(
                "target {}, department {}: {} is replaced by {drawn}, not by the published {}",
                item.target, item.department, item.out, item.replacement
            )),
            Err(error) => Err(error.to_string()),
        };
        report.record(CheckKind::Replacement, item.number.to_string(), outcome);
        apply(&mut current, item);
    }
    Some(published)
}

fn recompute(
    files: &BundleFiles,
    commitment: Digest,
    seed: &Seed,
    report: &mut Report,
) -> Option<DrawResult> {
    let parsed = (|| {
        let parameters = Parameters::parse(&files.parameters)?;
        let targets = TargetManifest::parse(files.targets.clone())?;
        let inspectors = InspectorManifest::parse(files.inspectors.clone())?;
        let recusals = RecusalManifest::parse(files.recusals.clone())?;
        Ok::<_, super::tsv::ParseError>((parameters, targets, inspectors, recusals))
    })();
    let (parameters, targets, inspectors, recusals) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            report.record(CheckKind::Document, error.file, Err(error.to_string()));
            return None;
        }
    };
    for (item, cap) in parameters.frequency_caps() {
        report.record(CheckKind::FrequencyCap, item.as_str(), Ok(cap_detail(*cap)));
    }
    let inputs = DrawInputs {
        parameters: &parameters,
        targets: &targets,
        inspectors: &inspectors,
        recusals: &recusals,
    };
    match run_draw(&inputs, commitment, seed) {
        Ok(result) => Some(result),
        Err(error) => {
            report.record(CheckKind::Document, PARAMETERS_FILE, Err(error.to_string()));
            None
        }
    }
}

/// What a frequency cap line commits to, and where it is checked.
pub fn cap_detail(cap: FrequencyCap) -> String {
    format!(
        "at most {} draw(s) of one target for this item in {}: no target of the pool had been drawn that often by the department's earlier revealed tasks; check it against their bundles (opendraw caps)",
        cap.times(),
        cap.year()
    )
}

fn compare_digest(expected: Digest, actual: Digest) -> Result<String, String> {
    if expected == actual {
        Ok(format!("{} as committed", short(actual)))
    } else {
        Err(format!("the file hashes to {actual}, the commitment holds {expected}"))
    }
}

fn check_commitment(digest: Digest, stated: Digest, pin: Option<Digest>) -> Result<String, String> {
    if digest != stated {
        return Err(format!("the committed values give {digest}, commitment.tsv states {stated}"));
    }
    match pin {
        Some(pin) if pin != digest => Err(format!("{digest} is not the digest in the public log, {pin}")),
        Some(_) => Ok(format!("{} matches the public log", short(digest))),
        None => Ok(format!("{digest}; compare it with the public log")),
    }
}

/// The entropy must come into being after the commitment: otherwise whoever
/// committed could have known it, and chosen a secret to suit it.
/// The committed drand round (§3.6, §10 check 5), as up to four checks,
/// stopping at the first that fails: the bundle's drand.tsv names the
/// committed chain, which this verifier knows [`beacon`, `chain`]; the
/// committed round, whose time is the committed event [`beacon`, `round`];
/// the signature is valid for that round under the chain's public key
/// [`beacon`, `signature`]; and the revealed entropy is its randomness,
/// SHA-256 of the signature [`beacon`, `entropy`].
fn check_beacon(commitment: &Commitment, reveal: &Reveal, files: &BundleFiles, report: &mut Report) {
    let committed = commitment.beacon.expect("called for a drand commitment");
    let file = match files.beacon.as_deref().map(BeaconFile::parse) {
        None => {
            let detail = format!(
                "the commitment names drand round {} of chain {}; the bundle has no drand.tsv with its signature",
                committed.round, committed.chain
            );
            report.record(CheckKind::Document, BEACON_FILE, Err(detail));
            return;
        }
        Some(Err(error)) => {
            report.record(CheckKind::Document, BEACON_FILE, Err(error.to_string()));
            return;
        }
        Some(Ok(file)) => file,
    };
    let chain = if file.chain != committed.chain {
        Err(format!("drand.tsv names chain {}, the commitment names {}", file.chain, committed.chain))
    } else {
        beacon::chain(&committed.chain)
            .ok_or_else(|| format!("{} is not a drand chain this verifier knows", committed.chain))
    };
    let chain = match chain {
        Ok(chain) => {
            report.record(
                CheckKind::Beacon,
                "chain",
                Ok(format!("{} ({})", chain.name, short(chain.hash_digest()))),
            );
            chain
        }
        Err(failure) => {
            report.record(CheckKind::Beacon, "chain", Err(failure));
            return;
        }
    };
    let round_time = chain.round_event(committed.round);
    let round = if file.round.round != committed.round {
        Err(format!(
            "drand.tsv holds round {}, the commitment names round {}",
            file.round.round, committed.round
        ))
    } else {
        match &commitment.entropy_event {
            Some(event) if event.instant() == round_time.instant() => Ok(format!(
                "round {}, produced at {round_time}, the committed entropy event",
                committed.round
            )),
            Some(event) => Err(format!(
                "the committed entropy event {event} is not the time of round {} ({round_time})",
                committed.round
            )),
            None => Err("a drand commitment needs its entropy event".into()),
        }
    };
    if !report.record(CheckKind::Beacon, "round", round) {
        return;
    }
    let signature = beacon::verify_signature(chain, &file.round)
        .map(|()| format!("valid for round {} under the {} public key", committed.round, chain.name))
        .map_err(|error| error.to_string());
    if !report.record(CheckKind::Beacon, "signature", signature) {
        return;
    }
    let entropy = beacon::entropy(&file.round.signature);
    let outcome = if reveal.entropy == entropy {
        Ok(format!("the revealed entropy is the round's randomness {}", entropy.as_str()))
    } else {
        Err(format!(
            "reveal.tsv states {}, the round's randomness SHA-256(signature) is {}",
            reveal.entropy.as_str(),
            entropy.as_str()
        ))
    };
    report.record(CheckKind::Beacon, "entropy", outcome);
}

fn check_event_time(event: &EventTime, pins: &Pins) -> Result<String, String> {
    let Some(committed_at) = pins.committed_at.as_deref() else {
        return Ok(format!(
            "the entropy comes into being at {event}; commitment time unknown: compare it with the time of the task's task.committed log entry"
        ));
    };
    match event.compare_with_log_time(committed_at) {
        None => Err(format!("the commitment time '{committed_at}' is not a log time (§15.1)")),
        Some(std::cmp::Ordering::Greater) => {
            Ok(format!("the entropy comes into being at {event}, after the commitment at {committed_at}"))
        }
        Some(_) => Err(format!(
            "the entropy event {event} is not after the commitment at {committed_at}: the entropy may have been known when the draw was committed"
        )),
    }
}

/// Compares the recomputed result with the published one, stratum by
/// stratum, then the inspectors, then the outcome; each reports the first
/// difference it finds.
fn compare_results(expected: &DrawResult, found: &DrawResult, report: &mut Report) {
    if found.commitment != expected.commitment {
        let detail =
            format!("result.tsv is for commitment {}, not {}", found.commitment, expected.commitment);
        report.record(CheckKind::Document, RESULT_FILE, Err(detail));
    }
    for (index, stratum) in expected.strata.iter().enumerate() {
        let expected_ids = selection(expected, index);
        let outcome = match found.strata.iter().position(|s| s.key == stratum.key) {
            None => Err(format!("missing from the published result (expected {} drawn)", stratum.quota)),
            Some(at) => {
                let published = &found.strata[at];
                let found_ids = selection(found, at);
                if (published.pool, published.quota) != (stratum.pool, stratum.quota) {
                    Err(format!(
                        "pool {} and quota {} expected, published {} and {}",
                        stratum.pool, stratum.quota, published.pool, published.quota
                    ))
                } else if let Some(difference) =
                    first_difference(stratum.key.as_ref(), &expected_ids, &found_ids)
                {
                    Err(difference)
                } else {
                    Ok(format!("{} of {} drawn, as published", stratum.quota, stratum.pool))
                }
            }
        };
        report.record(CheckKind::Stratum, stratum.key.as_str(), outcome);
    }
    for extra in found.strata.iter().filter(|s| !expected.strata.iter().any(|e| e.key == s.key)) {
        report.record(
            CheckKind::Stratum,
            extra.key.as_str(),
            Err("published, but no target of the pool is in it".into()),
        );
    }
    let inspectors = match expected.assignments.iter().zip(&found.assignments).find(|(e, f)| e != f) {
        Some((e, f)) if e.target != f.target || e.department != f.department => Err(format!(
            "expected target {} (department {}) next, found target {} (department {})",
            e.target, e.department, f.target, f.department
        )),
        Some((e, f)) => Err(format!(
            "target {}, department {}: expected {}, found {}",
            e.target,
            e.department,
            join(&e.inspectors),
            join(&f.inspectors)
        )),
        None if expected.assignments.len() != found.assignments.len() => Err(format!(
            "expected {} assignments, found {}",
            expected.assignments.len(),
            found.assignments.len()
        )),
        None => {
            let per_target = expected.assignments.first().map_or(0, |a| a.inspectors.len());
            Ok(format!(
                "{} assignments of {} inspectors each, as published",
                expected.assignments.len(),
                per_target
            ))
        }
    };
    report.record(CheckKind::Inspectors, "of every target", inspectors);
    let outcome = match (&expected.failure, &found.failure) {
        (None, None) => Ok("complete: every drawn target has its inspectors".to_string()),
        (Some(e), Some(f)) if e == f => Ok(format!("failed, as published: {e}")),
        (Some(e), _) => Err(format!("the draw fails: {e}; the published result says otherwise")),
        (None, Some(f)) => Err(format!("the draw completes; the published result records a failure: {f}")),
    };
    report.record(CheckKind::Outcome, "status", outcome);
}

fn selection(result: &DrawResult, stratum: usize) -> Vec<&str> {
    result.targets.iter().filter(|t| t.stratum == stratum).map(|t| t.id.as_str()).collect()
}

fn first_difference(stratum: &str, expected: &[&str], found: &[&str]) -> Option<String> {
    let position = expected.iter().zip(found).position(|(e, f)| e != f);
    match position {
        Some(at) => {
            let (e, f) = (expected[at], found[at]);
            let missing = if found.contains(&e) {
                String::new()
            } else {
                format!("; {e} is not selected in the published result")
            };
            Some(format!(
                "draw position {} in stratum {stratum}: expected target {e}, found {f}{missing}",
                at + 1
            ))
        }
        None if expected.len() > found.len() => Some(format!(
            "target {} expected at draw position {} in stratum {stratum}, not selected in the published result",
            expected[found.len()],
            found.len() + 1
        )),
        None if found.len() > expected.len() => Some(format!(
            "target {} published at draw position {} in stratum {stratum}, but only {} are drawn",
            found[expected.len()],
            expected.len() + 1,
            expected.len()
        )),
        None => None,
    }
}

fn join(ids: &[super::field::InspectorId]) -> String {
    ids.iter().map(|id| id.as_str()).collect::<Vec<_>>().join(", ")
}

fn short(digest: Digest) -> String {
    digest.to_hex()[..16].to_string() + "…"
}
