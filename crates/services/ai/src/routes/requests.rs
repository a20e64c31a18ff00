//! `POST /api/ai/schedules` and `POST /api/ai/summaries`: validate, create a task, queue the
//! job, answer `202 Accepted`. A full queue is a `503` with `Retry-After` (backpressure: the
//! request is refused, never silently dropped), and the task is failed so it never hangs.

use axum::extract::State;
use axum::response::Response;
use quorum_bus::{BusError, Message};
use quorum_service::deleted_meetings;
use quorum_store::now_millis;
use quorum_web::{CurrentUser, Json};
use uuid::Uuid;

use super::{parse_id, TASKS_PATH};
use crate::app::AppState;
use crate::error::ApiError;
use crate::jobs::{Job, JobKind, QUEUE};
use crate::repository;
use crate::views::AiRequest;

/// Suggests follow-up meetings from a transcript (asynchronously).
#[utoipa::path(
    post, path = "/api/ai/schedules", tag = "ai", request_body = AiRequest,
    responses(
        (status = 202, description = "accepted; follow `Location`", body = quorum_tasks::TaskAccepted),
        (status = 404, description = "unknown transcript, or the caller does not take part", body = quorum_web::Problem),
        (status = 422, body = quorum_web::Problem),
        (status = 503, description = "the work queue is full; see `Retry-After`", body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller))]
pub(crate) async fn schedules(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Json(body): Json<AiRequest>,
) -> Result<Response, ApiError> {
    submit(&state, caller, &body, JobKind::Schedule).await
}

/// Summarizes a transcript: summary, action items, decisions (asynchronously).
#[utoipa::path(
    post, path = "/api/ai/summaries", tag = "ai", request_body = AiRequest,
    responses(
        (status = 202, description = "accepted; follow `Location`", body = quorum_tasks::TaskAccepted),
        (status = 404, description = "unknown transcript, or the caller does not take part", body = quorum_web::Problem),
        (status = 422, body = quorum_web::Problem),
        (status = 503, description = "the work queue is full; see `Retry-After`", body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller))]
pub(crate) async fn summaries(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Json(body): Json<AiRequest>,
) -> Result<Response, ApiError> {
    submit(&state, caller, &body, JobKind::Summary).await
}

async fn submit(
    state: &AppState,
    caller: Uuid,
    body: &AiRequest,
    kind: JobKind,
) -> Result<Response, ApiError> {
    let invalid = |e: ApiError| ApiError::Validation(e.to_string());
    let meeting_id = parse_id(&body.meeting_id, "meetingId").map_err(invalid)?;
    let transcript_id = parse_id(&body.transcript_id, "transcriptId").map_err(invalid)?;
    let transcript = state.visible_transcript(caller, transcript_id).await?;
    if transcript.meeting_id != meeting_id {
        return Err(ApiError::Validation(format!(
            "transcript `{transcript_id}` belongs to another meeting than `{meeting_id}`"
        )));
    }
    let task = state.tasks.create(kind.task_kind()).await?;
    let mut tx = state.db.begin().await?;
    // The meeting may have been deleted since the transcript was read: keep nothing for it.
    if deleted_meetings::is_deleted(&mut tx, meeting_id).await? {
        drop(tx);
        if let Err(e) = state.tasks.fail(&task.task_id, crate::jobs::DELETED).await {
            tracing::debug!(task = %task.task_id, error = %e, "task of a deleted meeting not failed");
        }
        return Err(ApiError::NotFound(format!("transcript `{transcript_id}`")));
    }
    repository::insert_task(
        &mut tx,
        &task.task_id,
        kind.task_kind(),
        caller,
        meeting_id,
        transcript_id,
        now_millis(),
    )
    .await?;
    tx.commit().await?;
    let job = Job {
        task_id: task.task_id.clone(),
        kind,
        meeting_id,
        transcript_id,
        requester: caller,
    };
    let body = serde_json::to_vec(&job).map_err(|e| ApiError::corrupt(e.to_string()))?;
    if let Err(e) = state
        .broker
        .send(QUEUE, Message::new(task.task_id.clone(), body))
        .await
    {
        let busy = matches!(e, BusError::QueueFull { .. } | BusError::Unavailable(_));
        if let Err(fail) = state
            .tasks
            .fail(&task.task_id, "not queued: the AI service is busy")
            .await
        {
            tracing::warn!(task = %task.task_id, error = %fail, "could not fail an unqueued task");
        }
        metrics::counter!("ai_requests_rejected_total").increment(1);
        tracing::warn!(task = %task.task_id, error = %e, "AI job not queued");
        return Err(if busy { ApiError::Busy } else { e.into() });
    }
    tracing::info!(task = %task.task_id, "AI job queued");
    Ok(quorum_tasks::accepted(&task, TASKS_PATH))
}
