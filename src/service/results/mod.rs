//! Inspection results: inspectors record them, supervisors of the item's
//! department review and publish them, and a published result changes only
//! by a logged correction that leaves the original public.
//!
//! Each step is one transaction that moves the result's state (guarded by
//! the state it leaves), records who did it, when and why, and — from the
//! submission on — appends to the public log. Log entries name a result by
//! its opaque reference, never by target, so that a sealed selection stays
//! sealed; the published record itself enters the log at publication,
//! which is possible only once the task is revealed.
//!
//! By job: `recording` (the inspectors), `review` (the reviewers),
//! `publication` (publication and correction), and `views`, what each of
//! them is answered with.

mod answers;
mod attachments;
mod publication;
mod recording;
mod review;
mod views;

use super::{ServiceError, ServiceResult};
use crate::domain::inspection::ResultState;
use crate::storage::WriteTx;
use crate::storage::results::{self, ResultRow};

pub use answers::{AnswerInput, AnswerView};
pub use attachments::{AttachmentDir, AttachmentFile, AttachmentView};
pub use publication::{Correction, PublishedRecord, RecordAttachment};
pub use recording::ResultInput;
pub(super) use views::ViewContext;
pub use views::{DeadlineView, ResultView, StepView};

/// Kinds of public log entries for results.
pub mod kind {
    pub const SUBMITTED: &str = "result.submitted";
    pub const RETURNED: &str = "result.returned";
    pub const APPROVED: &str = "result.approved";
    pub const PUBLISHED: &str = "result.published";
    pub const CORRECTED: &str = "result.corrected";
}

/// Where inspectors name a result: task, target, item.
#[derive(Debug, Clone, Copy)]
pub struct ResultKey<'a> {
    pub task: i64,
    pub target: &'a str,
    pub item: &'a str,
}

pub(super) fn state_of(row: &ResultRow) -> ServiceResult<ResultState> {
    ResultState::parse(&row.state)
        .ok_or_else(|| crate::service::damaged(format!("result {} state '{}'", row.id, row.state)))
}

pub(super) fn changed_meanwhile(row: &ResultRow) -> ServiceError {
    ServiceError::conflict(
        "invalid_result_state",
        format!("result {} changed meanwhile; look at it again", row.id),
    )
}

pub(super) async fn reread(tx: &mut WriteTx, id: i64) -> ServiceResult<ResultRow> {
    results::get(tx.conn(), id).await?.ok_or_else(|| crate::service::damaged(format!("result {id} vanished")))
}

/// A new opaque reference: 64 random bits from the OS.
pub(super) fn new_reference() -> ServiceResult<String> {
    Ok(format!("r{}", hex::encode(crate::service::os_random::<8>()?)))
}
