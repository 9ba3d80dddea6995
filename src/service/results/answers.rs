//! A result's answers to its item's checklist: each names a point of the
//! checklist; a submitted result answers every point; and a point found
//! not compliant rules out the outcome `no_problem`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::evidence::{Answer, MAX_ANSWER_NOTE_CHARS};
use crate::domain::inspection::{Outcome, check_text};
use crate::service::{ServiceError, ServiceResult};
use crate::storage::checklists::{AnswerRow, PointRow};

/// An answer to one point of the item's checklist.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// The point's number in the item's checklist.
    pub number: i64,
    pub answer: Answer,
    /// At most 1000 characters.
    #[serde(default)]
    pub note: String,
}

/// An answer as recorded, with the point's words as they were answered.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ChecklistAnswer)]
pub struct AnswerView {
    pub number: i64,
    pub point: String,
    pub legal_basis: String,
    pub answer: Answer,
    pub note: String,
}

impl AnswerView {
    pub(super) fn from_row(row: AnswerRow) -> ServiceResult<Self> {
        let answer = Answer::parse(&row.answer)
            .ok_or_else(|| crate::service::damaged(format!("checklist answer '{}'", row.answer)))?;
        Ok(AnswerView {
            number: row.number,
            point: row.point,
            legal_basis: row.legal_basis,
            answer,
            note: row.note,
        })
    }
}

/// The answers as they are to be stored: each names a point of
/// `checklist`, once, with a note of bounded length.
pub(super) fn check_answers(
    answers: &[AnswerInput],
    checklist: &[PointRow],
) -> ServiceResult<Vec<AnswerRow>> {
    let mut rows: Vec<AnswerRow> = Vec::with_capacity(answers.len());
    for (index, input) in answers.iter().enumerate() {
        let field = format!("answers[{index}]");
        let point = checklist.iter().find(|point| point.number == input.number).ok_or_else(|| {
            let numbers = match checklist.len() {
                0 => "the item has no checklist".to_owned(),
                n => format!("the item's checklist has points 1 to {n}"),
            };
            ServiceError::invalid(
                "unknown_checklist_point",
                Some(format!("{field}.number")),
                format!("there is no checklist point {}; {numbers}", input.number),
            )
        })?;
        if rows.iter().any(|row| row.number == input.number) {
            return Err(ServiceError::invalid(
                "invalid_result",
                Some(format!("{field}.number")),
                format!("point {} is answered twice", input.number),
            ));
        }
        let chars = input.note.chars().count();
        let note_error = if chars > MAX_ANSWER_NOTE_CHARS {
            Some(format!("is {chars} characters long; at most {MAX_ANSWER_NOTE_CHARS} are allowed"))
        } else {
            check_text(&input.note, usize::MAX).err()
        };
        if let Some(why) = note_error {
            return Err(ServiceError::invalid(
                "invalid_result",
                Some(format!("{field}.note")),
                format!("the note on point {} {why}", input.number),
            ));
        }
        rows.push(AnswerRow {
            number: point.number,
            point: point.point.clone(),
            legal_basis: point.legal_basis.clone(),
            answer: input.answer.as_str().to_owned(),
            note: input.note.clone(),
        });
    }
    rows.sort_by_key(|row| row.number);
    Ok(rows)
}

/// A point found not compliant rules out `no_problem`.
pub(super) fn check_consistent(outcome: Option<&str>, answers: &[AnswerRow]) -> ServiceResult<()> {
    if outcome.and_then(Outcome::parse) != Some(Outcome::NoProblem) {
        return Ok(());
    }
    let failed: Vec<String> = answers
        .iter()
        .filter(|a| a.answer == Answer::NonCompliant.as_str())
        .map(|a| a.number.to_string())
        .collect();
    if failed.is_empty() {
        return Ok(());
    }
    Err(ServiceError::invalid(
        "outcome_contradicts_checklist",
        Some("outcome".into()),
        format!(
            "point {} of the checklist {} not compliant; the outcome cannot be no_problem",
            failed.join(", "),
            if failed.len() == 1 { "was found" } else { "were found" }
        ),
    ))
}

/// A submitted result answers every point of its item's checklist.
pub(super) fn check_all_answered(checklist: &[PointRow], answers: &[AnswerRow]) -> ServiceResult<()> {
    let missing: Vec<String> = checklist
        .iter()
        .filter(|point| !answers.iter().any(|a| a.number == point.number))
        .map(|point| point.number.to_string())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ServiceError::invalid(
        "checklist_incomplete",
        Some("answers".into()),
        format!(
            "answer every point of the checklist; point {} {} no answer",
            missing.join(", "),
            if missing.len() == 1 { "has" } else { "have" }
        ),
    ))
}
