//! Vectors for verifiers' behaviour rather than values (PROTOCOL.md §12):
//! `verify.json` lists tampered bundles and the checks a verifier reports
//! for each; `invalid.json` lists files every reader must refuse.
//!
//! `OPENDRAW_BLESS=1 cargo test --test vectors_checks` rewrites them.

mod common;

use base64::Engine as _;
use common::{load, read, text};
use opendraw::files::bundle;
use opendraw::protocol::Digest;
use opendraw::protocol::commitment::{Commitment, Reveal};
use opendraw::protocol::replace::{self, Replacement, Replacements};
use opendraw::protocol::verify::{BundleFiles, Pins, verify};
use opendraw::protocol::{
    DrawInputs, DrawResult, InspectorManifest, Parameters, RecusalManifest, Seed, TargetManifest,
};
use serde_json::{Value, json};

/// The bundle of the `strata-and-ratios` draw vector.
fn base_bundle() -> BundleFiles {
    bundle_of("strata-and-ratios")
}

/// The bundle of a draw vector.
fn bundle_of(name: &str) -> BundleFiles {
    let draws = read("draws.json");
    let case = draws["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap();
    bundle_from(&case["inputs"], &case["expected"])
}

/// The bundle a vector's inputs and expected files make; with drand.tsv
/// when the inputs hold one.
fn bundle_from(inputs: &Value, expected: &Value) -> BundleFiles {
    let file = |value: &Value| text(value).as_bytes().to_vec();
    BundleFiles {
        commitment: file(&expected["commitment.tsv"]),
        parameters: file(&inputs["parameters.tsv"]),
        targets: file(&inputs["targets.tsv"]),
        inspectors: file(&inputs["inspectors.tsv"]),
        recusals: file(&inputs["recusals.tsv"]),
        reveal: file(&expected["reveal.tsv"]),
        result: file(&expected["result.tsv"]),
        replacements: None,
        beacon: inputs.get("drand.tsv").map(file),
        log_proof: None,
    }
}

fn files_json(files: &BundleFiles) -> Value {
    let mut out = serde_json::Map::new();
    for (name, bytes) in files.present() {
        out.insert(name.to_owned(), json!(String::from_utf8(bytes.clone()).unwrap()));
    }
    Value::Object(out)
}

fn report_json(files: &BundleFiles, pins: &Pins) -> Value {
    let report = verify(files, pins);
    let checks: Vec<Value> =
        report.checks.iter().map(|c| json!([c.kind.as_str(), c.subject, c.passed])).collect();
    let first = report.first_failure().map(|c| json!({"kind": c.kind.as_str(), "subject": c.subject}));
    json!({"verified": report.passed(), "first_failure": first, "checks": checks})
}

/// One tampered copy of the base bundle: `from` replaced by `to` in one
/// member, at its first occurrence after `after`.
struct Tamper {
    name: &'static str,
    description: &'static str,
    member: &'static str,
    after: &'static str,
    from: &'static str,
    to: &'static str,
}

fn apply(files: &BundleFiles, tamper: &Tamper) -> BundleFiles {
    let mut files = files.clone();
    let bytes = files.member_mut(tamper.member).unwrap();
    let content = String::from_utf8(bytes.clone()).unwrap();
    let start =
        content.find(tamper.after).unwrap_or_else(|| panic!("{}: {:?} not found", tamper.name, tamper.after));
    let at = start
        + content[start..].find(tamper.from).unwrap_or_else(|| panic!("{}: {:?}", tamper.name, tamper.from));
    *bytes = format!("{}{}{}", &content[..at], tamper.to, &content[at + tamper.from.len()..]).into_bytes();
    files
}

fn make_verify() -> Value {
    let base = base_bundle();
    let commitment = Commitment::parse(&base.commitment).unwrap().0.digest();
    let result = Digest::of_file(&base.result);
    let tampers = [
        Tamper {
            name: "targets-byte",
            description: "one byte of a target id changed",
            member: "targets.tsv",
            after: "\nB02",
            from: "B02",
            to: "B03",
        },
        Tamper {
            name: "parameters-byte",
            description: "the default ratio changed from 300 to 400",
            member: "parameters.tsv",
            after: "default-quota",
            from: "300",
            to: "400",
        },
        Tamper {
            name: "inspectors-byte",
            description: "an inspector's region changed",
            member: "inspectors.tsv",
            after: "\nI2",
            from: "R1",
            to: "R2",
        },
        Tamper {
            name: "recusals-byte",
            description: "the recusal header changed",
            member: "recusals.tsv",
            after: "",
            from: "target_id",
            to: "target_Id",
        },
        Tamper {
            name: "entropy-source",
            description: "the entropy source rewritten without updating the stated digest",
            member: "commitment.tsv",
            after: "entropy-source",
            from: "numbers",
            to: "Numbers",
        },
        Tamper {
            name: "secret-byte",
            description: "one hex digit of the revealed secret changed",
            member: "reveal.tsv",
            after: "secret\t",
            from: "0",
            to: "f",
        },
        Tamper {
            name: "entropy-respelled",
            description: "the same digits with a space: not the committed format",
            member: "reveal.tsv",
            after: "entropy\t",
            from: "27",
            to: "2 7",
        },
        Tamper {
            name: "entropy-digit",
            description: "one digit of the entropy changed, seed line left alone",
            member: "reveal.tsv",
            after: "entropy\t",
            from: "27",
            to: "28",
        },
        Tamper {
            name: "result-target",
            description: "the first drawn target of stratum B replaced",
            member: "result.tsv",
            after: "target\t2\tB\t",
            from: "B0",
            to: "B9",
        },
        Tamper {
            name: "result-inspector",
            description: "an assigned inspector replaced",
            member: "result.tsv",
            after: "assign\tA",
            from: "\tI",
            to: "\tJ",
        },
        Tamper {
            name: "result-quota",
            description: "stratum C's quota misstated",
            member: "result.tsv",
            after: "stratum\tC\t9\t",
            from: "3",
            to: "2",
        },
        Tamper {
            name: "result-status",
            description: "status says failed without a failure line",
            member: "result.tsv",
            after: "status\t",
            from: "complete",
            to: "failed",
        },
        Tamper {
            name: "result-commitment",
            description: "the result names another commitment",
            member: "result.tsv",
            after: "commitment\t",
            from: "5",
            to: "6",
        },
    ];
    let pins = Pins { commitment: Some(commitment), result: Some(result), ..Pins::default() };
    let mut cases = vec![json!({
        "name": "untouched",
        "description": "the bundle as published, with the digests of the public log",
        "files": files_json(&base),
        "pins": {"commitment": commitment.to_hex(), "result": result.to_hex()},
        "bundle.tar": base64::engine::general_purpose::STANDARD.encode(bundle::to_tar(&base)),
        "expected": report_json(&base, &pins),
    })];
    for tamper in &tampers {
        let files = apply(&base, tamper);
        cases.push(json!({
            "name": tamper.name,
            "description": tamper.description,
            "files": files_json(&files),
            "pins": {"commitment": commitment.to_hex(), "result": result.to_hex()},
            "expected": report_json(&files, &pins),
        }));
    }
    for (name, description, pins) in [
        (
            "wrong-commitment-pin",
            "the public log holds another commitment digest",
            Pins { commitment: Some(Digest([1; 32])), result: Some(result), ..Pins::default() },
        ),
        (
            "wrong-result-pin",
            "the public log holds another result digest",
            Pins { commitment: Some(commitment), result: Some(Digest([1; 32])), ..Pins::default() },
        ),
        ("no-pins", "no digests from the public log: only self-consistency is checked", Pins::default()),
    ] {
        let pin = |digest: Option<Digest>| digest.map(|d| json!(d.to_hex())).unwrap_or(Value::Null);
        cases.push(json!({
            "name": name,
            "description": description,
            "files": files_json(&base),
            "pins": {"commitment": pin(pins.commitment), "result": pin(pins.result)},
            "expected": report_json(&base, &pins),
        }));
    }
    cases.extend(replaced_cases());
    // The draw committed with an entropy event time (§3.3), at
    // 2026-12-01T09:30:00+08:00, that is 01:30:00 UTC; the commitment time
    // comes from the log's task.committed entry.
    let timed = bundle_of("entropy-event");
    let timed_commitment = Commitment::parse(&timed.commitment).unwrap().0.digest();
    let timed_result = Digest::of_file(&timed.result);
    for (name, description, committed_at) in [
        (
            "event-after-commitment",
            "the entropy event comes after the commitment time of the log",
            Some("2026-12-01T01:29:59.999Z"),
        ),
        (
            "event-before-commitment",
            "the log committed the task at the very time of the entropy event: a reversal",
            Some("2026-12-01T01:30:00.000Z"),
        ),
        ("event-time-unknown", "no commitment time given: the event time cannot be compared", None),
    ] {
        let pins = Pins {
            commitment: Some(timed_commitment),
            result: Some(timed_result),
            committed_at: committed_at.map(str::to_owned),
            ..Pins::default()
        };
        cases.push(json!({
            "name": name,
            "description": description,
            "files": files_json(&timed),
            "pins": {"commitment": timed_commitment.to_hex(), "result": timed_result.to_hex(), "committed_at": committed_at},
            "expected": report_json(&timed, &pins),
        }));
    }
    json!({
        "description": "Bundles (as their seven files, and replacements.tsv when there is one; the first also as a base64 ustar archive) with the digests a verifier takes from the public log ('pins', null when absent; 'replacements': the line digests of the task's task.replaced entries in number order, absent when not pinned; 'committed_at': the time of the task's task.committed entry), and the checks of PROTOCOL.md section 10 a verifier reports: [kind, subject, passed] in order, and the first failure. A verifier must report the same checks.",
        "cases": cases
    })
}

#[test]
fn verification_reports_match_the_vectors() {
    let vectors = load("verify.json", make_verify);
    for case in vectors["cases"].as_array().unwrap() {
        let mut files = BundleFiles::default();
        for (name, content) in case["files"].as_object().unwrap() {
            *files.member_mut(name).unwrap() = text(content).as_bytes().to_vec();
        }
        let pin = |value: &Value| value.as_str().map(|hex| Digest::parse_hex(hex).unwrap());
        let replacements = case["pins"]["replacements"]
            .as_array()
            .map(|list| list.iter().map(|d| pin(d).unwrap()).collect());
        let pins = Pins {
            commitment: pin(&case["pins"]["commitment"]),
            result: pin(&case["pins"]["result"]),
            replacements,
            committed_at: case["pins"]["committed_at"].as_str().map(str::to_owned),
        };
        assert_eq!(report_json(&files, &pins), case["expected"], "case {}", case["name"]);
        if let Some(tar) = case["bundle.tar"].as_str() {
            let bytes = base64::engine::general_purpose::STANDARD.decode(tar).unwrap();
            let unpacked = bundle::from_tar("bundle.tar", &bytes).unwrap();
            assert_eq!(unpacked.members(), files.members(), "the archive holds the same files");
        }
    }
}

/// The bundle of the `balanced-workload` draw vector with the three
/// replacements of `replacements.json`, and its seed.
fn replaced_bundle() -> (BundleFiles, Seed) {
    let draws = read("draws.json");
    let case = draws["cases"].as_array().unwrap().iter().find(|c| c["name"] == "balanced-workload").unwrap();
    let replacements = read("replacements.json");
    let replaced = &replacements["cases"][0];
    assert_eq!(replaced["draw"], "balanced-workload");
    let files = BundleFiles {
        replacements: Some(text(&replaced["expected"]["replacements.tsv"]).as_bytes().to_vec()),
        ..bundle_of("balanced-workload")
    };
    (files, Seed(Digest::parse_hex(text(&case["expected"]["seed"])).unwrap()))
}

/// The replaced bundle, untouched and with its replacements tampered with,
/// against every pin the public log holds (§10, check 9).
fn replaced_cases() -> Vec<Value> {
    let (base, seed) = replaced_bundle();
    let published = Replacements::parse(base.replacements.as_deref().unwrap()).unwrap();
    let keyed: Vec<Digest> = published.items.iter().map(|item| item.keyed_line_digest(&seed)).collect();
    let plain: Vec<Digest> = published.items.iter().map(|item| item.line_digest()).collect();
    let commitment = Commitment::parse(&base.commitment).unwrap().0.digest();
    let result = Digest::of_file(&base.result);
    let pins = |replacements: &[Digest]| Pins {
        commitment: Some(commitment),
        result: Some(result),
        replacements: Some(replacements.to_vec()),
        committed_at: None,
    };
    let pins_json = |pins: &Pins| {
        json!({
            "commitment": commitment.to_hex(),
            "result": result.to_hex(),
            "replacements": pins.replacements.as_ref().unwrap().iter().map(Digest::to_hex).collect::<Vec<_>>(),
        })
    };
    let text = String::from_utf8(base.replacements.clone().unwrap()).unwrap();
    let with = |replacements: Option<String>| BundleFiles {
        replacements: replacements.map(String::into_bytes),
        ..base.clone()
    };
    let last = text.trim_end().rfind('\n').unwrap() + 1;
    let cases = [
        (
            "replaced-untouched",
            "a bundle with three replacements, pinned to their keyed line digests in the public log",
            base.clone(),
            pins(&keyed),
        ),
        (
            "replaced-plain-pins",
            "the same, pinned to plain line digests, as the log held them before keyed digests",
            base.clone(),
            pins(&plain),
        ),
        (
            "replacements-deleted",
            "replacements.tsv removed from the bundle; the log holds three replacements",
            with(None),
            pins(&keyed),
        ),
        (
            "replacements-last-dropped",
            "the last replace line removed",
            with(Some(text[..last].to_owned())),
            pins(&keyed),
        ),
        (
            "replacements-reason-edited",
            "the reason of replacement 2 rewritten (the draw is the same)",
            with(Some(text.replace("ill on the inspection day", "transferred"))),
            pins(&keyed),
        ),
        (
            "replacements-line-added",
            "a fourth replacement added, correctly drawn, but not in the log",
            with(Some(made_up_replacement(&base, &seed, &published))),
            pins(&keyed),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, description, files, pins)| {
            json!({
                "name": name,
                "description": description,
                "files": files_json(&files),
                "pins": pins_json(&pins),
                "expected": report_json(&files, &pins),
            })
        })
        .collect()
}

/// replacements.tsv with a fourth replacement that the draw rules accept.
fn made_up_replacement(files: &BundleFiles, seed: &Seed, published: &Replacements) -> String {
    let parameters = Parameters::parse(&files.parameters).unwrap();
    let targets = TargetManifest::parse(files.targets.clone()).unwrap();
    let inspectors = InspectorManifest::parse(files.inspectors.clone()).unwrap();
    let recusals = RecusalManifest::parse(files.recusals.clone()).unwrap();
    let inputs = DrawInputs {
        parameters: &parameters,
        targets: &targets,
        inspectors: &inspectors,
        recusals: &recusals,
    };
    let mut current = DrawResult::parse(&files.result).unwrap().assignments;
    for item in &published.items {
        replace::apply(&mut current, item);
    }
    let first = current[0].clone();
    let out = first.inspectors[0].clone();
    let drawn = replace::draw_replacement(&inputs, seed, &current, 4, &first.target, &first.department, &out)
        .unwrap();
    let mut items = published.items.clone();
    items.push(Replacement {
        number: 4,
        target: first.target,
        department: first.department,
        out,
        replacement: drawn,
        reason: "made up afterwards".into(),
    });
    String::from_utf8(Replacements { commitment: published.commitment, items }.to_text()).unwrap()
}

/// A file that must be refused, and where the reference reader says so.
fn refusal(file: &'static str, description: &'static str, content: &[u8]) -> Value {
    let error = parse(file, content).expect_err(description);
    let mut case =
        json!({"file": file, "description": description, "line": error.line, "column": error.column});
    match std::str::from_utf8(content) {
        Ok(text) => case["text"] = json!(text),
        Err(_) => case["hex"] = json!(hex::encode(content)),
    }
    case
}

fn parse(file: &str, content: &[u8]) -> Result<(), opendraw::protocol::tsv::ParseError> {
    match file {
        "targets.tsv" => TargetManifest::parse(content.to_vec()).map(drop),
        "inspectors.tsv" => InspectorManifest::parse(content.to_vec()).map(drop),
        "recusals.tsv" => RecusalManifest::parse(content.to_vec()).map(drop),
        "parameters.tsv" => Parameters::parse(content).map(drop),
        "commitment.tsv" => Commitment::parse(content).map(drop),
        "reveal.tsv" => Reveal::parse(content).map(drop),
        "result.tsv" => DrawResult::parse(content).map(drop),
        other => panic!("no reader for {other}"),
    }
}

fn make_invalid() -> Value {
    const T: &str = "target_id\tstratum\tregion\tunit\n";
    const I: &str = "inspector_id\tdepartment\tunit\tregion\titems\tcertificate_expires\n";
    let parameters = |replace: &str, with: &str| {
        let good = "opendraw-parameters\t1\ntask\tT\nitem\tFOOD\ncertificate-date\t2026-12-01\ninspectors-per-target\t2\ncross\tnone\nbalance\tno\ndepartment\tmarket\ndefault-quota\tratio\t300\n";
        assert!(good.contains(replace));
        good.replacen(replace, with, 1)
    };
    let commitment = "opendraw-commitment\t1\nparameters\t{h}\ntargets\t{h}\ninspectors\t{h}\nrecusals\t{h}\nsecret-hash\t{h}\nentropy-format\tdigits\nentropy-source\tdice\ndigest\t{h}\n"
        .replace("{h}", &"ab".repeat(32));
    let cases = vec![
        refusal("targets.tsv", "a byte order mark before the header", format!("\u{feff}{T}A\tS\tR\t\n").as_bytes()),
        refusal("targets.tsv", "CR LF line ends", format!("{}A\tS\tR\t\r\n", T.replace('\n', "\r\n")).as_bytes()),
        refusal("targets.tsv", "no LF after the last line", format!("{T}A\tS\tR\t").as_bytes()),
        refusal("targets.tsv", "an empty file", b""),
        refusal("targets.tsv", "a blank line", format!("{T}A\tS\tR\t\n\n").as_bytes()),
        refusal("targets.tsv", "ids out of bytewise order", format!("{T}B\tS\tR\t\nA\tS\tR\t\n").as_bytes()),
        refusal("targets.tsv", "a repeated id", format!("{T}A\tS\tR\t\nA\tS\tR\t\n").as_bytes()),
        refusal("targets.tsv", "ids sorted by UTF-16 code units, not bytes", format!("{T}𠀀\tS\tR\t\n！\tS\tR\t\n").as_bytes()),
        refusal("targets.tsv", "a no-break space ending an id", format!("{T}A\u{a0}\tS\tR\t\n").as_bytes()),
        refusal("targets.tsv", "a line separator inside a region", format!("{T}A\tS\tR\u{2028}1\t\n").as_bytes()),
        refusal("targets.tsv", "an empty stratum", format!("{T}A\t\tR\t\n").as_bytes()),
        refusal("targets.tsv", "five fields", format!("{T}A\tS\tR\tU\tX\n").as_bytes()),
        refusal("targets.tsv", "an id of 129 bytes", format!("{T}{}\tS\tR\t\n", "x".repeat(129)).as_bytes()),
        refusal("targets.tsv", "bytes that are not UTF-8", &[T.as_bytes(), b"A\xff\tS\tR\t\n"].concat()),
        refusal("targets.tsv", "an overlong UTF-8 encoding of '/'", &[T.as_bytes(), b"A\xc0\xaf\tS\tR\t\n"].concat()),
        refusal("inspectors.tsv", "items out of bytewise order", format!("{I}I1\tm\tU\tR\tFOOD,DRUG\t2027-01-01\n").as_bytes()),
        refusal("inspectors.tsv", "an item listed twice", format!("{I}I1\tm\tU\tR\tFOOD,FOOD\t2027-01-01\n").as_bytes()),
        refusal("inspectors.tsv", "no item", format!("{I}I1\tm\tU\tR\t\t2027-01-01\n").as_bytes()),
        refusal("inspectors.tsv", "29 February of a common year", format!("{I}I1\tm\tU\tR\tFOOD\t2027-02-29\n").as_bytes()),
        refusal("inspectors.tsv", "a date without leading zeros", format!("{I}I1\tm\tU\tR\tFOOD\t2027-1-1\n").as_bytes()),
        refusal("recusals.tsv", "pairs out of order", b"inspector_id\ttarget_id\nI2\tT1\nI1\tT2\n"),
        refusal("parameters.tsv", "a leading zero", parameters("inspectors-per-target\t2", "inspectors-per-target\t02").as_bytes()),
        refusal("parameters.tsv", "one inspector per target", parameters("inspectors-per-target\t2", "inspectors-per-target\t1").as_bytes()),
        refusal("parameters.tsv", "a ratio over 100 %", parameters("ratio\t300", "ratio\t10001").as_bytes()),
        refusal("parameters.tsv", "'Yes' for yes", parameters("balance\tno", "balance\tYes").as_bytes()),
        refusal("parameters.tsv", "items out of order", parameters("item\tFOOD\n", "item\tFOOD\nitem\tDRUG\n").as_bytes()),
        refusal("parameters.tsv", "lines out of order", parameters("cross\tnone\nbalance\tno\n", "balance\tno\ncross\tnone\n").as_bytes()),
        refusal("parameters.tsv", "no default-quota line", parameters("default-quota\tratio\t300\n", "").as_bytes()),
        refusal("commitment.tsv", "an uppercase hex digit", commitment.replacen("ab", "AB", 1).as_bytes()),
        refusal("commitment.tsv", "an unknown entropy format", commitment.replace("digits", "decimal").as_bytes()),
        refusal("commitment.tsv", "an entropy event time in UTC written with Z", commitment.replace("\ndigest", "\nentropy-event\t2026-12-01T01:30:00Z\ndigest").as_bytes()),
        refusal("commitment.tsv", "an entropy event time without its offset", commitment.replace("\ndigest", "\nentropy-event\t2026-12-01T09:30:00\ndigest").as_bytes()),
        refusal("commitment.tsv", "the entropy-event line after the digest", format!("{commitment}entropy-event\t2026-12-01T09:30:00+08:00\n").as_bytes()),
        refusal("reveal.tsv", "a secret of 63 hex digits", format!("opendraw-reveal\t1\ncommitment\t{h}\nsecret\t{s}\nentropy\t123\nseed\t{h}\n", h = "ab".repeat(32), s = &"ab".repeat(32)[1..]).as_bytes()),
        refusal("result.tsv", "a skipped draw position", format!("opendraw-result\t1\ncommitment\t{}\nstatus\tcomplete\nstratum\tS\t3\t2\ntarget\t1\tS\tA\ntarget\t3\tS\tB\n", "ab".repeat(32)).as_bytes()),
        refusal("result.tsv", "a failure line in a complete result", format!("opendraw-result\t1\ncommitment\t{}\nstatus\tcomplete\nfailure\tA\tm\tdepartment\t1\t2\n", "ab".repeat(32)).as_bytes()),
        refusal("targets.tsv", "a right-to-left override inside an id", format!("{T}T\u{202e}01\tS\tR\t\n").as_bytes()),
        refusal("targets.tsv", "a zero width space inside a stratum", format!("{T}A\tS\u{200b}1\tR\t\n").as_bytes()),
        refusal("targets.tsv", "a language tag (U+E0041) ending a region", format!("{T}A\tS\tR\u{e0041}\t\n").as_bytes()),
        refusal("inspectors.tsv", "a zero width no-break space inside an id", format!("{I}I\u{feff}1\tm\tU\tR\tFOOD\t2027-01-01\n").as_bytes()),
        refusal("inspectors.tsv", "a soft hyphen inside an item code", format!("{I}I1\tm\tU\tR\tFO\u{ad}OD\t2027-01-01\n").as_bytes()),
        refusal("recusals.tsv", "a left-to-right isolate around a target id", "inspector_id\ttarget_id\nI1\t\u{2066}T1\u{2069}\n".as_bytes()),
        refusal("parameters.tsv", "a word joiner inside a department", parameters("department\tmarket", "department\tmar\u{2060}ket").as_bytes()),
        refusal("result.tsv", "a right-to-left mark inside an assigned inspector id", format!("opendraw-result\t1\ncommitment\t{}\nstatus\tcomplete\nstratum\tS\t1\t1\ntarget\t1\tS\tT1\nassign\tT1\tm\tI1\tI\u{200f}2\n", "ab".repeat(32)).as_bytes()),
        refusal("result.tsv", "strata out of bytewise order", format!("opendraw-result\t1\ncommitment\t{}\nstatus\tcomplete\nstratum\tB\t1\t1\nstratum\tA\t1\t1\ntarget\t1\tB\tT2\ntarget\t2\tA\tT1\n", "ab".repeat(32)).as_bytes()),
        refusal("result.tsv", "a repeated stratum", format!("opendraw-result\t1\ncommitment\t{}\nstatus\tcomplete\nstratum\tS\t2\t1\nstratum\tS\t2\t1\ntarget\t1\tS\tT1\ntarget\t2\tS\tT2\n", "ab".repeat(32)).as_bytes()),
    ];
    json!({
        "description": "Files every reader must refuse. 'text' is the file (or 'hex' for bytes that are not UTF-8); 'line' and 'column' are where the reference reader reports the fault (null: the whole file), given for orientation: implementations must refuse the file, the place they name may differ.",
        "cases": cases
    })
}

#[test]
fn invalid_files_are_refused() {
    let vectors = load("invalid.json", make_invalid);
    for case in vectors["cases"].as_array().unwrap() {
        let content = match case["text"].as_str() {
            Some(text) => text.as_bytes().to_vec(),
            None => hex::decode(case["hex"].as_str().unwrap()).unwrap(),
        };
        let error = parse(text(&case["file"]), &content).expect_err(text(&case["description"]));
        assert_eq!(json!(error.line), case["line"], "{}", case["description"]);
        assert_eq!(json!(error.column), case["column"], "{}", case["description"]);
    }
}

// ---- drand rounds (§3.6) ----------------------------------------------------

/// The bundle of the drand draw vector of `drand.json`, with its drand.tsv.
fn drand_bundle() -> BundleFiles {
    let draw = read("drand.json")["draw"].clone();
    bundle_from(&draw["inputs"], &draw["expected"])
}

fn make_verify_drand() -> Value {
    let base = drand_bundle();
    let commitment = Commitment::parse(&base.commitment).unwrap().0.digest();
    let result = Digest::of_file(&base.result);
    // Round 1000 came at 2023-08-23T15:59:24Z; the task was committed ten
    // minutes before.
    let committed_at = "2023-08-23T15:49:24.000Z";
    let round_123 =
        "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92";
    let beacon_text = String::from_utf8(base.beacon.clone().unwrap()).unwrap();
    let signature_1000 = beacon_text.lines().nth(3).unwrap().split('\t').nth(1).unwrap().to_owned();
    let mut flipped = signature_1000.clone();
    flipped.replace_range(95..96, "c");
    let with_beacon = |text: String| BundleFiles { beacon: Some(text.into_bytes()), ..base.clone() };
    let cases: Vec<(&str, &str, BundleFiles)> = vec![
        ("drand-round", "the drand draw's bundle as published: verified", base.clone()),
        (
            "drand-file-missing",
            "drand.tsv left out: the signature cannot be checked",
            BundleFiles { beacon: None, ..base.clone() },
        ),
        (
            "drand-earlier-round",
            "drand.tsv holds round 123 with its genuine signature instead of the committed round 1000",
            with_beacon(beacon_text.replace("round\t1000", "round\t123").replace(&signature_1000, round_123)),
        ),
        (
            "drand-relabelled",
            "drand.tsv holds round 123's signature as round 1000's",
            with_beacon(beacon_text.replace(&signature_1000, round_123)),
        ),
        (
            "drand-bad-signature",
            "the last hex digit of the signature changed",
            with_beacon(beacon_text.replace(&signature_1000, &flipped)),
        ),
        (
            "drand-other-chain",
            "drand.tsv names another chain (testnet quicknet-t)",
            with_beacon(beacon_text.replace(
                "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
                "dbd506d6ef76e5f386f41c651dcb808c5bcbd75471cc4eafa3f4df7ad4e4c493",
            )),
        ),
        (
            "drand-file-without-drand",
            "a drand.tsv added to the bundle of a draw committed to dice-free digits",
            BundleFiles { beacon: base.beacon.clone(), ..bundle_of("one-stratum-count") },
        ),
    ];
    let cases: Vec<Value> = cases
        .into_iter()
        .map(|(name, description, files)| {
            let own = Commitment::parse(&files.commitment).unwrap().0.digest();
            let pinned = if own == commitment { (commitment, result) } else { (own, Digest::of_file(&files.result)) };
            let pins = Pins {
                commitment: Some(pinned.0),
                result: Some(pinned.1),
                replacements: Some(vec![]),
                committed_at: Some(committed_at.to_owned()),
            };
            json!({
                "name": name,
                "description": description,
                "files": files_json(&files),
                "pins": {"commitment": pinned.0.to_hex(), "result": pinned.1.to_hex(), "replacements": [], "committed_at": committed_at},
                "expected": report_json(&files, &pins),
            })
        })
        .collect();
    json!({
        "description": "Bundles of a draw committed to a drand round (PROTOCOL.md section 3.6), in the form of verify.json: the bundle as published, and with drand.tsv missing, holding another round, a relabelled or changed signature, another chain, or added to a draw that names no round. A verifier that checks BLS signatures must report the same checks; one that does not must not report such a bundle verified.",
        "cases": cases
    })
}

#[test]
fn drand_verification_reports_match_the_vectors() {
    let vectors = load("verify-drand.json", make_verify_drand);
    let cases = vectors["cases"].as_array().unwrap();
    for case in cases {
        let mut files = BundleFiles::default();
        for (name, content) in case["files"].as_object().unwrap() {
            *files.member_mut(name).unwrap() = text(content).as_bytes().to_vec();
        }
        let pin = |value: &Value| value.as_str().map(|hex| Digest::parse_hex(hex).unwrap());
        let pins = Pins {
            commitment: pin(&case["pins"]["commitment"]),
            result: pin(&case["pins"]["result"]),
            replacements: Some(vec![]),
            committed_at: case["pins"]["committed_at"].as_str().map(str::to_owned),
        };
        assert_eq!(report_json(&files, &pins), case["expected"], "case {}", case["name"]);
    }
    let verdicts: Vec<(&str, bool)> =
        cases.iter().map(|c| (text(&c["name"]), c["expected"]["verified"].as_bool().unwrap())).collect();
    assert_eq!(verdicts.iter().filter(|(_, verified)| *verified).count(), 1, "{verdicts:?}");
    let first = |name: &str| {
        let case = cases.iter().find(|c| c["name"] == name).unwrap();
        let failure = &case["expected"]["first_failure"];
        (text(&failure["kind"]).to_owned(), text(&failure["subject"]).to_owned())
    };
    for (name, kind, subject) in [
        ("drand-file-missing", "document", "drand.tsv"),
        ("drand-earlier-round", "beacon", "round"),
        ("drand-relabelled", "beacon", "signature"),
        ("drand-bad-signature", "beacon", "signature"),
        ("drand-other-chain", "beacon", "chain"),
        ("drand-file-without-drand", "document", "drand.tsv"),
    ] {
        assert_eq!(first(name), (kind.to_owned(), subject.to_owned()), "{name}");
    }
    // The bundle packs and unpacks with its drand.tsv.
    let base = drand_bundle();
    let unpacked = bundle::from_tar("bundle.tar", &bundle::to_tar(&base)).unwrap();
    assert_eq!(unpacked.present(), base.present());
}
