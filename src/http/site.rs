//! The public site (`public/`: pages, scripts, styles), served at `/`.
//!
//! It is built into the binary, so that `opendraw serve` run from any
//! directory, or copied alone to a server, serves the site that belongs to
//! its API. A directory can be served instead while the pages are being
//! worked on (`--public-dir`), to see a change without building again.
//! An address of the site that names no file gets status 404 with the
//! site's bilingual `404.html`; an unknown `/api/…` address keeps the API's
//! own answer.

use std::path::PathBuf;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use tower_http::services::ServeDir;

/// The page sent with a 404, a file of the site like any other.
const NOT_FOUND_PAGE: &str = "404.html";

/// Where the site's files come from.
#[derive(Debug, Clone, Default)]
pub enum Site {
    /// The files built into the binary.
    #[default]
    BuiltIn,
    /// The files of this directory, read on every request.
    Directory(PathBuf),
    /// No site: only the API.
    None,
}

impl Site {
    /// The site as a fallback of `api`, whose own routes come first.
    pub(super) fn serve_behind<S: Clone + Send + Sync + 'static>(self, api: Router<S>) -> Router<S> {
        match self {
            Site::BuiltIn => api.fallback_service(axum::routing::get(built_in)),
            Site::Directory(dir) => {
                let page = dir.join(NOT_FOUND_PAGE);
                let not_found = axum::routing::any(move |uri: Uri| not_found_from(page.clone(), uri));
                api.fallback_service(ServeDir::new(dir).fallback(not_found))
            }
            Site::None => api,
        }
    }
}

#[derive(rust_embed::RustEmbed)]
#[folder = "public/"]
struct Files;

/// A file of the built-in site: `/` is `index.html`. Each answer carries
/// the file's digest as its `ETag`, and is to be checked again before it is
/// used from a cache, so that an upgraded server's pages are seen at once
/// while an unchanged page costs a `304`.
async fn built_in(uri: Uri, headers: HeaderMap) -> Response {
    // A folder's page is its index.html: `/` the public site, `/console/`
    // the staff console.
    let path = match uri.path().trim_start_matches('/') {
        "" => "index.html".to_owned(),
        folder if folder.ends_with('/') => format!("{folder}index.html"),
        path => path.to_owned(),
    };
    let path = path.as_str();
    // The built-in names are all there is; a name reaching outside the
    // folder is not among them, but the development build reads the folder
    // from disk, so such names are refused before any lookup.
    if path.split(['/', '\\']).any(|part| part == ".." || part.is_empty()) {
        return not_found(&uri, Files::get(NOT_FOUND_PAGE).map(|file| file.data.into_owned()));
    }
    // `/console` without its slash would resolve the console's relative
    // links against `/`: it is sent to `/console/`.
    if Files::get(&format!("{path}/index.html")).is_some() {
        let folder = HeaderValue::from_str(&format!("/{path}/")).expect("a site path is a header value");
        return (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, folder)]).into_response();
    }
    let Some(file) = Files::get(path) else {
        return not_found(&uri, Files::get(NOT_FOUND_PAGE).map(|file| file.data.into_owned()));
    };
    let tag = format!("\"{}\"", hex::encode(file.metadata.sha256_hash()));
    let tag = HeaderValue::from_str(&tag).expect("a hex digest in quotes is a header value");
    let cache = (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    let unchanged = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|candidate| candidate.trim().trim_start_matches("W/") == tag);
    if unchanged {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag), cache]).into_response();
    }
    let kind = match file.metadata.mimetype() {
        kind if kind.starts_with("text/") => format!("{kind}; charset=utf-8"),
        kind => kind.to_owned(),
    };
    let kind = HeaderValue::from_str(&kind).expect("a known media type is a header value");
    ([(header::CONTENT_TYPE, kind), (header::ETAG, tag), cache], file.data).into_response()
}

/// The 404 of the directory site: its `404.html`, read like its other files.
async fn not_found_from(page: PathBuf, uri: Uri) -> Response {
    not_found(&uri, tokio::fs::read(page).await.ok())
}

/// Status 404 with the site's page, or with no body for an address of the
/// API (or when the site has no such page).
fn not_found(uri: &Uri, page: Option<Vec<u8>>) -> Response {
    let api = uri.path() == "/api" || uri.path().starts_with("/api/");
    match page {
        Some(page) if !api => {
            let no_cache = (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            (StatusCode::NOT_FOUND, [no_cache], Html(page)).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
