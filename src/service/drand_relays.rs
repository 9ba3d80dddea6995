//! Fetching a committed drand round from relays (PROTOCOL.md §3.6), for a
//! server configured with `--drand-url`. What a relay answers is only a
//! candidate: the round is checked against the committed chain, round and
//! public key exactly as a pasted one, so a wrong or lying relay can delay
//! a draw but never change it.

use std::time::Duration;

use super::lifecycle::DrandRoundInput;
use crate::protocol::Digest;

/// How long one relay may take to answer.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// A relay's answer is a few hundred bytes; more is not a round.
const MAX_ANSWER: usize = 4096;

#[derive(Debug)]
pub struct DrandRelays {
    urls: Vec<String>,
    client: reqwest::Client,
    /// Whether the server draws a task by itself when its round is due
    /// (on unless `--no-auto-drand-draw`); the console says so.
    automatic: bool,
}

impl super::Service {
    /// Lets `draw` fetch a committed drand round from these relays.
    pub fn with_drand_relays(mut self, relays: DrandRelays) -> Self {
        self.drand_relays = Some(std::sync::Arc::new(relays));
        self
    }
}

impl DrandRelays {
    /// Relays by base address (`http://127.0.0.1:8081`), asked in order.
    /// The server's HTTP client has no TLS: an HTTPS relay such as
    /// `https://api.drand.sh` is reached through a local proxy.
    pub fn new(urls: &[String]) -> Result<Self, String> {
        let mut checked = Vec::new();
        for url in urls {
            let trimmed = url.trim_end_matches('/');
            if !trimmed.starts_with("http://") || trimmed.len() > 2048 {
                return Err(format!(
                    "--drand-url {url}: not an http:// address (the server's HTTP client has no TLS; reach an https:// relay through a local proxy)"
                ));
            }
            checked.push(trimmed.to_owned());
        }
        if checked.is_empty() {
            return Err("--drand-url: no relay given".into());
        }
        let client = reqwest::Client::builder().timeout(FETCH_TIMEOUT).build().map_err(|e| e.to_string())?;
        Ok(Self { urls: checked, client, automatic: true })
    }

    /// Marks whether the server draws due drand tasks by itself.
    pub fn drawing_automatically(mut self, automatic: bool) -> Self {
        self.automatic = automatic;
        self
    }

    pub fn automatic(&self) -> bool {
        self.automatic
    }

    pub fn len(&self) -> usize {
        self.urls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.urls.is_empty()
    }

    /// Each relay's answer for `round` of `chain`, in order, as a round to
    /// check or the reason it is none.
    pub async fn candidates(
        &self,
        chain: &Digest,
        round: u64,
    ) -> Vec<(String, Result<DrandRoundInput, String>)> {
        let mut answers = Vec::new();
        for base in &self.urls {
            let url = format!("{base}/{chain}/public/{round}");
            answers.push((base.clone(), self.fetch(&url).await));
        }
        answers
    }

    async fn fetch(&self, url: &str) -> Result<DrandRoundInput, String> {
        let response = self.client.get(url).send().await.map_err(|e| format!("no answer: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("answered {}", response.status()));
        }
        let body = response.bytes().await.map_err(|e| format!("the answer broke off: {e}"))?;
        if body.len() > MAX_ANSWER {
            return Err(format!("answered {} bytes, more than a round", body.len()));
        }
        let value: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| format!("answered something other than JSON: {e}"))?;
        let round = value["round"].as_u64().ok_or("the answer has no round number")?;
        let signature = value["signature"].as_str().ok_or("the answer has no signature")?.to_owned();
        let randomness = value["randomness"].as_str().map(str::to_owned);
        Ok(DrandRoundInput { round, signature, randomness, chain: None, previous_signature: None })
    }
}
