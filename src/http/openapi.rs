//! The OpenAPI document, served at `/api/openapi.json`.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoResponses, Modify, OpenApi};

use super::error::ErrorBody;
use super::{accounts, directories, inspections, public, tasks};

#[derive(OpenApi)]
#[openapi(
    info(title = "opendraw", description = "Verifiable random selection of inspection targets and inspectors"),
    paths(
        tasks::list, tasks::create, tasks::show, tasks::update, tasks::commit, tasks::draw, tasks::reveal, tasks::abandon,
        directories::import_items, directories::import_targets, directories::import_inspectors,
        directories::import_recusals, directories::items, directories::targets, directories::inspectors,
        directories::import_calendar, directories::calendar, directories::set_calendar_day,
        directories::remove_calendar_day,
        inspections::my_result, inspections::save, inspections::submit, inspections::declare_conflict,
        inspections::list, inspections::show, inspections::return_result, inspections::approve,
        inspections::publish, inspections::correct, inspections::publish_task, inspections::replace,
        inspections::replacements, inspections::conflicts, inspections::ledger, inspections::ledger_csv,
        accounts::me, accounts::my_assignments, accounts::list, accounts::create, accounts::rotate, accounts::disable,
        public::tasks, public::task, public::file, public::bundle, public::selection, public::log_page,
        public::log_head, public::log_download, public::entity, public::replacements, public::results, public::results_csv,
        public::outcomes, public::statistics,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerToken),
    tags(
        (name = "public", description = "Anyone, without an account"),
        (name = "tasks", description = "Supervisors: the task lifecycle"),
        (name = "directories", description = "Supervisors: items, targets, inspectors, recusals"),
        (name = "accounts", description = "Staff accounts and inspectors' assignments"),
        (name = "inspections", description = "Results, review, publication, replacements, the ledger"),
    )
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // Failed authentications are counted per client address: any
        // operation that takes a token can answer 429 once an address has
        // failed too often, whatever the operation.
        let too_many = too_many_failed_authentications();
        for item in openapi.paths.paths.values_mut() {
            let operations =
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                if operation.security.as_ref().is_some_and(|security| !security.is_empty()) {
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

/// No token, or one that is unknown or revoked.
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

/// A field, row, query parameter or header is wrong (`field` names it when
/// it can); nothing was changed.
#[derive(IntoResponses)]
#[response(status = 422)]
pub struct Invalid(pub ErrorBody);
