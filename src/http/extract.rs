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

/// The query string, deserialised; a parameter that does not parse is
/// refused with 422 naming it in `field`.
pub struct Query<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded::Deserializer::new(url_pairs(query));
        serde_path_to_error::deserialize(deserializer).map(Query).map_err(|error| {
            let field = error.path().to_string();
            let message = match query_value(query, &field) {
                Some(value) => format!("the query parameter {field}='{value}': {}", error.inner()),
                None => format!("the query string: {}", error.inner()),
            };
            let field = Some(field.as_str()).filter(|field| *field != ".");
            AppError::bad_request("invalid_query", field, message)
        })
    }
}

fn url_pairs(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

/// The (decoded) value given for `field`, to quote it in an error.
fn query_value(query: &str, field: &str) -> Option<String> {
    url_pairs(query).find(|(name, _)| name == field).map(|(_, value)| value.into_owned())
}

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
