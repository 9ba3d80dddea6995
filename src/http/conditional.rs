//! Public answers with the headers a shared cache needs: the entity tag,
//! how long the answer keeps (`Cache-Control`), and `304 Not Modified` when
//! the client (a browser, a CDN revalidating) already holds it.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::service::public_answers::{Freshness, PublicAnswer};

/// The answer as JSON, or 304 when `If-None-Match` names its tag.
pub fn json(request: &HeaderMap, answer: PublicAnswer) -> Response {
    typed(request, answer, "application/json")
}

/// The answer as `content_type`, gzipped when the client accepts gzip and
/// the answer has a gzipped body; or 304 when `If-None-Match` names the tag
/// of what would be sent. The two encodings are two representations, so
/// each has a tag of its own, and `Vary` tells a shared cache to keep them
/// apart.
pub fn typed(request: &HeaderMap, answer: PublicAnswer, content_type: &'static str) -> Response {
    let varies = answer.gzipped.is_some();
    let (body, etag, encoding) = match answer.gzipped.filter(|_| accepts_gzip(request)) {
        Some(gzipped) => (gzipped, gzipped_tag(&answer.etag), Some("gzip")),
        None => (answer.body, answer.etag, None),
    };
    let mut response = if holds(request, &etag) {
        not_modified(&etag, answer.freshness)
    } else {
        let mut response =
            ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], Body::from(body))
                .into_response();
        if let Some(encoding) = encoding {
            response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        tag(&mut response, Some(&etag), answer.freshness);
        response
    };
    if varies {
        response.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Whether `Accept-Encoding` takes gzip: named (or `*`) without `q=0`.
fn accepts_gzip(request: &HeaderMap) -> bool {
    let Some(accepted) = request.get(header::ACCEPT_ENCODING).and_then(|value| value.to_str().ok()) else {
        return false;
    };
    // Read in place: this runs for every public answer sent.
    accepted.split(',').any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let refused = parts.any(|parameter| {
            parameter.split_once('=').is_some_and(|(key, q)| {
                key.trim().eq_ignore_ascii_case("q") && q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
            })
        });
        ["gzip", "x-gzip", "*"].iter().any(|taken| name.eq_ignore_ascii_case(taken)) && !refused
    })
}

/// The tag of an answer's gzipped body: its own tag, marked.
fn gzipped_tag(etag: &str) -> String {
    match etag.strip_suffix('"') {
        Some(open) => format!("{open}-gzip\""),
        None => format!("{etag}-gzip"),
    }
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

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::accepts_gzip;

    fn asking(accept_encoding: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(accept_encoding).unwrap());
        headers
    }

    #[test]
    fn gzip_is_sent_to_those_who_take_it() {
        for taken in [
            "gzip",
            "gzip, deflate, br, zstd",
            "br;q=1.0, GZIP;q=0.5",
            "*",
            "x-gzip",
            "deflate, gzip ; q=0.001",
        ] {
            assert!(accepts_gzip(&asking(taken)), "{taken}");
        }
        for refused in ["identity", "br, deflate", "gzip;q=0", "gzip; q=0.0, br", "gzipped", "*;q=0"] {
            assert!(!accepts_gzip(&asking(refused)), "{refused}");
        }
        assert!(!accepts_gzip(&HeaderMap::new()), "nothing asked, nothing encoded");
    }
}
