//! The public list of inspection items (随机抽查事项清单), and the
//! retirement of an item by its department.

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
use super::extract::{ClientService, Json, Path, Query, Staff};
use super::openapi::{Conflict, Forbidden, Invalid, NotFound, NotJson, TooLarge, Unauthorized};
use crate::protocol::field::Department;
use crate::service::items::{PublicItem, PublicItemList, Retirement};

/// The public routes (served with the public site's CORS).
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(item))
}

/// The staff routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(retire))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ItemListQuery {
    /// Only the items of this department (its code).
    #[param(value_type = Option<String>, example = "market")]
    pub department: Option<Department>,
}

/// The item list: every item, in force or retired, by code, with its
/// checklist and the history of its versions.
#[utoipa::path(get, path = "/api/public/items", tag = "public",
    params(ItemListQuery),
    responses((status = 200, body = PublicItemList), Invalid))]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<ItemListQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let department = query.department.as_ref().map(Department::as_str);
    Ok(conditional::json(&headers, state.service.public_items(department).await?))
}

/// One item of the list, in force or retired.
#[utoipa::path(get, path = "/api/public/items/{code}", tag = "public",
    params(("code" = String, Path, description = "the item's code", example = "FOOD-01")),
    responses((status = 200, body = PublicItem), NotFound))]
pub async fn item(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    Ok(conditional::json(&headers, state.service.public_item(&code).await?))
}

/// Retires an item of the supervisor's department: it stays on the public
/// list with the day it ended, and is offered for no new task.
#[utoipa::path(post, path = "/api/items/{code}/retire", tag = "directories", security(("token" = [])),
    request_body = Retirement,
    params(("code" = String, Path, description = "the item's code", example = "FOOD-01")),
    responses((status = 200, body = PublicItem), Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Invalid))]
pub async fn retire(
    ClientService(service): ClientService,
    Staff(user): Staff,
    Path(code): Path<String>,
    Json(retirement): Json<Retirement>,
) -> AppResult<Json<PublicItem>> {
    Ok(Json(service.retire_item(&user, &code, &retirement).await?))
}
