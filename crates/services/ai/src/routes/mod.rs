//! HTTP routes, one file per group: [`requests`] (asynchronous schedule and summary
//! requests), [`tasks`] (their status, polled or streamed) and [`analysis`] (the automatic
//! analysis of a meeting and schedule suggestions as iCalendar).

use axum::routing::get;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::ApiError;

pub(crate) mod analysis;
pub(crate) mod requests;
pub(crate) mod tasks;

/// The public path of the task status resource.
pub(crate) const TASKS_PATH: &str = "/api/ai/tasks";

/// Every route with its OpenAPI operation, each registered once: the service's router and
/// its OpenAPI document are both cut from this. The one exception is the `.ics` download:
/// its documented path `/api/ai/schedules/{id}.ics` has a suffix after the parameter, which
/// axum's matcher cannot express, so it is routed as `{file}` (the handler strips `.ics`)
/// and documented by [`ApiDoc`].
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(requests::schedules))
        .routes(routes!(requests::summaries))
        .routes(routes!(tasks::status))
        .routes(routes!(tasks::events))
        .routes(routes!(analysis::latest))
        .route("/api/ai/schedules/{file}", get(analysis::ics))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(analysis::ics),
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
        quorum_tasks::TaskEvent,
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
