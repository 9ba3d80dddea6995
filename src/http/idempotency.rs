//! `Idempotency-Key`: a client that retries a request (after a timeout, a
//! dropped connection) with the same key gets the first answer again, and
//! the operation is not repeated. The same key with another request is
//! refused.

use std::future::Future;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::AppState;
use super::error::{AppError, AppResult};
use crate::storage::idempotency::{self, Recorded};
use crate::storage::users::User;

const HEADER: &str = "idempotency-key";

/// Runs `operation` unless a response for this key is already recorded.
/// `request` identifies the request (method, path, body).
pub async fn once<T: Serialize>(
    state: &AppState,
    user: &User,
    headers: &HeaderMap,
    request: String,
    operation: impl Future<Output = AppResult<(StatusCode, T)>>,
) -> AppResult<Response> {
    let Some(key) = headers.get(HEADER) else {
        let (status, body) = operation.await?;
        return Ok((status, axum::Json(body)).into_response());
    };
    let key = key.to_str().ok().filter(|key| !key.is_empty() && key.len() <= 200).ok_or_else(|| {
        AppError::bad_request(
            "invalid_idempotency_key",
            None,
            "Idempotency-Key must be 1 to 200 visible ASCII characters",
        )
    })?;
    let pool = state.service.store().pool();
    if let Some(recorded) =
        idempotency::find(pool, user.id, key).await.map_err(crate::service::ServiceError::from)?
    {
        if recorded.request != request {
            return Err(AppError::bad_request(
                "idempotency_key_reused",
                None,
                "this Idempotency-Key was used for another request",
            ));
        }
        return Ok(stored(recorded));
    }
    let (status, body) = operation.await?;
    let recorded = Recorded {
        request,
        status: status.as_u16(),
        body: serde_json::to_string(&body).expect("responses serialise"),
    };
    let mut tx = state.service.store().write().await.map_err(crate::service::ServiceError::from)?;
    let written = idempotency::record(tx.conn(), user.id, key, &recorded).await;
    if written.is_ok() {
        tx.commit().await.map_err(crate::service::ServiceError::from)?;
    }
    Ok(stored(recorded))
}

fn stored(recorded: Recorded) -> Response {
    let status = StatusCode::from_u16(recorded.status).unwrap_or(StatusCode::OK);
    (status, [(axum::http::header::CONTENT_TYPE, "application/json")], recorded.body).into_response()
}
