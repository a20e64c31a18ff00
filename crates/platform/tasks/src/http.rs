//! Axum response helpers for the status resource; services mount their own routes.

use std::convert::Infallible;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use quorum_web::{ApiErrorKind, Code, Problem};
use serde::{Deserialize, Serialize};

use crate::{Task, TaskError, TaskStatus, TaskStore};

/// The body of a `202 Accepted`: where to follow the task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskAccepted {
    pub task_id: String,
    pub status: TaskStatus,
    pub status_url: String,
}

/// What a task id looks like: `{kind}-{uuid}` (documentation of the path parameter).
pub const TASK_ID_PATTERN: &str =
    "^[a-z0-9_-]{1,32}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/// One Server-Sent Event of a task's stream, as [`sse_response`] frames it (documentation:
/// the schema of each event of a `text/event-stream`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // never constructed: it only describes the stream
pub struct TaskEvent {
    /// The task's status.
    event: TaskStatus,
    /// The task ([`Task`]) as JSON.
    #[schema(content_media_type = "application/json")]
    data: String,
}

/// `202 Accepted` with `Location` and `Retry-After: 1` pointing at
/// `{status_url_prefix}/{taskId}`, and body [`TaskAccepted`].
///
/// `status_url_prefix` is the public path of the status resource, e.g. `/api/ai/tasks`.
pub fn accepted(task: &Task, status_url_prefix: &str) -> Response {
    let status_url = format!(
        "{}/{}",
        status_url_prefix.trim_end_matches('/'),
        task.task_id
    );
    let body = TaskAccepted {
        task_id: task.task_id.clone(),
        status: task.status,
        status_url: status_url.clone(),
    };
    let mut res = (StatusCode::ACCEPTED, axum::Json(body)).into_response();
    let headers = res.headers_mut();
    match HeaderValue::from_str(&status_url) {
        Ok(location) => {
            headers.insert(header::LOCATION, location);
        }
        Err(e) => tracing::warn!(%status_url, %e, "status URL is not a valid header value"),
    }
    headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    res
}

/// The status resource: `202` while `PENDING`/`PROCESSING` (with `Retry-After: 1`), `200`
/// when `COMPLETED`, `500` when `FAILED` (the body is still the task: api.md's contract), and
/// a `404` problem for an unknown or expired task.
pub fn status_response(task: Option<Task>) -> Response {
    let Some(task) = task else {
        return not_found();
    };
    let status = match task.status {
        TaskStatus::Pending | TaskStatus::Processing => StatusCode::ACCEPTED,
        TaskStatus::Completed => StatusCode::OK,
        TaskStatus::Failed => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let retry = !task.status.is_terminal();
    let mut res = (status, axum::Json(task)).into_response();
    if retry {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    res
}

/// Server-Sent Events for one task: the current snapshot, then one event per change, each
/// named after its status (`PENDING`, `PROCESSING`, …) with the task as JSON data; the stream
/// closes after a terminal status. `404` problem for an unknown task.
pub async fn sse_response(store: &dyn TaskStore, task_id: &str) -> Response {
    let updates = match store.subscribe(task_id).await {
        Ok(updates) => updates,
        Err(TaskError::NotFound(_)) => return not_found(),
        Err(e) => return e.into_problem().into_response(),
    };
    let events = updates.map(|task| Ok::<_, Infallible>(event(&task)));
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

fn event(task: &Task) -> Event {
    let event = Event::default().event(task.status.as_str());
    // Serializing a `Task` cannot fail: every field is a plain value or a JSON `Value`.
    match serde_json::to_string(task) {
        Ok(json) => event.data(json),
        Err(e) => event.data(format!("{{\"error\":\"{e}\"}}")),
    }
}

fn not_found() -> Response {
    Problem::new(
        Code::TaskNotFound,
        "no such task (tasks expire after 24 hours)",
    )
    .into_response()
}
