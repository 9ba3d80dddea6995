//! The public log as a Merkle tree: its signed checkpoint and its tiles
//! where C2SP tlog-tiles clients look for them (`/log/checkpoint`,
//! `/log/tile/…`), and its key and proofs in the API's JSON.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::conditional;
use super::error::AppResult;
use super::extract::{Json, Path, Query};
use super::openapi::{Invalid, NotFound};
use super::paging::Position;
use crate::service::public_answers::Freshness;
use crate::service::tlog::{ConsistencyProof, InclusionProof, LogKeyView};
use crate::service::witnesses::WitnessView;

pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(checkpoint))
        .routes(routes!(checkpoint_of))
        .routes(routes!(key))
        .routes(routes!(witnesses))
        .routes(routes!(inclusion))
        .routes(routes!(consistency))
}

/// The tiles' route. Their paths (`tile/0/x001/234.p/17`) have as many
/// segments as the index needs, which an OpenAPI path cannot describe;
/// C2SP tlog-tiles specifies them (README, "The transparency log").
pub fn tiles(router: axum::Router<AppState>) -> axum::Router<AppState> {
    router.route("/log/tile/{*path}", axum::routing::get(tile))
}

/// A signed note as text.
fn note(text: String, freshness: Freshness) -> Response {
    let mut response = ([(header::CONTENT_TYPE, HeaderValue::from_static(NOTE_TYPE))], text).into_response();
    conditional::tag(&mut response, None, freshness);
    response
}

const NOTE_TYPE: &str = "text/plain; charset=utf-8";

/// The log's newest checkpoint (C2SP tlog-checkpoint), signed by the log's
/// key as a C2SP signed note, followed by the witnesses' cosignatures of it.
#[utoipa::path(get, path = "/log/checkpoint", tag = "public",
    responses((status = 200, content_type = "text/plain", body = String)))]
pub async fn checkpoint(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    Ok(conditional::typed(&headers, state.service.log_checkpoint_answer().await?, NOTE_TYPE))
}

/// The checkpoint signed for the tree of `size` entries, with its
/// cosignatures: an older head, to check a proof or a witness against.
#[utoipa::path(get, path = "/api/public/log/checkpoints/{size}", tag = "public",
    params(("size" = i64, Path, description = "The tree's size")),
    responses((status = 200, content_type = "text/plain", body = String), NotFound))]
pub async fn checkpoint_of(State(state): State<AppState>, Path(size): Path<u64>) -> AppResult<Response> {
    // More witnesses may cosign it later, so it is settled rather than immutable.
    Ok(note(state.service.log_checkpoint_of(size).await?, Freshness::Settled))
}

/// The log's signing key: the checkpoints' signatures check with it.
/// Checked with the server at every use, so that no cache can hide a key
/// that changed.
#[utoipa::path(get, path = "/api/public/log/key", tag = "public",
    responses((status = 200, body = LogKeyView)))]
pub async fn key(State(state): State<AppState>) -> AppResult<Response> {
    let mut response = Json(state.service.log_key_view().await?).into_response();
    conditional::tag(&mut response, None, Freshness::Live);
    Ok(response)
}

/// The witnesses this server asks to cosign its checkpoints, by name and
/// verifier key: a reader who trusts one checks its cosignatures with it.
/// A key listed here is the server's word; take a witness's key from the
/// witness itself to rely on it.
#[utoipa::path(get, path = "/api/public/log/witnesses", tag = "public",
    responses((status = 200, body = Vec<WitnessView>)))]
pub async fn witnesses(State(state): State<AppState>) -> Response {
    let mut response = Json(state.service.witness_views()).into_response();
    conditional::tag(&mut response, None, Freshness::Live);
    response
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// The entry's sequence number.
    #[param(value_type = i64, minimum = 1)]
    pub seq: Position,
    /// The tree's size: a signed checkpoint's (the newest when left out).
    #[param(value_type = Option<i64>, minimum = 1)]
    pub size: Option<Position>,
}

/// The proof (RFC 9162 §2.1.3) that entry `seq` is in the tree of `size`
/// entries.
#[utoipa::path(get, path = "/api/public/log/inclusion", tag = "public",
    params(InclusionQuery),
    responses((status = 200, body = InclusionProof), Invalid))]
pub async fn inclusion(
    State(state): State<AppState>,
    Query(query): Query<InclusionQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let size = query.size.map(|size| size.get() as u64);
    let answer = state.service.log_inclusion(query.seq.get() as u64, size).await?;
    Ok(conditional::json(&headers, answer))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The older tree's size.
    #[param(value_type = i64, minimum = 1)]
    pub from: Position,
    /// The newer tree's size: a signed checkpoint's (the newest when left out).
    #[param(value_type = Option<i64>, minimum = 1)]
    pub size: Option<Position>,
}

/// The proof (RFC 9162 §2.1.4) that the tree of `from` entries is the
/// start of the tree of `size` entries: nothing in it was changed.
#[utoipa::path(get, path = "/api/public/log/consistency", tag = "public",
    params(ConsistencyQuery),
    responses((status = 200, body = ConsistencyProof), Invalid))]
pub async fn consistency(
    State(state): State<AppState>,
    Query(query): Query<ConsistencyQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let size = query.size.map(|size| size.get() as u64);
    let answer = state.service.log_consistency(query.from.get() as u64, size).await?;
    Ok(conditional::json(&headers, answer))
}

/// A tile of the tree (C2SP tlog-tiles, height 8): `tile/L/N[.p/W]`, the
/// hashes at level 8·L, or `tile/entries/N[.p/W]`, the entries' chain
/// hashes. A full tile never changes.
async fn tile(
    State(state): State<AppState>,
    axum::extract::Path(path): axum::extract::Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let answer = state.service.log_tile(&format!("tile/{path}")).await?;
    Ok(conditional::typed(&headers, answer, "application/octet-stream"))
}
