//! A draw's selection — its drawn targets with their inspectors — as the
//! supervisors of the task's lead department see it from the draw on,
//! sealed or not; and the grouping of the stored selection rows that this
//! view and the public one (after the reveal) share.

use serde::Serialize;
use utoipa::ToSchema;

use super::tasks::{no_task, not_in_state};
use super::{Service, ServiceError, ServiceResult, damaged, require};
use crate::domain::account::{Role, User};
use crate::protocol::DrawResult;
use crate::protocol::result::RESULT_FILE;
use crate::storage::files;
use crate::storage::tasks::{self, SelectionRow, TaskRow};

/// A draw's selection for its supervisors.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskSelection {
    /// complete, or failed when some target had too few eligible inspectors.
    pub status: String,
    /// Why the draw failed, in words; null when it is complete.
    pub failure: Option<String>,
    /// In draw order; a failed draw lists its targets, with the inspectors
    /// drawn before the failure.
    pub targets: Vec<SelectionTarget>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SelectionTarget {
    /// The target's place in the draw, from 1.
    pub rank: i64,
    pub id: String,
    /// From the directory; null when the target has left it since.
    pub name: Option<String>,
    pub region: Option<String>,
    pub industry: Option<String>,
    pub risk_class: Option<String>,
    pub stratum: String,
    /// Department by department in bytewise order, each in the order drawn.
    pub inspectors: Vec<SelectionInspector>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SelectionInspector {
    pub id: String,
    pub name: Option<String>,
    pub department: String,
}

/// A drawn target's row (its first) and its inspectors.
pub(super) struct GroupedTarget {
    pub row: SelectionRow,
    pub inspectors: Vec<SelectionInspector>,
}

/// Groups selection rows (one a target and inspector, in draw order) by
/// target. Departments draw in bytewise order (PROTOCOL.md §8.1); within
/// one, the inspectors stay in the order drawn (the sort is stable).
pub(super) fn grouped(rows: Vec<SelectionRow>) -> Vec<GroupedTarget> {
    let mut out: Vec<GroupedTarget> = Vec::new();
    for mut row in rows {
        let inspector = match (row.department.take(), row.inspector.take()) {
            (Some(department), Some(id)) => {
                Some(SelectionInspector { id, name: row.inspector_name.take(), department })
            }
            _ => None,
        };
        if out.last().is_none_or(|last| last.row.position != row.position) {
            out.push(GroupedTarget { row, inspectors: Vec::new() });
        }
        if let Some(inspector) = inspector {
            out.last_mut().expect("pushed above").inspectors.push(inspector);
        }
    }
    for target in &mut out {
        target.inspectors.sort_by(|a, b| a.department.as_bytes().cmp(b.department.as_bytes()));
    }
    out
}

impl Service {
    /// The selection of a drawn task, for a supervisor of its lead department.
    pub async fn task_selection(&self, user: &User, id: i64) -> ServiceResult<TaskSelection> {
        let task = self.own_task(user, id).await?;
        let (Some(status), Some(_)) = (task.result_status.clone(), task.drawn_at) else {
            return Err(not_drawn(&task));
        };
        let pool = self.store().pool();
        let failure = if status == "failed" {
            let text = files::load(pool, id, RESULT_FILE)
                .await?
                .ok_or_else(|| damaged(format!("task {id} has no {RESULT_FILE}")))?;
            let result = DrawResult::parse(&text).map_err(damaged)?;
            result.failure.map(|failure| failure.to_string())
        } else {
            None
        };
        let targets = grouped(tasks::selection(pool, id).await?)
            .into_iter()
            .map(|GroupedTarget { row, inspectors }| SelectionTarget {
                rank: row.position,
                id: row.target,
                name: row.target_name,
                region: row.region,
                industry: row.industry,
                risk_class: row.risk_class,
                stratum: row.stratum,
                inspectors,
            })
            .collect();
        Ok(TaskSelection { status, failure, targets })
    }

    /// A task of the caller's department. A supervisor of another department
    /// is answered as if there were no such task: the role is checked before
    /// the task is read, and the answer then says nothing the caller could
    /// not learn by asking for a task that does not exist.
    pub(super) async fn own_task(&self, user: &User, id: i64) -> ServiceResult<TaskRow> {
        require(user, Role::Supervisor)?;
        let task = tasks::get(self.store().pool(), id).await?;
        task.filter(|task| user.department.as_deref() == Some(task.department.as_str()))
            .ok_or_else(|| no_task(id))
    }
}

fn not_drawn(task: &TaskRow) -> ServiceError {
    match not_in_state(task.id, &task.state, "read for its selection", "drawn") {
        ServiceError::Conflict { message, .. } => ServiceError::conflict("not_drawn", message),
        other => other,
    }
}
