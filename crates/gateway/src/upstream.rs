//! Where requests go: the [`Upstream`] abstraction.
//!
//! In the all-in-one mode every service is an in-process [`axum::Router`] ([`InProcess`]); in
//! the distributed mode [`HttpUpstream`] reaches a service's instances over HTTP/1.1 with
//! least-request balancing, retries and outlier ejection (`upstream/remote.rs`, the instance
//! set in `upstream/pool.rs`), and [`ReadWrite`] splits reads from writes
//! (`upstream/read_write.rs`). The gateway code is the same for all of them.

use std::convert::Infallible;
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Body;
use axum::Router;
use http::{Request, Response};
use tokio::time::Instant;
use tower::ServiceExt;

mod pool;
mod read_write;
mod remote;

pub use self::read_write::ReadWrite;
pub use self::remote::{HttpUpstream, InvalidUpstreamUrl};

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

/// How an upstream may retry one request; the proxy puts it in the request's extensions
/// (absent: [`CallPolicy::default`]). [`InProcess`] ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallPolicy {
    /// Time one attempt may take until the response head arrives.
    pub per_try_timeout: Duration,
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// When the caller gives up (its total timeout): no retry or back-off goes past it.
    pub deadline: Option<Instant>,
}

impl CallPolicy {
    pub fn new(per_try_timeout: Duration, attempts: u32) -> Self {
        Self {
            per_try_timeout,
            attempts,
            deadline: None,
        }
    }
}

impl Default for CallPolicy {
    /// 3 s per try, 5 attempts, no deadline (seed 004's ordinary routes).
    fn default() -> Self {
        Self::new(Duration::from_secs(3), 5)
    }
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
