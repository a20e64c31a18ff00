//! `DELETE /api/todos/{id}`.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::StatusCode;
use quorum_web::{CurrentUser, PathId};

use super::TodoId;
use crate::app::{access, may_delete, Access, AppState};
use crate::error::ApiError;
use crate::events;
use crate::repository::todos;

/// Deletes a todo: its creator or the meeting's owner may (automatic todos are created by the
/// meeting's owner); its assignee and the meeting's participants get 403, anyone else 404.
/// The todo and its status history go in one transaction with `todo.deleted`, which takes it
/// out of the meeting's progress.
#[utoipa::path(
    delete, path = "/api/todos/{id}", tag = "todos",
    params(("id" = uuid::Uuid, Path, description = "todo id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 400, description = "a malformed id", body = quorum_web::Problem),
        (status = 401, body = quorum_web::Problem),
        (status = 403, description = "its assignee or a participant, who may not delete it (`todo_delete_forbidden`)", body = quorum_web::Problem),
        (status = 404, description = "unknown (or already deleted), or hidden from the caller", body = quorum_web::Problem),
        (status = 409, description = "changed concurrently; reload it and try again", body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, todo = %id))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    PathId(id): PathId<TodoId>,
) -> Result<StatusCode, ApiError> {
    let not_found = || ApiError::NotFound(id.to_string());
    let mut tx = state.db.begin().await?;
    let todo = todos::find(&mut tx, id.as_uuid())
        .await?
        .ok_or_else(not_found)?;
    if access(&mut tx, caller, &todo).await? == Access::None {
        return Err(not_found());
    }
    if !may_delete(&mut tx, caller, &todo).await? {
        return Err(ApiError::DeleteForbidden);
    }
    if !todos::delete(&mut tx, &todo, todo.updated_at).await? {
        // Deleted meanwhile by another request, or changed (its status may now be DONE,
        // which `todo.deleted` must tell).
        return Err(match todos::find(&mut tx, todo.id).await? {
            None => not_found(),
            Some(_) => ApiError::Concurrent,
        });
    }
    events::deleted(&state.outbox, &mut tx, &todo, caller).await?;
    tx.commit().await?;
    state.outbox.committed();
    state.evict(&todo.owners().collect::<BTreeSet<_>>()).await;
    tracing::info!(todo = %todo.id, "todo deleted");
    Ok(StatusCode::NO_CONTENT)
}
