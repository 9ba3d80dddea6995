//! Accounts: who is calling, an inspector's assignments, and account
//! management for admins.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{Json, Path, Staff};
use super::openapi::{Conflict, Forbidden, Invalid, NotFound, NotJson, TooLarge, Unauthorized};
use crate::domain::account::{Role, User};
use crate::service::accounts::IssuedToken;
use crate::service::assignments::Assignment;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(my_assignments))
        .routes(routes!(list, create))
        .routes(routes!(rotate))
        .routes(routes!(disable))
}

/// The account making the request.
#[utoipa::path(get, path = "/api/me", tag = "accounts", security(("token" = [])),
    responses((status = 200, body = User), Unauthorized))]
pub async fn me(Staff(user): Staff) -> Json<User> {
    Json(user)
}

/// The caller's assigned targets (inspectors only), from the draw on.
#[utoipa::path(get, path = "/api/me/assignments", tag = "accounts", security(("token" = [])),
    responses((status = 200, body = Vec<Assignment>), Unauthorized, Forbidden))]
pub async fn my_assignments(
    State(state): State<AppState>,
    Staff(user): Staff,
) -> AppResult<Json<Vec<Assignment>>> {
    Ok(Json(state.service.my_assignments(&user).await?))
}

#[utoipa::path(get, path = "/api/users", tag = "accounts", security(("token" = [])),
    responses((status = 200, body = Vec<User>), Unauthorized, Forbidden))]
pub async fn list(State(state): State<AppState>, Staff(user): Staff) -> AppResult<Json<Vec<User>>> {
    Ok(Json(state.service.users(&user).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    /// admin, supervisor or inspector.
    pub role: String,
    /// A supervisor's department.
    pub department: Option<String>,
    /// An inspector account's id in the inspector directory.
    pub inspector_id: Option<String>,
}

/// Creates an account (admins only); the token is in this answer only.
#[utoipa::path(post, path = "/api/users", tag = "accounts", security(("token" = [])), request_body = NewUser,
    responses((status = 201, body = IssuedToken), Unauthorized, Forbidden, Conflict, TooLarge, NotJson, Invalid))]
pub async fn create(
    State(state): State<AppState>,
    Staff(user): Staff,
    Json(body): Json<NewUser>,
) -> AppResult<(StatusCode, Json<IssuedToken>)> {
    let role = Role::parse(&body.role).ok_or_else(|| {
        AppError::bad_request("invalid_user", Some("role"), "role must be admin, supervisor or inspector")
    })?;
    let issued = state
        .service
        .add_user(Some(&user), &body.name, role, body.department.as_deref(), body.inspector_id.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// Replaces an account's token (admins only); the old one stops working.
#[utoipa::path(post, path = "/api/users/{id}/token", tag = "accounts", security(("token" = [])),
    params(("id" = i64, Path, description = "the account", example = 1)),
    responses((status = 200, body = String, content_type = "application/json", description = "the new token, shown only in this answer"), Unauthorized, Forbidden, NotFound))]
pub async fn rotate(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
) -> AppResult<Json<String>> {
    Ok(Json(state.service.rotate_token(&user, id).await?))
}

/// Disables an account (admins only).
#[utoipa::path(delete, path = "/api/users/{id}", tag = "accounts", security(("token" = [])),
    params(("id" = i64, Path, description = "the account", example = 1)),
    responses((status = 204), Unauthorized, Forbidden, NotFound, Conflict))]
pub async fn disable(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    state.service.disable_user(&user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
