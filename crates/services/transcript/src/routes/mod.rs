//! HTTP routes, one file per group: [`transcripts`] (read), [`sections`] (correct, verify),
//! [`share`] and [`tasks`] (speech-to-text status).

use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;

pub(crate) mod sections;
pub(crate) mod share;
pub(crate) mod tasks;
pub(crate) mod transcripts;

/// Every route with its OpenAPI operation, each registered once: the service's router and
/// its OpenAPI document are both cut from this.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(transcripts::by_meeting))
        .routes(routes!(transcripts::get))
        .routes(routes!(sections::correct))
        .routes(routes!(sections::verify))
        .routes(routes!(share::share))
        .routes(routes!(share::revoke))
        .routes(routes!(tasks::status))
        .routes(routes!(tasks::events))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    components(schemas(
        crate::views::TranscriptView,
        crate::views::SectionView,
        crate::views::CorrectBody,
        crate::views::ShareBody,
        crate::domain::TranscriptStatus,
        crate::domain::Source,
        quorum_tasks::Task,
        quorum_tasks::TaskStatus,
        quorum_tasks::Progress,
        quorum_tasks::TaskAccepted,
        quorum_tasks::TaskEvent,
        quorum_web::Problem,
    )),
    tags((name = "transcripts", description = "Transcripts, corrections, verification, sharing and speech-to-text tasks"))
)]
pub(crate) struct ApiDoc;

quorum_web::typed_id!(pub(crate) TranscriptId, "transcript id");
