//! HTTP routes, one file per group: [`requests`] (asynchronous schedule and summary
//! requests), [`tasks`] (their status, polled or streamed) and [`analysis`] (the automatic
//! analysis of a meeting and schedule suggestions as iCalendar).

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::ApiError;

pub(crate) mod analysis;
pub(crate) mod requests;
pub(crate) mod tasks;

/// The public path of the task status resource.
pub(crate) const TASKS_PATH: &str = "/api/ai/tasks";

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/ai/schedules", post(requests::schedules))
        .route("/api/ai/summaries", post(requests::summaries))
        .route("/api/ai/tasks/{task_id}", get(tasks::status))
        .route("/api/ai/tasks/{task_id}/events", get(tasks::events))
        .route(
            "/api/ai/meetings/{meeting_id}/analysis",
            get(analysis::latest),
        )
        .route("/api/ai/schedules/{file}", get(analysis::ics))
        .with_state(state)
}

#[derive(OpenApi)]
#[openapi(
    paths(
        requests::schedules,
        requests::summaries,
        tasks::status,
        tasks::events,
        analysis::latest,
        analysis::ics,
    ),
    components(schemas(
        crate::views::AiRequest,
        crate::views::AnalysisView,
        crate::views::ActionItemView,
        crate::views::SuggestionView,
        crate::views::SummaryResult,
        crate::views::ScheduleResult,
        quorum_tasks::Task,
        quorum_tasks::TaskStatus,
        quorum_tasks::Progress,
        quorum_tasks::TaskAccepted,
        quorum_web::Problem,
    )),
    tags((name = "ai", description = "Meeting analysis: summaries, action items, decisions and schedule suggestions"))
)]
pub(crate) struct ApiDoc;

quorum_web::typed_id!(pub(crate) MeetingId, "meeting id");

/// An id from a path or body (`what` names it in the 400/422 message).
pub(crate) fn parse_id(raw: &str, what: &str) -> Result<Uuid, ApiError> {
    Ok(quorum_web::parse_id(raw, what)?)
}
