//! HTTP routes, one file per group: [`meetings`] (create, list, read, edit), [`lifecycle`]
//! (start, notes, end, cancel) and [`templates`].

use axum::routing::{get, post, put};
use axum::Router;
use utoipa::OpenApi;

use crate::app::AppState;
use crate::domain::MeetingId;
use crate::error::ApiError;

pub(crate) mod lifecycle;
pub(crate) mod meetings;
pub(crate) mod templates;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/meetings", post(meetings::create).get(meetings::list))
        .route("/api/meetings/templates", get(templates::list))
        .route(
            "/api/meetings/{id}",
            get(meetings::get).put(meetings::update),
        )
        .route("/api/meetings/{id}/start", post(lifecycle::start))
        .route("/api/meetings/{id}/notes", put(lifecycle::notes))
        .route("/api/meetings/{id}/end", post(lifecycle::end))
        .route("/api/meetings/{id}/cancel", post(lifecycle::cancel))
        .with_state(state)
}

#[derive(OpenApi)]
#[openapi(
    paths(
        meetings::create,
        meetings::list,
        meetings::get,
        meetings::update,
        lifecycle::start,
        lifecycle::notes,
        lifecycle::end,
        lifecycle::cancel,
        templates::list,
    ),
    components(schemas(
        crate::views::MeetingView,
        crate::views::ParticipantView,
        crate::views::Progress,
        crate::views::CreateMeeting,
        crate::views::UpdateMeeting,
        crate::views::NotesBody,
        crate::views::EndBody,
        crate::views::TemplateView,
        crate::views::Localized,
        crate::views::MeetingPage,
        crate::domain::MeetingStatus,
        quorum_web::Problem,
    )),
    tags((name = "meetings", description = "Meetings, participants, notes and templates"))
)]
pub(crate) struct ApiDoc;

/// A `{id}` path segment as a meeting id (400 when it is not a UUID).
pub(crate) fn meeting_id(raw: &str) -> Result<MeetingId, ApiError> {
    MeetingId::parse(raw).map_err(|e| ApiError::BadRequest(e.0))
}
