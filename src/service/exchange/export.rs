//! The full export of the exchange records, as CSV or JSON, newest
//! publication first. Both are streamed a batch at a time down the same
//! index as the public results (after the last row of the batch before),
//! so memory stays the same however many results there are, and a result
//! published meanwhile is not sent twice. Only published results (current
//! or corrected) are ever read: drafts, results under review and sealed
//! tasks' results never are.

use std::collections::HashMap;

use bytes::Bytes;
use futures_util::Stream;

use super::{ExchangeRecord, SCHEMA_VERSION, inspection_direction};
use crate::files::csv_output::SpreadsheetCsv;
use crate::service::csv_export::{self, csv_error};
use crate::service::published::PublicResult;
use crate::service::tasks::definition_of;
use crate::service::{Service, ServiceResult};
use crate::storage::results::{self, PublicFilter, PublishedKey};
use crate::storage::tasks;

/// Rows read per query, and sent as one piece.
const BATCH: i64 = 2_000;

/// The published results read a batch at a time, with the inspection type
/// of each task read once.
struct ExchangeBatches {
    service: Service,
    directions: HashMap<i64, &'static str>,
}

impl ExchangeBatches {
    fn new(service: &Service) -> Self {
        ExchangeBatches { service: service.clone(), directions: HashMap::new() }
    }

    /// The batch after `after`: its records, its last key, and whether it
    /// was full (more may follow).
    async fn next(
        &mut self,
        after: Option<&PublishedKey>,
    ) -> ServiceResult<Option<(Vec<ExchangeRecord>, PublishedKey, bool)>> {
        let filter = PublicFilter { superseded: true, ..PublicFilter::default() };
        let pool = self.service.store().read_pool();
        let rows = results::published(pool, &filter, after, 0, BATCH).await?;
        let full = rows.len() as i64 == BATCH;
        let Some(last) =
            rows.last().map(|row| PublishedKey { published_at: row.published_at.clone(), id: row.id })
        else {
            return Ok(None);
        };
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            let result = PublicResult::of_row(row)?;
            let direction = self.direction(result.record.task).await?;
            records.push(ExchangeRecord::of_public(result, direction));
        }
        Ok(Some((records, last, full)))
    }

    async fn direction(&mut self, task: i64) -> ServiceResult<&'static str> {
        if let Some(direction) = self.directions.get(&task) {
            return Ok(direction);
        }
        let row = tasks::get(self.service.store().read_pool(), task).await?.ok_or_else(|| {
            crate::service::damaged(format!("a published result names task {task}, which is gone"))
        })?;
        let direction = inspection_direction(&definition_of(&row)?);
        self.directions.insert(task, direction);
        Ok(direction)
    }
}

impl csv_export::Batches for ExchangeBatches {
    type Key = PublishedKey;

    async fn write_batch(
        &mut self,
        after: Option<&PublishedKey>,
        writer: &mut SpreadsheetCsv,
    ) -> ServiceResult<Option<(PublishedKey, bool)>> {
        let Some((records, last, full)) = self.next(after).await? else {
            return Ok(None);
        };
        for record in records {
            writer.write_record(record.csv_row()).map_err(csv_error)?;
        }
        Ok(Some((last, full)))
    }
}

/// Where the JSON export stands between batches.
struct JsonExport {
    batches: ExchangeBatches,
    after: Option<PublishedKey>,
    started: bool,
    done: bool,
}

impl JsonExport {
    async fn next_piece(mut self) -> ServiceResult<Option<(Bytes, Self)>> {
        if self.done {
            return Ok(None);
        }
        let batch = if self.after.is_some() || !self.started {
            self.batches.next(self.after.as_ref()).await?
        } else {
            None
        };
        let mut piece = String::new();
        if !self.started {
            piece.push_str(&format!("{{\"schema_version\":\"{SCHEMA_VERSION}\",\"records\":["));
        }
        let Some((records, last, full)) = batch else {
            piece.push_str("]}\n");
            self.done = true;
            return Ok(Some((Bytes::from(piece), self)));
        };
        for (index, record) in records.iter().enumerate() {
            if self.started || index > 0 {
                piece.push(',');
            }
            piece.push_str(&serde_json::to_string(record).expect("records serialise"));
        }
        self.started = true;
        // A batch that was not full was the last: the next piece closes.
        self.after = full.then_some(last);
        Ok(Some((Bytes::from(piece), self)))
    }
}

impl Service {
    /// Every published result as exchange records in CSV (UTF-8 with BOM,
    /// cells safe to open in a spreadsheet), streamed.
    pub fn exchange_csv(&self) -> ServiceResult<impl Stream<Item = ServiceResult<Bytes>> + Send + 'static> {
        csv_export::export(&ExchangeRecord::FIELDS, ExchangeBatches::new(self))
    }

    /// Every published result as exchange records in one JSON object
    /// (`schema_version`, `records`), streamed.
    pub fn exchange_json(&self) -> impl Stream<Item = ServiceResult<Bytes>> + Send + 'static {
        let state =
            JsonExport { batches: ExchangeBatches::new(self), after: None, started: false, done: false };
        futures_util::stream::try_unfold(state, JsonExport::next_piece)
    }
}
