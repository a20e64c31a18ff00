//! Speech-to-text task status (Asynchronous Request-Reply), for those who may read the
//! meeting's transcript.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use quorum_web::{CurrentUser, Path};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::ApiError;
use crate::repository;

/// 404 unless `caller` takes part in the task's meeting (or may read its transcript).
async fn check_access(state: &AppState, caller: Uuid, task_id: &str) -> Result<(), ApiError> {
    let not_found = || ApiError::NotFound(format!("task `{task_id}`"));
    let mut conn = state.db.reader().acquire().await?;
    if let Some(job) = repository::job(&mut conn, task_id).await? {
        let event = &job.event;
        if crate::create::participants_of(event)
            .iter()
            .any(|p| p.user_id == caller)
        {
            return Ok(());
        }
    }
    let transcript = repository::id_for_task(&mut conn, task_id).await?;
    drop(conn);
    match transcript {
        Some(id) => state
            .visible(caller, id)
            .await
            .map(|_| ())
            .map_err(|e| match e {
                ApiError::NotFound(_) => not_found(),
                other => other,
            }),
        None => Err(not_found()),
    }
}

/// The task: `202` while PENDING/PROCESSING, `200` COMPLETED, `500` FAILED (with
/// `errorMessage`), `404` unknown.
#[utoipa::path(
    get, path = "/api/transcripts/tasks/{taskId}", tag = "transcripts",
    params(("taskId" = String, Path, description = "task id: `{kind}-{uuid}`",
        pattern = "^[a-z0-9_-]{1,32}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")),
    responses(
        (status = 200, body = quorum_tasks::Task),
        (status = 202, body = quorum_tasks::Task),
        (status = 404, body = quorum_web::Problem),
        (status = 500, description = "the task failed", body = quorum_tasks::Task),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, task = %task_id))]
pub(crate) async fn status(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Path(task_id): Path<String>,
) -> Result<Response, ApiError> {
    check_access(&state, caller, &task_id).await?;
    match state.tasks.get(&task_id).await {
        Ok(None) => Ok(quorum_tasks::status_response(
            crate::transcribe::task_snapshot(&state, &task_id).await?,
        )),
        Ok(task) => Ok(quorum_tasks::status_response(task)),
        Err(e) => Ok(quorum_web::ApiErrorKind::into_problem(&e).into_response()),
    }
}

/// The same transitions as Server-Sent Events.
#[utoipa::path(
    get, path = "/api/transcripts/tasks/{taskId}/events", tag = "transcripts",
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
    check_access(&state, caller, &task_id).await?;
    Ok(quorum_tasks::sse_response(&*state.tasks, &task_id).await)
}
