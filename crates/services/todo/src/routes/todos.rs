//! List, create and read todos.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use quorum_store::now_millis;
use quorum_web::{CurrentUser, Json, Page, PageParams, PathId, Query};
use uuid::Uuid;

use super::TodoId;
use crate::app::{access, Access, AppState};
use crate::assign;
use crate::domain::{parse_due_date, Source, Title, TodoStatus, ValidationError};
use crate::error::ApiError;
use crate::events;
use crate::repository::meetings;
use crate::repository::todos::{self, TodoRecord};
use crate::views::{CreateTodo, ListFilter, TodoView};
use quorum_web::parse_id;

/// The caller's todos (assigned to or created by them; with `scope=meetings`, also every
/// todo of their meetings), newest first.
#[utoipa::path(
    get, path = "/api/todos", tag = "todos", params(PageParams, ListFilter),
    responses(
        (status = 200, body = crate::views::TodoPage),
        (status = 400, description = "bad `page`, `size`, `status`, `meetingId`, `assigneeId`, `scope`, `dueFrom` or `dueTo`", body = quorum_web::Problem),
        (status = 401, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller))]
pub(crate) async fn list(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Query(page): Query<PageParams>,
    Query(filter): Query<ListFilter>,
) -> Result<Json<Page<TodoView>>, ApiError> {
    let req = page.validate()?;
    // One status, or several separated by commas (`OPEN,IN_PROGRESS`).
    let statuses = filter
        .status
        .as_deref()
        .map(|list| {
            list.split(',')
                .map(|s| s.trim().parse::<TodoStatus>())
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()
        .map_err(ApiError::BadRequest)?;
    let meeting = filter
        .meeting_id
        .as_deref()
        .map(|m| parse_id(m, "meetingId"))
        .transpose()?;
    let assignee = filter
        .assignee_id
        .as_deref()
        .map(|a| parse_id(a, "assigneeId"))
        .transpose()?;
    let day = |raw: &Option<String>, field: &str| {
        raw.as_deref()
            .map(|d| {
                parse_due_date(d).map_err(|_| {
                    ApiError::BadRequest(format!("`{field}` must be a date such as 2026-12-31"))
                })
            })
            .transpose()
    };
    let (from, to) = (
        day(&filter.due_from, "dueFrom")?,
        day(&filter.due_to, "dueTo")?,
    );
    let within = |due: Option<chrono::NaiveDate>| match (from, to) {
        (None, None) => true,
        _ => due.is_some_and(|d| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t)),
    };
    let all = match filter.scope.as_deref() {
        None | Some("mine") => state.todos_of(caller).await?,
        Some("meetings") => {
            let mut conn = state.db.reader().acquire().await?;
            todos::of_user_and_meetings(&mut conn, caller).await?
        }
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "`scope` must be `mine` or `meetings`, not `{other}`"
            )))
        }
    };
    let matching: Vec<TodoRecord> = all
        .into_iter()
        .filter(|t| statuses.as_ref().is_none_or(|s| s.contains(&t.status)))
        .filter(|t| meeting.is_none_or(|m| t.meeting_id == Some(m)))
        .filter(|t| assignee.is_none_or(|a| t.assignee_id == Some(a)))
        .filter(|t| within(t.due_date))
        .collect();
    let total = u64::try_from(matching.len()).unwrap_or(u64::MAX);
    let skip = usize::try_from(req.offset()).unwrap_or(usize::MAX);
    let take = usize::try_from(req.limit()).unwrap_or(0);
    let items = matching
        .into_iter()
        .skip(skip)
        .take(take)
        .map(TodoView::from)
        .collect();
    Ok(Json(Page::new(items, req, total)))
}

/// Creates a todo by hand; the caller is its creator. It may be assigned to the caller or,
/// for a todo of a meeting the caller takes part in, to one of its participants.
#[utoipa::path(
    post, path = "/api/todos", tag = "todos", request_body = CreateTodo,
    responses(
        (status = 201, body = TodoView, headers(("Location" = String, description = "the new todo"))),
        (status = 401, body = quorum_web::Problem),
        (status = 403, description = "`todo_assignee_forbidden`: the assignee is neither the caller nor a participant of the todo's meeting who shares it with the caller", body = quorum_web::Problem),
        (status = 422, description = "invalid field, a meeting the caller does not take part in, or an assignee no longer registered", body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller))]
pub(crate) async fn create(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Json(body): Json<CreateTodo>,
) -> Result<(StatusCode, HeaderMap, Json<TodoView>), ApiError> {
    let title = Title::parse(&body.title)?;
    let due_date = body.due_date.as_deref().map(parse_due_date).transpose()?;

    let mut tx = state.db.begin().await?;
    if let Some(m) = body.meeting_id {
        if quorum_service::deleted_meetings::is_deleted(&mut tx, m).await? {
            return Err(ValidationError(format!("`meetingId` {m} names a deleted meeting")).into());
        }
        let known = meetings::owner(&mut tx, m).await?.is_some();
        if known && !meetings::is_participant(&mut tx, m, caller).await? {
            return Err(ValidationError(format!(
                "`meetingId` {m} names a meeting you do not take part in"
            ))
            .into());
        }
    }
    let assignee_name = match body.assignee_id {
        Some(a) => assign::assignee(&mut tx, caller, body.meeting_id, a).await?,
        None => None,
    };
    let now = now_millis();
    let todo = TodoRecord {
        id: Uuid::now_v7(),
        meeting_id: body.meeting_id,
        title: title.into_inner(),
        status: TodoStatus::Open,
        source: Source::Manual,
        assignee_id: body.assignee_id,
        assignee_name,
        meeting_title: None,
        due_date,
        created_by: Some(caller),
        created_at: now,
        updated_at: now,
    };
    todos::insert(&mut tx, &todo).await?;
    todos::history(&mut tx, todo.id, None, TodoStatus::Open, Some(caller), now).await?;
    events::created(&state.outbox, &mut tx, &todo).await?;
    tx.commit().await?;
    state.outbox.committed();
    state.evict(&todo.owners().collect::<BTreeSet<_>>()).await;
    tracing::info!(todo = %todo.id, "todo created");
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/todos/{}", todo.id)) {
        headers.insert(header::LOCATION, v);
    }
    Ok((StatusCode::CREATED, headers, Json(TodoView::from(todo))))
}

/// One todo: for its assignee, its creator, and the participants of its meeting.
#[utoipa::path(
    get, path = "/api/todos/{id}", tag = "todos",
    params(("id" = uuid::Uuid, Path, description = "todo id")),
    responses(
        (status = 200, body = TodoView),
        (status = 401, body = quorum_web::Problem),
        (status = 404, description = "unknown, or hidden from the caller", body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, todo = %id))]
pub(crate) async fn get(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    PathId(id): PathId<TodoId>,
) -> Result<Json<TodoView>, ApiError> {
    let todo_id = id.as_uuid();
    let mut conn = state.db.reader().acquire().await?;
    let todo = todos::find(&mut conn, todo_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(id.to_string()))?;
    if access(&mut conn, caller, &todo).await? == Access::None {
        return Err(ApiError::NotFound(id.to_string()));
    }
    Ok(Json(todo.into()))
}
