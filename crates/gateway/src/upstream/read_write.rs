//! [`ReadWrite`]: reads to one upstream, writes to another (seed 004 case 4, e.g. replicas
//! that serve from a read replica of the database).

use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Body;
use http::{Method, Request, Response};

use super::{Upstream, UpstreamError};

/// Sends GET, HEAD and OPTIONS to `read` and every other method to `write`.
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
        let target = match *req.method() {
            Method::GET | Method::HEAD | Method::OPTIONS => &self.read,
            _ => &self.write,
        };
        target.call(req).await
    }
}
