//! The site's own settings for the console: departments' display names
//! (every staff member reads them, admins set them) and the branding
//! (admins). What the public sees of them is `GET /api/public/site`.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::AppResult;
use super::extract::{ClientService, Json, Path, Staff};
use super::openapi::{Forbidden, Invalid, NotFound, NotJson, TooLarge, Unauthorized};
use crate::service::site::{Branding, DepartmentNames, DepartmentView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(departments))
        .routes(routes!(set_department))
        .routes(routes!(branding, set_branding))
}

/// Every known department (in use by an account, item, inspector or task,
/// or given names), with its display names; empty names when none were given.
#[utoipa::path(get, path = "/api/departments", tag = "accounts", security(("token" = [])),
    responses((status = 200, body = Vec<DepartmentView>), Unauthorized))]
pub async fn departments(
    State(state): State<AppState>,
    Staff(user): Staff,
) -> AppResult<Json<Vec<DepartmentView>>> {
    Ok(Json(state.service.departments(&user).await?))
}

/// Gives a known department its display names (admins).
#[utoipa::path(put, path = "/api/departments/{code}", tag = "accounts", security(("token" = [])), request_body = DepartmentNames,
    params(("code" = String, Path, description = "the department", example = "market")),
    responses((status = 200, body = DepartmentView), Unauthorized, Forbidden, NotFound, TooLarge, NotJson, Invalid))]
pub async fn set_department(
    ClientService(service): ClientService,
    Staff(user): Staff,
    Path(code): Path<String>,
    Json(names): Json<DepartmentNames>,
) -> AppResult<Json<DepartmentView>> {
    Ok(Json(service.set_department_names(&user, &code, &names).await?))
}

/// The site's branding (admins).
#[utoipa::path(get, path = "/api/settings/branding", tag = "accounts", security(("token" = [])),
    responses((status = 200, body = Branding), Unauthorized, Forbidden))]
pub async fn branding(State(state): State<AppState>, Staff(user): Staff) -> AppResult<Json<Branding>> {
    Ok(Json(state.service.branding(&user).await?))
}

/// Replaces the site's branding (admins); shown on the public site at once.
#[utoipa::path(put, path = "/api/settings/branding", tag = "accounts", security(("token" = [])), request_body = Branding,
    responses((status = 200, body = Branding), Unauthorized, Forbidden, TooLarge, NotJson, Invalid))]
pub async fn set_branding(
    ClientService(service): ClientService,
    Staff(user): Staff,
    Json(branding): Json<Branding>,
) -> AppResult<Json<Branding>> {
    Ok(Json(service.set_branding(&user, &branding).await?))
}
