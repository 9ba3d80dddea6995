//! CSV exports sent a batch at a time as they are read: memory stays the
//! same however many rows the file holds. Each batch continues from the
//! key of the last row of the one before, so a row added meanwhile after
//! that key is read once at most, and none is sent twice.

use std::future::Future;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};

use super::{ServiceError, ServiceResult};
use crate::files::csv_output::SpreadsheetCsv;
use crate::storage::StoreError;

/// Rows of an export, read a batch at a time in key order.
pub(super) trait Batches: Send + 'static {
    /// Where a batch ends: the next one begins after it.
    type Key: Send + 'static;

    /// Writes the batch after `after` (from the first row without it) into
    /// `writer`: its last row's key and whether the batch was full, or
    /// nothing when no row is left.
    fn write_batch(
        &mut self,
        after: Option<&Self::Key>,
        writer: &mut SpreadsheetCsv,
    ) -> impl Future<Output = ServiceResult<Option<(Self::Key, bool)>>> + Send;
}

/// The export: `headers` (with the byte-order mark), then the batches.
pub(super) fn export<B: Batches>(
    headers: &[&str],
    batches: B,
) -> ServiceResult<impl Stream<Item = ServiceResult<Bytes>> + Send + use<B>> {
    let mut writer = SpreadsheetCsv::new();
    writer.write_record(headers).map_err(csv_error)?;
    let first = Bytes::from(writer.into_bytes());
    let state = Export { batches, after: None, done: false };
    Ok(futures_util::stream::once(async { Ok(first) })
        .chain(futures_util::stream::try_unfold(state, Export::next_piece)))
}

/// Where an export stands between batches.
struct Export<B: Batches> {
    batches: B,
    after: Option<B::Key>,
    done: bool,
}

impl<B: Batches> Export<B> {
    async fn next_piece(mut self) -> ServiceResult<Option<(Bytes, Self)>> {
        if self.done {
            return Ok(None);
        }
        let mut writer = SpreadsheetCsv::continued();
        let Some((last, full)) = self.batches.write_batch(self.after.as_ref(), &mut writer).await? else {
            return Ok(None);
        };
        self.after = Some(last);
        self.done = !full;
        Ok(Some((Bytes::from(writer.into_bytes()), self)))
    }
}

/// A CSV writer's failure: in memory, so nothing the caller did.
pub(super) fn csv_error(error: csv::Error) -> ServiceError {
    ServiceError::Store(StoreError::Damaged(format!("writing CSV: {error}")))
}
