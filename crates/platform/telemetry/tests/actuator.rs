//! The actuator endpoints answer as seed 000 §3.6 describes, and request metrics are
//! labelled by matched route.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use http_body_util::BodyExt;
use metrics_exporter_prometheus::PrometheusHandle;
use quorum_telemetry::health::FnIndicator;
use quorum_telemetry::{actuator_router, BuildInfo, Health, HealthRegistry};
use quorum_web::management::Management;
use tower::ServiceExt;

fn info() -> BuildInfo {
    BuildInfo {
        name: "quorum",
        version: "0.0.0-test",
        started: std::time::Instant::now(),
        services: vec!["meeting".into()],
    }
}

const TOKEN: &str = "management-test-token";

/// The actuator with [`TOKEN`] as its management token.
fn actuator(registry: HealthRegistry, info: BuildInfo, prometheus: PrometheusHandle) -> Router {
    actuator_router(registry, info, prometheus, Management::new(TOKEN, false))
}

/// `GET path` as the operator (with the management token).
async fn get_json(router: &Router, path: &str) -> (StatusCode, serde_json::Value) {
    get_as(router, path, Some(TOKEN)).await
}

async fn get_as(
    router: &Router,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::get(path);
    if let Some(token) = token {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    let res = router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test]
async fn readiness_fails_when_a_dependency_is_down_but_liveness_does_not() {
    let registry = HealthRegistry::new()
        .with(FnIndicator::new("db", || async { Health::up() }))
        .with(FnIndicator::new("broker", || async {
            Health::down("connection refused")
        }));
    let router = actuator(registry, info(), quorum_telemetry::metrics::install());

    let (status, body) = get_json(&router, "/actuator/health/readiness").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["status"], "DOWN");
    assert_eq!(body["components"]["db"]["status"], "UP");
    assert_eq!(
        body["components"]["broker"]["details"]["error"],
        "connection refused"
    );

    let (status, body) = get_json(&router, "/actuator/health/liveness").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "UP");

    let (status, body) = get_json(&router, "/actuator/health").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["components"]["livenessState"]["status"], "UP");
}

#[tokio::test]
async fn informational_indicator_is_reported_but_does_not_gate_readiness() {
    let registry = HealthRegistry::new()
        .with(FnIndicator::new("db", || async { Health::up() }))
        .with(FnIndicator::new("smtp", || async { Health::down("no server") }).informational());
    let router = actuator(registry, info(), quorum_telemetry::metrics::install());
    let (status, body) = get_json(&router, "/actuator/health/readiness").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = get_json(&router, "/actuator/health").await;
    assert_eq!(body["components"]["smtp"]["status"], "DOWN");
}

#[tokio::test]
async fn a_check_that_hangs_counts_as_down() {
    let registry = HealthRegistry::new()
        .timeout(Duration::from_millis(50))
        .with(FnIndicator::new("stt", || async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            Health::up()
        }));
    let router = actuator(registry, info(), quorum_telemetry::metrics::install());
    let (status, body) = get_json(&router, "/actuator/health/readiness").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body["components"]["stt"]["details"]["error"]
        .as_str()
        .unwrap()
        .contains("no answer"));
}

#[tokio::test]
async fn info_reports_version_and_uptime() {
    let router = actuator(
        HealthRegistry::new(),
        info(),
        quorum_telemetry::metrics::install(),
    );
    let (status, body) = get_json(&router, "/actuator/info").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["app"]["version"], "0.0.0-test");
    assert!(body["uptimeSeconds"].is_u64());
}

#[tokio::test]
async fn request_metrics_use_the_matched_route_not_the_raw_path() {
    let handle = quorum_telemetry::metrics::install();
    let app = Router::new()
        .route("/items/{id}", get(|| async { "ok" }))
        .layer(axum::middleware::from_fn_with_state(
            "telemetry-test",
            quorum_telemetry::metrics::track,
        ));
    for id in ["a1", "b2", "c3"] {
        let res = app
            .clone()
            .oneshot(
                Request::get(format!("/items/{id}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    let text = handle.render();
    let line = text
        .lines()
        .find(|l| l.starts_with("http_requests_total") && l.contains("telemetry-test"))
        .unwrap_or_else(|| panic!("no counter in:\n{text}"));
    assert!(line.contains(r#"route="/items/{id}""#), "{line}");
    assert!(line.trim_end().ends_with(" 3"), "{line}");
    assert!(!text.contains("/items/a1"));

    let router = actuator(HealthRegistry::new(), info(), handle);
    let res = router
        .oneshot(
            Request::get("/actuator/prometheus")
                .header("authorization", format!("Bearer {TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn probes_get_the_status_and_only_the_management_token_opens_the_rest() {
    let registry = HealthRegistry::new().with(FnIndicator::new("db", || async {
        Health::down("connection to db-7.internal:5432 refused")
    }));
    let router = actuator(registry, info(), quorum_telemetry::metrics::install());
    for token in [None, Some("a-guess")] {
        for path in ["/actuator/health", "/actuator/health/readiness"] {
            let (status, body) = get_as(&router, path, token).await;
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
            assert_eq!(body, serde_json::json!({"status": "DOWN"}), "{path}");
        }
        let (status, body) = get_as(&router, "/actuator/health/liveness", token).await;
        assert_eq!((status, &body["status"]), (StatusCode::OK, &"UP".into()));
        for path in ["/actuator/prometheus", "/actuator/info"] {
            let (status, body) = get_as(&router, path, token).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
            assert_eq!(body["code"], "management_token_required", "{body}");
        }
    }
    let (_, body) = get_json(&router, "/actuator/health").await;
    assert_eq!(body["components"]["db"]["status"], "DOWN", "{body}");
}
