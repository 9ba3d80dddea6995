//! The one error type of the HTTP layer. Every error response has the same
//! JSON shape — a stable `code`, a `message` a person can act on, and the
//! `field` at fault when there is one — and never carries internals: a
//! database or other server-side failure is logged and answered with a
//! plain 500.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::service::ServiceError;

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable: `not_found`, `invalid_state`, `invalid_csv`, …
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug)]
pub struct AppError {
    status: StatusCode,
    body: ErrorBody,
    /// Seconds to wait, for a 429 (`Retry-After`).
    retry_after: Option<u64>,
}

impl AppError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody { code: code.to_owned(), message: message.into(), field: None },
            retry_after: None,
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 413: the request's body is larger than `limit` bytes.
    pub fn payload_too_large(limit: u64) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is larger than the limit of {}; nothing was changed", bytes(limit)),
        )
    }

    /// 429: this client failed to authenticate too often; it may try again
    /// after `wait`.
    pub fn too_many_failed_attempts(wait: std::time::Duration) -> Self {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_failed_attempts",
            format!("too many failed authentications from this address; try again in {seconds} s"),
        );
        error.retry_after = Some(seconds.max(1));
        error
    }

    pub fn bad_request(code: &str, field: Option<&str>, message: impl Into<String>) -> Self {
        let mut error = Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);
        error.body.field = field.map(str::to_owned);
        error
    }
}

impl From<ServiceError> for AppError {
    fn from(error: ServiceError) -> Self {
        let message = error.to_string();
        let (status, code, field) = match error {
            ServiceError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", None),
            ServiceError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", None),
            ServiceError::Conflict { code, .. } => (StatusCode::CONFLICT, code, None),
            ServiceError::Invalid { code, field, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code, field),
            ServiceError::Store(store) => {
                tracing::error!(error = %store, "request failed in storage");
                return Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the server failed; nothing was changed",
                );
            }
        };
        Self { status, body: ErrorBody { code: code.to_owned(), message, field }, retry_after: None }
    }
}

/// `1048576` as "1 MiB (1048576 bytes)", `1000` as "1000 bytes".
fn bytes(count: u64) -> String {
    match count {
        0 => "0 bytes".to_owned(),
        _ if count.is_multiple_of(1 << 30) => format!("{} GiB ({count} bytes)", count >> 30),
        _ if count.is_multiple_of(1 << 20) => format!("{} MiB ({count} bytes)", count >> 20),
        _ => format!("{count} bytes"),
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        let status = match rejection {
            JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Self::new(status, "invalid_json", rejection.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", rejection.body_text())
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_query", rejection.body_text())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
