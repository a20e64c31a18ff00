//! HTTP routes, one file per group: [`transcripts`] (read), [`sections`] (correct, verify),
//! [`share`] and [`tasks`] (speech-to-text status).

use axum::routing::{get, post, put};
use axum::Router;
use utoipa::OpenApi;

use crate::app::AppState;

pub(crate) mod sections;
pub(crate) mod share;
pub(crate) mod tasks;
pub(crate) mod transcripts;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/transcripts", get(transcripts::by_meeting))
        .route("/api/transcripts/{id}", get(transcripts::get))
        .route(
            "/api/transcripts/{id}/sections/{index}",
            put(sections::correct),
        )
        .route(
            "/api/transcripts/{id}/sections/{index}/verify",
            post(sections::verify),
        )
        .route("/api/transcripts/{id}/share", post(share::share))
        .route("/api/transcripts/tasks/{taskId}", get(tasks::status))
        .route("/api/transcripts/tasks/{taskId}/events", get(tasks::events))
        .with_state(state)
}

#[derive(OpenApi)]
#[openapi(
    paths(
        transcripts::by_meeting,
        transcripts::get,
        sections::correct,
        sections::verify,
        share::share,
        tasks::status,
        tasks::events,
    ),
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
        quorum_web::Problem,
    )),
    tags((name = "transcripts", description = "Transcripts, corrections, verification, sharing and speech-to-text tasks"))
)]
pub(crate) struct ApiDoc;

quorum_web::typed_id!(pub(crate) TranscriptId, "transcript id");
