//! Static assets, compiled into the binary and served under a content hash: a page names
//! `/static/app.<hash>.css`, so the file can be cached for a year and a new release is
//! fetched at once. The scripts are small modules of our own (no build step, nothing from
//! another host); every page works without them, they make it live.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest as _, Sha256};

pub(crate) const ROUTE: &str = "/static/{file}";

/// One embedded file.
struct Asset {
    /// The name pages use, e.g. `app.css`.
    name: &'static str,
    content_type: &'static str,
    bytes: &'static str,
    /// `app.<first 12 hex digits of the SHA-256>.css`.
    hashed: String,
}

impl Asset {
    fn new(name: &'static str, content_type: &'static str, bytes: &'static str) -> Self {
        let digest = Sha256::digest(bytes.as_bytes());
        let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        let hashed = match name.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}.{hex}.{ext}"),
            None => format!("{name}.{hex}"),
        };
        Self {
            name,
            content_type,
            bytes,
            hashed,
        }
    }
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    let js = "text/javascript; charset=utf-8";
    vec![
        Asset::new(
            "app.css",
            "text/css; charset=utf-8",
            include_str!("../assets/app.css"),
        ),
        Asset::new("live.js", js, include_str!("../assets/live.js")),
        Asset::new("record.js", js, include_str!("../assets/record.js")),
        Asset::new("player.js", js, include_str!("../assets/player.js")),
        Asset::new("notes.js", js, include_str!("../assets/notes.js")),
        Asset::new(
            "htmx.js",
            js,
            include_str!("../assets/vendor/htmx-2.0.11.min.js"),
        ),
    ]
});

/// The URL of the asset `name` (`app.css`, `live.js`, `record.js`, `player.js`, `htmx.js`),
/// for the pages.
pub(crate) fn url(name: &str) -> String {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(asset) => format!("/static/{}", asset.hashed),
        None => format!("/static/{name}"),
    }
}

pub(crate) async fn serve(Path(file): Path<String>) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.hashed == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        asset.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_asset_is_named_by_its_content() {
        let css = url("app.css");
        assert!(
            css.starts_with("/static/app.") && css.ends_with(".css"),
            "{css}"
        );
        assert_eq!(css.len(), "/static/app.".len() + 12 + ".css".len());
        assert_ne!(url("live.js"), url("record.js"));
    }
}
