//! The OpenAPI document, served at `/api/openapi.json`: what all of it
//! shares (title, tags, the token and session schemes, the error answers);
//! the paths come from the routes as they are registered (see `http::routes`).

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoResponses, Modify, OpenApi};

use super::error::ErrorBody;
use super::extract::SESSION_COOKIE;

#[derive(OpenApi)]
#[openapi(
    info(title = "opendraw", description = "Verifiable random selection of inspection targets and inspectors"),
    components(schemas(ErrorBody)),
    tags(
        (name = "public", description = "Anyone, without an account"),
        (name = "tasks", description = "Supervisors: the task lifecycle"),
        (name = "plans", description = "Supervisors: the department's annual spot-check plans"),
        (name = "directories", description = "Supervisors: items, targets, inspectors, recusals"),
        (name = "accounts", description = "Staff accounts and inspectors' assignments"),
        (name = "inspections", description = "Results, review, publication, replacements, the ledger"),
        (name = "exchange", description = "Published results for other systems: exports and the webhook outbox"),
    )
)]
pub struct ApiDoc;

/// The document with the routes' paths in it, completed with what depends
/// on them: the token scheme's answers.
pub fn complete(mut document: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    BearerToken.modify(&mut document);
    document
}

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // Every operation a token opens, the session cookie of a sign-in
        // opens too (with X-CSRF-Token on a change).
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "the cookie POST /api/session sets; a POST, PUT, PATCH or DELETE also needs X-CSRF-Token",
            ))),
        );
        // Failed authentications are counted per client address: any
        // operation that takes a token can answer 429 once an address has
        // failed too often, whatever the operation.
        let too_many = too_many_failed_authentications();
        for item in openapi.paths.paths.values_mut() {
            let operations =
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                if let Some(security) = operation.security.as_mut().filter(|security| !security.is_empty()) {
                    security.push(SecurityRequirement::new("session", Vec::<String>::new()));
                    operation.responses.responses.insert("429".into(), too_many.clone());
                }
            }
        }
    }
}

fn too_many_failed_authentications() -> RefOr<Response> {
    let seconds = ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1));
    ResponseBuilder::new()
        .description("Too many failed authentications from this address; try again after Retry-After seconds")
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
        )
        .header("Retry-After", HeaderBuilder::new().schema(Some(seconds)).build())
        .into()
}

// The error answers, each with the API's error body, for the `responses`
// of the operations that can give them.

/// No token or session cookie, or one that is unknown, revoked or ended.
#[derive(IntoResponses)]
#[response(status = 401)]
pub struct Unauthorized(pub ErrorBody);

/// The caller's role or department may not do this.
#[derive(IntoResponses)]
#[response(status = 403)]
pub struct Forbidden(pub ErrorBody);

/// There is no such thing, or none the caller may see; also a path
/// parameter that is not of its type.
#[derive(IntoResponses)]
#[response(status = 404)]
pub struct NotFound(pub ErrorBody);

/// The state does not allow it (already committed, drawn, published, ...);
/// nothing was changed.
#[derive(IntoResponses)]
#[response(status = 409)]
pub struct Conflict(pub ErrorBody);

/// The body is larger than the route accepts.
#[derive(IntoResponses)]
#[response(status = 413)]
pub struct TooLarge(pub ErrorBody);

/// The body is not sent as `application/json`.
#[derive(IntoResponses)]
#[response(status = 415)]
pub struct NotJson(pub ErrorBody);

/// The server is running as many imports as it may at once; try again
/// after the seconds `Retry-After` gives. Nothing was changed.
#[derive(IntoResponses)]
#[response(status = 503, headers(("Retry-After" = u64, description = "seconds to wait")))]
pub struct Busy(pub ErrorBody);

/// A field, row, query parameter or header is wrong (`field` names it when
/// it can); nothing was changed.
#[derive(IntoResponses)]
#[response(status = 422)]
pub struct Invalid(pub ErrorBody);
