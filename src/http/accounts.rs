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
use super::extract::{ClientService, Json, Path, Staff, StaffSession};
use super::openapi::{Conflict, Forbidden, Invalid, NotFound, NotJson, TooLarge, Unauthorized};
use crate::domain::account::{Role, User};
use crate::service::account_changes::{Account, AccountChange};
use crate::service::accounts::IssuedToken;
use crate::service::assignments::Assignment;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(change_my_password))
        .routes(routes!(my_assignments))
        .routes(routes!(list, create))
        .routes(routes!(rotate))
        .routes(routes!(change, disable))
        .routes(routes!(reset_password))
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// 10 to 256 characters, not the account's name, not a common password.
    pub new_password: String,
}

/// Changes the caller's password; the caller's other sessions end (the
/// one this request came with, if any, stays). A wrong current password is
/// 422 `bad_credentials` on `current_password`; a weak new one 422
/// `weak_password` on `new_password`.
#[utoipa::path(put, path = "/api/me/password", tag = "accounts", security(("token" = [])), request_body = PasswordChange,
    responses((status = 204), Unauthorized, Forbidden, TooLarge, NotJson, Invalid))]
pub async fn change_my_password(
    ClientService(service): ClientService,
    StaffSession { user, session }: StaffSession,
    Json(body): Json<PasswordChange>,
) -> AppResult<StatusCode> {
    service.change_own_password(&user, session.as_ref(), &body.current_password, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every account, disabled ones too (admins only).
#[utoipa::path(get, path = "/api/users", tag = "accounts", security(("token" = [])),
    responses((status = 200, body = Vec<Account>), Unauthorized, Forbidden))]
pub async fn list(State(state): State<AppState>, Staff(user): Staff) -> AppResult<Json<Vec<Account>>> {
    Ok(Json(state.service.accounts(&user).await?))
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
    /// A password to sign in with (10 to 256 characters, not the name,
    /// not a common password); without one, the account has its token only.
    pub password: Option<String>,
}

/// Creates an account (admins only); the token is in this answer only.
#[utoipa::path(post, path = "/api/users", tag = "accounts", security(("token" = [])), request_body = NewUser,
    responses((status = 201, body = IssuedToken), Unauthorized, Forbidden, Conflict, TooLarge, NotJson, Invalid))]
pub async fn create(
    ClientService(service): ClientService,
    Staff(user): Staff,
    Json(body): Json<NewUser>,
) -> AppResult<(StatusCode, Json<IssuedToken>)> {
    let role = parse_role(&body.role)?;
    let issued = service
        .add_user_with_password(
            Some(&user),
            &body.name,
            role,
            body.department.as_deref(),
            body.inspector_id.as_deref(),
            body.password.as_deref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// Replaces an account's token (admins only); the old one stops working.
#[utoipa::path(post, path = "/api/users/{id}/token", tag = "accounts", security(("token" = [])),
    params(("id" = i64, Path, description = "the account", example = 1)),
    responses((status = 200, body = String, content_type = "application/json", description = "the new token, shown only in this answer"), Unauthorized, Forbidden, NotFound))]
pub async fn rotate(
    ClientService(service): ClientService,
    Staff(user): Staff,
    Path(id): Path<i64>,
) -> AppResult<Json<String>> {
    Ok(Json(service.rotate_token(&user, id).await?))
}

/// Disables an account (admins only).
#[utoipa::path(delete, path = "/api/users/{id}", tag = "accounts", security(("token" = [])),
    params(("id" = i64, Path, description = "the account", example = 1)),
    responses((status = 204), Unauthorized, Forbidden, NotFound, Conflict))]
pub async fn disable(
    ClientService(service): ClientService,
    Staff(user): Staff,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    service.disable_user(&user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn parse_role(role: &str) -> AppResult<Role> {
    Role::parse(role).ok_or_else(|| {
        AppError::bad_request("invalid_user", Some("role"), "role must be admin, supervisor or inspector")
    })
}

/// A field that may be absent (left as it is), null (cleared) or a value.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    /// admin, supervisor or inspector.
    pub role: Option<String>,
    /// A supervisor's department; null clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub department: Option<Option<String>>,
    /// An inspector account's id in the inspector directory; null clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub inspector_id: Option<Option<String>>,
    /// A disabled account cannot authenticate; its sessions end at once.
    pub disabled: Option<bool>,
}

/// Changes an account's role, department, inspector or disabled flag
/// (admins only); never leaves no enabled admin (409 `last_admin`).
#[utoipa::path(patch, path = "/api/users/{id}", tag = "accounts", security(("token" = [])), request_body = AccountPatch,
    params(("id" = i64, Path, description = "the account", example = 1)),
    responses((status = 200, body = Account), Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotJson, Invalid))]
pub async fn change(
    ClientService(service): ClientService,
    Staff(user): Staff,
    Path(id): Path<i64>,
    Json(body): Json<AccountPatch>,
) -> AppResult<Json<Account>> {
    let change = AccountChange {
        role: body.role.as_deref().map(parse_role).transpose()?,
        department: body.department,
        inspector_id: body.inspector_id,
        disabled: body.disabled,
    };
    Ok(Json(service.change_account(&user, id, change).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// 10 to 256 characters, not the account's name, not a common password.
    pub password: String,
}

/// Sets an account's password (admins only); its sessions end.
#[utoipa::path(put, path = "/api/users/{id}/password", tag = "accounts", security(("token" = [])), request_body = PasswordReset,
    params(("id" = i64, Path, description = "the account", example = 1)),
    responses((status = 204), Unauthorized, Forbidden, NotFound, TooLarge, NotJson, Invalid))]
pub async fn reset_password(
    ClientService(service): ClientService,
    Staff(user): Staff,
    Path(id): Path<i64>,
    Json(body): Json<PasswordReset>,
) -> AppResult<StatusCode> {
    service.reset_password(Some(&user), id, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
