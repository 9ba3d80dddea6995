//! Acting once for a request sent with an `Idempotency-Key`: the operation's
//! own write transaction reserves the key before anything else and records
//! the answer before it commits, so that two servers, or twenty requests
//! at once, act once between them, and an action is never without its
//! record. Task creation and the lifecycle transitions take part.

use std::sync::Arc;

use super::{Service, ServiceError, ServiceResult};
use crate::domain::account::User;
use crate::storage::WriteTx;
use crate::storage::idempotency::{self, Reservation};

/// The answer given to the first request sent with a key.
pub struct RecordedAnswer {
    /// What that request was (method, path, body).
    pub request: String,
    pub status: u16,
    /// The JSON body of the answer.
    pub body: String,
}

impl Service {
    /// This service, acting once for the caller's `key`: the write
    /// transaction of the operation it runs next reserves the key and
    /// records the answer, given with `status` on success, to `request`.
    pub fn acting_once(&self, user: &User, key: &str, request: String, status: u16) -> Service {
        let reservation = Reservation { user: user.id, key: key.to_owned(), request, status };
        Service { once: Some(Arc::new(reservation)), ..self.clone() }
    }

    /// The answer recorded for the caller's key, if any.
    pub async fn recorded_answer(&self, user: &User, key: &str) -> ServiceResult<Option<RecordedAnswer>> {
        let recorded = idempotency::find(self.store().pool(), user.id, key).await?;
        Ok(recorded.map(|r| RecordedAnswer { request: r.request, status: r.status, body: r.body }))
    }

    /// Begins the write transaction of an operation that may be asked for
    /// once: when acting for a reservation, its key is the first write. A
    /// request holding the key already (answered, or answered while this
    /// one waited for the database) makes this one change nothing.
    pub(super) async fn begin_action(&self) -> ServiceResult<WriteTx> {
        let mut tx = self.store().write().await?;
        if let Some(reservation) = &self.once
            && !tx.reserve(reservation).await?
        {
            return Err(ServiceError::conflict(
                "in_progress",
                "another request with this Idempotency-Key is being answered; send it again for its answer",
            ));
        }
        Ok(tx)
    }
}
