//! Sharing a transcript with users outside the meeting (the owner only).

use axum::extract::State;
use quorum_store::now_millis;
use quorum_web::{CurrentUser, Json, PathId};
use uuid::Uuid;

use super::TranscriptId;
use crate::app::AppState;
use crate::domain::ValidationError;
use crate::error::ApiError;
use crate::events;
use crate::repository;
use crate::views::{ShareBody, TranscriptView};

/// Most users one share request may name.
const MAX_USERS: usize = 100;

/// Lets `userIds` read the transcript. Participants can already; naming them (or users it
/// is already shared with) changes nothing. Publishes `transcript.shared` with the users
/// who were added.
#[utoipa::path(
    post, path = "/api/transcripts/{id}/share", tag = "transcripts", request_body = ShareBody,
    params(("id" = String, Path, description = "transcript id")),
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
    let t = state.visible(caller, id.as_uuid()).await?;
    if t.owner_id != caller {
        return Err(ApiError::Forbidden(
            "only the meeting's owner may share its transcript",
        ));
    }
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
