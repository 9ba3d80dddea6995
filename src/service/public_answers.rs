//! Public answers kept in memory, ready to send. An answer is built from the
//! database once and served again while the log stamp it was built at is
//! still the current one: every change anyone may see appends a log entry in
//! the same transaction, on whichever server made it, so one indexed read
//! per request (the head of the log, or a task's last entry) tells whether
//! the answer still holds.
//!
//! Each answer carries an entity tag and how long a shared cache (a CDN in
//! front of several servers) may keep it, so what is settled is served
//! without reaching any server at all.

use std::collections::HashMap;
use std::future::Future;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::{Service, ServiceResult};

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

impl Service {
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
