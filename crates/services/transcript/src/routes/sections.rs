//! Correcting and verifying sections (meeting participants only). Each write locks the
//! transcript row first, so concurrent verifications of the last sections cannot both miss
//! the moment all are verified, nor both publish `transcript.verified`.

use axum::extract::State;
use quorum_store::now_millis;
use quorum_web::{parse_id, CurrentUser, Json, Path, TypedId};
use uuid::Uuid;

use super::TranscriptId;
use crate::app::AppState;
use crate::domain::{SectionText, TranscriptStatus};
use crate::error::ApiError;
use crate::events;
use crate::repository::{self, TranscriptRecord};
use crate::views::{CorrectBody, TranscriptView};

fn parse_index(raw: &str) -> Result<u32, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::BadRequest(format!("section index `{raw}` is not a number")))
}

/// The transcript, if the caller takes part in the meeting (403 for a reader it was only
/// shared with, 404 for others).
async fn as_participant(
    state: &AppState,
    caller: Uuid,
    id: &str,
) -> Result<TranscriptRecord, ApiError> {
    let t = state
        .visible(caller, parse_id(id, TranscriptId::WHAT)?)
        .await?;
    if !t.is_participant(caller) {
        return Err(ApiError::Forbidden(
            "only the meeting's participants may correct or verify its transcript",
        ));
    }
    Ok(t)
}

fn no_section(t: &TranscriptRecord, index: u32) -> ApiError {
    ApiError::NotFound(format!("section {index} of transcript `{}`", t.id))
}

/// Replaces a section's text; the section is no longer verified, and a `VERIFIED`
/// transcript becomes `DRAFT` again.
#[utoipa::path(
    put, path = "/api/transcripts/{id}/sections/{index}", tag = "transcripts",
    request_body = CorrectBody,
    params(
        ("id" = uuid::Uuid, Path, description = "transcript id"),
        ("index" = u32, Path, description = "section index, from 0"),
    ),
    responses(
        (status = 200, body = TranscriptView),
        (status = 403, body = quorum_web::Problem),
        (status = 404, body = quorum_web::Problem),
        (status = 422, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, transcript = %path.0))]
pub(crate) async fn correct(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Path(path): Path<(String, String)>,
    Json(body): Json<CorrectBody>,
) -> Result<Json<TranscriptView>, ApiError> {
    let t = as_participant(&state, caller, &path.0).await?;
    let index = parse_index(&path.1)?;
    let text = SectionText::parse(&body.text)?.into_inner();
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    repository::lock(&mut tx, t.id, now).await?;
    if !repository::correct_section(&mut tx, t.id, index, &text, caller, now).await? {
        return Err(no_section(&t, index));
    }
    let (verified, draft) = (TranscriptStatus::Verified, TranscriptStatus::Draft);
    repository::set_status(&mut tx, t.id, verified, draft).await?;
    tx.commit().await?;
    state.evict(t.id).await;
    tracing::info!(index, "section corrected");
    Ok(Json(state.view(caller, t.id).await?))
}

/// Marks a section verified. When every section is, the transcript becomes `VERIFIED` and
/// `transcript.verified` is published (once per transition; verifying again changes nothing).
#[utoipa::path(
    post, path = "/api/transcripts/{id}/sections/{index}/verify", tag = "transcripts",
    params(
        ("id" = uuid::Uuid, Path, description = "transcript id"),
        ("index" = u32, Path, description = "section index, from 0"),
    ),
    responses(
        (status = 200, body = TranscriptView),
        (status = 403, body = quorum_web::Problem),
        (status = 404, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, transcript = %path.0))]
pub(crate) async fn verify(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Path(path): Path<(String, String)>,
) -> Result<Json<TranscriptView>, ApiError> {
    let t = as_participant(&state, caller, &path.0).await?;
    let index = parse_index(&path.1)?;
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    repository::lock(&mut tx, t.id, now).await?;
    let changed = repository::verify_section(&mut tx, t.id, index, caller, now)
        .await?
        .ok_or_else(|| no_section(&t, index))?;
    let mut published = false;
    if changed && repository::unverified_sections(&mut tx, t.id).await? == 0 {
        let (draft, verified) = (TranscriptStatus::Draft, TranscriptStatus::Verified);
        if repository::set_status(&mut tx, t.id, draft, verified).await? {
            events::verified(&state.outbox, &mut tx, &t, now).await?;
            published = true;
        }
    }
    tx.commit().await?;
    if published {
        state.outbox.committed();
        tracing::info!("transcript verified");
    }
    state.evict(t.id).await;
    Ok(Json(state.view(caller, t.id).await?))
}
