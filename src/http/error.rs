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
}

impl AppError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self { status, body: ErrorBody { code: code.to_owned(), message: message.into(), field: None } }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
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
        Self { status, body: ErrorBody { code: code.to_owned(), message, field } }
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
        (self.status, Json(self.body)).into_response()
    }
}

pub type AppResult<T> = Result<T, AppError>;
