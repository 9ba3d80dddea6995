//! The console's first page: how many tasks are in each state, the
//! committed tasks whose entropy has come into being (ready to draw), and
//! the results waiting for review or past their deadline, and reminders per
//! inspector of what is due soon or overdue. A supervisor sees their
//! department's; an admin every department's counts (reminders are for the
//! departments, so none); an inspector only their own reminder.

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
    /// Per inspector, their open lines due within five working days or
    /// overdue, most overdue first: for a supervisor the department's
    /// inspectors with any, for an inspector their own line only.
    pub reminders: Vec<Reminder>,
    /// For a supervisor, the items of the department's approved plans of
    /// this year that will miss their annual target (`plan_behind`).
    pub warnings: Vec<super::plans::PlanWarning>,
}

/// What one inspector has open and urgent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Reminder {
    /// The inspector's id in the directory.
    pub inspector: String,
    pub name: String,
    /// Open lines due within five working days, not yet overdue.
    pub due_soon: u64,
    /// Open lines past their deadline.
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
    /// When the entropy came into being, as the task states it (a drand
    /// task: as its commitment does, the committed round's time).
    pub event: String,
}

impl Service {
    pub async fn dashboard(&self, user: &User) -> ServiceResult<Dashboard> {
        let department = match user.role {
            Role::Admin => None,
            Role::Inspector => return self.inspector_dashboard(user).await,
            Role::Supervisor => Some(super::supervised_department(user)?),
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
            // A drand task names no time of its own: the commitment fixed
            // its round, and the round's time is its entropy event.
            let event = match definition_of(&row)?.entropy.event_at {
                Some(event) => Some(event),
                None => self.stored_commitment(row.id).await?.entropy_event.map(|event| event.to_string()),
            };
            if let Some(event) =
                event.filter(|event| EventTime::parse(event).is_ok_and(|at| at.instant() <= now))
            {
                awaiting_entropy.push(AwaitingEntropy { id: row.id, name: row.name, event });
            }
        }
        awaiting_entropy.sort_by_key(|task| task.id);
        let open = self.open_line_counts(department).await?;
        let (reminders, warnings) = match department {
            Some(department) => {
                (self.reminders(department, None).await?, self.plan_warnings(department).await?)
            }
            None => (Vec::new(), Vec::new()),
        };
        Ok(Dashboard {
            tasks_by_state: by_state,
            awaiting_entropy,
            results_to_review: open.submitted,
            overdue: open.overdue,
            reminders,
            warnings,
        })
    }

    /// An inspector's dashboard: no department's counts, only their own
    /// reminder (none when nothing of theirs is urgent).
    async fn inspector_dashboard(&self, user: &User) -> ServiceResult<Dashboard> {
        let inspector = super::assignments::inspector_of(user)?;
        let department = dashboard::inspector_department(self.store().pool(), inspector).await?;
        let reminders = match department {
            Some(department) => self.reminders(&department, Some(inspector)).await?,
            None => Vec::new(),
        };
        Ok(Dashboard {
            tasks_by_state: TasksByState::default(),
            awaiting_entropy: Vec::new(),
            results_to_review: 0,
            overdue: reminders.iter().map(|reminder| reminder.overdue).sum(),
            reminders,
            warnings: Vec::new(),
        })
    }

    /// A department's reminders, every inspector's with any.
    pub(super) async fn reminders_of(&self, department: &str) -> ServiceResult<Vec<Reminder>> {
        self.reminders(department, None).await
    }

    async fn reminders(&self, department: &str, inspector: Option<&str>) -> ServiceResult<Vec<Reminder>> {
        let sums = self.reminder_sums(department, inspector).await?;
        Ok(sums
            .into_iter()
            .map(|sum| Reminder {
                name: sum.name.unwrap_or_else(|| sum.key.clone()),
                inspector: sum.key,
                due_soon: sum.due_soon,
                overdue: sum.overdue,
            })
            .collect())
    }
}
