//! Reading transcripts: by id, or by meeting.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use quorum_web::{parse_id, CurrentUser, Json, PathId, Query};

use super::TranscriptId;
use crate::app::AppState;
use crate::error::ApiError;
use crate::repository::{self, JobStatus};
use crate::views::{ByMeeting, TranscriptView};

/// The meeting's transcript. While the recording is still being transcribed a participant
/// gets `202` with the speech-to-text task to follow; `404` until a transcript exists.
#[utoipa::path(
    get, path = "/api/transcripts", tag = "transcripts", params(ByMeeting),
    responses(
        (status = 200, body = TranscriptView),
        (status = 202, description = "the recording is being transcribed", body = quorum_tasks::TaskAccepted),
        (status = 400, body = quorum_web::Problem),
        (status = 401, body = quorum_web::Problem),
        (status = 404, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller))]
pub(crate) async fn by_meeting(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Query(q): Query<ByMeeting>,
) -> Result<Response, ApiError> {
    let raw = q.meeting_id.ok_or_else(|| {
        ApiError::BadRequest("the `meetingId` query parameter is required".into())
    })?;
    let meeting = parse_id(&raw, "meeting id")?;
    let not_found = || ApiError::NotFound(format!("a transcript of meeting `{meeting}`"));
    let mut conn = state.db.reader().acquire().await?;
    if let Some(id) = repository::id_for_meeting(&mut conn, meeting).await? {
        drop(conn);
        let view = state.view(caller, id).await.map_err(|e| match e {
            ApiError::NotFound(_) => not_found(),
            other => other,
        })?;
        return Ok(Json(view).into_response());
    }
    let job = repository::job_for_meeting(&mut conn, meeting).await?;
    drop(conn);
    let pending = job.filter(|j| {
        matches!(j.status, JobStatus::Pending | JobStatus::Running)
            && crate::create::participants_of(&j.event)
                .iter()
                .any(|p| p.user_id == caller)
    });
    let Some(job) = pending else {
        return Err(not_found());
    };
    match crate::transcribe::task_snapshot(&state, &job.task_id).await? {
        Some(task) => Ok(quorum_tasks::accepted(&task, "/api/transcripts/tasks")),
        None => Err(not_found()),
    }
}

/// A transcript, for the meeting's participants and the users it was shared with.
#[utoipa::path(
    get, path = "/api/transcripts/{id}", tag = "transcripts",
    params(("id" = uuid::Uuid, Path, description = "transcript id")),
    responses(
        (status = 200, body = TranscriptView),
        (status = 401, body = quorum_web::Problem),
        (status = 404, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, transcript = %id))]
pub(crate) async fn get(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    PathId(id): PathId<TranscriptId>,
) -> Result<Json<TranscriptView>, ApiError> {
    Ok(Json(state.view(caller, id.as_uuid()).await?))
}
