//! Recording by inspectors: the team assigned to a target saves what it
//! found as a draft, edits it until it is submitted (or again once it is
//! returned), and submits it for review.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::answers::{AnswerInput, check_all_answered, check_answers, check_consistent};
use super::views::ViewContext;
use super::{ResultKey, ResultView, changed_meanwhile, kind, new_reference, reread, state_of};
use crate::domain::account::User;
use crate::domain::calendar;
use crate::domain::inspection::{MAX_NOTES, MAX_OUTCOME_TEXT, MAX_SUMMARY, Outcome, ResultState, check_text};
use crate::service::tasks::definition_of;
use crate::service::{Service, ServiceError, ServiceResult};
use crate::storage::results::{self, Fields, ResultRow, Set};
use crate::storage::tasks::TaskRow;
use crate::storage::{checklists, log};

/// What inspectors write: a draft may leave anything out; a submission
/// needs an outcome (with words of its own for `other`) and the date.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultInput {
    /// no_problem, rectify, case_filed, no_activity, not_at_address, refused or other.
    #[serde(default)]
    pub outcome: Option<String>,
    /// What was found, in words; needed for `other`.
    #[serde(default)]
    pub outcome_text: String,
    /// The day the inspection was completed (YYYY-MM-DD).
    #[serde(default)]
    pub inspection_date: Option<String>,
    /// For publication.
    #[serde(default)]
    pub summary: String,
    /// Internal: never published.
    #[serde(default)]
    pub notes: String,
    /// Answers to the item's checklist (internal: never published); the
    /// saved set replaces the previous one.
    #[serde(default)]
    pub answers: Vec<AnswerInput>,
}

impl Service {
    /// A result of the caller's team, with its notes.
    pub async fn my_result(&self, user: &User, key: ResultKey<'_>) -> ServiceResult<ResultView> {
        let context = ViewContext::load(self).await?;
        let (task, _) = self.team_member(user, key, &context).await?;
        let row = results::current(self.store().pool(), key.task, key.target, key.item).await?.ok_or_else(
            || {
                ServiceError::NotFound(format!(
                    "no result has been recorded for target {} and item {} in task {}",
                    key.target, key.item, key.task
                ))
            },
        )?;
        self.result_view_in(&context, row, &task).await
    }

    /// Saves what the caller's team found, as a draft: created on the first
    /// save, editable until submitted (and again when returned).
    pub async fn save_result(
        &self,
        user: &User,
        key: ResultKey<'_>,
        input: ResultInput,
    ) -> ServiceResult<(bool, ResultView)> {
        let context = ViewContext::load(self).await?;
        let (task, department) = self.team_member(user, key, &context).await?;
        let checked = check_input(&input, &task, context.today)?;
        let fields = checked.fields(&input);
        let checklist = checklists::points(self.store().pool(), key.item).await?;
        let answers = check_answers(&input.answers, &checklist)?;
        check_consistent(fields.outcome, &answers)?;
        let mut tx = self.store().write().await?;
        let existing = results::current(tx.conn(), key.task, key.target, key.item).await?;
        let (created, id) = match existing {
            None => {
                let reference = new_reference()?;
                let id = results::insert(
                    tx.conn(),
                    &reference,
                    key.task,
                    key.target,
                    key.item,
                    &department,
                    ResultState::Draft,
                    &fields,
                    &user.name,
                )
                .await?;
                (true, id)
            }
            Some(row) => {
                let editable = [ResultState::Draft, ResultState::Returned];
                if !results::update_fields(tx.conn(), row.id, &editable, &fields, &user.name).await? {
                    return Err(not_editable(&row));
                }
                (false, row.id)
            }
        };
        checklists::set_answers(tx.conn(), id, &answers).await?;
        results::add_step(tx.conn(), id, &user.name, "saved", "").await?;
        let row = reread(&mut tx, id).await?;
        tx.commit().await?;
        Ok((created, self.result_view_in(&context, row, &task).await?))
    }

    /// Enters the result for review: from then on its team cannot change it.
    pub async fn submit_result(&self, user: &User, key: ResultKey<'_>) -> ServiceResult<ResultView> {
        let context = ViewContext::load(self).await?;
        let (task, _) = self.team_member(user, key, &context).await?;
        let row = results::current(self.store().pool(), key.task, key.target, key.item).await?.ok_or_else(
            || {
                ServiceError::conflict(
                    "result_not_recorded",
                    format!(
                        "nothing has been recorded for target {} and item {} yet; save it first",
                        key.target, key.item
                    ),
                )
            },
        )?;
        let state = state_of(&row)?;
        if !state.editable() {
            return Err(not_editable(&row));
        }
        check_complete(&row)?;
        let pool = self.store().pool();
        let answers = checklists::answers(pool, row.id).await?;
        check_all_answered(&checklists::points(pool, key.item).await?, &answers)?;
        check_consistent(row.outcome.as_deref(), &answers)?;
        let mut tx = self.store().write().await?;
        let editable = [ResultState::Draft, ResultState::Returned];
        if !results::transition(
            tx.conn(),
            row.id,
            &editable,
            ResultState::Submitted,
            &[Set::Now("submitted_at")],
        )
        .await?
        {
            return Err(changed_meanwhile(&row));
        }
        results::add_step(tx.conn(), row.id, &user.name, "submitted", "").await?;
        // The public log names the role, not the inspector: who inspects a
        // sealed task's targets is sealed too.
        let payload = json!({"task": row.task, "result": row.reference});
        log::append(tx.conn(), self.now(), kind::SUBMITTED, Some(row.task), "inspector", &payload).await?;
        let row = reread(&mut tx, row.id).await?;
        tx.commit().await?;
        self.result_view_in(&context, row, &task).await
    }

    /// The task, and the department responsible for the item (which
    /// reviews what the team records), when the caller is assigned to the target.
    pub(super) async fn team_member(
        &self,
        user: &User,
        key: ResultKey<'_>,
        context: &ViewContext,
    ) -> ServiceResult<(TaskRow, String)> {
        let task = self.assigned_task(user, key.task, key.target).await?;
        if !definition_of(&task)?.items.iter().any(|item| item == key.item) {
            return Err(ServiceError::NotFound(format!("task {} has no item {}", key.task, key.item)));
        }
        let department = context.names.department_of(key.item).ok_or_else(|| {
            ServiceError::NotFound(format!("item {} is not in the item directory", key.item))
        })?;
        Ok((task, department.to_owned()))
    }
}

/// An input whose every present field is valid.
pub(super) struct CheckedInput {
    outcome: Option<Outcome>,
}

impl CheckedInput {
    pub(super) fn fields<'a>(&self, input: &'a ResultInput) -> Fields<'a> {
        Fields {
            outcome: self.outcome.map(Outcome::code),
            outcome_text: &input.outcome_text,
            inspection_date: input.inspection_date.as_deref().filter(|d| !d.is_empty()),
            summary: &input.summary,
            notes: &input.notes,
        }
    }
}

pub(super) fn check_input(
    input: &ResultInput,
    task: &TaskRow,
    today: chrono::NaiveDate,
) -> ServiceResult<CheckedInput> {
    let invalid =
        |field: &str, message: String| ServiceError::invalid("invalid_result", Some(field.into()), message);
    let outcome = match input.outcome.as_deref().filter(|o| !o.is_empty()) {
        None => None,
        Some(code) => Some(Outcome::parse(code).ok_or_else(|| {
            let known: Vec<&str> = Outcome::ALL.iter().map(|o| o.code()).collect();
            invalid("outcome", format!("'{code}' is not one of {}", known.join(", ")))
        })?),
    };
    for (field, value, max) in [
        ("outcome_text", &input.outcome_text, MAX_OUTCOME_TEXT),
        ("summary", &input.summary, MAX_SUMMARY),
        ("notes", &input.notes, MAX_NOTES),
    ] {
        check_text(value, max).map_err(|why| invalid(field, format!("the {field} {why}")))?;
    }
    if let Some(text) = input.inspection_date.as_deref().filter(|d| !d.is_empty()) {
        let day = calendar::parse_day(text).ok_or_else(|| {
            invalid("inspection_date", format!("'{text}' is not a date of the form YYYY-MM-DD"))
        })?;
        if day > today {
            return Err(invalid("inspection_date", format!("{text} is in the future (today is {today})")));
        }
        if let Some(drawn) = task.drawn_at.and_then(|at| calendar::local_day(&at.to_string()))
            && day < drawn
        {
            return Err(invalid(
                "inspection_date",
                format!("{text} is before task {} was drawn ({drawn})", task.id),
            ));
        }
    }
    Ok(CheckedInput { outcome })
}

fn check_complete(row: &ResultRow) -> ServiceResult<()> {
    let fields = Fields {
        outcome: row.outcome.as_deref(),
        outcome_text: &row.outcome_text,
        inspection_date: row.inspection_date.as_deref(),
        summary: &row.summary,
        notes: &row.notes,
    };
    check_fields_complete(&fields)
}

pub(super) fn check_fields_complete(fields: &Fields<'_>) -> ServiceResult<()> {
    let missing = |field: &str, message: &str| {
        ServiceError::invalid("result_incomplete", Some(field.into()), message.to_owned())
    };
    let outcome =
        fields.outcome.and_then(Outcome::parse).ok_or_else(|| missing("outcome", "give the outcome"))?;
    if fields.inspection_date.is_none() {
        return Err(missing("inspection_date", "give the date the inspection was completed"));
    }
    if outcome.needs_text() && fields.outcome_text.trim().is_empty() {
        return Err(missing("outcome_text", "the outcome 'other' needs words of its own in outcome_text"));
    }
    Ok(())
}

fn not_editable(row: &ResultRow) -> ServiceError {
    ServiceError::conflict(
        "result_entered",
        format!(
            "the result for target {} and item {} is {}; it can no longer be edited (a supervisor may return it)",
            row.target, row.item, row.state
        ),
    )
}
