//! Request extractors whose rejections are [`AppError`]s, so that a bad
//! body, path or query gets the same JSON error shape as everything else;
//! and [`Staff`], the authenticated caller.

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::AppError;
use crate::storage::users::User;

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

/// The staff member making the request, from `Authorization: Bearer TOKEN`.
pub struct Staff(pub User);

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| AppError::unauthorized("this needs a staff token: Authorization: Bearer TOKEN"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(|| AppError::unauthorized("the Authorization header must be 'Bearer TOKEN'"))?;
        match state.service.authenticate(token.trim()).await? {
            Some(user) => Ok(Staff(user)),
            None => Err(AppError::unauthorized("the token is unknown or revoked")),
        }
    }
}
