//! What the service does, whoever asks — HTTP handlers, the command line,
//! the demo loader: directory imports, the task lifecycle, the public views.
//! Every operation checks the caller's role here, once.

pub mod account_changes;
pub mod accounts;
pub mod assignments;
pub mod audit;
pub mod bundles;
pub mod calendar;
pub mod checklists;
mod committed;
mod csv_export;
pub mod dashboard;
pub mod directories;
pub mod directory_reads;
pub mod drand_draws;
pub mod drand_relays;
pub mod dry_run;
pub mod entity_search;
pub mod exchange;
mod freezing;
pub mod frequency_caps;
pub mod idempotency;
pub mod imports;
pub mod items;
pub mod ledger;
pub mod lifecycle;
pub mod operations;
mod password_hash;
pub mod passwords;
pub mod plans;
pub mod public;
pub mod public_answers;
pub mod public_directories;
pub mod public_log;
pub mod published;
pub mod reminder_webhook;
pub mod replacements;
pub mod results;
pub mod risk_classes;
pub mod selection;
pub mod sessions;
pub mod site;
pub mod statistics;
pub mod tasks;
pub mod tlog;
pub mod witnesses;
pub mod working_rules;

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rand::TryRng;

use crate::domain::account::{Role, User};
use crate::storage::idempotency::Reservation;
use crate::storage::{Store, StoreError};

/// Why an operation was refused. Each becomes an HTTP status and a stable
/// code in the API (see `http::error`).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such thing, or not one the caller may see.
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    /// The request is valid but the state does not allow it (a task already
    /// committed, drawn, ...). Nothing was changed.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The request itself is wrong: a field, a row. Nothing was changed.
    #[error("{message}")]
    Invalid { code: &'static str, field: Option<String>, message: String },
    /// A sign-in or password check failed: the same answer whether the
    /// account exists or not.
    #[error("{message}")]
    BadCredentials { field: Option<String>, message: String },
    /// Too many failed sign-ins for this account: nothing is checked until
    /// the wait is over.
    #[error("too many failed sign-ins for this account; try again later")]
    TooManyAttempts(Duration),
    /// A file refused whole for these rows, the first named by `field` and
    /// the message (`invalid_csv`, `unknown_reference`). Nothing was changed.
    #[error("{message}")]
    RefusedLines {
        code: &'static str,
        field: Option<String>,
        message: String,
        lines: Vec<crate::files::csv_input::DirectoryError>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    pub fn invalid(code: &'static str, field: impl Into<Option<String>>, message: impl Into<String>) -> Self {
        ServiceError::Invalid { code, field: field.into(), message: message.into() }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Conflict { code, message: message.into() }
    }
}

/// The service: storage plus what is kept in memory for public readers.
#[derive(Clone)]
pub struct Service {
    store: Store,
    answers: Arc<public_answers::AnswerCache>,
    /// Held while committed pools are written into the entity index, so
    /// that one run at a time does it (see [`Service::index_pools`]).
    indexing: Arc<tokio::sync::Mutex<()>>,
    clock: Clock,
    /// The request this service acts for once, if it came with an
    /// `Idempotency-Key` (see [`Service::acting_once`]).
    once: Option<Arc<Reservation>>,
    /// The client address the request came from, for the audit trail.
    address: Option<IpAddr>,
    /// Where attachments' bytes are kept when not in the database.
    attachment_dir: Option<Arc<results::AttachmentDir>>,
    /// The ledger's counts of open lines, kept per task.
    ledger_counts: Arc<ledger::KeptCounts>,
    /// The webhooks publication events go to, if any.
    exchange: Option<Arc<exchange::outbox::ExchangeWebhooks>>,
    /// The drand relays a committed round may be fetched from, if any.
    drand_relays: Option<Arc<drand_relays::DrandRelays>>,
    /// The public log's signing key, loaded or made at first use.
    log_key: Arc<tlog::LogKeyCell>,
    /// The witnesses asked to cosign the log's checkpoints, if any.
    witnesses: Option<Arc<witnesses::Witnesses>>,
}

/// Where the service takes today's date from: the system clock (at
/// `OPENDRAW_UTC_OFFSET`), or a day set by whoever holds the clock — how
/// tests see a deadline pass, or an entropy event come, without waiting for it.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<Mutex<Fixed>>>);

/// A fixed clock: the day it shows, and how far its present instant has
/// been moved on beyond that day's shift.
#[derive(Clone, Copy)]
struct Fixed {
    day: NaiveDate,
    ahead: TimeDelta,
}

impl Clock {
    pub fn fixed(day: NaiveDate) -> Self {
        Clock(Some(Arc::new(Mutex::new(Fixed { day, ahead: TimeDelta::zero() }))))
    }

    /// Moves a fixed clock; the system clock cannot be moved.
    pub fn set(&self, day: NaiveDate) {
        if let Some(fixed) = &self.0 {
            fixed.lock().expect("clock lock").day = day;
        }
    }

    /// Moves a fixed clock's present instant on by `by`, its day staying as
    /// set; the system clock cannot be moved.
    pub fn advance(&self, by: Duration) {
        if let Some(fixed) = &self.0 {
            let by = TimeDelta::from_std(by).expect("an advance of a clock fits in a TimeDelta");
            fixed.lock().expect("clock lock").ahead += by;
        }
    }

    /// Moves a fixed clock to the instant `target`, past or future: to its
    /// day, then on to the instant (how tests reach a recorded drand round's
    /// time); the system clock cannot be moved.
    pub fn move_to(&self, target: DateTime<Utc>) {
        if self.0.is_none() {
            return;
        }
        let day = target.date_naive();
        self.set(day);
        if self.now() > target {
            self.set(day - chrono::Days::new(1));
        }
        self.advance((target - self.now()).to_std().expect("a fixed clock set before its target"));
    }

    pub fn today(&self) -> NaiveDate {
        match &self.0 {
            Some(fixed) => fixed.lock().expect("clock lock").day,
            None => crate::domain::calendar::today(),
        }
    }

    /// The present instant. A fixed clock runs with the system clock,
    /// shifted by as many days as its day is from the real today, so that
    /// moving it a day on also moves the time of day an event waits for,
    /// and by what it was advanced.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            Some(fixed) => {
                let Fixed { day, ahead } = *fixed.lock().expect("clock lock");
                Utc::now() + (day - crate::domain::calendar::today()) + ahead
            }
            None => Utc::now(),
        }
    }
}

impl Service {
    pub fn new(store: Store) -> Self {
        Self::with_clock(store, Clock::default())
    }

    pub fn with_clock(store: Store, clock: Clock) -> Self {
        Self {
            store,
            answers: Arc::new(public_answers::AnswerCache::default()),
            indexing: Arc::default(),
            clock,
            once: None,
            address: None,
            attachment_dir: None,
            ledger_counts: Arc::default(),
            exchange: None,
            drand_relays: None,
            log_key: Arc::default(),
            witnesses: None,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Today, where the service works.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The present instant, from the same clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// This service acting for a request from `address`: the audit trail
    /// records it with what the request did.
    pub fn from_address(&self, address: Option<IpAddr>) -> Service {
        Service { address, ..self.clone() }
    }
}

/// Stored data that no longer makes sense: a server-side failure, never
/// the caller's.
pub(crate) fn damaged(error: impl std::fmt::Display) -> ServiceError {
    ServiceError::Store(StoreError::Damaged(error.to_string()))
}

/// `N` bytes from the OS random source (secrets, tokens, references).
/// Never used for the draw itself, which follows its seed alone.
pub(crate) fn os_random<const N: usize>() -> ServiceResult<[u8; N]> {
    let mut bytes = [0u8; N];
    rand::rngs::SysRng
        .try_fill_bytes(&mut bytes)
        .map_err(|error| damaged(format!("the OS random source failed: {error}")))?;
    Ok(bytes)
}

/// The caller must hold this role.
pub fn require(user: &User, role: Role) -> ServiceResult<()> {
    if user.role != role {
        return Err(ServiceError::Forbidden(format!(
            "this needs a {} account; {} is a {}",
            role.as_str(),
            user.name,
            user.role.as_str()
        )));
    }
    Ok(())
}

/// The caller must be a supervisor of this department.
pub fn require_supervisor_of(user: &User, department: &str) -> ServiceResult<()> {
    require(user, Role::Supervisor)?;
    if user.department.as_deref() != Some(department) {
        return Err(ServiceError::Forbidden(format!(
            "{} supervises {}, not {department}",
            user.name,
            user.department.as_deref().unwrap_or("no department")
        )));
    }
    Ok(())
}

/// The department a supervisor works for.
pub fn supervised_department(user: &User) -> ServiceResult<&str> {
    require(user, Role::Supervisor)?;
    user.department
        .as_deref()
        .ok_or_else(|| ServiceError::Forbidden(format!("{} has no department", user.name)))
}
