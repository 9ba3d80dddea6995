//! Replacing an assigned inspector after the draw — a conflict of interest
//! declared late, an illness — possible only before the result is entered,
//! with a reason. The replacement is drawn, not chosen (PROTOCOL.md §16):
//! from the target's remaining candidates, with a stream of the task's seed
//! and the replacement's number, so it is verified like the draw.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::tasks::{definition_of, not_in_state};
use super::{Service, ServiceError, ServiceResult, damaged, supervised_department};
use crate::domain::account::User;
use crate::domain::inspection::ResultState;
use crate::domain::task::TaskState;
use crate::domain::time::Timestamp;
use crate::protocol::field::{Department, InspectorId, TargetId};
use crate::protocol::log::kind;
use crate::protocol::replace::{self, REPLACEMENTS_FILE, Replacement, ReplacementError, Replacements};
use crate::protocol::result::RESULT_FILE;
use crate::protocol::{Digest, DrawInputs, DrawResult, Seed};
use crate::storage::replacements::{self, ConflictRow, ReplacementRow};
use crate::storage::tasks::{self, TaskRow};
use crate::storage::{directory, files, log, results};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplacementRequest {
    pub target: String,
    /// The inspector who gives way.
    pub inspector: String,
    /// Why; published in replacements.tsv (one line, up to 1024 bytes).
    pub reason: String,
}

/// A replacement as the API shows it: the protocol's fields, and who made
/// it when.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplacementView {
    pub number: i64,
    pub target: String,
    pub department: String,
    /// The inspector who gave way.
    pub out: String,
    /// The inspector drawn in their place.
    #[serde(rename = "in")]
    pub replacement: String,
    pub reason: String,
    pub made_by: String,
    pub made_at: String,
}

impl From<ReplacementRow> for ReplacementView {
    fn from(row: ReplacementRow) -> Self {
        ReplacementView {
            number: row.number,
            target: row.target,
            department: row.department,
            out: row.out,
            replacement: row.replacement,
            reason: row.reason,
            made_by: row.made_by,
            made_at: row.made_at.to_string(),
        }
    }
}

/// A conflict of interest an assigned inspector declared.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConflictView {
    pub task: i64,
    pub target: String,
    pub inspector: String,
    pub reason: String,
    pub declared_at: String,
    /// The replacement that resolved it, once made.
    pub replacement: Option<i64>,
}

impl From<ConflictRow> for ConflictView {
    fn from(row: ConflictRow) -> Self {
        ConflictView {
            task: row.task,
            target: row.target,
            inspector: row.inspector,
            reason: row.reason,
            declared_at: row.declared_at.to_string(),
            replacement: row.replacement,
        }
    }
}

impl Service {
    /// Replaces `inspector` in the assignment of `target` by a drawn one.
    pub async fn replace_inspector(
        &self,
        user: &User,
        id: i64,
        request: ReplacementRequest,
    ) -> ServiceResult<ReplacementView> {
        // Who may ask is settled before anything about the selection is
        // read, and a department replaces only its own inspectors: the
        // answer tells nobody whether another department's pair is assigned.
        let task = self.participating_task(user, id).await?;
        let department = supervised_department(user)?.to_owned();
        if ![TaskState::Drawn, TaskState::Revealed].contains(&task.state) {
            return Err(not_in_state(id, &task.state, "changed by a replacement", "drawn or revealed"));
        }
        if request.reason.trim().is_empty() {
            return Err(invalid_reason("give the reason for the replacement"));
        }
        replace::check_reason(&request.reason).map_err(|error| invalid_reason(&error.to_string()))?;
        let team = tasks::team(self.store().pool(), id, &request.target).await?;
        if !team.iter().any(|(of, inspector, _)| *of == department && *inspector == request.inspector) {
            return Err(ServiceError::invalid(
                "not_assigned",
                Some("inspector".into()),
                format!("that inspector is not one of {department}'s inspectors assigned to that target"),
            ));
        }
        self.refuse_if_entered(&task, &request.target).await?;

        let (replacement, text, keyed_line) = self.draw_replacement(&task, &request, &department).await?;
        let number = replacement.number;
        let row = ReplacementRow {
            number: i64::from(number),
            target: request.target.clone(),
            department: department.clone(),
            out: request.inspector.clone(),
            replacement: replacement.replacement.to_string(),
            reason: request.reason.clone(),
            made_by: user.name.clone(),
            made_at: Timestamp::now(),
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
        // Keyed with the seed (§16): a plain digest of the line could be
        // reversed by guessing targets and inspectors while the task is sealed.
        let payload = json!({"task": id, "replacement": number, "keyed_line": keyed_line});
        log::append(tx.conn(), self.now(), kind::REPLACED, Some(id), &user.name, &payload).await?;
        tx.commit().await?;
        tracing::info!(task = id, number, "replaced an inspector");
        Ok(row.into())
    }

    /// A task's replacements: all of them for the lead department, which
    /// sees every team; its own for a participating department.
    pub async fn replacements(&self, user: &User, id: i64) -> ServiceResult<Vec<ReplacementView>> {
        let task = self.participating_task(user, id).await?;
        let department = supervised_department(user)?;
        let all = replacements::of_task(self.store().pool(), id).await?;
        Ok(all
            .into_iter()
            .filter(|row| task.department == department || row.department == department)
            .map(ReplacementView::from)
            .collect())
    }

    /// The conflicts of interest declared in a task: all of them for the
    /// lead department; those of its own inspectors for a participating one.
    pub async fn conflicts(&self, user: &User, id: i64) -> ServiceResult<Vec<ConflictView>> {
        let task = self.participating_task(user, id).await?;
        let department = supervised_department(user)?;
        let pool = self.store().pool();
        let all = replacements::conflicts(pool, Some(id), None).await?;
        if task.department == department {
            return Ok(all.into_iter().map(ConflictView::from).collect());
        }
        let own: HashSet<String> =
            directory::inspectors(pool, Some(department)).await?.into_iter().map(|i| i.id).collect();
        Ok(all
            .into_iter()
            .filter(|conflict| own.contains(&conflict.inspector))
            .map(ConflictView::from)
            .collect())
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
    /// replacements.tsv, and its keyed line digest for the log.
    async fn draw_replacement(
        &self,
        task: &TaskRow,
        request: &ReplacementRequest,
        department: &str,
    ) -> ServiceResult<(Replacement, Vec<u8>, Digest)> {
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
        let keyed_line = replacement.keyed_line_digest(&seed);
        made.push(replacement.clone());
        let text = Replacements { commitment, items: made }.to_text();
        Ok((replacement, text, keyed_line))
    }
}

fn invalid_reason(message: &str) -> ServiceError {
    ServiceError::invalid("invalid_reason", Some("reason".into()), message.to_owned())
}

fn invalid_field(field: &str, message: String) -> ServiceError {
    ServiceError::invalid("invalid_replacement", Some(field.into()), message)
}
