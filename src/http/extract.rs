//! Request extractors whose rejections are [`AppError`]s, so that a bad
//! body, path or query gets the same JSON error shape as everything else;
//! and [`Staff`], the authenticated caller (bearer token or session cookie).

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::AppState;
use super::error::AppError;
use crate::domain::account::User;
use crate::service::Service;
use crate::service::sessions::ActiveSession;

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
        // A NUL character is no text any parameter can mean, and PostgreSQL
        // cannot compare a string that holds one: refused here, by name.
        if let Some((name, _)) =
            url_pairs(query).find(|(name, value)| name.contains('\0') || value.contains('\0'))
        {
            let field = Some(name.as_ref()).filter(|name| !name.contains('\0'));
            return Err(AppError::bad_request(
                "invalid_query",
                field,
                "a query parameter holds a NUL character (%00), which no parameter takes",
            ));
        }
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

/// The staff member making the request: from `Authorization: Bearer TOKEN`
/// (the scheme in any case, RFC 9110 §11.1) when the request has that
/// header, else from the session cookie (see [`Signed`]). A request that
/// presents a bearer credential that is not a known token counts as a
/// failed authentication of its client address; one that presents none
/// does not. An address held for failing too often gets 429 whatever it
/// presents.
pub struct Staff(pub User);

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(Staff(StaffSession::from_request_parts(parts, state).await?.user))
    }
}

/// The staff member, and the session the request came with when it came
/// with the cookie rather than a token.
pub struct StaffSession {
    pub user: User,
    pub session: Option<ActiveSession>,
}

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
            let Signed(session) = Signed::from_request_parts(parts, state).await?;
            return Ok(StaffSession { user: session.view.user.clone(), session: Some(session) });
        };
        let client = client_address(parts);
        // A held address is answered before its credential is read, so that
        // the answer says nothing about whether the credential was good.
        state.failed_authentications.admit(client).map_err(AppError::too_many_failed_attempts)?;
        let (user, refusal) = match bearer_token(header) {
            Some(token) => (state.service.authenticate(token).await?, "the token is unknown or revoked"),
            None => (None, "the Authorization header must be 'Bearer TOKEN'"),
        };
        if let Some(user) = user {
            return Ok(StaffSession { user, session: None });
        }
        state.metrics.failed_sign_in("token");
        state.failed_authentications.count(client).map_err(AppError::too_many_failed_attempts)?;
        Err(AppError::unauthorized(refusal))
    }
}

/// The running session of the request's cookie. A request that changes
/// something (POST, PUT, PATCH, DELETE) must also carry the session's CSRF
/// token in `X-CSRF-Token`, and an `Origin`, when it has one, naming the
/// host it was sent to: else 403 `csrf`, before anything is done. A
/// browser sends the cookie with any request to this host, including one a
/// page of another site makes; only this site's pages know the token.
pub struct Signed(pub ActiveSession);

impl FromRequestParts<AppState> for Signed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Some(cookie) = session_cookie(&parts.headers) else {
            return Err(AppError::unauthorized(
                "sign in first (POST /api/session), or send Authorization: Bearer TOKEN",
            ));
        };
        let Some(session) = state.service.session(cookie).await? else {
            return Err(AppError::unauthorized("the session has ended; sign in again"));
        };
        if !parts.method.is_safe() {
            let token = parts.headers.get(CSRF_HEADER).map(HeaderValue::as_bytes).unwrap_or_default();
            if !same_bytes(token, session.view.csrf_token.as_bytes()) {
                return Err(AppError::csrf("this change needs the session's X-CSRF-Token header"));
            }
            check_origin(parts)?;
        }
        Ok(Signed(session))
    }
}

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "opendraw_session";
/// The header a cookie-authenticated change carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of the session cookie, from any `Cookie` header.
fn session_cookie(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value)
}

/// Compares in time that depends on the lengths only.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |differ, (x, y)| differ | (x ^ y)) == 0
}

/// 403 `csrf` when the request has an `Origin` that is not the host it was
/// sent to (`Origin: null`, which browsers send from opaque origins, is
/// not).
pub fn check_origin(parts: &Parts) -> Result<(), AppError> {
    let Some(origin) = parts.headers.get(axum::http::header::ORIGIN) else { return Ok(()) };
    let host = parts.headers.get(axum::http::header::HOST).and_then(|host| host.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|origin| origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://")));
    match (origin_host, host) {
        (Some(origin), Some(host)) if origin.eq_ignore_ascii_case(host) => Ok(()),
        _ => Err(AppError::csrf("the request comes from another site (its Origin is not this host)")),
    }
}

/// The client's IP address, when the server knows it.
pub fn client_address(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip())
}

/// The service acting for this request's client address, which the audit
/// trail records with what the request does.
pub struct ClientService(pub Service);

impl FromRequestParts<AppState> for ClientService {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(ClientService(state.service.from_address(client_address(parts))))
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
    fn the_session_cookie_is_found_among_others() {
        let mut headers = axum::http::HeaderMap::new();
        headers.append("cookie", HeaderValue::from_static("a=1; opendraw_session=abc; b=2"));
        assert_eq!(session_cookie(&headers), Some("abc"));
        let mut headers = axum::http::HeaderMap::new();
        headers.append("cookie", HeaderValue::from_static("opendraw_session_x=abc"));
        assert_eq!(session_cookie(&headers), None);
    }

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
