//! Request extractors whose rejections are [`AppError`]s, so that a bad
//! body, path or query gets the same JSON error shape as everything else;
//! and [`Staff`], the authenticated caller.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::AppState;
use super::error::AppError;
use crate::domain::account::User;

/// A JSON body of at most [`Limits::json_bytes`](super::limits::Limits).
pub struct Json<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Json<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::payload_too_large(state.limits.json_bytes as u64))
            }
            Err(rejection) => Err(rejection.into()),
        }
    }
}

/// A body read whole, of at most [`Limits::json_bytes`](super::limits::Limits),
/// for the handlers that also accept an empty one.
pub struct SmallBody(pub Bytes);

impl FromRequest<AppState> for SmallBody {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        match Bytes::from_request(request, state).await {
            Ok(bytes) => Ok(SmallBody(bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::payload_too_large(state.limits.json_bytes as u64))
            }
            Err(rejection) => Err(AppError::new(rejection.status(), "invalid_body", rejection.body_text())),
        }
    }
}

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

/// The staff member making the request, from `Authorization: Bearer TOKEN`
/// (the scheme in any case, RFC 9110 §11.1). A request that presents a
/// credential that is not a known token counts as a failed authentication
/// of its client address; one that presents none does not. An address held
/// for failing too often gets 429 whatever it presents.
pub struct Staff(pub User);

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| AppError::unauthorized("this needs a staff token: Authorization: Bearer TOKEN"))?;
        let client = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
        // A held address is answered before its credential is read, so that
        // the answer says nothing about whether the credential was good.
        state.failed_authentications.admit(client).map_err(AppError::too_many_failed_attempts)?;
        let (user, refusal) = match bearer_token(header) {
            Some(token) => (state.service.authenticate(token).await?, "the token is unknown or revoked"),
            None => (None, "the Authorization header must be 'Bearer TOKEN'"),
        };
        if let Some(user) = user {
            return Ok(Staff(user));
        }
        state.failed_authentications.count(client).map_err(AppError::too_many_failed_attempts)?;
        Err(AppError::unauthorized(refusal))
    }
}

/// The token of `Bearer TOKEN`, whatever the case of the scheme.
fn bearer_token(header: &HeaderValue) -> Option<&str> {
    let (scheme, token) = header.to_str().ok()?.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        for header in ["Bearer od_x", "bearer od_x", "BEARER  od_x ", "bEaReR od_x"] {
            assert_eq!(bearer_token(&HeaderValue::from_static(header)), Some("od_x"), "{header}");
        }
        for header in ["Basic eDp5", "Bearer", "Bearer ", "Bearerod_x", "od_x"] {
            assert_eq!(bearer_token(&HeaderValue::from_static(header)), None, "{header}");
        }
    }
}
