//! The ledger as CSV: every line the filter selects, read and sent a
//! batch at a time.

use bytes::Bytes;
use futures_util::Stream;

use super::super::csv_export::{self, csv_error};
use super::{LedgerFilter, LedgerLine, Prepared};
use crate::domain::account::User;
use crate::files::csv_output::SpreadsheetCsv;
use crate::service::{Service, ServiceResult};
use crate::storage::ledger::{self, LineKey, LineRow};

/// Lines the CSV export reads at a time.
const CSV_BATCH: i64 = 2000;

impl Service {
    /// Every line the filter selects as CSV, read and sent a batch at a
    /// time; with the day it was made for, to name the file.
    pub async fn ledger_csv(
        &self,
        user: &User,
        filter: &LedgerFilter,
        english: bool,
    ) -> ServiceResult<(String, impl Stream<Item = ServiceResult<Bytes>> + Send + 'static)> {
        let prepared = self.prepare_ledger(user, filter).await?;
        let today = prepared.context.today.to_string();
        let batches = LedgerBatches { service: self.clone(), prepared, english };
        Ok((today, csv_export::export(&csv_headers(english), batches)?))
    }
}

/// The ledger's lines as the CSV export reads them.
struct LedgerBatches {
    service: Service,
    prepared: Prepared,
    english: bool,
}

impl csv_export::Batches for LedgerBatches {
    type Key = LineKey;

    async fn write_batch(
        &mut self,
        after: Option<&LineKey>,
        writer: &mut SpreadsheetCsv,
    ) -> ServiceResult<Option<(LineKey, bool)>> {
        let prepared = &self.prepared;
        let rows =
            ledger::page(self.service.store(), &prepared.scope, &prepared.lines(), after, CSV_BATCH).await?;
        let full = rows.len() as i64 == CSV_BATCH;
        let Some(last) = rows.last().map(LineRow::key) else { return Ok(None) };
        for line in &self.service.ledger_lines(prepared, rows).await? {
            writer.write_record(csv_record(line, self.english)).map_err(csv_error)?;
        }
        Ok(Some((last, full)))
    }
}

/// The export's headers: in Chinese, or English with `english`.
fn csv_headers(english: bool) -> [&'static str; 15] {
    if english {
        [
            "task",
            "task name",
            "task state",
            "unit",
            "region",
            "target",
            "target name",
            "item",
            "item name",
            "inspectors",
            "state",
            "inspection date",
            "due date",
            "working days left",
            "overdue",
        ]
    } else {
        [
            "任务编号",
            "任务名称",
            "任务状态",
            "监管单位",
            "区域",
            "检查对象编号",
            "检查对象名称",
            "检查事项编号",
            "检查事项",
            "检查人员",
            "结果状态",
            "检查完成日期",
            "公示截止日期",
            "剩余工作日",
            "是否逾期",
        ]
    }
}

/// A line as a row of the export.
fn csv_record(line: &LedgerLine, english: bool) -> [String; 15] {
    let (due, left) = match &line.deadline {
        Some(deadline) => (deadline.due_date.clone(), deadline.working_days_left.to_string()),
        None => (String::new(), String::new()),
    };
    let overdue = match (&line.deadline, english) {
        (Some(deadline), false) if deadline.overdue => "逾期",
        (Some(deadline), true) if deadline.overdue => "overdue",
        _ => "",
    };
    [
        line.task.to_string(),
        line.task_name.clone(),
        line.task_state.clone(),
        line.unit.clone().unwrap_or_default(),
        line.region.clone().unwrap_or_default(),
        line.target.clone(),
        line.target_name.clone().unwrap_or_default(),
        line.item.clone(),
        line.item_name.clone().unwrap_or_default(),
        line.inspectors.join(if english { ", " } else { "、" }),
        line.state.clone(),
        line.inspection_date.clone().unwrap_or_default(),
        due,
        left,
        overdue.to_owned(),
    ]
}
