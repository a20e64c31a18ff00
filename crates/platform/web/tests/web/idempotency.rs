//! `Idempotency-Key`: replay, conflicts, scoping and degradation.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use quorum_cache::{CacheStore, MemoryStore, ToggleStore};
use quorum_web::idempotency::{self, REPLAYED_HEADER};
use quorum_web::USER_HEADER;
use serde_json::json;
use tokio::sync::Notify;

use crate::send;

#[derive(Clone, Default)]
struct Handlers {
    calls: Arc<AtomicUsize>,
    entered: Arc<Notify>,
    release: Arc<Notify>,
}

async fn create(State(h): State<Handlers>, body: String) -> impl IntoResponse {
    let n = h.calls.fetch_add(1, Ordering::SeqCst) + 1;
    let location = format!("/items/{n}");
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(json!({"n": n, "got": body})),
    )
}

async fn slow(State(h): State<Handlers>) -> StatusCode {
    h.calls.fetch_add(1, Ordering::SeqCst);
    h.entered.notify_one();
    h.release.notified().await;
    StatusCode::NO_CONTENT
}

async fn broken(State(h): State<Handlers>) -> StatusCode {
    h.calls.fetch_add(1, Ordering::SeqCst);
    StatusCode::SERVICE_UNAVAILABLE
}

fn app_over(store: Arc<dyn CacheStore>) -> (Router, Handlers) {
    let h = Handlers::default();
    let app = Router::new()
        .route("/items", post(create).put(create).get(create))
        .route("/slow", post(slow))
        .route("/broken", post(broken))
        .layer(idempotency::layer(store))
        .with_state(h.clone());
    (app, h)
}

fn app() -> (Router, Handlers) {
    app_over(Arc::new(MemoryStore::new(1_000)))
}

fn request(
    method: &str,
    path: &str,
    key: Option<&str>,
    user: Option<&str>,
    body: &str,
) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(key) = key {
        req = req.header("idempotency-key", key);
    }
    if let Some(user) = user {
        req = req.header(USER_HEADER, user);
    }
    req.body(Body::from(body.to_owned())).unwrap()
}

fn calls(h: &Handlers) -> usize {
    h.calls.load(Ordering::SeqCst)
}

#[tokio::test]
async fn a_repeat_replays_the_first_response_without_running_again() {
    let (app, h) = app();
    let first = send(&app, request("POST", "/items", Some("k1"), Some("u1"), "a")).await;
    let second = send(&app, request("POST", "/items", Some("k1"), Some("u1"), "a")).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert!(first.headers.get(REPLAYED_HEADER).is_none());
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.headers[REPLAYED_HEADER], "true");
    assert_eq!(second.body, first.body);
    assert_eq!(second.headers[header::LOCATION], "/items/1");
    assert_eq!(second.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(calls(&h), 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_422() {
    let (app, h) = app();
    send(&app, request("POST", "/items", Some("k1"), None, "a")).await;
    send(&app, request("POST", "/items", Some("k1"), None, "b"))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
    assert_eq!(calls(&h), 1);
}

#[tokio::test]
async fn a_repeat_while_the_first_runs_is_409() {
    let (app, h) = app();
    let first = tokio::spawn({
        let app = app.clone();
        async move { send(&app, request("POST", "/slow", Some("k1"), None, "")).await }
    });
    h.entered.notified().await;
    send(&app, request("POST", "/slow", Some("k1"), None, ""))
        .await
        .assert_problem(StatusCode::CONFLICT, "idempotency_request_in_progress");
    h.release.notify_one();
    assert_eq!(first.await.unwrap().status, StatusCode::NO_CONTENT);
    let later = send(&app, request("POST", "/slow", Some("k1"), None, "")).await;
    assert_eq!(
        (later.status, &later.headers[REPLAYED_HEADER]),
        (StatusCode::NO_CONTENT, &"true".parse().unwrap())
    );
    assert_eq!(calls(&h), 1);
}

#[tokio::test]
async fn keys_are_scoped_by_caller_method_and_path() {
    let (app, h) = app();
    let a = send(
        &app,
        request("POST", "/items", Some("k"), Some("alice"), "x"),
    )
    .await;
    let b = send(&app, request("POST", "/items", Some("k"), Some("bob"), "x")).await;
    let anon = send(&app, request("POST", "/items", Some("k"), None, "x")).await;
    let put = send(
        &app,
        request("PUT", "/items", Some("k"), Some("alice"), "x"),
    )
    .await;
    for reply in [&a, &b, &anon, &put] {
        assert!(reply.headers.get(REPLAYED_HEADER).is_none());
    }
    assert_eq!(calls(&h), 4);
    assert_ne!(a.body, b.body);
}

#[tokio::test]
async fn server_errors_are_not_kept_so_the_client_can_retry() {
    let (app, h) = app();
    for _ in 0..2 {
        let reply = send(&app, request("POST", "/broken", Some("k1"), None, "")).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(reply.headers.get(REPLAYED_HEADER).is_none());
    }
    assert_eq!(calls(&h), 2);
}

#[tokio::test]
async fn requests_without_a_key_or_not_mutating_run_every_time() {
    let (app, h) = app();
    send(&app, request("POST", "/items", None, None, "a")).await;
    send(&app, request("POST", "/items", None, None, "a")).await;
    send(&app, request("GET", "/items", Some("k"), None, "")).await;
    let get = send(&app, request("GET", "/items", Some("k"), None, "")).await;
    assert!(get.headers.get(REPLAYED_HEADER).is_none());
    assert_eq!(calls(&h), 4);
}

#[tokio::test]
async fn overlong_keys_are_400() {
    let (app, h) = app();
    let ok = "k".repeat(255);
    assert_eq!(
        send(&app, request("POST", "/items", Some(&ok), None, ""))
            .await
            .status,
        StatusCode::CREATED
    );
    let long = "k".repeat(256);
    send(&app, request("POST", "/items", Some(&long), None, ""))
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "invalid_idempotency_key");
    assert_eq!(calls(&h), 1);
}

#[tokio::test]
async fn a_cancelled_first_request_releases_its_key() {
    let (app, h) = app();
    let first = tokio::spawn({
        let app = app.clone();
        async move { send(&app, request("POST", "/slow", Some("k1"), None, "")).await }
    });
    h.entered.notified().await;
    first.abort();
    let _ = first.await;
    // The release runs in the background; give it a moment.
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        let mut probe = tokio::spawn({
            let app = app.clone();
            async move { send(&app, request("POST", "/slow", Some("k1"), None, "")).await }
        });
        tokio::select! {
            _ = h.entered.notified() => {
                h.release.notify_one();
                assert_eq!(probe.await.unwrap().status, StatusCode::NO_CONTENT);
                return;
            }
            reply = &mut probe => {
                reply.unwrap().assert_problem(StatusCode::CONFLICT, "idempotency_request_in_progress");
            }
        }
    }
    panic!("the key was never released");
}

#[tokio::test]
async fn requests_still_run_when_the_store_is_down() {
    let toggle = Arc::new(ToggleStore::new(Arc::new(MemoryStore::new(100))));
    toggle.set_available(false);
    let (app, h) = app_over(toggle);
    for _ in 0..2 {
        let reply = send(&app, request("POST", "/items", Some("k1"), None, "a")).await;
        assert_eq!(reply.status, StatusCode::CREATED);
    }
    assert_eq!(calls(&h), 2, "unprotected, but served");
}

#[tokio::test]
async fn a_streamed_body_over_the_hashing_limit_passes_through_whole() {
    let h = Handlers::default();
    let store: Arc<dyn CacheStore> = Arc::new(MemoryStore::new(100));
    let app = Router::new()
        .route("/items", post(create))
        .layer(
            idempotency::Idempotency::new(store)
                .with_max_request_body(8)
                .into_layer(),
        )
        .with_state(h.clone());
    let streamed = || {
        let parts = ["0123", "4567", "89ab", "cdef"].map(|p| Ok::<_, std::io::Error>(p.to_owned()));
        Request::builder()
            .method("POST")
            .uri("/items")
            .header("idempotency-key", "big")
            .body(Body::from_stream(futures::stream::iter(parts)))
            .unwrap()
    };
    for n in 1..=2 {
        let reply = send(&app, streamed()).await;
        assert_eq!(reply.status, StatusCode::CREATED);
        assert_eq!(reply.json()["got"], "0123456789abcdef", "nothing lost");
        assert_eq!(
            calls(&h),
            n,
            "over the limit: unprotected, so it runs again"
        );
    }
    // Within the limit the same route is protected.
    let small = || request("POST", "/items", Some("small"), None, "tiny");
    assert_eq!(send(&app, small()).await.status, StatusCode::CREATED);
    assert_eq!(send(&app, small()).await.status, StatusCode::CREATED);
    assert_eq!(calls(&h), 3);
}
