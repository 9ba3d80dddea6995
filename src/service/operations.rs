//! What the people who run the service ask of it: is it ready to serve
//! (`/readyz`), and the figures behind the metrics. Neither says anything
//! about a task's content, so neither needs a role: the metrics are served
//! on their own listener (see `http::metrics`), not to the public.

use std::time::Duration;

use super::{Service, ServiceResult};
use crate::storage::{self, health};

/// A load balancer waits about this long for a readiness answer; a
/// database that has not answered by then is as good as down.
const READINESS_WAIT: Duration = Duration::from_secs(3);

/// Why the service is not ready, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReady {
    /// `database_unreachable` or `migrations_pending`.
    pub code: &'static str,
    pub reason: String,
}

/// The database's figures an operator graphs.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    /// Entries in the public log.
    pub log_entries: u64,
    pub open_ledger_lines: i64,
    pub tasks_by_state: Vec<(String, i64)>,
    /// Exchange events not yet delivered and still tried, and those given up.
    pub exchange_pending: i64,
    pub exchange_failed: i64,
}

impl Service {
    /// Ready when the database answers within a few seconds and has every
    /// migration of this binary applied.
    pub async fn readiness(&self) -> Result<(), NotReady> {
        let pending =
            match tokio::time::timeout(READINESS_WAIT, health::pending_migrations(self.store())).await {
                Err(_) => {
                    return Err(NotReady {
                        code: "database_unreachable",
                        reason: format!("the database did not answer within {} s", READINESS_WAIT.as_secs()),
                    });
                }
                Ok(Err(error)) => {
                    return Err(NotReady {
                        code: "database_unreachable",
                        reason: format!("the database did not answer: {error}"),
                    });
                }
                Ok(Ok(pending)) => pending,
            };
        if pending.is_empty() {
            return Ok(());
        }
        let versions = pending.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        Err(NotReady {
            code: "migrations_pending",
            reason: format!("migrations not applied to the database: {versions}"),
        })
    }

    /// The log's length, the open ledger lines, the tasks by state and the
    /// exchange outbox's undelivered events.
    pub async fn figures(&self) -> ServiceResult<Figures> {
        let store = self.store();
        let (log_entries, _) = storage::log::head(store.pool()).await?;
        let (exchange_pending, exchange_failed) = super::exchange::outbox::counts(self).await?;
        Ok(Figures {
            exchange_pending,
            exchange_failed,
            log_entries,
            open_ledger_lines: health::open_ledger_lines(store).await?,
            tasks_by_state: health::tasks_by_state(store).await?,
        })
    }
}
