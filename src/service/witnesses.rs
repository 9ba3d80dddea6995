//! Asking witnesses to cosign the log's checkpoints (C2SP tlog-witness).
//!
//! Each witness is asked for the newest checkpoint with a consistency
//! proof from the last one it cosigned for this log; its cosignature, once
//! it checks with the witness's key, is kept and served with the checkpoint.
//! A cosignature carries the witness's time: a checkpoint cosigned before a
//! drand round's time proves that the entries it holds (a commitment) were
//! fixed before the round's randomness existed (PROTOCOL.md §15.5).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::DateTime;
use signed_note::{Note, Verifier as _};

use super::{Service, ServiceResult};
use crate::protocol::cosignature::{self, CosignatureVerifier};
use crate::storage::tlog;
use crate::witness::client::{self, WitnessError};

/// How long to wait for a witness's answer.
const ASK_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest wait between two requests to a witness that failed.
const LONGEST_BACKOFF: Duration = Duration::from_secs(300);

/// The witnesses a server asks, each by its verifier key and address.
pub struct Witnesses {
    list: Vec<Witness>,
    http: reqwest::Client,
}

struct Witness {
    url: String,
    verifier: CosignatureVerifier,
    /// When it may be asked again after a failure, and the wait after the next.
    backoff: Mutex<(Option<Instant>, Duration)>,
}

impl Witnesses {
    /// From `VKEY@URL` each: the witness's verifier key (`name+id+base64`,
    /// which never holds an '@') and its http:// address.
    pub fn new(specs: &[String]) -> Result<Self, String> {
        let mut list = Vec::new();
        for spec in specs {
            let Some((vkey, url)) = spec.split_once('@') else {
                return Err(format!(
                    "--witness {spec}: not VKEY@URL (the witness's verifier key, '@', its address)"
                ));
            };
            let verifier = CosignatureVerifier::from_verifier_key(vkey)
                .map_err(|error| format!("--witness {spec}: the verifier key: {error}"))?;
            if !url.starts_with("http://") || url.len() > 2048 {
                return Err(format!(
                    "--witness {spec}: not an http:// address (the server's HTTP client has no TLS; reach an https:// witness through a local proxy)"
                ));
            }
            list.push(Witness {
                url: url.trim_end_matches('/').to_owned(),
                verifier,
                backoff: Mutex::new((None, Duration::from_secs(1))),
            });
        }
        let http = reqwest::Client::builder().timeout(ASK_TIMEOUT).build().map_err(|e| e.to_string())?;
        Ok(Self { list, http })
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

impl Witness {
    fn name(&self) -> &str {
        self.verifier.name()
    }

    fn due(&self) -> bool {
        let (retry_at, _) = *self.backoff.lock().expect("backoff lock");
        retry_at.is_none_or(|at| Instant::now() >= at)
    }

    fn failed(&self) {
        let mut backoff = self.backoff.lock().expect("backoff lock");
        let wait = backoff.1;
        *backoff = (Some(Instant::now() + wait), (wait * 2).min(LONGEST_BACKOFF));
    }

    fn answered(&self) {
        *self.backoff.lock().expect("backoff lock") = (None, Duration::from_secs(1));
    }
}

/// A witness as the public may read it.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct WitnessView {
    pub name: String,
    /// Its verifier key, `name+id+base64` (type 0x04, C2SP tlog-cosignature).
    pub verifier_key: String,
}

impl Service {
    /// The witnesses asked, in the order configured.
    pub fn witness_views(&self) -> Vec<WitnessView> {
        let Some(witnesses) = &self.witnesses else { return Vec::new() };
        witnesses
            .list
            .iter()
            .map(|witness| WitnessView {
                name: witness.name().to_owned(),
                verifier_key: witness.verifier.verifier_key(),
            })
            .collect()
    }

    /// This service asking these witnesses to cosign its checkpoints.
    pub fn with_witnesses(mut self, witnesses: Witnesses) -> Self {
        self.witnesses = Some(std::sync::Arc::new(witnesses));
        self
    }

    /// Asks each witness that has not cosigned the newest checkpoint to
    /// cosign it (a witness that failed waits out its backoff first).
    pub async fn ask_witnesses(&self) -> ServiceResult<()> {
        let Some(witnesses) = self.witnesses.clone() else { return Ok(()) };
        for witness in witnesses.list.iter().filter(|witness| witness.due()) {
            match self.ask_witness(&witnesses.http, witness).await {
                Ok(()) => witness.answered(),
                Err(problem) => {
                    witness.failed();
                    tracing::warn!(witness = witness.name(), url = %witness.url, "no cosignature: {problem}");
                }
            }
        }
        Ok(())
    }

    async fn ask_witness(&self, http: &reqwest::Client, witness: &Witness) -> Result<(), String> {
        let pool = self.store().pool();
        let Some(newest) = tlog::newest(pool).await.map_err(|e| e.to_string())? else { return Ok(()) };
        let size = newest.size as u64;
        let mut old = tlog::newest_cosigned_by(pool, witness.name()).await.map_err(|e| e.to_string())? as u64;
        if old >= size {
            return Ok(());
        }
        // A witness that holds another size than we recorded (another
        // server asked it, or it was moved on) says which: ask once more
        // from there.
        for _ in 0..2 {
            let proof = match old {
                0 => Vec::new(),
                old => tlog::consistency(pool, old, size).await.map_err(|e| e.to_string())?,
            };
            match client::add_checkpoint(http, &witness.url, old, &proof, newest.note.as_bytes()).await {
                Ok(signatures) => {
                    let note = Note::from_bytes(newest.note.as_bytes()).map_err(|e| e.to_string())?;
                    let valid = signatures.iter().find(|signature| {
                        signature.name() == witness.name()
                            && signature.id() == witness.verifier.key_id()
                            && witness.verifier.verify(note.text(), signature.signature())
                    });
                    let Some(signature) = valid else {
                        return Err("its answer holds no cosignature its key checks".into());
                    };
                    let timestamp = cosignature::timestamp_of(signature).map_err(|e| e.to_string())?;
                    let at = DateTime::from_timestamp(timestamp as i64, 0)
                        .ok_or_else(|| format!("a cosignature time out of range: {timestamp}"))?;
                    let line = String::from_utf8_lossy(&signature.to_bytes()).trim_end().to_owned();
                    tlog::add_cosignature(pool, newest.size, witness.name(), &line, at)
                        .await
                        .map_err(|e| e.to_string())?;
                    self.forget_answer(super::tlog::CHECKPOINT_QUESTION);
                    tracing::info!(witness = witness.name(), size, "the witness cosigned the checkpoint");
                    return Ok(());
                }
                Err(WitnessError::Conflict(held)) if held != old && held <= size => old = held,
                Err(error) => return Err(error.to_string()),
            }
        }
        Err("it disagreed twice about the size it holds".into())
    }
}
