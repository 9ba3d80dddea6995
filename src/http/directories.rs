//! The directories, for supervisors: bulk CSV imports (all or nothing,
//! upsert by id, a bounded number at once) and listings.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{Json, Path, Query, Staff};
use super::limits::Upload;
use super::openapi::{Busy, Forbidden, Invalid, NotFound, NotJson, TooLarge, Unauthorized};
use super::paging::Limit;
use crate::domain::account::User;
use crate::domain::records::{CalendarRecord, InspectorRecord, ItemRecord, RecusalRecord, TargetRecord};
use crate::service::calendar::{CalendarDay, CalendarEntry};
use crate::service::directories::{InspectorView, ItemView, TargetQuery, TargetView};
use crate::service::frequency_caps::{FrequencyCapSetting, ItemFrequencyCap};
use crate::service::imports::{ImportSummary, Importable};
use crate::service::risk_classes::{self, RiskClassMapping, RiskClassSummary};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(items))
        .routes(routes!(import_items))
        .routes(routes!(set_frequency_cap))
        .routes(routes!(targets))
        .routes(routes!(import_targets))
        .routes(routes!(import_risk_classes))
        .routes(routes!(inspectors))
        .routes(routes!(import_inspectors))
        .routes(routes!(import_recusals))
        .routes(routes!(calendar))
        .routes(routes!(import_calendar))
        .routes(routes!(set_calendar_day, remove_calendar_day))
}

async fn import<T: Importable>(
    state: &AppState,
    user: &User,
    upload: Upload,
) -> AppResult<Json<ImportSummary>> {
    // Held until the import ends: imports at once are bounded.
    let _permit = state.limits.imports.try_acquire()?;
    let name = format!("{}.csv", T::KIND);
    let limit = upload.limit();
    let service = state.service.from_address(upload.client());
    let (reader, overflow) = upload.into_reader();
    match service.import::<T>(user, name, reader).await {
        // The import stopped at the limit and wrote nothing.
        Err(_) if overflow.happened() => Err(AppError::payload_too_large(limit)),
        summary => {
            let summary = summary?;
            state.metrics.imported(T::KIND);
            Ok(Json(summary))
        }
    }
}

/// Imports inspection items (CSV: code, name, department, [legal_basis,
/// target_category, sampling_ratio, frequency, frequency_cap]) of the
/// caller's department. An item's row is replaced whole: a file without
/// `frequency_cap` leaves its items uncapped.
#[utoipa::path(post, path = "/api/items/import", tag = "directories", security(("token" = [])), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportSummary), Unauthorized, Forbidden, TooLarge, Invalid, Busy))]
pub async fn import_items(
    State(state): State<AppState>,
    Staff(user): Staff,
    upload: Upload,
) -> AppResult<Json<ImportSummary>> {
    import::<ItemRecord>(&state, &user, upload).await
}

/// Sets or clears the frequency cap of an item of the caller's department:
/// at most this many draws of one target for the item in a calendar year,
/// applied to the pools of the department's later tasks (PROTOCOL.md §17).
#[utoipa::path(put, path = "/api/items/{code}/frequency-cap", tag = "directories", security(("token" = [])), request_body = FrequencyCapSetting,
    params(("code" = String, Path, description = "the item's code")),
    responses((status = 200, body = ItemFrequencyCap), Unauthorized, Forbidden, NotFound, TooLarge, NotJson, Invalid))]
pub async fn set_frequency_cap(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(code): Path<String>,
    Json(setting): Json<FrequencyCapSetting>,
) -> AppResult<Json<ItemFrequencyCap>> {
    Ok(Json(state.service.set_frequency_cap(&user, &code, setting).await?))
}

/// Imports targets (CSV: id, name, region, risk_class, [industry, unit,
/// flags, last_inspected]) into the shared target directory.
#[utoipa::path(post, path = "/api/targets/import", tag = "directories", security(("token" = [])), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportSummary), Unauthorized, Forbidden, TooLarge, Invalid, Busy))]
pub async fn import_targets(
    State(state): State<AppState>,
    Staff(user): Staff,
    upload: Upload,
) -> AppResult<Json<ImportSummary>> {
    import::<TargetRecord>(&state, &user, upload).await
}

/// How the credit system's file is read (`map` may be repeated).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RiskClassColumns {
    /// The header of the column holding the targets' codes (统一社会信用代码).
    pub code_column: String,
    /// The header of the column holding their classes (信用风险分类结果).
    pub class_column: String,
    /// `label:class`, one per label (e.g. `甲类:A`), the class one of A, B,
    /// C, D; when given, every label of the file must be mapped. None: each
    /// label is the class itself.
    #[param(explode, style = Form)]
    pub map: Option<Vec<String>>,
}

/// The mapping from the query string, read by hand: `map` repeats, which
/// the query extractor does not take.
fn risk_class_mapping(query: Option<&str>) -> RiskClassMapping {
    let mut mapping = RiskClassMapping::default();
    for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "code_column" => mapping.code_column = value.trim().to_owned(),
            "class_column" => mapping.class_column = value.trim().to_owned(),
            "map" => mapping.map.push(value.into_owned()),
            _ if mapping.unknown.is_some() => {}
            other => mapping.unknown = Some(other.to_owned()),
        }
    }
    mapping
}

/// Sets the risk class (A to D) of the caller's department's targets from
/// an export of the enterprise credit system (CSV, its own headers and
/// labels), matched by code; all or nothing. A row naming a target the
/// department does not keep, an unmapped label or a class not A to D
/// refuses the file, its rows listed by line.
#[utoipa::path(post, path = "/api/targets/risk-classes", tag = "directories", security(("token" = [])), request_body(content = String, content_type = "text/csv"),
    params(RiskClassColumns),
    responses((status = 200, body = RiskClassSummary), Unauthorized, Forbidden, TooLarge, Invalid, Busy))]
pub async fn import_risk_classes(
    State(state): State<AppState>,
    Staff(user): Staff,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    upload: Upload,
) -> AppResult<Json<RiskClassSummary>> {
    let mapping = risk_class_mapping(query.as_deref());
    // Held until the import ends, as any import's.
    let _permit = state.limits.imports.try_acquire()?;
    let limit = upload.limit();
    let service = state.service.from_address(upload.client());
    let (reader, overflow) = upload.into_reader();
    let name = format!("{}.csv", risk_classes::KIND);
    match service.import_risk_classes(&user, &mapping, name, reader).await {
        Err(_) if overflow.happened() => Err(AppError::payload_too_large(limit)),
        summary => {
            let summary = summary?;
            state.metrics.imported(risk_classes::KIND);
            Ok(Json(summary))
        }
    }
}

/// Imports inspectors of the caller's department (CSV: id, name,
/// department, unit, region, items, certificate_expires, [certificate_no, active]).
#[utoipa::path(post, path = "/api/inspectors/import", tag = "directories", security(("token" = [])), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportSummary), Unauthorized, Forbidden, TooLarge, Invalid, Busy))]
pub async fn import_inspectors(
    State(state): State<AppState>,
    Staff(user): Staff,
    upload: Upload,
) -> AppResult<Json<ImportSummary>> {
    import::<InspectorRecord>(&state, &user, upload).await
}

/// Imports declared recusals (CSV: inspector_id, target_id, [reason]).
#[utoipa::path(post, path = "/api/recusals/import", tag = "directories", security(("token" = [])), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportSummary), Unauthorized, Forbidden, TooLarge, Invalid, Busy))]
pub async fn import_recusals(
    State(state): State<AppState>,
    Staff(user): Staff,
    upload: Upload,
) -> AppResult<Json<ImportSummary>> {
    import::<RecusalRecord>(&state, &user, upload).await
}

#[utoipa::path(get, path = "/api/items", tag = "directories", security(("token" = [])),
    responses((status = 200, body = Vec<ItemView>), Unauthorized, Forbidden))]
pub async fn items(State(state): State<AppState>, Staff(user): Staff) -> AppResult<Json<Vec<ItemView>>> {
    Ok(Json(state.service.items(&user).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// Ids after this one (bytewise); empty for the first page.
    #[serde(default)]
    pub after: String,
    /// At most this many rows (1 to 1000; default 100).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<Limit<1000>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetFilter {
    /// The start of an id, or a part of a name (at most 200 bytes).
    pub q: Option<String>,
    /// Only targets of this region.
    pub region: Option<String>,
    /// Only targets of this industry.
    pub industry: Option<String>,
    /// Only targets of this credit/risk class.
    pub risk_class: Option<String>,
}

/// Targets in id order, a page at a time; searched and filtered when asked.
#[utoipa::path(get, path = "/api/targets", tag = "directories", security(("token" = [])),
    params(Page, TargetFilter),
    responses((status = 200, body = Vec<TargetView>), Unauthorized, Forbidden, Invalid))]
pub async fn targets(
    State(state): State<AppState>,
    Staff(user): Staff,
    Query(page): Query<Page>,
    Query(filter): Query<TargetFilter>,
) -> AppResult<Json<Vec<TargetView>>> {
    let limit = Limit::or_default(page.limit);
    let search = TargetQuery {
        q: filter.q,
        region: filter.region,
        industry: filter.industry,
        risk_class: filter.risk_class,
    };
    Ok(Json(state.service.targets(&user, &search, &page.after, limit).await?))
}

/// The inspectors of the caller's department.
#[utoipa::path(get, path = "/api/inspectors", tag = "directories", security(("token" = [])),
    responses((status = 200, body = Vec<InspectorView>), Unauthorized, Forbidden))]
pub async fn inspectors(
    State(state): State<AppState>,
    Staff(user): Staff,
) -> AppResult<Json<Vec<InspectorView>>> {
    Ok(Json(state.service.inspectors(&user).await?))
}

/// Imports calendar days (CSV: date, kind = holiday or workday, [name]):
/// public holidays, and the weekend days worked in their place.
#[utoipa::path(post, path = "/api/calendar/import", tag = "directories", security(("token" = [])), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportSummary), Unauthorized, Forbidden, TooLarge, Invalid, Busy))]
pub async fn import_calendar(
    State(state): State<AppState>,
    Staff(user): Staff,
    upload: Upload,
) -> AppResult<Json<ImportSummary>> {
    import::<CalendarRecord>(&state, &user, upload).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Year {
    /// Only this year's entries (1 to 9999).
    #[param(minimum = 1, maximum = 9999)]
    pub year: Option<i32>,
}

/// The calendar's holidays and make-up working days.
#[utoipa::path(get, path = "/api/calendar", tag = "directories", security(("token" = [])),
    params(Year),
    responses((status = 200, body = Vec<CalendarDay>), Unauthorized, Forbidden, Invalid))]
pub async fn calendar(
    State(state): State<AppState>,
    Staff(user): Staff,
    Query(year): Query<Year>,
) -> AppResult<Json<Vec<CalendarDay>>> {
    Ok(Json(state.service.calendar(&user, year.year).await?))
}

/// Sets one day of the calendar.
#[utoipa::path(put, path = "/api/calendar/{date}", tag = "directories", security(("token" = [])), request_body = CalendarEntry,
    params(("date" = String, Path, description = "the day, YYYY-MM-DD")),
    responses((status = 200, body = CalendarDay), Unauthorized, Forbidden, TooLarge, NotJson, Invalid))]
pub async fn set_calendar_day(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(date): Path<String>,
    Json(entry): Json<CalendarEntry>,
) -> AppResult<Json<CalendarDay>> {
    Ok(Json(state.service.set_calendar_day(&user, &date, entry).await?))
}

/// Makes a day ordinary again.
#[utoipa::path(delete, path = "/api/calendar/{date}", tag = "directories", security(("token" = [])),
    params(("date" = String, Path, description = "the day, YYYY-MM-DD")),
    responses((status = 204), Unauthorized, Forbidden, NotFound, Invalid))]
pub async fn remove_calendar_day(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(date): Path<String>,
) -> AppResult<axum::http::StatusCode> {
    state.service.remove_calendar_day(&user, &date).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
