//! The public log as anyone reads it: a page at a time from a sequence
//! number, its head, and the whole of it as one download streamed a page at
//! a time. A page that is full is closed: the entries in it never change.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::public_answers::{Download, Freshness, Head, PublicAnswer};
use super::{Service, ServiceResult};
use crate::protocol::log::LogEntry;
use crate::storage::log;

/// A page of the log.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LogPageBody {
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<LogEntry>,
    /// The head when this page was read.
    pub head: LogHead,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LogHead {
    pub seq: u64,
    pub hash: String,
}

/// Entries a download reads per query, and sends as one piece.
const DOWNLOAD_BATCH: u64 = 1_000;

impl Service {
    /// Up to `limit` entries after `after`, with the head, ready to send.
    pub async fn log_page(&self, after: u64, limit: u64) -> ServiceResult<PublicAnswer> {
        let pool = self.store().read_pool();
        let Head { seq, hash } = self.public_head().await?;
        let head = LogHead { seq, hash: hash.to_hex() };
        self.answer(format!("log/{after}/{limit}"), seq, None, async {
            let entries = log::page(pool, after, limit).await?;
            let closed = entries.len() as u64 == limit;
            let freshness = if closed { Freshness::Settled } else { Freshness::Live };
            Ok(PublicAnswer::json(&LogPageBody { entries, head }, freshness))
        })
        .await
    }

    /// The sequence number and hash of the newest entry.
    pub async fn log_head(&self) -> ServiceResult<LogHead> {
        let Head { seq, hash } = self.public_head().await?;
        Ok(LogHead { seq, hash: hash.to_hex() })
    }

    /// Every entry, in order, one JSON object a line: kept in memory while
    /// the log is short and its head has not moved; a long log is read and
    /// sent a page at a time, so memory stays the same however long it is.
    pub async fn log_download(&self) -> ServiceResult<Download> {
        let stamp = self.public_stamp().await?;
        let start = (self.clone(), 0u64, false);
        let pieces = futures_util::stream::try_unfold(start, |(service, after, done)| async move {
            if done {
                return Ok(None);
            }
            let entries = log::page(service.store().read_pool(), after, DOWNLOAD_BATCH).await?;
            let Some(last) = entries.last().map(|entry| entry.seq) else { return Ok(None) };
            let mut piece = Vec::new();
            for entry in &entries {
                serde_json::to_writer(&mut piece, entry).expect("log entries serialise");
                piece.push(b'\n');
            }
            let done = (entries.len() as u64) < DOWNLOAD_BATCH;
            Ok(Some((Bytes::from(piece), (service, last, done))))
        });
        self.download("log.jsonl".to_owned(), stamp, Freshness::Live, pieces).await
    }
}
