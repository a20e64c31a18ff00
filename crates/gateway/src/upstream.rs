//! Where requests go: the [`Upstream`] abstraction.
//!
//! In the all-in-one mode every service is an in-process [`axum::Router`] ([`InProcess`]); in
//! the distributed mode an HTTP implementation (with load balancing, retries for idempotent
//! methods and circuit breaking) implements the same trait, so the gateway code is the same.

use std::convert::Infallible;

use async_trait::async_trait;
use axum::body::Body;
use axum::Router;
use http::{Request, Response};
use tower::ServiceExt;

/// Why an upstream produced no response. The gateway maps these to 502/504 problems and never
/// shows the detail to the client.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// No instance could be reached (connection refused, DNS, open circuit…).
    #[error("upstream unavailable: {0}")]
    Unavailable(String),
    /// The upstream did not answer in time.
    #[error("upstream timed out")]
    Timeout,
    /// The exchange failed half-way (protocol error, reset connection…).
    #[error("upstream transport error: {0}")]
    Transport(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// One destination of proxied requests. The request keeps its full original path (services
/// mount their routes under `/api/<service>`).
#[async_trait]
pub trait Upstream: Send + Sync + 'static {
    async fn call(&self, req: Request<Body>) -> Result<Response<Body>, UpstreamError>;
}

/// A service router running in the same process.
#[derive(Clone)]
pub struct InProcess(Router);

impl InProcess {
    pub fn new(router: Router) -> Self {
        Self(router)
    }
}

#[async_trait]
impl Upstream for InProcess {
    async fn call(&self, req: Request<Body>) -> Result<Response<Body>, UpstreamError> {
        let res: Result<Response<Body>, Infallible> = self.0.clone().oneshot(req).await;
        match res {
            Ok(res) => Ok(res),
            Err(never) => match never {},
        }
    }
}
