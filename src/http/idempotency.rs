//! `Idempotency-Key`: a client that retries a request (after a timeout, a
//! dropped connection) with the same key gets the first answer again, and
//! the operation is not repeated — also when the retries arrive together,
//! on several servers. The same key with another request is refused.
//!
//! The operation's own transaction reserves the key and records the answer
//! (see `service::idempotency`); here the answer is looked up before the
//! operation, and again after it, so that a request that lost the race for
//! the key answers with the winner's answer instead of its own refusal.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::AppState;
use super::error::{AppError, AppResult};
use crate::domain::account::User;
use crate::service::idempotency::RecordedAnswer;
use crate::service::{Service, ServiceResult};

const HEADER: &str = "idempotency-key";

/// Runs `operation` once per key: `request` identifies the request
/// (method, path, body), `status` is the status of a successful answer.
pub async fn once<T: Serialize>(
    state: &AppState,
    user: &User,
    headers: &HeaderMap,
    request: String,
    status: StatusCode,
    operation: impl AsyncFnOnce(Service) -> ServiceResult<T>,
) -> AppResult<Response> {
    let Some(key) = headers.get(HEADER) else {
        let body = operation(state.service.clone()).await?;
        return Ok((status, axum::Json(body)).into_response());
    };
    let key = key.to_str().ok().filter(|key| !key.is_empty() && key.len() <= 200).ok_or_else(|| {
        AppError::bad_request(
            "invalid_idempotency_key",
            None,
            "Idempotency-Key must be 1 to 200 visible ASCII characters",
        )
    })?;
    let service = &state.service;
    if let Some(recorded) = service.recorded_answer(user, key).await? {
        return replay(recorded, &request);
    }
    let outcome = operation(service.acting_once(user, key, request.clone(), status.as_u16())).await;
    // The answer recorded — by this request, or by one that took the key
    // first while this one ran (this one then changed nothing).
    if let Some(recorded) = service.recorded_answer(user, key).await? {
        return replay(recorded, &request);
    }
    Ok((status, axum::Json(outcome?)).into_response())
}

/// The recorded answer, if it answered this same request.
fn replay(recorded: RecordedAnswer, request: &str) -> AppResult<Response> {
    if recorded.request != request {
        return Err(AppError::bad_request(
            "idempotency_key_reused",
            None,
            "this Idempotency-Key was used for another request",
        ));
    }
    let status = StatusCode::from_u16(recorded.status).unwrap_or(StatusCode::OK);
    Ok((status, [(axum::http::header::CONTENT_TYPE, "application/json")], recorded.body).into_response())
}
