//! Task lifecycle, the status resource and its event stream.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures::StreamExt;
use quorum_tasks::{
    accepted, sse_response, status_response, MemoryTaskStore, RedisTaskStore, Task, TaskError,
    TaskStatus, TaskStore,
};
use serde_json::{json, Value};

async fn body_json(res: Response) -> Value {
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn a_task_moves_through_its_statuses_with_timestamps() {
    moves_through_its_statuses(&MemoryTaskStore::new()).await;
}

async fn moves_through_its_statuses(store: &dyn TaskStore) {
    let task = store.create("summary").await.unwrap();
    assert!(task.task_id.starts_with("summary-"));
    assert!(task
        .task_id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    assert_eq!(task.status, TaskStatus::Pending);
    assert!(task.started_at.is_none() && task.completed_at.is_none());

    let running = store.mark_processing(&task.task_id).await.unwrap();
    assert_eq!(running.status, TaskStatus::Processing);
    let started = running.started_at.expect("startedAt set");
    assert!(started >= task.created_at);
    let again = store.mark_processing(&task.task_id).await.unwrap();
    assert_eq!(
        again.started_at,
        Some(started),
        "a repeated start changes nothing"
    );

    let half = store.set_progress(&task.task_id, 1, 2).await.unwrap();
    assert_eq!(
        serde_json::to_value(half.progress).unwrap(),
        json!({"done": 1, "total": 2})
    );

    let done = store
        .complete(&task.task_id, json!({"summary": "ok"}))
        .await
        .unwrap();
    assert_eq!(done.status, TaskStatus::Completed);
    assert!(done.completed_at.unwrap() >= started);
    assert_eq!(store.get(&task.task_id).await.unwrap(), Some(done.clone()));

    let wire = serde_json::to_value(&done).unwrap();
    assert_eq!(wire["taskId"], json!(task.task_id));
    assert_eq!(wire["status"], json!("COMPLETED"));
    assert_eq!(wire["result"], json!({"summary": "ok"}));
    assert!(wire["createdAt"].is_string() && wire["startedAt"].is_string());
    assert!(wire.get("errorMessage").is_none());
}

#[tokio::test]
async fn invalid_transitions_are_rejected() {
    rejects_invalid_transitions(&MemoryTaskStore::new()).await;
}

async fn rejects_invalid_transitions(store: &dyn TaskStore) {
    let id = store.create("stt").await.unwrap().task_id;
    let early = store.complete(&id, json!(null)).await;
    assert!(
        matches!(early, Err(TaskError::InvalidTransition { .. })),
        "complete while PENDING"
    );
    assert!(matches!(
        store.set_progress(&id, 1, 2).await,
        Err(TaskError::InvalidTransition { .. })
    ));

    let failed = store.fail(&id, "engine crashed").await.unwrap();
    assert_eq!(failed.status, TaskStatus::Failed);
    assert_eq!(failed.error_message.as_deref(), Some("engine crashed"));
    assert!(failed.completed_at.is_some());
    for result in [
        store.complete(&id, json!({})).await,
        store.fail(&id, "again").await,
        store.mark_processing(&id).await,
    ] {
        assert!(matches!(
            result,
            Err(TaskError::InvalidTransition {
                from: TaskStatus::Failed,
                ..
            })
        ));
    }
    assert_eq!(
        store.get(&id).await.unwrap(),
        Some(failed),
        "rejected changes left no trace"
    );

    let other = store.create("stt").await.unwrap().task_id;
    store.mark_processing(&other).await.unwrap();
    assert!(matches!(
        store.set_progress(&other, 3, 2).await,
        Err(TaskError::InvalidProgress { .. })
    ));
    assert!(matches!(
        store.complete("stt-nope", json!(1)).await,
        Err(TaskError::NotFound(_))
    ));
    assert!(matches!(
        store.create("Bad Kind/").await,
        Err(TaskError::InvalidKind(_))
    ));
}

#[tokio::test]
async fn accepted_points_at_the_status_resource() {
    let task = Task::new("summary").unwrap();
    let res = accepted(&task, "/api/ai/tasks/");
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let url = format!("/api/ai/tasks/{}", task.task_id);
    assert_eq!(res.headers()[header::LOCATION], url.as_str());
    assert_eq!(res.headers()[header::RETRY_AFTER], "1");
    let body = body_json(res).await;
    assert_eq!(
        body,
        json!({"taskId": task.task_id, "status": "PENDING", "statusUrl": url})
    );
}

#[tokio::test]
async fn status_codes_follow_the_task_status() {
    let store = MemoryTaskStore::new();
    let id = store.create("summary").await.unwrap().task_id;
    let pending = status_response(store.get(&id).await.unwrap());
    assert_eq!(pending.status(), StatusCode::ACCEPTED);
    assert_eq!(pending.headers()[header::RETRY_AFTER], "1");

    store.mark_processing(&id).await.unwrap();
    assert_eq!(
        status_response(store.get(&id).await.unwrap()).status(),
        StatusCode::ACCEPTED
    );

    store.complete(&id, json!({"n": 1})).await.unwrap();
    let done = status_response(store.get(&id).await.unwrap());
    assert_eq!(done.status(), StatusCode::OK);
    assert_eq!(body_json(done).await["result"], json!({"n": 1}));

    let bad = store.create("summary").await.unwrap().task_id;
    store.fail(&bad, "no transcript").await.unwrap();
    let failed = status_response(store.get(&bad).await.unwrap());
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = body_json(failed).await;
    assert_eq!(
        (body["status"].clone(), body["errorMessage"].clone()),
        (json!("FAILED"), json!("no transcript"))
    );

    let unknown = status_response(None);
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        unknown.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(body_json(unknown).await["code"], json!("task_not_found"));
}

#[tokio::test]
async fn tasks_expire_after_the_store_ttl() {
    let store = MemoryTaskStore::with_ttl(Duration::from_millis(150));
    let id = store.create("summary").await.unwrap().task_id;
    assert!(store.get(&id).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(store.get(&id).await.unwrap().is_none());
    assert!(matches!(
        store.mark_processing(&id).await,
        Err(TaskError::NotFound(_))
    ));
}

async fn events(State(store): State<Arc<dyn TaskStore>>, Path(id): Path<String>) -> Response {
    sse_response(store.as_ref(), &id).await
}

async fn serve(store: Arc<dyn TaskStore>) -> String {
    let app = Router::new()
        .route("/tasks/{id}/events", get(events))
        .with_state(store);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// Reads the SSE body, returning each event's name as it arrives; `on_event` runs after each.
async fn read_events(res: reqwest::Response, mut on_event: impl AsyncFnMut(&str)) -> Vec<String> {
    let mut names = Vec::new();
    let mut buf = String::new();
    let mut body = res.bytes_stream();
    while let Some(chunk) = body.next().await {
        buf.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            if let Some(name) = block.lines().find_map(|l| l.strip_prefix("event: ")) {
                names.push(name.to_owned());
                on_event(name).await;
            }
        }
    }
    names
}

#[tokio::test]
async fn the_event_stream_follows_every_transition_and_ends() {
    let store = Arc::new(MemoryTaskStore::new());
    let base = serve(store.clone() as Arc<dyn TaskStore>).await;
    let id = store.create("summary").await.unwrap().task_id;

    let res = reqwest::get(format!("{base}/tasks/{id}/events"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream");
    let read = read_events(res, async |name| match name {
        "PENDING" => drop(store.mark_processing(&id).await.unwrap()),
        "PROCESSING" => drop(store.complete(&id, json!({"ok": true})).await.unwrap()),
        _ => {}
    });
    let names = tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .expect("stream ended");
    assert_eq!(names, ["PENDING", "PROCESSING", "COMPLETED"]);
}

#[tokio::test]
async fn the_event_stream_of_a_finished_task_is_one_event() {
    let store = Arc::new(MemoryTaskStore::new());
    let base = serve(store.clone() as Arc<dyn TaskStore>).await;
    let id = store.create("stt").await.unwrap().task_id;
    store.fail(&id, "boom").await.unwrap();
    let res = reqwest::get(format!("{base}/tasks/{id}/events"))
        .await
        .unwrap();
    let names = tokio::time::timeout(Duration::from_secs(5), read_events(res, async |_| {}))
        .await
        .unwrap();
    assert_eq!(names, ["FAILED"]);

    let unknown = reqwest::get(format!("{base}/tasks/stt-unknown/events"))
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        unknown.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
}

// The same behaviour from the Redis store, shared by replicas (`QUORUM_TEST_REDIS_URL`).

fn redis_store() -> Option<RedisTaskStore> {
    let url = std::env::var("QUORUM_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let Some(url) = url else {
        eprintln!("QUORUM_TEST_REDIS_URL not set; Redis task-store tests skipped");
        return None;
    };
    let prefix = format!("t{}:", uuid::Uuid::new_v4().simple());
    Some(RedisTaskStore::new(&url, &prefix).unwrap())
}

#[tokio::test]
async fn in_redis_a_task_moves_through_its_statuses_and_refuses_invalid_changes() {
    let Some(store) = redis_store() else { return };
    moves_through_its_statuses(&store).await;
    rejects_invalid_transitions(&store).await;
}

#[tokio::test]
async fn in_redis_tasks_expire_and_concurrent_writers_lose_nothing() {
    let Some(url) = std::env::var("QUORUM_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        return;
    };
    let prefix = format!("t{}:", uuid::Uuid::new_v4().simple());
    let short = RedisTaskStore::with_ttl(&url, &prefix, Duration::from_millis(150)).unwrap();
    let id = short.create("summary").await.unwrap().task_id;
    assert!(short.get(&id).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(short.get(&id).await.unwrap().is_none());
    assert!(matches!(
        short.mark_processing(&id).await,
        Err(TaskError::NotFound(_))
    ));

    // Two replicas race to start the same task and report progress: every write lands on
    // the latest state (compare-and-set), none is lost to another's stale copy.
    let a = Arc::new(RedisTaskStore::new(&url, &prefix).unwrap());
    let b = Arc::new(RedisTaskStore::new(&url, &prefix).unwrap());
    let id = a.create("stt").await.unwrap().task_id;
    let starts: Vec<_> = [a.clone(), b.clone(), a.clone(), b.clone()]
        .into_iter()
        .map(|s| {
            let id = id.clone();
            tokio::spawn(async move { s.mark_processing(&id).await.unwrap().started_at })
        })
        .collect();
    let mut started = Vec::new();
    for s in starts {
        started.push(s.await.unwrap().unwrap());
    }
    started.dedup();
    assert_eq!(
        started.len(),
        1,
        "one start wins, the others change nothing"
    );
    b.set_message(&id, Some("chunk 3 of 4")).await.unwrap();
    let t = a.set_progress(&id, 3, 4).await.unwrap();
    assert_eq!(
        t.message.as_deref(),
        Some("chunk 3 of 4"),
        "b's write survived a's"
    );
}

#[tokio::test]
async fn in_redis_the_event_stream_of_one_replica_follows_changes_made_by_another() {
    let Some(a) = redis_store() else { return };
    let url = std::env::var("QUORUM_TEST_REDIS_URL").unwrap();
    let a = Arc::new(a);
    let id = a.create("summary").await.unwrap().task_id;
    // Replica b shares a's keys (the same prefix) and serves the stream.
    let b: Arc<dyn TaskStore> = Arc::new(RedisTaskStore::new(&url, a.prefix()).unwrap());
    let base = serve(b).await;
    let res = reqwest::get(format!("{base}/tasks/{id}/events"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let read = read_events(res, async |name| match name {
        "PENDING" => drop(a.mark_processing(&id).await.unwrap()),
        "PROCESSING" => drop(a.complete(&id, json!({"ok": true})).await.unwrap()),
        _ => {}
    });
    let names = tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .expect("stream ended");
    assert_eq!(names, ["PENDING", "PROCESSING", "COMPLETED"]);
}
