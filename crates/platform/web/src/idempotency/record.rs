//! What the middleware keeps per key: a claim while the first request runs, then its response.

use axum::body::Body;
use axum::http::{header, response::Parts, HeaderValue, StatusCode};
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::REPLAYED_HEADER;

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub(super) enum Record {
    #[serde(rename_all = "camelCase")]
    InProgress { request_hash: String },
    #[serde(rename_all = "camelCase")]
    Done {
        request_hash: String,
        status: u16,
        content_type: Option<String>,
        location: Option<String>,
        /// Base64 of the response body.
        body: String,
    },
}

impl Record {
    pub(super) fn done(request_hash: String, parts: &Parts, body: &[u8]) -> Self {
        let header = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        Self::Done {
            request_hash,
            status: parts.status.as_u16(),
            content_type: header(header::CONTENT_TYPE),
            location: header(header::LOCATION),
            body: STANDARD.encode(body),
        }
    }

    pub(super) fn request_hash(&self) -> &str {
        match self {
            Self::InProgress { request_hash } | Self::Done { request_hash, .. } => request_hash,
        }
    }

    pub(super) fn encode(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    pub(super) fn decode(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice(bytes).ok()
    }

    /// The stored response with `Idempotent-Replayed: true`; `None` for a claim or a record
    /// that no longer decodes into a response.
    pub(super) fn replay(&self) -> Option<Response> {
        let Self::Done {
            status,
            content_type,
            location,
            body,
            ..
        } = self
        else {
            return None;
        };
        let mut res = Response::new(Body::from(STANDARD.decode(body).ok()?));
        *res.status_mut() = StatusCode::from_u16(*status).ok()?;
        let headers = res.headers_mut();
        for (name, value) in [
            (header::CONTENT_TYPE, content_type),
            (header::LOCATION, location),
        ] {
            if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                headers.insert(name, value);
            }
        }
        headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
        Some(res)
    }
}
