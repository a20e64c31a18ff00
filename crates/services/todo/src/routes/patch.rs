//! `PATCH /api/todos/{id}`: title, assignee, due date and the status machine.

use std::collections::BTreeSet;

use axum::extract::State;
use quorum_store::now_millis;
use quorum_web::{CurrentUser, Json, PathId};

use super::TodoId;
use crate::app::{access, Access, AppState};
use crate::assign;
use crate::domain::{parse_due_date, Title, TodoStatus, ValidationError};
use crate::error::ApiError;
use crate::events;
use crate::repository::todos;
use crate::views::{PatchTodo, TodoView};

/// Changes a todo (assignee, creator or the meeting's owner); a new assignee follows the
/// rule of `POST /api/todos` (an unchanged one is not checked again). Status moves forward only:
/// `OPEN → IN_PROGRESS → DONE` or `OPEN → DONE`; each change is recorded in the status
/// history and published as `todo.status_changed` (and `todo.completed` on DONE).
#[utoipa::path(
    patch, path = "/api/todos/{id}", tag = "todos", request_body = crate::views::PatchTodoBody,
    params(("id" = uuid::Uuid, Path, description = "todo id")),
    responses(
        (status = 200, body = TodoView),
        (status = 401, body = quorum_web::Problem),
        (status = 403, description = "`todo_forbidden`: a participant who may read but not change it; `todo_assignee_forbidden`: a new assignee who is neither the caller nor a participant of the todo's meeting who shares it with the caller", body = quorum_web::Problem),
        (status = 404, body = quorum_web::Problem),
        (status = 409, description = "a backwards status change, or a concurrent change", body = quorum_web::Problem),
        (status = 422, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, todo = %id))]
pub(crate) async fn patch(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    PathId(id): PathId<TodoId>,
    Json(body): Json<PatchTodo>,
) -> Result<Json<TodoView>, ApiError> {
    let todo_id = id.as_uuid();
    if body.status.is_none()
        && body.title.is_none()
        && body.assignee_id.is_none()
        && body.due_date.is_none()
    {
        return Err(ValidationError(
            "give at least one of `status`, `title`, `assigneeId`, `dueDate`".into(),
        )
        .into());
    }
    let status = body
        .status
        .as_deref()
        .map(str::parse::<TodoStatus>)
        .transpose()
        .map_err(ValidationError)?;
    let title = body.title.as_deref().map(Title::parse).transpose()?;
    let due_date = match &body.due_date {
        Some(Some(d)) => Some(Some(parse_due_date(d)?)),
        Some(None) => Some(None),
        None => None,
    };

    let mut tx = state.db.begin().await?;
    let mut todo = todos::find(&mut tx, todo_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(id.to_string()))?;
    match access(&mut tx, caller, &todo).await? {
        Access::Edit => {}
        Access::Read => return Err(ApiError::Forbidden),
        Access::None => return Err(ApiError::NotFound(id.to_string())),
    }
    let mut affected: BTreeSet<_> = todo.owners().collect();
    let read_at = todo.updated_at;
    let from = todo.status;
    let status_changed = match status {
        Some(to) => from.advance(to)?,
        None => false,
    };
    if let Some(to) = status {
        todo.status = to;
    }
    if let Some(t) = title {
        todo.title = t.into_inner();
    }
    if let Some(d) = due_date {
        todo.due_date = d;
    }
    if let Some(assignee) = body.assignee_id {
        if assignee != todo.assignee_id {
            todo.assignee_name = match assignee {
                Some(a) => assign::assignee(&mut tx, caller, todo.meeting_id, a).await?,
                None => None,
            };
            todo.assignee_id = assignee;
        }
    }
    let now = now_millis();
    todo.updated_at = now.max(read_at + 1);
    if !todos::update(&mut tx, &todo, read_at).await? {
        return Err(ApiError::Concurrent);
    }
    if status_changed {
        todos::history(&mut tx, todo.id, Some(from), todo.status, Some(caller), now).await?;
        events::status_changed(&state.outbox, &mut tx, &todo, from, caller).await?;
    }
    tx.commit().await?;
    if status_changed {
        state.outbox.committed();
    }
    affected.extend(todo.owners());
    state.evict(&affected).await;
    Ok(Json(todo.into()))
}
