//! Signing in and out: `POST /api/session` with a name and password sets
//! the session cookie (HttpOnly, SameSite=Strict, Secure when the server
//! is told it is reached over HTTPS); `GET` shows the session with its
//! CSRF token; `DELETE` ends it. Scripts keep using bearer tokens.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{ClientService, Json, SESSION_COOKIE, Signed, check_origin, client_address};
use super::openapi::{Forbidden, Invalid, NotJson, TooLarge, Unauthorized};
use crate::service::ServiceError;
use crate::service::sessions::SessionView;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sign_in, current, sign_out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub username: String,
    pub password: String,
}

/// Signs in; the session cookie comes with the answer. A wrong name and
/// a wrong password get the same 401 `bad_credentials`; five failures for
/// one name within 15 minutes (or too many from one address) get 429
/// `too_many_failed_attempts` with `Retry-After`, before the password is
/// checked.
#[utoipa::path(post, path = "/api/session", tag = "accounts", request_body = SignIn,
    responses((status = 201, body = SessionView, headers(("Set-Cookie" = String, description = "opendraw_session=…; HttpOnly; SameSite=Strict; Path=/"))),
        Unauthorized, Forbidden, TooLarge, NotJson, Invalid,
        (status = 429, body = super::error::ErrorBody, headers(("Retry-After" = u64, description = "seconds to wait")))))]
pub async fn sign_in(
    State(state): State<AppState>,
    SameOriginClient(client): SameOriginClient,
    ClientService(service): ClientService,
    Json(body): Json<SignIn>,
) -> AppResult<(StatusCode, HeaderMap, Json<SessionView>)> {
    // As with tokens, a held address is answered before anything is checked.
    state.failed_authentications.admit(client).map_err(AppError::too_many_failed_attempts)?;
    match service.sign_in(&body.username, &body.password).await {
        Ok(signed_in) => {
            let cookie = format!(
                "{SESSION_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/{}",
                signed_in.cookie,
                secure(&state)
            );
            Ok((StatusCode::CREATED, cookie_header(&cookie), Json(signed_in.view)))
        }
        Err(error @ ServiceError::BadCredentials { .. }) => {
            state.metrics.failed_sign_in("password");
            state.failed_authentications.count(client).map_err(AppError::too_many_failed_attempts)?;
            Err(error.into())
        }
        Err(error) => Err(error.into()),
    }
}

/// The session of the request's cookie, with its CSRF token.
#[utoipa::path(get, path = "/api/session", tag = "accounts",
    responses((status = 200, body = SessionView), Unauthorized))]
pub async fn current(Signed(session): Signed) -> Json<SessionView> {
    Json(session.view)
}

/// Signs out: the session ends and the cookie is cleared. Needs the
/// session's `X-CSRF-Token`.
#[utoipa::path(delete, path = "/api/session", tag = "accounts",
    responses((status = 204), Unauthorized, Forbidden))]
pub async fn sign_out(
    State(state): State<AppState>,
    ClientService(service): ClientService,
    Signed(session): Signed,
) -> AppResult<(StatusCode, HeaderMap)> {
    service.sign_out(&session).await?;
    let cookie = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}", secure(&state));
    Ok((StatusCode::NO_CONTENT, cookie_header(&cookie)))
}

fn secure(state: &AppState) -> &'static str {
    if state.limits.secure_cookies { "; Secure" } else { "" }
}

fn cookie_header(cookie: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, HeaderValue::from_str(cookie).expect("a cookie is ASCII"));
    // A browser or proxy must not keep an answer that carries a session.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers
}

/// The client's address, once the request's `Origin` (if it has one) is
/// found to be this host: a page of another site must not sign a browser
/// in to an account of its choosing either.
pub struct SameOriginClient(Option<std::net::IpAddr>);

impl FromRequestParts<AppState> for SameOriginClient {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, AppError> {
        check_origin(parts)?;
        Ok(SameOriginClient(client_address(parts)))
    }
}
