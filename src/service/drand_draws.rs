//! A task committed to a drand round (PROTOCOL.md §3.6) after its
//! commitment: the round as the console shows it, and the draw the server
//! makes by itself once the round is due, on a server with relays.
//!
//! The automatic draw is the same draw a supervisor asks for with
//! `fetch_drand`, made as `system`. Several servers may run it at once: the
//! draw is guarded by the task's state in its transaction, so the first to
//! commit draws and the others find the task drawn with the same entropy
//! and change nothing.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Serialize;
use utoipa::ToSchema;

use super::{Service, ServiceResult};
use crate::domain::account::User;
use crate::domain::task::TaskState;
use crate::protocol::beacon::{self, QUICKNET};
use crate::storage::tasks;

/// The actor the public log names for a draw nobody asked for.
const SYSTEM: &str = "system";
/// The longest wait between two attempts at a task whose relays fail.
const LONGEST_WAIT: Duration = Duration::from_secs(600);

/// The round a committed drand task waits for, as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrandRoundView {
    /// The drand chain's hash (quicknet).
    pub chain: String,
    pub round: u64,
    /// The round's time, RFC 3339 in UTC: the draw can take it from then on.
    pub at: String,
    /// Whether this server has relays (`--drand-url`) to fetch the round
    /// from (`{"fetch_drand": true}` as the draw's body).
    pub fetch_available: bool,
    /// Whether this server draws the task by itself once the round is due.
    pub auto_draw: bool,
}

impl Service {
    /// The drand round a task committed to (supervisors of its department).
    /// A draft has none yet (409 `invalid_state`); a task of another
    /// entropy format none at all (422 `drand_not_committed`).
    pub async fn drand_round(&self, user: &User, id: i64) -> ServiceResult<DrandRoundView> {
        let task = self.task_row(user, id).await?;
        if task.state == TaskState::Draft {
            return Err(super::ServiceError::conflict(
                "invalid_state",
                format!("task {id} is a draft: its drand round is fixed when it is committed"),
            ));
        }
        let (_, committed) = self.committed_beacon(id, "task").await?;
        let at = chrono::DateTime::from_timestamp(QUICKNET.round_time(committed.round), 0)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        Ok(DrandRoundView {
            chain: committed.chain.to_hex(),
            round: committed.round,
            at,
            fetch_available: self.drand_relays.is_some(),
            auto_draw: self.drand_relays.as_ref().is_some_and(|relays| relays.automatic()),
        })
    }

    /// Draws, as `system`, every committed drand task whose round is due and
    /// not waiting after a failed attempt; the ids this server drew.
    pub async fn draw_due_drand_tasks(&self, waits: &mut RetryWaits) -> ServiceResult<Vec<i64>> {
        let Some(relays) = self.drand_relays.clone() else { return Ok(Vec::new()) };
        let mut drawn = Vec::new();
        for id in tasks::ids_in(self.store().pool(), &[TaskState::Committed]).await? {
            let Some(task) = tasks::get(self.store().pool(), id).await? else { continue };
            if super::tasks::definition_of(&task)?.entropy.format != "drand" || !waits.may_try(id) {
                continue;
            }
            let (commitment, committed) = self.committed_beacon(id, "task").await?;
            if commitment.entropy_event.is_some_and(|event| self.now().timestamp_millis() < event.instant()) {
                continue;
            }
            let attempt = async {
                let file = self.fetch_committed_round(id, &relays, &committed).await?;
                let entropy = beacon::entropy(&file.round.signature);
                self.draw_as(task, SYSTEM, entropy.as_str(), Some(file)).await
            };
            match attempt.await {
                Ok(draw) => {
                    waits.forget(id);
                    if draw.drawn_now {
                        tracing::info!(
                            task = id,
                            round = committed.round,
                            "drew a task whose drand round came"
                        );
                        drawn.push(id);
                    } else {
                        tracing::info!(task = id, "a drand task was already drawn, by another server");
                    }
                }
                Err(error) => {
                    let wait = waits.failed(id);
                    tracing::warn!(task = id, round = committed.round, %error, ?wait, "a due drand task could not be drawn yet; trying again");
                }
            }
        }
        Ok(drawn)
    }

    /// Looks for due drand tasks every `every`, for ever, and draws them.
    pub async fn run_drand_draws(self, every: Duration) {
        let mut waits = RetryWaits::new(every);
        loop {
            if let Err(error) = self.draw_due_drand_tasks(&mut waits).await {
                tracing::warn!(%error, "looking for due drand tasks failed; trying again later");
            }
            tokio::time::sleep(every).await;
        }
    }
}

/// Per task, how long to wait after failed attempts: twice the loop's
/// period after the first, doubling to at most ten minutes, so that relays
/// that are down are not hammered and one that comes back is used soon.
#[derive(Debug)]
pub struct RetryWaits {
    first: Duration,
    tasks: HashMap<i64, (u32, Instant)>,
}

impl RetryWaits {
    pub fn new(every: Duration) -> Self {
        Self { first: every * 2, tasks: HashMap::new() }
    }

    fn may_try(&self, id: i64) -> bool {
        self.tasks.get(&id).is_none_or(|(_, next)| Instant::now() >= *next)
    }

    fn failed(&mut self, id: i64) -> Duration {
        let failures = self.tasks.get(&id).map_or(0, |(n, _)| *n);
        let wait = self.first.saturating_mul(1 << failures.min(16)).min(LONGEST_WAIT);
        self.tasks.insert(id, (failures + 1, Instant::now() + wait));
        wait
    }

    fn forget(&mut self, id: i64) {
        self.tasks.remove(&id);
    }
}
