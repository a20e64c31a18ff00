//! What stands in front of the services: the gateway (in-process upstreams for this
//! process's services, HTTP for the others), and the layers every service router gets.

use std::sync::Arc;

use anyhow::Context;
use axum::body::Body;
use axum::http::{Method, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;
use quorum_gateway::{Callers, Gateway, InProcess, RedisRateLimiter, Upstream};
use quorum_store::Db;
use quorum_telemetry::{BuildInfo, HealthRegistry};
use quorum_web::management::{Management, ManagementListener};
use quorum_web::{Code, Problem};

use crate::backends::Stores;
use crate::health::gateway_check;
use crate::plan::{Plan, Role};
use crate::services;
use crate::Settings;

/// The gateway in front of this process's services (in-process) and the others
/// (`gateway.upstreams`, over HTTP), with the process's actuator as local routes.
pub(crate) fn gateway(
    settings: &Settings,
    plan: &Plan,
    stores: &Stores,
    local: &[(&'static str, Router)],
    registry: HealthRegistry,
    info: BuildInfo,
    prometheus: PrometheusHandle,
) -> anyhow::Result<Router> {
    let mut gateway_settings = settings.gateway.clone();
    gateway_settings.auth = crate::callers::auth_settings(settings);
    let recording_max = settings.meeting.recording_max_bytes;
    if plan.runs("meeting") && (gateway_settings.upload_body_limit_bytes as u64) < recording_max {
        tracing::warn!(
            gateway_limit = gateway_settings.upload_body_limit_bytes,
            recording_max,
            "gateway.upload_body_limit_bytes is below meeting.recording_max_bytes: the \
             gateway refuses (413) recordings the meeting service would take"
        );
    }
    let mut builder = Gateway::builder()
        .settings(gateway_settings)
        .revocations(stores.revocations.clone());
    let redis = settings.backends.redis_url.expose().trim();
    if !redis.is_empty() {
        // GCRA in Redis: one limit across every gateway replica.
        let limiter = RedisRateLimiter::new(redis, &settings.backends.redis_prefix)
            .map_err(|e| anyhow::anyhow!("backends.redis_url: {e}"))?;
        builder = builder.rate_limiter(Arc::new(limiter));
    }
    for (name, router) in local {
        let upstream: Arc<dyn Upstream> = Arc::new(InProcess::new(router.clone()));
        builder = builder.upstream(*name, upstream);
    }
    // Every routed service's API description, local or not: they are compiled in.
    let mut documented = Vec::new();
    for route in &settings.gateway.routes {
        let name = route.upstream.as_str();
        if !documented.contains(&name) {
            documented.push(name);
            if let Some(doc) = services::openapi(name) {
                builder = builder.openapi(name, doc);
            }
        }
    }
    for indicator in registry.indicators() {
        builder = builder.health_check(indicator.name(), gateway_check(indicator.clone()));
    }
    let ops = quorum_telemetry::ops_router(registry, info, prometheus, management(settings));
    builder
        .management(management(settings))
        .local_routes(ops)
        .build()
        .context("building the gateway")
}

/// What every service router gets in every mode: request metrics by matched route and
/// `Idempotency-Key` replay.
/// A `--role read` instance refuses other methods with 421 (Misdirected Request): the
/// gateway sends writes to the write group.
/// Without a gateway in the process, `callers` checks every request first (inside the
/// metrics, so refusals are counted): the caller is known before anything else runs.
pub(crate) fn service_router(
    name: &'static str,
    router: Router,
    db: Db,
    role: Role,
    callers: Option<&Callers>,
) -> Router {
    let mut router = router.layer(quorum_web::idempotency::layer(db));
    if role == Role::Read {
        router = router.layer(axum::middleware::from_fn(reads_only));
    }
    if let Some(callers) = callers {
        router = callers.layer(router);
    }
    router.layer(axum::middleware::from_fn_with_state(
        name,
        quorum_telemetry::metrics::track,
    ))
}

/// Holds a service's request bodies to what the gateway lets through to it
/// (`gateway.body_limit_bytes`, or its routes' own), with a `413` naming the limit: axum's
/// 2 MiB default no longer refuses smaller bodies with a 400. Recordings keep their own
/// limit (`meeting.recording_max_bytes`).
pub(crate) fn body_limit(
    name: &str,
    router: Router,
    settings: &Settings,
) -> anyhow::Result<Router> {
    let limit = quorum_gateway::service_body_limit(&settings.gateway, name)?;
    Ok(quorum_web::limit::apply(router, limit))
}

/// Who may read metrics, build information and health details (`management.token`,
/// `management.port`).
pub(crate) fn management(settings: &Settings) -> Management {
    Management::new(
        settings.management.token.expose(),
        settings.management.port.is_some(),
    )
}

/// What the management listener serves: the process's `/actuator/*`, its requests marked as
/// coming from that listener (which opens the details to them); any other path is a 404.
pub(crate) fn management_router(router: Router) -> Router {
    router.layer(axum::middleware::from_fn(
        |mut req: Request<Body>, next: Next| async move {
            if !req.uri().path().starts_with("/actuator/") {
                let path = req.uri().path().to_owned();
                let detail = format!("the management port serves /actuator/* only, not `{path}`");
                return Problem::new(Code::RouteNotFound, detail).into_response();
            }
            req.extensions_mut().insert(ManagementListener);
            next.run(req).await
        },
    ))
}

async fn reads_only(req: Request<Body>, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    Problem::new(
        Code::ReadOnlyInstance,
        format!(
            "this instance serves reads only (--role read); send {} to the write group",
            req.method()
        ),
    )
    .into_response()
}
