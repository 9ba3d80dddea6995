//! `opendraw draw`: commit to directory files and a task definition, then —
//! once the public entropy is given — draw and write the verification bundle.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::domain::task_definition::TaskDefinition;
use crate::files::bundle::{self, BUNDLE_FILE};
use crate::files::directory;
use crate::protocol::commitment::{COMMITMENT_FILE, REVEAL_FILE};
use crate::protocol::field::Entropy;
use crate::protocol::manifest::{INSPECTORS_FILE, RECUSALS_FILE, TARGETS_FILE};
use crate::protocol::parameters::PARAMETERS_FILE;
use crate::protocol::result::RESULT_FILE;
use crate::protocol::verify::BundleFiles;
use crate::protocol::{
    Commitment, Digest, DrawInputs, DrawResult, InspectorManifest, Parameters, RecusalManifest, Reveal,
    Secret, Seed, TargetManifest, run_draw,
};

const SECRET_FILE: &str = "secret.hex";
/// The task definition committed to, kept beside the commitment for the
/// rules the draw itself applies (the entropy's least length).
const DEFINITION_FILE: &str = "task.json";

/// Draw targets and inspectors from directory files, verifiably.
///
/// With the directory files, the task definition and no --entropy, it
/// commits: writes the manifests, the parameters, the commitment and the
/// secret to --out.
/// Publish the commitment, obtain the public entropy, then run
/// `opendraw draw --committed DIR --entropy TEXT`. Given --entropy at once, it
/// commits and draws in one step.
#[derive(Debug, clap::Args)]
pub struct DrawArgs {
    /// Target directory, as the service imports it (CSV: id, name, region,
    /// risk_class, [industry], [unit], [flags], [last_inspected], [address]).
    #[arg(long, value_name = "CSV", required_unless_present = "committed")]
    targets: Option<PathBuf>,
    /// Inspector directory, as the service imports it (CSV: id, name,
    /// department, unit, region, items, certificate_expires,
    /// [certificate_no], [active]); once per file, e.g. one per department.
    #[arg(long, value_name = "CSV", required_unless_present = "committed")]
    inspectors: Vec<PathBuf>,
    /// Declared recusals, as the service imports them (CSV: inspector_id,
    /// target_id, [reason]); once per file.
    #[arg(long, value_name = "CSV")]
    recusals: Vec<PathBuf>,
    /// The task definition (JSON), the document `POST /api/tasks` takes; it
    /// must name its departments.
    #[arg(long, value_name = "JSON", required_unless_present = "committed")]
    rules: Option<PathBuf>,
    /// The task's id in the published files (the service numbers its tasks).
    #[arg(long, value_name = "ID", required_unless_present = "committed")]
    task: Option<String>,
    /// The public entropy, written in the format the task definition's
    /// entropy plan commits to, e.g. the faces of dice rolled in public.
    #[arg(long, value_name = "TEXT")]
    entropy: Option<String>,
    /// The 32-byte secret as 64 hex digits; by default drawn from the OS.
    #[arg(long, value_name = "HEX")]
    secret: Option<String>,
    /// Directory for the output files.
    #[arg(long, value_name = "DIR", required_unless_present = "committed")]
    out: Option<PathBuf>,
    /// Draw for a task committed earlier into DIR.
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with_all = ["targets", "inspectors", "recusals", "rules", "task", "secret", "out"],
        requires = "entropy"
    )]
    committed: Option<PathBuf>,
}

/// A commitment with everything behind it.
struct Committed {
    parameters: Parameters,
    targets: TargetManifest,
    inspectors: InspectorManifest,
    recusals: RecusalManifest,
    commitment: Commitment,
    secret: Secret,
    /// The definition, as written; none in a directory committed before
    /// definitions were kept there.
    definition: Option<(Vec<u8>, TaskDefinition)>,
}

impl Committed {
    fn inputs(&self) -> DrawInputs<'_> {
        DrawInputs {
            parameters: &self.parameters,
            targets: &self.targets,
            inspectors: &self.inspectors,
            recusals: &self.recusals,
        }
    }
}

pub fn run(args: DrawArgs) -> anyhow::Result<ExitCode> {
    let entropy = args.entropy.as_deref().map(Entropy::parse).transpose().context("--entropy")?;
    let (committed, out, fresh) = match &args.committed {
        Some(dir) => (load_committed(dir)?, dir.clone(), false),
        None => (commit(&args)?, args.out.clone().expect("clap requires --out"), true),
    };
    // Every check comes before the first write: bad input writes nothing.
    if let Some(entropy) = &entropy {
        let format = committed.commitment.entropy_format;
        format.check(entropy).map_err(anyhow::Error::msg).context("--entropy")?;
        if let Some((_, definition)) = &committed.definition {
            check_length(entropy, definition.entropy.min_length)?;
        }
    }
    if fresh {
        if out.join(COMMITMENT_FILE).exists() {
            bail!(
                "{} already holds a commitment; a draw is never re-run over another, choose a new directory",
                out.display()
            );
        }
        write_commitment(&out, &committed)?;
    }
    let Some(entropy) = entropy else {
        println!(
            "\nPublish the commitment digest now. Once the public entropy exists, run\n  opendraw draw --committed {} --entropy TEXT",
            out.display()
        );
        return Ok(ExitCode::SUCCESS);
    };
    draw(&committed, entropy, &out)
}

/// Reads the directory files and the task definition and commits to them.
/// Writes nothing.
fn commit(args: &DrawArgs) -> anyhow::Result<Committed> {
    let definition_path = args.rules.as_ref().expect("clap requires --rules");
    let (text, definition) = read_definition(definition_path)?;
    let in_definition = || definition_path.display().to_string();
    let checked = definition.check_offline().with_context(in_definition)?;
    let task = args.task.as_deref().expect("clap requires --task");
    let parameters = definition.parameters_for(task, &definition.departments[0]).context("--task")?;
    let filter = &definition.filter;
    let cutoff = filter
        .exclude_inspected_within_days
        .and_then(|_| filter.inspected_cutoff(crate::domain::calendar::today()));
    let targets_path = args.targets.as_ref().expect("clap requires --targets");
    let targets = directory::read_targets(targets_path, filter, cutoff, &definition.strata_by)?;
    if targets.is_empty() {
        // The protocol allows an empty pool (PROTOCOL.md §2.2): the draw then
        // selects nothing, and publishing that is the point of committing it.
        println!("note: the target pool is empty: the draw will select no target");
    }
    let inspectors = directory::read_inspectors(&args.inspectors)?;
    let (recusals, outside) = directory::read_recusals(&args.recusals, &targets, &inspectors)?;
    if outside > 0 {
        println!("{outside} recusal pairs name an inspector or target outside the pools and are left out");
    }
    for department in &checked.departments {
        if !inspectors.inspectors().iter().any(|i| i.department == *department) {
            bail!(
                "{}: no inspector belongs to department '{department}', which the task definition names",
                display(&args.inspectors)
            );
        }
    }
    for key in parameters.stratum_quotas.keys() {
        if !targets.strata().contains(key) {
            println!("note: the task definition gives stratum '{key}' a quota, but no target is in it");
        }
    }
    let secret = match &args.secret {
        Some(hex) => Secret::parse_hex(hex).context("--secret")?,
        None => Secret::from_bytes(crate::service::os_random()?),
    };
    let inputs = DrawInputs {
        parameters: &parameters,
        targets: &targets,
        inspectors: &inspectors,
        recusals: &recusals,
    };
    inputs.check().with_context(in_definition)?;
    let mut commitment = inputs.commitment(secret.hash(), checked.entropy_format, checked.entropy_source);
    commitment.entropy_event = checked.entropy_event;
    Ok(Committed {
        commitment,
        parameters,
        targets,
        inspectors,
        recusals,
        secret,
        definition: Some((text, definition)),
    })
}

fn display(paths: &[PathBuf]) -> String {
    paths.iter().map(|path| path.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// Reads a task definition, naming the line and column of a JSON error.
fn read_definition(path: &Path) -> anyhow::Result<(Vec<u8>, TaskDefinition)> {
    let text = std::fs::read(path).with_context(|| path.display().to_string())?;
    let definition = serde_json::from_slice(&text).map_err(|error| {
        let (line, column) = (error.line(), error.column());
        let message = error.to_string();
        let message = message.trim_end_matches(&format!(" at line {line} column {column}"));
        let older = if is_older_rules_form(&text) { OLDER_RULES_FORM } else { "" };
        anyhow::anyhow!("{} line {line}, column {column}: {message}{older}", path.display())
    })?;
    Ok((text, definition))
}

const OLDER_RULES_FORM: &str = "\n  this is the older rules file of opendraw draw, which is no longer read: \
     write it as a task definition (the README says how), with its \"task\" given as --task";

/// The older rules form named its task in the document; a task definition
/// never does.
fn is_older_rules_form(text: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(text).is_ok_and(|value| value.get("task").is_some())
}

/// The entropy must be as long as the task definition asks.
fn check_length(entropy: &Entropy, min_length: u32) -> anyhow::Result<()> {
    let length = entropy.as_str().chars().count();
    if (length as u64) < u64::from(min_length) {
        bail!(
            "--entropy: the entropy has {length} characters; the task definition asks for at least {min_length}"
        );
    }
    Ok(())
}

fn write_commitment(out: &Path, committed: &Committed) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| out.display().to_string())?;
    write_file(out, PARAMETERS_FILE, &committed.parameters.to_text())?;
    write_file(out, TARGETS_FILE, &committed.targets.to_bytes())?;
    write_file(out, INSPECTORS_FILE, committed.inspectors.text())?;
    write_file(out, RECUSALS_FILE, committed.recusals.text())?;
    write_secret(out, &committed.secret)?;
    if let Some((text, _)) = &committed.definition {
        write_file(out, DEFINITION_FILE, text)?;
    }
    // Last: a directory holds a commitment only once everything behind it is on disk.
    write_file(out, COMMITMENT_FILE, &committed.commitment.to_text())?;
    println!("committed {}", committed.commitment.digest());
    println!(
        "  {TARGETS_FILE:<16} {:>10} targets in {} strata   {}",
        committed.targets.len(),
        committed.targets.strata().len(),
        committed.targets.digest()
    );
    println!(
        "  {INSPECTORS_FILE:<16} {:>10} inspectors             {}",
        committed.inspectors.len(),
        committed.inspectors.digest()
    );
    println!(
        "  {RECUSALS_FILE:<16} {:>10} recusal pairs          {}",
        committed.recusals.len(),
        committed.recusals.digest()
    );
    println!("  {PARAMETERS_FILE:<16} {:>10}                        {}", "", committed.parameters.digest());
    Ok(())
}

fn load_committed(dir: &Path) -> anyhow::Result<Committed> {
    if dir.join(RESULT_FILE).exists() {
        bail!("{} already holds a result; a draw is never re-run", dir.display());
    }
    let read =
        |name: &str| std::fs::read(dir.join(name)).with_context(|| dir.join(name).display().to_string());
    let (commitment, stated) = Commitment::parse(&read(COMMITMENT_FILE)?)?;
    let secret_text = read(SECRET_FILE)?;
    let secret = Secret::parse_hex(String::from_utf8_lossy(&secret_text).trim_end())
        .with_context(|| dir.join(SECRET_FILE).display().to_string())?;
    let committed = Committed {
        parameters: Parameters::parse(&read(PARAMETERS_FILE)?)?,
        targets: TargetManifest::parse(read(TARGETS_FILE)?)?,
        inspectors: InspectorManifest::parse(read(INSPECTORS_FILE)?)?,
        recusals: RecusalManifest::parse(read(RECUSALS_FILE)?)?,
        commitment,
        secret,
        definition: read_kept_definition(dir)?,
    };
    let mut recomputed = committed.inputs().commitment(
        committed.secret.hash(),
        committed.commitment.entropy_format,
        committed.commitment.entropy_source.clone(),
    );
    recomputed.entropy_event = committed.commitment.entropy_event.clone();
    if recomputed != committed.commitment || committed.commitment.digest() != stated {
        bail!("{}: the files no longer match the commitment; they must not change after it", dir.display());
    }
    Ok(committed)
}

/// The task definition kept beside a commitment, if the directory has one.
fn read_kept_definition(dir: &Path) -> anyhow::Result<Option<(Vec<u8>, TaskDefinition)>> {
    let path = dir.join(DEFINITION_FILE);
    if !path.exists() {
        return Ok(None);
    }
    read_definition(&path).map(Some)
}

fn draw(committed: &Committed, entropy: Entropy, out: &Path) -> anyhow::Result<ExitCode> {
    let format = committed.commitment.entropy_format;
    format.check(&entropy).map_err(anyhow::Error::msg).context("--entropy")?;
    let digest = committed.commitment.digest();
    let seed = Seed::derive(&digest, &committed.secret, &entropy);
    let result: DrawResult = run_draw(&committed.inputs(), digest, &seed)?;
    let reveal = Reveal::new(digest, committed.secret.clone(), entropy);
    let files = BundleFiles::new(&committed.inputs(), &committed.commitment, &reveal, &result);
    write_file(out, REVEAL_FILE, &files.reveal)?;
    write_file(out, BUNDLE_FILE, &bundle::to_tar(&files))?;
    write_file(out, RESULT_FILE, &files.result)?;
    println!("drawn with seed {}", seed.0);
    for stratum in &result.strata {
        println!("  stratum {}: {} of {}", stratum.key, stratum.quota, stratum.pool);
    }
    println!("  {} targets, {} assignments", result.targets.len(), result.assignments.len());
    println!("result {}  ({})", Digest::of_file(&files.result), out.join(RESULT_FILE).display());
    println!(
        "bundle {}  — check it with: opendraw verify {}",
        out.join(BUNDLE_FILE).display(),
        out.join(BUNDLE_FILE).display()
    );
    match &result.failure {
        None => Ok(ExitCode::SUCCESS),
        Some(failure) => {
            println!("the draw FAILED, and the failure is part of the result: {failure}");
            Ok(ExitCode::from(3))
        }
    }
}

/// Writes a file whole or not at all: into a temporary name, then renamed.
fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let temporary = dir.join(format!(".{name}.partial"));
    std::fs::write(&temporary, bytes).with_context(|| temporary.display().to_string())?;
    std::fs::rename(&temporary, dir.join(name)).with_context(|| dir.join(name).display().to_string())
}

fn write_secret(dir: &Path, secret: &Secret) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let temporary = dir.join(format!(".{SECRET_FILE}.partial"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(&temporary).with_context(|| temporary.display().to_string())?;
    writeln!(file, "{}", secret.to_hex())?;
    std::fs::rename(&temporary, dir.join(SECRET_FILE))?;
    Ok(())
}
