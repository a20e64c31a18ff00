//! The distributed mode's test bed: service instances as real HTTP servers on 127.0.0.1:0 and
//! a gateway that reaches them through `gateway.upstreams`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use quorum_auth::MemoryRevocationList;
use quorum_gateway::{BuildError, Gateway, GatewaySettings, RouteSettings, UpstreamUrls};
use serde_json::json;
use tokio::net::TcpListener;
use uuid::Uuid;

use crate::helpers::{fresh_key, key_ring, test_settings, AUDIENCE};

/// What an instance answers to every request but its readiness probe.
#[derive(Clone, Copy)]
pub(crate) enum Behaviour {
    /// 200 with `{instance, method, path, host, bodyLength}`.
    Echo,
    /// This status, with the same body.
    Status(u16),
    /// Echo after this long.
    Slow(Duration),
    /// This status as the service's own `application/problem+json` answer.
    Problem(u16),
}

/// A running instance: its base URL and how many requests (probes aside) reached it.
pub(crate) struct Instance {
    pub(crate) url: String,
    pub(crate) hits: Arc<AtomicUsize>,
}

impl Instance {
    pub(crate) fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

#[derive(Clone)]
struct InstanceState {
    name: &'static str,
    behaviour: Behaviour,
    hits: Arc<AtomicUsize>,
}

pub(crate) async fn spawn_instance(name: &'static str, behaviour: Behaviour) -> Instance {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    serve_instance(listener, name, behaviour)
}

pub(crate) fn serve_instance(
    listener: TcpListener,
    name: &'static str,
    behaviour: Behaviour,
) -> Instance {
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let state = InstanceState {
        name,
        behaviour,
        hits: Arc::clone(&hits),
    };
    let router = Router::new()
        .route("/actuator/health/readiness", get(|| async { "UP" }))
        .fallback(answer)
        .with_state(state);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Instance { url, hits }
}

/// A URL nothing listens on (the port was bound, then released), and its address.
pub(crate) async fn dead_url() -> (String, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (format!("http://{addr}"), addr)
}

async fn answer(State(state): State<InstanceState>, req: Request) -> Response {
    state.hits.fetch_add(1, Ordering::SeqCst);
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if let Behaviour::Problem(code) = state.behaviour {
        let body = json!({"status": code, "code": "busy", "detail": "busy"}).to_string();
        return (
            StatusCode::from_u16(code).unwrap(),
            [("content-type", "application/problem+json")],
            body,
        )
            .into_response();
    }
    let status = match state.behaviour {
        Behaviour::Problem(_) | Behaviour::Echo => StatusCode::OK,
        Behaviour::Status(code) => StatusCode::from_u16(code).unwrap(),
        Behaviour::Slow(delay) => {
            tokio::time::sleep(delay).await;
            StatusCode::OK
        }
    };
    let host = parts.headers.get("host").and_then(|h| h.to_str().ok());
    let echo = json!({
        "instance": state.name,
        "method": parts.method.as_str(),
        "path": parts.uri.path(),
        "query": parts.uri.query(),
        "host": host,
        "bodyLength": body.len(),
    });
    (status, Json(echo)).into_response()
}

/// A gateway whose `meeting` upstream (`/api/meetings`) and `identity` upstream (the JWKS)
/// are HTTP instances.
pub(crate) struct DistributedGateway {
    pub(crate) addr: SocketAddr,
    pub(crate) client: reqwest::Client,
    pub(crate) token: String,
}

impl DistributedGateway {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) async fn send(&self, method: &str, path: &str, body: &[u8]) -> reqwest::Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        self.client
            .request(method, self.url(path))
            .bearer_auth(&self.token)
            .body(body.to_vec())
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn health(&self) -> serde_json::Value {
        let res = self.client.get(self.url("/actuator/health")).send().await;
        res.unwrap().json().await.unwrap()
    }
}

/// Settings with routes for `meeting` and the JWKS only, no rate limits, and `meeting` at
/// `meeting_urls`.
pub(crate) fn distributed_settings(meeting_urls: &[&str]) -> GatewaySettings {
    let mut settings = test_settings();
    settings.routes = vec![
        RouteSettings::new("/api/meetings", "meeting"),
        RouteSettings::new("/.well-known/jwks.json", "identity"),
    ];
    settings.rate_limit.enabled = false;
    settings.upstreams.insert(
        "meeting".into(),
        UpstreamUrls::new(meeting_urls.iter().copied()),
    );
    settings
}

/// Starts an identity instance serving the JWKS, adds it to `settings.upstreams` and builds
/// the gateway from the settings alone (no upstream given in code).
pub(crate) async fn spawn_distributed(
    mut settings: GatewaySettings,
) -> Result<DistributedGateway, BuildError> {
    let ring = Arc::new(key_ring(AUDIENCE, vec![fresh_key()]));
    let jwks = ring.jwks();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let identity = format!("http://{}", listener.local_addr().unwrap());
    let router = Router::new().route(
        "/.well-known/jwks.json",
        get(move || {
            let jwks = jwks.clone();
            async move { Json(jwks) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    settings
        .upstreams
        .insert("identity".into(), UpstreamUrls::new([identity]));

    let router = Gateway::builder()
        .settings(settings)
        .revocations(Arc::new(MemoryRevocationList::new()))
        .build()?;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    Ok(DistributedGateway {
        addr,
        client: reqwest::Client::new(),
        token: ring.issue_access(Uuid::now_v7()).unwrap().0,
    })
}
