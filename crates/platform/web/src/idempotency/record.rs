//! A kept response, as the middleware stores it with its key.

use axum::body::Body;
use axum::http::{header, response::Parts, HeaderValue, StatusCode};
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::REPLAYED_HEADER;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Kept {
    status: u16,
    content_type: Option<String>,
    location: Option<String>,
    /// Base64 of the response body.
    body: String,
}

impl Kept {
    pub(super) fn of(parts: &Parts, body: &[u8]) -> Self {
        let header = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        Self {
            status: parts.status.as_u16(),
            content_type: header(header::CONTENT_TYPE),
            location: header(header::LOCATION),
            body: STANDARD.encode(body),
        }
    }

    pub(super) fn encode(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    /// The kept response with `Idempotent-Replayed: true`; `None` when `text` no longer
    /// decodes into one.
    pub(super) fn replay(text: &str) -> Option<Response> {
        let kept: Self = serde_json::from_str(text).ok()?;
        let mut res = Response::new(Body::from(STANDARD.decode(&kept.body).ok()?));
        *res.status_mut() = StatusCode::from_u16(kept.status).ok()?;
        let headers = res.headers_mut();
        for (name, value) in [
            (header::CONTENT_TYPE, kept.content_type),
            (header::LOCATION, kept.location),
        ] {
            if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                headers.insert(name, value);
            }
        }
        headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
        Some(res)
    }
}
