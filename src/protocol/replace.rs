//! Replacing an assigned inspector (PROTOCOL.md §16): the replacement is
//! drawn, not chosen — from the target's remaining candidates, with a stream
//! derived from the task's seed and the replacement's number — so that it
//! is verifiable like the draw itself.

use std::collections::HashSet;

use super::commitment::{PROTOCOL_VERSION, Seed};
use super::digest::Digest;
use super::draw::DrawInputs;
use super::field::{Department, InspectorId, TargetId, check_field};
use super::manifest::Inspector;
use super::result::Assignment;
use super::stream::DrawStream;
use super::tsv::{self, ParseError};

pub const REPLACEMENTS_FILE: &str = "replacements.tsv";
const TAG: &str = "opendraw/v1/replacement";
const LINE_KEY_TAG: &str = "opendraw/v1/replacement-line-key";
const LINE_TAG: &str = "opendraw/v1/replacement-line";
/// Longest reason, in bytes.
pub const MAX_REASON: usize = 1024;

/// One replacement: in the assignment of `target` for `department`,
/// inspector `out` gives way to `replacement`, drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// 1 for a task's first replacement, then 2, 3, …
    pub number: u32,
    pub target: TargetId,
    pub department: Department,
    pub out: InspectorId,
    pub replacement: InspectorId,
    /// Why (a declared conflict of interest, an illness, …); published.
    pub reason: String,
}

/// Why a replacement cannot be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplacementError {
    #[error("inspector {out} is not assigned to target {target} for department {department}")]
    NotAssigned { target: TargetId, department: Department, out: InspectorId },
    #[error("no other eligible inspector of department {department} is left for target {target}")]
    NoCandidate { target: TargetId, department: Department },
    #[error("the reason {0}")]
    Reason(String),
}

/// The stream of replacement `number`: ChaCha20 keyed by
/// `H("opendraw/v1/replacement", seed, number)`.
pub fn replacement_stream(seed: &Seed, number: u32) -> DrawStream {
    let key = Digest::tagged(TAG, &[seed.0.as_bytes(), number.to_string().as_bytes()]);
    DrawStream::new(key.0)
}

/// The key of replacement `number`'s logged line digest:
/// `H("opendraw/v1/replacement-line-key", seed, number)`. Nobody but the
/// operator knows the seed before the reveal, so nobody can test guessed
/// lines against the log; afterwards everyone can. One replacement's key
/// can be handed out without the seed, which would open the whole draw.
pub fn line_key(seed: &Seed, number: u32) -> Digest {
    Digest::tagged(LINE_KEY_TAG, &[seed.0.as_bytes(), number.to_string().as_bytes()])
}

/// The inspectors who may replace `out` for the target and department, in
/// id order: §8.2's candidates, less everyone now assigned there.
pub fn candidates<'a>(
    inputs: &DrawInputs<'a>,
    current: &[Assignment],
    target: &TargetId,
    department: &Department,
) -> Vec<&'a Inspector> {
    let parameters = inputs.parameters;
    let Some(index) = inputs.targets.find(target.as_str()) else { return Vec::new() };
    let target_row = inputs.targets.get(index);
    let assigned: HashSet<&str> = current
        .iter()
        .filter(|a| a.target == *target && a.department == *department)
        .flat_map(|a| a.inspectors.iter().map(InspectorId::as_str))
        .collect();
    let recused: HashSet<&str> = inputs
        .recusals
        .pairs()
        .iter()
        .filter(|p| p.target == *target)
        .map(|p| p.inspector.as_str())
        .collect();
    inputs
        .inspectors
        .inspectors()
        .iter()
        .filter(|i| i.department == *department)
        .filter(|i| i.is_qualified_for(parameters.items()))
        .filter(|i| i.certificate_valid_on(parameters.certificate_date))
        .filter(|i| !recused.contains(i.id.as_str()))
        .filter(|i| !parameters.cross.region || i.region.as_str() != target_row.region)
        .filter(|i| !parameters.cross.unit || target_row.unit.is_none_or(|unit| i.unit.as_str() != unit))
        .filter(|i| !assigned.contains(i.id.as_str()))
        .collect()
}

/// Draws replacement `number` for `out` in the current assignments.
pub fn draw_replacement(
    inputs: &DrawInputs<'_>,
    seed: &Seed,
    current: &[Assignment],
    number: u32,
    target: &TargetId,
    department: &Department,
    out: &InspectorId,
) -> Result<InspectorId, ReplacementError> {
    let holds = current
        .iter()
        .any(|a| a.target == *target && a.department == *department && a.inspectors.contains(out));
    if !holds {
        return Err(ReplacementError::NotAssigned {
            target: target.clone(),
            department: department.clone(),
            out: out.clone(),
        });
    }
    let remaining = candidates(inputs, current, target, department);
    if remaining.is_empty() {
        return Err(ReplacementError::NoCandidate { target: target.clone(), department: department.clone() });
    }
    let mut stream = replacement_stream(seed, number);
    let chosen = stream.uniform_below(remaining.len() as u32) as usize;
    Ok(remaining[chosen].id.clone())
}

/// Puts the replacement in `out`'s place.
pub fn apply(current: &mut [Assignment], replacement: &Replacement) {
    for assignment in current.iter_mut() {
        if assignment.target == replacement.target && assignment.department == replacement.department {
            for inspector in &mut assignment.inspectors {
                if *inspector == replacement.out {
                    *inspector = replacement.replacement.clone();
                }
            }
        }
    }
}

/// Checks a reason: a field text of up to 1 024 bytes (PROTOCOL.md §2.1).
pub fn check_reason(reason: &str) -> Result<(), ReplacementError> {
    check_field(reason, MAX_REASON).map_err(|error| ReplacementError::Reason(error.to_string()))
}

/// The replacements of a task, as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacements {
    pub commitment: Digest,
    pub items: Vec<Replacement>,
}

impl Replacement {
    /// The replacement's line, without its LF: what the log's digest covers.
    pub fn line(&self) -> String {
        [
            "replace",
            &self.number.to_string(),
            self.target.as_str(),
            self.department.as_str(),
            self.out.as_str(),
            self.replacement.as_str(),
            &self.reason,
        ]
        .join("\t")
    }

    /// What the log holds (`keyed_line`, §16):
    /// `H("opendraw/v1/replacement-line", line_key(seed, number), line)`.
    pub fn keyed_line_digest(&self, seed: &Seed) -> Digest {
        let key = line_key(seed, self.number);
        Digest::tagged(LINE_TAG, &[key.as_bytes(), self.line().as_bytes()])
    }

    /// The plain SHA-256 of the line, which the log held (as `line`) before
    /// keyed digests: guessable from public facts while the task is sealed,
    /// kept only to check those entries.
    pub fn line_digest(&self) -> Digest {
        Digest::of_file(self.line().as_bytes())
    }
}

impl Replacements {
    pub fn to_text(&self) -> Vec<u8> {
        let mut out = Vec::new();
        tsv::push_record(&mut out, &["opendraw-replacements", PROTOCOL_VERSION]);
        tsv::push_record(&mut out, &["commitment", &self.commitment.to_hex()]);
        for item in &self.items {
            out.extend_from_slice(item.line().as_bytes());
            out.push(b'\n');
        }
        out
    }

    pub fn parse(text: &[u8]) -> Result<Self, ParseError> {
        const FILE: &str = REPLACEMENTS_FILE;
        let mut lines = tsv::lines(FILE, text)?;
        if lines.next() != Some((1, "opendraw-replacements\t1")) {
            return Err(ParseError::line(FILE, 1, "must be 'opendraw-replacements<TAB>1'"));
        }
        let (number, line) =
            lines.next().ok_or_else(|| ParseError::file(FILE, "ends before its commitment line"))?;
        let [key, value] = tsv::fields(FILE, number, line)?;
        if key != "commitment" {
            return Err(ParseError::line(FILE, number, "a 'commitment' line is expected here"));
        }
        let commitment =
            Digest::parse_hex(value).map_err(|e| ParseError::field(FILE, number, "commitment", e))?;
        let mut items = Vec::new();
        for (number, line) in lines {
            let [kind, count, target, department, out, replacement, reason] =
                tsv::fields(FILE, number, line)?;
            let at =
                |column: &'static str| move |error: String| ParseError::field(FILE, number, column, error);
            if kind != "replace" {
                return Err(ParseError::line(FILE, number, "a 'replace' line is expected here"));
            }
            let expected = (items.len() + 1).to_string();
            if count != expected {
                return Err(at("number")(format!("'{count}' should be {expected}")));
            }
            check_reason(reason).map_err(|e| at("reason")(e.to_string()))?;
            items.push(Replacement {
                number: items.len() as u32 + 1,
                target: TargetId::parse(target).map_err(|e| at("target_id")(e.to_string()))?,
                department: Department::parse(department).map_err(|e| at("department")(e.to_string()))?,
                out: InspectorId::parse(out).map_err(|e| at("out")(e.to_string()))?,
                replacement: InspectorId::parse(replacement).map_err(|e| at("in")(e.to_string()))?,
                reason: reason.to_owned(),
            });
        }
        Ok(Self { commitment, items })
    }
}
