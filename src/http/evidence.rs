//! Checklists and evidence over HTTP: supervisors import items' checklists
//! (检查表) and staff read them; the team attaches files to its result
//! while it is editable, and the team and the result's reviewers read
//! them. No route here is public: a file is sent only to a signed-in
//! caller who may see its result, marked so that a browser neither runs
//! nor caches it.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{Json, Path, Query, Staff};
use super::limits::read_bounded;
use super::openapi::{Conflict, Forbidden, Invalid, NotFound, NotJson, TooLarge, Unauthorized};
use crate::domain::evidence::{MAX_ATTACHMENT_BYTES, MediaType};
use crate::service::checklists::{ChecklistPoint, MAX_CHECKLIST_FILE_BYTES};
use crate::service::imports::ImportSummary;
use crate::service::results::{AttachmentFile, AttachmentView, ResultKey};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_checklists))
        .routes(routes!(checklist))
        .routes(routes!(attach))
        .routes(routes!(my_attachment, detach))
        .routes(routes!(result_attachment))
}

/// Imports items' checklists (CSV: item_code, number, point, legal_basis,
/// method): each item named gets the file's points as its whole checklist.
/// All or nothing; an item that does not exist or is another department's
/// refuses the file, naming the line.
#[utoipa::path(post, path = "/api/checklists/import", tag = "directories", security(("token" = [])), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportSummary), Unauthorized, Forbidden, TooLarge, Invalid))]
pub async fn import_checklists(
    State(state): State<AppState>,
    Staff(user): Staff,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Json<ImportSummary>> {
    let csv = read_bounded(body, &headers, MAX_CHECKLIST_FILE_BYTES).await?;
    Ok(Json(state.service.import_checklists(&user, &csv).await?))
}

/// The checklist of an item, in order (empty when it has none).
#[utoipa::path(get, path = "/api/items/{code}/checklist", tag = "directories", security(("token" = [])),
    params(("code" = String, Path, description = "the item's code")),
    responses((status = 200, body = Vec<ChecklistPoint>), Unauthorized, Forbidden, NotFound))]
pub async fn checklist(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(code): Path<String>,
) -> AppResult<Json<Vec<ChecklistPoint>>> {
    Ok(Json(state.service.checklist(&user, &code).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachmentName {
    /// The file's name: 1 to 200 characters, no path separators.
    pub name: String,
}

type KeyPath = Path<(i64, String, String)>;

fn key(path: &(i64, String, String)) -> ResultKey<'_> {
    ResultKey { task: path.0, target: &path.1, item: &path.2 }
}

/// Attaches a file (the body, at most 10 MiB) to the caller's team's
/// result while it is a draft or returned; a step `attached` records its
/// SHA-256. JPEG, PNG, WebP or PDF, the bytes matching the type.
#[utoipa::path(post, path = "/api/me/results/{task}/{target}/{item}/attachments", tag = "inspections", security(("token" = [])),
    request_body(content(("image/jpeg"), ("image/png"), ("image/webp"), ("application/pdf"))),
    params(("task" = i64, Path, description = "the task", example = 1), ("target" = String, Path, description = "the target's id"), ("item" = String, Path, description = "the item's code"), AttachmentName),
    responses((status = 201, body = AttachmentView), Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Invalid))]
pub async fn attach(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(path): KeyPath,
    Query(query): Query<AttachmentName>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Response> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("");
    let media_type = MediaType::parse(content_type).ok_or_else(|| {
        AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_attachment_type",
            format!(
                "'{content_type}' is not a type of evidence accepted; send {}",
                MediaType::ALL.map(MediaType::as_str).join(", ")
            ),
        )
    })?;
    let bytes = read_bounded(body, &headers, MAX_ATTACHMENT_BYTES).await?;
    let view = state.service.attach(&user, key(&path), &query.name, media_type, &bytes).await?;
    Ok((StatusCode::CREATED, axum::Json(view)).into_response())
}

/// A file of the caller's team's result.
#[utoipa::path(get, path = "/api/me/results/{task}/{target}/{item}/attachments/{id}", tag = "inspections", security(("token" = [])),
    params(("task" = i64, Path, description = "the task", example = 1), ("target" = String, Path, description = "the target's id"), ("item" = String, Path, description = "the item's code"), ("id" = i64, Path, description = "the attachment")),
    responses((status = 200, description = "the file, with the type it was uploaded with", content(("image/jpeg"), ("image/png"), ("image/webp"), ("application/pdf"))), Unauthorized, Forbidden, NotFound, Conflict))]
pub async fn my_attachment(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(path): Path<(i64, String, String, i64)>,
) -> AppResult<Response> {
    let key = ResultKey { task: path.0, target: &path.1, item: &path.2 };
    Ok(file_response(state.service.my_attachment(&user, key, path.3).await?))
}

/// Removes a file from a draft never submitted; afterwards 409
/// `attachment_kept`. A step `detached` records it.
#[utoipa::path(delete, path = "/api/me/results/{task}/{target}/{item}/attachments/{id}", tag = "inspections", security(("token" = [])),
    params(("task" = i64, Path, description = "the task", example = 1), ("target" = String, Path, description = "the target's id"), ("item" = String, Path, description = "the item's code"), ("id" = i64, Path, description = "the attachment")),
    responses((status = 204, description = "removed"), Unauthorized, Forbidden, NotFound, Conflict))]
pub async fn detach(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(path): Path<(i64, String, String, i64)>,
) -> AppResult<StatusCode> {
    let key = ResultKey { task: path.0, target: &path.1, item: &path.2 };
    state.service.detach(&user, key, path.3).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A file of a result the caller reviews.
#[utoipa::path(get, path = "/api/results/{id}/attachments/{attachment}", tag = "inspections", security(("token" = [])),
    params(("id" = i64, Path, description = "the result", example = 1), ("attachment" = i64, Path, description = "the attachment")),
    responses((status = 200, description = "the file, with the type it was uploaded with", content(("image/jpeg"), ("image/png"), ("image/webp"), ("application/pdf"))), Unauthorized, Forbidden, NotFound))]
pub async fn result_attachment(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path((id, attachment)): Path<(i64, i64)>,
) -> AppResult<Response> {
    Ok(file_response(state.service.result_attachment(&user, id, attachment).await?))
}

/// The file, shown inline but never run: a sandboxed, script-free
/// document that the browser does not sniff or keep.
fn file_response(file: AttachmentFile) -> Response {
    let content_type = HeaderValue::from_str(&file.media_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition =
        HeaderValue::from_str(&format!("inline; filename*=UTF-8''{}", encode_filename(&file.name)))
            .unwrap_or(HeaderValue::from_static("inline"));
    let mut response = Body::from(file.bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

/// A file name as RFC 8187 writes it in `filename*`: every byte but the
/// few unreserved ones percent-encoded.
fn encode_filename(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_percent_encoded_for_the_disposition() {
        assert_eq!(super::encode_filename("门头 1.jpg"), "%E9%97%A8%E5%A4%B4%201.jpg");
        assert_eq!(super::encode_filename("a\"b;c"), "a%22b%3Bc");
    }
}
