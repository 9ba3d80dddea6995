//! What an inspector sees: the targets assigned to them, from the draw on
//! (sealed to the public, not to the inspectors assigned), never anyone
//! else's.

use serde::Serialize;
use utoipa::ToSchema;

use super::public::SelectedInspector;
use super::{Service, ServiceError, ServiceResult, require};
use crate::storage::tasks;
use crate::storage::users::{Role, User};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assignment {
    pub task: i64,
    pub task_name: String,
    /// drawn (sealed to the public) or revealed.
    pub task_state: String,
    pub target: String,
    pub target_name: Option<String>,
    pub region: Option<String>,
    /// The department the inspector goes for.
    pub department: String,
    /// Everyone assigned to this target, the caller included.
    pub team: Vec<SelectedInspector>,
}

impl Service {
    pub async fn my_assignments(&self, user: &User) -> ServiceResult<Vec<Assignment>> {
        require(user, Role::Inspector)?;
        let inspector = user
            .inspector_id
            .as_deref()
            .ok_or_else(|| ServiceError::Forbidden(format!("{} is not linked to an inspector", user.name)))?;
        let pool = self.store().pool();
        let mut out = Vec::new();
        for row in tasks::assignments_of(pool, inspector).await? {
            let team = tasks::team(pool, row.task, &row.target)
                .await?
                .into_iter()
                .map(|(department, id, name)| SelectedInspector { department, id, name })
                .collect();
            out.push(Assignment {
                task: row.task,
                task_name: row.task_name,
                task_state: row.task_state,
                target: row.target,
                target_name: row.target_name,
                region: row.region,
                department: row.department,
                team,
            });
        }
        Ok(out)
    }
}
