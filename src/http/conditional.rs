//! Public answers with the headers a shared cache needs: the entity tag,
//! how long the answer keeps (`Cache-Control`), and `304 Not Modified` when
//! the client (a browser, a CDN revalidating) already holds it.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::service::public_answers::{Freshness, PublicAnswer};

/// The answer as JSON, or 304 when `If-None-Match` names its tag.
pub fn json(request: &HeaderMap, answer: PublicAnswer) -> Response {
    if holds(request, &answer.etag) {
        return not_modified(&answer.etag, answer.freshness);
    }
    let mut response =
        ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], Body::from(answer.body))
            .into_response();
    tag(&mut response, Some(&answer.etag), answer.freshness);
    response
}

/// The answer as `content_type`, or 304 when `If-None-Match` names its tag.
pub fn typed(request: &HeaderMap, answer: PublicAnswer, content_type: &'static str) -> Response {
    if holds(request, &answer.etag) {
        return not_modified(&answer.etag, answer.freshness);
    }
    let mut response =
        ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], Body::from(answer.body))
            .into_response();
    tag(&mut response, Some(&answer.etag), answer.freshness);
    response
}

/// Whether `If-None-Match` names `etag` (or `*`); weak tags compare
/// weakly, as RFC 9110 §13.1.2 asks for this header.
pub fn holds(request: &HeaderMap, etag: &str) -> bool {
    let Some(asked) = request.get(header::IF_NONE_MATCH).and_then(|value| value.to_str().ok()) else {
        return false;
    };
    let strip = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    asked.split(',').any(|tag| tag.trim() == "*" || strip(tag) == strip(etag))
}

pub fn not_modified(etag: &str, freshness: Freshness) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    tag(&mut response, Some(etag), freshness);
    response
}

/// Sets `ETag` (when known) and `Cache-Control`.
pub fn tag(response: &mut Response, etag: Option<&str>, freshness: Freshness) {
    let headers = response.headers_mut();
    if let Some(value) = etag.and_then(|etag| HeaderValue::from_str(etag).ok()) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(freshness.cache_control()));
}
