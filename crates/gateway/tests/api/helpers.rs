//! `spawn_gateway()`: a gateway on 127.0.0.1:0 in front of fake upstreams that echo what they
//! received, with a real `KeyRing` behind the fake identity service's JWKS.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use quorum_auth::{JwtConfig, KeyRing, MemoryRevocationList, SigningKey};
use quorum_gateway::{Gateway, GatewaySettings, InProcess, Upstream, UpstreamHealth};
use serde_json::{json, Value};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};
use utoipa::openapi::{OpenApi, OpenApiBuilder};
use uuid::Uuid;

pub(crate) const ISSUER: &str = "quorum-test";
pub(crate) const AUDIENCE: &str = "quorum-api-test";
pub(crate) const SERVICES: [&str; 6] = [
    "identity",
    "meeting",
    "transcript",
    "ai",
    "notification",
    "todo",
];

pub(crate) struct TestGateway {
    pub(crate) addr: SocketAddr,
    pub(crate) client: reqwest::Client,
    pub(crate) keys: Arc<RwLock<Arc<KeyRing>>>,
    pub(crate) revocations: Arc<MemoryRevocationList>,
    pub(crate) jwks_fetches: Arc<AtomicUsize>,
    pub(crate) meeting_down: Arc<AtomicBool>,
    /// Notified when a fake upload route has received its first body bytes.
    pub(crate) upload_started: Arc<tokio::sync::Notify>,
}

impl TestGateway {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) fn ring(&self) -> Arc<KeyRing> {
        Arc::clone(&self.keys.read().unwrap())
    }

    /// A valid access token for `user`.
    pub(crate) fn token(&self, user: Uuid) -> String {
        self.ring().issue_access(user).unwrap().0
    }

    /// Replaces the identity service's keys with a brand-new one (the old one is gone).
    pub(crate) fn rotate_keys(&self) {
        *self.keys.write().unwrap() = Arc::new(key_ring(AUDIENCE, vec![fresh_key()]));
    }

    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub(crate) async fn get_as(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }
}

pub(crate) fn fresh_key() -> SigningKey {
    SigningKey::generate(Utc::now() - chrono::Duration::days(1)).unwrap()
}

pub(crate) fn key_ring(audience: &str, keys: Vec<SigningKey>) -> KeyRing {
    KeyRing::new(
        JwtConfig {
            issuer: ISSUER.into(),
            audience: audience.into(),
            access_ttl: Duration::from_secs(900),
            refresh_ttl: Duration::from_secs(86_400),
        },
        keys,
    )
    .unwrap()
}

/// Settings with the test issuer/audience; `configure` adjusts them further.
pub(crate) fn test_settings() -> GatewaySettings {
    let mut settings = GatewaySettings::default();
    settings.auth.issuer = ISSUER.into();
    settings.auth.audience = AUDIENCE.into();
    settings
}

pub(crate) async fn spawn_gateway() -> TestGateway {
    spawn_gateway_with(|_| {}).await
}

pub(crate) async fn spawn_gateway_with(
    configure: impl FnOnce(&mut GatewaySettings),
) -> TestGateway {
    let mut settings = test_settings();
    configure(&mut settings);

    let keys = Arc::new(RwLock::new(Arc::new(key_ring(AUDIENCE, vec![fresh_key()]))));
    let revocations = Arc::new(MemoryRevocationList::new());
    let jwks_fetches = Arc::new(AtomicUsize::new(0));
    let meeting_down = Arc::new(AtomicBool::new(false));
    let upload_started = Arc::new(tokio::sync::Notify::new());

    let mut builder = Gateway::builder()
        .settings(settings)
        .revocations(revocations.clone());
    for service in SERVICES {
        let fake = FakeService {
            name: service,
            keys: Arc::clone(&keys),
            jwks_fetches: Arc::clone(&jwks_fetches),
            down: if service == "meeting" {
                Arc::clone(&meeting_down)
            } else {
                Arc::new(AtomicBool::new(false))
            },
            upload_started: Arc::clone(&upload_started),
        };
        let upstream: Arc<dyn Upstream> = Arc::new(InProcess::new(fake.router()));
        builder = builder
            .upstream(service, Arc::clone(&upstream))
            .health_check(service, Arc::new(UpstreamHealth::new(upstream)));
    }
    let router = builder
        .openapi("identity", one_path_doc("/api/users/me"))
        .openapi("meeting", one_path_doc("/api/meetings/{id}"))
        .build()
        .unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });

    TestGateway {
        addr,
        client: reqwest::Client::new(),
        keys,
        revocations,
        jwks_fetches,
        meeting_down,
        upload_started,
    }
}

fn one_path_doc(path: &str) -> OpenApi {
    OpenApiBuilder::new()
        .paths(PathsBuilder::new().path(
            path,
            PathItem::new(
                HttpMethod::Get,
                OperationBuilder::new().operation_id(Some(path)),
            ),
        ))
        .build()
}

/// A stand-in service: echoes every request as JSON, serves a JWKS (identity), a health
/// endpoint, a slow route and an upload route.
#[derive(Clone)]
struct FakeService {
    name: &'static str,
    keys: Arc<RwLock<Arc<KeyRing>>>,
    jwks_fetches: Arc<AtomicUsize>,
    down: Arc<AtomicBool>,
    upload_started: Arc<tokio::sync::Notify>,
}

impl FakeService {
    fn router(self) -> Router {
        Router::new()
            .route("/.well-known/jwks.json", get(jwks))
            .route("/actuator/health", get(health))
            .route("/api/meetings/slow", get(slow))
            .route("/api/meetings/{id}/recording", post(upload))
            .fallback(echo)
            .with_state(self)
    }
}

async fn jwks(State(fake): State<FakeService>) -> Response {
    fake.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    let ring = Arc::clone(&fake.keys.read().unwrap());
    Json(ring.jwks()).into_response()
}

async fn health(State(fake): State<FakeService>) -> Response {
    if fake.down.load(Ordering::SeqCst) {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "DOWN", "components": {"db": {"status": "DOWN"}}})),
        )
            .into_response()
    } else {
        Json(json!({"status": "UP", "service": fake.name})).into_response()
    }
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(2)).await;
    "finally"
}

/// Reads the body frame by frame, telling the test when the first bytes arrive, then waits
/// `x-test-delay-ms` before answering `{bodyLength}` (413 when the gateway cut the body off).
async fn upload(State(fake): State<FakeService>, req: Request) -> Response {
    use http_body_util::BodyExt;
    let delay = req
        .headers()
        .get("x-test-delay-ms")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    let mut body = req.into_body();
    let mut length = 0;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        if let Some(data) = frame.data_ref() {
            if length == 0 && !data.is_empty() {
                fake.upload_started.notify_one();
            }
            length += data.len();
        }
    }
    tokio::time::sleep(Duration::from_millis(delay)).await;
    Json(json!({"service": fake.name, "bodyLength": length})).into_response()
}

async fn echo(State(fake): State<FakeService>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body: Bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let headers: serde_json::Map<String, Value> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or_default())))
        .collect();
    Json(json!({
        "service": fake.name,
        "method": parts.method.as_str(),
        "path": parts.uri.path(),
        "query": parts.uri.query(),
        "headers": headers,
        "bodyLength": body.len(),
    }))
    .into_response()
}
