//! Publication and correction: an approved result of a revealed task is
//! published as the national credit-publicity record, which enters the
//! public log as it is; a published result changes only by a correction,
//! a new result that leaves the original public, marked as corrected.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::recording::{ResultInput, check_fields_complete, check_input};
use super::views::ViewContext;
use super::{ResultView, changed_meanwhile, kind, new_reference, reread, state_of};
use crate::domain::account::User;
use crate::domain::calendar;
use crate::domain::inspection::{Outcome, ResultState, check_reason};
use crate::domain::task::TaskState;
use crate::domain::task_definition::DEFAULT_INSPECTION_TYPE;
use crate::service::tasks::definition_of;
use crate::service::{Service, ServiceError, ServiceResult, supervised_department};
use crate::storage::results::{self, ResultRow, Set};
use crate::storage::tasks::TaskRow;
use crate::storage::{WriteTx, attachments, checklists, directory, log};

/// A correction of a published result: the new content, and why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    pub outcome: String,
    #[serde(default)]
    pub outcome_text: String,
    pub inspection_date: String,
    #[serde(default)]
    pub summary: String,
    /// Published with the correction.
    pub reason: String,
}

/// A published result, as the public sees it: the fields of the national
/// credit-publicity record. It enters the public log as it is here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PublishedRecord {
    pub reference: String,
    pub plan_id: Option<String>,
    pub plan_name: Option<String>,
    pub task: i64,
    pub task_name: String,
    pub inspection_type: String,
    /// The inspecting authority.
    pub authority: String,
    /// The department responsible for the item.
    pub department: String,
    pub target: String,
    pub target_name: String,
    pub region: String,
    pub risk_class: String,
    pub item: String,
    pub item_name: String,
    pub outcome: Outcome,
    /// The outcome in the national record's words.
    pub outcome_label: String,
    pub outcome_text: String,
    pub summary: String,
    /// The completion date of the inspection.
    pub inspection_date: String,
    /// The last day on which publication was on time.
    pub due_date: String,
    pub published_at: String,
    /// The reference of the result this one corrects, and why.
    pub corrects: Option<String>,
    pub correction_reason: Option<String>,
    /// The files attached as evidence, in upload order: their digests only
    /// (the files, their names and the notes are never public). Left out
    /// when there are none, so that records without them keep their bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<RecordAttachment>,
}

/// A file attached to a published result, as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordAttachment {
    /// Hex SHA-256 of the file.
    pub sha256: String,
    pub media_type: String,
    /// In bytes.
    pub size: i64,
}

impl Service {
    /// Publishes an approved result; the task must be revealed, or the
    /// publication would unseal its selection.
    pub async fn publish_result(&self, user: &User, id: i64) -> ServiceResult<ResultView> {
        let (row, task) = self.reviewed_result(user, id).await?;
        let from = state_of(&row)?;
        if from != ResultState::Approved {
            return Err(ServiceError::conflict(
                "invalid_result_state",
                format!("result {} is {}; it can be published only when approved", row.id, from.as_str()),
            ));
        }
        require_revealed(&task)?;
        let context = ViewContext::load(self).await?;
        let mut tx = self.store().write().await?;
        if !results::transition(
            tx.conn(),
            row.id,
            &[ResultState::Approved],
            ResultState::Published,
            &[Set::Text("published_by", &user.name), Set::Now("published_at")],
        )
        .await?
        {
            return Err(changed_meanwhile(&row));
        }
        let published = reread(&mut tx, row.id).await?;
        let record = self.record_of(&mut tx, &published, &task, &context, None).await?;
        crate::service::statistics::count_publication(tx.conn(), &record, None).await?;
        results::add_step(tx.conn(), row.id, &user.name, "published", "").await?;
        let payload = json!({"task": row.task, "result": row.reference, "record": record});
        log::append(tx.conn(), self.now(), kind::PUBLISHED, Some(row.task), &user.name, &payload).await?;
        self.enqueue_exchange(&mut tx, kind::PUBLISHED, &record, &task).await?;
        let row = reread(&mut tx, row.id).await?;
        tx.commit().await?;
        self.result_view_in(&context, row, &task).await
    }

    /// Publishes every approved result of a task that the caller reviews.
    pub async fn publish_approved(&self, user: &User, task: i64) -> ServiceResult<Vec<ResultView>> {
        let department = supervised_department(user)?;
        require_revealed(&self.reviewed_task(user, task).await?)?;
        let approved = results::of_department(
            self.store().pool(),
            department,
            Some(task),
            Some(ResultState::Approved.as_str()),
        )
        .await?;
        let mut out = Vec::with_capacity(approved.len());
        for row in approved {
            out.push(self.publish_result(user, row.id).await?);
        }
        Ok(out)
    }

    /// Corrects a published result: a new, published result with the new
    /// content and the reason; the original stays public, marked corrected.
    pub async fn correct_result(
        &self,
        user: &User,
        id: i64,
        correction: Correction,
    ) -> ServiceResult<ResultView> {
        let (row, task) = self.reviewed_result(user, id).await?;
        check_reason(&correction.reason)
            .map_err(|why| ServiceError::invalid("invalid_reason", Some("reason".into()), why))?;
        let input = ResultInput {
            outcome: Some(correction.outcome.clone()),
            outcome_text: correction.outcome_text.clone(),
            inspection_date: Some(correction.inspection_date.clone()),
            summary: correction.summary.clone(),
            notes: row.notes.clone(),
            answers: Vec::new(),
        };
        let checked = check_input(&input, &task, self.today())?;
        let fields = checked.fields(&input);
        check_fields_complete(&fields)?;
        let from = state_of(&row)?;
        if from != ResultState::Published {
            return Err(ServiceError::conflict(
                "invalid_result_state",
                format!("result {} is {}; only a published result is corrected", row.id, from.as_str()),
            ));
        }
        let context = ViewContext::load(self).await?;
        let mut tx = self.store().write().await?;
        if !results::transition(tx.conn(), row.id, &[ResultState::Published], ResultState::Superseded, &[])
            .await?
        {
            return Err(changed_meanwhile(&row));
        }
        let reference = new_reference()?;
        let new_id = results::insert(
            tx.conn(),
            &reference,
            row.task,
            &row.target,
            &row.item,
            &row.department,
            ResultState::Approved,
            &fields,
            &user.name,
        )
        .await?;
        results::mark_correction(tx.conn(), new_id, row.id, &correction.reason).await?;
        // The correction keeps the original's evidence and checklist answers.
        attachments::copy(tx.conn(), row.id, new_id).await?;
        checklists::copy_answers(tx.conn(), row.id, new_id).await?;
        results::transition(
            tx.conn(),
            new_id,
            &[ResultState::Approved],
            ResultState::Published,
            &[Set::Text("published_by", &user.name), Set::Now("published_at")],
        )
        .await?;
        let corrected = reread(&mut tx, new_id).await?;
        let record = self
            .record_of(&mut tx, &corrected, &task, &context, Some((&row.reference, &correction.reason)))
            .await?;
        crate::service::statistics::count_publication(tx.conn(), &record, Some(&row)).await?;
        results::add_step(tx.conn(), row.id, &user.name, "superseded", &correction.reason).await?;
        results::add_step(tx.conn(), new_id, &user.name, "corrected", &correction.reason).await?;
        let payload = json!({
            "task": row.task,
            "result": reference,
            "corrects": row.reference,
            "reason": correction.reason,
            "record": record,
        });
        log::append(tx.conn(), self.now(), kind::CORRECTED, Some(row.task), &user.name, &payload).await?;
        self.enqueue_exchange(&mut tx, kind::CORRECTED, &record, &task).await?;
        let row = reread(&mut tx, new_id).await?;
        tx.commit().await?;
        self.result_view_in(&context, row, &task).await
    }

    /// The published record of a result just published, fixed in its row.
    async fn record_of(
        &self,
        tx: &mut WriteTx,
        row: &ResultRow,
        task: &TaskRow,
        context: &ViewContext,
        corrects: Option<(&str, &str)>,
    ) -> ServiceResult<PublishedRecord> {
        let (names, calendar) = (&context.names, &context.calendar);
        let definition = definition_of(task)?;
        let target = directory::target(tx.conn(), &row.target).await?;
        let (target_name, region, risk_class) =
            target.map(|t| (t.name, t.region, t.risk_class)).unwrap_or_default();
        let outcome = row.outcome.as_deref().and_then(Outcome::parse).ok_or_else(|| incomplete(row))?;
        let inspection_date = row.inspection_date.clone().ok_or_else(|| incomplete(row))?;
        let due = calendar::parse_day(&inspection_date)
            .map(|day| calendar.publication_due(day).to_string())
            .unwrap_or_default();
        let record = PublishedRecord {
            reference: row.reference.clone(),
            plan_id: definition.plan_id.clone(),
            plan_name: definition.plan_name.clone(),
            task: task.id,
            task_name: task.name.clone(),
            inspection_type: definition
                .inspection_type
                .clone()
                .unwrap_or_else(|| DEFAULT_INSPECTION_TYPE.into()),
            authority: definition.authority.clone().unwrap_or_else(|| task.department.clone()),
            department: row.department.clone(),
            target: row.target.clone(),
            target_name,
            region: region.clone(),
            risk_class,
            item: row.item.clone(),
            item_name: names.item_name(&row.item).unwrap_or_else(|| row.item.clone()),
            outcome,
            outcome_label: outcome.label_zh().to_owned(),
            outcome_text: row.outcome_text.clone(),
            summary: row.summary.clone(),
            inspection_date,
            due_date: due,
            published_at: row.published_at.clone().unwrap_or_default(),
            corrects: corrects.map(|(reference, _)| reference.to_owned()),
            correction_reason: corrects.map(|(_, reason)| reason.to_owned()),
            attachments: attachments::of_result(tx.conn(), row.id)
                .await?
                .into_iter()
                .map(|a| RecordAttachment { sha256: a.sha256, media_type: a.media_type, size: a.size })
                .collect(),
        };
        let json = serde_json::to_string(&record).expect("records serialise");
        results::set_published_record(tx.conn(), row.id, &region, &json).await?;
        Ok(record)
    }
}

fn incomplete(row: &ResultRow) -> ServiceError {
    crate::service::damaged(format!("result {} is published without outcome or date", row.id))
}

fn require_revealed(task: &TaskRow) -> ServiceResult<()> {
    if task.state == TaskState::Revealed {
        return Ok(());
    }
    Err(ServiceError::conflict(
        "task_sealed",
        format!(
            "task {} is {}; its results can be published once it is revealed (release it early if the deadline requires)",
            task.id, task.state
        ),
    ))
}
