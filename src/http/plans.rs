//! The departments' annual spot-check plans (年度抽查工作计划): written,
//! approved and derived into batches' quotas by a supervisor for their own
//! department; read by anyone once approved.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
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
use crate::service::plans::{Derivation, NewPlan, PlanEdit, PlanView, PublicPlan, PublicPlanSummary};

/// The public routes (served with the public site's CORS).
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(public_plans)).routes(routes!(public_plan))
}

/// The staff routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_plan, list_plans))
        .routes(routes!(get_plan, update_plan))
        .routes(routes!(approve_plan))
        .routes(routes!(derivation))
}

/// Writes a new draft plan of the supervisor's department.
#[utoipa::path(post, path = "/api/plans", tag = "plans", security(("token" = [])),
    request_body = NewPlan,
    responses((status = 201, body = PlanView), Unauthorized, Forbidden, TooLarge, NotJson, Invalid))]
pub async fn create_plan(
    ClientService(service): ClientService,
    Staff(user): Staff,
    Json(plan): Json<NewPlan>,
) -> AppResult<(StatusCode, Json<PlanView>)> {
    Ok((StatusCode::CREATED, Json(service.create_plan(&user, &plan).await?)))
}

/// The plans of the supervisor's department, drafts too, newest year first.
#[utoipa::path(get, path = "/api/plans", tag = "plans", security(("token" = [])),
    responses((status = 200, body = Vec<PlanView>), Unauthorized, Forbidden))]
pub async fn list_plans(State(state): State<AppState>, Staff(user): Staff) -> AppResult<Json<Vec<PlanView>>> {
    Ok(Json(state.service.plans(&user).await?))
}

/// One plan of the supervisor's department.
#[utoipa::path(get, path = "/api/plans/{code}", tag = "plans", security(("token" = [])),
    params(("code" = String, Path, description = "the plan's code", example = "2026-market")),
    responses((status = 200, body = PlanView), Unauthorized, Forbidden, NotFound))]
pub async fn get_plan(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(code): Path<String>,
) -> AppResult<Json<PlanView>> {
    Ok(Json(state.service.plan(&user, &code).await?))
}

/// Replaces a draft's year, name, items and batches; an approved plan is
/// final (409 `plan_approved`).
#[utoipa::path(put, path = "/api/plans/{code}", tag = "plans", security(("token" = [])),
    request_body = PlanEdit,
    params(("code" = String, Path, description = "the plan's code", example = "2026-market")),
    responses((status = 200, body = PlanView), Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Invalid))]
pub async fn update_plan(
    ClientService(service): ClientService,
    Staff(user): Staff,
    Path(code): Path<String>,
    Json(edit): Json<PlanEdit>,
) -> AppResult<Json<PlanView>> {
    Ok(Json(service.update_plan(&user, &code, &edit).await?))
}

/// Approves a draft: it becomes final and public, and enters the public
/// log as `plan.approved` with the SHA-256 of its canonical JSON.
#[utoipa::path(post, path = "/api/plans/{code}/approve", tag = "plans", security(("token" = [])),
    params(("code" = String, Path, description = "the plan's code", example = "2026-market")),
    responses((status = 200, body = PlanView), Unauthorized, Forbidden, NotFound, Conflict))]
pub async fn approve_plan(
    ClientService(service): ClientService,
    Staff(user): Staff,
    Path(code): Path<String>,
) -> AppResult<Json<PlanView>> {
    Ok(Json(service.approve_plan(&user, &code).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchQuery {
    /// The batch's number, from 1.
    pub batch: i64,
}

/// How the quotas of one batch follow from the plan, and a task
/// definition fragment with them.
#[utoipa::path(get, path = "/api/plans/{code}/derivation", tag = "plans", security(("token" = [])),
    params(("code" = String, Path, description = "the plan's code", example = "2026-market"), BatchQuery),
    responses((status = 200, body = Derivation), Unauthorized, Forbidden, NotFound, Invalid))]
pub async fn derivation(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(code): Path<String>,
    Query(query): Query<BatchQuery>,
) -> AppResult<Json<Derivation>> {
    Ok(Json(state.service.plan_derivation(&user, &code, query.batch).await?))
}

/// Every department's approved plans (drafts are never public).
#[utoipa::path(get, path = "/api/public/plans", tag = "public",
    responses((status = 200, body = Vec<PublicPlanSummary>)))]
pub async fn public_plans(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    Ok(conditional::json(&headers, state.service.public_plans().await?))
}

/// One approved plan with its items' progress (revealed tasks only) and
/// its batches' tasks.
#[utoipa::path(get, path = "/api/public/plans/{department}/{code}", tag = "public",
    params(
        ("department" = String, Path, description = "the department's code", example = "market"),
        ("code" = String, Path, description = "the plan's code", example = "2026-market"),
    ),
    responses((status = 200, body = PublicPlan), NotFound))]
pub async fn public_plan(
    State(state): State<AppState>,
    Path((department, code)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    Ok(conditional::json(&headers, state.service.public_plan(&department, &code).await?))
}
