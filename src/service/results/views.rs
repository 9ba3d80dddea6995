//! What a result looks like to the inspectors who record it and the
//! supervisors who review it, internal notes, deadline and steps included;
//! and the names and calendar every such view needs, read once per request.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::answers::AnswerView;
use super::attachments::AttachmentView;
use super::state_of;
use crate::domain::calendar::{self, Calendar};
use crate::domain::inspection::{Outcome, ResultState};
use crate::service::{Service, ServiceResult};
use crate::storage::results::{self, ResultRow, Step};
use crate::storage::tasks::TaskRow;
use crate::storage::{checklists, directory};

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
    pub steps: Vec<StepView>,
    /// The answers to the item's checklist, by point (internal).
    pub answers: Vec<AnswerView>,
    /// The files attached as evidence, in upload order (internal; their
    /// digests are published with the result).
    pub attachments: Vec<AttachmentView>,
}

/// One step of a result: who did what, when, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Step)]
pub struct StepView {
    pub at: String,
    pub actor: String,
    /// saved, attached, detached, submitted, returned, approved, published,
    /// corrected, superseded.
    pub step: String,
    pub reason: String,
}

impl From<Step> for StepView {
    fn from(step: Step) -> Self {
        StepView { at: step.at.to_string(), actor: step.actor, step: step.step, reason: step.reason }
    }
}

/// The names the views of results show, read once per request.
pub(in crate::service) struct Names {
    pub items: HashMap<String, (String, String)>,
}

/// What every view of a result needs, read once per request.
pub(in crate::service) struct ViewContext {
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

impl Service {
    pub(super) async fn result_view(&self, row: ResultRow, task: &TaskRow) -> ServiceResult<ResultView> {
        let context = ViewContext::load(self).await?;
        self.result_view_in(&context, row, task).await
    }

    pub(in crate::service) async fn result_view_in(
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
        let answers = checklists::answers(pool, row.id)
            .await?
            .into_iter()
            .map(AnswerView::from_row)
            .collect::<ServiceResult<Vec<_>>>()?;
        let attachments = self.attachment_views(row.id).await?;
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
            steps: results::steps(pool, row.id).await?.into_iter().map(StepView::from).collect(),
            answers,
            attachments,
        })
    }
}
