//! Sharing a transcript with users outside the meeting, and revoking a share (the owner
//! only). Who it is shared with is the transcript's `sharedWith`.

use axum::extract::State;
use quorum_store::now_millis;
use quorum_web::{parse_id, CurrentUser, Json, Path, PathId, TypedId};
use uuid::Uuid;

use super::TranscriptId;
use crate::app::AppState;
use crate::domain::ValidationError;
use crate::error::ApiError;
use crate::events;
use crate::repository;
use crate::repository::TranscriptRecord;
use crate::views::{ShareBody, TranscriptView};

/// Most users one share request may name.
const MAX_USERS: usize = 100;

/// The transcript, if the caller owns the meeting (403 for other readers, 404 for others).
async fn as_owner(state: &AppState, caller: Uuid, id: Uuid) -> Result<TranscriptRecord, ApiError> {
    let t = state.visible(caller, id).await?;
    if t.owner_id != caller {
        return Err(ApiError::Forbidden(
            "only the meeting's owner may share its transcript or revoke a share",
        ));
    }
    Ok(t)
}

/// Lets `userIds` read the transcript. Participants can already; naming them (or users it
/// is already shared with) changes nothing. Publishes `transcript.shared` with the users
/// who were added.
#[utoipa::path(
    post, path = "/api/transcripts/{id}/share", tag = "transcripts", request_body = ShareBody,
    params(("id" = uuid::Uuid, Path, description = "transcript id")),
    responses(
        (status = 200, body = TranscriptView),
        (status = 403, description = "not the meeting's owner", body = quorum_web::Problem),
        (status = 404, body = quorum_web::Problem),
        (status = 422, description = "empty list or unknown users", body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, transcript = %id))]
pub(crate) async fn share(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    PathId(id): PathId<TranscriptId>,
    Json(body): Json<ShareBody>,
) -> Result<Json<TranscriptView>, ApiError> {
    let t = as_owner(&state, caller, id.as_uuid()).await?;
    if body.user_ids.is_empty() || body.user_ids.len() > MAX_USERS {
        return Err(ValidationError(format!(
            "`userIds` must name 1 to {MAX_USERS} users (got {})",
            body.user_ids.len()
        ))
        .into());
    }
    let mut users: Vec<Uuid> = Vec::new();
    for u in body.user_ids {
        if !t.may_read(u) && !users.contains(&u) {
            users.push(u);
        }
    }
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    let unknown = quorum_directory::unknown(&mut tx, &users).await?;
    if !unknown.is_empty() {
        let ids: Vec<String> = unknown.iter().map(Uuid::to_string).collect();
        return Err(ApiError::UnknownUsers(ids.join(", ")));
    }
    repository::lock(&mut tx, t.id, now).await?;
    let added = repository::share(&mut tx, t.id, &users, caller, now).await?;
    let publish = !added.is_empty();
    if publish {
        events::shared(&state.outbox, &mut tx, &t, caller, added, now).await?;
    }
    tx.commit().await?;
    if publish {
        state.outbox.committed();
    }
    state.evict(t.id).await;
    Ok(Json(state.view(caller, t.id).await?))
}

/// Revokes the share with `userId`: from now on they cannot read the transcript (its
/// participants always can; they are not in `sharedWith` and cannot be revoked). Publishes
/// `transcript.unshared`.
#[utoipa::path(
    delete, path = "/api/transcripts/{id}/share/{userId}", tag = "transcripts",
    params(
        ("id" = uuid::Uuid, Path, description = "transcript id"),
        ("userId" = uuid::Uuid, Path, description = "a user it was shared with"),
    ),
    responses(
        (status = 200, description = "the transcript without that reader", body = TranscriptView),
        (status = 403, description = "not the meeting's owner", body = quorum_web::Problem),
        (status = 404, description = "unknown transcript, or not shared with that user",
            body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, transcript = %path.0))]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Path(path): Path<(String, String)>,
) -> Result<Json<TranscriptView>, ApiError> {
    let id = parse_id(&path.0, TranscriptId::WHAT)?;
    let user = parse_id(&path.1, "user id")?;
    let t = as_owner(&state, caller, id).await?;
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    repository::lock(&mut tx, t.id, now).await?;
    if !repository::unshare(&mut tx, t.id, user).await? {
        return Err(ApiError::NotFound(format!(
            "a share of transcript `{}` with user `{user}`",
            t.id
        )));
    }
    events::unshared(&state.outbox, &mut tx, &t, caller, user, now).await?;
    tx.commit().await?;
    state.outbox.committed();
    state.evict(t.id).await;
    tracing::info!(%user, "share revoked");
    Ok(Json(state.view(caller, t.id).await?))
}
