//! Where the public keys come from: the [`JwksSource`] trait and [`UpstreamJwks`], which asks
//! the identity upstream for `GET /.well-known/jwks.json` through the same [`Upstream`] the
//! proxy uses, so the all-in-one and distributed modes share one code path.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Body;
use http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use quorum_auth::Jwks;

use crate::upstream::Upstream;

/// Why no JWKS could be had.
#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    #[error("jwks upstream failed: {0}")]
    Upstream(#[from] crate::upstream::UpstreamError),
    #[error("jwks endpoint answered {0}")]
    Status(StatusCode),
    #[error("jwks document is invalid: {0}")]
    Invalid(String),
}

/// Fetches the identity service's public keys.
#[async_trait]
pub trait JwksSource: Send + Sync + 'static {
    async fn fetch(&self) -> Result<Jwks, JwksError>;
}

/// Fetches the JWKS with a `GET` through an [`Upstream`].
pub struct UpstreamJwks {
    upstream: Arc<dyn Upstream>,
    path: String,
}

const MAX_JWKS_BYTES: usize = 1024 * 1024;
const JWKS_FETCH_TIMEOUT: Duration = Duration::from_secs(5);

impl UpstreamJwks {
    pub fn new(upstream: Arc<dyn Upstream>, path: impl Into<String>) -> Self {
        Self {
            upstream,
            path: path.into(),
        }
    }
}

#[async_trait]
impl JwksSource for UpstreamJwks {
    async fn fetch(&self) -> Result<Jwks, JwksError> {
        let req = Request::builder()
            .method(Method::GET)
            .uri(&self.path)
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .map_err(|e| JwksError::Invalid(format!("bad jwks path: {e}")))?;
        let res = tokio::time::timeout(JWKS_FETCH_TIMEOUT, self.upstream.call(req))
            .await
            .map_err(|_| crate::upstream::UpstreamError::Timeout)??;
        if res.status() != StatusCode::OK {
            return Err(JwksError::Status(res.status()));
        }
        let body = http_body_util::Limited::new(res.into_body(), MAX_JWKS_BYTES)
            .collect()
            .await
            .map_err(|e| JwksError::Invalid(e.to_string()))?
            .to_bytes();
        serde_json::from_slice(&body).map_err(|e| JwksError::Invalid(e.to_string()))
    }
}
