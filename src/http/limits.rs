//! What one client may send: how large a request body may be, and how
//! often an address may fail to authenticate before it has to wait; and
//! how many imports and bundle downloads the server runs at once.

use std::io::{self, Read};
use std::num::{NonZeroU32, NonZeroUsize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use futures_util::StreamExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::io::{StreamReader, SyncIoBridge};

use super::AppState;
use super::error::AppError;

/// The bounds the HTTP layer enforces; `opendraw serve` takes them from
/// its flags and environment.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest CSV upload to an `/api/…/import` route. Uploads are read
    /// as a stream, so this bounds time and disk, not memory.
    pub import_bytes: u64,
    /// Largest body of any other request (JSON), which is read whole.
    pub json_bytes: usize,
    /// Failed authentications one client address may make in a minute;
    /// the next ones get 429 until the minute has passed.
    pub auth_failures_per_minute: NonZeroU32,
    /// Imports running at once; the next ones get 503 with `Retry-After`.
    pub imports: ImportPermits,
    /// Verification bundles sent at once; the next request gets 503 with
    /// `Retry-After` until one has finished.
    pub concurrent_downloads: NonZeroUsize,
    /// Whether the session cookie is marked `Secure` (sent over HTTPS
    /// only): set when the server is reached over HTTPS. A request's
    /// `X-Forwarded-Proto` is not trusted to say so.
    pub secure_cookies: bool,
}

/// 2 GiB: ten million rows of a target directory like the demo's (id,
/// name, region, industry, class, unit, flags, date and address: 164 bytes
/// a row on average, so 1.6 GB). Larger directories are imported with
/// `opendraw import`, which reads a file of any size.
pub const DEFAULT_IMPORT_BYTES: u64 = 2 << 30;

/// 1 MiB: the largest JSON body, a task definition with a quota for each
/// of a few thousand strata, is well under 200 KiB.
pub const DEFAULT_JSON_BYTES: usize = 1 << 20;

pub const DEFAULT_AUTH_FAILURES_PER_MINUTE: u32 = 20;

/// Two imports at once: each holds a database connection (on SQLite, the
/// write lock) for its whole length, a few batches of rows in memory, and
/// a core parsing its file.
pub const DEFAULT_CONCURRENT_IMPORTS: usize = 2;

/// How long a refused import is asked to wait: about the time a million
/// rows take to import.
const IMPORT_RETRY_AFTER_SECONDS: u64 = 10;
/// A bundle is sent a few stored pieces at a time (about 2 MiB held per
/// download, whatever the pool's size): sixteen at once hold some 50 MB,
/// and keep sixteen short queries at most in the database's pool.
pub const DEFAULT_CONCURRENT_DOWNLOADS: usize = 16;

/// What a client turned away for lack of a download slot is told to wait:
/// about the time a 50 MB bundle takes on a slow line.
const DOWNLOAD_RETRY_AFTER_SECONDS: u64 = 10;

impl Default for Limits {
    fn default() -> Self {
        Self {
            import_bytes: DEFAULT_IMPORT_BYTES,
            json_bytes: DEFAULT_JSON_BYTES,
            auth_failures_per_minute: NonZeroU32::new(DEFAULT_AUTH_FAILURES_PER_MINUTE).expect("not zero"),
            imports: ImportPermits::new(NonZeroUsize::new(DEFAULT_CONCURRENT_IMPORTS).expect("not zero")),
            concurrent_downloads: NonZeroUsize::new(DEFAULT_CONCURRENT_DOWNLOADS).expect("not zero"),
            secure_cookies: false,
        }
    }
}

/// A CSV upload, read as it arrives: refused at once when its announced
/// length is over [`Limits::import_bytes`], and cut off when more than that
/// arrives without an announced length.
pub struct Upload {
    body: Body,
    limit: u64,
    /// Who sent it, for the audit trail's record of the import.
    client: Option<std::net::IpAddr>,
}

impl FromRequest<AppState> for Upload {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        let limit = state.limits.import_bytes;
        let announced = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|length| length.to_str().ok()?.parse::<u64>().ok());
        if announced.is_some_and(|length| length > limit) {
            return Err(AppError::payload_too_large(limit));
        }
        let client = request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(Self { body: request.into_body(), limit, client })
    }
}

impl Upload {
    /// The body as a blocking reader (for a blocking thread of this
    /// runtime), and a flag that is set if the reader stopped at the limit.
    pub fn into_reader(self) -> (impl Read + Send + 'static, Overflow) {
        let overflow = Overflow::default();
        let flag = Arc::clone(&overflow.0);
        let limit = self.limit;
        let mut received = 0u64;
        let chunks = self.body.into_data_stream().map(move |chunk| {
            let chunk = chunk.map_err(io::Error::other)?;
            received += chunk.len() as u64;
            if received > limit {
                flag.store(true, Ordering::Relaxed);
                return Err(io::Error::other(format!("the upload is larger than {limit} bytes")));
            }
            Ok(chunk)
        });
        (SyncIoBridge::new(StreamReader::new(chunks)), overflow)
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The client's IP address, when the server knows it.
    pub fn client(&self) -> Option<std::net::IpAddr> {
        self.client
    }
}

/// A body read whole, refused with 413 at once when its announced length
/// is over `limit` and cut off when more than that arrives. For the routes
/// whose bodies are bounded by their own rule (an attachment, a checklist
/// file) rather than [`Limits::json_bytes`].
pub async fn read_bounded(
    body: Body,
    headers: &axum::http::HeaderMap,
    limit: usize,
) -> Result<bytes::Bytes, AppError> {
    let announced =
        headers.get(header::CONTENT_LENGTH).and_then(|length| length.to_str().ok()?.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit as u64) {
        return Err(AppError::payload_too_large(limit as u64));
    }
    axum::body::to_bytes(body, limit).await.map_err(|_| AppError::payload_too_large(limit as u64))
}

/// Whether an [`Upload`] went over its limit.
#[derive(Default)]
pub struct Overflow(Arc<AtomicBool>);

impl Overflow {
    pub fn happened(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The permits for imports running at once, shared by every clone.
#[derive(Debug, Clone)]
pub struct ImportPermits {
    permits: Arc<Semaphore>,
    limit: NonZeroUsize,
}

impl ImportPermits {
    pub fn new(limit: NonZeroUsize) -> Self {
        Self { permits: Arc::new(Semaphore::new(limit.get())), limit }
    }

    /// A permit to import, held until the import ends; or the 503 that
    /// tells the client to come back, when all are taken.
    pub fn try_acquire(&self) -> Result<OwnedSemaphorePermit, AppError> {
        Arc::clone(&self.permits).try_acquire_owned().map_err(|_| {
            AppError::unavailable(
                "too_many_imports",
                format!(
                    "the server is running {} imports, as many as it runs at once; \
                     try again in {IMPORT_RETRY_AFTER_SECONDS} s (nothing was changed)",
                    self.limit
                ),
                IMPORT_RETRY_AFTER_SECONDS,
            )
        })
    }
}

/// The slots for bundle downloads, [`Limits::concurrent_downloads`] of
/// them; a download holds its slot until its last byte is sent or its
/// client goes away.
#[derive(Clone)]
pub struct DownloadSlots(Arc<Semaphore>);

impl DownloadSlots {
    pub fn new(count: NonZeroUsize) -> Self {
        Self(Arc::new(Semaphore::new(count.get())))
    }

    /// A free slot, or the 503 that tells the client when to come back.
    pub fn take(&self) -> Result<OwnedSemaphorePermit, AppError> {
        Arc::clone(&self.0).try_acquire_owned().map_err(|_| {
            AppError::unavailable(
                "too_many_downloads",
                "the server is sending as many bundles as it may at once; try again shortly",
                DOWNLOAD_RETRY_AFTER_SECONDS,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;

    use super::*;

    #[tokio::test]
    async fn an_import_beyond_the_permits_is_refused_with_503_and_retry_after_until_one_is_free() {
        let permits = ImportPermits::new(NonZeroUsize::new(1).unwrap());
        let held = permits.try_acquire().expect("the first import gets the permit");
        let refused = permits.try_acquire().expect_err("a second import while one runs is refused");
        let response = refused.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let retry: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "Retry-After: {retry}");
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["code"], "too_many_imports", "{body}");
        assert!(body["message"].as_str().unwrap().contains("nothing was changed"), "{body}");
        drop(held);
        assert!(permits.try_acquire().is_ok(), "the permit is free again once the import ends");
    }
}
