//! The audit trail, for admins: a page at a time as JSON, or all of it as
//! CSV (safe to open in a spreadsheet), newest first.

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::AppResult;
use super::extract::{Json, Query, Staff};
use super::openapi::{Forbidden, Invalid, Unauthorized};
use super::paging::{Limit, Position};
use crate::service::audit::AuditPage;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(page)).routes(routes!(csv))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditPaging {
    /// The `next` of the page before: entries older than this one.
    #[param(value_type = Option<i64>, minimum = 0)]
    pub after: Option<Position>,
    /// Entries per page, 1 to 1000 (default 100).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<Limit<1000>>,
}

/// A page of the audit trail, newest first (admins only).
#[utoipa::path(get, path = "/api/audit", tag = "accounts", security(("token" = [])), params(AuditPaging),
    responses((status = 200, body = AuditPage), Unauthorized, Forbidden, Invalid))]
pub async fn page(
    State(state): State<AppState>,
    Staff(user): Staff,
    Query(paging): Query<AuditPaging>,
) -> AppResult<Json<AuditPage>> {
    let after = paging.after.map(Position::get);
    Ok(Json(state.service.audit_page(&user, after, Limit::or_default(paging.limit)).await?))
}

/// The whole audit trail as CSV (UTF-8 with BOM), newest first; streamed
/// as it is read (admins only).
#[utoipa::path(get, path = "/api/audit.csv", tag = "accounts", security(("token" = [])),
    responses((status = 200, content_type = "text/csv", body = String), Unauthorized, Forbidden))]
pub async fn csv(State(state): State<AppState>, Staff(user): Staff) -> AppResult<Response> {
    let pieces = state.service.audit_csv(&user)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\""),
        ],
        Body::from_stream(pieces),
    )
        .into_response())
}
