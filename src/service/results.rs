//! Inspection results: inspectors record them, supervisors of the item's
//! department review and publish them, and a published result changes only
//! by a logged correction that leaves the original public.
//!
//! Each step is one transaction that moves the result's state (guarded by
//! the state it leaves), records who did it, when and why, and — from the
//! submission on — appends to the public log. Log entries name a result by
//! its opaque reference, never by target, so that a sealed selection stays
//! sealed; the published record itself enters the log at publication,
//! which is possible only once the task is revealed.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::tasks::{definition_of, no_task, takes_part};
use super::{Service, ServiceError, ServiceResult};
use crate::domain::calendar::{self, Calendar};
use crate::domain::inspection::{
    MAX_NOTES, MAX_OUTCOME_TEXT, MAX_SUMMARY, Outcome, ResultState, check_reason, check_text,
};
use crate::domain::task_definition::DEFAULT_INSPECTION_TYPE;
use crate::storage::results::{self, Fields, ResultRow, Set, Step};
use crate::storage::tasks::{self, TaskRow, state};
use crate::storage::users::User;
use crate::storage::{WriteTx, directory, log};

/// Kinds of public log entries for results.
pub mod kind {
    pub const SUBMITTED: &str = "result.submitted";
    pub const RETURNED: &str = "result.returned";
    pub const APPROVED: &str = "result.approved";
    pub const PUBLISHED: &str = "result.published";
    pub const CORRECTED: &str = "result.corrected";
}

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
}

/// A correction of a published result: the new content, and why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    pub outcome: String,
    #[serde(default)]
    pub outcome_text: String,
    pub inspection_date: String,
    #[serde(default)]
    pub summary: String,
    /// Published with the correction.
    pub reason: String,
}

/// Where a result stands against the 20-working-day deadline.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeadlineView {
    /// The last day on which publication is on time.
    pub due_date: String,
    /// Working days left after today (0: due today); negative when overdue.
    pub working_days_left: i64,
    pub overdue: bool,
}

impl DeadlineView {
    pub fn of(calendar: &Calendar, inspection_date: Option<&str>, today: chrono::NaiveDate) -> Option<Self> {
        let inspected = calendar::parse_day(inspection_date?)?;
        let deadline = calendar.deadline(inspected, today);
        Some(DeadlineView {
            due_date: deadline.due.to_string(),
            working_days_left: deadline.working_days_left,
            overdue: deadline.overdue,
        })
    }
}

/// A result as its inspectors and reviewers see it, internal notes included.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultView {
    pub id: i64,
    /// Opaque; how the public log and the published record name it.
    pub reference: String,
    pub task: i64,
    pub task_name: String,
    pub target: String,
    pub target_name: Option<String>,
    pub item: String,
    pub item_name: Option<String>,
    /// The department responsible for the item, whose supervisors review it.
    pub department: String,
    pub state: ResultState,
    pub outcome: Option<Outcome>,
    pub outcome_text: String,
    pub inspection_date: Option<String>,
    pub summary: String,
    pub notes: String,
    pub recorded_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub return_reason: Option<String>,
    pub published_by: Option<String>,
    pub published_at: Option<String>,
    /// The reference of the result this one corrects.
    pub corrects: Option<String>,
    pub correction_reason: Option<String>,
    /// Until published; from the inspection date.
    pub deadline: Option<DeadlineView>,
    /// Who did what, when and why, oldest first.
    pub steps: Vec<Step>,
}

/// A published result, as the public sees it: the fields of the national
/// credit-publicity record. It enters the public log as it is here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PublishedRecord {
    pub reference: String,
    pub plan_id: Option<String>,
    pub plan_name: Option<String>,
    pub task: i64,
    pub task_name: String,
    pub inspection_type: String,
    /// The inspecting authority.
    pub authority: String,
    /// The department responsible for the item.
    pub department: String,
    pub target: String,
    pub target_name: String,
    pub region: String,
    pub risk_class: String,
    pub item: String,
    pub item_name: String,
    pub outcome: Outcome,
    /// The outcome in the national record's words.
    pub outcome_label: String,
    pub outcome_text: String,
    pub summary: String,
    /// The completion date of the inspection.
    pub inspection_date: String,
    /// The last day on which publication was on time.
    pub due_date: String,
    pub published_at: String,
    /// The reference of the result this one corrects, and why.
    pub corrects: Option<String>,
    pub correction_reason: Option<String>,
}

/// The names the views of results show, read once per request.
pub(super) struct Names {
    pub items: HashMap<String, (String, String)>,
}

/// What every view of a result needs, read once per request.
pub(super) struct ViewContext {
    pub names: Names,
    pub calendar: Calendar,
    pub today: chrono::NaiveDate,
}

impl ViewContext {
    pub async fn load(service: &Service) -> ServiceResult<Self> {
        Ok(ViewContext {
            names: Names::load(service).await?,
            calendar: crate::storage::calendar::load(service.store().pool()).await?,
            today: service.today(),
        })
    }
}

impl Names {
    pub async fn load(service: &Service) -> ServiceResult<Self> {
        let items = directory::items(service.store().pool())
            .await?
            .into_iter()
            .map(|item| (item.code, (item.name, item.department)))
            .collect();
        Ok(Names { items })
    }

    pub fn item_name(&self, code: &str) -> Option<String> {
        self.items.get(code).map(|(name, _)| name.clone())
    }

    /// The department responsible for an item.
    pub fn department_of(&self, code: &str) -> Option<&str> {
        self.items.get(code).map(|(_, department)| department.as_str())
    }
}

/// Where inspectors name a result: task, target, item.
#[derive(Debug, Clone, Copy)]
pub struct ResultKey<'a> {
    pub task: i64,
    pub target: &'a str,
    pub item: &'a str,
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
                    ResultState::Draft.as_str(),
                    &fields,
                    &user.name,
                )
                .await?;
                (true, id)
            }
            Some(row) => {
                let editable = [ResultState::Draft.as_str(), ResultState::Returned.as_str()];
                if !results::update_fields(tx.conn(), row.id, &editable, &fields, &user.name).await? {
                    return Err(not_editable(&row));
                }
                (false, row.id)
            }
        };
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
        let mut tx = self.store().write().await?;
        let editable = [ResultState::Draft.as_str(), ResultState::Returned.as_str()];
        if !results::transition(
            tx.conn(),
            row.id,
            &editable,
            ResultState::Submitted.as_str(),
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

    /// A result for its reviewers: supervisors of the item's department.
    pub async fn result(&self, user: &User, id: i64) -> ServiceResult<ResultView> {
        let (row, task) = self.reviewed_result(user, id).await?;
        self.result_view(row, &task).await
    }

    /// The results a supervisor reviews, optionally of one task or state.
    pub async fn results(
        &self,
        user: &User,
        task: Option<i64>,
        state: Option<&str>,
    ) -> ServiceResult<Vec<ResultView>> {
        let department = super::supervised_department(user)?;
        if let Some(task) = task {
            self.reviewed_task(user, task).await?;
        }
        if let Some(state) = state
            && ResultState::parse(state).is_none()
        {
            return Err(ServiceError::invalid(
                "invalid_query",
                Some("state".into()),
                format!(
                    "'{state}' is not one of draft, submitted, returned, approved, published, superseded"
                ),
            ));
        }
        let pool = self.store().pool();
        let rows = results::of_department(pool, department, task, state).await?;
        let context = ViewContext::load(self).await?;
        // Each task once: the ones the department takes part in.
        let mut tasks: HashMap<i64, Option<TaskRow>> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            if let std::collections::hash_map::Entry::Vacant(slot) = tasks.entry(row.task) {
                let task = tasks::get(pool, row.task).await?.ok_or_else(|| no_task(row.task))?;
                slot.insert(takes_part(&task, department)?.then_some(task));
            }
            let Some(task) = &tasks[&row.task] else { continue };
            out.push(self.result_view_in(&context, row, task).await?);
        }
        Ok(out)
    }

    /// Sends a submitted result back to its team, with a reason.
    pub async fn return_result(&self, user: &User, id: i64, reason: &str) -> ServiceResult<ResultView> {
        check_reason(reason)
            .map_err(|why| ServiceError::invalid("invalid_reason", Some("reason".into()), why))?;
        let (row, task) = self.reviewed_result(user, id).await?;
        self.review_step(user, &row, &task, ResultState::Returned, reason).await
    }

    pub async fn approve_result(&self, user: &User, id: i64) -> ServiceResult<ResultView> {
        let (row, task) = self.reviewed_result(user, id).await?;
        self.review_step(user, &row, &task, ResultState::Approved, "").await
    }

    async fn review_step(
        &self,
        user: &User,
        row: &ResultRow,
        task: &TaskRow,
        to: ResultState,
        reason: &str,
    ) -> ServiceResult<ResultView> {
        let from = state_of(row)?;
        if from != ResultState::Submitted {
            let action = if to == ResultState::Returned { "returned" } else { "approved" };
            return Err(ServiceError::conflict(
                "invalid_result_state",
                format!("result {} is {}; it can be {action} only when submitted", row.id, from.as_str()),
            ));
        }
        let mut tx = self.store().write().await?;
        let mut also = vec![Set::Text("reviewed_by", &user.name), Set::Now("reviewed_at")];
        if to == ResultState::Returned {
            also.push(Set::Text("return_reason", reason));
        }
        if !results::transition(tx.conn(), row.id, &[ResultState::Submitted.as_str()], to.as_str(), &also)
            .await?
        {
            return Err(changed_meanwhile(row));
        }
        results::add_step(tx.conn(), row.id, &user.name, to.as_str(), reason).await?;
        let kind = if to == ResultState::Returned { kind::RETURNED } else { kind::APPROVED };
        let payload = json!({"task": row.task, "result": row.reference});
        log::append(tx.conn(), self.now(), kind, Some(row.task), &user.name, &payload).await?;
        let row = reread(&mut tx, row.id).await?;
        tx.commit().await?;
        self.result_view(row, task).await
    }

    /// Publishes an approved result; the task must be revealed, or the
    /// publication would unseal its selection.
    pub async fn publish_result(&self, user: &User, id: i64) -> ServiceResult<ResultView> {
        let (row, task) = self.reviewed_result(user, id).await?;
        let from = state_of(&row)?;
        if from != ResultState::Approved {
            return Err(ServiceError::conflict(
                "invalid_result_state",
                format!("result {} is {}; it can be published only when approved", row.id, from.as_str()),
            ));
        }
        require_revealed(&task)?;
        let context = ViewContext::load(self).await?;
        let mut tx = self.store().write().await?;
        if !results::transition(
            tx.conn(),
            row.id,
            &[ResultState::Approved.as_str()],
            ResultState::Published.as_str(),
            &[Set::Text("published_by", &user.name), Set::Now("published_at")],
        )
        .await?
        {
            return Err(changed_meanwhile(&row));
        }
        let published = reread(&mut tx, row.id).await?;
        let record = self.record_of(&mut tx, &published, &task, &context, None).await?;
        super::statistics::count_publication(tx.conn(), &record, None).await?;
        results::add_step(tx.conn(), row.id, &user.name, "published", "").await?;
        let payload = json!({"task": row.task, "result": row.reference, "record": record});
        log::append(tx.conn(), self.now(), kind::PUBLISHED, Some(row.task), &user.name, &payload).await?;
        let row = reread(&mut tx, row.id).await?;
        tx.commit().await?;
        self.result_view_in(&context, row, &task).await
    }

    /// Publishes every approved result of a task that the caller reviews.
    pub async fn publish_approved(&self, user: &User, task: i64) -> ServiceResult<Vec<ResultView>> {
        let department = super::supervised_department(user)?;
        require_revealed(&self.reviewed_task(user, task).await?)?;
        let approved = results::of_department(
            self.store().pool(),
            department,
            Some(task),
            Some(ResultState::Approved.as_str()),
        )
        .await?;
        let mut out = Vec::with_capacity(approved.len());
        for row in approved {
            out.push(self.publish_result(user, row.id).await?);
        }
        Ok(out)
    }

    /// Corrects a published result: a new, published result with the new
    /// content and the reason; the original stays public, marked corrected.
    pub async fn correct_result(
        &self,
        user: &User,
        id: i64,
        correction: Correction,
    ) -> ServiceResult<ResultView> {
        let (row, task) = self.reviewed_result(user, id).await?;
        check_reason(&correction.reason)
            .map_err(|why| ServiceError::invalid("invalid_reason", Some("reason".into()), why))?;
        let input = ResultInput {
            outcome: Some(correction.outcome.clone()),
            outcome_text: correction.outcome_text.clone(),
            inspection_date: Some(correction.inspection_date.clone()),
            summary: correction.summary.clone(),
            notes: row.notes.clone(),
        };
        let checked = check_input(&input, &task, self.today())?;
        let fields = checked.fields(&input);
        check_fields_complete(&fields)?;
        let from = state_of(&row)?;
        if from != ResultState::Published {
            return Err(ServiceError::conflict(
                "invalid_result_state",
                format!("result {} is {}; only a published result is corrected", row.id, from.as_str()),
            ));
        }
        let context = ViewContext::load(self).await?;
        let mut tx = self.store().write().await?;
        if !results::transition(
            tx.conn(),
            row.id,
            &[ResultState::Published.as_str()],
            ResultState::Superseded.as_str(),
            &[],
        )
        .await?
        {
            return Err(changed_meanwhile(&row));
        }
        let reference = new_reference()?;
        let new_id = results::insert(
            tx.conn(),
            &reference,
            row.task,
            &row.target,
            &row.item,
            &row.department,
            ResultState::Approved.as_str(),
            &fields,
            &user.name,
        )
        .await?;
        results::mark_correction(tx.conn(), new_id, row.id, &correction.reason).await?;
        results::transition(
            tx.conn(),
            new_id,
            &[ResultState::Approved.as_str()],
            ResultState::Published.as_str(),
            &[Set::Text("published_by", &user.name), Set::Now("published_at")],
        )
        .await?;
        let corrected = reread(&mut tx, new_id).await?;
        let record = self
            .record_of(&mut tx, &corrected, &task, &context, Some((&row.reference, &correction.reason)))
            .await?;
        super::statistics::count_publication(tx.conn(), &record, Some(&row)).await?;
        results::add_step(tx.conn(), row.id, &user.name, "superseded", &correction.reason).await?;
        results::add_step(tx.conn(), new_id, &user.name, "corrected", &correction.reason).await?;
        let payload = json!({
            "task": row.task,
            "result": reference,
            "corrects": row.reference,
            "reason": correction.reason,
            "record": record,
        });
        log::append(tx.conn(), self.now(), kind::CORRECTED, Some(row.task), &user.name, &payload).await?;
        let row = reread(&mut tx, new_id).await?;
        tx.commit().await?;
        self.result_view_in(&context, row, &task).await
    }

    /// The published record of a result just published, fixed in its row.
    async fn record_of(
        &self,
        tx: &mut WriteTx,
        row: &ResultRow,
        task: &TaskRow,
        context: &ViewContext,
        corrects: Option<(&str, &str)>,
    ) -> ServiceResult<PublishedRecord> {
        let (names, calendar) = (&context.names, &context.calendar);
        let definition = definition_of(task)?;
        let target = directory::target(tx.conn(), &row.target).await?;
        let (target_name, region, risk_class) =
            target.map(|t| (t.name, t.region, t.risk_class)).unwrap_or_default();
        let outcome = row.outcome.as_deref().and_then(Outcome::parse).ok_or_else(|| incomplete(row))?;
        let inspection_date = row.inspection_date.clone().ok_or_else(|| incomplete(row))?;
        let due = calendar::parse_day(&inspection_date)
            .map(|day| calendar.publication_due(day).to_string())
            .unwrap_or_default();
        let record = PublishedRecord {
            reference: row.reference.clone(),
            plan_id: definition.plan_id.clone(),
            plan_name: definition.plan_name.clone(),
            task: task.id,
            task_name: task.name.clone(),
            inspection_type: definition
                .inspection_type
                .clone()
                .unwrap_or_else(|| DEFAULT_INSPECTION_TYPE.into()),
            authority: definition.authority.clone().unwrap_or_else(|| task.department.clone()),
            department: row.department.clone(),
            target: row.target.clone(),
            target_name,
            region: region.clone(),
            risk_class,
            item: row.item.clone(),
            item_name: names.item_name(&row.item).unwrap_or_else(|| row.item.clone()),
            outcome,
            outcome_label: outcome.label_zh().to_owned(),
            outcome_text: row.outcome_text.clone(),
            summary: row.summary.clone(),
            inspection_date,
            due_date: due,
            published_at: row.published_at.clone().unwrap_or_default(),
            corrects: corrects.map(|(reference, _)| reference.to_owned()),
            correction_reason: corrects.map(|(_, reason)| reason.to_owned()),
        };
        let json = serde_json::to_string(&record).expect("records serialise");
        results::set_published_record(tx.conn(), row.id, &region, &json).await?;
        Ok(record)
    }

    /// The task, and the department responsible for the item (which
    /// reviews what the team records), when the caller is assigned to the target.
    async fn team_member(
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

    /// A result and its task, when the caller reviews it: a supervisor of
    /// the item's department, in a task that department takes part in. Any
    /// other result gets the answer a result that does not exist gets, so
    /// that nobody learns what a sealed task holds from it.
    async fn reviewed_result(&self, user: &User, id: i64) -> ServiceResult<(ResultRow, TaskRow)> {
        let department = super::supervised_department(user)?;
        let pool = self.store().pool();
        let hidden = || {
            ServiceError::NotFound(format!("there is no result of that id among those {department} reviews"))
        };
        let row =
            results::get(pool, id).await?.filter(|row| row.department == department).ok_or_else(hidden)?;
        let task = tasks::get(pool, row.task).await?.ok_or_else(|| no_task(row.task))?;
        if !takes_part(&task, department)? {
            return Err(hidden());
        }
        Ok((row, task))
    }

    /// A task whose results the caller reviews: one of its items is their
    /// department's. Anyone else is refused (403) rather than shown an
    /// empty list, which would read as "nothing to do".
    pub(super) async fn reviewed_task(&self, user: &User, id: i64) -> ServiceResult<TaskRow> {
        let department = super::supervised_department(user)?;
        // One answer for a task that does not exist, one the department takes
        // no part in and one none of whose items it reviews, so that the
        // refusal says nothing about a task the caller may not follow.
        let refused = || {
            ServiceError::Forbidden(format!(
                "{department} reviews no item of that task, or takes no part in it; its supervisors cannot act on its results"
            ))
        };
        let Some(task) = tasks::get(self.store().pool(), id).await? else {
            return Err(refused());
        };
        if !takes_part(&task, department)? {
            return Err(refused());
        }
        let names = Names::load(self).await?;
        if !definition_of(&task)?.items.iter().any(|item| names.department_of(item) == Some(department)) {
            return Err(refused());
        }
        Ok(task)
    }

    async fn result_view(&self, row: ResultRow, task: &TaskRow) -> ServiceResult<ResultView> {
        let context = ViewContext::load(self).await?;
        self.result_view_in(&context, row, task).await
    }

    pub(super) async fn result_view_in(
        &self,
        context: &ViewContext,
        row: ResultRow,
        task: &TaskRow,
    ) -> ServiceResult<ResultView> {
        let pool = self.store().pool();
        let names = &context.names;
        let state = state_of(&row)?;
        let deadline = if state.public() {
            None
        } else {
            DeadlineView::of(&context.calendar, row.inspection_date.as_deref(), context.today)
        };
        let corrects = match row.corrects {
            Some(id) => results::get(pool, id).await?.map(|original| original.reference),
            None => None,
        };
        Ok(ResultView {
            id: row.id,
            reference: row.reference,
            task: row.task,
            task_name: task.name.clone(),
            target_name: directory::target_name(pool, &row.target).await?,
            target: row.target,
            item_name: names.item_name(&row.item),
            item: row.item,
            department: row.department,
            state,
            outcome: row.outcome.as_deref().and_then(Outcome::parse),
            outcome_text: row.outcome_text,
            inspection_date: row.inspection_date,
            summary: row.summary,
            notes: row.notes,
            recorded_by: row.recorded_by,
            created_at: row.created_at,
            updated_at: row.updated_at,
            submitted_at: row.submitted_at,
            reviewed_by: row.reviewed_by,
            reviewed_at: row.reviewed_at,
            return_reason: row.return_reason,
            published_by: row.published_by,
            published_at: row.published_at,
            corrects,
            correction_reason: row.correction_reason,
            deadline,
            steps: results::steps(pool, row.id).await?,
        })
    }
}

/// An input whose every present field is valid.
struct CheckedInput {
    outcome: Option<Outcome>,
}

impl CheckedInput {
    fn fields<'a>(&self, input: &'a ResultInput) -> Fields<'a> {
        Fields {
            outcome: self.outcome.map(Outcome::code),
            outcome_text: &input.outcome_text,
            inspection_date: input.inspection_date.as_deref().filter(|d| !d.is_empty()),
            summary: &input.summary,
            notes: &input.notes,
        }
    }
}

fn check_input(input: &ResultInput, task: &TaskRow, today: chrono::NaiveDate) -> ServiceResult<CheckedInput> {
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
        if let Some(drawn) = task.drawn_at.as_deref().and_then(calendar::local_day)
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

fn check_fields_complete(fields: &Fields<'_>) -> ServiceResult<()> {
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

fn state_of(row: &ResultRow) -> ServiceResult<ResultState> {
    ResultState::parse(&row.state)
        .ok_or_else(|| super::damaged(format!("result {} state '{}'", row.id, row.state)))
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

fn changed_meanwhile(row: &ResultRow) -> ServiceError {
    ServiceError::conflict(
        "invalid_result_state",
        format!("result {} changed meanwhile; look at it again", row.id),
    )
}

fn incomplete(row: &ResultRow) -> ServiceError {
    super::damaged(format!("result {} is published without outcome or date", row.id))
}

fn require_revealed(task: &TaskRow) -> ServiceResult<()> {
    if task.state == state::REVEALED {
        return Ok(());
    }
    Err(ServiceError::conflict(
        "task_sealed",
        format!(
            "task {} is {}; its results can be published once it is revealed (release it early if the deadline requires)",
            task.id, task.state
        ),
    ))
}

async fn reread(tx: &mut WriteTx, id: i64) -> ServiceResult<ResultRow> {
    results::get(tx.conn(), id).await?.ok_or_else(|| super::damaged(format!("result {id} vanished")))
}

/// A new opaque reference: 64 random bits from the OS.
fn new_reference() -> ServiceResult<String> {
    Ok(format!("r{}", hex::encode(super::os_random::<8>()?)))
}
