//! Inspection tasks for supervisors: drafts, and the views of a task.
//! The lifecycle transitions (commit, draw, reveal, abandon) are in
//! `lifecycle.rs`.

use serde::Serialize;
use utoipa::ToSchema;

use super::plans::PlanNames;
use super::{Service, ServiceError, ServiceResult, require, require_supervisor_of, supervised_department};
use crate::domain::account::{Role, User};
use crate::domain::task::TaskState;
use crate::domain::task_definition::TaskDefinition;
use crate::protocol::log::kind;
use crate::storage::directory::{self, Directory};
use crate::storage::tasks::{self, TaskRow};
use crate::storage::{WriteTx, log};

/// A task as its supervisors see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskView {
    pub id: i64,
    pub name: String,
    /// The lead department, which draws the targets.
    pub department: String,
    pub state: TaskState,
    pub definition: TaskDefinition,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub committed_at: Option<String>,
    pub drawn_at: Option<String>,
    pub revealed_at: Option<String>,
    pub abandoned_at: Option<String>,
    pub abandon_reason: Option<String>,
    pub pool_size: Option<i64>,
    pub drawn_count: Option<i64>,
    pub commitment_digest: Option<String>,
    pub result_digest: Option<String>,
    /// complete, or failed when some target had too few eligible inspectors.
    pub result_status: Option<String>,
    pub entropy: Option<String>,
    /// The approved annual plan the task belongs to, with its batch, when
    /// its `plan_id` names one of its department's (as on the public task
    /// view); none for a plan named only as free text.
    pub plan: Option<super::plans::PlanLink>,
}

impl TaskView {
    /// The view of a task as its row has it, without the plan it belongs
    /// to (which is read apart: [`Service::view_of`]).
    pub fn from_row(row: TaskRow) -> ServiceResult<Self> {
        let definition = definition_of(&row)?;
        Ok(TaskView {
            id: row.id,
            name: row.name,
            department: row.department,
            state: row.state,
            definition,
            created_by: row.created_by,
            created_at: row.created_at.to_string(),
            updated_at: row.updated_at.to_string(),
            committed_at: row.committed_at.map(|at| at.to_string()),
            drawn_at: row.drawn_at.map(|at| at.to_string()),
            revealed_at: row.revealed_at.map(|at| at.to_string()),
            abandoned_at: row.abandoned_at.map(|at| at.to_string()),
            abandon_reason: row.abandon_reason,
            pool_size: row.pool_size,
            drawn_count: row.drawn_count,
            commitment_digest: row.commitment_digest,
            result_digest: row.result_digest,
            result_status: row.result_status,
            entropy: row.entropy,
            plan: None,
        })
    }
}

pub fn definition_of(row: &TaskRow) -> ServiceResult<TaskDefinition> {
    serde_json::from_str(&row.definition).map_err(|error| {
        crate::storage::StoreError::Damaged(format!("task {} definition: {error}", row.id)).into()
    })
}

/// Checks a definition for the lead department, as a request error.
pub fn check_definition(definition: &TaskDefinition, department: &str) -> ServiceResult<()> {
    definition
        .check(department)
        .map(drop)
        .map_err(|error| ServiceError::invalid("invalid_definition", Some(error.field), error.reason))
}

/// Checks that every item of a task is in the item directory, not retired,
/// and belongs to a department taking part in it (the lead, or one drawing inspectors):
/// at creation, at each change, and again at the commit, since the item
/// directory may have changed in between.
pub(super) async fn check_items(
    tx: &mut WriteTx,
    definition: &TaskDefinition,
    lead: &str,
) -> ServiceResult<()> {
    let taking_part = definition
        .check(lead)
        .map_err(|error| ServiceError::invalid("invalid_definition", Some(error.field), error.reason))?
        .departments;
    let codes: Vec<&str> = definition.items.iter().map(String::as_str).collect();
    let departments = directory::keepers(tx, Directory::Items, &codes).await?;
    for (index, code) in codes.iter().enumerate() {
        let invalid = |message: String| {
            Err(ServiceError::invalid("invalid_definition", Some(format!("items[{index}]")), message))
        };
        match departments.get(*code) {
            None => return invalid(format!("there is no item '{code}' in the item directory")),
            Some(department)
                if department != lead && !taking_part.iter().any(|part| part.as_str() == department) =>
            {
                return invalid(format!(
                    "{code} is an item of {department}, which takes no part in this task; \
                     a joint task names {department} among its departments"
                ));
            }
            Some(_) => {}
        }
    }
    // A retired item stays on the public list for the tasks that used it,
    // and is offered for none after.
    let retired = crate::storage::items::retired_codes(tx.conn()).await?;
    if let Some((index, code)) = codes.iter().enumerate().find(|(_, code)| retired.iter().any(|r| r == *code))
    {
        return Err(ServiceError::invalid(
            "item_retired",
            Some(format!("items[{index}]")),
            format!("item {code} was retired by its department and is offered for no new task"),
        ));
    }
    Ok(())
}

impl Service {
    /// Creates a draft task of the supervisor's department.
    pub async fn create_task(&self, user: &User, mut definition: TaskDefinition) -> ServiceResult<TaskView> {
        let department = supervised_department(user)?.to_owned();
        check_definition(&definition, &department)?;
        let mut tx = self.begin_action().await?;
        check_items(&mut tx, &definition, &department).await?;
        super::plans::apply_plan(&mut tx, &mut definition, &department).await?;
        let json = serde_json::to_string(&definition).expect("definitions serialise");
        let id = tasks::insert(
            tx.conn(),
            &definition.name,
            &department,
            &json,
            definition.plan_id.as_deref(),
            &user.name,
        )
        .await?;
        let payload = serde_json::json!({"task": id, "name": definition.name, "department": department});
        log::append(tx.conn(), self.now(), kind::CREATED, Some(id), &user.name, &payload).await?;
        let view = self.reread(&mut tx, id).await?;
        tx.commit_answering(&view).await?;
        Ok(view)
    }

    /// Replaces a draft's definition. After the commit nothing can change.
    pub async fn update_task(
        &self,
        user: &User,
        id: i64,
        mut definition: TaskDefinition,
    ) -> ServiceResult<TaskView> {
        let task = self.task_row(user, id).await?;
        check_definition(&definition, &task.department)?;
        let mut tx = self.store().write().await?;
        check_items(&mut tx, &definition, &task.department).await?;
        super::plans::apply_plan(&mut tx, &mut definition, &task.department).await?;
        let json = serde_json::to_string(&definition).expect("definitions serialise");
        if !tasks::update_draft(tx.conn(), id, &definition.name, &json, definition.plan_id.as_deref()).await?
        {
            let current =
                tasks::get_in(tx.conn(), id).await?.map(|t| t.state.to_string()).unwrap_or_default();
            return Err(not_in_state(id, &current, "edited", TaskState::Draft));
        }
        let view = self.reread(&mut tx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    pub async fn task(&self, user: &User, id: i64) -> ServiceResult<TaskView> {
        self.view_of(self.task_row(user, id).await?).await
    }

    /// The tasks of the supervisor's department, newest first.
    pub async fn tasks(&self, user: &User) -> ServiceResult<Vec<TaskView>> {
        let department = supervised_department(user)?;
        // The plans' names read once for the whole list.
        let plans = PlanNames::load(self.store().pool()).await?;
        tasks::list(self.store().pool(), Some(department))
            .await?
            .into_iter()
            .map(|row| view_with(row, &plans))
            .collect()
    }

    /// The view of a task with the approved plan it belongs to.
    pub(super) async fn view_of(&self, row: TaskRow) -> ServiceResult<TaskView> {
        view_with(row, &PlanNames::load(self.store().pool()).await?)
    }

    /// The task as it now stands inside the transaction, with its plan,
    /// both read in the transaction.
    pub(super) async fn reread(&self, tx: &mut WriteTx, id: i64) -> ServiceResult<TaskView> {
        let row = tasks::get_in(tx.conn(), id).await?.ok_or_else(|| no_task(id))?;
        view_with(row, &PlanNames::load(tx.conn()).await?)
    }

    /// A task the caller supervises. The role is checked before the task
    /// is read; then only its lead department, which is public, decides.
    pub(super) async fn task_row(&self, user: &User, id: i64) -> ServiceResult<TaskRow> {
        require(user, Role::Supervisor)?;
        let task = tasks::get(self.store().pool(), id).await?.ok_or_else(|| no_task(id))?;
        require_supervisor_of(user, &task.department)?;
        Ok(task)
    }

    /// A task in which the caller's department takes part. Decided from the
    /// caller's role and the task's definition alone, before anything about
    /// its selection is read; the refusal names nothing the caller may not see.
    pub(super) async fn participating_task(&self, user: &User, id: i64) -> ServiceResult<TaskRow> {
        let department = supervised_department(user)?;
        let task = tasks::get(self.store().pool(), id).await?.ok_or_else(|| no_task(id))?;
        if !takes_part(&task, department)? {
            return Err(ServiceError::Forbidden(format!("{department} takes no part in this task")));
        }
        Ok(task)
    }
}

/// Whether a department takes part in a task: it leads the task, or draws
/// inspectors for it. Only then may its supervisors see anything of the
/// task's sealed selection (their own items' targets and results).
pub(super) fn takes_part(task: &TaskRow, department: &str) -> ServiceResult<bool> {
    Ok(task.department == department || definition_of(task)?.departments.iter().any(|d| d == department))
}

pub(super) fn no_task(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("there is no task {id}"))
}

/// The 409 for a transition from the wrong state.
pub(super) fn not_in_state(
    id: i64,
    current: &(impl std::fmt::Display + ?Sized),
    action: &str,
    needed: impl std::fmt::Display,
) -> ServiceError {
    let current = current.to_string();
    let code = match current == TaskState::Abandoned.as_str() {
        true => "task_abandoned",
        false => "invalid_state",
    };
    ServiceError::conflict(code, format!("task {id} is {current}; it can be {action} only when {needed}"))
}

/// A task's view, linked to its plan among `plans`.
fn view_with(row: TaskRow, plans: &PlanNames) -> ServiceResult<TaskView> {
    let mut view = TaskView::from_row(row)?;
    view.plan = plans.link(&view.department, &view.definition);
    Ok(view)
}
