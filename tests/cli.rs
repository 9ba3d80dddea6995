//! The `opendraw` command line, run as a real process: a draw verifies; a
//! draw can be committed first and drawn later, never twice; it reads the
//! directory files and the task definition the service takes; and bad input
//! gets an error naming file, line, column and reason, and writes nothing.

use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

#[allow(dead_code)]
mod server_process;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/nanjing").join(name)
}

fn opendraw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opendraw")).args(args).output().expect("the binary runs")
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The example task's id in the published files.
const TASK: &str = "NJ-2026-Q4-FOOD-017";

/// Runs `draw` over the example files; a flag given in `replace` takes
/// only the files given there.
fn draw_with(out: &Path, replace: &[(&str, &Path)], extra: &[&str]) -> Output {
    let examples = [
        ("--targets", "targets.csv"),
        ("--inspectors", "inspectors.csv"),
        ("--inspectors", "inspectors-health.csv"),
        ("--recusals", "recusals.csv"),
        ("--recusals", "recusals-health.csv"),
        ("--rules", "task.json"),
    ];
    let mut args: Vec<String> = vec!["draw".into()];
    for flag in ["--targets", "--inspectors", "--recusals", "--rules"] {
        let replaced: Vec<PathBuf> =
            replace.iter().filter(|(f, _)| *f == flag).map(|(_, p)| p.to_path_buf()).collect();
        let files = if replaced.is_empty() {
            examples.iter().filter(|(f, _)| *f == flag).map(|(_, name)| example(name)).collect()
        } else {
            replaced
        };
        for file in files {
            args.extend([flag.to_owned(), path(&file).to_owned()]);
        }
    }
    args.extend(["--task", TASK, "--out", path(out)].map(str::to_owned));
    args.extend(extra.iter().map(|arg| arg.to_string()));
    opendraw(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn a_draw_writes_a_bundle_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("draw");
    let drawn = draw_with(&out, &[], &["--entropy", "6612534421"]);
    assert!(drawn.status.success(), "{}", text(&drawn));
    for name in [
        "targets.tsv",
        "inspectors.tsv",
        "recusals.tsv",
        "parameters.tsv",
        "commitment.tsv",
        "reveal.tsv",
        "result.tsv",
        "bundle.tar",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    let verified = opendraw(&["verify", path(&out.join("bundle.tar"))]);
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(text(&verified).contains("consistent: all"), "without pins, not verified: {}", text(&verified));
    let unpacked = opendraw(&["verify", path(&out)]);
    assert!(unpacked.status.success(), "a directory of the files verifies too: {}", text(&unpacked));
}

#[test]
fn verify_pins_the_digests_of_the_public_log() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("draw");
    assert!(draw_with(&out, &[], &["--entropy", "12345678901234567890"]).status.success());
    let commitment = std::fs::read_to_string(out.join("commitment.tsv")).unwrap();
    let digest = commitment.lines().last().unwrap().split('\t').nth(1).unwrap().to_owned();
    let bundle = out.join("bundle.tar");
    assert!(opendraw(&["verify", path(&bundle), "--commitment", &digest]).status.success());
    let wrong = "0".repeat(64);
    let failed = opendraw(&["verify", path(&bundle), "--commitment", &wrong]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(text(&failed).contains("not the digest in the public log"), "{}", text(&failed));
}

#[test]
fn a_tampered_bundle_fails_and_names_the_first_difference() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("draw");
    assert!(draw_with(&out, &[], &["--entropy", "99887766554433221100"]).status.success());
    let mut bundle = std::fs::read(out.join("bundle.tar")).unwrap();
    let needle = b"target\t1\t";
    let at = bundle.windows(needle.len()).rposition(|w| w == needle).unwrap() + needle.len() + 2;
    bundle[at + 5] ^= 0x01;
    let tampered = dir.path().join("tampered.tar");
    std::fs::write(&tampered, &bundle).unwrap();
    let failed = opendraw(&["verify", path(&tampered)]);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed));
    assert!(text(&failed).contains("NOT verified; the first failure: FAIL  stratum"), "{}", text(&failed));
    assert!(text(&failed).contains("draw position 1"), "{}", text(&failed));
}

#[test]
fn commit_first_then_draw_once_the_entropy_is_public() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("task");
    let committed = draw_with(&out, &[], &["--secret", &"ab".repeat(32)]);
    assert!(committed.status.success(), "{}", text(&committed));
    assert!(out.join("commitment.tsv").is_file() && out.join("secret.hex").is_file());
    assert!(!out.join("result.tsv").exists(), "no result before the entropy");
    assert!(text(&committed).contains("--committed"), "{}", text(&committed));

    let drawn = opendraw(&["draw", "--committed", path(&out), "--entropy", "5551234567"]);
    assert!(drawn.status.success(), "{}", text(&drawn));
    assert!(opendraw(&["verify", path(&out.join("bundle.tar"))]).status.success());

    let result = std::fs::read(out.join("result.tsv")).unwrap();
    let again = opendraw(&["draw", "--committed", path(&out), "--entropy", "6661234567"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).contains("never re-run"), "{}", text(&again));
    assert_eq!(std::fs::read(out.join("result.tsv")).unwrap(), result, "the first result stays");
}

#[test]
fn a_second_commitment_into_the_same_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("task");
    assert!(draw_with(&out, &[], &[]).status.success());
    let commitment = std::fs::read(out.join("commitment.tsv")).unwrap();
    let again = draw_with(&out, &[], &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).contains("already holds a commitment"), "{}", text(&again));
    assert_eq!(std::fs::read(out.join("commitment.tsv")).unwrap(), commitment);
}

#[test]
fn files_changed_after_the_commitment_are_refused_at_the_draw() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("task");
    assert!(draw_with(&out, &[], &[]).status.success());
    let targets = std::fs::read_to_string(out.join("targets.tsv")).unwrap();
    let last = targets.lines().last().unwrap().to_owned();
    std::fs::write(out.join("targets.tsv"), targets.replace(&format!("{last}\n"), "")).unwrap();
    let drawn = opendraw(&["draw", "--committed", path(&out), "--entropy", "123456"]);
    assert_eq!(drawn.status.code(), Some(2));
    assert!(text(&drawn).contains("no longer match the commitment"), "{}", text(&drawn));
    assert!(!out.join("result.tsv").exists());
}

#[test]
fn an_infeasible_draw_records_its_failure() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("task.json");
    let original = std::fs::read_to_string(example("task.json")).unwrap();
    std::fs::write(&rules, original.replace("\"inspectors_per_target\": 2", "\"inspectors_per_target\": 20"))
        .unwrap();
    let out = dir.path().join("draw");
    let drawn = draw_with(&out, &[("--rules", &rules)], &["--entropy", "42424242424242"]);
    assert_eq!(drawn.status.code(), Some(3), "{}", text(&drawn));
    assert!(text(&drawn).contains("the draw FAILED"), "{}", text(&drawn));
    let result = std::fs::read_to_string(out.join("result.tsv")).unwrap();
    assert!(result.contains("status\tfailed") && result.contains("\nfailure\t"), "{result}");
    assert!(
        opendraw(&["verify", path(&out.join("bundle.tar"))]).status.success(),
        "a failed draw verifies too"
    );
}

/// Runs a draw with one replaced input and checks that it fails with a
/// message containing every fragment, and writes nothing.
fn refused(flag: &str, name: &str, contents: &str, fragments: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(name);
    std::fs::write(&input, contents).unwrap();
    let out = dir.path().join("out");
    let output = draw_with(&out, &[(flag, &input)], &["--entropy", "123456"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let message = String::from_utf8_lossy(&output.stderr);
    for fragment in fragments {
        assert!(message.contains(fragment), "{fragment:?} not in {message:?}");
    }
    assert!(!out.exists(), "nothing is written on bad input");
}

const TARGETS_HEADER: &str = "id,name,region,industry,risk_class,unit\n";
const INSPECTORS_HEADER: &str = "id,name,department,unit,region,items,certificate_expires\n";

#[test]
fn a_missing_column_is_named() {
    refused(
        "--targets",
        "t.csv",
        "id,name,industry,risk_class\nX1,a,b,C\n",
        &["t.csv line 1, column region: the header has no such column"],
    );
}

#[test]
fn a_duplicate_id_names_both_lines() {
    let csv = format!("{TARGETS_HEADER}X1,a,R1,i,A,U\nX2,b,R1,i,B,U\nX1,c,R2,i,C,U\n");
    refused("--targets", "t.csv", &csv, &["t.csv line 4, column id: 'X1' appears twice (first on line 2)"]);
    let inspectors = format!(
        "{INSPECTORS_HEADER}E1,a,market,U,R,FOOD-01,2027-01-01\nE1,b,market,U,R,FOOD-01,2027-01-01\n"
    );
    refused(
        "--inspectors",
        "i.csv",
        &inspectors,
        &["i.csv line 3, column id: 'E1' appears twice (first on line 2)"],
    );
}

#[test]
fn ids_with_tabs_newlines_or_control_characters_are_refused() {
    refused(
        "--targets",
        "t.csv",
        &format!("{TARGETS_HEADER}\"X\t1\",a,R1,i,A,U\n"),
        &["t.csv line 2, column id: contains a tab at character 2"],
    );
    refused(
        "--targets",
        "t.csv",
        &format!("{TARGETS_HEADER}X0,a,R1,i,A,U\n\"X\n1\",a,R1,i,A,U\n"),
        &["t.csv line 3, column id: contains a line break at character 2"],
    );
    refused(
        "--targets",
        "t.csv",
        &format!("{TARGETS_HEADER}X\u{1}1,a,R1,i,A,U\n"),
        &["t.csv line 2, column id: contains the control character U+0001"],
    );
    refused(
        "--targets",
        "t.csv",
        &format!("{TARGETS_HEADER}X1,a,,i,A,U\n"),
        &["t.csv line 2, column region: is empty"],
    );
    refused(
        "--targets",
        "t.csv",
        &format!("{TARGETS_HEADER}X1,a,R1,i,,U\n"),
        &["t.csv line 2, column risk_class: '' is not one of A, B, C, D"],
    );
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_refused() {
    refused(
        "--targets",
        "t.csv",
        &format!("{TARGETS_HEADER}X1,a,R1,i,A\n"),
        &["t.csv line 2: has 5 fields; the header has 6"],
    );
}

#[test]
fn an_empty_target_pool_draws_nothing_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let targets = dir.path().join("t.csv");
    std::fs::write(&targets, TARGETS_HEADER).unwrap();
    let out = dir.path().join("draw");
    let drawn = draw_with(&out, &[("--targets", &targets)], &["--entropy", "6612534421"]);
    assert!(drawn.status.success(), "{}", text(&drawn));
    assert!(text(&drawn).contains("the target pool is empty"), "{}", text(&drawn));
    let result = std::fs::read_to_string(out.join("result.tsv")).unwrap();
    assert!(result.contains("status\tcomplete\n"), "{result}");
    assert!(!result.contains("\ntarget\t"), "nothing is drawn: {result}");
    let verified = opendraw(&["verify", path(&out.join("bundle.tar"))]);
    assert!(verified.status.success(), "{}", text(&verified));
}

#[test]
fn ids_with_invisible_format_characters_are_refused() {
    refused(
        "--targets",
        "t.csv",
        &format!("{TARGETS_HEADER}X0,a,R1,i,A,U\nX\u{202e}1,a,R1,i,A,U\n"),
        &["t.csv line 3, column id: contains U+202E RIGHT-TO-LEFT OVERRIDE at character 2"],
    );
    refused(
        "--inspectors",
        "i.csv",
        &format!("{INSPECTORS_HEADER}E1,a,market,U\u{feff},R,FOOD-01,2027-01-01\n"),
        &["i.csv line 2, column unit: contains U+FEFF"],
    );
}

#[test]
fn values_that_would_merge_two_strata_are_refused() {
    let rules = std::fs::read_to_string(example("task.json")).unwrap();
    let rules = rules.replace(r#""strata_by": ["risk_class"]"#, r#""strata_by": ["industry", "unit"]"#);
    let dir = tempfile::tempdir().unwrap();
    let rules_path = dir.path().join("task.json");
    std::fs::write(
        &rules_path,
        rules.replace(r#""quota_by_stratum": {"C": {"ratio": "25%"}, "D": {"ratio": "65%"}},"#, ""),
    )
    .unwrap();
    let targets = dir.path().join("t.csv");
    std::fs::write(&targets, format!("{TARGETS_HEADER}X1,a,R1,A/B,A,C\nX2,b,R1,A,A,B/C\n")).unwrap();
    let out = dir.path().join("out");
    let output =
        draw_with(&out, &[("--targets", &targets), ("--rules", &rules_path)], &["--entropy", "123456"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("t.csv line 2, column industry: its industry 'A/B' contains '/'"), "{message}");
    assert!(!out.exists(), "nothing is written on bad input");
}

#[test]
fn a_pool_without_an_active_inspector_is_refused() {
    refused(
        "--inspectors",
        "i.csv",
        "id,name,department,unit,region,items,certificate_expires,active\nE1,a,market,U,R,F,2027-01-01,false\n",
        &["i.csv: the pool is empty"],
    );
}

#[test]
fn bad_inspector_fields_are_named() {
    let header = INSPECTORS_HEADER;
    refused(
        "--inspectors",
        "i.csv",
        &format!("{header}E1,a,market,U,R,FOOD-01,2027-02-30\n"),
        &["i.csv line 2, column certificate_expires: '2027-02-30' is not a day of the calendar"],
    );
    refused(
        "--inspectors",
        "i.csv",
        &format!("{header}E1,a,market,U,R,,2027-01-01\n"),
        &["i.csv line 2, column items: lists no item code"],
    );
}

#[test]
fn rules_errors_name_the_field() {
    let rules = std::fs::read_to_string(example("task.json")).unwrap();
    refused(
        "--rules",
        "r.json",
        &rules.replace("\"65%\"", "\"120%\""),
        &["r.json: field quota_by_stratum.D.ratio: '120%' is more than 100 %"],
    );
    refused(
        "--rules",
        "r.json",
        &rules.replace("\"inspectors_per_target\": 2", "\"inspectors_per_target\": 1"),
        &["field inspectors_per_target: 1 inspectors per target is fewer than the statutory minimum of 2"],
    );
    refused(
        "--rules",
        "r.json",
        &rules.replace("\"balance\"", "\"balanse\""),
        &["r.json line 10, column 11: unknown field `balanse`"],
    );
    refused(
        "--rules",
        "r.json",
        &rules.replace("\"market\"", "\"police\""),
        &["no inspector belongs to department 'police'"],
    );
    refused(
        "--rules",
        "r.json",
        &rules.replace("\"quota\": {\"ratio\": \"5%\"},", ""),
        &["stratum 'A' has no quota"],
    );
    refused(
        "--rules",
        "r.json",
        &rules.replace("\"risk_class\"", "\"risk\""),
        &["r.json line 5, column", "unknown variant `risk`"],
    );
    let older = r#"{"task": "T1", "items": ["FOOD-01"], "quota": {"ratio": "5%"}, "departments": ["market"], "certificate_date": "2026-12-01"}"#;
    refused("--rules", "r.json", older, &["the older rules file of opendraw draw", "unknown field `task`"]);
    refused(
        "--rules",
        "r.json",
        &rules.replace("\"departments\": [\"market\"],", ""),
        &["r.json: field departments: is empty: an offline draw has no lead department"],
    );
}

#[test]
fn entropy_outside_the_committed_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let rules = dir.path().join("task.json");
    let original = std::fs::read_to_string(example("task.json")).unwrap();
    std::fs::write(&rules, original.replace("\"format\": \"digits\"", "\"format\": \"dice\"")).unwrap();
    let output = draw_with(&out, &[("--rules", &rules)], &["--entropy", "1 2 3 4 5 6"]);
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        message
            .contains("--entropy: ' ' at character 2 is not allowed in the committed entropy format 'dice'"),
        "{message}"
    );
    let output = draw_with(&out, &[("--rules", &rules)], &["--entropy", "1234567"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("'7' at character 7"), "{}", text(&output));
}

#[test]
fn the_definition_commits_its_entropy_plan_and_is_kept_beside_the_commitment() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("task");
    let committed = draw_with(&out, &[], &[]);
    assert!(committed.status.success(), "{}", text(&committed));
    let commitment = std::fs::read_to_string(out.join("commitment.tsv")).unwrap();
    assert!(commitment.contains("\nentropy-format\tdigits\n"), "{commitment}");
    assert!(commitment.contains("\nentropy-source\t下一期福利彩票“双色球”开奖号码\n"), "{commitment}");
    assert!(commitment.contains("\nentropy-event\t2026-12-15T21:30:00+08:00\n"), "{commitment}");
    let parameters = std::fs::read_to_string(out.join("parameters.tsv")).unwrap();
    assert!(parameters.contains(&format!("\ntask\t{TASK}\n")), "--task names the task: {parameters}");
    assert_eq!(std::fs::read(out.join("task.json")).unwrap(), std::fs::read(example("task.json")).unwrap());
}

#[test]
fn entropy_shorter_than_the_definition_asks_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let short = "the entropy has 9 characters; the task definition asks for at least 10";
    let output = draw_with(&out, &[], &["--entropy", "123456789"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains(short), "{}", text(&output));
    assert!(!out.exists(), "nothing is written on bad input");

    // Committed first, the definition kept beside the commitment still asks.
    assert!(draw_with(&out, &[], &[]).status.success());
    let drawn = opendraw(&["draw", "--committed", path(&out), "--entropy", "123456789"]);
    assert_eq!(drawn.status.code(), Some(2), "{}", text(&drawn));
    assert!(text(&drawn).contains(short), "{}", text(&drawn));
    assert!(!out.join("result.tsv").exists());
}

#[test]
fn the_pool_filter_of_the_definition_leaves_targets_out() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("task.json");
    let original = std::fs::read_to_string(example("task.json")).unwrap();
    let filter = r#""filter": {"regions": ["玄武区"], "exclude_flags": ["abnormal"]},"#;
    std::fs::write(&rules, original.replace("\"balance\": true,", &format!("\"balance\": true, {filter}")))
        .unwrap();
    let targets = dir.path().join("t.csv");
    std::fs::write(
        &targets,
        "id,name,region,risk_class,flags\nX1,a,玄武区,A,\nX2,b,秦淮区,A,\nX3,c,玄武区,C,abnormal\nX4,d,玄武区,D,closed; abnormal\nX5,e,玄武区,D,closed\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let committed = draw_with(&out, &[("--rules", &rules), ("--targets", &targets)], &[]);
    assert!(committed.status.success(), "{}", text(&committed));
    let manifest = std::fs::read_to_string(out.join("targets.tsv")).unwrap();
    let ids: Vec<&str> = manifest.lines().skip(1).map(|line| line.split('\t').next().unwrap()).collect();
    assert_eq!(ids, ["X1", "X5"], "{manifest}");
}

#[test]
fn a_recusal_declared_twice_is_refused_as_the_service_refuses_it() {
    refused(
        "--recusals",
        "r.csv",
        "inspector_id,target_id,reason\nE003,X1,亲属\nE003,X1,亲属\n",
        &["r.csv line 3, column inspector_id: 'E003 / X1' appears twice (first on line 2)"],
    );
}

#[test]
fn the_example_directories_and_definition_are_what_the_service_takes() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite:{}", dir.path().join("service.db").display());
    // Each department imports the rows it keeps.
    for (kind, file, department, rows) in [
        ("items", "items.csv", "market", 2),
        ("targets", "targets.csv", "market", 240),
        ("inspectors", "inspectors.csv", "market", 18),
        ("inspectors", "inspectors-health.csv", "health", 6),
        ("recusals", "recusals.csv", "market", 4),
        ("recusals", "recusals-health.csv", "health", 2),
    ] {
        let file = example(file);
        let args = ["import", "--database-url", &database, kind, path(&file), "--department", department];
        let imported = opendraw(&args);
        assert!(imported.status.success(), "{}: {}", file.display(), text(&imported));
        assert!(text(&imported).contains(&format!("imported {rows} {kind}")), "{}", text(&imported));
    }
    let definition: opendraw::domain::task_definition::TaskDefinition =
        serde_json::from_str(&std::fs::read_to_string(example("task.json")).unwrap()).unwrap();
    definition.check("market").expect("the service takes the example definition");
}

#[test]
fn a_malformed_secret_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = draw_with(&out, &[], &["--secret", "abc"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--secret: expected 64 hex digits, found 3"),
        "{}",
        text(&output)
    );
    let output = draw_with(&out, &[], &["--secret", &format!("{}G", "a".repeat(63))]);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("'G' at character 64 is not a lowercase hex digit"),
        "{}",
        text(&output)
    );
    assert!(!out.exists());
}

#[test]
fn an_unreadable_bundle_does_not_verify() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.tar");
    std::fs::write(&path, b"this is not a tar archive at all, not even one block").unwrap();
    let output = opendraw(&["verify", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("NOT verified; the bundle cannot be read"), "{}", text(&output));
}

/// A case of tests/vectors/verify.json written out as a bundle.tar, with
/// its pins; `None` for a pin the case does not give.
fn vector_bundle(dir: &Path, name: &str) -> (PathBuf, serde_json::Value) {
    let vectors: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/verify.json"))
            .unwrap(),
    )
    .unwrap();
    let case = vectors["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap().clone();
    let mut files = opendraw::protocol::verify::BundleFiles::default();
    for (member, content) in case["files"].as_object().unwrap() {
        *files.member_mut(member).unwrap() = content.as_str().unwrap().as_bytes().to_vec();
    }
    let path = dir.join(format!("{name}.tar"));
    std::fs::write(&path, opendraw::files::bundle::to_tar(&files)).unwrap();
    (path, case["pins"].clone())
}

/// A public log holding task 7, committed, drawn and with the replacements
/// the pins name; written as /api/public/log pages it.
fn log_file(dir: &Path, pins: &serde_json::Value) -> PathBuf {
    use opendraw::protocol::log::LogEntry;
    let mut payloads = vec![
        ("task.created", serde_json::json!({"task": 7, "name": "t", "department": "market"})),
        ("task.committed", serde_json::json!({"task": 7, "commitment": pins["commitment"]})),
        (
            "task.drawn",
            serde_json::json!({"task": 7, "commitment": pins["commitment"], "result": pins["result"]}),
        ),
    ];
    for (index, line) in pins["replacements"].as_array().unwrap().iter().enumerate() {
        payloads.push((
            "task.replaced",
            serde_json::json!({"task": 7, "replacement": index + 1, "keyed_line": line}),
        ));
    }
    let mut previous = opendraw::protocol::Digest([0; 32]);
    let mut entries = Vec::new();
    for (index, (kind, payload)) in payloads.into_iter().enumerate() {
        let at = format!("2026-12-01T08:00:0{index}.000Z");
        let entry =
            LogEntry::new(index as u64 + 1, at, kind, Some(7), "alice", payload.to_string(), previous);
        previous = entry.hash;
        entries.push(entry);
    }
    let path = dir.join("log.json");
    std::fs::write(&path, serde_json::json!({"entries": entries}).to_string()).unwrap();
    path
}

#[test]
fn verify_with_the_log_pins_the_replacements_and_says_verified() {
    let dir = tempfile::tempdir().unwrap();
    let (bundle, pins) = vector_bundle(dir.path(), "replaced-untouched");
    let log = log_file(dir.path(), &pins);
    let verified = opendraw(&["verify", path(&bundle), "--log", path(&log)]);
    assert!(verified.status.success(), "{}", text(&verified));
    let output = text(&verified);
    assert!(output.contains("public log: task 7, committed at 2026-12-01T08:00:01.000Z"), "{output}");
    assert!(output.contains("pass  replacement digests replacements.tsv"), "{output}");
    assert!(output.contains("verified: all 15 checks pass"), "{output}");

    // The digests given one by one pin the same.
    let list =
        pins["replacements"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect::<Vec<_>>();
    let (commitment, result) = (pins["commitment"].as_str().unwrap(), pins["result"].as_str().unwrap());
    let by_hand = ["--commitment", commitment, "--result-digest", result];
    let flags =
        opendraw(&[&["verify", path(&bundle)], &by_hand[..], &["--replacements", &list.join(",")]].concat());
    assert!(text(&flags).contains("verified: all 15 checks pass"), "{}", text(&flags));

    // Without the replacements' pin the bundle is consistent, not verified.
    let unpinned = opendraw(&[&["verify", path(&bundle)], &by_hand[..]].concat());
    assert!(unpinned.status.success());
    assert!(text(&unpinned).contains("consistent: all 14 checks pass, but the bundle is not pinned to the public log (no replacement digests given)"), "{}", text(&unpinned));
    let bare = opendraw(&["verify", path(&bundle)]);
    assert!(
        text(&bare).contains("(no commitment digest, result digest, replacement digests given)"),
        "{}",
        text(&bare)
    );

    // A bundle of another commitment finds no task in the log.
    let (other, _) = vector_bundle(dir.path(), "untouched");
    let unknown = opendraw(&["verify", path(&other), "--log", path(&log)]);
    assert_eq!(unknown.status.code(), Some(1), "{}", text(&unknown));
    assert!(text(&unknown).contains("no task of the log is committed to"), "{}", text(&unknown));
    let mixed = opendraw(&["verify", path(&bundle), "--log", path(&log), "--commitment", commitment]);
    assert_eq!(mixed.status.code(), Some(2), "--log takes every pin: {}", text(&mixed));
}

#[test]
fn verify_with_the_log_refuses_dropped_changed_or_added_replacements() {
    let dir = tempfile::tempdir().unwrap();
    let (_, pins) = vector_bundle(dir.path(), "replaced-untouched");
    let log = log_file(dir.path(), &pins);
    for (name, detail) in [
        ("replacements-deleted", "the bundle has no replacements.tsv"),
        ("replacements-last-dropped", "replacement 3 of the public log is missing"),
        ("replacements-reason-edited", "the line of replacement 2 is not the one the public log holds"),
        ("replacements-line-added", "replacement 4 is not in the public log"),
    ] {
        let (bundle, _) = vector_bundle(dir.path(), name);
        let pinned = opendraw(&["verify", path(&bundle), "--log", path(&log)]);
        assert_eq!(pinned.status.code(), Some(1), "{name}: {}", text(&pinned));
        let output = text(&pinned);
        assert!(
            output.contains("NOT verified; the first failure: FAIL  replacement digests"),
            "{name}: {output}"
        );
        assert!(output.contains(detail), "{name}: {output}");
    }
}

#[test]
fn the_holiday_calendar_imports_and_a_bad_row_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite:{}", dir.path().join("cli.db").display());
    let shipped = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("calendars/cn-2026.csv");
    let imported = opendraw(&["import", "--database-url", &database, "calendar", path(&shipped)]);
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(text(&imported).contains("imported 39 calendar"), "{}", text(&imported));

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-08,workday,调休\n").unwrap();
    let refused = opendraw(&["import", "--database-url", &database, "calendar", path(&bad)]);
    assert!(!refused.status.success());
    let message = text(&refused);
    assert!(message.contains("line 3, column kind") && message.contains("is a Friday"), "{message}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let days = runtime.block_on(async {
        let store = opendraw::storage::Store::open(&database).await.unwrap();
        opendraw::storage::calendar::days(store.pool(), Some(2027)).await.unwrap()
    });
    assert!(days.is_empty(), "the good first row was not kept either: {days:?}");
}

#[test]
fn verify_refuses_one_page_of_the_log_as_if_it_were_the_whole_log() {
    let dir = tempfile::tempdir().unwrap();
    let (bundle, pins) = vector_bundle(dir.path(), "replacements-last-dropped");
    let log = log_file(dir.path(), &pins);
    let whole: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
    let entries = whole["entries"].as_array().unwrap();
    let last = entries.last().unwrap();
    // The page a server gives for `?limit=N`: its first entries, and the
    // head of the whole log. The replacement this bundle dropped is the
    // last entry, outside the page.
    let page = serde_json::json!({
        "entries": entries[..entries.len() - 1],
        "head": {"seq": last["seq"], "hash": last["hash"]},
    });
    let page_file = dir.path().join("page.json");
    std::fs::write(&page_file, page.to_string()).unwrap();
    let refused = opendraw(&["verify", path(&bundle), "--log", path(&page_file)]);
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(text(&refused).contains("it is one page, not the whole log"), "{}", text(&refused));

    // The whole log, with its head, catches the dropped replacement.
    let with_head =
        serde_json::json!({"entries": entries, "head": {"seq": last["seq"], "hash": last["hash"]}});
    std::fs::write(&page_file, with_head.to_string()).unwrap();
    let failed = opendraw(&["verify", path(&bundle), "--log", path(&page_file)]);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed));
    assert!(text(&failed).contains("NOT verified"), "{}", text(&failed));

    // A log that does not start at its first entry is refused too.
    let tail = serde_json::json!({"entries": entries[1..]});
    std::fs::write(&page_file, tail.to_string()).unwrap();
    let refused = opendraw(&["verify", path(&bundle), "--log", path(&page_file)]);
    assert!(
        text(&refused).contains("the file must hold the whole log from its first entry"),
        "{}",
        text(&refused)
    );
}

#[test]
fn verify_takes_no_pins_from_a_log_whose_chain_is_broken() {
    let dir = tempfile::tempdir().unwrap();
    let (bundle, pins) = vector_bundle(dir.path(), "replacements-last-dropped");
    let log = log_file(dir.path(), &pins);
    // The last entry's payload edited by hand: its recorded digest and hash
    // no longer match it.
    let mut whole: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
    let entries = whole["entries"].as_array_mut().unwrap();
    let last = entries.last_mut().unwrap();
    last["payload"] = serde_json::Value::String(
        last["payload"].as_str().unwrap().replace("\"replacement\":", "\"replacement\": "),
    );
    std::fs::write(&log, whole.to_string()).unwrap();
    let refused = opendraw(&["verify", path(&bundle), "--log", path(&log)]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(text(&refused).contains("FAIL  public log: entry"), "{}", text(&refused));
    assert!(text(&refused).contains("the public log does not verify"), "{}", text(&refused));
}

/// `opendraw user add --password-stdin` with `password` on stdin.
fn user_add_with_password(database: &str, name: &str, password: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_opendraw"))
        .args(["user", "add", "--database-url", database, "--role", "admin", "--password-stdin", name])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn user_add_sets_a_password_from_stdin_that_signs_in_and_refuses_a_weak_one() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite:{}", dir.path().join("accounts.db").display());
    let weak = user_add_with_password(&database, "operator", "password123");
    assert_eq!(weak.status.code(), Some(2), "{}", text(&weak));
    assert!(text(&weak).contains("most common"), "{}", text(&weak));
    let made = user_add_with_password(&database, "operator", "the operator's own password");
    assert!(made.status.success(), "{}", text(&made));
    assert!(String::from_utf8_lossy(&made.stdout).starts_with("od_"), "the token is still printed");

    let server = server_process::ServerProcess::start(&database, &["--public-dir", "/nonexistent"], None);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let status = runtime.block_on(async {
        let body = serde_json::json!({"username": "operator", "password": "the operator's own password"});
        let client = reqwest::Client::new();
        client.post(format!("{}/api/session", server.address)).json(&body).send().await.unwrap().status()
    });
    assert_eq!(status, reqwest::StatusCode::CREATED);
}

#[test]
fn a_served_log_has_no_colour_codes_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite:{}", dir.path().join("log.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_opendraw"))
        // A directory that is not there makes a warning, which a terminal shows in colour.
        .args(["serve", "--database-url", &database, "--bind", "127.0.0.1:0", "--public-dir", "/nonexistent"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut log = Vec::new();
    while !String::from_utf8_lossy(&log).contains("listening on") {
        let read = stderr.read_until(b'\n', &mut log).unwrap();
        assert!(read > 0, "the server stopped: {}", String::from_utf8_lossy(&log));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let text = String::from_utf8_lossy(&log);
    assert!(text.contains("WARN") && text.contains("INFO"), "{text}");
    assert!(!log.contains(&0x1b), "an escape code in: {text:?}");
}
