//! Static assets, compiled into the binary and served under a content hash: a page names
//! `/static/app.<hash>.css`, so the file can be cached for a year and a new release is
//! fetched at once.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest as _, Sha256};

pub(crate) const STYLESHEET_ROUTE: &str = "/static/{file}";

const STYLESHEET: &str = include_str!("../assets/app.css");

/// `app.<first 12 hex digits of the SHA-256>.css`.
static STYLESHEET_NAME: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::digest(STYLESHEET.as_bytes());
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("app.{hex}.css")
});

/// The stylesheet's URL, for the pages.
pub(crate) fn stylesheet_url() -> String {
    format!("/static/{}", *STYLESHEET_NAME)
}

pub(crate) async fn stylesheet(Path(file): Path<String>) -> Response {
    if file != *STYLESHEET_NAME {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        STYLESHEET,
    )
        .into_response()
}
