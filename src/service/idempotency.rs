//! Acting once for a request sent with an `Idempotency-Key`: the operation's
//! own write transaction reserves the key before anything else and records
//! the answer before it commits, so that two servers, or twenty requests
//! at once, act once between them, and an action is never without its
//! record. Task creation and the lifecycle transitions take part.

use std::sync::Arc;

use super::{Service, ServiceError, ServiceResult};
use crate::storage::WriteTx;
use crate::storage::idempotency::{self, Recorded, Reservation};
use crate::storage::users::User;

impl Service {
    /// This service, acting for `reservation`: the write transaction of the
    /// operation it runs next reserves the key and records the answer.
    pub fn acting_once(&self, reservation: Reservation) -> Service {
        Service { once: Some(Arc::new(reservation)), ..self.clone() }
    }

    /// The answer recorded for the caller's key, if any.
    pub async fn recorded_answer(&self, user: &User, key: &str) -> ServiceResult<Option<Recorded>> {
        Ok(idempotency::find(self.store().pool(), user.id, key).await?)
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
