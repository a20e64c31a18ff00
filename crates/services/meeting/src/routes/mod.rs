//! HTTP routes, one file per group: [`meetings`] (create, list, read, edit), [`lifecycle`]
//! (start, notes, end, cancel), [`recordings`] (upload, list) and [`templates`].

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;
use utoipa::OpenApi;

use crate::app::AppState;

pub(crate) mod lifecycle;
pub(crate) mod meetings;
pub(crate) mod recordings;
pub(crate) mod templates;

pub(crate) fn router(state: AppState) -> Router {
    // Bounds a multipart upload as a whole (axum's `Multipart` obeys `DefaultBodyLimit`); a
    // raw upload is counted while it streams.
    let upload_limit = state
        .recordings
        .max_bytes()
        .saturating_add(recordings::MULTIPART_SLACK);
    let upload_limit = usize::try_from(upload_limit).unwrap_or(usize::MAX);
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
        .route(
            "/api/meetings/{id}/recording",
            post(recordings::upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/meetings/{id}/recordings", get(recordings::list))
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
        recordings::upload,
        recordings::list,
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
        crate::views::RecordingView,
        crate::views::RecordingPage,
        crate::views::UploadForm,
        crate::views::AudioBody,
        crate::domain::MeetingStatus,
        quorum_web::Problem,
    )),
    tags((name = "meetings", description = "Meetings, participants, notes, recordings and templates"))
)]
pub(crate) struct ApiDoc;
