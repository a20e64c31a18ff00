//! A service process's own check of its callers ([`Callers`]): a service router served over
//! HTTP with no gateway in front, as `quorum serve <service>` serves it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use quorum_auth::{KeyRing, MemoryRevocationList, RevocationList};
use quorum_gateway::{Callers, InProcess, JwksSource, Upstream, UpstreamJwks};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::assert_problem;
use crate::helpers::{fresh_key, key_ring, test_settings, AUDIENCE};

struct Service {
    base: String,
    ring: Arc<KeyRing>,
    revocations: Arc<MemoryRevocationList>,
    client: reqwest::Client,
}

impl Service {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// Echoes the caller the service was told about (`x-quorum-user-id`).
async fn whoami(req: Request) -> Json<Value> {
    let user = req
        .headers()
        .get(quorum_web::USER_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Json(json!({ "user": user }))
}

/// A service router behind [`Callers`], the JWKS served by `identity` (in-process); `ring`
/// issues the tests' tokens.
async fn serve(ring: Arc<KeyRing>, identity: Router) -> Service {
    let settings = test_settings();
    let upstream: Arc<dyn Upstream> = Arc::new(InProcess::new(identity));
    let jwks: Arc<dyn JwksSource> =
        Arc::new(UpstreamJwks::new(upstream, settings.auth.jwks_path.clone()));
    let revocations = Arc::new(MemoryRevocationList::new());
    let callers = Callers::new(&settings.auth, jwks, revocations.clone()).unwrap();
    let service = Router::new()
        .route("/api/meetings", get(whoami))
        .route("/api/users/login", post(whoami));
    let router = callers
        .layer(service)
        .route("/actuator/health/liveness", get(|| async { "UP" }));
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
    Service {
        base: format!("http://{addr}"),
        ring,
        revocations,
        client: reqwest::Client::new(),
    }
}

/// An identity service publishing `ring`'s keys.
fn identity(ring: Arc<KeyRing>) -> Router {
    Router::new().route(
        "/.well-known/jwks.json",
        get(move || {
            let ring = Arc::clone(&ring);
            async move { Json(ring.jwks()) }
        }),
    )
}

/// A service whose identity service publishes the keys that sign the tests' tokens.
async fn spawn() -> Service {
    let ring = Arc::new(key_ring(AUDIENCE, vec![fresh_key()]));
    serve(Arc::clone(&ring), identity(ring)).await
}

#[tokio::test]
async fn a_forged_user_header_without_a_token_is_refused() {
    let svc = spawn().await;
    let res = svc
        .client
        .get(svc.url("/api/meetings"))
        .header(quorum_web::USER_HEADER, Uuid::now_v7().to_string())
        .send()
        .await
        .unwrap();
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains(r#"error="invalid_token""#));
    assert_problem(res, 401, "invalid_token").await;
    // A token that does not verify is no better.
    let res = svc
        .client
        .get(svc.url("/api/meetings"))
        .bearer_auth("a.b.c")
        .header(quorum_web::USER_HEADER, Uuid::now_v7().to_string())
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "invalid_token").await;
}

#[tokio::test]
async fn the_caller_is_the_tokens_subject_whatever_the_header_says() {
    let svc = spawn().await;
    let user = Uuid::now_v7();
    let (token, _) = svc.ring.issue_access(user).unwrap();
    let res = svc
        .client
        .get(svc.url("/api/meetings"))
        .bearer_auth(&token)
        .header(quorum_web::USER_HEADER, Uuid::now_v7().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"], user.to_string());
}

#[tokio::test]
async fn a_revoked_token_is_refused_by_the_service_too() {
    let svc = spawn().await;
    let (token, claims) = svc.ring.issue_access(Uuid::now_v7()).unwrap();
    let get = || {
        svc.client
            .get(svc.url("/api/meetings"))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(get().await.unwrap().status(), 200);
    svc.revocations
        .revoke(&claims.jti, claims.expires_at())
        .await
        .unwrap();
    assert_problem(get().await.unwrap(), 401, "invalid_token").await;
}

#[tokio::test]
async fn public_routes_and_probes_need_no_token_and_get_no_forged_caller() {
    let svc = spawn().await;
    let res = svc
        .client
        .post(svc.url("/api/users/login"))
        .header(quorum_web::USER_HEADER, Uuid::now_v7().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"], Value::Null, "the forged header was dropped");
    let res = svc
        .client
        .get(svc.url("/actuator/health/liveness"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn without_the_signing_keys_requests_are_refused_with_503() {
    let identity = Router::new().route(
        "/.well-known/jwks.json",
        get(|| async { StatusCode::SERVICE_UNAVAILABLE.into_response() }),
    );
    let svc = serve(Arc::new(key_ring(AUDIENCE, vec![fresh_key()])), identity).await;
    let (token, _) = svc.ring.issue_access(Uuid::now_v7()).unwrap();
    let res = svc
        .client
        .get(svc.url("/api/meetings"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_problem(res, 503, "auth_unavailable").await;
}
