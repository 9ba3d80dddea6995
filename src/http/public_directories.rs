//! The directories in public (the inspector list and the directories'
//! sizes), and the admin's publication settings that decide what of them
//! is published.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::conditional;
use super::error::AppResult;
use super::extract::{ClientService, Json, Query, Staff};
use super::openapi::{Forbidden, Invalid, NotFound, NotJson, TooLarge, Unauthorized};
use super::paging::Limit;
use crate::protocol::field::{Department, InspectorId};
use crate::service::public_directories::{DirectorySizes, PublicInspectorPage, PublicationSettings};

/// The public routes (served with the public site's CORS).
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(inspectors)).routes(routes!(sizes))
}

/// The staff routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(publication, set_publication))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InspectorPageQuery {
    /// Only the inspectors of this department (its code).
    #[param(value_type = Option<String>, example = "market")]
    pub department: Option<Department>,
    /// The `next` of the page before.
    #[param(value_type = Option<String>)]
    pub after: Option<InspectorId>,
    /// At most this many inspectors (1 to 500; 100 without it).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<Limit<500>>,
}

/// The inspector directory in public (执法检查人员名录库): active
/// inspectors, with the fields the publication settings publish.
#[utoipa::path(get, path = "/api/public/inspectors", tag = "public",
    params(InspectorPageQuery),
    responses((status = 200, body = PublicInspectorPage), Invalid))]
pub async fn inspectors(
    State(state): State<AppState>,
    Query(query): Query<InspectorPageQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let department = query.department.as_ref().map(Department::as_str);
    let after = query.after.as_ref().map(InspectorId::as_str);
    let limit = Limit::or_default(query.limit);
    Ok(conditional::json(&headers, state.service.public_inspectors(department, after, limit).await?))
}

/// The sizes of the target directory (检查对象名录库) by keeping
/// department, region and risk class, and of the inspector directory by
/// department; not found while the publication settings publish none.
#[utoipa::path(get, path = "/api/public/directories", tag = "public",
    responses((status = 200, body = DirectorySizes), NotFound))]
pub async fn sizes(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    Ok(conditional::json(&headers, state.service.public_directory_sizes().await?))
}

/// What the public site publishes of the directories (admins).
#[utoipa::path(get, path = "/api/settings/publication", tag = "accounts", security(("token" = [])),
    responses((status = 200, body = PublicationSettings), Unauthorized, Forbidden))]
pub async fn publication(
    State(state): State<AppState>,
    Staff(user): Staff,
) -> AppResult<Json<PublicationSettings>> {
    Ok(Json(state.service.publication(&user).await?))
}

/// Replaces the publication settings (admins); in effect at once.
#[utoipa::path(put, path = "/api/settings/publication", tag = "accounts", security(("token" = [])),
    request_body = PublicationSettings,
    responses((status = 200, body = PublicationSettings), Unauthorized, Forbidden, TooLarge, NotJson, Invalid))]
pub async fn set_publication(
    ClientService(service): ClientService,
    Staff(user): Staff,
    Json(settings): Json<PublicationSettings>,
) -> AppResult<Json<PublicationSettings>> {
    Ok(Json(service.set_publication(&user, &settings).await?))
}
