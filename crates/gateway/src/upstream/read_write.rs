//! [`ReadWrite`]: reads to one upstream, writes to another (seed 004 case 4, e.g. replicas
//! that serve from a read replica of the database).

use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Body;
use http::{header, Method, Request, Response};

use super::{Upstream, UpstreamError};

/// Sends GET, HEAD and OPTIONS to `read` and every other method to `write` — except event
/// streams (`Accept: text/event-stream`): live events come from the consumers, which only
/// the write group runs.
pub struct ReadWrite {
    read: Arc<dyn Upstream>,
    write: Arc<dyn Upstream>,
}

impl ReadWrite {
    pub fn new(read: Arc<dyn Upstream>, write: Arc<dyn Upstream>) -> Self {
        Self { read, write }
    }
}

#[async_trait]
impl Upstream for ReadWrite {
    async fn call(&self, req: Request<Body>) -> Result<Response<Body>, UpstreamError> {
        let stream = req
            .headers()
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains("text/event-stream"));
        let target = match *req.method() {
            Method::GET | Method::HEAD | Method::OPTIONS if !stream => &self.read,
            _ => &self.write,
        };
        target.call(req).await
    }
}
