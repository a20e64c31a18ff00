//! `GET /api/ai/meetings/{meetingId}/analysis` (the latest automatic analysis) and
//! `GET /api/ai/schedules/{id}.ics` (a suggestion, or every suggestion of an analysis, as
//! iCalendar). Both for the meeting's participants only (404 otherwise).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use quorum_web::{CurrentUser, Json, Path, PathId};

use super::{parse_id, MeetingId};
use crate::app::AppState;
use crate::error::ApiError;
use crate::repository;
use crate::views::AnalysisView;

/// The meeting's latest automatic analysis (404 until it exists).
#[utoipa::path(
    get, path = "/api/ai/meetings/{meetingId}/analysis", tag = "ai",
    params(("meetingId" = uuid::Uuid, Path, description = "meeting id")),
    responses(
        (status = 200, body = AnalysisView),
        (status = 404, description = "not analysed yet, or the caller does not take part", body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, meeting = %meeting_id))]
pub(crate) async fn latest(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    PathId(meeting_id): PathId<MeetingId>,
) -> Result<Json<AnalysisView>, ApiError> {
    let meeting = meeting_id.as_uuid();
    state.visible_meeting(caller, meeting).await?;
    let mut conn = state.db.reader().acquire().await?;
    let record = repository::latest_auto(&mut conn, meeting)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("analysis of meeting `{meeting}`")))?;
    Ok(Json(record.doc))
}

/// A schedule suggestion (or all of a schedule's suggestions) as an iCalendar file.
#[utoipa::path(
    get, path = "/api/ai/schedules/{id}.ics", tag = "ai",
    params(("id" = uuid::Uuid, Path, description = "schedule suggestion id, or a task result's scheduleId")),
    responses(
        (status = 200, description = "RFC 5545 calendar; each participant an `ATTENDEE` with their name, the caller's own by e-mail address (`mailto:`), everyone else's by id (`urn:uuid:`)", content_type = "text/calendar"),
        (status = 404, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, file = %file))]
pub(crate) async fn ics(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound(format!("schedule `{file}`"));
    let raw = file.strip_suffix(".ics").ok_or_else(not_found)?;
    let id = parse_id(raw, "schedule id").map_err(|_| not_found())?;
    let mut conn = state.db.reader().acquire().await?;
    let (meeting, suggestions) = repository::suggestions(&mut conn, id).await?;
    drop(conn);
    let meeting = meeting.ok_or_else(not_found)?;
    let transcript = state
        .visible_meeting(caller, meeting)
        .await
        .map_err(|_| not_found())?;
    let body = crate::ics::calendar(
        &suggestions,
        &transcript.participants,
        caller,
        chrono::Utc::now(),
    );
    let disposition = format!("attachment; filename=\"{id}.ics\"");
    Ok((
        [
            (header::CONTENT_TYPE, crate::ics::CONTENT_TYPE.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
