//! The console's first page: how many tasks are in each state, the
//! committed tasks whose entropy has come into being (ready to draw), and
//! the results waiting for review or past their deadline. A supervisor sees
//! their department's; an admin sees every department's.

use serde::Serialize;
use utoipa::ToSchema;

use super::tasks::definition_of;
use super::{Service, ServiceResult};
use crate::domain::account::{Role, User};
use crate::domain::task::TaskState;
use crate::protocol::EventTime;
use crate::storage::dashboard;

/// What needs a supervisor's attention.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    pub tasks_by_state: TasksByState,
    /// Committed tasks whose entropy event has come: they can be drawn now.
    pub awaiting_entropy: Vec<AwaitingEntropy>,
    /// Results submitted and awaiting review.
    pub results_to_review: u64,
    /// Drawn targets' items whose result is past the 20-working-day deadline
    /// unpublished.
    pub overdue: u64,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct TasksByState {
    pub draft: u64,
    pub committed: u64,
    pub drawn: u64,
    pub revealed: u64,
    pub abandoned: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AwaitingEntropy {
    pub id: i64,
    pub name: String,
    /// When the entropy came into being, as the task states it.
    pub event: String,
}

impl Service {
    pub async fn dashboard(&self, user: &User) -> ServiceResult<Dashboard> {
        let department = match user.role {
            Role::Admin => None,
            _ => Some(super::supervised_department(user)?),
        };
        let pool = self.store().pool();
        let mut by_state = TasksByState::default();
        for row in dashboard::tasks_by_state(pool, department).await? {
            let count = match row.state {
                TaskState::Draft => &mut by_state.draft,
                TaskState::Committed => &mut by_state.committed,
                TaskState::Drawn => &mut by_state.drawn,
                TaskState::Revealed => &mut by_state.revealed,
                TaskState::Abandoned => &mut by_state.abandoned,
            };
            *count += row.count.max(0) as u64;
        }
        let now = self.now().timestamp_millis();
        let mut awaiting_entropy = Vec::new();
        for row in dashboard::committed(pool, department).await? {
            let event = definition_of(&row)?.entropy.event_at;
            if let Some(event) =
                event.filter(|event| EventTime::parse(event).is_ok_and(|at| at.instant() <= now))
            {
                awaiting_entropy.push(AwaitingEntropy { id: row.id, name: row.name, event });
            }
        }
        awaiting_entropy.sort_by_key(|task| task.id);
        let open = self.open_line_counts(department).await?;
        Ok(Dashboard {
            tasks_by_state: by_state,
            awaiting_entropy,
            results_to_review: open.submitted,
            overdue: open.overdue,
        })
    }
}
