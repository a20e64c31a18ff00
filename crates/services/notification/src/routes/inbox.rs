//! The caller's notifications: list (newest first), mark one read, mark all read.

use axum::extract::State;
use axum::http::StatusCode;
use quorum_store::now_millis;
use quorum_web::{CurrentUser, Json, Page, PageParams, PathId, Query};

quorum_web::typed_id!(pub(crate) NotificationId, "notification id");

use crate::app::AppState;
use crate::error::ApiError;
use crate::repository::notifications;
use crate::views::{ListFilter, NotificationView};

/// The caller's notifications, newest first; `unread=true` shows only unread ones.
#[utoipa::path(
    get, path = "/api/notifications", tag = "notifications", params(PageParams, ListFilter),
    responses(
        (status = 200, body = crate::views::NotificationPage),
        (status = 400, description = "bad `page`, `size` or `unread`", body = quorum_web::Problem),
        (status = 401, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller))]
pub(crate) async fn list(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Query(page): Query<PageParams>,
    Query(filter): Query<ListFilter>,
) -> Result<Json<Page<NotificationView>>, ApiError> {
    let req = page.validate()?;
    let mut conn = state.db.reader().acquire().await?;
    let (records, total) = notifications::list(
        &mut conn,
        caller,
        filter.unread.unwrap_or(false),
        req.limit(),
        req.offset(),
    )
    .await?;
    let items = records.into_iter().map(NotificationView::from).collect();
    Ok(Json(Page::new(items, req, total)))
}

/// Marks one of the caller's notifications read (again is fine).
#[utoipa::path(
    post, path = "/api/notifications/{id}/read", tag = "notifications",
    params(("id" = uuid::Uuid, Path, description = "notification id")),
    responses(
        (status = 204, description = "read"),
        (status = 400, description = "the id is not a UUID", body = quorum_web::Problem),
        (status = 401, body = quorum_web::Problem),
        (status = 404, description = "unknown, or someone else's", body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, notification = %id))]
pub(crate) async fn read(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    PathId(id): PathId<NotificationId>,
) -> Result<StatusCode, ApiError> {
    let mut conn = state.db.writer().acquire().await?;
    if notifications::mark_read(&mut conn, caller, id.as_uuid(), now_millis()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(id.to_string()))
    }
}

/// How many notifications `read-all` marked.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct MarkedRead {
    pub(crate) marked: u64,
}

/// Marks every unread notification of the caller read — those that exist when the request
/// arrives; one that arrives meanwhile stays unread.
#[utoipa::path(
    post, path = "/api/notifications/read-all", tag = "notifications",
    responses(
        (status = 200, description = "how many were unread", body = MarkedRead),
        (status = 401, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller))]
pub(crate) async fn read_all(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
) -> Result<Json<MarkedRead>, ApiError> {
    let mut conn = state.db.writer().acquire().await?;
    let marked = notifications::mark_all_read(&mut conn, caller, now_millis()).await?;
    Ok(Json(MarkedRead { marked }))
}
