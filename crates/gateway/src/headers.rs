//! Security headers on every answer the gateway gives, its own and the services' alike: no
//! MIME sniffing, no framing, no referrer, and `Cache-Control: no-store` unless the answer
//! says how it may be cached (the JWKS, recordings). API answers carry tokens and personal
//! data; no shared cache may keep them (RFC 6749 §5.1 asks it of token responses).
//!
//! A header the answer already has is left as it is, so nothing is sent twice. The web app's
//! pages do not pass through here: they carry their own Content-Security-Policy
//! (`quorum-webapp`).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue};

/// The vendored Swagger UI's files, which browsers may cache.
const DOCS_PREFIX: &str = "/api/docs";

pub(crate) async fn security_headers(req: Request, next: Next) -> Response {
    let cacheable = req.uri().path().starts_with(DOCS_PREFIX);
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in fixed {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if !cacheable {
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    res
}
