//! Review by the supervisors of an item's department: the results they
//! review, and the return (with a reason) or approval of a submitted one.

use std::collections::HashMap;

use serde_json::json;

use super::views::{Names, ViewContext};
use super::{ResultView, changed_meanwhile, kind, reread, state_of};
use crate::domain::account::User;
use crate::domain::inspection::{ResultState, check_reason};
use crate::service::tasks::{definition_of, no_task, takes_part};
use crate::service::{Service, ServiceError, ServiceResult, supervised_department};
use crate::storage::log;
use crate::storage::results::{self, ResultRow, Set};
use crate::storage::tasks::{self, TaskRow};

impl Service {
    /// A result for its reviewers: supervisors of the item's department.
    pub async fn result(&self, user: &User, id: i64) -> ServiceResult<ResultView> {
        let (row, task) = self.reviewed_result(user, id).await?;
        self.result_view(row, &task).await
    }

    /// The results a supervisor reviews, optionally of one task or state.
    pub async fn results(
        &self,
        user: &User,
        task: Option<i64>,
        state: Option<&str>,
    ) -> ServiceResult<Vec<ResultView>> {
        let department = supervised_department(user)?;
        if let Some(task) = task {
            self.reviewed_task(user, task).await?;
        }
        if let Some(state) = state
            && ResultState::parse(state).is_none()
        {
            return Err(ServiceError::invalid(
                "invalid_query",
                Some("state".into()),
                format!(
                    "'{state}' is not one of draft, submitted, returned, approved, published, superseded"
                ),
            ));
        }
        let pool = self.store().pool();
        let rows = results::of_department(pool, department, task, state).await?;
        let context = ViewContext::load(self).await?;
        // Each task once: the ones the department takes part in.
        let mut tasks: HashMap<i64, Option<TaskRow>> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            if let std::collections::hash_map::Entry::Vacant(slot) = tasks.entry(row.task) {
                let task = tasks::get(pool, row.task).await?.ok_or_else(|| no_task(row.task))?;
                slot.insert(takes_part(&task, department)?.then_some(task));
            }
            let Some(task) = &tasks[&row.task] else { continue };
            out.push(self.result_view_in(&context, row, task).await?);
        }
        Ok(out)
    }

    /// Sends a submitted result back to its team, with a reason.
    pub async fn return_result(&self, user: &User, id: i64, reason: &str) -> ServiceResult<ResultView> {
        check_reason(reason)
            .map_err(|why| ServiceError::invalid("invalid_reason", Some("reason".into()), why))?;
        let (row, task) = self.reviewed_result(user, id).await?;
        self.review_step(user, &row, &task, ResultState::Returned, reason).await
    }

    pub async fn approve_result(&self, user: &User, id: i64) -> ServiceResult<ResultView> {
        let (row, task) = self.reviewed_result(user, id).await?;
        self.review_step(user, &row, &task, ResultState::Approved, "").await
    }

    async fn review_step(
        &self,
        user: &User,
        row: &ResultRow,
        task: &TaskRow,
        to: ResultState,
        reason: &str,
    ) -> ServiceResult<ResultView> {
        let from = state_of(row)?;
        if from != ResultState::Submitted {
            let action = if to == ResultState::Returned { "returned" } else { "approved" };
            return Err(ServiceError::conflict(
                "invalid_result_state",
                format!("result {} is {}; it can be {action} only when submitted", row.id, from.as_str()),
            ));
        }
        let mut tx = self.store().write().await?;
        let mut also = vec![Set::Text("reviewed_by", &user.name), Set::Now("reviewed_at")];
        if to == ResultState::Returned {
            also.push(Set::Text("return_reason", reason));
        }
        if !results::transition(tx.conn(), row.id, &[ResultState::Submitted], to, &also).await? {
            return Err(changed_meanwhile(row));
        }
        results::add_step(tx.conn(), row.id, &user.name, to.as_str(), reason).await?;
        let kind = if to == ResultState::Returned { kind::RETURNED } else { kind::APPROVED };
        let payload = json!({"task": row.task, "result": row.reference});
        log::append(tx.conn(), self.now(), kind, Some(row.task), &user.name, &payload).await?;
        let row = reread(&mut tx, row.id).await?;
        tx.commit().await?;
        self.result_view(row, task).await
    }

    /// A result and its task, when the caller reviews it: a supervisor of
    /// the item's department, in a task that department takes part in. Any
    /// other result gets the answer a result that does not exist gets, so
    /// that nobody learns what a sealed task holds from it.
    pub(super) async fn reviewed_result(&self, user: &User, id: i64) -> ServiceResult<(ResultRow, TaskRow)> {
        let department = supervised_department(user)?;
        let pool = self.store().pool();
        let hidden = || {
            ServiceError::NotFound(format!("there is no result of that id among those {department} reviews"))
        };
        let row =
            results::get(pool, id).await?.filter(|row| row.department == department).ok_or_else(hidden)?;
        let task = tasks::get(pool, row.task).await?.ok_or_else(|| no_task(row.task))?;
        if !takes_part(&task, department)? {
            return Err(hidden());
        }
        Ok((row, task))
    }

    /// A task whose results the caller reviews: one of its items is their
    /// department's. Anyone else is refused (403) rather than shown an
    /// empty list, which would read as "nothing to do".
    pub(in crate::service) async fn reviewed_task(&self, user: &User, id: i64) -> ServiceResult<TaskRow> {
        let department = supervised_department(user)?;
        // One answer for a task that does not exist, one the department takes
        // no part in and one none of whose items it reviews, so that the
        // refusal says nothing about a task the caller may not follow.
        let refused = || {
            ServiceError::Forbidden(format!(
                "{department} reviews no item of that task, or takes no part in it; its supervisors cannot act on its results"
            ))
        };
        let Some(task) = tasks::get(self.store().pool(), id).await? else {
            return Err(refused());
        };
        if !takes_part(&task, department)? {
            return Err(refused());
        }
        let names = Names::load(self).await?;
        if !definition_of(&task)?.items.iter().any(|item| names.department_of(item) == Some(department)) {
            return Err(refused());
        }
        Ok(task)
    }
}
