//! What the staff console reads of the directories beside the listings:
//! recusals, the values to filter targets by, and the import templates.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::AppResult;
use super::extract::{Json, Path, Staff};
use super::openapi::{Forbidden, NotFound, Unauthorized};
use crate::service::directory_reads::{DirectoryFacets, RecusalView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(recusals)).routes(routes!(facets)).routes(routes!(template))
}

/// The recusals declared for the caller's department's inspectors.
#[utoipa::path(get, path = "/api/recusals", tag = "directories", security(("token" = [])),
    responses((status = 200, body = Vec<RecusalView>), Unauthorized, Forbidden))]
pub async fn recusals(
    State(state): State<AppState>,
    Staff(user): Staff,
) -> AppResult<Json<Vec<RecusalView>>> {
    Ok(Json(state.service.recusals(&user).await?))
}

/// The regions, industries, risk classes and flags the targets take, each
/// with how many targets take it, most frequent first (500 at most each).
#[utoipa::path(get, path = "/api/directories/facets", tag = "directories", security(("token" = [])),
    responses((status = 200, body = DirectoryFacets), Unauthorized, Forbidden))]
pub async fn facets(State(state): State<AppState>, Staff(user): Staff) -> AppResult<Json<DirectoryFacets>> {
    Ok(Json(state.service.directory_facets(&user).await?))
}

/// A CSV template for an import: the header the import reads and one
/// example row.
#[utoipa::path(get, path = "/api/templates/{file}", tag = "directories", security(("token" = [])),
    params(("file" = String, Path, description = "items.csv, targets.csv, inspectors.csv, recusals.csv or calendar.csv", example = "targets.csv")),
    responses((status = 200, content_type = "text/csv", body = String), Unauthorized, NotFound))]
pub async fn template(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(file): Path<String>,
) -> AppResult<impl IntoResponse> {
    let csv = state.service.import_template(&user, &file)?;
    let disposition = format!("attachment; filename=\"{file}\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    ))
}
