//! What anyone may read: published tasks, their files, and after the reveal
//! their results and bundles; the public log; where an entity was.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::error::AppResult;
use super::extract::{Json, Path, Query};
use super::openapi::{Invalid, NotFound};
use super::paging::{Limit, Position};
use crate::protocol::log::LogEntry;
use crate::service::ServiceError;
use crate::service::public::{EntityView, PublicTask, SelectedTarget};
use crate::service::published::{OutcomeLabel, ResultPage, ResultQuery, Statistics};
use crate::storage::log;
use crate::storage::replacements::ReplacementRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/public/tasks", get(tasks))
        .route("/api/public/tasks/{id}", get(task))
        .route("/api/public/tasks/{id}/files/{name}", get(file))
        .route("/api/public/tasks/{id}/bundle.tar", get(bundle))
        .route("/api/public/tasks/{id}/selection", get(selection))
        .route("/api/public/log", get(log_page))
        .route("/api/public/log/head", get(log_head))
        .route("/api/public/entities/{id}", get(entity))
        .route("/api/public/tasks/{id}/replacements", get(replacements))
        .route("/api/public/results", get(results))
        .route("/api/public/results.csv", get(results_csv))
        .route("/api/public/outcomes", get(outcomes))
        .route("/api/public/statistics", get(statistics))
}

/// Published tasks (all but drafts), newest first; timelines left out.
#[utoipa::path(get, path = "/api/public/tasks", tag = "public",
    responses((status = 200, body = Vec<PublicTask>)))]
pub async fn tasks(State(state): State<AppState>) -> AppResult<Json<Vec<PublicTask>>> {
    Ok(Json(state.service.public_tasks().await?))
}

/// A published task with its timeline. The secret, seed and result status
/// appear only after the reveal.
#[utoipa::path(get, path = "/api/public/tasks/{id}", tag = "public",
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = PublicTask), NotFound))]
pub async fn task(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let json = state.service.public_task_json(id).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

/// A published file: the manifests, parameters and commitment from the
/// commit; reveal.tsv and result.tsv after the reveal.
#[utoipa::path(get, path = "/api/public/tasks/{id}/files/{name}", tag = "public",
    params(("id" = i64, Path, description = "the task", example = 1), ("name" = String, Path, description = "the file name, e.g. targets.tsv")),
    responses((status = 200, content_type = "text/tab-separated-values", body = String), NotFound))]
pub async fn file(
    State(state): State<AppState>,
    Path((id, name)): Path<(i64, String)>,
) -> AppResult<Response> {
    if name == crate::files::bundle::BUNDLE_FILE {
        return bundle(State(state), Path(id)).await;
    }
    let bytes = state.service.public_file(id, &name).await?;
    let disposition = format!("attachment; filename=\"task-{id}-{name}\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/tab-separated-values; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The verification bundle of a revealed task, for `opendraw verify`, sent
/// as it is read from storage. At most `--max-concurrent-downloads` are sent
/// at once; beyond that the answer is 503 with `Retry-After`.
#[utoipa::path(get, path = "/api/public/tasks/{id}/bundle.tar", tag = "public",
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, content_type = "application/x-tar", body = Vec<u8>), NotFound,
        (status = 503, description = "as many bundles are being sent as the server allows; retry after the seconds in `Retry-After`", body = super::error::ErrorBody)))]
pub async fn bundle(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let slot = state.download_slots.take()?;
    let download = state.service.public_bundle(id).await?;
    // The slot is held by the body: it is freed when the last byte is sent
    // or the client goes away.
    let bytes = download.bytes.map(move |chunk| {
        let _slot = &slot;
        chunk.inspect_err(|error| tracing::error!(%error, task = id, "sending a bundle failed"))
    });
    let disposition = format!("attachment; filename=\"task-{id}-bundle.tar\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-tar".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_LENGTH, download.length.to_string()),
        ],
        Body::from_stream(bytes),
    )
        .into_response())
}

/// The drawn targets and their inspectors, after the reveal.
#[utoipa::path(get, path = "/api/public/tasks/{id}/selection", tag = "public",
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = Vec<SelectedTarget>), NotFound))]
pub async fn selection(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<SelectedTarget>>> {
    Ok(Json(state.service.public_selection(id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LogPage {
    /// Entries after this sequence number (0: from the first).
    #[serde(default)]
    #[param(value_type = Option<i64>, minimum = 0)]
    pub after: Position,
    /// At most this many entries (1 to 1000; default 100).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<Limit<1000>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LogPageBody {
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<LogEntry>,
    /// The head when this page was read.
    pub head: LogHead,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LogHead {
    pub seq: u64,
    pub hash: String,
}

/// The public log, a page at a time, in order.
#[utoipa::path(get, path = "/api/public/log", tag = "public",
    params(LogPage),
    responses((status = 200, body = LogPageBody), Invalid))]
pub async fn log_page(
    State(state): State<AppState>,
    Query(page): Query<LogPage>,
) -> AppResult<Json<LogPageBody>> {
    let pool = state.service.store().pool();
    let limit = Limit::or_default(page.limit) as u64;
    let entries = log::page(pool, page.after.get() as u64, limit).await.map_err(ServiceError::from)?;
    let (seq, hash) = log::head(pool).await.map_err(ServiceError::from)?;
    Ok(Json(LogPageBody { entries, head: LogHead { seq, hash: hash.to_hex() } }))
}

/// The sequence number and hash of the newest entry.
#[utoipa::path(get, path = "/api/public/log/head", tag = "public",
    responses((status = 200, body = LogHead)))]
pub async fn log_head(State(state): State<AppState>) -> AppResult<Json<LogHead>> {
    let (seq, hash) = log::head(state.service.store().pool()).await.map_err(ServiceError::from)?;
    Ok(Json(LogHead { seq, hash: hash.to_hex() }))
}

/// In which committed pools an entity (by id) was, and where it was drawn
/// in revealed tasks.
#[utoipa::path(get, path = "/api/public/entities/{id}", tag = "public",
    params(("id" = String, Path, description = "the entity's id")),
    responses((status = 200, body = EntityView), NotFound))]
pub async fn entity(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Json<EntityView>> {
    Ok(Json(state.service.entity(&id).await?))
}

/// A revealed task's replacements of inspectors (PROTOCOL.md §16).
#[utoipa::path(get, path = "/api/public/tasks/{id}/replacements", tag = "public",
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = Vec<ReplacementRow>), NotFound))]
pub async fn replacements(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<ReplacementRow>>> {
    Ok(Json(state.service.public_replacements(id).await?))
}

/// Published results, newest publication first, with the fields of the
/// national credit-publicity record; corrected originals stay listed.
#[utoipa::path(get, path = "/api/public/results", tag = "public",
    params(ResultQuery),
    responses((status = 200, body = ResultPage), Invalid))]
pub async fn results(
    State(state): State<AppState>,
    Query(query): Query<ResultQuery>,
) -> AppResult<Json<ResultPage>> {
    Ok(Json(state.service.published_results(&query).await?))
}

/// Every matching published result as CSV, UTF-8 with BOM (Excel reads the
/// Chinese right); headers in Chinese, or English with `lang=en`.
#[utoipa::path(get, path = "/api/public/results.csv", tag = "public",
    params(ResultQuery),
    responses((status = 200, content_type = "text/csv", body = String), Invalid))]
pub async fn results_csv(
    State(state): State<AppState>,
    Query(query): Query<ResultQuery>,
) -> AppResult<Response> {
    let csv = state.service.published_results_csv(&query).await?;
    Ok(super::inspections::csv_response(csv, "results.csv"))
}

/// The outcome vocabulary, in order, with its wording in both languages.
#[utoipa::path(get, path = "/api/public/outcomes", tag = "public",
    responses((status = 200, body = Vec<OutcomeLabel>)))]
pub async fn outcomes() -> Json<Vec<OutcomeLabel>> {
    Json(crate::service::published::outcomes())
}

/// Results by outcome, region and risk class; draws and publications per
/// month; the on-time publication rate.
#[utoipa::path(get, path = "/api/public/statistics", tag = "public",
    responses((status = 200, body = Statistics)))]
pub async fn statistics(State(state): State<AppState>) -> AppResult<Json<Statistics>> {
    Ok(Json(state.service.statistics().await?))
}
