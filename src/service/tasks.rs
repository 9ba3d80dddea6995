//! Inspection tasks for supervisors: drafts, and the views of a task.
//! The lifecycle transitions (commit, draw, reveal, abandon) are in
//! `lifecycle.rs`.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Service, ServiceError, ServiceResult, require_supervisor_of, supervised_department};
use crate::protocol::log::kind;
use crate::storage::tasks::{self, TaskRow, state};
use crate::storage::users::User;
use crate::storage::{WriteTx, log};
use crate::task_definition::TaskDefinition;

/// A task as its supervisors see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskView {
    pub id: i64,
    pub name: String,
    /// The lead department, which draws the targets.
    pub department: String,
    /// draft, committed, drawn, revealed or abandoned.
    pub state: String,
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
}

impl TaskView {
    pub fn from_row(row: TaskRow) -> ServiceResult<Self> {
        let definition = definition_of(&row)?;
        Ok(TaskView {
            id: row.id,
            name: row.name,
            department: row.department,
            state: row.state,
            definition,
            created_by: row.created_by,
            created_at: row.created_at,
            updated_at: row.updated_at,
            committed_at: row.committed_at,
            drawn_at: row.drawn_at,
            revealed_at: row.revealed_at,
            abandoned_at: row.abandoned_at,
            abandon_reason: row.abandon_reason,
            pool_size: row.pool_size,
            drawn_count: row.drawn_count,
            commitment_digest: row.commitment_digest,
            result_digest: row.result_digest,
            result_status: row.result_status,
            entropy: row.entropy,
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

impl Service {
    /// Creates a draft task of the supervisor's department.
    pub async fn create_task(&self, user: &User, definition: TaskDefinition) -> ServiceResult<TaskView> {
        let department = supervised_department(user)?.to_owned();
        check_definition(&definition, &department)?;
        let json = serde_json::to_string(&definition).expect("definitions serialise");
        let mut tx = self.begin_action().await?;
        let id = tasks::insert(tx.conn(), &definition.name, &department, &json, &user.name).await?;
        let payload = serde_json::json!({"task": id, "name": definition.name, "department": department});
        log::append(tx.conn(), kind::CREATED, Some(id), &user.name, &payload).await?;
        let view = reread(&mut tx, id).await?;
        tx.commit_answering(&view).await?;
        Ok(view)
    }

    /// Replaces a draft's definition. After the commit nothing can change.
    pub async fn update_task(
        &self,
        user: &User,
        id: i64,
        definition: TaskDefinition,
    ) -> ServiceResult<TaskView> {
        let task = self.task_row(user, id).await?;
        check_definition(&definition, &task.department)?;
        let json = serde_json::to_string(&definition).expect("definitions serialise");
        let mut tx = self.store().write().await?;
        if !tasks::update_draft(tx.conn(), id, &definition.name, &json).await? {
            let current = tasks::get_in(tx.conn(), id).await?.map(|t| t.state).unwrap_or_default();
            return Err(not_in_state(id, &current, "edited", state::DRAFT));
        }
        let view = reread(&mut tx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    pub async fn task(&self, user: &User, id: i64) -> ServiceResult<TaskView> {
        TaskView::from_row(self.task_row(user, id).await?)
    }

    /// The tasks of the supervisor's department, newest first.
    pub async fn tasks(&self, user: &User) -> ServiceResult<Vec<TaskView>> {
        let department = supervised_department(user)?;
        tasks::list(self.store().pool(), Some(department))
            .await?
            .into_iter()
            .map(TaskView::from_row)
            .collect()
    }

    /// A task the caller supervises.
    pub(super) async fn task_row(&self, user: &User, id: i64) -> ServiceResult<TaskRow> {
        let task = tasks::get(self.store().pool(), id).await?.ok_or_else(|| no_task(id))?;
        require_supervisor_of(user, &task.department)?;
        Ok(task)
    }
}

pub(super) fn no_task(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("there is no task {id}"))
}

/// The 409 for a transition from the wrong state.
pub(super) fn not_in_state(id: i64, current: &str, action: &str, needed: &str) -> ServiceError {
    let code = match current {
        state::ABANDONED => "task_abandoned",
        _ => "invalid_state",
    };
    ServiceError::conflict(code, format!("task {id} is {current}; it can be {action} only when {needed}"))
}

/// The task as it now stands inside the transaction.
pub(super) async fn reread(tx: &mut WriteTx, id: i64) -> ServiceResult<TaskView> {
    let row = tasks::get_in(tx.conn(), id).await?.ok_or_else(|| no_task(id))?;
    TaskView::from_row(row)
}
