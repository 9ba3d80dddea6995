//! The export of the exchange records, as CSV or JSON, newest publication
//! first: all of them, or those published since an instant (`since`), for
//! a receiver that polls for what is new. Both are streamed a batch at a
//! time down the same index as the public results (after the last row of
//! the batch before), so memory stays the same however many results there
//! are. An export holds nothing published after the newest result it found
//! when it began, whose publication time it names in a header, and none is
//! sent twice. Only published results (current or corrected) are ever
//! read: drafts, results under review and sealed tasks' results never are.

use std::collections::HashMap;

use bytes::Bytes;
use chrono::{DateTime, Datelike, NaiveTime, TimeDelta, Utc};
use futures_util::Stream;
use serde::Deserialize;

use super::{ExchangeRecord, SCHEMA_VERSION, inspection_direction};
use crate::domain::calendar::parse_day;
use crate::domain::time::Timestamp;
use crate::files::csv_output::SpreadsheetCsv;
use crate::service::csv_export::{self, csv_error};
use crate::service::published::PublicResult;
use crate::service::tasks::definition_of;
use crate::service::{Service, ServiceError, ServiceResult};
use crate::storage::results::{self, PublicFilter, PublishedKey};
use crate::storage::tasks;

/// Query parameters of the exports.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExchangeQuery {
    /// Only the records published at or after this instant: RFC 3339 with
    /// an offset (`2026-11-30T08:00:00Z`, `2026-11-30T16:00:00+08:00`, the
    /// `+` sent as `%2B`), or a date `YYYY-MM-DD`, that day's start in UTC.
    /// At most 40 characters. Without it, every published record.
    #[param(max_length = 40, example = "2026-11-30T08:00:00Z")]
    pub since: Option<String>,
}

/// The longest `since` read.
const MAX_SINCE: usize = 40;

impl ExchangeQuery {
    /// `since` as the `published_at` column writes an instant, rounded up
    /// to the column's whole milliseconds (so that "at or after" holds).
    fn since(&self) -> ServiceResult<Option<String>> {
        let Some(text) = self.since.as_deref() else { return Ok(None) };
        let invalid = |message: String| ServiceError::invalid("invalid_query", Some("since".into()), message);
        if text.len() > MAX_SINCE {
            return Err(invalid(format!(
                "since is {} bytes long; at most {MAX_SINCE} are taken",
                text.len()
            )));
        }
        let at = match parse_day(text) {
            Some(day) => day.and_time(NaiveTime::MIN).and_utc(),
            None => match DateTime::parse_from_rfc3339(text) {
                Ok(at) => at.with_timezone(&Utc),
                Err(_) => {
                    // A `+` left unencoded in a query string arrives as a space.
                    let hint = if text.contains(' ') { "; send a '+' in a query string as %2B" } else { "" };
                    return Err(invalid(format!(
                        "'{text}' is neither an RFC 3339 instant with an offset \
                         (2026-11-30T08:00:00Z, 2026-11-30T16:00:00+08:00) nor a date YYYY-MM-DD{hint}"
                    )));
                }
            },
        };
        let at = whole_milliseconds_up(at);
        if !(0..=9999).contains(&at.year()) {
            return Err(invalid(format!("'{text}' is not within the years 0000 to 9999 in UTC")));
        }
        Ok(Some(Timestamp::from(at).to_string()))
    }
}

/// The instant itself when it is a whole millisecond, else the next one.
fn whole_milliseconds_up(at: DateTime<Utc>) -> DateTime<Utc> {
    let beyond = at.timestamp_subsec_nanos() % 1_000_000;
    if beyond == 0 { at } else { at + TimeDelta::nanoseconds(i64::from(1_000_000 - beyond)) }
}

/// Rows read per query, and sent as one piece.
const BATCH: i64 = 2_000;

/// The published results read a batch at a time, with the inspection type
/// of each task read once.
struct ExchangeBatches {
    service: Service,
    directions: HashMap<i64, &'static str>,
    /// The stored form of `since`.
    since: Option<String>,
    /// The newest result the export holds; none when it holds none.
    newest: Option<PublishedKey>,
}

impl ExchangeBatches {
    /// The export of `query`, fixed at the newest result it holds.
    async fn open(service: &Service, query: &ExchangeQuery) -> ServiceResult<Self> {
        let mut batches = ExchangeBatches {
            service: service.clone(),
            directions: HashMap::new(),
            since: query.since()?,
            newest: None,
        };
        let newest = results::published(service.store().read_pool(), &batches.filter(), None, 0, 1).await?;
        batches.newest =
            newest.first().map(|row| PublishedKey { published_at: row.published_at.clone(), id: row.id });
        Ok(batches)
    }

    fn filter(&self) -> PublicFilter<'_> {
        PublicFilter {
            superseded: true,
            published_since: self.since.as_deref(),
            through: self.newest.as_ref(),
            ..PublicFilter::default()
        }
    }

    /// The `published_at` of the newest record the export holds.
    fn newest(&self) -> Option<String> {
        self.newest.as_ref().map(|key| key.published_at.clone())
    }

    /// The batch after `after`: its records, its last key, and whether it
    /// was full (more may follow).
    async fn next(
        &mut self,
        after: Option<&PublishedKey>,
    ) -> ServiceResult<Option<(Vec<ExchangeRecord>, PublishedKey, bool)>> {
        if self.newest.is_none() {
            return Ok(None);
        }
        let pool = self.service.store().read_pool();
        let rows = results::published(pool, &self.filter(), after, 0, BATCH).await?;
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

/// An export ready to send: the `published_at` of its newest record (none
/// when it holds none), and its pieces.
pub type Export<S> = (Option<String>, S);

impl Service {
    /// The published records `query` asks for, as exchange records in CSV
    /// (UTF-8 with BOM, cells safe to open in a spreadsheet), streamed.
    pub async fn exchange_csv(
        &self,
        query: &ExchangeQuery,
    ) -> ServiceResult<Export<impl Stream<Item = ServiceResult<Bytes>> + Send + 'static>> {
        let batches = ExchangeBatches::open(self, query).await?;
        Ok((batches.newest(), csv_export::export(&ExchangeRecord::FIELDS, batches)?))
    }

    /// The published records `query` asks for, as exchange records in one
    /// JSON object (`schema_version`, `records`), streamed.
    pub async fn exchange_json(
        &self,
        query: &ExchangeQuery,
    ) -> ServiceResult<Export<impl Stream<Item = ServiceResult<Bytes>> + Send + 'static>> {
        let batches = ExchangeBatches::open(self, query).await?;
        let newest = batches.newest();
        let state = JsonExport { batches, after: None, started: false, done: false };
        Ok((newest, futures_util::stream::try_unfold(state, JsonExport::next_piece)))
    }
}
