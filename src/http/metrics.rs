//! Prometheus metrics (OpenMetrics text) for the people who run the
//! service: requests and their latency per route, draws, imports and failed
//! sign-ins counted by this process, and, read from the database at each
//! scrape, the public log's length, the open ledger lines, the tasks by
//! state and the exchange events not delivered.
//!
//! Requests are labelled with the route's template (`/api/tasks/{id}`),
//! never the raw path, so the number of series stays bounded whatever
//! clients ask for. The metrics are served on a listener of their own
//! (`serve --metrics-address`), not on the public one: figures such as
//! failed sign-ins are for the operator, and a scraper on an internal
//! network needs no account.
//!
//! The crate is `prometheus-client`, the Prometheus project's own client
//! for Rust: an explicit registry (no process-wide recorder, so each
//! server, and each test, has its own) and few dependencies.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::service::Service;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

type Latencies = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The metrics of one server.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latencies,
    draws: Counter,
    imports: Family<KindLabels, Counter>,
    failed_sign_ins: Family<KindLabels, Counter>,
    log_entries: Gauge,
    open_ledger_lines: Gauge,
    tasks: Family<StateLabels, Gauge>,
    exchange_events: Family<StateLabels, Gauge>,
}

/// From 5 ms to about 10 s, doubling: a public read takes milliseconds, a
/// large import or draw seconds.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 12))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("opendraw");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template and status",
            requests.clone(),
        );
        let latency: Latencies = Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by route template",
            latency.clone(),
        );
        let draws = Counter::default();
        registry.register("draws", "Draw requests answered with a draw by this process", draws.clone());
        let imports = Family::<KindLabels, Counter>::default();
        registry.register("imports", "Directory imports accepted, by directory", imports.clone());
        let failed_sign_ins = Family::<KindLabels, Counter>::default();
        registry.register(
            "failed_sign_ins",
            "Failed authentications: a wrong password (password) or an unknown token (token)",
            failed_sign_ins.clone(),
        );
        let log_entries = Gauge::default();
        registry.register("log_entries", "Entries in the public log", log_entries.clone());
        let open_ledger_lines = Gauge::default();
        registry.register(
            "open_ledger_lines",
            "Drawn targets' items whose result is not yet published",
            open_ledger_lines.clone(),
        );
        let tasks = Family::<StateLabels, Gauge>::default();
        registry.register("tasks", "Tasks by state", tasks.clone());
        let exchange_events = Family::<StateLabels, Gauge>::default();
        registry.register(
            "exchange_events",
            "Exchange webhook events not delivered: pending (still tried) or failed (attempts used up)",
            exchange_events.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            draws,
            imports,
            failed_sign_ins,
            log_entries,
            open_ledger_lines,
            tasks,
            exchange_events,
        }
    }
}

impl Metrics {
    pub fn drew(&self) {
        self.draws.inc();
    }

    /// An import of this directory (`targets`, `inspectors`, …) was accepted.
    pub fn imported(&self, kind: &'static str) {
        self.imports.get_or_create(&KindLabels { kind }).inc();
    }

    /// A sign-in with a wrong password (`password`) or a request with an
    /// unknown token (`token`).
    pub fn failed_sign_in(&self, kind: &'static str) {
        self.failed_sign_ins.get_or_create(&KindLabels { kind }).inc();
    }
}

/// Middleware counting each request under its route template.
pub async fn record(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    // Addresses no route matched (the site's files, unknown paths) share
    // one label, so that no client can make a series per path.
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    metrics
        .latency
        .get_or_create(&RouteLabels { method, route: route.clone() })
        .observe(started.elapsed().as_secs_f64());
    metrics.requests.get_or_create(&RequestLabels { method, route, status }).inc();
    response
}

/// The method, from a fixed set (a client may send any token as a method).
fn method_label(method: &Method) -> &'static str {
    [Method::GET, Method::HEAD, Method::POST, Method::PUT, Method::PATCH, Method::DELETE, Method::OPTIONS]
        .iter()
        .find(|known| *known == method)
        .map_or("OTHER", Method::as_str)
}

/// The router of the metrics listener: `GET /metrics`.
pub fn router(metrics: Arc<Metrics>, service: Service) -> Router {
    Router::new().route("/metrics", get(move || scrape(Arc::clone(&metrics), service.clone())))
}

async fn scrape(metrics: Arc<Metrics>, service: Service) -> Response {
    match service.figures().await {
        Ok(figures) => {
            metrics.log_entries.set(i64::try_from(figures.log_entries).unwrap_or(i64::MAX));
            metrics.open_ledger_lines.set(figures.open_ledger_lines);
            metrics.tasks.clear();
            for (state, count) in figures.tasks_by_state {
                metrics.tasks.get_or_create(&StateLabels { state }).set(count);
            }
            for (state, count) in [("pending", figures.exchange_pending), ("failed", figures.exchange_failed)]
            {
                metrics.exchange_events.get_or_create(&StateLabels { state: state.to_owned() }).set(count);
            }
        }
        // The process's own counters are still worth a scrape.
        Err(error) => tracing::warn!(%error, "the database's figures could not be read for the metrics"),
    }
    let mut text = String::new();
    if let Err(error) = prometheus_client::encoding::text::encode(&mut text, &metrics.registry) {
        tracing::error!(%error, "the metrics could not be written");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}
