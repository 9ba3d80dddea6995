//! The witness's HTTP interface (C2SP tlog-witness): `POST /add-checkpoint`
//! cosigns a log's checkpoint that is consistent with the last one the
//! witness cosigned for that log; `GET /<sha256 of origin>/checkpoint`
//! shows monitors that last checkpoint with its cosignature.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use signed_note::{Note, Signature, Signer as _, StandardVerifier, Verifier, VerifierList};
use tlog_tiles::{Checkpoint, EMPTY_HASH};
use tokio::sync::Mutex;

use super::key::WitnessKey;
use super::request::{self, AddCheckpoint};
use super::state::{self, Latest};
use crate::protocol::cosignature::Cosigner;

/// A request is a checkpoint, its signatures and at most 63 hashes: 128 KiB
/// leaves room for the 16 signatures a note must be allowed, even
/// post-quantum ones of a few kilobytes each.
pub const MAX_BODY: usize = 128 * 1024;

const TEXT: &str = "text/plain; charset=utf-8";
/// The witness protocol's type for a 409 answer: the size it holds.
const TLOG_SIZE: &str = "text/x.tlog.size";

/// A witness: its key, its state directory and the logs it follows.
pub struct Witness {
    key: WitnessKey,
    state: PathBuf,
    logs: HashMap<String, FollowedLog>,
}

/// A log the witness was started with: its keys and, behind a lock held
/// from the size check to the stored state, the last checkpoint cosigned.
struct FollowedLog {
    keys: Vec<StandardVerifier>,
    latest: Mutex<Option<Latest>>,
}

/// Why a checkpoint was not cosigned: each a status of the witness protocol.
#[derive(Debug)]
pub enum Refusal {
    /// 400: the body is no request, or the old size exceeds the checkpoint's.
    BadRequest(String),
    /// 404: the origin is none of the logs the witness follows.
    UnknownLog(String),
    /// 403: no valid signature of the log's keys, or a bad one.
    NotSigned(String),
    /// 409: the old size is not the size last cosigned, which is given.
    Conflict(u64),
    /// 422: the checkpoint is not consistent with the one last cosigned.
    Inconsistent(String),
    /// 500: the state could not be kept; nothing was cosigned.
    Failed(String),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, text) = match self {
            Self::Conflict(size) => {
                return (StatusCode::CONFLICT, [(header::CONTENT_TYPE, TLOG_SIZE)], format!("{size}\n"))
                    .into_response();
            }
            Self::BadRequest(text) => (StatusCode::BAD_REQUEST, text),
            Self::UnknownLog(origin) => {
                (StatusCode::NOT_FOUND, format!("this witness follows no log {origin:?}"))
            }
            Self::NotSigned(text) => (StatusCode::FORBIDDEN, text),
            Self::Inconsistent(text) => (StatusCode::UNPROCESSABLE_ENTITY, text),
            Self::Failed(text) => (StatusCode::INTERNAL_SERVER_ERROR, text),
        };
        (status, [(header::CONTENT_TYPE, TEXT)], format!("{text}\n")).into_response()
    }
}

impl Witness {
    /// A witness of the logs whose signed-note verifier keys are given
    /// (`origin+id+base64`: the key name is the log's origin), with its
    /// last cosigned checkpoints read from `state`.
    pub fn open(key: WitnessKey, state: PathBuf, log_keys: &[String]) -> anyhow::Result<Self> {
        let mut keys: HashMap<String, Vec<StandardVerifier>> = HashMap::new();
        for vkey in log_keys {
            let verifier = StandardVerifier::new(vkey).map_err(|e| {
                anyhow::anyhow!(
                    "--log {vkey}: {e} (expected origin+<8 hex>+<base64 of 0x01 and an Ed25519 key>)"
                )
            })?;
            keys.entry(verifier.name().to_owned()).or_default().push(verifier);
        }
        let mut logs = HashMap::new();
        for (origin, keys) in keys {
            let latest = state::load(&state, &origin)?;
            logs.insert(origin, FollowedLog { keys, latest: Mutex::new(latest) });
        }
        Ok(Self { key, state, logs })
    }

    pub fn verifier_key(&self) -> String {
        self.key.verifier_key()
    }

    pub fn origins(&self) -> impl Iterator<Item = &str> {
        self.logs.keys().map(String::as_str)
    }

    /// Checks and cosigns the checkpoint of an add-checkpoint body; answers
    /// the cosignature line once the checkpoint is stored as the latest.
    pub async fn add_checkpoint(&self, body: &[u8]) -> Result<String, Refusal> {
        let request = request::parse(body).map_err(Refusal::BadRequest)?;
        let note = Note::from_bytes(request.checkpoint)
            .map_err(|e| Refusal::BadRequest(format!("the checkpoint is not a signed note: {e}")))?;
        let checkpoint = Checkpoint::from_bytes(note.text()).map_err(|_| {
            Refusal::BadRequest("the note is not a checkpoint (origin, size, base64 root hash)".into())
        })?;
        let origin = checkpoint.origin();
        let log = self.logs.get(origin).ok_or_else(|| Refusal::UnknownLog(origin.to_owned()))?;
        let verifiers: Vec<Box<dyn Verifier>> =
            log.keys.iter().map(|key| Box::new(key.clone()) as Box<dyn Verifier>).collect();
        let (log_signatures, _others) = note.verify(&VerifierList::new(verifiers)).map_err(|e| {
            Refusal::NotSigned(format!("the checkpoint has no valid signature of {origin}: {e}"))
        })?;
        if request.old > checkpoint.size() {
            return Err(Refusal::BadRequest(format!(
                "old size {} is larger than the checkpoint's size {}",
                request.old,
                checkpoint.size()
            )));
        }

        // From here to the stored state, one request per log at a time:
        // two requests checked against the same old size must not both
        // be answered, or the smaller would roll the witness back.
        let mut latest = log.latest.lock().await;
        let held = latest.as_ref().map_or(0, |latest| latest.size);
        if request.old != held {
            return Err(Refusal::Conflict(held));
        }
        if let Err(reason) = consistent(latest.as_ref(), &request, &checkpoint) {
            tracing::warn!(
                origin,
                old = request.old,
                size = checkpoint.size(),
                "refused a validly signed checkpoint not consistent with the last one cosigned ({reason}): {}",
                String::from_utf8_lossy(request.checkpoint)
            );
            return Err(Refusal::Inconsistent(reason));
        }

        let cosigner = Cosigner::new(&self.key.name, self.key.key.clone(), now())
            .map_err(|e| Refusal::Failed(format!("cannot cosign: {e}")))?;
        let bytes = cosigner.sign(note.text()).map_err(|e| Refusal::Failed(format!("cannot cosign: {e}")))?;
        let cosignature = Signature::new(self.key.name.clone(), cosigner.key_id(), bytes)
            .map_err(|e| Refusal::Failed(format!("cannot cosign: {e}")))?;
        let mut signatures = log_signatures;
        signatures.push(cosignature.clone());
        let kept = Note::new(note.text(), &signatures)
            .map_err(|e| Refusal::Failed(format!("cannot cosign: {e}")))?
            .to_bytes();

        let (dir, name, file) = (self.state.clone(), origin.to_owned(), kept.clone());
        tokio::task::spawn_blocking(move || state::store(&dir, &name, &file))
            .await
            .map_err(|e| Refusal::Failed(format!("the state was not stored: {e}")))?
            .map_err(|e| {
                tracing::error!(origin, error = %e, "the state was not stored; nothing was cosigned");
                Refusal::Failed(format!("the state was not stored: {e}"))
            })?;
        *latest = Some(Latest { size: checkpoint.size(), hash: *checkpoint.hash(), note: kept });
        tracing::info!(origin, size = checkpoint.size(), old = request.old, "cosigned");
        Ok(String::from_utf8(cosignature.to_bytes()).expect("a signature line is UTF-8"))
    }

    /// The last checkpoint cosigned for the log whose origin hashes to
    /// `origin_hash`, with the log's signatures and the cosignature.
    pub async fn latest(&self, origin_hash: &str) -> Option<Vec<u8>> {
        for (origin, log) in &self.logs {
            if state::origin_hash(origin) == origin_hash {
                return log.latest.lock().await.as_ref().map(|latest| latest.note.clone());
            }
        }
        None
    }
}

/// The witness protocol's consistency rules, against the state `latest`
/// whose size equals the request's old size.
fn consistent(
    latest: Option<&Latest>,
    request: &AddCheckpoint<'_>,
    checkpoint: &Checkpoint,
) -> Result<(), String> {
    if checkpoint.size() == 0 && *checkpoint.hash() != EMPTY_HASH {
        return Err("a checkpoint of size 0 must have the empty tree's root hash".into());
    }
    let Some(latest) = latest.filter(|latest| latest.size > 0) else {
        // From the empty tree, which every tree extends: no proof.
        return if request.proof.is_empty() {
            Ok(())
        } else {
            Err("old size 0 takes no consistency proof".into())
        };
    };
    tlog_tiles::check_tree(&request.proof, checkpoint.size(), *checkpoint.hash(), latest.size, latest.hash)
        .map_err(|_| {
            format!(
                "the consistency proof does not prove that the tree of size {} extends the one of size {} cosigned before",
                checkpoint.size(),
                latest.size
            )
        })
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs())
}

pub fn router(witness: Arc<Witness>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .route("/{origin_hash}/checkpoint", get(latest_checkpoint))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(witness)
}

async fn add_checkpoint(State(witness): State<Arc<Witness>>, body: Bytes) -> Response {
    match witness.add_checkpoint(&body).await {
        Ok(lines) => ([(header::CONTENT_TYPE, TEXT)], lines).into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

async fn latest_checkpoint(State(witness): State<Arc<Witness>>, Path(origin_hash): Path<String>) -> Response {
    match witness.latest(&origin_hash).await {
        Some(note) => ([(header::CONTENT_TYPE, TEXT)], note).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, TEXT)],
            "no checkpoint of this log was cosigned\n",
        )
            .into_response(),
    }
}
