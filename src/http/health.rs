//! `/healthz` and `/readyz`, for whatever starts, restarts and balances the
//! service (a container runtime, systemd, a load balancer). They sit beside
//! the API, not in it: they describe the process, not the data, and their
//! answers are never cached.
//!
//! - `/healthz`: the process is up and answers HTTP; the database is not
//!   asked, so a database outage does not get a healthy process restarted.
//! - `/readyz`: the database answers and has every migration of this binary
//!   applied; otherwise 503 with a JSON reason (`code`, `message`), so a
//!   balancer sends requests elsewhere until it is.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;

pub async fn live() -> Response {
    uncached(StatusCode::OK, json!({"status": "up"}))
}

pub async fn ready(State(state): State<AppState>) -> Response {
    match state.service.readiness().await {
        Ok(()) => uncached(StatusCode::OK, json!({"status": "ready"})),
        Err(not_ready) => uncached(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": "not_ready", "code": not_ready.code, "message": not_ready.reason}),
        ),
    }
}

fn uncached(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
