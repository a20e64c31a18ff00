//! HTTP routes, one file per group: [`meetings`] (create, list, read, edit, delete),
//! [`lifecycle`] (start, notes, end, cancel), [`recordings`] (upload, list) and [`templates`].

use axum::extract::DefaultBodyLimit;
use axum::Router;
use utoipa::openapi::OpenApi;
use utoipa::OpenApi as _;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::app::AppState;

pub(crate) mod lifecycle;
pub(crate) mod meetings;
pub(crate) mod recordings;
pub(crate) mod templates;
mod upload;

/// Every route with its OpenAPI operation, each registered once: [`router`] and [`openapi`]
/// are both cut from this. `upload_limit` bounds a multipart upload as a whole (axum's
/// `Multipart` obeys `DefaultBodyLimit`); a raw upload is counted while it streams.
fn api(upload_limit: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(meetings::create, meetings::list))
        .routes(routes!(templates::list))
        .routes(routes!(meetings::get, meetings::update, meetings::delete))
        .routes(routes!(lifecycle::start))
        .routes(routes!(lifecycle::notes))
        .routes(routes!(lifecycle::end))
        .routes(routes!(lifecycle::cancel))
        .routes(routes!(recordings::upload).layer(DefaultBodyLimit::max(upload_limit)))
        .routes(routes!(recordings::list))
        .routes(routes!(recordings::audio))
}

/// The routes, state applied.
pub(crate) fn router(state: AppState) -> Router {
    let upload_limit = state
        .recordings
        .max_bytes()
        .saturating_add(recordings::MULTIPART_SLACK);
    let upload_limit = usize::try_from(upload_limit).unwrap_or(usize::MAX);
    let (router, _) = api(upload_limit).split_for_parts();
    router.with_state(state)
}

/// The OpenAPI document of [`router`]'s routes.
pub(crate) fn openapi() -> OpenApi {
    api(usize::MAX).into_openapi()
}

#[derive(utoipa::OpenApi)]
#[openapi(
    components(schemas(
        crate::views::MeetingView,
        crate::views::ParticipantView,
        crate::views::Progress,
        crate::views::CreateMeeting,
        crate::views::UpdateMeetingBody,
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
