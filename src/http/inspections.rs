//! Inspections over HTTP: inspectors record results of their assigned
//! targets and declare conflicts; supervisors review, publish and correct
//! results, replace inspectors by a draw, and follow the ledger of what is
//! still open.

use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::AppResult;
use super::extract::{Json, Path, Query, Staff};
use super::openapi::{Conflict, Forbidden, Invalid, NotFound, NotJson, TooLarge, Unauthorized};
use super::paging::Limit;
use crate::service::assignments::ConflictDeclaration;
use crate::service::ledger::{Ledger, LedgerFilter};
use crate::service::replacements::{ConflictView, ReplacementRequest, ReplacementView};
use crate::service::results::{Correction, ResultInput, ResultKey, ResultView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_result, save))
        .routes(routes!(submit))
        .routes(routes!(declare_conflict))
        .routes(routes!(list))
        .routes(routes!(show))
        .routes(routes!(return_result))
        .routes(routes!(approve))
        .routes(routes!(publish))
        .routes(routes!(correct))
        .routes(routes!(publish_task))
        .routes(routes!(replacements, replace))
        .routes(routes!(conflicts))
        .routes(routes!(ledger))
        .routes(routes!(ledger_csv))
}

type KeyPath = Path<(i64, String, String)>;

fn key(path: &(i64, String, String)) -> ResultKey<'_> {
    ResultKey { task: path.0, target: &path.1, item: &path.2 }
}

/// The result of a target and item the caller is assigned to, with its
/// internal notes (the team's and the reviewers' only).
#[utoipa::path(get, path = "/api/me/results/{task}/{target}/{item}", tag = "inspections", security(("token" = [])),
    params(("task" = i64, Path, description = "the task", example = 1), ("target" = String, Path, description = "the target's id"), ("item" = String, Path, description = "the item's code")),
    responses((status = 200, body = ResultView), Unauthorized, Forbidden, NotFound))]
pub async fn my_result(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(path): KeyPath,
) -> AppResult<Json<ResultView>> {
    Ok(Json(state.service.my_result(&user, key(&path)).await?))
}

/// Saves the caller's team's result as a draft (201 the first time);
/// editable until submitted, and again when returned.
#[utoipa::path(put, path = "/api/me/results/{task}/{target}/{item}", tag = "inspections", security(("token" = [])), request_body = ResultInput,
    params(("task" = i64, Path, description = "the task", example = 1), ("target" = String, Path, description = "the target's id"), ("item" = String, Path, description = "the item's code")),
    responses((status = 200, body = ResultView), (status = 201, body = ResultView), Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Invalid))]
pub async fn save(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(path): KeyPath,
    Json(input): Json<ResultInput>,
) -> AppResult<Response> {
    let (created, view) = state.service.save_result(&user, key(&path), input).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, axum::Json(view)).into_response())
}

/// Enters the result for review; it needs an outcome and the date.
#[utoipa::path(post, path = "/api/me/results/{task}/{target}/{item}/submit", tag = "inspections", security(("token" = [])),
    params(("task" = i64, Path, description = "the task", example = 1), ("target" = String, Path, description = "the target's id"), ("item" = String, Path, description = "the item's code")),
    responses((status = 200, body = ResultView), Unauthorized, Forbidden, NotFound, Conflict, Invalid))]
pub async fn submit(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(path): KeyPath,
) -> AppResult<Json<ResultView>> {
    Ok(Json(state.service.submit_result(&user, key(&path)).await?))
}

/// Declares a conflict of interest with an assigned target; a supervisor
/// then replaces the caller by a draw.
#[utoipa::path(post, path = "/api/me/conflicts", tag = "inspections", security(("token" = [])), request_body = ConflictDeclaration,
    responses((status = 201, body = ConflictView), Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Invalid))]
pub async fn declare_conflict(
    State(state): State<AppState>,
    Staff(user): Staff,
    Json(declaration): Json<ConflictDeclaration>,
) -> AppResult<Response> {
    let conflict = state.service.declare_conflict(&user, declaration).await?;
    Ok((StatusCode::CREATED, axum::Json(conflict)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ResultFilter {
    pub task: Option<i64>,
    /// draft, submitted, returned, approved, published or superseded.
    pub state: Option<String>,
}

/// The results of the items the caller's department is responsible for.
#[utoipa::path(get, path = "/api/results", tag = "inspections", security(("token" = [])),
    params(ResultFilter),
    responses((status = 200, body = Vec<ResultView>), Unauthorized, Forbidden, NotFound, Invalid))]
pub async fn list(
    State(state): State<AppState>,
    Staff(user): Staff,
    Query(filter): Query<ResultFilter>,
) -> AppResult<Json<Vec<ResultView>>> {
    Ok(Json(state.service.results(&user, filter.task, filter.state.as_deref()).await?))
}

/// A result with its notes and every step it took.
#[utoipa::path(get, path = "/api/results/{id}", tag = "inspections", security(("token" = [])),
    params(("id" = i64, Path, description = "the result", example = 1)),
    responses((status = 200, body = ResultView), Unauthorized, Forbidden, NotFound))]
pub async fn show(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
) -> AppResult<Json<ResultView>> {
    Ok(Json(state.service.result(&user, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    /// What the inspectors must fix.
    pub reason: String,
}

/// Sends a submitted result back to its inspectors, with a reason.
#[utoipa::path(post, path = "/api/results/{id}/return", tag = "inspections", security(("token" = [])), request_body = ReturnRequest,
    params(("id" = i64, Path, description = "the result", example = 1)),
    responses((status = 200, body = ResultView), Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Invalid))]
pub async fn return_result(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
    Json(body): Json<ReturnRequest>,
) -> AppResult<Json<ResultView>> {
    Ok(Json(state.service.return_result(&user, id, &body.reason).await?))
}

#[utoipa::path(post, path = "/api/results/{id}/approve", tag = "inspections", security(("token" = [])),
    params(("id" = i64, Path, description = "the result", example = 1)),
    responses((status = 200, body = ResultView), Unauthorized, Forbidden, NotFound, Conflict))]
pub async fn approve(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
) -> AppResult<Json<ResultView>> {
    Ok(Json(state.service.approve_result(&user, id).await?))
}

/// Publishes an approved result of a revealed task; the record enters the
/// public log.
#[utoipa::path(post, path = "/api/results/{id}/publish", tag = "inspections", security(("token" = [])),
    params(("id" = i64, Path, description = "the result", example = 1)),
    responses((status = 200, body = ResultView), Unauthorized, Forbidden, NotFound, Conflict))]
pub async fn publish(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
) -> AppResult<Json<ResultView>> {
    Ok(Json(state.service.publish_result(&user, id).await?))
}

/// Corrects a published result: a new published result with the reason;
/// the original stays public, marked corrected.
#[utoipa::path(post, path = "/api/results/{id}/correct", tag = "inspections", security(("token" = [])), request_body = Correction,
    params(("id" = i64, Path, description = "the result", example = 1)),
    responses((status = 200, body = ResultView), Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Invalid))]
pub async fn correct(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
    Json(correction): Json<Correction>,
) -> AppResult<Json<ResultView>> {
    Ok(Json(state.service.correct_result(&user, id, correction).await?))
}

/// Publishes every approved result of the task that the caller reviews.
#[utoipa::path(post, path = "/api/tasks/{id}/results/publish", tag = "inspections", security(("token" = [])),
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = Vec<ResultView>), Unauthorized, Forbidden, NotFound, Conflict))]
pub async fn publish_task(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<ResultView>>> {
    Ok(Json(state.service.publish_approved(&user, id).await?))
}

/// Replaces an assigned inspector, before the result is entered, by one
/// drawn from the target's remaining candidates (PROTOCOL.md §16); logged.
#[utoipa::path(post, path = "/api/tasks/{id}/replacements", tag = "inspections", security(("token" = [])), request_body = ReplacementRequest,
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 201, body = ReplacementView), Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Invalid))]
pub async fn replace(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
    Json(request): Json<ReplacementRequest>,
) -> AppResult<Response> {
    let row = state.service.replace_inspector(&user, id, request).await?;
    Ok((StatusCode::CREATED, axum::Json(row)).into_response())
}

#[utoipa::path(get, path = "/api/tasks/{id}/replacements", tag = "inspections", security(("token" = [])),
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = Vec<ReplacementView>), Unauthorized, Forbidden, NotFound))]
pub async fn replacements(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<ReplacementView>>> {
    Ok(Json(state.service.replacements(&user, id).await?))
}

/// The conflicts of interest declared by the task's inspectors.
#[utoipa::path(get, path = "/api/tasks/{id}/conflicts", tag = "inspections", security(("token" = [])),
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = Vec<ConflictView>), Unauthorized, Forbidden, NotFound))]
pub async fn conflicts(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<ConflictView>>> {
    Ok(Json(state.service.conflicts(&user, id).await?))
}

/// A page of the ledger.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerPage {
    /// The `next` of the previous page; absent for the first page.
    pub after: Option<String>,
    /// At most this many lines (1 to 1000; default 100).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<Limit<1000>>,
}

/// What is still open in the caller's department: the sums of every line
/// the filter selects, and a page of the lines, most urgent first (by
/// inspection date, lines without one last).
#[utoipa::path(get, path = "/api/ledger", tag = "inspections", security(("token" = [])),
    params(LedgerFilter, LedgerPage),
    responses((status = 200, body = Ledger), Unauthorized, Forbidden, NotFound, Invalid))]
pub async fn ledger(
    State(state): State<AppState>,
    Staff(user): Staff,
    Query(filter): Query<LedgerFilter>,
    Query(page): Query<LedgerPage>,
) -> AppResult<Json<Ledger>> {
    let limit = Limit::or_default(page.limit);
    Ok(Json(state.service.ledger(&user, &filter, page.after.as_deref(), limit).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CsvOptions {
    /// Headers in zh (default) or en.
    pub lang: Option<String>,
}

/// Every line of the ledger as CSV (UTF-8 with BOM), most urgent first;
/// streamed as it is read.
#[utoipa::path(get, path = "/api/ledger.csv", tag = "inspections", security(("token" = [])),
    params(LedgerFilter, CsvOptions),
    responses((status = 200, content_type = "text/csv", body = String), Unauthorized, Forbidden, NotFound, Invalid))]
pub async fn ledger_csv(
    State(state): State<AppState>,
    Staff(user): Staff,
    Query(filter): Query<LedgerFilter>,
    Query(options): Query<CsvOptions>,
) -> AppResult<Response> {
    let english = options.lang.as_deref() == Some("en");
    let (today, pieces) = state.service.ledger_csv(&user, &filter, english).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"ledger-{today}.csv\"")),
        ],
        Body::from_stream(pieces),
    )
        .into_response())
}
