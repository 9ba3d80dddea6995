//! The draw's result and its canonical serialisation (PROTOCOL.md §9).

use std::fmt;

use super::commitment::PROTOCOL_VERSION;
use super::digest::Digest;
use super::field::{Department, InspectorId, StratumKey, TargetId};
use super::tsv::{self, ParseError};

pub const RESULT_FILE: &str = "result.tsv";

/// One stratum's pool size and the number drawn from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StratumOutcome {
    pub key: StratumKey,
    pub pool: u32,
    pub quota: u32,
}

/// A drawn target; `stratum` indexes [`DrawResult::strata`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedTarget {
    pub stratum: usize,
    pub id: TargetId,
}

/// The inspectors one department drew for one target, in draw order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub target: TargetId,
    pub department: Department,
    pub inspectors: Vec<InspectorId>,
}

/// The eligibility rules, in the order they narrow a target's candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EligibilityRule {
    Department,
    Qualification,
    Certificate,
    Recusal,
    CrossRegion,
    CrossUnit,
}

impl EligibilityRule {
    pub const ALL: [EligibilityRule; 6] = [
        Self::Department,
        Self::Qualification,
        Self::Certificate,
        Self::Recusal,
        Self::CrossRegion,
        Self::CrossUnit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Department => "department",
            Self::Qualification => "qualification",
            Self::Certificate => "certificate",
            Self::Recusal => "recusal",
            Self::CrossRegion => "cross-region",
            Self::CrossUnit => "cross-unit",
        }
    }

    /// What the rule keeps, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Department => "inspectors of the department",
            Self::Qualification => "qualified for every item",
            Self::Certificate => "certificate valid on the date",
            Self::Recusal => "not recused from the target",
            Self::CrossRegion => "from another region than the target",
            Self::CrossUnit => "from another unit than the target's",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|rule| rule.as_str() == text)
    }
}

/// Too few candidates for a target: the draw stops and records why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentFailure {
    pub target: TargetId,
    pub department: Department,
    /// The first rule after which fewer than `needed` candidates were left.
    pub rule: EligibilityRule,
    pub remaining: u32,
    pub needed: u32,
}

impl fmt::Display for AssignmentFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "target {} needs {} inspectors of department {}, but only {} remain once the {} rule applies ({})",
            self.target,
            self.needed,
            self.department,
            self.remaining,
            self.rule.as_str(),
            self.rule.describe()
        )
    }
}

/// Everything a draw produces; equal inputs give an equal result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawResult {
    pub commitment: Digest,
    pub strata: Vec<StratumOutcome>,
    /// Drawn targets in draw order: stratum by stratum, then as drawn.
    pub targets: Vec<SelectedTarget>,
    /// Target by target in draw order, department by department.
    pub assignments: Vec<Assignment>,
    pub failure: Option<AssignmentFailure>,
}

impl DrawResult {
    pub fn to_text(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 * (self.targets.len() + self.assignments.len()) + 256);
        tsv::push_record(&mut out, &["opendraw-result", PROTOCOL_VERSION]);
        tsv::push_record(&mut out, &["commitment", &self.commitment.to_hex()]);
        tsv::push_record(&mut out, &["status", if self.failure.is_some() { "failed" } else { "complete" }]);
        for stratum in &self.strata {
            let (pool, quota) = (stratum.pool.to_string(), stratum.quota.to_string());
            tsv::push_record(&mut out, &["stratum", stratum.key.as_str(), &pool, &quota]);
        }
        for (index, target) in self.targets.iter().enumerate() {
            let position = (index + 1).to_string();
            let stratum = self.strata[target.stratum].key.as_str();
            tsv::push_record(&mut out, &["target", &position, stratum, target.id.as_str()]);
        }
        for assignment in &self.assignments {
            let mut fields = vec!["assign", assignment.target.as_str(), assignment.department.as_str()];
            fields.extend(assignment.inspectors.iter().map(InspectorId::as_str));
            tsv::push_record(&mut out, &fields);
        }
        if let Some(failure) = &self.failure {
            let (remaining, needed) = (failure.remaining.to_string(), failure.needed.to_string());
            tsv::push_record(
                &mut out,
                &[
                    "failure",
                    failure.target.as_str(),
                    failure.department.as_str(),
                    failure.rule.as_str(),
                    &remaining,
                    &needed,
                ],
            );
        }
        out
    }

    pub fn digest(&self) -> Digest {
        Digest::of_file(&self.to_text())
    }

    /// Reads a published result. Only its form is checked here; whether it
    /// is the right result is for the verifier to recompute.
    pub fn parse(text: &[u8]) -> Result<Self, ParseError> {
        const FILE: &str = RESULT_FILE;
        let mut lines = tsv::lines(FILE, text)?.peekable();
        let header = |lines: &mut dyn Iterator<Item = (usize, &str)>,
                      key: &str|
         -> Result<(usize, String), ParseError> {
            match lines.next() {
                Some((number, line)) => {
                    let [found, value] = tsv::fields(FILE, number, line)?;
                    if found != key {
                        return Err(ParseError::line(
                            FILE,
                            number,
                            format!("a '{key}' line is expected here"),
                        ));
                    }
                    Ok((number, value.to_owned()))
                }
                None => Err(ParseError::file(FILE, format!("ends before its '{key}' line"))),
            }
        };
        let (_, version) = header(&mut lines, "opendraw-result")?;
        if version != PROTOCOL_VERSION {
            return Err(ParseError::line(FILE, 1, format!("protocol version '{version}' is not 1")));
        }
        let (number, commitment) = header(&mut lines, "commitment")?;
        let commitment = Digest::parse_hex(&commitment)
            .map_err(|error| ParseError::field(FILE, number, "commitment", error))?;
        let (number, status) = header(&mut lines, "status")?;
        let failed = match status.as_str() {
            "complete" => false,
            "failed" => true,
            other => {
                return Err(ParseError::field(
                    FILE,
                    number,
                    "status",
                    format!("'{other}' is neither 'complete' nor 'failed'"),
                ));
            }
        };
        let mut result = DrawResult {
            commitment,
            strata: Vec::new(),
            targets: Vec::new(),
            assignments: Vec::new(),
            failure: None,
        };
        for (number, line) in lines {
            let mut fields = line.split('\t');
            let kind = fields.next().unwrap_or_default();
            let fields: Vec<&str> = fields.collect();
            let at =
                |column: &'static str| move |error: String| ParseError::field(FILE, number, column, error);
            match kind {
                "stratum" if result.targets.is_empty() => {
                    let [key, pool, quota] = fields[..] else {
                        return Err(ParseError::line(
                            FILE,
                            number,
                            "a stratum line has a key, a pool size and a quota",
                        ));
                    };
                    let count = |text: &str| {
                        tsv::parse_count(text)
                            .and_then(|n| u32::try_from(n).map_err(|_| format!("{n} is 2^32 or more")))
                    };
                    let key = StratumKey::parse(key).map_err(|e| at("stratum")(e.to_string()))?;
                    // One line per stratum, in bytewise order (§9): a repeated or
                    // misplaced stratum is a malformed file, not a different draw.
                    if let Some(previous) = result.strata.last()
                        && previous.key.as_str().as_bytes() >= key.as_str().as_bytes()
                    {
                        return Err(at("stratum")(format!(
                            "'{key}' comes after '{}': strata are listed once each, in strictly increasing bytewise order",
                            previous.key
                        )));
                    }
                    result.strata.push(StratumOutcome {
                        key,
                        pool: count(pool).map_err(at("pool"))?,
                        quota: count(quota).map_err(at("quota"))?,
                    });
                }
                "target" if result.assignments.is_empty() => {
                    let [position, stratum, id] = fields[..] else {
                        return Err(ParseError::line(
                            FILE,
                            number,
                            "a target line has a position, a stratum and a target id",
                        ));
                    };
                    let expected = (result.targets.len() + 1).to_string();
                    if position != expected {
                        return Err(at("position")(format!("'{position}' should be {expected}")));
                    }
                    let stratum = result
                        .strata
                        .iter()
                        .position(|s| s.key.as_str() == stratum)
                        .ok_or_else(|| at("stratum")(format!("'{stratum}' has no stratum line")))?;
                    let id = TargetId::parse(id).map_err(|e| at("target_id")(e.to_string()))?;
                    result.targets.push(SelectedTarget { stratum, id });
                }
                "assign" if result.failure.is_none() => {
                    let [target, department, ref inspectors @ ..] = fields[..] else {
                        return Err(ParseError::line(
                            FILE,
                            number,
                            "an assign line has a target, a department and inspectors",
                        ));
                    };
                    let inspectors = inspectors
                        .iter()
                        .map(|id| InspectorId::parse(id).map_err(|e| at("inspector_id")(e.to_string())))
                        .collect::<Result<Vec<_>, _>>()?;
                    result.assignments.push(Assignment {
                        target: TargetId::parse(target).map_err(|e| at("target_id")(e.to_string()))?,
                        department: Department::parse(department)
                            .map_err(|e| at("department")(e.to_string()))?,
                        inspectors,
                    });
                }
                "failure" if failed && result.failure.is_none() => {
                    let [target, department, rule, remaining, needed] = fields[..] else {
                        return Err(ParseError::line(
                            FILE,
                            number,
                            "a failure line has a target, a department, a rule and two counts",
                        ));
                    };
                    let count = |text: &str| {
                        tsv::parse_count(text)
                            .and_then(|n| u32::try_from(n).map_err(|_| format!("{n} is 2^32 or more")))
                    };
                    result.failure = Some(AssignmentFailure {
                        target: TargetId::parse(target).map_err(|e| at("target_id")(e.to_string()))?,
                        department: Department::parse(department)
                            .map_err(|e| at("department")(e.to_string()))?,
                        rule: EligibilityRule::parse(rule)
                            .ok_or_else(|| at("rule")(format!("'{rule}' is not a rule")))?,
                        remaining: count(remaining).map_err(at("remaining"))?,
                        needed: count(needed).map_err(at("needed"))?,
                    });
                }
                _ => {
                    return Err(ParseError::line(FILE, number, format!("a '{kind}' line cannot stand here")));
                }
            }
        }
        if failed != result.failure.is_some() {
            return Err(ParseError::file(FILE, "its status and its failure line disagree"));
        }
        Ok(result)
    }
}
