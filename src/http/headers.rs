//! Response headers that keep browsers on the safe side, on every answer
//! (pages and API alike), and the cross-origin rule: the public read-only
//! API may be read by pages of any origin (citizens' own tools), the staff
//! API by none.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// Scripts, styles, workers and fetches from the site itself only, so an
/// injected `<script>` or inline handler never runs; no plugins, no
/// `<base>`, and no framing (clickjacking). `data:` images are the
/// pages' icon; `blob:` images are the console's evidence photos, fetched
/// with the session and shown from memory (a blob holds an image, never a
/// script that could run). `verify-worker.js` is a module worker of the same origin.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Adds the security headers to every response of `router`.
pub fn secure<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let headers: [(HeaderName, &'static str); 4] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // For browsers that do not read frame-ancestors.
        (header::X_FRAME_OPTIONS, "DENY"),
        // Links out of the site (a beacon, a law's text) do not tell
        // where the reader came from.
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    headers.into_iter().fold(router, |router, (name, value)| {
        // An answer that sets a stricter policy of its own (an attachment:
        // a sandbox, nothing loaded) keeps it.
        let layer = if name == header::CONTENT_SECURITY_POLICY {
            SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
        } else {
            SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
        };
        router.layer(layer)
    })
}

/// CORS for `/api/public/*`: any origin, reads only, no credentials. The
/// staff routes get no CORS headers, so browsers keep other origins out.
pub fn public_cors() -> CorsLayer {
    CorsLayer::new().allow_origin(Any).allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
}
