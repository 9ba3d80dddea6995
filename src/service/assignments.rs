//! What an inspector sees: the targets assigned to them, from the draw on
//! (sealed to the public, not to the inspectors assigned), never anyone
//! else's; with each, the items to inspect and where their results stand;
//! and the conflicts of interest they declare.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::public::SelectedInspector;
use super::replacements::ConflictView;
use super::results::{DeadlineView, ViewContext};
use super::tasks::definition_of;
use super::{Service, ServiceError, ServiceResult, require};
use crate::domain::account::{Role, User};
use crate::domain::inspection::{ResultState, check_reason};
use crate::domain::task::TaskState;
use crate::storage::results;
use crate::storage::tasks::{self, TaskRow};
use crate::storage::{attachments, checklists, replacements};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assignment {
    pub task: i64,
    pub task_name: String,
    /// drawn (sealed to the public) or revealed.
    pub task_state: String,
    pub target: String,
    pub target_name: Option<String>,
    pub region: Option<String>,
    /// The registered address, where the inspection goes.
    pub address: Option<String>,
    pub industry: Option<String>,
    pub risk_class: Option<String>,
    /// The soonest deadline among the results of its items (for sorting);
    /// none until a result gives an inspection date.
    pub deadline_soonest: Option<DeadlineView>,
    /// The department the inspector goes for.
    pub department: String,
    /// Everyone assigned to this target, the caller included.
    pub team: Vec<SelectedInspector>,
    /// The task's items, each with its result so far (the whole team of a
    /// target records its results together).
    pub items: Vec<AssignedItem>,
    /// The conflict of interest the caller declared for this target, if any.
    pub conflict: Option<ConflictView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssignedItem {
    pub item: String,
    pub item_name: Option<String>,
    /// record (nothing yet), finish (a draft), fix (returned), none
    /// (submitted, approved or published: nothing for the team to do).
    pub to_do: String,
    /// None until a result is saved.
    pub result_state: Option<ResultState>,
    pub inspection_date: Option<String>,
    pub return_reason: Option<String>,
    pub deadline: Option<DeadlineView>,
    /// Points in the item's checklist (0: it has none).
    pub checklist_points: i64,
    /// Files attached to the result so far.
    pub attachments: i64,
}

/// A declared conflict of interest.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictDeclaration {
    pub task: i64,
    pub target: String,
    /// Why the caller should not inspect this target (kept internal; the
    /// replacement it leads to is published with a reason of its own).
    pub reason: String,
}

impl Service {
    pub async fn my_assignments(&self, user: &User) -> ServiceResult<Vec<Assignment>> {
        let inspector = inspector_of(user)?;
        let pool = self.store().pool();
        let context = ViewContext::load(self).await?;
        let conflicts = replacements::conflicts(pool, None, Some(inspector)).await?;
        let mut items_of: HashMap<i64, Vec<String>> = HashMap::new();
        let mut points: HashMap<String, i64> = HashMap::new();
        let mut out = Vec::new();
        for row in tasks::assignments_of(pool, inspector).await? {
            let team = tasks::team(pool, row.task, &row.target)
                .await?
                .into_iter()
                .map(|(department, id, name)| SelectedInspector { department, id, name })
                .collect();
            if let Entry::Vacant(slot) = items_of.entry(row.task) {
                let task =
                    tasks::get(pool, row.task).await?.ok_or_else(|| super::tasks::no_task(row.task))?;
                slot.insert(definition_of(&task)?.items);
            }
            let mut items = Vec::new();
            for item in &items_of[&row.task] {
                let result = results::current(pool, row.task, &row.target, item).await?;
                let state = result.as_ref().and_then(|r| ResultState::parse(&r.state));
                let to_do = match state {
                    None => "record",
                    Some(ResultState::Draft) => "finish",
                    Some(ResultState::Returned) => "fix",
                    Some(_) => "none",
                };
                let inspection_date = result.as_ref().and_then(|r| r.inspection_date.clone());
                let deadline = match state {
                    Some(state) if state.public() => None,
                    _ => DeadlineView::of(&context.calendar, inspection_date.as_deref(), context.today),
                };
                let attachments = match &result {
                    Some(result) => attachments::count(pool, result.id).await?,
                    None => 0,
                };
                let checklist_points = match points.entry(item.clone()) {
                    Entry::Occupied(known) => *known.get(),
                    Entry::Vacant(slot) => *slot.insert(checklists::count(pool, item).await?),
                };
                items.push(AssignedItem {
                    item: item.clone(),
                    item_name: context.names.item_name(item),
                    to_do: to_do.to_owned(),
                    result_state: state,
                    return_reason: result.as_ref().and_then(|r| r.return_reason.clone()),
                    inspection_date,
                    deadline,
                    checklist_points,
                    attachments,
                });
            }
            let deadline_soonest = items
                .iter()
                .filter_map(|item| item.deadline.clone())
                .min_by_key(|deadline| deadline.working_days_left);
            let conflict = conflicts
                .iter()
                .find(|c| c.task == row.task && c.target == row.target)
                .cloned()
                .map(ConflictView::from);
            out.push(Assignment {
                task: row.task,
                task_name: row.task_name,
                task_state: row.task_state.to_string(),
                target_name: row.target_name,
                region: row.region,
                address: row.address,
                industry: row.industry,
                risk_class: row.risk_class,
                deadline_soonest,
                target: row.target,
                department: row.department,
                team,
                items,
                conflict,
            });
        }
        Ok(out)
    }

    /// Declares a conflict of interest with an assigned target: recorded
    /// for the supervisors, who replace the inspector by a draw, and kept
    /// as a recusal so that later pools leave the pair out.
    pub async fn declare_conflict(
        &self,
        user: &User,
        declaration: ConflictDeclaration,
    ) -> ServiceResult<ConflictView> {
        let inspector = inspector_of(user)?;
        check_reason(&declaration.reason)
            .map_err(|why| ServiceError::invalid("invalid_reason", Some("reason".into()), why))?;
        self.assigned_task(user, declaration.task, &declaration.target).await?;
        let pool = self.store().pool();
        // Not in the public log: the declaration concerns a sealed
        // assignment. The replacement that follows is logged (task.replaced).
        let mut tx = self.store().write().await?;
        replacements::declare(
            tx.conn(),
            declaration.task,
            &declaration.target,
            inspector,
            &declaration.reason,
        )
        .await?;
        tx.commit().await?;
        let declared = replacements::conflicts(pool, Some(declaration.task), Some(inspector)).await?;
        declared
            .into_iter()
            .find(|c| c.target == declaration.target)
            .map(ConflictView::from)
            .ok_or_else(|| super::damaged("a declared conflict vanished"))
    }
}

impl Service {
    /// A drawn or revealed task in which the caller is assigned to
    /// `target`. In a joint inspection the whole team of a target, every
    /// department's inspectors, inspects it together.
    pub(super) async fn assigned_task(&self, user: &User, task: i64, target: &str) -> ServiceResult<TaskRow> {
        let inspector = inspector_of(user)?;
        let pool = self.store().pool();
        // One answer whether the task exists, is sealed, or has the target
        // drawn for someone else: it echoes nothing, so it tells nothing.
        let not_assigned =
            || ServiceError::Forbidden("you are not assigned to this target in this task".into());
        let row = tasks::get(pool, task).await?.ok_or_else(not_assigned)?;
        if ![TaskState::Drawn, TaskState::Revealed].contains(&row.state) {
            return Err(not_assigned());
        }
        let team = tasks::team(pool, task, target).await?;
        if !team.iter().any(|(_, id, _)| id == inspector) {
            return Err(not_assigned());
        }
        Ok(row)
    }
}

/// The inspector-directory id of an inspector account.
pub(super) fn inspector_of(user: &User) -> ServiceResult<&str> {
    require(user, Role::Inspector)?;
    user.inspector_id
        .as_deref()
        .ok_or_else(|| ServiceError::Forbidden(format!("{} is not linked to an inspector", user.name)))
}
