//! Publication events pushed to other systems' webhooks (`serve
//! --exchange-webhook URL`, repeatable). Each publication and correction
//! writes one outbox row per webhook in its own transaction, so an event
//! exists exactly when its publication committed; a background worker
//! POSTs the rows and never holds a publication up.
//!
//! Delivery is at least once: an event is sent until a receiver answers
//! 2xx, with the same `event_id` (header `Opendraw-Event-Id` and in the
//! body) at every attempt, so the receiver keeps the first and ignores
//! repeats. Failed attempts are tried again after an exponential backoff
//! (doubling from `Backoff::first`, at most `Backoff::longest`, each wait
//! jittered between half and all of it so that many rows failing together
//! spread out), until `Backoff::attempts` are used up; then the row is
//! marked failed and shown to admins.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use serde::Serialize;
use utoipa::ToSchema;

use super::{ExchangeRecord, SCHEMA_VERSION, inspection_direction, signature};
use crate::domain::account::{Role, User};
use crate::service::results::PublishedRecord;
use crate::service::tasks::definition_of;
use crate::service::{Service, ServiceResult, os_random, require};
use crate::storage::exchange::{self, ClaimedEvent, NewEvent};
use crate::storage::tasks::TaskRow;
use crate::storage::{WriteTx, time_text};

/// The header carrying the event's idempotency id.
pub const EVENT_ID_HEADER: &str = "Opendraw-Event-Id";
/// The header carrying the event's kind (`result.published`, `result.corrected`).
pub const EVENT_HEADER: &str = "Opendraw-Event";

/// How long a POST may take before it counts as failed.
const POST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a claimed row stays with its worker: past the POST's timeout,
/// so that a live worker always finishes first.
const LEASE: TimeDelta = TimeDelta::seconds(120);
/// Rows claimed at a time.
const CLAIM: i64 = 20;

/// When a failed delivery is tried again, and how often at most.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first: Duration,
    pub longest: Duration,
    pub attempts: i64,
}

impl Default for Backoff {
    /// From 5 s, doubling, at most an hour apart, 30 attempts: about a day
    /// of trying before a row is marked failed.
    fn default() -> Self {
        Backoff { first: Duration::from_secs(5), longest: Duration::from_secs(3600), attempts: 30 }
    }
}

impl Backoff {
    /// The wait after the `attempt`th failure, jittered by `random` (0 to 1).
    pub fn wait(&self, attempt: i64, random: f64) -> Duration {
        let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let full = self.first.saturating_mul(2u32.saturating_pow(doublings)).min(self.longest);
        full.mul_f64(0.5 + random.clamp(0.0, 1.0) / 2.0)
    }
}

/// Where the events go, and how they are signed.
#[derive(Debug, Clone)]
pub struct ExchangeWebhooks {
    destinations: Vec<String>,
    secret: Option<Vec<u8>>,
    backoff: Backoff,
    client: reqwest::Client,
}

impl ExchangeWebhooks {
    /// Webhooks to these plain `http://` addresses (the server's HTTP
    /// client has no TLS; send through a local relay for HTTPS), signed
    /// with `secret` when one is given.
    pub fn new(destinations: &[String], secret: Option<&str>) -> Result<Self, String> {
        if destinations.is_empty() {
            return Err("an exchange needs at least one --exchange-webhook".into());
        }
        if let Some(url) = destinations.iter().find(|url| !url.starts_with("http://")) {
            return Err(format!(
                "the exchange webhook '{url}' must be an http:// address (the server sends no TLS of its own)"
            ));
        }
        if secret.is_some_and(str::is_empty) {
            return Err("the exchange secret is empty: give one, or none to send unsigned events".into());
        }
        let client = reqwest::Client::builder().timeout(POST_TIMEOUT).build().map_err(|e| e.to_string())?;
        let mut destinations = destinations.to_vec();
        destinations.dedup();
        Ok(ExchangeWebhooks {
            destinations,
            secret: secret.map(|s| s.as_bytes().to_vec()),
            backoff: Backoff::default(),
            client,
        })
    }

    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    pub fn destinations(&self) -> &[String] {
        &self.destinations
    }
}

/// What a webhook receives: the event and the record it publishes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExchangeEvent {
    pub schema_version: &'static str,
    /// The idempotency id: the same at every attempt of this event.
    pub event_id: String,
    /// `result.published` or `result.corrected`.
    pub event: String,
    /// When the publication committed (RFC 3339, UTC).
    pub occurred_at: String,
    pub record: ExchangeRecord,
}

/// The outbox as admins see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboxState {
    /// The webhooks this server delivers to.
    pub webhooks: Vec<String>,
    /// Events not yet delivered and still being tried.
    pub pending: i64,
    /// Pending events whose last attempt failed.
    pub retrying: i64,
    /// Events whose attempts are used up; no longer tried.
    pub failed: i64,
    pub delivered: i64,
    pub oldest_pending: Option<String>,
    /// The error of the most recent failed attempt among undelivered events.
    pub last_error: Option<String>,
    /// The oldest undelivered events (at most 100), failed ones included.
    pub undelivered: Vec<UndeliveredEvent>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UndeliveredEvent {
    pub event_id: String,
    pub event: String,
    pub webhook: String,
    pub created_at: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_attempt_at: Option<String>,
    pub last_error: Option<String>,
    /// Set once the attempts are used up.
    pub failed_at: Option<String>,
}

/// The idempotency id of a publication event: stable, since a result's
/// reference is published once.
fn event_id(kind: &str, reference: &str) -> String {
    format!("{kind}:{reference}")
}

impl Service {
    pub fn with_exchange(mut self, webhooks: ExchangeWebhooks) -> Self {
        self.exchange = Some(Arc::new(webhooks));
        self
    }

    /// Puts the publication event of `record` in the outbox, one row per
    /// webhook, inside the publishing transaction; nothing without webhooks.
    pub(crate) async fn enqueue_exchange(
        &self,
        tx: &mut WriteTx,
        kind: &str,
        record: &PublishedRecord,
        task: &TaskRow,
    ) -> ServiceResult<()> {
        let Some(webhooks) = &self.exchange else {
            return Ok(());
        };
        let direction = inspection_direction(&definition_of(task)?);
        let event = ExchangeEvent {
            schema_version: SCHEMA_VERSION,
            event_id: event_id(kind, &record.reference),
            event: kind.to_owned(),
            occurred_at: record.published_at.clone(),
            record: ExchangeRecord::of(record, direction, None),
        };
        let body = serde_json::to_string(&event).expect("events serialise");
        let at = time_text(self.now());
        for destination in &webhooks.destinations {
            let row = NewEvent { event_id: &event.event_id, kind, destination, body: &body, at: &at };
            exchange::insert(tx.conn(), &row).await?;
        }
        Ok(())
    }

    /// One round of delivery: claims the due rows (up to a batch), POSTs
    /// them at once, and records each outcome; how many were claimed.
    pub async fn deliver_exchange_events(&self) -> ServiceResult<usize> {
        let Some(webhooks) = self.exchange.clone() else {
            return Ok(0);
        };
        let now = self.now();
        let mut tx = self.store().write().await?;
        let claimed = exchange::claim(&mut tx, &time_text(now), &time_text(now + LEASE), CLAIM).await?;
        tx.commit().await?;
        let sent = claimed.iter().map(|row| webhooks.post(row));
        let outcomes = futures_util::future::join_all(sent).await;
        for (row, outcome) in claimed.iter().zip(outcomes) {
            self.record_attempt(&webhooks.backoff, row, outcome).await?;
        }
        Ok(claimed.len())
    }

    async fn record_attempt(
        &self,
        backoff: &Backoff,
        row: &ClaimedEvent,
        outcome: Result<(), String>,
    ) -> ServiceResult<()> {
        let now = self.now();
        let mut tx = self.store().write().await?;
        match outcome {
            Ok(()) => {
                tracing::info!(event = %row.event_id, url = %row.destination, "exchange event delivered");
                exchange::delivered(tx.conn(), row.id, &time_text(now)).await?;
            }
            Err(error) => {
                let random = f64::from(u32::from_le_bytes(os_random::<4>()?)) / f64::from(u32::MAX);
                let next = now + TimeDelta::from_std(backoff.wait(row.attempts, random)).unwrap_or(LEASE);
                let given_up = (row.attempts >= backoff.attempts).then(|| time_text(now));
                tracing::warn!(
                    event = %row.event_id, url = %row.destination, attempts = row.attempts, %error,
                    "an exchange event was not delivered; {}",
                    if given_up.is_some() { "its attempts are used up" } else { "trying again later" }
                );
                exchange::attempt_failed(tx.conn(), row.id, &error, &time_text(next), given_up.as_deref())
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Delivers due events every `every`, for ever; at once again while
    /// full batches come.
    pub async fn run_exchange_outbox(self, every: Duration) {
        loop {
            match self.deliver_exchange_events().await {
                Ok(claimed) if claimed as i64 == CLAIM => continue,
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "the exchange outbox could not be read; trying again later")
                }
            }
            tokio::time::sleep(every).await;
        }
    }

    /// The outbox's state (admins only).
    pub async fn exchange_outbox(&self, by: &User) -> ServiceResult<OutboxState> {
        require(by, Role::Admin)?;
        let pool = self.store().pool();
        let counts = exchange::counts(pool).await?;
        let rows = exchange::undelivered(pool, 100).await?;
        let last_error = rows
            .iter()
            .filter(|row| row.last_error.is_some())
            .max_by(|a, b| a.last_attempt_at.cmp(&b.last_attempt_at))
            .and_then(|row| row.last_error.clone());
        Ok(OutboxState {
            webhooks: self.exchange.as_ref().map(|w| w.destinations.clone()).unwrap_or_default(),
            pending: counts.pending,
            retrying: counts.retrying,
            failed: counts.failed,
            delivered: counts.delivered,
            oldest_pending: counts.oldest_pending,
            last_error,
            undelivered: rows
                .into_iter()
                .map(|row| UndeliveredEvent {
                    event_id: row.event_id,
                    event: row.kind,
                    webhook: row.destination,
                    created_at: row.created_at,
                    attempts: row.attempts,
                    next_attempt_at: row.next_attempt_at,
                    last_attempt_at: row.last_attempt_at,
                    last_error: row.last_error,
                    failed_at: row.failed_at,
                })
                .collect(),
        })
    }
}

impl ExchangeWebhooks {
    /// POSTs a claimed row; a 2xx answer is delivery, anything else an error.
    async fn post(&self, row: &ClaimedEvent) -> Result<(), String> {
        let mut request = self
            .client
            .post(&row.destination)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(EVENT_ID_HEADER, &row.event_id)
            .header(EVENT_HEADER, &row.kind);
        if let Some(secret) = &self.secret {
            request = request.header(signature::HEADER, signature::sign(secret, row.body.as_bytes()));
        }
        let response = request.body(row.body.clone()).send().await.map_err(|error| describe(&error))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        Err(format!("the receiver answered {status}"))
    }
}

/// A failed request in words, with its cause (connection refused, timed
/// out), which reqwest's own message leaves out.
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The pending counts for the metrics.
pub(crate) async fn counts(service: &Service) -> ServiceResult<(i64, i64)> {
    let counts = exchange::counts(service.store().pool()).await?;
    Ok((counts.pending, counts.failed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_is_bounded_and_jittered() {
        let backoff =
            Backoff { first: Duration::from_secs(5), longest: Duration::from_secs(3600), attempts: 30 };
        assert_eq!(backoff.wait(1, 1.0), Duration::from_secs(5));
        assert_eq!(backoff.wait(2, 1.0), Duration::from_secs(10));
        assert_eq!(backoff.wait(3, 0.0), Duration::from_secs(10));
        assert_eq!(backoff.wait(20, 1.0), Duration::from_secs(3600));
        assert_eq!(backoff.wait(1000, 0.0), Duration::from_secs(1800));
    }

    #[test]
    fn webhooks_are_plain_http_and_a_secret_is_not_empty() {
        let urls = |list: &[&str]| list.iter().map(|u| u.to_string()).collect::<Vec<_>>();
        assert!(
            ExchangeWebhooks::new(&urls(&["https://x.example/hook"]), None).unwrap_err().contains("http://")
        );
        assert!(ExchangeWebhooks::new(&[], None).is_err());
        assert!(ExchangeWebhooks::new(&urls(&["http://127.0.0.1:9/hook"]), Some("")).is_err());
        assert!(ExchangeWebhooks::new(&urls(&["http://127.0.0.1:9/hook"]), Some("s")).is_ok());
    }
}
