//! What anyone may read: published tasks, their files, and after the reveal
//! their results and bundles; the public log; where an entity was. Each
//! answer carries an entity tag and how long a shared cache may keep it.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::conditional;
use super::error::AppResult;
use super::extract::{Json, Path, Query};
use super::openapi::{Invalid, NotFound};
use super::paging::{Limit, Position};
use crate::service::bundles::{BUNDLE_FRESHNESS, BundleBody};
use crate::service::entity_search::{EntityMatch, SearchText};
use crate::service::public::{EntityView, FileBody, PublicTask, SelectedTarget};
use crate::service::public_answers::{Download, Freshness};
pub use crate::service::public_log::{LogHead, LogPageBody};
use crate::service::published::{OutcomeLabel, ResultPage, ResultQuery};
use crate::service::replacements::ReplacementView;
use crate::service::site::PublicSite;
use crate::service::statistics::Statistics;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tasks))
        .routes(routes!(task))
        .routes(routes!(file))
        .routes(routes!(bundle))
        .routes(routes!(selection))
        .routes(routes!(log_page))
        .routes(routes!(log_head))
        .routes(routes!(log_download))
        .routes(routes!(entity))
        .routes(routes!(entity_search))
        .routes(routes!(replacements))
        .routes(routes!(results))
        .routes(routes!(results_csv))
        .routes(routes!(outcomes))
        .routes(routes!(statistics))
        .routes(routes!(site))
}

/// The site's branding (issuing authority, contact and objection channels,
/// ICP filing number) and the departments' display names.
#[utoipa::path(get, path = "/api/public/site", tag = "public",
    responses((status = 200, body = PublicSite)))]
pub async fn site(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    Ok(conditional::json(&headers, state.service.public_site().await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskPage {
    /// Only tasks with an id below this one (the last id of the page before).
    #[param(value_type = Option<i64>, minimum = 0)]
    pub before: Option<Position>,
    /// At most this many tasks (1 to 1000); without it, every task.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<Limit<1000>>,
}

/// Published tasks (all but drafts), newest first; timelines left out.
#[utoipa::path(get, path = "/api/public/tasks", tag = "public",
    params(TaskPage),
    responses((status = 200, body = Vec<PublicTask>), Invalid))]
pub async fn tasks(
    State(state): State<AppState>,
    Query(page): Query<TaskPage>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let before = page.before.map(Position::get);
    let limit = page.limit.map(|limit| Limit::or_default(Some(limit)));
    Ok(conditional::json(&headers, state.service.public_tasks(before, limit).await?))
}

/// A published task with its timeline. The secret, seed and result status
/// appear only after the reveal.
#[utoipa::path(get, path = "/api/public/tasks/{id}", tag = "public",
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = PublicTask), NotFound))]
pub async fn task(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> AppResult<Response> {
    Ok(conditional::json(&headers, state.service.public_task(id).await?))
}

/// A published file: the manifests, parameters and commitment from the
/// commit; reveal.tsv and result.tsv after the reveal.
#[utoipa::path(get, path = "/api/public/tasks/{id}/files/{name}", tag = "public",
    params(("id" = i64, Path, description = "the task", example = 1), ("name" = String, Path, description = "the file name, e.g. targets.tsv")),
    responses((status = 200, content_type = "text/tab-separated-values", body = String), NotFound))]
pub async fn file(
    State(state): State<AppState>,
    Path((id, name)): Path<(i64, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    if name == crate::files::bundle::BUNDLE_FILE {
        return bundle(State(state), Path(id), headers).await;
    }
    let file = state.service.public_file(id, &name).await?;
    let disposition = format!("attachment; filename=\"task-{id}-{name}\"");
    let held = file.etag.as_deref().filter(|etag| conditional::holds(&headers, etag));
    let body = match file.body {
        FileBody::Kept(answer) => {
            return Ok(attachment(conditional::typed(&headers, answer, TSV), disposition));
        }
        _ if let Some(etag) = held => return Ok(conditional::not_modified(etag, file.freshness)),
        FileBody::Whole(bytes) => Body::from(bytes),
        FileBody::Pieces(pieces) => Body::from_stream(pieces.map(move |piece| {
            piece.inspect_err(|error| tracing::error!(%error, task = id, "sending a file failed"))
        })),
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, TSV.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_LENGTH, file.length.to_string()),
        ],
        body,
    )
        .into_response();
    conditional::tag(&mut response, file.etag.as_deref(), file.freshness);
    Ok(response)
}

/// The verification bundle of a revealed task, for `opendraw verify`: a
/// small one from memory, a large one sent as it is read from storage. At
/// most `--max-concurrent-downloads` large ones are sent at once; beyond
/// that the answer is 503 with `Retry-After`.
#[utoipa::path(get, path = "/api/public/tasks/{id}/bundle.tar", tag = "public",
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, content_type = "application/x-tar", body = Vec<u8>),
        (status = 304, description = "the bundle named by `If-None-Match` is still the bundle"), NotFound,
        (status = 503, description = "as many bundles are being sent as the server allows; retry after the seconds in `Retry-After`", body = super::error::ErrorBody)))]
pub async fn bundle(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let download = state.service.public_bundle(id).await?;
    let disposition = format!("attachment; filename=\"task-{id}-bundle.tar\"");
    let etag = download.etag;
    let body = match download.body {
        BundleBody::Whole(answer) => {
            return Ok(attachment(conditional::typed(&headers, answer, TAR), disposition));
        }
        _ if conditional::holds(&headers, &etag) => {
            return Ok(conditional::not_modified(&etag, BUNDLE_FRESHNESS));
        }
        BundleBody::Stream(bytes) => {
            // The slot is held by the body: it is freed when the last byte
            // is sent or the client goes away.
            let slot = state.download_slots.take()?;
            Body::from_stream(bytes.map(move |chunk| {
                let _slot = &slot;
                chunk.inspect_err(|error| tracing::error!(%error, task = id, "sending a bundle failed"))
            }))
        }
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, TAR.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_LENGTH, download.length.to_string()),
        ],
        body,
    )
        .into_response();
    conditional::tag(&mut response, Some(&etag), BUNDLE_FRESHNESS);
    Ok(response)
}

/// The drawn targets and their inspectors, after the reveal.
#[utoipa::path(get, path = "/api/public/tasks/{id}/selection", tag = "public",
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = Vec<SelectedTarget>), NotFound))]
pub async fn selection(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> AppResult<Response> {
    Ok(conditional::json(&headers, state.service.public_selection_answer(id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogPage {
    /// Entries after this sequence number (0: from the first).
    #[serde(default)]
    #[param(value_type = Option<i64>, minimum = 0)]
    pub after: Position,
    /// At most this many entries (1 to 1000; default 100).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<Limit<1000>>,
}

/// The public log, a page at a time, in order. A full page is closed (its
/// entries never change) and may be kept by a shared cache.
#[utoipa::path(get, path = "/api/public/log", tag = "public",
    params(LogPage),
    responses((status = 200, body = LogPageBody), Invalid))]
pub async fn log_page(
    State(state): State<AppState>,
    Query(page): Query<LogPage>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let limit = Limit::or_default(page.limit) as u64;
    Ok(conditional::json(&headers, state.service.log_page(page.after.get() as u64, limit).await?))
}

/// The sequence number and hash of the newest entry.
#[utoipa::path(get, path = "/api/public/log/head", tag = "public",
    responses((status = 200, body = LogHead)))]
pub async fn log_head(State(state): State<AppState>) -> AppResult<Json<LogHead>> {
    Ok(Json(state.service.log_head().await?))
}

/// The whole public log, one entry (as in `/api/public/log`) a line, in
/// order. A short log comes with an `ETag` (304 while the log has not
/// grown); a long one is streamed, so it may be as long as it is.
#[utoipa::path(get, path = "/api/public/log.jsonl", tag = "public",
    responses((status = 200, content_type = "application/jsonl", body = String),
        (status = 304, description = "the log named by `If-None-Match` is still the whole log")))]
pub async fn log_download(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let download = state.service.log_download().await?;
    Ok(download_response(&headers, download, "application/jsonl", "log.jsonl"))
}

/// In which committed pools an entity (by id) was, and where it was drawn
/// in revealed tasks.
#[utoipa::path(get, path = "/api/public/entities/{id}", tag = "public",
    params(("id" = String, Path, description = "the entity's id")),
    responses((status = 200, body = EntityView), NotFound))]
pub async fn entity(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    Ok(conditional::json(&headers, state.service.entity(&id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EntitySearch {
    /// The start of an entity's code, or part of its name (1 to 100 characters).
    #[param(value_type = String, min_length = 1, max_length = 100, example = "超市")]
    pub q: SearchText,
    /// At most this many entities (1 to 50); default 20.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 50)]
    pub limit: Option<Limit<50>>,
}

/// Entities whose code starts with `q`, then those whose name holds it
/// (names starting with it first). Only code and name: whether an entity
/// was drawn is on its page, under the same rules as there.
#[utoipa::path(get, path = "/api/public/entities", tag = "public",
    params(EntitySearch),
    responses((status = 200, body = Vec<EntityMatch>), Invalid))]
pub async fn entity_search(
    State(state): State<AppState>,
    Query(search): Query<EntitySearch>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let limit = search.limit.map_or(20, |limit| Limit::or_default(Some(limit)));
    Ok(conditional::json(&headers, state.service.search_entities(&search.q, limit).await?))
}

/// A revealed task's replacements of inspectors (PROTOCOL.md §16).
#[utoipa::path(get, path = "/api/public/tasks/{id}/replacements", tag = "public",
    params(("id" = i64, Path, description = "the task", example = 1)),
    responses((status = 200, body = Vec<ReplacementView>), NotFound))]
pub async fn replacements(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> AppResult<Response> {
    Ok(conditional::json(&headers, state.service.public_replacements(id).await?))
}

/// Published results, newest publication first, with the fields of the
/// national credit-publicity record; corrected originals stay listed.
#[utoipa::path(get, path = "/api/public/results", tag = "public",
    params(ResultQuery),
    responses((status = 200, body = ResultPage), Invalid))]
pub async fn results(
    State(state): State<AppState>,
    Query(query): Query<ResultQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    Ok(conditional::json(&headers, state.service.published_results(&query).await?))
}

/// Every matching published result as CSV, UTF-8 with BOM (Excel reads the
/// Chinese right); headers in Chinese, or English with `lang=en`. A short
/// export comes with an `ETag` (304 while it holds); a long one is streamed
/// as it is read.
#[utoipa::path(get, path = "/api/public/results.csv", tag = "public",
    params(ResultQuery),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 304, description = "the export named by `If-None-Match` still holds"), Invalid))]
pub async fn results_csv(
    State(state): State<AppState>,
    Query(query): Query<ResultQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let download = state.service.published_results_csv(query).await?;
    Ok(download_response(&headers, download, "text/csv; charset=utf-8", "results.csv"))
}

/// A download as an attachment named `file`: a kept one with its length
/// and entity tag (304 when `If-None-Match` names it), a long one streamed
/// as it is read. Either may change at any moment, so a cache asks again.
fn download_response(
    request: &HeaderMap,
    download: Download,
    content_type: &'static str,
    file: &str,
) -> Response {
    let disposition = format!("attachment; filename=\"{file}\"");
    let pieces = match download {
        Download::Whole(answer) => {
            return attachment(conditional::typed(request, answer, content_type), disposition);
        }
        Download::Stream(pieces) => pieces,
    };
    let mut response = (
        [(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        Body::from_stream(pieces),
    )
        .into_response();
    conditional::tag(&mut response, None, Freshness::Live);
    response
}

const TSV: &str = "text/tab-separated-values; charset=utf-8";
const TAR: &str = "application/x-tar";

/// The response offered as a file to save, named by `disposition`.
fn attachment(mut response: Response, disposition: String) -> Response {
    if let Ok(value) = header::HeaderValue::from_str(&disposition) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The outcome vocabulary, in order, with its wording in both languages.
#[utoipa::path(get, path = "/api/public/outcomes", tag = "public",
    responses((status = 200, body = Vec<OutcomeLabel>)))]
pub async fn outcomes() -> Json<Vec<OutcomeLabel>> {
    Json(crate::service::published::outcomes())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatisticsQuery {
    /// Only this year (2000 to 2100): results by their year of publication,
    /// draws by theirs. Without it, all years.
    #[param(value_type = Option<i32>, minimum = 2000, maximum = 2100)]
    pub year: Option<Year>,
}

/// A calendar year the statistics may be asked for.
#[derive(Debug, Clone, Copy)]
pub struct Year(i32);

impl<'de> Deserialize<'de> for Year {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.parse::<i32>() {
            Ok(year) if (2000..=2100).contains(&year) => Ok(Year(year)),
            _ => Err(serde::de::Error::custom("must be a year from 2000 to 2100")),
        }
    }
}

/// Results by outcome, region, risk class, department, item and plan;
/// draws and publications per month; the on-time publication rate; the
/// share of the pools drawn, by department and plan; of one year or all.
#[utoipa::path(get, path = "/api/public/statistics", tag = "public",
    params(StatisticsQuery),
    responses((status = 200, body = Statistics), Invalid))]
pub async fn statistics(
    State(state): State<AppState>,
    Query(query): Query<StatisticsQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let year = query.year.map(|Year(year)| year);
    Ok(conditional::json(&headers, state.service.statistics(year).await?))
}
