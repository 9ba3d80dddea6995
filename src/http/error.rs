//! The one error type of the HTTP layer. Every error response has the same
//! JSON shape — a stable `code`, a `message` a person can act on, and the
//! `field` at fault when there is one — and never carries internals: a
//! database or other server-side failure is logged and answered with a
//! plain 500.

use axum::Json;
use axum::body::Body;
use axum::extract::Request;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
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
    /// Every row a file was refused for (an import; up to 100), in file
    /// order; absent for other errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<ErrorLine>>,
}

/// A refused row of a file.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorLine {
    /// The line in the file, from 1 (the header); null when not known.
    pub line: Option<u64>,
    /// The column at fault, when one is.
    pub column: Option<String>,
    pub reason: String,
}

#[derive(Debug)]
pub struct AppError {
    status: StatusCode,
    body: ErrorBody,
    /// Seconds to wait, for a 429 or a 503 (`Retry-After`).
    retry_after: Option<u64>,
}

impl AppError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody { code: code.to_owned(), message: message.into(), field: None, lines: None },
            retry_after: None,
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 403 `csrf`: a cookie-authenticated change without the session's
    /// CSRF token, or from another site.
    pub fn csrf(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "csrf", message)
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
        Self::held(wait, "too many failed authentications from this address")
    }

    /// 429: too many failed sign-ins for the name given; the same answer
    /// whether an account has that name or not.
    pub fn too_many_failed_sign_ins(wait: std::time::Duration) -> Self {
        Self::held(wait, "too many failed sign-ins with this name")
    }

    fn held(wait: std::time::Duration, why: &str) -> Self {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_failed_attempts",
            format!("{why}; try again in {seconds} s"),
        );
        error.retry_after = Some(seconds.max(1));
        error
    }

    /// 503: the server is already doing as many of these as it may at
    /// once; the client may try again after `retry_after` seconds.
    pub fn unavailable(code: &str, message: impl Into<String>, retry_after: u64) -> Self {
        let mut error = Self::new(StatusCode::SERVICE_UNAVAILABLE, code, message);
        error.retry_after = Some(retry_after.max(1));
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
            // A wrong current password in a form is a field in error; a
            // failed sign-in is a failed authentication.
            ServiceError::BadCredentials { field: Some(field), .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "bad_credentials", Some(field))
            }
            ServiceError::BadCredentials { field: None, .. } => {
                (StatusCode::UNAUTHORIZED, "bad_credentials", None)
            }
            ServiceError::TooManyAttempts(wait) => return Self::too_many_failed_sign_ins(wait),
            ServiceError::RefusedLines { code, field, lines, .. } => {
                let lines = lines
                    .into_iter()
                    .map(|refused| ErrorLine {
                        line: refused.line,
                        column: refused.column,
                        reason: refused.reason,
                    })
                    .collect();
                let body = ErrorBody { code: code.into(), message, field, lines: Some(lines) };
                return Self { status: StatusCode::UNPROCESSABLE_ENTITY, body, retry_after: None };
            }
            ServiceError::Store(store) => {
                tracing::error!(error = %store, "request failed in storage");
                return Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the server failed; nothing was changed",
                );
            }
        };
        Self {
            status,
            body: ErrorBody { code: code.to_owned(), message, field, lines: None },
            retry_after: None,
        }
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

/// The answer to a method a path does not take (405); the framework adds
/// the `Allow` header naming the methods it does take.
pub async fn method_not_allowed(method: Method, uri: Uri) -> AppError {
    AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

/// Gives an error answered outside the handlers — by the framework (a
/// body over its limit, a rejected header) or by a layer — the same JSON
/// shape as every other error, keeping its status and headers (`Allow`,
/// `Retry-After`, ...). An answer that is already JSON passes unchanged, and
/// so does an HTML page: the site's own 404 page (site.rs), meant for a
/// reader rather than a program.
pub async fn json_error_bodies(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let kind = response.headers().get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok());
    let answered =
        kind.is_some_and(|kind| kind.starts_with("application/json") || kind.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || answered {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 1024)
        .await
        .ok()
        .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty());
    let reason = status.canonical_reason().unwrap_or("error");
    let message = match text {
        // A server-side failure says nothing of its internals.
        Some(text) if status.is_client_error() => text,
        _ => reason.to_owned(),
    };
    let code = match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        status if status.is_server_error() => "internal",
        _ => "invalid_request",
    };
    let body = ErrorBody { code: code.to_owned(), message, field: None, lines: None };
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(serde_json::to_vec(&body).expect("an error body serialises")))
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        if self.status == StatusCode::PAYLOAD_TOO_LARGE {
            // The rest of the body is never read: the connection cannot carry
            // another request, and a client must not try to reuse it.
            response
                .headers_mut()
                .insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
        }
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
