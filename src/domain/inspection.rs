//! What an inspection found, and the path its result takes to publication.
//!
//! The outcomes are the fixed vocabulary of the national credit-publicity
//! record of random spot checks; the states are the review workflow:
//!
//! ```text
//! draft ──submit──▶ submitted ──approve──▶ approved ──publish──▶ published
//!   ▲                   │                                            │
//!   └──── returned ◀─return                               correct (a new row;
//!                                                        this one superseded)
//! ```

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an inspection of one item found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 未发现问题
    NoProblem,
    /// 发现问题，已责令改正
    Rectify,
    /// 发现问题，已立案查处
    CaseFiled,
    /// 未发现开展本次抽查涉及的经营活动
    NoActivity,
    /// 通过登记的住所（经营场所）无法联系
    NotAtAddress,
    /// 不配合检查
    Refused,
    /// 其他（需说明）
    Other,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::NoProblem,
        Outcome::Rectify,
        Outcome::CaseFiled,
        Outcome::NoActivity,
        Outcome::NotAtAddress,
        Outcome::Refused,
        Outcome::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::NoProblem => "no_problem",
            Outcome::Rectify => "rectify",
            Outcome::CaseFiled => "case_filed",
            Outcome::NoActivity => "no_activity",
            Outcome::NotAtAddress => "not_at_address",
            Outcome::Refused => "refused",
            Outcome::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|outcome| outcome.code() == code)
    }

    /// The wording of the national record.
    pub fn label_zh(self) -> &'static str {
        match self {
            Outcome::NoProblem => "未发现问题",
            Outcome::Rectify => "发现问题，已责令改正",
            Outcome::CaseFiled => "发现问题，已立案查处",
            Outcome::NoActivity => "未发现开展本次抽查涉及的经营活动",
            Outcome::NotAtAddress => "通过登记的住所（经营场所）无法联系",
            Outcome::Refused => "不配合检查",
            Outcome::Other => "其他",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Outcome::NoProblem => "No problem found",
            Outcome::Rectify => "Problems found, ordered to rectify",
            Outcome::CaseFiled => "Problems found, case filed",
            Outcome::NoActivity => "The business activity inspected was not found",
            Outcome::NotAtAddress => "Not reachable at its registered address",
            Outcome::Refused => "Refused the inspection",
            Outcome::Other => "Other",
        }
    }

    /// Whether the outcome needs words of its own (`outcome_text`).
    pub fn needs_text(self) -> bool {
        self == Outcome::Other
    }
}

/// A result's place in the review workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResultState {
    /// Being written by the inspectors; not yet entered.
    Draft,
    /// Entered, awaiting review.
    Submitted,
    /// Sent back to the inspectors with a reason; editable again.
    Returned,
    Approved,
    Published,
    /// Published, then corrected: the correction is a new result; this one
    /// stays public, marked as corrected.
    Superseded,
}

impl ResultState {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultState::Draft => "draft",
            ResultState::Submitted => "submitted",
            ResultState::Returned => "returned",
            ResultState::Approved => "approved",
            ResultState::Published => "published",
            ResultState::Superseded => "superseded",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            ResultState::Draft,
            ResultState::Submitted,
            ResultState::Returned,
            ResultState::Approved,
            ResultState::Published,
            ResultState::Superseded,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }

    /// Whether the inspectors may still change it.
    pub fn editable(self) -> bool {
        matches!(self, ResultState::Draft | ResultState::Returned)
    }

    /// Whether it has been entered (submitted or beyond): from then on the
    /// team that inspected can no longer change.
    pub fn entered(self) -> bool {
        !self.editable()
    }

    /// Whether the public can see it.
    pub fn public(self) -> bool {
        matches!(self, ResultState::Published | ResultState::Superseded)
    }
}

/// Longest summary for publication, internal notes, outcome text, reason.
pub const MAX_SUMMARY: usize = 4000;
pub const MAX_NOTES: usize = 8000;
pub const MAX_OUTCOME_TEXT: usize = 1000;
pub const MAX_REASON: usize = 2000;

/// A free-text field: at most `max` bytes, no control characters but line
/// breaks and tabs. Returns the reason it is refused.
pub fn check_text(value: &str, max: usize) -> Result<(), String> {
    if value.len() > max {
        return Err(format!("is {} bytes long; at most {max} are allowed", value.len()));
    }
    if let Some(bad) = value.chars().find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(format!("contains the control character U+{:04X}", bad as u32));
    }
    Ok(())
}

/// A reason that must be given: 1 to [`MAX_REASON`] bytes of text.
pub fn check_reason(value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("give a reason".into());
    }
    check_text(value, MAX_REASON)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_codes_round_trip_and_every_one_has_labels() {
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::parse(outcome.code()), Some(outcome));
            assert!(!outcome.label_zh().is_empty() && !outcome.label_en().is_empty());
            let json = serde_json::to_string(&outcome).unwrap();
            assert_eq!(json, format!("\"{}\"", outcome.code()));
        }
        assert_eq!(Outcome::parse("fine"), None);
    }

    #[test]
    fn texts_refuse_control_characters_and_excess() {
        assert!(check_text("两行\n文字", 100).is_ok());
        assert!(check_text("bell\u{7}", 100).unwrap_err().contains("U+0007"));
        assert!(check_text(&"x".repeat(11), 10).unwrap_err().contains("11 bytes"));
        assert!(check_reason("  ").is_err());
    }
}
