//! Health Endpoint Monitoring (seed 000 §3.6).
//!
//! `/actuator/health` reports every indicator with details; `/actuator/health/liveness`
//! answers from the process alone (a liveness probe that depended on the database would
//! restart healthy pods during a database outage); `/actuator/health/readiness` runs the
//! indicators that gate traffic. A check slower than its timeout counts as DOWN.
//!
//! Probes need only the status, which anyone gets; the components (with their errors),
//! `/actuator/prometheus` and `/actuator/info` are for the callers of a
//! [`Management`] policy: a management token, or without one, clients on the same machine.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::PrometheusHandle;
use quorum_web::management::Management;
use serde::Serialize;
use serde_json::{Map, Value};

/// `UP` or `DOWN`, as Spring Boot Actuator spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Up,
    Down,
}

/// One component's health.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    pub status: Status,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub details: Map<String, Value>,
}

impl Health {
    pub fn up() -> Self {
        Self {
            status: Status::Up,
            details: Map::new(),
        }
    }
    pub fn down(error: impl std::fmt::Display) -> Self {
        Self::up()
            .with_status(Status::Down)
            .with_detail("error", error.to_string())
    }
    pub fn with_status(mut self, status: Status) -> Self {
        self.status = status;
        self
    }
    pub fn with_detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key.to_string(), value.into());
        self
    }
}

/// A dependency whose health a process reports.
#[async_trait]
pub trait HealthIndicator: Send + Sync + 'static {
    /// Component name in the health document (`db`, `broker`, `cache`, `stt`).
    fn name(&self) -> &str;
    /// Whether a DOWN result takes the process out of rotation (readiness).
    fn gates_readiness(&self) -> bool {
        true
    }
    async fn check(&self) -> Health;
}

type CheckFn = dyn Fn() -> Pin<Box<dyn Future<Output = Health> + Send>> + Send + Sync;

/// An indicator from a closure: `FnIndicator::new("db", move || { let db = db.clone(); async move { … } })`.
pub struct FnIndicator {
    name: String,
    gates: bool,
    check: Box<CheckFn>,
}

impl FnIndicator {
    pub fn new<F, Fut>(name: &str, check: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Health> + Send + 'static,
    {
        Self {
            name: name.to_string(),
            gates: true,
            check: Box::new(move || Box::pin(check())),
        }
    }
    /// Reported, but never takes the process out of rotation.
    pub fn informational(mut self) -> Self {
        self.gates = false;
        self
    }
}

#[async_trait]
impl HealthIndicator for FnIndicator {
    fn name(&self) -> &str {
        &self.name
    }
    fn gates_readiness(&self) -> bool {
        self.gates
    }
    async fn check(&self) -> Health {
        (self.check)().await
    }
}

/// The indicators of one process.
#[derive(Clone, Default)]
pub struct HealthRegistry {
    indicators: Vec<Arc<dyn HealthIndicator>>,
    timeout: Option<Duration>,
}

impl HealthRegistry {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn register(&mut self, indicator: Arc<dyn HealthIndicator>) {
        self.indicators.push(indicator);
    }
    pub fn with(mut self, indicator: impl HealthIndicator) -> Self {
        self.indicators.push(Arc::new(indicator));
        self
    }
    /// The registered indicators, for a caller that reports them its own way.
    pub fn indicators(&self) -> &[Arc<dyn HealthIndicator>] {
        &self.indicators
    }

    /// Per-check timeout (default 3 s, the seed's readiness probe timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Runs the checks concurrently; `readiness_only` skips informational ones.
    pub async fn check(&self, readiness_only: bool) -> (Status, BTreeMap<String, Health>) {
        let timeout = self.timeout.unwrap_or(Duration::from_secs(3));
        let checks = self
            .indicators
            .iter()
            .filter(|i| !readiness_only || i.gates_readiness())
            .map(|i| async move {
                let start = Instant::now();
                let health = match tokio::time::timeout(timeout, i.check()).await {
                    Ok(h) => h,
                    Err(_) => Health::down(format!("no answer within {timeout:?}")),
                };
                let ms = start.elapsed().as_millis() as u64;
                (
                    i.name().to_string(),
                    i.gates_readiness(),
                    health.with_detail("latencyMs", ms),
                )
            });
        let results = futures::future::join_all(checks).await;
        let overall = if results
            .iter()
            .any(|(_, gates, h)| *gates && h.status == Status::Down)
        {
            Status::Down
        } else {
            Status::Up
        };
        (
            overall,
            results.into_iter().map(|(n, _, h)| (n, h)).collect(),
        )
    }
}

/// Version, build and uptime for `/actuator/info`.
#[derive(Debug, Clone)]
pub struct BuildInfo {
    pub name: &'static str,
    pub version: &'static str,
    pub started: Instant,
    pub services: Vec<String>,
}

#[derive(Clone)]
struct ActuatorState {
    registry: HealthRegistry,
    info: Arc<BuildInfo>,
    prometheus: PrometheusHandle,
    management: Management,
}

/// `/actuator/health`, `/actuator/health/liveness`, `/actuator/health/readiness`,
/// `/actuator/prometheus`, `/actuator/info`: what a service process serves. Liveness and the
/// status of health and readiness are for anyone (probes); the components, metrics and
/// build information only for `management`'s callers.
pub fn actuator_router(
    registry: HealthRegistry,
    info: BuildInfo,
    prometheus: PrometheusHandle,
    management: Management,
) -> Router {
    let state = ActuatorState {
        registry: registry.clone(),
        info: Arc::new(info.clone()),
        prometheus: prometheus.clone(),
        management: management.clone(),
    };
    Router::new()
        .route("/actuator/health", get(health))
        .route("/actuator/health/liveness", get(liveness))
        .with_state(state)
        .merge(ops_router(registry, info, prometheus, management))
}

/// `/actuator/health/readiness`, `/actuator/prometheus` and `/actuator/info` only, for a
/// process whose gateway serves the system-wide `/actuator/health` and liveness itself.
pub fn ops_router(
    registry: HealthRegistry,
    info: BuildInfo,
    prometheus: PrometheusHandle,
    management: Management,
) -> Router {
    let state = ActuatorState {
        registry,
        info: Arc::new(info),
        prometheus,
        management,
    };
    Router::new()
        .route("/actuator/health/readiness", get(readiness))
        .route("/actuator/prometheus", get(prometheus_text))
        .route("/actuator/info", get(info_doc))
        .with_state(state)
}

fn status_response(status: Status, body: Value) -> Response {
    let code = match status {
        Status::Up => StatusCode::OK,
        Status::Down => StatusCode::SERVICE_UNAVAILABLE,
    };
    (code, Json(body)).into_response()
}

async fn health(State(s): State<ActuatorState>, req: Request) -> Response {
    let (status, components) = s.registry.check(false).await;
    if !s.management.allows(&req) {
        return status_response(status, serde_json::json!({ "status": status }));
    }
    let mut components = serde_json::to_value(components).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut components {
        map.insert("livenessState".into(), serde_json::json!({"status": "UP"}));
    }
    status_response(
        status,
        serde_json::json!({ "status": status, "components": components }),
    )
}

async fn liveness() -> Response {
    status_response(Status::Up, serde_json::json!({ "status": "UP" }))
}

async fn readiness(State(s): State<ActuatorState>, req: Request) -> Response {
    let (status, components) = s.registry.check(true).await;
    if !s.management.allows(&req) {
        return status_response(status, serde_json::json!({ "status": status }));
    }
    status_response(
        status,
        serde_json::json!({ "status": status, "components": components }),
    )
}

async fn prometheus_text(State(s): State<ActuatorState>, req: Request) -> Response {
    if !s.management.allows(&req) {
        return s.management.refusal(&req);
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        s.prometheus.render(),
    )
        .into_response()
}

async fn info_doc(State(s): State<ActuatorState>, req: Request) -> Response {
    if !s.management.allows(&req) {
        return s.management.refusal(&req);
    }
    let uptime = s.info.started.elapsed().as_secs();
    Json(serde_json::json!({
        "app": { "name": s.info.name, "version": s.info.version },
        "build": {
            "version": s.info.version,
            "rustc": option_env!("QUORUM_RUSTC_VERSION").unwrap_or("unknown"),
            "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        },
        "uptimeSeconds": uptime,
        "services": s.info.services,
    }))
    .into_response()
}
