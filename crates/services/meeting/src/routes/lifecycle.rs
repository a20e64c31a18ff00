//! The status machine over HTTP: start, notes, end, cancel. Each runs in one transaction that
//! reads the meeting, checks who may act and whether the status allows it, writes the change
//! and its event (outbox), then evicts the cache after commit.
//!
//! Notes: the owner and every participant may write them while the meeting is SCHEDULED
//! (preparation) or IN_PROGRESS; once it has ended they are the input of the minutes and only
//! change through `end`'s own `notes`.

use axum::body::Bytes;
use axum::extract::State;
use quorum_contracts::events::{MEETING_CANCELLED, MEETING_STARTED};
use quorum_store::now_millis;
use quorum_web::{CurrentUser, Json, PathId};
use serde::de::DeserializeOwned;

use crate::app::{authorize, AppState, Who};
use crate::domain::{Action, MeetingId, Notes, ValidationError};
use crate::error::ApiError;
use crate::events;
use crate::repository::{self, MeetingRecord};
use crate::views::{EndBody, MeetingView, NotesBody};

/// Applies `action` as `who` and records `event` (if any), returning the new view.
async fn transition(
    state: &AppState,
    caller: uuid::Uuid,
    id: MeetingId,
    who: Who,
    action: Action,
    change: impl FnOnce(&mut MeetingRecord, i64),
    event: Option<&str>,
) -> Result<MeetingView, ApiError> {
    let mut tx = state.db.begin().await?;
    let (mut meeting, participants) = authorize(&mut tx, caller, id, who).await?;
    let current = meeting.status;
    meeting.status = current.apply(action)?;
    let now = now_millis();
    meeting.updated_at = now;
    change(&mut meeting, now);
    if !repository::update(&mut tx, &meeting, current).await? {
        return Err(ApiError::Concurrent);
    }
    match event {
        Some(quorum_contracts::events::MEETING_ENDED) => {
            events::ended(&state.outbox, &mut tx, &meeting, &participants).await?;
        }
        Some(kind) => {
            events::changed(&state.outbox, &mut tx, kind, &meeting, &participants).await?;
        }
        None => {}
    }
    tx.commit().await?;
    if event.is_some() {
        state.outbox.committed();
    }
    state.evict(id.as_uuid()).await;
    tracing::info!(meeting = %id, status = %meeting.status, "meeting changed");
    state.view(caller, id).await
}

/// Parses an optional JSON body: empty is `T::default()`.
fn optional_json<T: DeserializeOwned + Default>(body: &Bytes) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    // `null` is the documented absent body, as no body at all.
    let body: Option<T> = serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            ValidationError(format!("invalid body: {e}")).into()
        } else {
            ApiError::BadRequest(format!("malformed JSON body: {e}"))
        }
    })?;
    Ok(body.unwrap_or_default())
}

/// Starts the meeting (owner only; SCHEDULED → IN_PROGRESS). Publishes `meeting.started`.
#[utoipa::path(
    post, path = "/api/meetings/{id}/start", tag = "meetings",
    params(("id" = uuid::Uuid, Path, description = "meeting id")),
    responses(
        (status = 200, body = MeetingView),
        (status = 403, body = quorum_web::Problem),
        (status = 404, body = quorum_web::Problem),
        (status = 409, description = "not SCHEDULED", body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, meeting = %id))]
pub(crate) async fn start(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    PathId(id): PathId<MeetingId>,
) -> Result<Json<MeetingView>, ApiError> {
    let set_start = |m: &mut MeetingRecord, now| m.started_at = Some(now);
    let who = Who::Owner("start it");
    let view = transition(
        &state,
        caller,
        id,
        who,
        Action::Start,
        set_start,
        Some(MEETING_STARTED),
    );
    Ok(Json(view.await?))
}

/// Replaces the notes (owner or participant; while SCHEDULED or IN_PROGRESS).
#[utoipa::path(
    put, path = "/api/meetings/{id}/notes", tag = "meetings", request_body = NotesBody,
    params(("id" = uuid::Uuid, Path, description = "meeting id")),
    responses(
        (status = 200, body = MeetingView),
        (status = 404, body = quorum_web::Problem),
        (status = 409, description = "the meeting is closed", body = quorum_web::Problem),
        (status = 422, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, meeting = %id))]
pub(crate) async fn notes(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    PathId(id): PathId<MeetingId>,
    Json(body): Json<NotesBody>,
) -> Result<Json<MeetingView>, ApiError> {
    let notes = Notes::parse(Some(&body.notes))?.into_inner();
    let set = move |m: &mut MeetingRecord, _| m.notes = notes;
    let view = transition(
        &state,
        caller,
        id,
        Who::Participant,
        Action::WriteNotes,
        set,
        None,
    );
    Ok(Json(view.await?))
}

/// Ends the meeting (owner only; IN_PROGRESS → ENDED), optionally with final notes.
/// Publishes `meeting.ended` with the notes, which starts the minutes pipeline.
#[utoipa::path(
    post, path = "/api/meetings/{id}/end", tag = "meetings", request_body(content = Option<EndBody>),
    params(("id" = uuid::Uuid, Path, description = "meeting id")),
    responses(
        (status = 200, body = MeetingView),
        (status = 403, body = quorum_web::Problem),
        (status = 404, body = quorum_web::Problem),
        (status = 409, description = "not IN_PROGRESS", body = quorum_web::Problem),
        (status = 422, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, meeting = %id))]
pub(crate) async fn end(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    PathId(id): PathId<MeetingId>,
    body: Bytes,
) -> Result<Json<MeetingView>, ApiError> {
    let body: EndBody = optional_json(&body)?;
    let notes = body
        .notes
        .as_deref()
        .map(|n| Notes::parse(Some(n)))
        .transpose()?;
    let set = move |m: &mut MeetingRecord, now| {
        m.ended_at = Some(now);
        if let Some(n) = notes {
            m.notes = n.into_inner();
        }
    };
    let who = Who::Owner("end it");
    let event = Some(quorum_contracts::events::MEETING_ENDED);
    Ok(Json(
        transition(&state, caller, id, who, Action::End, set, event).await?,
    ))
}

/// Cancels the meeting (owner only; from SCHEDULED or IN_PROGRESS). Publishes
/// `meeting.cancelled`.
#[utoipa::path(
    post, path = "/api/meetings/{id}/cancel", tag = "meetings",
    params(("id" = uuid::Uuid, Path, description = "meeting id")),
    responses(
        (status = 200, body = MeetingView),
        (status = 403, body = quorum_web::Problem),
        (status = 404, body = quorum_web::Problem),
        (status = 409, description = "already ended or cancelled", body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, meeting = %id))]
pub(crate) async fn cancel(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    PathId(id): PathId<MeetingId>,
) -> Result<Json<MeetingView>, ApiError> {
    let who = Who::Owner("cancel it");
    let keep = |_: &mut MeetingRecord, _| {};
    Ok(Json(
        transition(
            &state,
            caller,
            id,
            who,
            Action::Cancel,
            keep,
            Some(MEETING_CANCELLED),
        )
        .await?,
    ))
}
