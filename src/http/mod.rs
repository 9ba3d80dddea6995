//! The HTTP API (JSON), built in one place so that tests and the server use
//! the same router. Areas: `tasks`, `directories`, `accounts`, `inspections`
//! (staff, with a bearer token or a session cookie), `sessions` (signing
//! in and out) and `public` (anyone).
//!
//! Each route is registered together with its documentation (utoipa-axum's
//! `routes!`), so that no route exists undocumented; the OpenAPI document
//! served at `/api/openapi.json` is the one the routes made.

pub mod accounts;
pub mod audit;
pub mod conditional;
pub mod directories;
pub mod directory_reads;
pub mod error;
pub mod evidence;
pub mod exchange;
pub mod extract;
pub mod headers;
pub mod health;
pub mod idempotency;
pub mod inspections;
pub mod items;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod paging;
pub mod plans;
pub mod public;
pub mod public_directories;
pub mod sessions;
pub mod site;
pub mod site_settings;
pub mod tasks;
pub mod throttle;
pub mod tlog;
pub mod working_rules;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use self::limits::{DownloadSlots, Limits};
use self::metrics::Metrics;
use self::site::Site;
use self::throttle::FailedAuthentications;
use crate::service::Service;

#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    pub limits: Limits,
    pub failed_authentications: Arc<FailedAuthentications>,
    pub download_slots: DownloadSlots,
    pub metrics: Arc<Metrics>,
}

/// The whole application with the default [`Limits`]. `public_dir`, when
/// given and a directory, is served at `/` (the public results site).
pub fn router(service: Service, public_dir: Option<PathBuf>) -> Router {
    router_with(service, public_dir, Limits::default())
}

/// The whole application. Serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()`: failed
/// authentications are counted per client address.
pub fn router_with(service: Service, public_dir: Option<PathBuf>, limits: Limits) -> Router {
    router_with_site(
        service,
        public_dir.filter(|dir| dir.is_dir()).map_or(Site::None, Site::Directory),
        limits,
    )
}

/// The whole application with the public site from `site`.
pub fn router_with_site(service: Service, site: Site, limits: Limits) -> Router {
    router_with_metrics(service, site, limits, Arc::default())
}

/// The whole application, counting its requests and events in `metrics`
/// (served apart, by [`metrics::router`]).
pub fn router_with_metrics(service: Service, site: Site, limits: Limits, metrics: Arc<Metrics>) -> Router {
    let failed_authentications = Arc::new(FailedAuthentications::new(limits.auth_failures_per_minute));
    let download_slots = DownloadSlots::new(limits.concurrent_downloads);
    let (staff, public, document) = routes();
    let document = Bytes::from(serde_json::to_vec(&document).expect("the OpenAPI document serialises"));
    let api = staff
        .route("/api/openapi.json", get(move || openapi_json(document.clone())))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        // Unknown API paths get the API's error shape, not the site's 404.
        .route("/api/{*rest}", axum::routing::any(api_fallback))
        .method_not_allowed_fallback(error::method_not_allowed)
        // The public routes get their 405 handler inside the CORS layer: set
        // on the merged router, it would answer a CORS preflight (OPTIONS)
        // before the CORS layer saw it.
        .merge(public.method_not_allowed_fallback(error::method_not_allowed).layer(headers::public_cors()))
        .fallback(api_fallback)
        // Uploads are read as streams and bounded by `limits.import_bytes`.
        .layer(DefaultBodyLimit::max(limits.json_bytes))
        .with_state(AppState {
            service,
            limits,
            failed_authentications,
            download_slots,
            metrics: Arc::clone(&metrics),
        });
    let app = site.serve_behind(Router::new().nest("/api", Router::new()).merge(api));
    // Outside the site's fallback too, so that its requests are counted.
    let app = app.layer(axum::middleware::from_fn_with_state(metrics, metrics::record));
    headers::secure(app.layer(axum::middleware::from_fn(error::json_error_bodies)))
        .layer(TraceLayer::new_for_http())
}

/// The OpenAPI document of every route of the API.
pub fn api_document() -> utoipa::openapi::OpenApi {
    routes().2
}

/// The staff routes, the public routes, and the document they make.
fn routes() -> (Router<AppState>, Router<AppState>, utoipa::openapi::OpenApi) {
    let (staff, staff_document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(tasks::router())
        .merge(directories::router())
        .merge(directory_reads::router())
        .merge(site_settings::router())
        .merge(accounts::router())
        .merge(sessions::router())
        .merge(audit::router())
        .merge(inspections::router())
        .merge(evidence::router())
        .merge(exchange::router())
        .merge(items::router())
        .merge(working_rules::router())
        .merge(plans::router())
        .merge(public_directories::router())
        .split_for_parts();
    let (public, public_document) = public::router()
        .merge(exchange::public_router())
        .merge(items::public_router())
        .merge(working_rules::public_router())
        .merge(plans::public_router())
        .merge(public_directories::public_router())
        .merge(tlog::public_router())
        .split_for_parts();
    let public = tlog::tiles(public);
    (staff, public, openapi::complete(staff_document.merge_from(public_document)))
}

async fn openapi_json(document: Bytes) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document)
}

async fn api_fallback(uri: axum::http::Uri) -> error::AppError {
    error::AppError::new(
        axum::http::StatusCode::NOT_FOUND,
        "not_found",
        format!("there is nothing at {}", uri.path()),
    )
}
