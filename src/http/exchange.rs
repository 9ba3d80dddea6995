//! Exchange with other systems: the published results as exchange records
//! (CSV or JSON, for anyone, streamed), and the webhook outbox's state
//! (admins). The record's schema is in docs/EXCHANGE.md.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::conditional;
use super::error::AppResult;
use super::extract::{Json, Query, Staff};
use super::openapi::{Forbidden, Invalid, Unauthorized};
use crate::service::exchange::SCHEMA_VERSION;
use crate::service::exchange::export::ExchangeQuery;
use crate::service::exchange::outbox::OutboxState;
use crate::service::public_answers::Freshness;

/// The header naming the schema version of an export.
const SCHEMA_HEADER: header::HeaderName = header::HeaderName::from_static("opendraw-exchange-schema");

/// The header giving the `published_at` of the newest record an export
/// holds: the `since` of a receiver's next poll (docs/EXCHANGE.md).
const NEWEST_HEADER: header::HeaderName =
    header::HeaderName::from_static("opendraw-exchange-newest-published-at");

/// The routes for anyone.
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(results_csv)).routes(routes!(results_json))
}

/// The routes for staff.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(outbox))
}

/// Every published result (current and corrected), or those published
/// `since` an instant, as exchange records in CSV, UTF-8 with BOM, the
/// field names as header, newest publication first; cells a spreadsheet
/// would run as a formula are quoted. Streamed.
#[utoipa::path(get, path = "/api/public/exchange/results.csv", tag = "exchange",
    params(ExchangeQuery),
    responses((status = 200, content_type = "text/csv", body = String,
        headers(("Opendraw-Exchange-Schema" = String, description = "The record's schema version"),
            ("Opendraw-Exchange-Newest-Published-At" = String, description = "The published_at of the newest record sent, absent when none is: the since of the next poll (docs/EXCHANGE.md)"))),
        Invalid))]
pub async fn results_csv(
    State(state): State<AppState>,
    Query(query): Query<ExchangeQuery>,
) -> AppResult<Response> {
    let (newest, pieces) = state.service.exchange_csv(&query).await?;
    Ok(streamed(Body::from_stream(pieces), "text/csv; charset=utf-8", "exchange-results.csv", newest))
}

/// Every published result (current and corrected), or those published
/// `since` an instant, as exchange records in one JSON object,
/// `{"schema_version": "1", "records": [...]}`, newest publication first.
/// Streamed.
#[utoipa::path(get, path = "/api/public/exchange/results.json", tag = "exchange",
    params(ExchangeQuery),
    responses((status = 200, body = ExchangeExport,
        headers(("Opendraw-Exchange-Schema" = String, description = "The record's schema version"),
            ("Opendraw-Exchange-Newest-Published-At" = String, description = "The published_at of the newest record sent, absent when none is: the since of the next poll (docs/EXCHANGE.md)"))),
        Invalid))]
pub async fn results_json(
    State(state): State<AppState>,
    Query(query): Query<ExchangeQuery>,
) -> AppResult<Response> {
    let (newest, pieces) = state.service.exchange_json(&query).await?;
    Ok(streamed(Body::from_stream(pieces), "application/json", "exchange-results.json", newest))
}

/// The shape of the JSON export (sent as a stream, described here).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ExchangeExport {
    schema_version: String,
    records: Vec<crate::service::exchange::ExchangeRecord>,
}

fn streamed(body: Body, content_type: &'static str, file: &str, newest: Option<String>) -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
            (SCHEMA_HEADER, SCHEMA_VERSION.to_owned()),
        ],
        body,
    )
        .into_response();
    // A stored time is plain ASCII; were it not, the header is left out.
    if let Some(value) = newest.and_then(|newest| HeaderValue::from_str(&newest).ok()) {
        response.headers_mut().insert(NEWEST_HEADER, value);
    }
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
