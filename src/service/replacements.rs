//! Replacing an assigned inspector after the draw — a conflict of interest
//! declared late, an illness — possible only before the result is entered,
//! with a reason. The replacement is drawn, not chosen (PROTOCOL.md §16):
//! from the target's remaining candidates, with a stream of the task's seed
//! and the replacement's number, so it is verified like the draw.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::tasks::{definition_of, no_task, not_in_state};
use super::{Service, ServiceError, ServiceResult, damaged, require_supervisor_of};
use crate::inspection::ResultState;
use crate::protocol::field::{Department, InspectorId, TargetId};
use crate::protocol::log::kind;
use crate::protocol::replace::{self, REPLACEMENTS_FILE, Replacement, ReplacementError, Replacements};
use crate::protocol::result::RESULT_FILE;
use crate::protocol::{Digest, DrawInputs, DrawResult, Seed};
use crate::storage::replacements::{self, ConflictRow, ReplacementRow};
use crate::storage::tasks::{self, TaskRow, state};
use crate::storage::users::User;
use crate::storage::{files, log, now, results};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplacementRequest {
    pub target: String,
    /// The inspector who gives way.
    pub inspector: String,
    /// Why; published in replacements.tsv (one line, up to 1024 bytes).
    pub reason: String,
}

impl Service {
    /// Replaces `inspector` in the assignment of `target` by a drawn one.
    pub async fn replace_inspector(
        &self,
        user: &User,
        id: i64,
        request: ReplacementRequest,
    ) -> ServiceResult<ReplacementRow> {
        let pool = self.store().pool();
        let task = tasks::get(pool, id).await?.ok_or_else(|| no_task(id))?;
        let team = tasks::team(pool, id, &request.target).await?;
        let department = team
            .iter()
            .find(|(_, inspector, _)| *inspector == request.inspector)
            .map(|(department, _, _)| department.clone())
            .ok_or_else(|| {
                ServiceError::invalid(
                    "not_assigned",
                    Some("inspector".into()),
                    format!(
                        "{} is not assigned to target {} in task {id}",
                        request.inspector, request.target
                    ),
                )
            })?;
        require_supervisor_of(user, &department)?;
        if ![state::DRAWN, state::REVEALED].contains(&task.state.as_str()) {
            return Err(not_in_state(id, &task.state, "changed by a replacement", "drawn or revealed"));
        }
        if request.reason.trim().is_empty() {
            return Err(invalid_reason("give the reason for the replacement"));
        }
        replace::check_reason(&request.reason).map_err(|error| invalid_reason(&error.to_string()))?;
        self.refuse_if_entered(&task, &request.target).await?;

        let (replacement, text) = self.draw_replacement(&task, &request, &department).await?;
        let number = replacement.number;
        let row = ReplacementRow {
            number: i64::from(number),
            target: request.target.clone(),
            department: department.clone(),
            out: request.inspector.clone(),
            replacement: replacement.replacement.to_string(),
            reason: request.reason.clone(),
            made_by: user.name.clone(),
            made_at: now(),
        };
        let mut tx = self.store().write().await?;
        match replacements::insert(tx.conn(), id, &row).await {
            Err(error) if error.is_unique_violation() => {
                return Err(ServiceError::conflict(
                    "invalid_state",
                    format!("another replacement in task {id} was made meanwhile; ask again"),
                ));
            }
            other => other?,
        }
        files::remove(tx.conn(), id, REPLACEMENTS_FILE).await?;
        files::store(tx.conn(), id, REPLACEMENTS_FILE, files::split(&text)).await?;
        let payload = json!({"task": id, "replacement": number, "line": replacement.line_digest()});
        log::append(tx.conn(), kind::REPLACED, Some(id), &user.name, &payload).await?;
        tx.commit().await?;
        tracing::info!(task = id, number, "replaced an inspector");
        Ok(row)
    }

    /// A task's replacements, for its supervisors (any department taking part).
    pub async fn replacements(&self, user: &User, id: i64) -> ServiceResult<Vec<ReplacementRow>> {
        self.participating_task(user, id).await?;
        Ok(replacements::of_task(self.store().pool(), id).await?)
    }

    /// The conflicts of interest declared in a task.
    pub async fn conflicts(&self, user: &User, id: i64) -> ServiceResult<Vec<ConflictRow>> {
        self.participating_task(user, id).await?;
        Ok(replacements::conflicts(self.store().pool(), Some(id), None).await?)
    }

    /// A task in which the caller's department draws inspectors.
    async fn participating_task(&self, user: &User, id: i64) -> ServiceResult<TaskRow> {
        let department = super::supervised_department(user)?;
        let task = tasks::get(self.store().pool(), id).await?.ok_or_else(|| no_task(id))?;
        let definition = definition_of(&task)?;
        let takes_part =
            task.department == department || definition.departments.iter().any(|d| d == department);
        if !takes_part {
            return Err(ServiceError::Forbidden(format!("{department} takes no part in task {id}")));
        }
        Ok(task)
    }

    /// Refuses once any result of the target has been entered: the team
    /// that inspected it is then fixed.
    async fn refuse_if_entered(&self, task: &TaskRow, target: &str) -> ServiceResult<()> {
        for item in &definition_of(task)?.items {
            let Some(result) = results::current(self.store().pool(), task.id, target, item).await? else {
                continue;
            };
            if ResultState::parse(&result.state).is_some_and(ResultState::entered) {
                return Err(ServiceError::conflict(
                    "result_entered",
                    format!(
                        "the result for target {target} and item {item} has been entered ({}); \
                         its inspectors can no longer be replaced",
                        result.state
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Draws the task's next replacement from the committed files, the
    /// result and the replacements before it; returns it and the new
    /// replacements.tsv.
    async fn draw_replacement(
        &self,
        task: &TaskRow,
        request: &ReplacementRequest,
        department: &str,
    ) -> ServiceResult<(Replacement, Vec<u8>)> {
        let id = task.id;
        let pool = self.store().pool();
        let result_text = files::load(pool, id, RESULT_FILE)
            .await?
            .ok_or_else(|| damaged(format!("task {id} has no result")))?;
        let result = DrawResult::parse(&result_text).map_err(damaged)?;
        let seed = Digest::parse_hex(task.seed.as_deref().unwrap_or_default()).map(Seed).map_err(damaged)?;
        let commitment =
            Digest::parse_hex(task.commitment_digest.as_deref().unwrap_or_default()).map_err(damaged)?;
        let (parameters, targets, inspectors, recusals) = self.committed_files(id).await?.inputs()?;
        let inputs = DrawInputs {
            parameters: &parameters,
            targets: &targets,
            inspectors: &inspectors,
            recusals: &recusals,
        };
        let mut current = result.assignments.clone();
        let mut made = Vec::new();
        for row in replacements::of_task(pool, id).await? {
            let earlier = Replacement {
                number: row.number as u32,
                target: TargetId::parse(&row.target).map_err(damaged)?,
                department: Department::parse(&row.department).map_err(damaged)?,
                out: InspectorId::parse(&row.out).map_err(damaged)?,
                replacement: InspectorId::parse(&row.replacement).map_err(damaged)?,
                reason: row.reason,
            };
            replace::apply(&mut current, &earlier);
            made.push(earlier);
        }
        let number = made.len() as u32 + 1;
        let target = TargetId::parse(&request.target).map_err(|e| invalid_field("target", e.to_string()))?;
        let department = Department::parse(department).map_err(damaged)?;
        let out =
            InspectorId::parse(&request.inspector).map_err(|e| invalid_field("inspector", e.to_string()))?;
        let drawn = replace::draw_replacement(&inputs, &seed, &current, number, &target, &department, &out)
            .map_err(|error| match error {
            ReplacementError::NoCandidate { .. } => ServiceError::conflict("no_candidate", error.to_string()),
            ReplacementError::NotAssigned { .. } => invalid_field("inspector", error.to_string()),
            ReplacementError::Reason(reason) => invalid_reason(&reason),
        })?;
        let replacement = Replacement {
            number,
            target,
            department,
            out,
            replacement: drawn,
            reason: request.reason.clone(),
        };
        made.push(replacement.clone());
        let text = Replacements { commitment, items: made }.to_text();
        Ok((replacement, text))
    }
}

fn invalid_reason(message: &str) -> ServiceError {
    ServiceError::invalid("invalid_reason", Some("reason".into()), message.to_owned())
}

fn invalid_field(field: &str, message: String) -> ServiceError {
    ServiceError::invalid("invalid_replacement", Some(field.into()), message)
}
