//! Public answers kept in memory, ready to send. An answer is built from the
//! database once and served again while the log stamp it was built at is
//! still the current one: every change anyone may see appends a log entry in
//! the same transaction, on whichever server made it, so one indexed read
//! per request (the head of the log, or a task's last entry) tells whether
//! the answer still holds.
//!
//! Requests that arrive while the head is being read share the next read:
//! one read serves every request that waited for it, each of which arrived
//! before that read began, so none is answered from a head older than its
//! arrival (a change another server committed before the request is seen).
//!
//! An answer that is missing is built once however many requests ask for
//! it together: the first builds it, the others asking at the same stamp
//! wait for that build and share it. They may share it because it is keyed
//! by the stamp each of them read after arriving: a build at that stamp
//! reads data no older than the arrival of any of them.
//!
//! Each answer carries an entity tag and how long a shared cache (a CDN in
//! front of several servers) may keep it, so what is settled is served
//! without reaching any server at all.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use tokio::sync::watch;

use super::public::KEPT_FILE_MAX;
use super::{Service, ServiceResult};
use crate::protocol::Digest;
use crate::storage::log;

/// How long a shared cache may keep an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Never changes again (a committed file, a revealed result file).
    Immutable,
    /// Settled: changes seldom, and a minute's delay misleads nobody (a
    /// revealed task, a closed page of the log).
    Settled,
    /// May change at any moment (a sealed task is revealed): every use is
    /// checked with the server, which answers 304 while it holds.
    Live,
}

impl Freshness {
    pub fn cache_control(self) -> &'static str {
        match self {
            Freshness::Immutable => "public, max-age=31536000, immutable",
            Freshness::Settled => "public, max-age=60",
            Freshness::Live => "public, no-cache",
        }
    }
}

/// A public answer: its body, its entity tag, and how long it keeps.
#[derive(Debug, Clone)]
pub struct PublicAnswer {
    pub body: Bytes,
    /// A strong entity tag, quoted, as sent in `ETag`.
    pub etag: String,
    pub freshness: Freshness,
    /// The body gzipped, where that is worth sending instead: made once,
    /// when the answer is kept, so that the many clients that accept gzip
    /// (browsers, CDNs) take a fraction of the bandwidth for no CPU.
    pub gzipped: Option<Bytes>,
}

/// Answers shorter than this are sent as they are: gzip's own header and
/// the `Content-Encoding` would eat most of what it saves.
const GZIP_FROM: usize = 1024;

impl PublicAnswer {
    pub fn new(body: Bytes, etag: String, freshness: Freshness) -> Self {
        PublicAnswer { body, etag, freshness, gzipped: None }
    }

    pub fn json(view: &impl Serialize, freshness: Freshness) -> Self {
        let body = Bytes::from(serde_json::to_vec(view).expect("views serialise"));
        let etag = tag_of(&body);
        PublicAnswer::new(body, etag, freshness)
    }

    /// The answer with its gzipped body, when it is long enough and gzip
    /// saves a fifth of it at least. Compressed on a blocking thread: a
    /// megabyte takes some milliseconds, which the requests sharing this
    /// worker need not wait for.
    async fn with_gzip(mut self) -> Self {
        if self.body.len() < GZIP_FROM {
            return self;
        }
        let body = self.body.clone();
        let gzipped = tokio::task::spawn_blocking(move || gzip(&body)).await.expect("gzip does not panic");
        self.gzipped = Some(gzipped).filter(|gzipped| gzipped.len() <= self.body.len() / 5 * 4);
        self
    }

    /// How much memory the answer holds.
    fn size(&self) -> usize {
        self.body.len() + self.gzipped.as_ref().map_or(0, Bytes::len)
    }
}

fn gzip(body: &[u8]) -> Bytes {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(body).expect("writing to memory");
    Bytes::from(encoder.finish().expect("writing to memory"))
}

/// A quoted entity tag naming these bytes.
pub fn tag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..12].iter().map(|byte| format!("{byte:02x}")).collect();
    format!("\"{hex}\"")
}

/// A public download: whole, or sent as it is read.
pub enum Download {
    /// Kept in memory, with its entity tag.
    Whole(PublicAnswer),
    /// Too long to keep: read from the database as it is sent.
    Stream(BoxStream<'static, ServiceResult<Bytes>>),
}

/// Answers cached by what was asked (the route and its parsed query).
#[derive(Default)]
pub struct AnswerCache {
    answers: RwLock<Answers>,
    head: SharedHead,
    flights: Mutex<Flights>,
}

/// Answers being built, by question: what waiting requests share.
#[derive(Default)]
struct Flights {
    by_question: HashMap<String, Flight>,
    /// How many flights have begun: each one's number tells it apart from a
    /// later flight for the same question.
    begun: u64,
}

struct Flight {
    number: u64,
    stamp: u64,
    /// `None` while building; then the answer, or `None` inside when the
    /// build failed (each waiter then builds for itself, so an error is
    /// reported as its own request met it).
    done: watch::Receiver<Option<Option<PublicAnswer>>>,
}

/// What one request does about a missing answer.
enum Role {
    /// Builds it and tells the waiters.
    Lead(FlightGuard),
    /// Waits for the build begun by another request at the same stamp.
    Wait(watch::Receiver<Option<Option<PublicAnswer>>>),
    /// Builds it alone: a build at a newer stamp is under way.
    Alone,
}

/// Held by the request building an answer: tells the waiters how it ended,
/// and removes the flight even when the request is dropped mid-build (its
/// client went away), so nobody waits for a build that stopped.
struct FlightGuard {
    cache: std::sync::Arc<AnswerCache>,
    question: String,
    number: u64,
    done: watch::Sender<Option<Option<PublicAnswer>>>,
}

impl FlightGuard {
    fn finish(self, answer: Option<PublicAnswer>) {
        // Waiters that already left drop their receivers: nobody to tell is fine.
        let _ = self.done.send(Some(answer));
    }
}

impl Drop for FlightGuard {
    fn drop(&mut self) {
        let mut flights = self.cache.flights.lock().expect("answer flights lock");
        if flights.by_question.get(&self.question).is_some_and(|flight| flight.number == self.number) {
            flights.by_question.remove(&self.question);
        }
    }
}

impl AnswerCache {
    /// Joins the build of `question` at `stamp` under way, or begins one.
    fn role(self: &std::sync::Arc<Self>, question: &str, stamp: u64) -> Role {
        let mut flights = self.flights.lock().expect("answer flights lock");
        if let Some(flight) = flights.by_question.get(question) {
            if flight.stamp == stamp {
                return Role::Wait(flight.done.clone());
            }
            if flight.stamp > stamp {
                return Role::Alone;
            }
        }
        flights.begun += 1;
        let number = flights.begun;
        let (done, receiver) = watch::channel(None);
        flights.by_question.insert(question.to_owned(), Flight { number, stamp, done: receiver });
        Role::Lead(FlightGuard { cache: self.clone(), question: question.to_owned(), number, done })
    }
}

/// Reads of the log head, shared by the requests waiting for them.
#[derive(Default)]
struct SharedHead {
    /// How many reads have begun.
    begun: AtomicU64,
    /// The last read: its number (in the order begun) and the head it saw.
    last: tokio::sync::Mutex<(u64, Head)>,
}

#[derive(Default)]
struct Answers {
    by_question: HashMap<String, Kept>,
    bytes: usize,
}

struct Kept {
    stamp: u64,
    built: Instant,
    answer: PublicAnswer,
}

/// The memory all cached answers may take together; past it, the cache
/// starts over (questions are chosen by anyone, so their number is not
/// bounded by the data).
const MAX_CACHED_BYTES: usize = 64 << 20;

impl Default for Head {
    fn default() -> Self {
        Head { seq: 0, hash: Digest([0; 32]) }
    }
}

/// The log's head: its sequence number and hash.
#[derive(Debug, Clone, Copy)]
pub struct Head {
    pub seq: u64,
    pub hash: Digest,
}

impl Service {
    /// The log's head, read after this call began.
    pub(super) async fn public_head(&self) -> ServiceResult<Head> {
        let shared = &self.answers.head;
        let arrived_after = shared.begun.load(Ordering::SeqCst);
        let mut last = shared.last.lock().await;
        if last.0 > arrived_after {
            return Ok(last.1);
        }
        let number = shared.begun.fetch_add(1, Ordering::SeqCst) + 1;
        let (seq, hash) = log::head(self.store().read_pool()).await?;
        *last = (number, Head { seq, hash });
        Ok(last.1)
    }

    /// What public answers are stamped with: the log head's sequence number.
    pub(super) async fn public_stamp(&self) -> ServiceResult<u64> {
        Ok(self.public_head().await?.seq)
    }

    /// The answer to `question` at log stamp `stamp`: from memory when it
    /// was built at that stamp (and, with `max_age`, not longer ago), else
    /// built now by `build`.
    pub(super) async fn answer<F>(
        &self,
        question: String,
        stamp: u64,
        max_age: Option<Duration>,
        build: F,
    ) -> ServiceResult<PublicAnswer>
    where
        F: Future<Output = ServiceResult<PublicAnswer>>,
    {
        if let Some(answer) = self.kept_answer(&question, stamp, max_age) {
            return Ok(answer);
        }
        match self.answers.role(&question, stamp) {
            Role::Wait(mut done) => {
                // A closed channel (the building request went away) or a
                // failed build: this request builds for itself.
                if let Ok(outcome) = done.wait_for(Option::is_some).await
                    && let Some(Some(answer)) = outcome.clone()
                {
                    return Ok(answer);
                }
                self.build_and_keep(question, stamp, build).await
            }
            Role::Lead(flight) => {
                // Built before the flight began, by a request that read the stamp.
                if let Some(answer) = self.kept_answer(&question, stamp, max_age) {
                    flight.finish(Some(answer.clone()));
                    return Ok(answer);
                }
                let built = self.build_and_keep(question, stamp, build).await;
                flight.finish(built.as_ref().ok().cloned());
                built
            }
            Role::Alone => self.build_and_keep(question, stamp, build).await,
        }
    }

    /// The answer kept for `question`, if built at `stamp` (and not longer
    /// than `max_age` ago).
    pub(super) fn kept_answer(
        &self,
        question: &str,
        stamp: u64,
        max_age: Option<Duration>,
    ) -> Option<PublicAnswer> {
        let answers = self.answers.answers.read().expect("answer cache lock");
        let kept = answers.by_question.get(question)?;
        let fresh = kept.stamp == stamp && max_age.is_none_or(|age| kept.built.elapsed() < age);
        fresh.then(|| kept.answer.clone())
    }

    async fn build_and_keep<F>(&self, question: String, stamp: u64, build: F) -> ServiceResult<PublicAnswer>
    where
        F: Future<Output = ServiceResult<PublicAnswer>>,
    {
        let answer = build.await?;
        Ok(self.keep_answer(question, stamp, answer).await)
    }

    /// Keeps `answer` to `question`, built at `stamp`, with its gzipped
    /// body: every kept answer has it, made once here.
    async fn keep_answer(&self, question: String, stamp: u64, answer: PublicAnswer) -> PublicAnswer {
        let answer = answer.with_gzip().await;
        let mut answers = self.answers.answers.write().expect("answer cache lock");
        if answers.bytes + answer.size() > MAX_CACHED_BYTES {
            *answers = Answers::default();
        }
        let size = answer.size();
        let kept = Kept { stamp, built: Instant::now(), answer: answer.clone() };
        // A slower request that read an older stamp does not replace a newer answer.
        if answers.by_question.get(&question).is_none_or(|old| old.stamp <= stamp) {
            if let Some(old) = answers.by_question.insert(question, kept) {
                answers.bytes -= old.answer.size();
            }
            answers.bytes += size;
        }
        answer
    }

    /// A download of `question` at log stamp `stamp`, read from `pieces`:
    /// from memory when it was kept at that stamp; else read, and kept when
    /// it ends within [`KEPT_FILE_MAX`] bytes (as a published file is), so that a crowd asking
    /// for a small export costs what a JSON answer does; a longer one is
    /// sent as it is read (the pieces read so far first), so memory does
    /// not grow with it. Unlike [`Service::answer`], requests that miss
    /// together each read for themselves: they cannot know beforehand
    /// whether the download will be kept, and a long one must not wait.
    pub(super) async fn download<S>(
        &self,
        question: String,
        stamp: u64,
        freshness: Freshness,
        pieces: S,
    ) -> ServiceResult<Download>
    where
        S: Stream<Item = ServiceResult<Bytes>> + Send + 'static,
    {
        if let Some(kept) = self.kept_answer(&question, stamp, None) {
            return Ok(Download::Whole(kept));
        }
        let mut pieces = Box::pin(pieces);
        let mut read = Vec::new();
        let mut size = 0u64;
        while let Some(piece) = pieces.next().await {
            let piece = piece?;
            size += piece.len() as u64;
            read.push(piece);
            if size > KEPT_FILE_MAX {
                let read = futures_util::stream::iter(read.into_iter().map(Ok));
                return Ok(Download::Stream(read.chain(pieces).boxed()));
            }
        }
        let body = Bytes::from(read.concat());
        let etag = tag_of(&body);
        let answer = self.keep_answer(question, stamp, PublicAnswer::new(body, etag, freshness)).await;
        Ok(Download::Whole(answer))
    }

    /// Drops the answer kept for `question`: something it shows changed
    /// without the log's head moving (a witness's cosignature).
    pub(super) fn forget_answer(&self, question: &str) {
        let mut answers = self.answers.answers.write().expect("answer cache lock");
        if let Some(old) = answers.by_question.remove(question) {
            answers.bytes -= old.answer.size();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use bytes::Bytes;
    use futures_util::TryStreamExt;

    use super::{Download, Freshness, PublicAnswer};
    use crate::service::{Service, ServiceError, ServiceResult};
    use crate::storage::Store;

    const TOGETHER: usize = 16;

    /// A service on a new database (the answers built here do not read it).
    async fn service() -> (Service, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite:{}", dir.path().join("answers.db").display());
        (Service::new(Store::open(&url).await.expect("a new store")), dir)
    }

    /// Asks `question` at `stamp` with a build that counts itself, takes a
    /// while, and answers `body` (or fails when `body` is empty).
    fn ask(
        service: &Service,
        builds: &Arc<AtomicUsize>,
        question: &str,
        stamp: u64,
        body: &'static str,
    ) -> tokio::task::JoinHandle<ServiceResult<PublicAnswer>> {
        let (service, builds, question) = (service.clone(), builds.clone(), question.to_owned());
        tokio::spawn(async move {
            service
                .answer(question, stamp, None, async {
                    builds.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    if body.is_empty() {
                        return Err(ServiceError::NotFound("nothing to build".into()));
                    }
                    Ok(PublicAnswer::json(&body, Freshness::Live))
                })
                .await
        })
    }

    // Requests spawned in order on the test's single thread each run until
    // their first wait: the first begins the build before the others ask.

    #[tokio::test]
    async fn requests_that_miss_together_share_one_build() {
        let (service, _dir) = service().await;
        let builds = Arc::new(AtomicUsize::new(0));
        let asked: Vec<_> = (0..TOGETHER).map(|_| ask(&service, &builds, "tasks", 7, "built")).collect();
        for request in asked {
            assert_eq!(&request.await.unwrap().unwrap().body[..], b"\"built\"");
        }
        assert_eq!(builds.load(Ordering::SeqCst), 1);
        // Kept: asked again at the same stamp, nothing is built.
        ask(&service, &builds, "tasks", 7, "built").await.unwrap().unwrap();
        assert_eq!(builds.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_newer_stamp_or_another_question_is_built_apart() {
        let (service, _dir) = service().await;
        let builds = Arc::new(AtomicUsize::new(0));
        let asked = [
            ask(&service, &builds, "tasks", 7, "old"),
            ask(&service, &builds, "tasks", 8, "new"),
            ask(&service, &builds, "task/1", 7, "one"),
        ];
        let mut bodies = Vec::new();
        for request in asked {
            bodies.push(request.await.unwrap().unwrap().body);
        }
        assert_eq!(bodies, [&b"\"old\""[..], &b"\"new\""[..], &b"\"one\""[..]]);
        assert_eq!(builds.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn when_the_shared_build_fails_each_waiter_builds_for_itself() {
        let (service, _dir) = service().await;
        let builds = Arc::new(AtomicUsize::new(0));
        let failing = ask(&service, &builds, "tasks", 7, "");
        let waiting: Vec<_> = (0..3).map(|_| ask(&service, &builds, "tasks", 7, "built")).collect();
        assert!(matches!(failing.await.unwrap(), Err(ServiceError::NotFound(_))));
        for request in waiting {
            assert_eq!(&request.await.unwrap().unwrap().body[..], b"\"built\"");
        }
        // The failed build, then the first waiter's; the rest share that one.
        assert!((2..=4).contains(&builds.load(Ordering::SeqCst)), "{builds:?}");
    }

    /// A stream of `count` pieces of `size` bytes, each filled with its number.
    fn pieces(
        count: u8,
        size: usize,
    ) -> impl futures_util::Stream<Item = ServiceResult<Bytes>> + Send + 'static {
        futures_util::stream::iter((0..count).map(move |number| Ok(Bytes::from(vec![number; size]))))
    }

    #[tokio::test]
    async fn a_short_download_is_kept_whole_until_the_stamp_moves() {
        let (service, _dir) = service().await;
        let Download::Whole(first) =
            service.download("log.jsonl".into(), 7, Freshness::Live, pieces(3, 1000)).await.unwrap()
        else {
            panic!("a short download is whole");
        };
        assert_eq!(first.body.len(), 3000);
        assert_eq!(first.etag, super::tag_of(&first.body));
        // Kept: at the same stamp the stream is not read (this one would fail).
        let failing = futures_util::stream::once(async { Err(ServiceError::NotFound("not read".into())) });
        let Download::Whole(again) =
            service.download("log.jsonl".into(), 7, Freshness::Live, failing).await.unwrap()
        else {
            panic!("kept whole");
        };
        assert_eq!((again.body, again.etag), (first.body, first.etag.clone()));
        // At a new stamp it is read again.
        let Download::Whole(newer) =
            service.download("log.jsonl".into(), 8, Freshness::Live, pieces(4, 1000)).await.unwrap()
        else {
            panic!("still short");
        };
        assert_eq!(newer.body.len(), 4000);
        assert_ne!(newer.etag, first.etag);
    }

    #[tokio::test]
    async fn a_kept_answer_is_gzipped_where_gzip_pays() {
        let (service, _dir) = service().await;
        let lines: Vec<String> = (0..200).map(|n| format!("target {n}\tregion {}\n", n % 7)).collect();
        let long =
            service.answer("long".into(), 1, None, async { Ok(PublicAnswer::json(&lines, Freshness::Live)) });
        let long = long.await.unwrap();
        let gzipped = long.gzipped.clone().expect("a long, repetitive answer is gzipped");
        assert!(gzipped.len() < long.body.len() / 4, "{} of {}", gzipped.len(), long.body.len());
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzipped[..]), &mut unzipped).unwrap();
        assert_eq!(unzipped, long.body);
        assert_eq!(service.kept_answer("long", 1, None).unwrap().gzipped, Some(gzipped), "kept gzipped");

        let short = service.answer("short".into(), 1, None, async {
            Ok(PublicAnswer::json(&"a few bytes", Freshness::Live))
        });
        assert_eq!(short.await.unwrap().gzipped, None, "a short answer is sent as it is");
        // Bytes that gzip cannot shrink (as random as a digest) are not kept twice.
        let noise: Vec<u8> =
            (0..64u32).flat_map(|n| <sha2::Sha256 as sha2::Digest>::digest(n.to_le_bytes())).collect();
        let noise = PublicAnswer::new(Bytes::from(noise), "\"noise\"".into(), Freshness::Live);
        let noise = service.answer("noise".into(), 1, None, async { Ok(noise) });
        assert_eq!(noise.await.unwrap().gzipped, None, "gzip saves nothing on it");
    }

    #[tokio::test]
    async fn a_long_download_is_streamed_whole_and_not_kept() {
        let (service, _dir) = service().await;
        let piece = 300 << 10;
        let Download::Stream(stream) =
            service.download("results.csv".into(), 7, Freshness::Live, pieces(6, piece)).await.unwrap()
        else {
            panic!("1.8 MiB is streamed");
        };
        let sent: Vec<Bytes> = stream.try_collect().await.unwrap();
        let expected: Vec<u8> = (0..6u8).flat_map(|number| vec![number; piece]).collect();
        assert_eq!(sent.concat(), expected, "the pieces read before streaming are sent first, once");
        assert!(service.kept_answer("results.csv", 7, None).is_none(), "nothing so long is kept");
        // An error in the first pieces is the request's error, not a cut stream.
        let failing = futures_util::stream::once(async { Err(ServiceError::NotFound("gone".into())) });
        let refused = service.download("results.csv".into(), 7, Freshness::Live, failing).await;
        assert!(matches!(refused, Err(ServiceError::NotFound(_))));
    }

    #[tokio::test]
    async fn a_build_dropped_midway_leaves_no_one_waiting() {
        let (service, _dir) = service().await;
        let builds = Arc::new(AtomicUsize::new(0));
        let dropped = ask(&service, &builds, "tasks", 7, "never");
        let waiting = ask(&service, &builds, "tasks", 7, "built");
        tokio::task::yield_now().await;
        dropped.abort();
        let answer = tokio::time::timeout(Duration::from_secs(5), waiting).await.expect("not left waiting");
        assert_eq!(&answer.unwrap().unwrap().body[..], b"\"built\"");
        assert_eq!(builds.load(Ordering::SeqCst), 2);
    }
}
