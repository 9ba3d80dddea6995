//! The departments' working rules for random inspections (抽查工作细则):
//! published by a supervisor for their own department, read by anyone.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::conditional;
use super::error::AppResult;
use super::extract::{ClientService, Json, Path, Staff};
use super::openapi::{Forbidden, Invalid, NotFound, NotJson, TooLarge, Unauthorized};
use crate::service::working_rules::{PublicRulesList, RulesPublication, RulesText, RulesVersion};

/// The public routes (served with the public site's CORS).
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_rules)).routes(routes!(rules_version))
}

/// The staff routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(publish_rules))
}

/// Every department's current working rules, with the numbers and dates
/// of its earlier versions.
#[utoipa::path(get, path = "/api/public/rules", tag = "public",
    responses((status = 200, body = PublicRulesList)))]
pub async fn list_rules(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    Ok(conditional::json(&headers, state.service.public_rules().await?))
}

/// One version of a department's working rules, with its Markdown source.
#[utoipa::path(get, path = "/api/public/rules/{department}/{version}", tag = "public",
    params(
        ("department" = String, Path, description = "the department's code", example = "market"),
        ("version" = i64, Path, description = "the version's number, from 1", example = 1),
    ),
    responses((status = 200, body = RulesText), NotFound, Invalid))]
pub async fn rules_version(
    State(state): State<AppState>,
    Path((department, version)): Path<(String, i64)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    Ok(conditional::json(&headers, state.service.public_rules_version(&department, version).await?))
}

/// Publishes a new version of the supervisor's department's working
/// rules; it enters the public log with the SHA-256 of its text.
#[utoipa::path(post, path = "/api/rules", tag = "directories", security(("token" = [])),
    request_body = RulesPublication,
    responses((status = 201, body = RulesVersion), Unauthorized, Forbidden, TooLarge, NotJson, Invalid))]
pub async fn publish_rules(
    ClientService(service): ClientService,
    Staff(user): Staff,
    Json(publication): Json<RulesPublication>,
) -> AppResult<(axum::http::StatusCode, Json<RulesVersion>)> {
    Ok((axum::http::StatusCode::CREATED, Json(service.publish_rules(&user, &publication).await?)))
}
