//! The task status resource: `GET /api/ai/tasks/{taskId}` (polled) and `…/events` (SSE).
//! Only the task's requester sees it; anyone else gets the same 404 as for an unknown task.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use quorum_web::{CurrentUser, Path};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::ApiError;
use crate::repository;

async fn owned(state: &AppState, caller: Uuid, task_id: &str) -> Result<bool, ApiError> {
    let mut conn = state.db.reader().acquire().await?;
    let owner = repository::task_owner(&mut conn, task_id).await?;
    Ok(owner.is_some_and(|o| o.requester == caller))
}

fn not_found() -> Response {
    quorum_tasks::status_response(None)
}

/// The task's status: 202 while PENDING/PROCESSING, 200 COMPLETED (with `result`), 500 FAILED
/// (with `errorMessage`), 404 unknown, expired or someone else's.
#[utoipa::path(
    get, path = "/api/ai/tasks/{taskId}", tag = "ai",
    params(("taskId" = String, Path, description = "task id: `{kind}-{uuid}`",
        pattern = "^[a-z0-9_-]{1,32}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")),
    responses(
        (status = 200, description = "COMPLETED", body = quorum_tasks::Task),
        (status = 202, description = "PENDING or PROCESSING", body = quorum_tasks::Task),
        (status = 404, body = quorum_web::Problem),
        (status = 500, description = "FAILED", body = quorum_tasks::Task),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, task = %task_id))]
pub(crate) async fn status(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Path(task_id): Path<String>,
) -> Result<Response, ApiError> {
    if !owned(&state, caller, &task_id).await? {
        return Ok(not_found());
    }
    Ok(quorum_tasks::status_response(
        state.tasks.get(&task_id).await?,
    ))
}

/// The task's transitions as Server-Sent Events (event name = status, data = the task);
/// the stream ends after COMPLETED or FAILED.
#[utoipa::path(
    get, path = "/api/ai/tasks/{taskId}/events", tag = "ai",
    params(("taskId" = String, Path, description = "task id: `{kind}-{uuid}`",
        pattern = "^[a-z0-9_-]{1,32}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")),
    responses(
        (status = 200, description = "the task's snapshots, one event per change; the stream ends after COMPLETED or FAILED",
            content_type = "text/event-stream", body = quorum_tasks::TaskEvent),
        (status = 404, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, task = %task_id))]
pub(crate) async fn events(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Path(task_id): Path<String>,
) -> Result<Response, ApiError> {
    if !owned(&state, caller, &task_id).await? {
        return Ok(not_found().into_response());
    }
    Ok(quorum_tasks::sse_response(&*state.tasks, &task_id).await)
}
