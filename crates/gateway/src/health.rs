//! System-wide health: `/actuator/health` asks every component (usually one per upstream)
//! concurrently, each within a time limit, and answers 503 when any is DOWN.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use quorum_web::management::Management;
use serde::Serialize;

use crate::upstream::Upstream;

/// `UP` or `DOWN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HealthStatus {
    Up,
    Down,
}

/// One component's answer: `{status, details}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentHealth {
    pub status: HealthStatus,
    pub details: serde_json::Value,
}

impl ComponentHealth {
    pub fn up(details: serde_json::Value) -> Self {
        Self {
            status: HealthStatus::Up,
            details,
        }
    }
    pub fn down(details: serde_json::Value) -> Self {
        Self {
            status: HealthStatus::Down,
            details,
        }
    }
}

/// A health probe the binary supplies per component.
#[async_trait]
pub trait HealthCheck: Send + Sync + 'static {
    async fn check(&self) -> ComponentHealth;
}

/// Wraps an async closure as a [`HealthCheck`].
pub fn health_check_fn<F, Fut>(f: F) -> Arc<dyn HealthCheck>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ComponentHealth> + Send + 'static,
{
    Arc::new(FnCheck(f))
}

struct FnCheck<F>(F);

#[async_trait]
impl<F, Fut> HealthCheck for FnCheck<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ComponentHealth> + Send + 'static,
{
    async fn check(&self) -> ComponentHealth {
        (self.0)().await
    }
}

/// Asks an upstream's own health endpoint (`GET /actuator/health` by default): 2xx is UP,
/// anything else DOWN; the upstream's JSON body becomes the details.
pub struct UpstreamHealth {
    upstream: Arc<dyn Upstream>,
    path: String,
}

impl UpstreamHealth {
    pub fn new(upstream: Arc<dyn Upstream>) -> Self {
        Self::at(upstream, "/actuator/health")
    }
    pub fn at(upstream: Arc<dyn Upstream>, path: impl Into<String>) -> Self {
        Self {
            upstream,
            path: path.into(),
        }
    }
}

const MAX_HEALTH_BODY: usize = 256 * 1024;

#[async_trait]
impl HealthCheck for UpstreamHealth {
    async fn check(&self) -> ComponentHealth {
        let req = match Request::builder()
            .method(Method::GET)
            .uri(&self.path)
            .body(Body::empty())
        {
            Ok(req) => req,
            Err(e) => return ComponentHealth::down(serde_json::json!({"error": e.to_string()})),
        };
        let res = match self.upstream.call(req).await {
            Ok(res) => res,
            Err(e) => return ComponentHealth::down(serde_json::json!({"error": e.to_string()})),
        };
        let status = res.status();
        let details = match http_body_util::Limited::new(res.into_body(), MAX_HEALTH_BODY)
            .collect()
            .await
        {
            Ok(body) => serde_json::from_slice(&body.to_bytes()).unwrap_or(serde_json::Value::Null),
            Err(_) => serde_json::Value::Null,
        };
        if status.is_success() {
            ComponentHealth::up(details)
        } else {
            ComponentHealth::down(details)
        }
    }
}

#[derive(Serialize)]
struct SystemHealth {
    status: HealthStatus,
    components: BTreeMap<String, ComponentHealth>,
}

pub(crate) struct HealthState {
    pub(crate) checks: Vec<(String, Arc<dyn HealthCheck>)>,
    pub(crate) timeout: Duration,
    /// Who sees the components; anyone else gets `{"status"}` only.
    pub(crate) management: Management,
}

pub(crate) async fn system_health(
    State(state): State<Arc<HealthState>>,
    req: Request<Body>,
) -> Response {
    let detailed = state.management.allows(&req);
    let probes = state.checks.iter().map(|(name, check)| {
        let timeout = state.timeout;
        async move {
            let health = tokio::time::timeout(timeout, check.check())
                .await
                .unwrap_or_else(|_| {
                    ComponentHealth::down(serde_json::json!({"error": "health check timed out"}))
                });
            (name.clone(), health)
        }
    });
    let components: BTreeMap<_, _> = futures::future::join_all(probes)
        .await
        .into_iter()
        .collect();
    let status = if components.values().all(|c| c.status == HealthStatus::Up) {
        HealthStatus::Up
    } else {
        HealthStatus::Down
    };
    let code = match status {
        HealthStatus::Up => StatusCode::OK,
        HealthStatus::Down => StatusCode::SERVICE_UNAVAILABLE,
    };
    if !detailed {
        return (code, Json(serde_json::json!({ "status": status }))).into_response();
    }
    (code, Json(SystemHealth { status, components })).into_response()
}

/// Liveness never depends on other systems.
pub(crate) async fn liveness() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "UP"}))
}
