//! `Idempotency-Key`: replay, conflicts, scoping, restarts, lost responses and degradation.
//! The records live in an SQLite file, as in a service's own database; the handlers write
//! through `Db::begin` like the services' handlers do.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use quorum_store::{Db, DbOptions};
use quorum_web::idempotency::{self, REPLAYED_HEADER};
use quorum_web::USER_HEADER;
use serde_json::json;
use tokio::sync::Notify;

use crate::send;

#[derive(Clone)]
struct Handlers {
    db: Db,
    calls: Arc<AtomicUsize>,
    entered: Arc<Notify>,
    release: Arc<Notify>,
}

/// Writes one row (in a transaction, as a service does) and answers where it is.
async fn create(State(h): State<Handlers>, body: String) -> impl IntoResponse {
    let n = h.calls.fetch_add(1, Ordering::SeqCst) + 1;
    write(&h.db, &body).await;
    let location = format!("/items/{n}");
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(json!({"n": n, "got": body})),
    )
}

async fn write(db: &Db, body: &str) {
    let mut tx = db.begin().await.unwrap();
    quorum_store::sqlx::query("INSERT INTO items (body) VALUES ($1)")
        .bind(body)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn slow(State(h): State<Handlers>) -> StatusCode {
    h.calls.fetch_add(1, Ordering::SeqCst);
    h.entered.notify_one();
    h.release.notified().await;
    StatusCode::NO_CONTENT
}

/// Writes, then waits to be released (or to be cancelled: its response is then lost).
async fn write_then_wait(State(h): State<Handlers>) -> StatusCode {
    h.calls.fetch_add(1, Ordering::SeqCst);
    write(&h.db, "written").await;
    h.entered.notify_one();
    h.release.notified().await;
    StatusCode::CREATED
}

async fn broken(State(h): State<Handlers>) -> StatusCode {
    h.calls.fetch_add(1, Ordering::SeqCst);
    StatusCode::SERVICE_UNAVAILABLE
}

/// Writes, then fails: the failure is the answer (the write happened).
async fn write_then_fail(State(h): State<Handlers>) -> StatusCode {
    h.calls.fetch_add(1, Ordering::SeqCst);
    write(&h.db, "written").await;
    StatusCode::INTERNAL_SERVER_ERROR
}

/// Tokens: never to be kept.
async fn tokens(State(h): State<Handlers>) -> impl IntoResponse {
    let n = h.calls.fetch_add(1, Ordering::SeqCst) + 1;
    write(&h.db, "session").await;
    (
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({"token": n})),
    )
}

/// The service's database in `dir`, as a process opens it at start-up.
async fn open(dir: &Path) -> Db {
    let db = Db::open_sqlite(&dir.join("svc.db"), &DbOptions::default())
        .await
        .unwrap();
    db.migrate("idempotency", quorum_store::idempotency::MIGRATIONS)
        .await
        .unwrap();
    quorum_store::sqlx::query("CREATE TABLE IF NOT EXISTS items (body TEXT NOT NULL)")
        .execute(db.writer())
        .await
        .unwrap();
    db
}

fn app_over(db: Db) -> (Router, Handlers) {
    let h = Handlers {
        db: db.clone(),
        calls: Arc::default(),
        entered: Arc::default(),
        release: Arc::default(),
    };
    let app = Router::new()
        .route("/items", post(create).put(create).get(create))
        .route("/slow", post(slow))
        .route("/write-then-wait", post(write_then_wait))
        .route("/broken", post(broken))
        .route("/write-then-fail", post(write_then_fail))
        .route("/tokens", post(tokens))
        .layer(idempotency::layer(db))
        .with_state(h.clone());
    (app, h)
}

/// A fresh service: its router, handlers and the directory its database lives in.
async fn app() -> (Router, Handlers, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let (app, h) = app_over(open(dir.path()).await);
    (app, h, dir)
}

async fn rows(db: &Db) -> i64 {
    quorum_store::sqlx::query_scalar("SELECT COUNT(*) FROM items")
        .fetch_one(db.reader())
        .await
        .unwrap()
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
    let (app, h, _dir) = app().await;
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
    let (app, h, _dir) = app().await;
    send(&app, request("POST", "/items", Some("k1"), None, "a")).await;
    send(&app, request("POST", "/items", Some("k1"), None, "b"))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
    assert_eq!(calls(&h), 1);
}

#[tokio::test]
async fn a_repeat_while_the_first_runs_is_409() {
    let (app, h, _dir) = app().await;
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
    let (app, h, _dir) = app().await;
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
    let (app, h, _dir) = app().await;
    for _ in 0..2 {
        let reply = send(&app, request("POST", "/broken", Some("k1"), None, "")).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(reply.headers.get(REPLAYED_HEADER).is_none());
    }
    assert_eq!(calls(&h), 2);
}

#[tokio::test]
async fn requests_without_a_key_or_not_mutating_run_every_time() {
    let (app, h, _dir) = app().await;
    send(&app, request("POST", "/items", None, None, "a")).await;
    send(&app, request("POST", "/items", None, None, "a")).await;
    send(&app, request("GET", "/items", Some("k"), None, "")).await;
    let get = send(&app, request("GET", "/items", Some("k"), None, "")).await;
    assert!(get.headers.get(REPLAYED_HEADER).is_none());
    assert_eq!(calls(&h), 4);
}

#[tokio::test]
async fn overlong_keys_are_400() {
    let (app, h, _dir) = app().await;
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
    let (app, h, _dir) = app().await;
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
async fn requests_still_run_when_the_records_cannot_be_reached() {
    let (app, h, _dir) = app().await;
    quorum_store::sqlx::query("DROP TABLE idempotency_keys")
        .execute(h.db.writer())
        .await
        .unwrap();
    for _ in 0..2 {
        let reply = send(&app, request("POST", "/items", Some("k1"), None, "a")).await;
        assert_eq!(reply.status, StatusCode::CREATED);
    }
    assert_eq!(calls(&h), 2, "unprotected, but served");
}

#[tokio::test]
async fn a_streamed_body_over_the_hashing_limit_passes_through_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (_, h) = app_over(open(dir.path()).await);
    let app = Router::new()
        .route("/items", post(create))
        .layer(
            idempotency::Idempotency::new(h.db.clone())
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

#[tokio::test]
async fn a_key_outlives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (before, h) = app_over(open(dir.path()).await);
    let first = send(
        &before,
        request("POST", "/items", Some("k1"), Some("u1"), "a"),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED);
    h.db.close().await;
    drop(before);
    // A new process on the same database: the retry is answered, not carried out.
    let (after, h2) = app_over(open(dir.path()).await);
    let retry = send(
        &after,
        request("POST", "/items", Some("k1"), Some("u1"), "a"),
    )
    .await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.headers[REPLAYED_HEADER], "true");
    assert_eq!(retry.body, first.body);
    assert_eq!(calls(&h2), 0);
    assert_eq!(rows(&h2.db).await, 1, "one row, not two");
}

#[tokio::test]
async fn a_request_that_wrote_and_lost_its_response_is_not_carried_out_again() {
    let (app, h, _dir) = app().await;
    let first = tokio::spawn({
        let app = app.clone();
        async move {
            send(
                &app,
                request("POST", "/write-then-wait", Some("k1"), None, ""),
            )
            .await
        }
    });
    h.entered.notified().await;
    // The client goes away (or the process dies) after the write, before the answer.
    first.abort();
    let _ = first.await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    send(
        &app,
        request("POST", "/write-then-wait", Some("k1"), None, ""),
    )
    .await
    .assert_problem(StatusCode::CONFLICT, "idempotency_response_lost");
    assert_eq!(calls(&h), 1);
    assert_eq!(rows(&h.db).await, 1);
}

#[tokio::test]
async fn a_failure_after_a_write_is_kept_and_one_before_is_not() {
    let (app, h, _dir) = app().await;
    let first = send(
        &app,
        request("POST", "/write-then-fail", Some("k1"), None, ""),
    )
    .await;
    let retry = send(
        &app,
        request("POST", "/write-then-fail", Some("k1"), None, ""),
    )
    .await;
    assert_eq!(first.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(retry.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(retry.headers[REPLAYED_HEADER], "true");
    assert_eq!((calls(&h), rows(&h.db).await), (1, 1), "written once");
}

#[tokio::test]
async fn token_responses_are_never_kept() {
    let (app, h, _dir) = app().await;
    let first = send(&app, request("POST", "/tokens", Some("k1"), None, "")).await;
    let second = send(&app, request("POST", "/tokens", Some("k1"), None, "")).await;
    assert!(second.headers.get(REPLAYED_HEADER).is_none());
    assert_ne!(
        first.body, second.body,
        "a new answer, not the stored tokens"
    );
    let kept: i64 = quorum_store::sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_keys")
        .fetch_one(h.db.reader())
        .await
        .unwrap();
    assert_eq!(kept, 0, "no token is written to the records");
}
