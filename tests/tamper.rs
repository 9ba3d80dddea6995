//! Tamper tests: a revealed draw verifies; change one byte of any file and
//! verification fails, first at the check that guards that file.

use std::path::PathBuf;

use opendraw::domain::task_definition::TaskDefinition;
use opendraw::files::directory;
use opendraw::protocol::field::{Entropy, EntropySource};
use opendraw::protocol::verify::{BundleFiles, CheckKind, Pins, Report, verify};
use opendraw::protocol::{DrawInputs, EntropyFormat, Reveal, Secret, Seed, run_draw};

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/nanjing").join(name)
}

/// The example draw of `examples/nanjing`, revealed.
fn revealed_bundle() -> BundleFiles {
    let definition: TaskDefinition =
        serde_json::from_str(&std::fs::read_to_string(example("task.json")).unwrap()).unwrap();
    let parameters = definition.parameters_for("NJ-2026-Q4-FOOD-017", "market").unwrap();
    let targets =
        directory::read_targets(&example("targets.csv"), &definition.filter, None, &definition.strata_by)
            .unwrap();
    let inspectors =
        directory::read_inspectors(&[example("inspectors.csv"), example("inspectors-health.csv")]).unwrap();
    let recusal_files = [example("recusals.csv"), example("recusals-health.csv")];
    let (recusals, _) = directory::read_recusals(&recusal_files, &targets, &inspectors).unwrap();
    let inputs = DrawInputs {
        parameters: &parameters,
        targets: &targets,
        inspectors: &inspectors,
        recusals: &recusals,
    };
    let secret = Secret::from_bytes([0x5a; 32]);
    let commitment = inputs.commitment(
        secret.hash(),
        EntropyFormat::Digits,
        EntropySource::parse("digits read from a public lottery draw").unwrap(),
    );
    let digest = commitment.digest();
    let entropy = Entropy::parse("314159265358979").unwrap();
    let result = run_draw(&inputs, digest, &Seed::derive(&digest, &secret, &entropy)).unwrap();
    assert!(result.failure.is_none(), "the example draw completes");
    BundleFiles::new(&inputs, &commitment, &Reveal::new(digest, secret, entropy), &result)
}

fn first_failure(report: &Report) -> (CheckKind, String) {
    let check = report.first_failure().expect("verification should fail");
    (check.kind, check.subject.clone())
}

/// Replaces the first occurrence of `from` (after `after`) in one file.
fn tamper(files: &BundleFiles, member: &str, after: &str, from: &str, to: &str) -> BundleFiles {
    assert_eq!(from.len(), to.len(), "a tamper changes bytes, not lengths");
    let mut files = files.clone();
    let bytes = files.member_mut(member).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let start = text.find(after).unwrap_or_else(|| panic!("{after:?} not in {member}"));
    let at = start + text[start..].find(from).unwrap_or_else(|| panic!("{from:?} not in {member}"));
    bytes[at..at + from.len()].copy_from_slice(to.as_bytes());
    files
}

#[test]
fn an_untouched_bundle_verifies() {
    let report = verify(&revealed_bundle(), &Pins::default());
    assert!(report.passed(), "{:#?}", report.first_failure());
    let kinds: Vec<CheckKind> = report.checks.iter().map(|c| c.kind).collect();
    for kind in [
        CheckKind::FileDigest,
        CheckKind::Commitment,
        CheckKind::Secret,
        CheckKind::Seed,
        CheckKind::Stratum,
        CheckKind::Inspectors,
        CheckKind::ResultDigest,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} was not checked");
    }
}

#[test]
fn one_byte_changed_in_a_manifest_fails_its_digest() {
    let files = revealed_bundle();
    let targets = tamper(&files, "targets.tsv", "\n9132", "9132", "9133");
    assert_eq!(
        first_failure(&verify(&targets, &Pins::default())),
        (CheckKind::FileDigest, "targets.tsv".into())
    );
    let inspectors = tamper(&files, "inspectors.tsv", "\nE00", "E00", "E01");
    assert_eq!(
        first_failure(&verify(&inspectors, &Pins::default())),
        (CheckKind::FileDigest, "inspectors.tsv".into())
    );
    let recusals = tamper(&files, "recusals.tsv", "\nE0", "E0", "E9");
    assert_eq!(
        first_failure(&verify(&recusals, &Pins::default())),
        (CheckKind::FileDigest, "recusals.tsv".into())
    );
}

#[test]
fn one_byte_changed_in_the_parameters_fails_their_digest() {
    let files = revealed_bundle();
    let tampered = tamper(&files, "parameters.tsv", "default-quota", "500", "600");
    assert_eq!(
        first_failure(&verify(&tampered, &Pins::default())),
        (CheckKind::FileDigest, "parameters.tsv".into())
    );
}

#[test]
fn one_byte_changed_in_the_secret_fails_the_secret_check() {
    let files = revealed_bundle();
    let tampered = tamper(&files, "reveal.tsv", "secret\t", "5a5a", "5a5b");
    assert_eq!(first_failure(&verify(&tampered, &Pins::default())).0, CheckKind::Secret);
}

#[test]
fn one_byte_changed_in_the_entropy_fails_the_seed_check() {
    let files = revealed_bundle();
    let tampered = tamper(&files, "reveal.tsv", "entropy\t", "3141", "3151");
    let report = verify(&tampered, &Pins::default());
    assert_eq!(first_failure(&report).0, CheckKind::Seed);
}

#[test]
fn the_same_entropy_spelled_another_way_is_refused() {
    // The commitment fixed the spelling: separators cannot be slipped in
    // to get another seed from the same public value.
    let files = revealed_bundle();
    let reveal = Reveal::parse(&files.reveal).unwrap();
    let spaced = Entropy::parse("3 1 4 1 5 9 2 6 5 3 5 8 9 7 9").unwrap();
    let mut tampered = files.clone();
    tampered.reveal = Reveal::new(reveal.commitment, reveal.secret, spaced).to_text();
    let report = verify(&tampered, &Pins::default());
    let failure = report.first_failure().unwrap();
    assert_eq!(failure.kind, CheckKind::Seed);
    assert!(failure.detail.contains("not written as committed"), "{}", failure.detail);
}

#[test]
fn a_consistent_lie_about_entropy_and_seed_still_fails_at_the_selection() {
    // Whoever changes the entropy and states the seed it gives still cannot
    // make the published selection come out of it.
    let files = revealed_bundle();
    let reveal = Reveal::parse(&files.reveal).unwrap();
    let other = Reveal::new(reveal.commitment, reveal.secret, Entropy::parse("314159265358978").unwrap());
    let mut tampered = files.clone();
    tampered.reveal = other.to_text();
    let report = verify(&tampered, &Pins::default());
    assert_eq!(first_failure(&report).0, CheckKind::Stratum);
}

#[test]
fn one_byte_changed_in_the_result_names_the_first_difference() {
    let files = revealed_bundle();
    let result = String::from_utf8(files.result.clone()).unwrap();
    let line = result.lines().find(|l| l.starts_with("target\t2\t")).unwrap();
    let id = line.rsplit('\t').next().unwrap();
    let last = id.chars().last().unwrap();
    let swapped = if last == '0' { '1' } else { '0' };
    let changed = format!("{}{swapped}", &id[..id.len() - 1]);
    let tampered = tamper(&files, "result.tsv", "target\t2\t", id, &changed);
    let report = verify(&tampered, &Pins::default());
    let failure = report.first_failure().unwrap();
    assert_eq!(failure.kind, CheckKind::Stratum);
    assert!(failure.detail.contains(&format!("expected target {id}, found {changed}")), "{}", failure.detail);
    assert!(failure.detail.contains("draw position 2"), "{}", failure.detail);
}

#[test]
fn a_changed_inspector_names_the_target_and_both_lists() {
    let files = revealed_bundle();
    let result = String::from_utf8(files.result.clone()).unwrap();
    let line = result.lines().find(|l| l.starts_with("assign\t")).unwrap();
    let fields: Vec<&str> = line.split('\t').collect();
    let replacement = if fields[3] == "E001" { "E002" } else { "E001" };
    let tampered = tamper(&files, "result.tsv", line, fields[3], replacement);
    let failure = verify(&tampered, &Pins::default()).first_failure().cloned().unwrap();
    assert_eq!(failure.kind, CheckKind::Inspectors);
    assert!(
        failure
            .detail
            .starts_with(&format!("target {}, department market: expected {}", fields[1], fields[3])),
        "{}",
        failure.detail
    );
}

#[test]
fn a_bundle_that_does_not_match_the_public_log_fails_the_commitment() {
    let files = revealed_bundle();
    let pins = Pins { commitment: Some(opendraw::protocol::Digest([1; 32])), ..Pins::default() };
    assert_eq!(first_failure(&verify(&files, &pins)).0, CheckKind::Commitment);
    let pins = Pins { result: Some(opendraw::protocol::Digest([1; 32])), ..Pins::default() };
    assert_eq!(first_failure(&verify(&files, &pins)).0, CheckKind::ResultDigest);
}

#[test]
fn a_result_from_another_draw_is_refused() {
    let files = revealed_bundle();
    let mut tampered = files.clone();
    tampered.result = String::from_utf8(files.result.clone())
        .unwrap()
        .replacen("status\tcomplete", "status\tfailed", 1)
        .into_bytes();
    assert_eq!(
        first_failure(&verify(&tampered, &Pins::default())),
        (CheckKind::Document, "result.tsv".into())
    );
}
