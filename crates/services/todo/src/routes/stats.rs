//! The caller's todo counts.

use axum::extract::State;
use quorum_web::{CurrentUser, Json};

use crate::app::AppState;
use crate::error::ApiError;
use crate::views::StatsView;

/// Counts by status of the caller's todos (assigned to or created by them), in total and
/// per meeting.
#[utoipa::path(
    get, path = "/api/todos/stats", tag = "todos",
    responses(
        (status = 200, body = StatsView),
        (status = 401, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller))]
pub(crate) async fn get(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
) -> Result<Json<StatsView>, ApiError> {
    Ok(Json(state.stats_of(caller).await?))
}
