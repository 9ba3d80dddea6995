//! Asking a witness to cosign a checkpoint (C2SP tlog-witness,
//! add-checkpoint), as a log does after signing a new checkpoint.
//!
//! The answer's signature lines are returned unchecked: the caller keeps
//! those that verify with the witness keys it trusts (for example with
//! [`crate::protocol::cosignature::CosignatureVerifier`]) and ignores the
//! rest, as the protocol asks.

use signed_note::Signature;
use tlog_tiles::Hash;

use super::request::decimal;

/// A witness's answer is a few signature lines; more is not an answer.
const MAX_ANSWER: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    /// The witness last cosigned a checkpoint of this size: ask again from
    /// it, with a consistency proof from that size.
    #[error("the witness holds the log at size {0}")]
    Conflict(u64),
    /// The witness refused the checkpoint (404 unknown log, 403 signature,
    /// 400 request, 422 not consistent, …), saying why.
    #[error("the witness refused the checkpoint ({status}): {text}")]
    Refused { status: u16, text: String },
    /// No answer, or not a witness's answer.
    #[error("the witness could not be reached: {0}")]
    Unreachable(String),
}

/// Submits `signed_checkpoint` with the consistency proof from `old_size`
/// to the witness whose submission prefix is `url` (the request goes to
/// `<url>/add-checkpoint`); the cosignature lines it answers.
pub async fn add_checkpoint(
    http: &reqwest::Client,
    url: &str,
    old_size: u64,
    proof: &[Hash],
    signed_checkpoint: &[u8],
) -> Result<Vec<Signature>, WitnessError> {
    let mut body = format!("old {old_size}\n").into_bytes();
    for hash in proof {
        body.extend_from_slice(format!("{hash}\n").as_bytes());
    }
    body.push(b'\n');
    body.extend_from_slice(signed_checkpoint);
    let endpoint = format!("{}/add-checkpoint", url.trim_end_matches('/'));
    let response = http
        .post(&endpoint)
        .body(body)
        .send()
        .await
        .map_err(|e| WitnessError::Unreachable(format!("{endpoint}: {e}")))?;
    let status = response.status();
    let is_size = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/x.tlog.size"));
    let bytes = response.bytes().await.map_err(|e| WitnessError::Unreachable(format!("{endpoint}: {e}")))?;
    if bytes.len() > MAX_ANSWER {
        return Err(WitnessError::Unreachable(format!("{endpoint} answered {} bytes", bytes.len())));
    }
    let text = String::from_utf8_lossy(&bytes);
    if status == reqwest::StatusCode::CONFLICT && is_size {
        let size = text.strip_suffix('\n').and_then(decimal);
        return Err(size.map(WitnessError::Conflict).unwrap_or_else(|| {
            WitnessError::Unreachable(format!("{endpoint} answered 409 without a size: {text:?}"))
        }));
    }
    if !status.is_success() {
        return Err(WitnessError::Refused { status: status.as_u16(), text: text.trim_end().to_owned() });
    }
    let lines = text.strip_suffix('\n').unwrap_or(&text);
    let signatures: Result<Vec<Signature>, _> =
        lines.split('\n').map(|line| Signature::from_bytes(line.as_bytes())).collect();
    match signatures {
        Ok(signatures) if !signatures.is_empty() => Ok(signatures),
        _ => Err(WitnessError::Unreachable(format!(
            "{endpoint} answered 200 without signature lines: {text:?}"
        ))),
    }
}
