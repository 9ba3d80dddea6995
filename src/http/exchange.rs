//! Exchange with other systems: the published results as exchange records
//! (CSV or JSON, for anyone, streamed), and the webhook outbox's state
//! (admins). The record's schema is in docs/EXCHANGE.md.

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::conditional;
use super::error::AppResult;
use super::extract::{Json, Staff};
use super::openapi::{Forbidden, Unauthorized};
use crate::service::exchange::SCHEMA_VERSION;
use crate::service::exchange::outbox::OutboxState;
use crate::service::public_answers::Freshness;

/// The header naming the schema version of an export.
const SCHEMA_HEADER: header::HeaderName = header::HeaderName::from_static("opendraw-exchange-schema");

/// The routes for anyone.
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(results_csv)).routes(routes!(results_json))
}

/// The routes for staff.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(outbox))
}

/// Every published result (current and corrected) as exchange records in
/// CSV, UTF-8 with BOM, the field names as header, newest publication
/// first; cells a spreadsheet would run as a formula are quoted. Streamed.
#[utoipa::path(get, path = "/api/public/exchange/results.csv", tag = "exchange",
    responses((status = 200, content_type = "text/csv", body = String,
        headers(("Opendraw-Exchange-Schema" = String, description = "The record's schema version")))))]
pub async fn results_csv(State(state): State<AppState>) -> AppResult<Response> {
    let pieces = state.service.exchange_csv()?;
    Ok(streamed(Body::from_stream(pieces), "text/csv; charset=utf-8", "exchange-results.csv"))
}

/// Every published result (current and corrected) as exchange records in
/// one JSON object, `{"schema_version": "1", "records": [...]}`, newest
/// publication first. Streamed.
#[utoipa::path(get, path = "/api/public/exchange/results.json", tag = "exchange",
    responses((status = 200, body = ExchangeExport,
        headers(("Opendraw-Exchange-Schema" = String, description = "The record's schema version")))))]
pub async fn results_json(State(state): State<AppState>) -> Response {
    let pieces = state.service.exchange_json();
    streamed(Body::from_stream(pieces), "application/json", "exchange-results.json")
}

/// The shape of the JSON export (sent as a stream, described here).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ExchangeExport {
    schema_version: String,
    records: Vec<crate::service::exchange::ExchangeRecord>,
}

fn streamed(body: Body, content_type: &'static str, file: &str) -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
            (SCHEMA_HEADER, SCHEMA_VERSION.to_owned()),
        ],
        body,
    )
        .into_response();
    conditional::tag(&mut response, None, Freshness::Live);
    response
}

/// The webhook outbox: pending, retrying, failed and delivered events, the
/// last error, and the oldest undelivered events (admins only).
#[utoipa::path(get, path = "/api/exchange/outbox", tag = "exchange", security(("token" = [])),
    responses((status = 200, body = OutboxState), Unauthorized, Forbidden))]
pub async fn outbox(State(state): State<AppState>, Staff(user): Staff) -> AppResult<Json<OutboxState>> {
    Ok(Json(state.service.exchange_outbox(&user).await?))
}
