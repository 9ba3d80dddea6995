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
//! Each answer carries an entity tag and how long a shared cache (a CDN in
//! front of several servers) may keep it, so what is settled is served
//! without reaching any server at all.

use std::collections::HashMap;
use std::future::Future;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

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

/// A public answer: its JSON body, its entity tag, and how long it keeps.
#[derive(Debug, Clone)]
pub struct PublicAnswer {
    pub body: Bytes,
    /// A strong entity tag, quoted, as sent in `ETag`.
    pub etag: String,
    pub freshness: Freshness,
}

impl PublicAnswer {
    pub fn json(view: &impl Serialize, freshness: Freshness) -> Self {
        let body = Bytes::from(serde_json::to_vec(view).expect("views serialise"));
        let etag = tag_of(&body);
        PublicAnswer { body, etag, freshness }
    }
}

/// A quoted entity tag naming these bytes.
pub fn tag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..12].iter().map(|byte| format!("{byte:02x}")).collect();
    format!("\"{hex}\"")
}

/// Answers cached by what was asked (the route and its parsed query).
#[derive(Default)]
pub struct AnswerCache {
    answers: RwLock<Answers>,
    head: SharedHead,
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
        {
            let answers = self.answers.answers.read().expect("answer cache lock");
            if let Some(kept) = answers.by_question.get(&question)
                && kept.stamp == stamp
                && max_age.is_none_or(|age| kept.built.elapsed() < age)
            {
                return Ok(kept.answer.clone());
            }
        }
        let answer = build.await?;
        let mut answers = self.answers.answers.write().expect("answer cache lock");
        if answers.bytes + answer.body.len() > MAX_CACHED_BYTES {
            *answers = Answers::default();
        }
        let size = answer.body.len();
        let kept = Kept { stamp, built: Instant::now(), answer: answer.clone() };
        // A slower request that read an older stamp does not replace a newer answer.
        if answers.by_question.get(&question).is_none_or(|old| old.stamp <= stamp) {
            if let Some(old) = answers.by_question.insert(question, kept) {
                answers.bytes -= old.answer.body.len();
            }
            answers.bytes += size;
        }
        Ok(answer)
    }
}
